// Round trip (issue 19, part 5): a snapshot of a seeded simulator (problems "some"), served by a
// second simulator, answers every read-only function of the catalogue with the same shapes and
// the same values for everything that is not time or a secret; the health and usage reports are
// the same. The suite snapshots 200 instances, as the issue asks (about 6 s and 17 MB each; the
// bench, bench/snapshot_bench.ts, times it), compares every system-wide function and every
// per-instance function on a sample of 8 instances (the stopped ones, one with service provider
// access disabled, others), and both reports over all 200.
import assert from "node:assert/strict";
import { type Client, healthReport, invokeCall, usageReport } from "../mod.ts";
import { snapshotServer } from "../lib/mock/mod.ts";
import { SPE_CATALOG } from "../lib/_catalog/spe.ts";
import type { MockServer } from "../lib/mock/mod.ts";
import { clientFor, startMock } from "./_helpers.ts";

const DAY = 86_400_000;

/** Fields whose values are times (or depend on the moment of the call): compared by type only. */
const TIME_FIELD =
  /time|date|utc|timestamp|At$|^since$|^validUntil$|processUniqueID|^total|^current/i;

function at(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 19);
}

/** The value with every time field replaced by its type: what must be equal after the trip. */
function timeless(value: unknown, key = ""): unknown {
  if (TIME_FIELD.test(key) && typeof value !== "object") return `<${typeof value}>`;
  if (Array.isArray(value)) return value.map((item) => timeless(item));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [name, timeless(inner, name)]),
    );
  }
  return value;
}

type Reply = { ok: true; result: unknown } | { ok: false; error: string };

async function call(client: Client, fn: string, args: Record<string, unknown>): Promise<Reply> {
  try {
    const status = await invokeCall(client, fn as never, args as never);
    return { ok: true, result: timeless((status as { result: unknown }).result) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Every read-only function of the catalogue, for the instances given, with arguments it takes. */
async function readAll(client: Client, instances: readonly string[]): Promise<Map<string, Reply>> {
  const replies = new Map<string, Reply>();
  const range = { fromIncluding: at(-10), toExcluding: at(1) };
  for (const fn of SPE_CATALOG.filter((entry) => entry.readOnly)) {
    const perInstance = fn.args.some((arg) => arg.name === "instanceID");
    for (const instanceID of perInstance ? instances : [null]) {
      const args: Record<string, unknown> = instanceID === null ? {} : { instanceID };
      const key = `${fn.name}(${instanceID ?? ""})`;
      switch (fn.name) {
        case "GetInstances":
          args.instanceFilter = "*";
          break;
        case "GetClientAccessServers":
          args.withServiceStatus = true;
          break;
        case "GetProfiles":
          args.raw = true;
          break;
        case "GetDirectoriesOnInstanceHost": {
          const hosts = await call(client, "GetInstanceHosts", {});
          args.serverName = hosts.ok
            ? ((hosts.result as { serverName: string }[])[0]?.serverName ?? "")
            : "";
          break;
        }
        case "GetJobResults":
          Object.assign(args, range, { timeZoneId: "UTC" });
          break;
        case "GetWorkerResults":
          Object.assign(args, range, { timeZoneID: "UTC" });
          break;
        case "GetUserInfo": {
          const users = await call(client, "GetUsers", args);
          if (!users.ok) break;
          for (const user of users.result as { userName: string }[]) {
            replies.set(
              `${key}:${user.userName}`,
              await call(client, fn.name, { ...args, userName: user.userName }),
            );
          }
          continue;
        }
        case "GetWorkerResultReport": {
          const rows = await call(client, "GetWorkerResults", {
            ...args,
            ...range,
            timeZoneID: "UTC",
          });
          const first = rows.ok ? (rows.result as { id: number }[])[0] : undefined;
          if (first === undefined) continue;
          args.id = first.id;
          break;
        }
      }
      replies.set(key, await call(client, fn.name, args));
    }
  }
  return replies;
}

async function withSnapshot(
  instances: number,
  run: (original: MockServer, replica: MockServer) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await using original = await startMock({ instances, problems: "some", seed: 5 });
    // One instance without service provider access: most of its content cannot be read.
    original.app.state.instanceList()[2]!.serviceProviderAccess = false;
    await using client = await clientFor(original, { metadata: "bundled" });
    const snapshot = await snapshotServer(client, { concurrency: 8 });
    assert.equal(snapshot.instances, instances);
    const path = `${dir}/fleet.json`;
    await Deno.writeTextFile(path, snapshot.text);
    await using replica = await startMock({ state: path });
    await run(original, replica);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("snapshot round trip: every read-only function answers the same, but for time", async () => {
  await withSnapshot(200, async (original, replica) => {
    await using a = await clientFor(original, { metadata: "bundled" });
    await using b = await clientFor(replica, { metadata: "bundled" });
    const instances = original.app.state.instanceList();
    const ids = instances.map((instance) => instance.instanceID);
    // The stopped ones (problems "some"), the one without service provider access, and others.
    const stopped = instances.filter((instance) => instance.status !== "running")
      .map((instance) => instance.instanceID);
    assert.ok(stopped.length > 0, "problems some stops instances");
    const sample = [
      ...new Set([...ids.slice(0, 6), ids[17]!, ...stopped.slice(0, 3), ids.at(-1)!]),
    ];
    const [before, after] = [await readAll(a, sample), await readAll(b, sample)];
    assert.deepEqual([...after.keys()], [...before.keys()]);
    const succeeded = [...before.values()].filter((reply) => reply.ok).length;
    assert.ok(succeeded > 100, `${succeeded} calls answered`);
    const differ = [...before].filter(([key, reply]) => {
      try {
        assert.deepEqual(after.get(key), reply);
        return false;
      } catch {
        return true;
      }
    }).map(([key]) => key);
    assert.deepEqual(differ, []);
  });
});

Deno.test("snapshot round trip: the health and usage reports are the same", async () => {
  await withSnapshot(200, async (original, replica) => {
    await using a = await clientFor(original, { metadata: "bundled" });
    await using b = await clientFor(replica, { metadata: "bundled" });
    const usage = async (client: Client<"spe">) => {
      const { generatedAt: _, ...report } = await usageReport(client, {});
      return report;
    };
    assert.deepEqual(await usage(b), await usage(a));
    const health = async (client: Client<"spe">) => {
      const report = await healthReport(client, {});
      return timeless(JSON.parse(JSON.stringify(report)));
    };
    assert.deepEqual(await health(b), await health(a));
  });
});
