// Tenants as code for stores, profiles, folder privileges, service provider access, configuration
// passwords and prune on instances, against the simulator over HTTPS (issue 20).

import assert from "node:assert/strict";
import { assertEquals, assertMatch } from "./_assert.ts";
import { invokeCall } from "../lib/invoke_call.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { mockFlags, runCli as runProcess } from "./cli_helpers.ts";
import { formatPsCredential } from "../lib/cli/credentials/clixml.ts";
import { join } from "node:path";
import { clientFor, startMock } from "./_helpers.ts";
import { parseStateFile } from "../lib/desired_state/parse.ts";
import { planState, SENT_WITH_CHANGE } from "../lib/desired_state/plan.ts";
import { applyPlan } from "../lib/desired_state/apply.ts";
import { exportState } from "../lib/desired_state/export.ts";
import type { Client } from "../lib/client.ts";
import { lines, planOf, USER } from "./_state_helpers.ts";

async function stores(client: Client, instanceID: string) {
  return (await invokeCall(client, "GetStores", { instanceID })).result ?? [];
}

Deno.test("stores: created as current, changed, detached with prune; then no change", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const before = await stores(client, "acme");
  const current = before.find((store) => store.requestedState === "current")!;
  const others = before.filter((store) => store !== current);
  assert(others.length > 0, `the simulator seeds several stores: ${JSON.stringify(before)}`);
  const file = {
    version: 1,
    instances: {
      acme: {
        stores: {
          prune: true,
          list: [
            { name: current.name, requestedState: "writeProtected" },
            {
              name: "Archive 2027",
              databasePath: "E:\\MailStore\\acme\\Archive 2027",
              requestedState: "current",
            },
          ],
        },
      },
    },
  };
  const plan = await planOf(client, file);
  assertEquals(lines(plan), [
    'acme store Archive 2027 create: databasePath="E:\\\\MailStore\\\\acme\\\\Archive 2027", requestedState="current"',
    `acme store ${current.name} change: requestedState="writeProtected"`,
    ...others.map((store) => `acme store ${store.name} delete: `),
  ]);
  // Without the prune confirmation the detaches are not sent.
  const careful = await applyPlan(client, plan);
  assertEquals(careful.summary, {
    done: 2,
    failed: 0,
    "not-sent": others.length,
    "may-have-run": 0,
  });
  assertEquals((await stores(client, "acme")).length, before.length + 1);
  const rest = await planOf(client, file);
  assertEquals(rest.summary, { create: 0, change: 0, delete: others.length });
  const pruned = await applyPlan(client, rest, { prune: true });
  assertEquals(pruned.summary.done, others.length, JSON.stringify(pruned));
  assertEquals(
    (await stores(client, "acme")).map((s) => `${s.name} ${s.requestedState}`).sort(),
    ["Archive 2027 current", `${current.name} writeProtected`].sort(),
  );
  assertEquals((await planOf(client, file)).summary, { create: 0, change: 0, delete: 0 });
  // What apply cannot do is one line before anything is sent.
  const cases: [unknown, RegExp][] = [
    [
      [{ name: "Archive 2027", databasePath: "F:\\elsewhere" }],
      /^Store Archive 2027 of instance acme has its databasePath at E:\\MailStore.*apply moves no archive data.*SetStorePath/,
    ],
    [
      { prune: true, list: [{ name: current.name }] },
      /is the current store and the file does not list it/,
    ],
    [[{ name: "New" }], /^Store New of instance acme does not exist: give its databasePath/],
    [
      [{ name: "A", databasePath: "x", requestedState: "current" }, {
        name: "B",
        databasePath: "y",
        requestedState: "current",
      }],
      /stores A and B are both to be current/,
    ],
  ];
  for (const [block, expected] of cases) {
    const plan = await planOf(client, { version: 1, instances: { acme: { stores: block } } });
    assertEquals(plan.tenants[0]!.changes, []);
    assertMatch(plan.tenants[0]!.error ?? "planned", expected);
  }
});

Deno.test("profiles: server-side execution by owner and name; then no change", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 2 });
  await using client = await clientFor(mock);
  const profiles = ((await invokeCall(client, "GetProfiles", { instanceID: "acme", raw: true }))
    .result ?? []) as { id: number; name: string; owner: string }[];
  const own = profiles.find((p) => p.owner === "$archiveadmin")!;
  const users = profiles.find((p) => p.owner !== "$archiveadmin");
  assert(own !== undefined && users !== undefined, JSON.stringify(profiles));
  const file = {
    version: 1,
    instances: {
      acme: {
        profiles: [
          {
            name: own.name,
            serverSideExecution: {
              automatic: true,
              automaticPauseBetweenExecutions: 3600,
              automaticMaintenanceWindows: "22:00-06:00",
            },
          },
          { name: users.name, owner: users.owner, serverSideExecution: { automatic: false } },
        ],
      },
    },
  };
  const plan = await planOf(client, file);
  const shown = lines(plan);
  assert(shown.some((line) => line.startsWith(`acme profile ${own.name} change: `)), String(shown));
  assert(shown.every((line) => / profile .* change: /.test(line)), String(shown));
  const applied = await applyPlan(client, plan);
  assertEquals(applied.summary.failed, 0, JSON.stringify(applied));
  const after = ((await invokeCall(client, "GetProfiles", { instanceID: "acme", raw: true }))
    .result ?? []) as { id: number; serverSideExecution: Record<string, unknown> }[];
  assertEquals(after.find((p) => p.id === own.id)?.serverSideExecution, {
    automatic: "true",
    automaticPauseBetweenExecutions: "3600",
    automaticMaintenanceWindows: "22:00-06:00",
  });
  assertEquals((await planOf(client, file)).summary, { create: 0, change: 0, delete: 0 });
  // The owner is part of the key: the archive admin has no profile of a user's name.
  const wrong = await planOf(client, {
    version: 1,
    instances: { acme: { profiles: [{ name: users.name }] } },
  }).then((plan) => plan.tenants[0]!.error ?? "planned");
  assertMatch(
    wrong,
    /^Profile .* of instance acme does not exist\. Profiles are made in MailStore/,
  );
});

Deno.test("folder privileges: a new user's list is whole, an old one's changes per folder", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 2 });
  await using client = await clientFor(mock);
  const exported = await exportState(client, { instances: ["acme"] });
  const users = exported.instances.acme!.users as { userName: string }[];
  const [first, second] = users.map((user) => user.userName);
  const file = {
    version: 1,
    instances: {
      acme: {
        users: [
          { userName: "carol", privileges: ["login"], folderPrivileges: { [first!]: ["read"] } },
          { userName: first, folderPrivileges: { [first!]: ["read", "write"], [second!]: [] } },
        ],
      },
    },
  };
  const plan = await planOf(client, file);
  const shown = lines(plan);
  // Users first, their folder privileges after every user.
  assertEquals(shown[0], 'acme user carol create: privileges=["login"]');
  assertEquals(shown[1], `acme folderPrivileges carol create: ${first}=["read"]`);
  assertMatch(shown[2] ?? "", new RegExp(`^acme folderPrivileges ${first} change: `));
  const applied = await applyPlan(client, plan);
  assertEquals(applied.summary.failed, 0, JSON.stringify(applied));
  const info = async (userName: string) =>
    (await invokeCall(client, "GetUserInfo", { instanceID: "acme", userName })).result
      ?.privilegesOnFolders ?? [];
  // The server gave carol read on her own folder; the file's list is the whole list.
  assertEquals(await info("carol"), [{ folder: first!, privileges: ["read"] }]);
  assertEquals(
    (await info(first!)).map((entry) => `${entry.folder}:${[...entry.privileges].sort()}`),
    [`${first}:read,write`],
  );
  assertEquals((await planOf(client, file)).summary, { create: 0, change: 0, delete: 0 });
});

Deno.test("service provider access: on first, off last; a closed instance is planned once open", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  mock.app.state.instance("acme")!.serviceProviderAccess = false;
  const open = {
    version: 1,
    instances: {
      acme: {
        instance: { archiveAdminEnabled: true },
        users: [{ userName: "dave", privileges: ["login"] }],
      },
    },
  };
  const plan = await planOf(client, open);
  assertEquals(lines(plan), ["acme instance acme change: archiveAdminEnabled=true"]);
  assertMatch(
    plan.tenants[0]!.notes[0] ?? "",
    /compared once the instance runs with service provider access/,
  );
  const applied = await applyPlan(client, plan);
  assertEquals(
    applied.results.map((row) => `${row.kind} ${row.resource} ${row.outcome}`),
    ["instance acme done", "user dave done"],
  );
  assertEquals((await planOf(client, open)).summary, { create: 0, change: 0, delete: 0 });
  // Closing it again: the user's change is made while it is open, closing last.
  const close = {
    version: 1,
    instances: {
      acme: {
        instance: { archiveAdminEnabled: false },
        users: [{ userName: "dave", fullName: "Dave" }],
      },
    },
  };
  const closing = await planOf(client, close);
  assertEquals(lines(closing), [
    'acme user dave change: fullName="Dave"',
    "acme instance acme change: archiveAdminEnabled=false",
  ]);
  const done = await applyPlan(client, closing);
  assertEquals(done.summary.done, 2, JSON.stringify(done));
  assertEquals(mock.app.state.instance("acme")!.serviceProviderAccess, false);
  const after = await planOf(client, close);
  assertEquals(after.summary, { create: 0, change: 0, delete: 0 });
  assertMatch(after.tenants[0]!.notes[0] ?? "", /^Service provider access to the instance is off/);
});

Deno.test("configuration passwords: sent with the other changes, never compared, never shown", async () => {
  const secret = "Smtp-Secret-4711";
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const file = `${dir}/t.yaml`;
  await Deno.writeTextFile(
    file,
    "version: 1\ninstances:\n  acme:\n    smtpSettings:\n      serverName: smtp.acme.example\n" +
      "      password: { env: MSPE_SECRET_SMTP }\n",
  );
  const env = { ...USER, MSPE_SECRET_SMTP: secret };
  const plan = await runCliInProcess(["plan", file, "--format", "json", ...mockFlags(mock.port)], {
    env,
  });
  assertEquals(plan.code, 10, plan.stderr);
  const fields = JSON.parse(plan.stdout).changes[0].fields as { field: string; new: unknown }[];
  assertEquals(fields.find((f) => f.field === "password")?.new, SENT_WITH_CHANGE);
  const applied = await runCliInProcess(
    ["apply", file, "--yes", "--debug", ...mockFlags(mock.port)],
    { env },
  );
  assertEquals(applied.code, 0, applied.stderr);
  assert(applied.stderr.includes("SetSmtpSettings"), "the trace shows the call");
  // The request body, form-encoded: the password's place is there, masked.
  assert(applied.stderr.includes("%22password%22%3A%22***%22"), "the trace hides the password");
  for (const text of [plan.stdout, plan.stderr, applied.stdout, applied.stderr]) {
    assert(!text.includes(secret), "the secret was shown");
  }
  const data = mock.app.state.instanceData(mock.app.state.instance("acme")!);
  assertEquals(data.smtpPassword, secret);
  // Never compared: no change now; --send-secrets sends the password alone.
  const again = await runCliInProcess(["plan", file, ...mockFlags(mock.port)], { env });
  assertEquals(again.code, 0, again.stderr);
  const rotate = await runCliInProcess(
    ["plan", file, "--send-secrets", "--format", "json", ...mockFlags(mock.port)],
    { env },
  );
  assertEquals(rotate.code, 10, rotate.stderr);
  assertEquals(
    (JSON.parse(rotate.stdout).changes[0].fields as { field: string }[]).map((f) => f.field),
    ["password"],
  );
});

Deno.test("prune on the file deletes the instances it does not list, after its own yes", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const ids = async () =>
    ((await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? []).map((i) =>
      i.instanceID
    ).sort();
  const all = await ids();
  const [kept, ...gone] = all;
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const file = `${dir}/t.yaml`;
  await Deno.writeTextFile(file, `version: 1\nprune: true\ninstances:\n  ${kept}: {}\n`);
  const plan = await runCliInProcess(["plan", file, "--format", "json", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(plan.code, 10, plan.stderr);
  const json = JSON.parse(plan.stdout);
  assertEquals(json.summary, { create: 0, change: 0, delete: gone.length });
  assertEquals(
    json.changes.map((c: { resource: string; kind: string }) => `${c.kind} ${c.resource}`),
    gone.map((id) => `instance ${id}`),
  );
  // --instances bounds what prune reaches.
  const bounded = await runCliInProcess(
    ["plan", file, "--instances", kept!, "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(bounded.code, 0, bounded.stderr);
  // No to the deletes on a terminal: nothing goes.
  const declined = await runCliInProcess(["apply", file, ...mockFlags(mock.port)], {
    env: USER,
    stdin: "y\nn\n",
    stdinIsTerminal: true,
    terminal: true,
  });
  assertEquals(declined.code, 0, declined.stderr);
  assertMatch(declined.stderr, /every archived message/);
  assertEquals(await ids(), all);
  const yes = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(yes.code, 0, yes.stderr);
  assertEquals(await ids(), [kept]);
  assertEquals(mock.stats.byFunction.DeleteInstances, gone.length);
});

Deno.test("prune on an instance reaches each of its blocks, unless a block says otherwise", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 3 });
  await using client = await clientFor(mock);
  const jobs = ((await invokeCall(client, "GetJobs", { instanceID: "acme" })).result ?? []).length;
  assert(jobs > 0);
  const file = {
    version: 1,
    defaults: { prune: true },
    instances: { acme: { users: [{ userName: "john.doe" }], jobs: { prune: false, list: [] } } },
  };
  const plan = await planOf(client, file);
  assertEquals(plan.summary, { create: 0, change: 0, delete: 2 });
  assert(lines(plan).every((line) => / user .* delete: $/.test(line)), String(lines(plan)));
});

Deno.test("export and plan a frozen instance and one closed to service provider access; thaw and freeze", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const [frozen, closed] = ["acme", "globex"].map((id) => mock.app.state.instance(id)!);
  frozen!.status = "frozen";
  closed!.serviceProviderAccess = false;
  const exported = await exportState(client, { instances: ["acme", "globex"] });
  assertEquals(exported.instances.acme?.instance?.status, "frozen");
  assertEquals(Object.keys(exported.instances.acme!), ["instance"]);
  assertEquals(exported.instances.globex?.instance?.archiveAdminEnabled, false);
  assertEquals(Object.keys(exported.instances.globex!).sort(), ["instance", "stores"]);
  const again = await planState(
    client,
    await parseStateFile(JSON.stringify(exported), { file: "t.json" }),
  );
  assertEquals(again.summary, { create: 0, change: 0, delete: 0 });
  // Thawed, then frozen again: each one call.
  const status = (value: string) => ({
    version: 1,
    instances: { acme: { instance: { status: value } } },
  });
  mock.stats.reset();
  await applyPlan(client, await planOf(client, status("running")));
  assertEquals(mock.app.state.instance("acme")!.status, "running");
  await applyPlan(client, await planOf(client, status("frozen")));
  assertEquals(mock.app.state.instance("acme")!.status, "frozen");
  assertEquals([mock.stats.byFunction.ThawInstances, mock.stats.byFunction.FreezeInstances], [
    1,
    1,
  ]);
});

Deno.test("renames: renamedFrom renames a user, a job and a store instead of a new one; prune keeps them", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 2 });
  await using client = await clientFor(mock);
  const exported = await exportState(client, { instances: ["acme"] });
  const [user] = exported.instances.acme!.users as { userName: string }[];
  const [job] = exported.instances.acme!.jobs as { name: string }[];
  const [store] = exported.instances.acme!.stores as { name: string }[];
  const file = {
    version: 1,
    instances: {
      acme: {
        prune: true,
        users: [
          ...(exported.instances.acme!.users as { userName: string }[]).slice(1),
          { userName: "renamed.user", renamedFrom: user!.userName, fullName: "Renamed" },
        ],
        jobs: [
          ...(exported.instances.acme!.jobs as { name: string }[]).slice(1),
          { name: "Renamed job", renamedFrom: job!.name },
        ],
        stores: [
          ...(exported.instances.acme!.stores as { name: string }[]).slice(1),
          { name: "Renamed store", renamedFrom: store!.name },
        ],
      },
    },
  };
  const plan = await planOf(client, file);
  assertEquals(lines(plan), [
    `acme store Renamed store change: name="Renamed store"`,
    `acme user renamed.user change: userName="renamed.user", fullName="Renamed"`,
    `acme job Renamed job change: name="Renamed job"`,
  ]);
  const applied = await applyPlan(client, plan, { prune: true });
  assertEquals(applied.summary.done, 3, JSON.stringify(applied));
  assertEquals(
    [
      mock.stats.byFunction.RenameUser,
      mock.stats.byFunction.RenameJob,
      mock.stats.byFunction.RenameStore,
    ],
    [1, 1, 1],
  );
  assertEquals((await planOf(client, file)).summary, { create: 0, change: 0, delete: 0 });
  const info =
    (await invokeCall(client, "GetUserInfo", { instanceID: "acme", userName: "renamed.user" }))
      .result;
  assertEquals(info?.fullName, "Renamed");
  // Both names on the server: the file cannot say which stays.
  await invokeCall(client, "CreateUser", {
    instanceID: "acme",
    userName: user!.userName,
    privileges: "login",
  });
  const both = (await planOf(client, file)).tenants[0]!.error ?? "planned";
  assertMatch(both, /^User renamed\.user of instance acme: both .* and renamed\.user exist/);
});

Deno.test("an initial password from a PowerShell credential file: on Windows it is read, elsewhere one line says why not", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const cred = join(dir, "erin.xml");
  const file = join(dir, "t.yaml");
  await Deno.writeTextFile(
    file,
    "version: 1\ninstances:\n  acme:\n    users:\n      - userName: erin\n" +
      `        initialPassword: { credentialFile: '${cred}' }\n`,
  );
  if (Deno.build.os !== "windows") {
    // A credential file as Export-Clixml writes it; the blob does not matter here.
    const blob = new Uint8Array([1, 0, 0, 0, 0xd0, 0x8c, 0x9d, 0xdf]);
    await Deno.writeTextFile(cred, formatPsCredential({ username: "erin", passwordBlob: blob }));
    const run = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
      env: USER,
    });
    assertEquals(run.code, 4, run.stderr);
    assertMatch(
      run.stdout,
      /failed .*The credential file .*erin\.xml is a PowerShell credential, encrypted with Windows DPAPI: it can be read only on Windows/,
    );
    assertEquals(mock.stats.byFunction.CreateUser ?? 0, 0);
    return;
  }
  // Windows: a subprocess, since DPAPI goes through FFI, which mspe-run's permissions grant.
  const save = await runProcess(["credential", "save", cred, "--username", "erin"], {
    stdin: "Erin-Initial-9\r\n",
  });
  assertEquals(save.code, 0, save.stderr);
  const run = await runProcess(["apply", file, "--yes", ...mockFlags(mock.port)], { env: USER });
  assertEquals(run.code, 0, run.stderr);
  const erin = mock.app.state.users(mock.app.state.instance("acme")!).get("erin");
  assertEquals(erin?.password, "Erin-Initial-9");
});
