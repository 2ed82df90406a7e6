// Simulated functions against the seeded state, over HTTPS (issue 2, points 4, 5 and 9).
import assert from "node:assert/strict";
import { createMockApp, runMockCommand, SIMULATED_FUNCTIONS } from "../lib/mock/mod.ts";
import { type Simulation, SIMULATIONS } from "../lib/mock/_functions.ts";
import { SERVER_CATALOG } from "../lib/_catalog/server.ts";
import { SPE_CATALOG } from "../lib/_catalog/spe.ts";
import { AUTH, type Harness, read, withMock } from "./testdata/mock/helpers.ts";

Deno.test("mock: the tutorial's four examples, by hand with fetch", async () => {
  await withMock({ jobs: { stepMs: 5 } }, async ({ invoke, call }) => {
    // Example 1: GetEnvironmentInfo.
    const env = (await invoke("GetEnvironmentInfo")).json;
    assert.equal(env.statusVersion, 2);
    assert.equal(env.statusCode, "succeeded");
    assert.deepEqual(Object.keys(env.result.systemProperties), [
      "processors",
      "totalPhysicalMemory",
      "operatingSystem",
    ]);
    // Example 2: GetInstances, then GetUsers and GetUserInfo of every user.
    const instances = (await invoke("GetInstances", { instanceFilter: "*" })).json.result;
    assert.deepEqual(Object.keys(instances[0]), [
      "instanceID",
      "alias",
      "displayName",
      "instanceHost",
      "startMode",
      "processID",
      "status",
      "startStopError",
    ]);
    let infos = 0;
    for (const instance of instances) {
      const users = (await invoke("GetUsers", { instanceID: instance.instanceID })).json.result;
      for (const user of users) {
        const info = (await invoke("GetUserInfo", {
          instanceID: instance.instanceID,
          userName: user.userName,
        })).json;
        assert.equal(info.statusCode, "succeeded");
        assert.equal(info.result.userName, user.userName);
        infos++;
      }
    }
    assert.equal(infos, 3 * 6);
    // Example 3: VerifyStore waited for to the end. (The 2014 tutorial predates includeIndexes,
    // which today's metadata marks as mandatory, so it is sent.)
    const verify = { instanceID: instances[0].instanceID, id: "1", includeIndexes: "false" };
    let status = (await invoke("VerifyStore", verify)).json;
    while (status.statusCode === "running") {
      status = (await call("/api/get-status", {
        token: status.token,
        lastKnownStatusVersion: String(status.statusVersion),
        millisecondsTimeout: "5000",
      })).json;
    }
    assert.equal(status.statusCode, "succeeded");
    assert.equal(status.percentProgress, 100);
    // Example 4: start VerifyStore, watch one progress event, then stop it.
    const started = (await invoke("VerifyStore", verify)).json;
    assert.equal(started.statusCode, "running");
    const progress = (await call("/api/get-status", {
      token: started.token,
      lastKnownStatusVersion: String(started.statusVersion),
      millisecondsTimeout: "5000",
    })).json;
    assert.ok(progress.percentProgress > 0);
    const stopped = (await call("/api/cancel-async", { token: started.token })).json;
    assert.notEqual(stopped.statusCode, "running");
  });
});

Deno.test("mock: every catalogued function is simulated, for both products", () => {
  for (const [product, catalog] of [["spe", SPE_CATALOG], ["server", SERVER_CATALOG]] as const) {
    assert.deepEqual(
      [...SIMULATED_FUNCTIONS[product]],
      catalog.map((fn) => fn.name).sort(),
      `${product}: SIMULATED_FUNCTIONS is the whole catalogue`,
    );
  }
  assert.equal(SIMULATED_FUNCTIONS.spe.length, 122);
  assert.equal(SIMULATED_FUNCTIONS.server.length, 89);
});

/** Polls get-status until the job of `token` ends; its final status. */
async function finish(
  call: Harness["call"],
  token: string,
): Promise<{ statusCode: string; error: { message: string } | null }> {
  let status = { statusCode: "running", statusVersion: 0, error: null };
  while (status.statusCode === "running") {
    status = (await call("/api/get-status", {
      token,
      lastKnownStatusVersion: String(status.statusVersion),
      millisecondsTimeout: "5000",
    })).json;
  }
  return status;
}

Deno.test("mock: every function the catalogue marks long-running runs as a job, on both products", () => {
  for (const [product, catalog] of [["spe", SPE_CATALOG], ["server", SERVER_CATALOG]] as const) {
    for (const fn of catalog) {
      const simulation = SIMULATIONS[product][fn.name]!;
      assert.equal(simulation.job !== undefined, fn.longRunning, `${product} ${fn.name}`);
    }
  }
});

Deno.test("mock: CreateInstance runs as a job and adds the instance at its end", async () => {
  // Steps long enough that the first job still runs when the second call comes, on a slow
  // machine too (under Wine the two calls were once 10 ms apart).
  await withMock({ jobs: { stepMs: 150, steps: 2 } }, async ({ invoke, call }) => {
    const ids = async () =>
      (await invoke("GetInstances", { instanceFilter: "*" })).json.result.map(
        (row: { instanceID: string }) => row.instanceID,
      );
    const config = JSON.stringify({ instanceID: "newco", instanceHost: "host01.spe.mock.test" });
    const started = (await invoke("CreateInstance", { config })).json;
    assert.equal(started.statusCode, "running");
    assert.match(started.statusText, /^Creating instance 'newco'/);
    // A second call for the same ID while the first runs also starts, and fails at its end.
    const twice = (await invoke("CreateInstance", { config })).json;
    assert.equal(twice.statusCode, "running");
    assert.equal((await finish(call, started.token)).statusCode, "succeeded");
    assert.ok((await ids()).includes("newco"));
    const second = await finish(call, twice.token);
    assert.equal(second.statusCode, "failed");
    assert.equal(second.error?.message, "Instance 'newco' already exists.");
    // A bad configuration fails at the call, before any job starts.
    const bad = (await invoke("CreateInstance", { config: "[]" })).json;
    assert.equal(bad.statusCode, "failed");
    assert.equal(bad.token, null);
  });
});

/**
 * Runs `fn` while `name` has no simulation, as a function a newer server adds would be: catalogued
 * (it is in the metadata and its arguments are checked) but unknown to the simulation tables. The
 * tables are module state that `createMockApp` reads per call, so the entry is put back afterwards.
 */
async function withoutSimulation(
  product: "spe" | "server",
  name: string,
  fn: () => Promise<void>,
): Promise<void> {
  const table = SIMULATIONS[product] as Record<string, Simulation>;
  const saved = table[name];
  assert.ok(saved !== undefined, `${name} is simulated to begin with`);
  delete table[name];
  try {
    await fn();
  } finally {
    table[name] = saved;
  }
}

Deno.test("mock: a catalogued function without a simulation answers 'not simulated' after its arguments are checked", async () => {
  await withoutSimulation("spe", "CreateUser", async () => {
    await withMock({}, async ({ invoke }) => {
      const users = async () => (await invoke("GetUsers", { instanceID: "acme" })).json.result;
      const before = await users();
      // Arguments are checked first, like any other function's.
      assert.equal(
        (await invoke("CreateUser", { instanceID: "acme" })).json.error.message,
        "Missing API argument userName.",
      );
      assert.match(
        (await invoke("CreateUser", { instanceID: "acme", userName: "x", color: "red" })).json
          .error.message,
        /^Unknown API argument color for function CreateUser\.$/,
      );
      const reply = await invoke("CreateUser", {
        instanceID: "acme",
        userName: "newer.server",
        privileges: "none",
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.json.statusCode, "failed");
      assert.equal(reply.json.error.message, "CreateUser is not simulated by the mock server.");
      assert.equal(reply.json.result, null);
      // It never invents a success: the state is as it was.
      assert.deepEqual(await users(), before);
    });
  });
  await withoutSimulation("server", "GetServerInfo", async () => {
    await withMock({ product: "server" }, async ({ invoke }) => {
      const reply = await invoke("GetServerInfo");
      assert.equal(reply.json.statusCode, "failed");
      assert.equal(reply.json.error.message, "GetServerInfo is not simulated by the mock server.");
    });
  });
  // The entries are back: the same calls succeed again.
  await withMock({ product: "server" }, async ({ invoke }) => {
    assert.equal((await invoke("GetServerInfo")).json.statusCode, "succeeded");
  });
});

Deno.test("mock: service provider access is enforced except for store, index and instance functions", async () => {
  await withMock({}, async ({ server, invoke }) => {
    server.app.state.instance("acme")!.serviceProviderAccess = false;
    const users = await invoke("GetUsers", { instanceID: "acme" });
    assert.equal(users.json.statusCode, "failed");
    assert.match(
      users.json.error.message,
      /^Service provider access is disabled for instance 'acme'\./,
    );
    assert.equal((await invoke("GetStores", { instanceID: "acme" })).json.statusCode, "succeeded");
    assert.equal(
      (await invoke("GetInstanceConfiguration", { instanceID: "acme" })).json.statusCode,
      "succeeded",
    );
    assert.equal(
      (await invoke("GetArchiveAdminEnabled", { instanceID: "acme" })).json.result,
      false,
    );
    assert.equal((await invoke("GetUsers", { instanceID: "globex" })).json.statusCode, "succeeded");
    await invoke("SetArchiveAdminEnabled", { instanceID: "acme", enabled: "true" });
    assert.equal((await invoke("GetUsers", { instanceID: "acme" })).json.statusCode, "succeeded");
  });
});

Deno.test("mock: instance lifecycle follows the status rules", async () => {
  await withMock({ jobs: { stepMs: 5, steps: 2 } }, async ({ invoke, call }) => {
    const status = async (id: string) =>
      (await invoke("GetInstances", { instanceFilter: id })).json.result[0];
    assert.match(
      (await invoke("DeleteInstances", { instanceFilter: "acme" })).json.error.message,
      /must be stopped/,
    );
    await invoke("FreezeInstances", { instanceFilter: "acme" });
    assert.equal((await status("acme")).status, "frozen");
    assert.match(
      (await invoke("GetUsers", { instanceID: "acme" })).json.error.message,
      /not running \(status: frozen\)/,
    );
    await invoke("ThawInstances", { instanceFilter: "acme" });
    assert.equal((await status("acme")).status, "running");
    await invoke("StopInstances", { instanceFilter: "acme" });
    const stopped = await status("acme");
    assert.equal(stopped.status, "stopped");
    assert.equal(stopped.processID, null);
    assert.match(
      (await invoke("FreezeInstances", { instanceFilter: "acme" })).json.error.message,
      /not running/,
    );
    await invoke("StartInstances", { instanceFilter: "ac*" });
    assert.equal(typeof (await status("acme")).processID, "number");
    const before = (await status("acme")).processID;
    await invoke("RestartInstances", { instanceFilter: "acme" });
    assert.notEqual((await status("acme")).processID, before);
    await invoke("StopInstances", { instanceFilter: "acme" });
    assert.equal(
      (await invoke("DeleteInstances", { instanceFilter: "acme" })).json.statusCode,
      "succeeded",
    );
    assert.match(
      (await invoke("GetUsers", { instanceID: "acme" })).json.error.message,
      /'acme' does not exist/,
    );
    const hosts = (await invoke("GetInstanceHosts")).json.result;
    const created = await invoke("CreateInstance", {
      config: JSON.stringify({
        instanceID: "newco",
        instanceHost: hosts[0].serverName,
        displayName: "New Co",
      }),
    });
    // CreateInstance is long-running: a job that adds the instance at its end.
    assert.equal(created.json.statusCode, "running");
    assert.equal((await finish(call, created.json.token)).statusCode, "succeeded");
    assert.equal((await status("newco")).status, "stopped");
    assert.match(
      (await invoke("CreateInstance", {
        config: JSON.stringify({ instanceID: "newco", instanceHost: hosts[0].serverName }),
      }))
        .json.error.message,
      /already exists/,
    );
  });
});

Deno.test("mock: users, privileges and folder privileges change the state", async () => {
  await withMock({}, async ({ invoke }) => {
    const base = { instanceID: "globex" };
    assert.equal(
      (await invoke("CreateUser", {
        ...base,
        userName: "bob",
        privileges: "login,archive",
        fullName: "Bob",
      })).json.statusCode,
      "succeeded",
    );
    assert.match(
      (await invoke("CreateUser", { ...base, userName: "BOB", privileges: "login" })).json.error
        .message,
      /already exists/,
    );
    await invoke("SetUserPrivileges", { ...base, userName: "bob", privileges: "login,export" });
    await invoke("SetUserPrivilegesOnFolder", {
      ...base,
      userName: "bob",
      folder: "bob",
      privileges: "read,write",
    });
    await invoke("SetUserPassword", { ...base, userName: "bob", password: "secret" });
    let info = (await invoke("GetUserInfo", { ...base, userName: "bob" })).json.result;
    assert.deepEqual(info.privileges, ["login", "export"]);
    assert.deepEqual(info.privilegesOnFolders, [{ folder: "bob", privileges: ["read", "write"] }]);
    assert.ok(!JSON.stringify(info).includes("secret"));
    await invoke("RenameUser", { ...base, oldUserName: "bob", newUserName: "robert" });
    info = (await invoke("GetUserInfo", { ...base, userName: "robert" })).json.result;
    // The archive keeps its name, and the privileges on it stay.
    assert.deepEqual(info.privilegesOnFolders, [{ folder: "bob", privileges: ["read", "write"] }]);
    await invoke("ClearUserPrivilegesOnFolders", { ...base, userName: "robert" });
    info = (await invoke("GetUserInfo", { ...base, userName: "robert" })).json.result;
    assert.equal(info.privilegesOnFolders, undefined);
    await invoke("DeleteUser", { ...base, userName: "robert" });
    assert.match(
      (await invoke("GetUserInfo", { ...base, userName: "robert" })).json.error.message,
      /'robert' does not exist/,
    );
    assert.match(
      (await invoke("DeleteUser", { ...base, userName: "$archiveadmin" })).json.error.message,
      /cannot be deleted/,
    );
  });
});

Deno.test("mock: stores can be created, renamed and given a requested state", async () => {
  await withMock({}, async ({ invoke }) => {
    const base = { instanceID: "initech" };
    await invoke("CreateStore", {
      ...base,
      name: "2026-02",
      databasePath: "E:\\x",
      requestedState: "current",
    });
    await invoke("RenameStore", { ...base, id: "1", name: "oldest" });
    await invoke("SetStoreRequestedState", { ...base, id: "2", requestedState: "writeProtected" });
    const stores = (await invoke("GetStores", { ...base, includeSize: "true" })).json.result;
    assert.deepEqual(stores.map((store: { id: number }) => store.id), [1, 2, 3, 4]);
    assert.deepEqual(stores.map((store: { requestedState: string }) => store.requestedState), [
      "normal",
      "writeProtected",
      "normal",
      "current",
    ]);
    assert.equal(stores[0].name, "oldest");
    assert.equal(typeof stores[0].statisticsSize, "number");
    const statistics = (await invoke("GetInstanceStatistics", base)).json.result;
    assert.deepEqual(Object.keys(statistics), [
      "totalSizeMB",
      "databaseFileSizeMB",
      "contentFileSizeMB",
      "indexFileSizeMB",
      "numberOfMessages",
    ]);
  });
});

Deno.test("mock: system administrators can be created, used to log in, and deleted", async () => {
  await withMock({}, async ({ invoke, server, client }) => {
    await invoke("CreateSystemAdministrator", {
      config: JSON.stringify({ userName: "ops", fullName: "Ops" }),
      password: "pw",
    });
    const names = (await invoke("GetSystemAdministrators")).json.result.map((
      admin: { userName: string },
    ) => admin.userName);
    assert.deepEqual(names, ["admin", "ops"]);
    const asOps = await read(
      await fetch(server.url + "/api/invoke/GetEnvironmentInfo", {
        method: "POST",
        headers: { Authorization: "Basic " + btoa("ops:pw") },
        body: "",
        client,
      }),
    );
    assert.equal(asOps.json.result.userName, "ops");
    assert.match(
      (await invoke("DeleteSystemAdministrator", { userName: "admin" })).json.error.message,
      /logged in/,
    );
    await invoke("DeleteSystemAdministrator", { userName: "ops" });
    assert.equal((await invoke("GetSystemAdministrators")).json.result.length, 1);
  });
});

Deno.test("mock: other simulated read functions answer with results", async () => {
  await withMock({}, async ({ invoke }) => {
    for (
      const [fn, args] of [
        ["GetServiceStatus", {}],
        ["Ping", {}],
        ["GetJobs", { instanceID: "acme" }],
        ["GetTimeZones", { instanceID: "acme" }],
        ["GetInstanceHosts", { serverNameFilter: "host*" }],
      ] as const
    ) {
      const reply = await invoke(fn, args);
      assert.equal(reply.json.statusCode, "succeeded", fn);
    }
    assert.deepEqual(
      (await invoke("GetInstanceHosts", { serverNameFilter: "none*" })).json.result,
      [],
    );
  });
});

Deno.test("mock: the same seed gives the same state, another seed another", async () => {
  const body = async (seed: number): Promise<string> => {
    const app = createMockApp({ seed });
    try {
      const response = await app.request("/api/invoke/GetUsers", {
        method: "POST",
        headers: { Authorization: AUTH, "Content-Length": "15" },
        body: "instanceID=acme",
      });
      return (await read(response)).text;
    } finally {
      app.close();
    }
  };
  assert.equal(await body(5), await body(5));
  assert.notEqual(await body(5), await body(6));
  // The command line's --seed is the same seed: `mspe-run mock --seed 5` serves that state.
  const controller = new AbortController();
  let listening: (url: string) => void = () => {};
  const url = new Promise<string>((resolve) => listening = resolve);
  const done = runMockCommand(["--port", "0", "--http", "--seed", "5"], {
    signal: controller.signal,
    out: (line) => {
      const match = /^listening on (\S+)/.exec(line);
      if (match) listening(match[1]!);
    },
    err: () => {},
  });
  try {
    const response = await fetch(`${await url}/api/invoke/GetUsers`, {
      method: "POST",
      headers: { Authorization: AUTH, "Content-Type": "application/x-www-form-urlencoded" },
      body: "instanceID=acme",
    });
    assert.equal((await read(response)).text, await body(5));
  } finally {
    controller.abort();
    assert.equal(await done, 0);
  }
});

Deno.test("mock: scale: 1,000 instances, and 100,000 users in one instance", async () => {
  await withMock(
    { instances: 1000, jobs: { getInstancesAsyncThreshold: 5000 } },
    async ({ invoke, server }) => {
      const instances = (await invoke("GetInstances", { instanceFilter: "*" })).json.result;
      assert.equal(instances.length, 1000);
      assert.equal(
        new Set(instances.map((instance: { instanceID: string }) => instance.instanceID)).size,
        1000,
      );
      server.app.state.seedUsers(server.app.state.instance("tenant1000")!, 100_000);
      const users = (await invoke("GetUsers", { instanceID: "tenant1000" })).json.result;
      assert.equal(users.length, 100_001);
      assert.equal(
        new Set(users.map((user: { userName: string }) => user.userName.toLowerCase())).size,
        100_001,
      );
    },
  );
});
