/**
 * forEachInstance against the mock over HTTPS: the bound, outcomes and failures, progress, abort,
 * stop and break, argument checks, and 2,000 instances under `ulimit -n 256` in a subprocess.
 *
 * @module
 */

import {
  ApiError,
  ArgumentError,
  type FleetProgress,
  forEachInstance,
  type InstanceOutcome,
  invokeCall,
} from "../mod.ts";
import { assertEquals, assertMatch, assertRejects, assertThrows } from "./_assert.ts";
import { clientFor, startMock, waitFor } from "./_helpers.ts";
import { ROOT } from "./cli_helpers.ts";
import { NO_FILE_LIMIT, runUnderFileLimit } from "./testdata/_ulimit.ts";

/** Collects every outcome of a run. */
async function collect<T>(
  outcomes: AsyncIterable<InstanceOutcome<T>>,
): Promise<InstanceOutcome<T>[]> {
  const all: InstanceOutcome<T>[] = [];
  for await (const outcome of outcomes) all.push(outcome);
  return all;
}

/** Counts callbacks in flight and remembers the peak; `gate` holds each callback until released. */
class Gauge {
  now = 0;
  peak = 0;
  started: string[] = [];
  readonly #waiting: (() => void)[] = [];

  /** Wraps a callback: counts it while it runs. */
  async run<T>(instanceID: string, body: () => Promise<T>): Promise<T> {
    this.started.push(instanceID);
    this.now++;
    this.peak = Math.max(this.peak, this.now);
    try {
      return await body();
    } finally {
      this.now--;
    }
  }

  /** A promise that resolves when {@linkcode release} is called (or `signal` aborts: rejects). */
  gate(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.push(resolve);
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  }

  /** How many callbacks wait at the gate. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Lets `n` waiting callbacks go on. */
  release(n = Infinity): void {
    for (const resolve of this.#waiting.splice(0, n)) resolve();
  }
}

Deno.test("forEachInstance: every instance once, at most `concurrency` at a time, values by instance", async () => {
  await using mock = await startMock({ instances: 25, usersPerInstance: 3, problems: "none" });
  await using client = await clientFor(mock);
  const expected = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result!
    .map((instance) => instance.instanceID);
  const gauge = new Gauge();
  const progress: FleetProgress[] = [];
  const outcomes = await collect(forEachInstance(
    client,
    (instanceID, { signal }) =>
      gauge.run(instanceID, async () => {
        const users = await invokeCall(client, "GetUsers", { instanceID }, { signal });
        return users.result!.map((user) => user.userName);
      }),
    { concurrency: 4, onProgress: (p) => progress.push(p) },
  ));
  assertEquals(outcomes.map((o) => o.instanceID).sort(), [...expected].sort());
  assertEquals(outcomes.every((o) => o.ok && o.value.length >= 3), true);
  // The bound was used and kept: several at once, never more than four.
  assertEquals(gauge.peak, 4);
  assertEquals(gauge.started.length, expected.length);
  assertEquals(progress[0], { done: 0, failed: 0, total: expected.length });
  assertEquals(progress.at(-1), { done: expected.length, failed: 0, total: expected.length });
  assertEquals(progress.length, expected.length + 1);
});

Deno.test("forEachInstance: a filter selects instances; the default concurrency is 8", async () => {
  await using mock = await startMock({ instances: 30 });
  await using client = await clientFor(mock);
  const gauge = new Gauge();
  const outcomes = collect(forEachInstance(
    client,
    (instanceID) => gauge.run(instanceID, () => gauge.gate()),
    { instances: "tenant002*" },
  ));
  // tenant0020 .. tenant0029: ten instances, eight of them started at once.
  await waitFor(() => gauge.waiting === 8, "eight callbacks");
  assertEquals(gauge.started.length, 8);
  gauge.release();
  await waitFor(() => gauge.waiting === 2, "the last two callbacks");
  gauge.release();
  assertEquals(
    (await outcomes).map((o) => o.instanceID).sort(),
    Array.from({ length: 10 }, (_, i) => `tenant00${20 + i}`),
  );
  assertEquals(gauge.peak, 8);
});

Deno.test("forEachInstance: one failure never stops the others; errors are outcomes", async () => {
  await using mock = await startMock({ instances: 5, problems: "none" });
  await using client = await clientFor(mock);
  const outcomes = await collect(forEachInstance(
    client,
    async (instanceID, { signal }) => {
      if (instanceID === "thrown") throw "not an Error";
      if (instanceID === "sync") return JSON.parse("{") as never;
      return (await invokeCall(client, "GetUsers", { instanceID }, { signal })).result!.length;
    },
    {
      instances: ["acme", "missing", "globex", "thrown", "sync", "acme"],
      concurrency: 2,
      onProgress: () => {},
    },
  ));
  const byId = new Map(outcomes.map((o) => [o.instanceID, o]));
  assertEquals(outcomes.length, 5, "the duplicate acme runs once");
  assertEquals(byId.get("acme")?.ok, true);
  assertEquals(byId.get("globex")?.ok, true);
  const missing = byId.get("missing");
  if (missing?.ok !== false) throw new Error("missing should have failed");
  assertEquals(missing.error instanceof ApiError, true);
  const thrown = byId.get("thrown");
  if (thrown?.ok !== false) throw new Error("thrown should have failed");
  assertEquals(thrown.error.message, "not an Error");
  const sync = byId.get("sync");
  assertEquals(sync?.ok === false && sync.error instanceof SyntaxError, true);
});

Deno.test("forEachInstance: abort stops scheduling, aborts what is in flight, yields it, then throws", async () => {
  await using mock = await startMock({ instances: 3 });
  await using client = await clientFor(mock);
  const ids = Array.from({ length: 20 }, (_, i) => `i${i}`);
  const gauge = new Gauge();
  const controller = new AbortController();
  const run = forEachInstance(
    client,
    // i0 and i1 finish at once; the others wait until they are aborted.
    (instanceID, { signal }) =>
      gauge.run(
        instanceID,
        () => ids.indexOf(instanceID) < 2 ? Promise.resolve() : gauge.gate(signal),
      ),
    { instances: ids, concurrency: 3, signal: controller.signal },
  );
  const outcomes: InstanceOutcome<void>[] = [];
  const error = await assertRejects(
    (async () => {
      for await (const outcome of run) {
        outcomes.push(outcome);
        if (outcomes.length === 2) controller.abort();
      }
    })(),
    DOMException,
  );
  // Nothing started after the abort, and every started callback has an outcome.
  assertEquals(error.name, "AbortError");
  assertEquals(gauge.now, 0);
  assertEquals(outcomes.length, gauge.started.length);
  assertEquals(gauge.started.length <= 5, true, gauge.started.join());
  const aborted = outcomes.filter((o) => !o.ok);
  assertEquals(aborted.length, gauge.started.length - 2);
  assertEquals(aborted.length >= 1, true);
  assertEquals(aborted.every((o) => !o.ok && o.error.name === "AbortError"), true);
});

Deno.test("forEachInstance: an aborted signal throws before anything starts", async () => {
  await using mock = await startMock({ instances: 3 });
  await using client = await clientFor(mock);
  let called = 0;
  const run = forEachInstance(client, () => Promise.resolve(called++), {
    signal: AbortSignal.abort(new DOMException("Stop.", "AbortError")),
  });
  await assertRejects(collect(run), DOMException, "Stop.");
  assertEquals(called, 0);
  assertEquals(mock.stats.byFunction["GetInstances"] ?? 0, 0);
});

Deno.test("forEachInstance: break stops scheduling and waits for the aborted callbacks", async () => {
  await using mock = await startMock({ instances: 3 });
  await using client = await clientFor(mock);
  const gauge = new Gauge();
  const signals: AbortSignal[] = [];
  const run = forEachInstance(
    client,
    (instanceID, { signal }) => {
      signals.push(signal);
      return gauge.run(instanceID, async () => {
        if (instanceID !== "a") await gauge.gate(signal);
        return instanceID;
      });
    },
    { instances: ["a", "b", "c", "d", "e"], concurrency: 3 },
  );
  for await (const outcome of run) {
    assertEquals(outcome, { instanceID: "a", ok: true, value: "a" });
    break;
  }
  // "d" started when "a" finished (before the loop saw a), nothing after the break.
  assertEquals(gauge.started, ["a", "b", "c", "d"]);
  assertEquals(gauge.now, 0, "the loop ended only after the callbacks settled");
  assertEquals(signals.every((signal) => signal.aborted), true);
});

Deno.test("forEachInstance: stop lets the calls in flight finish and ends without an error", async () => {
  await using mock = await startMock({ instances: 3 });
  await using client = await clientFor(mock);
  const gauge = new Gauge();
  const stop = new AbortController();
  const signals: AbortSignal[] = [];
  const run = forEachInstance(
    client,
    (instanceID, { signal }) => {
      signals.push(signal);
      return gauge.run(instanceID, () => gauge.gate(signal));
    },
    { instances: ["a", "b", "c", "d", "e"], concurrency: 2, stop: stop.signal },
  );
  const pending = collect(run);
  while (gauge.waiting < 2) await new Promise((resolve) => setTimeout(resolve, 1));
  stop.abort();
  gauge.release();
  const outcomes = await pending;
  assertEquals(outcomes.map((o) => o.ok), [true, true]);
  assertEquals(gauge.started, ["a", "b"]);
  assertEquals(signals.some((signal) => signal.aborted), false);
});

Deno.test("forEachInstance: bad options are ArgumentErrors at once; a listing error is thrown", async () => {
  await using mock = await startMock({ instances: 3 });
  await using client = await clientFor(mock);
  const fn = () => Promise.resolve(1);
  for (const concurrency of [0, 1.5, 1001, Number.NaN]) {
    assertThrows(() => forEachInstance(client, fn, { concurrency }), ArgumentError, "concurrency");
  }
  assertThrows(() => forEachInstance(client, fn, { instances: "" }), ArgumentError, "filter");
  assertThrows(
    () => forEachInstance(client, fn, { instances: ["acme", ""] }),
    ArgumentError,
    "instances[1]",
  );
  assertThrows(
    () => forEachInstance(client, fn, { signal: "no" as unknown as AbortSignal }),
    ArgumentError,
    "signal must be an AbortSignal",
  );
  await using server = await startMock({ product: "server" });
  await using serverClient = await clientFor(server, { product: "server" });
  assertThrows(() => forEachInstance(serverClient, fn), ArgumentError, "SPE client");
  assertEquals(await collect(forEachInstance(serverClient, fn, { instances: ["x"] })), [
    { instanceID: "x", ok: true, value: 1 },
  ]);
  // GetInstances fails (past its retries): the iteration throws, nothing runs.
  mock.faults.add({ kind: "http503", function: "GetInstances" });
  await assertRejects(collect(forEachInstance(client, fn)), Error);
  mock.faults.clear();
  // No instance matches: no outcome, progress says 0 of 0.
  const progress: FleetProgress[] = [];
  assertEquals(
    await collect(
      forEachInstance(client, fn, { instances: "zzz*", onProgress: (p) => progress.push(p) }),
    ),
    [],
  );
  assertEquals(progress, [{ done: 0, failed: 0, total: 0 }]);
});

Deno.test(
  "forEachInstance: 2,000 instances under ulimit -n 256, all succeed; unbounded fails there",
  {
    ignore: NO_FILE_LIMIT,
  },
  async () => {
    await using mock = await startMock({ instances: 2000, usersPerInstance: 2, problems: "none" });
    const run = (mode: string) =>
      runUnderFileLimit(256, ROOT, "tests/testdata/fleet_ulimit.ts", [mock.port, mode]);
    const bounded = await run("fleet");
    assertEquals(bounded.code, 0, bounded.stderr);
    assertEquals(JSON.parse(bounded.stdout), { limit: "256", ok: 2000, failed: 0 });
    // The control: the same calls with Promise.all over every instance run out of file descriptors
    // (broken connections, or Deno itself gives up), so the bound is what made the difference.
    const naive = await run("naive");
    const failedCalls = naive.code === 0
      ? (JSON.parse(naive.stdout) as { failed: number }).failed
      : 0;
    assertEquals(naive.code !== 0 || failedCalls > 0, true, naive.stdout);
    assertMatch(`${naive.stdout}${naive.stderr}`, /connection|Too many open files/i);
  },
);
