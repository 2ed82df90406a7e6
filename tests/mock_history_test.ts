// The mock's seeded history and problems (issue 8, point 4), through the client over HTTPS:
// 30 days of worker and job results with a realistic mix, deterministic from the seed, and the
// problems a health check should find, as many as `problems` asks for.
import assert from "node:assert/strict";
import { type Client, invokeCall } from "../mod.ts";
import { type MockServer, MockState, type ServeMockOptions } from "../lib/mock/mod.ts";
import { seededRows } from "../lib/mock/_history.ts";
import { clientFor, startMock } from "./_helpers.ts";

const DAY = 86_400_000;

interface WorkerResult {
  id: number;
  userName: string;
  profileId: number;
  result: string;
  itemsArchived: number;
  startTime: string;
  completeTime: string;
}
interface Message {
  type: string;
  text: string;
}

function at(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 19);
}

async function call(client: Client, fn: string, args: Record<string, unknown> = {}) {
  return (await invokeCall(client, fn as never, args as never)).result as unknown;
}

function workerResults(client: Client, instanceID: string): Promise<WorkerResult[]> {
  return call(client, "GetWorkerResults", {
    instanceID,
    fromIncluding: at(-30),
    toExcluding: at(1),
    timeZoneID: "UTC",
  }) as Promise<WorkerResult[]>;
}

async function messages(client: Client): Promise<Message[]> {
  return ((await call(client, "GetServiceStatus")) as { messages: Message[] }).messages;
}

async function withClient(
  options: ServeMockOptions,
  run: (client: Client, server: MockServer) => Promise<void>,
): Promise<void> {
  await using server = await startMock(options);
  await using client = await clientFor(server);
  await run(client as Client, server);
}

Deno.test("history: 30 days of worker results with every outcome, times local without Z", async () => {
  await withClient({ instances: 3, usersPerInstance: 20 }, async (client) => {
    const seen = new Map<string, number>();
    for (const instanceID of ["acme", "globex", "initech"]) {
      const rows = await workerResults(client, instanceID);
      assert.ok(rows.length > 150, `${instanceID}: ${rows.length} worker results`);
      for (const row of rows) {
        seen.set(row.result, (seen.get(row.result) ?? 0) + 1);
        assert.match(row.startTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
        assert.ok(row.completeTime >= row.startTime);
        const start = Date.parse(`${row.startTime}Z`);
        assert.ok(start >= Date.now() - 31 * DAY && start <= Date.now(), row.startTime);
        if (row.result === "failed") assert.equal(row.itemsArchived, 0);
      }
      // IDs ascend with the start time.
      for (let i = 1; i < rows.length; i++) {
        assert.ok(rows[i]!.id > rows[i - 1]!.id && rows[i]!.startTime >= rows[i - 1]!.startTime);
      }
    }
    for (const result of ["succeeded", "completedWithWarnings", "completedWithErrors", "failed"]) {
      assert.ok((seen.get(result) ?? 0) > 0, `no ${result}: ${JSON.stringify([...seen])}`);
    }
    // Mostly succeeded, as in production.
    const total = [...seen.values()].reduce((sum, count) => sum + count, 0);
    assert.ok(seen.get("succeeded")! / total > 0.7);
  });
});

Deno.test("history: the same seed gives the same history, another seed another", async () => {
  const rows = async (seed: number): Promise<string> => {
    let text = "";
    await withClient({ seed, problems: "many" }, async (client) => {
      text = JSON.stringify([
        await workerResults(client, "acme"),
        await call(client, "GetJobResults", {
          instanceID: "acme",
          fromIncluding: at(-30),
          toExcluding: at(1),
          timeZoneId: "W. Europe Standard Time",
        }),
        await call(client, "GetProfiles", { instanceID: "acme", raw: true }),
      ]);
    });
    return text;
  };
  const [first, again, other] = [await rows(5), await rows(5), await rows(6)];
  assert.equal(first, again);
  assert.notEqual(first, other);
});

Deno.test("history: problems none leaves everything healthy", async () => {
  await withClient({ instances: 8, problems: "none" }, async (client, server) => {
    assert.deepEqual(await messages(client), []);
    const instances = await call(client, "GetInstances", { instanceFilter: "*" }) as {
      status: string;
      startStopError: string | null;
    }[];
    assert.ok(instances.every((item) => item.status === "running" && item.startStopError === null));
    for (const instance of server.app.state.instanceList()) {
      for (const store of server.app.state.stores(instance)) {
        assert.equal(store.error, null);
        assert.equal(store.needsUpgrade || store.searchIndexesNeedRebuild, false);
      }
    }
  });
});

Deno.test("history: problems some puts each problem once and GetServiceStatus reports them", async () => {
  await withClient({ instances: 6 }, async (client) => {
    const instances = await call(client, "GetInstances", { instanceFilter: "*" }) as {
      instanceID: string;
      status: string;
      startStopError: string | null;
    }[];
    // The first three instances, which examples name, stay running.
    assert.deepEqual(
      instances.filter((item) => item.status !== "running").map((item) => item.instanceID),
      ["umbrella", "hooli"],
    );
    assert.match(instances.find((item) => item.instanceID === "hooli")!.startStopError!, /started/);
    const found = await messages(client);
    const texts = found.map((item) => `${item.type}: ${item.text}`).join("\n");
    assert.match(texts, /^warning: Instance umbrella on \S+: The instance is not running\.$/m);
    assert.match(
      texts,
      /^error: Instance hooli on \S+: The instance process could not be started/m,
    );
    assert.match(texts, /^error: Instance \w+ on \S+: Archive store '[^']+': .+/m);
    assert.match(
      texts,
      /^warning: Instance \w+ on \S+: One or more archive stores have to be upgraded\.$/m,
    );
    assert.match(
      texts,
      /^warning: Instance \w+ on \S+: One or more search indexes have to be rebuilt\.$/m,
    );
    assert.equal(found.length, 5, texts);
    // GetStores of the running instances shows the same store problems, once each.
    const counts = { error: 0, upgrade: 0, rebuild: 0 };
    for (const item of instances.filter((entry) => entry.status === "running")) {
      const stores = await call(client, "GetStores", { instanceID: item.instanceID }) as {
        error: string | null;
        needsUpgrade: boolean;
        searchIndexesNeedRebuild: boolean;
      }[];
      counts.error += stores.filter((store) => store.error !== null).length;
      counts.upgrade += stores.filter((store) => store.needsUpgrade).length;
      counts.rebuild += stores.filter((store) => store.searchIndexesNeedRebuild).length;
    }
    assert.deepEqual(counts, { error: 1, upgrade: 1, rebuild: 1 });
    // One profile fails on every run of the last day.
    let failing = 0;
    for (const item of instances.filter((entry) => entry.status === "running")) {
      const recent = (await workerResults(client, item.instanceID)).filter((row) =>
        Date.parse(`${row.startTime}Z`) > Date.now() - DAY && row.profileId === 1
      );
      if (recent.length > 0 && recent.every((row) => row.result === "failed")) failing++;
    }
    assert.equal(failing, 1);
  });
});

Deno.test("history: fixing a problem through the API clears its message", async () => {
  await withClient({ instances: 6 }, async (client, server) => {
    await call(client, "StartInstances", { instanceFilter: "umbrella" });
    await call(client, "StartInstances", { instanceFilter: "hooli" });
    const texts = (await messages(client)).map((item) => item.text).join("\n");
    assert.doesNotMatch(texts, /umbrella|hooli/);
    // A start that works clears the start error.
    const hooli = (await call(client, "GetInstances", { instanceFilter: "hooli" }) as {
      startStopError: string | null;
    }[])[0]!;
    assert.equal(hooli.startStopError, null);
    // A restarted instance shows the gap: nothing ran while it was stopped.
    const last = (await workerResults(client, "umbrella")).at(-1)!;
    assert.ok(Date.parse(`${last.startTime}Z`) < Date.now() - DAY, last.startTime);
    // A problem set in the state is reported too.
    const initech = server.app.state.instance("initech")!;
    server.app.state.stores(initech)[0]!.error = "Disk full.";
    assert.match(
      (await messages(client)).map((item) => item.text).join("\n"),
      /Instance initech on \S+: Archive store '[^']+': Disk full\./,
    );
  });
});

Deno.test("history: problems many puts more of each on a larger SPE", async () => {
  await withClient({ instances: 40, problems: "many" }, async (client) => {
    const found = await messages(client);
    const count = (pattern: RegExp) => found.filter((item) => pattern.test(item.text)).length;
    assert.ok(count(/not running|could not be started/) >= 4, JSON.stringify(found));
    assert.ok(count(/Archive store '/) >= 2);
    assert.ok(count(/have to be upgraded/) >= 2);
    assert.ok(count(/have to be rebuilt/) >= 2);
    assert.ok(count(/Client access server .+ not reachable/) === 1);
  });
});

Deno.test("history: GetInstanceStatistics agrees with the stores and the archived messages", async () => {
  await withClient({ instances: 3, usersPerInstance: 100 }, async (client) => {
    for (const instanceID of ["acme", "globex", "initech"]) {
      const statistics = await call(client, "GetInstanceStatistics", { instanceID }) as {
        numberOfMessages: number;
      };
      const stores = await call(client, "GetStores", { instanceID, includeSize: true }) as {
        statisticsCount: number;
        requestedState: string;
      }[];
      assert.equal(
        statistics.numberOfMessages,
        stores.reduce((sum, store) => sum + store.statisticsCount, 0),
      );
      const archived = (await workerResults(client, instanceID)).reduce(
        (sum, row) => sum + row.itemsArchived,
        0,
      );
      const current = stores.find((store) => store.requestedState === "current")!;
      assert.ok(current.statisticsCount >= archived, `${current.statisticsCount} < ${archived}`);
    }
  });
});

Deno.test("history: job results follow the jobs' schedules; MailStore Server has a history too", async () => {
  await using server = await startMock({ product: "server" });
  await using client = await clientFor(server, { product: "server" });
  const results = (await invokeCall(client, "GetJobResults", {
    fromIncluding: at(-30),
    toExcluding: at(1),
    timeZoneId: "W. Europe Standard Time",
    jobId: 1,
  })).result as { startTime: string }[];
  // Daily at 03:30 Berlin time.
  assert.ok(results.length >= 28, String(results.length));
  assert.ok(results.every((row) => row.startTime.slice(11, 16) === "03:30"));
  const workers = (await invokeCall(client, "GetWorkerResults", {
    fromIncluding: at(-30),
    toExcluding: at(1),
    timeZoneID: "UTC",
  })).result as WorkerResult[];
  assert.ok(workers.length > 100);
  // Server-side runs name the server; the Outlook profile runs on the user's PC.
  const machines = new Set(
    workers.map((row) => (row as unknown as { machineName: string }).machineName),
  );
  assert.ok(machines.has("MAILSTORE"));
  assert.ok([...machines].every((name) => name === "MAILSTORE" || name.startsWith("PC-")));
});

Deno.test("history: a large SPE generates content only for what is looked at", async () => {
  await withClient({ instances: 1000, usersPerInstance: 100 }, async (client, server) => {
    await messages(client);
    const state = server.app.state;
    const generated = state.instanceList().filter((instance) => state.hasContent(instance));
    // Only the instances with planned problems were looked into (the store problems, the failing
    // and the recovered profile: one instance each with "some").
    assert.ok(generated.length <= 5, String(generated.length));
    const rows = await workerResults(client, "tenant0999");
    assert.ok(rows.length > 100);
    assert.ok(state.hasContent(state.instance("tenant0999")!));
  });
});

Deno.test("history: a row depends on the seed and its time only, not on when the state was seeded", () => {
  const rows = (now: number) => {
    const state = new MockState({
      product: "spe",
      seed: 9,
      instances: 3,
      usersPerInstance: 5,
      storesPerInstance: 3,
      username: "admin",
      password: "admin",
      // Problems start relative to the seeding day; without them the rows depend on time only.
      problems: "none",
      now,
    });
    const seed = state.activity(state.instance("acme")!).seed!;
    return seededRows(seed).workers.map((row) => ({ ...row, id: 0 }));
  };
  const now = Date.now();
  const earlier = rows(now - 5 * 3_600_000);
  const later = rows(now);
  // The rows both windows hold are the same rows; the later window goes on after the earlier.
  const overlap = later.filter((row) => row.completeTime <= now - 5 * 3_600_000);
  assert.deepEqual(
    overlap.slice(-50),
    earlier.filter((row) => row.startTime >= overlap.at(-50)!.startTime),
  );
  assert.ok(later.some((row) => row.startTime > now - 5 * 3_600_000));
  assert.ok(earlier.every((row) => row.completeTime <= now - 5 * 3_600_000));
});
