/**
 * The fleet fan-out (issue 9), in one run:
 *
 * 1. `forEachInstance` running `GetUsers` on 1,000 instances at concurrency 32 against the mock
 *    with `--latency-ms 20`: wall time against the ideal 1,000 / 32 x 20 ms = 625 ms (target: at
 *    least 0.8 of the ideal throughput, so at most 781 ms). The same run without latency is the
 *    floor set by the work itself (TLS, JSON, the mock's own handling), measured alongside; then
 *    the same fan-out at concurrency 64, and the round trip of one call at a time against the
 *    latency mock (the ideal computed with it rather than with 20 ms).
 * 2. The peak memory (VmHWM, the resident set's high-water mark) of `mspe-run call GetUsers
 *    --instances '*' --format ndjson` over 2,000 instances x 100 users, against the same run over
 *    200 instances (flat memory: about the same peak) and the `json` format over 2,000 (which
 *    holds every row until the end); then both again with the V8 heap capped at 32 MiB, where the
 *    streamed run completes and the collected one runs out of memory.
 *
 * The mock runs in its own process (`mspe-run mock`), so that its work does not share the client's
 * JavaScript thread; the mock's CPU time per call is read from /proc. The same fan-out against
 * bench/_fixed_reply_server.ts (the mock's reply bytes after the same delay, no app) shows what
 * the client, TLS and the machine allow on their own. With `--before <dir>` (a
 * copy of an earlier tree, e.g. `git archive <commit> | tar -x -C <dir>`), the fan-outs with
 * latency also run against that tree's mock, interleaved with the others, for a before/after
 * measured side by side. `--no-memory` leaves out part 2. Prints a Markdown table for
 * bench/README.md. Not a `deno bench` file: it starts processes and times whole fan-outs; run it
 * with `deno run -A bench/fleet_bench.ts [--rounds 5] [--before <dir>] [--no-memory]`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import process from "node:process";
import { type Client, forEachInstance, invokeCall, newClient } from "../mod.ts";

// A path of this system (on Windows a file URL's pathname is /C:/..., which opens nothing).
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const roundsAt = Deno.args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(Deno.args[roundsAt + 1]) : 5;
const beforeAt = Deno.args.indexOf("--before");
const BEFORE = beforeAt >= 0 ? Deno.args[beforeAt + 1]?.replace(/\/?$/, "/") : undefined;
const MEMORY = !Deno.args.includes("--no-memory");
const CA = `${ROOT}tests/testdata/tls/ca.pem`;
const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin", NO_COLOR: "1" };

/** A mock server in its own process. */
interface MockProcess extends AsyncDisposable {
  readonly port: number;
  /** The CPU time (user and system, ms) the mock process has used so far. */
  cpuMs(): number;
}

/** Starts `mspe-run mock` of the tree at `root` (this one by default). */
function startMock(flags: readonly string[], root = ROOT): Promise<MockProcess> {
  return startServer(
    ["-P=mspe-run", "scripts/mspe_run.ts", "mock", "--port", "0", ...flags],
    root,
  );
}

/** Starts a server script that prints `listening on <url>` (`deno run -q <args>` in `root`). */
async function startServer(args: readonly string[], root = ROOT): Promise<MockProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-q", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening on \S+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The mock ended before it listened: ${text}`);
    text += value;
  }
  const port = Number(/listening on https?:\/\/[^:]+:(\d+)/.exec(text)?.[1]);
  // Keep reading so that the mock never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  const ticks = 100; // USER_HZ of /proc/<pid>/stat on Linux
  return {
    port,
    cpuMs() {
      const fields = Deno.readTextFileSync(`/proc/${child.pid}/stat`).split(") ")[1]!.split(" ");
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
    },
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** A client of the mock at `port`, trusting the test CA, without a metadata request. */
async function benchClient(port: number): Promise<Client<"spe", null>> {
  return await newClient({
    username: "admin",
    password: "admin",
    host: "127.0.0.1",
    port,
    tls: { caCerts: [await Deno.readTextFile(CA)] },
    metadata: "bundled",
  });
}

/** The client's own CPU time per call (ms), over every timed fan-out. */
const clientCpu: number[] = [];

/** The mock's CPU time per call (ms) in every timed fan-out, by the mock that served it. */
const mockCpu = new Map<MockProcess, number[]>();

/**
 * Wall times (ms) of `ROUNDS` fan-outs of GetUsers over every instance of `mock` (or over its
 * first `count`).
 */
async function fanOut(
  mock: MockProcess,
  concurrency: number,
  count = Infinity,
  given?: readonly string[],
): Promise<number[]> {
  await using client = await benchClient(mock.port);
  // Listed once beforehand: the fan-out alone is timed.
  const ids =
    (given ?? ((await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
      []).map((instance) => instance.instanceID)).slice(0, count);
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const start = performance.now();
    const cpu = process.cpuUsage();
    const served = mock.cpuMs();
    let failed = 0;
    let reason = "";
    for await (
      const outcome of forEachInstance(
        client,
        (instanceID, { signal }) => invokeCall(client, "GetUsers", { instanceID }, { signal }),
        { instances: ids, concurrency },
      )
    ) {
      if (!outcome.ok) {
        failed++;
        reason = `${outcome.instanceID}: ${outcome.error.message}`;
      }
    }
    if (failed > 0) throw new Error(`${failed} calls failed, e.g. ${reason}`);
    // The first round warms the connections and is left out.
    if (round > 0) {
      times.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      clientCpu.push((used.user + used.system) / 1000 / ids.length);
      const perCall = (mock.cpuMs() - served) / ids.length;
      mockCpu.set(mock, [...mockCpu.get(mock) ?? [], perCall]);
    }
  }
  return times;
}

/** The median round trip (ms) of 100 GetUsers calls one after another, after 10 to warm up. */
async function oneAtATime(mock: MockProcess): Promise<number> {
  await using client = await benchClient(mock.port);
  const times: number[] = [];
  for (let i = 0; i < 110; i++) {
    const start = performance.now();
    await invokeCall(client, "GetUsers", { instanceID: "acme" });
    if (i >= 10) times.push(performance.now() - start);
  }
  return median(times);
}

/** The peak resident set (MiB) of one `mspe-run call` run, its stdout counted and dropped. */
async function peakRss(
  port: number,
  format: string,
  heapMib?: number,
): Promise<{ mib: number; lines: number; code: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...(heapMib === undefined ? [] : [`--v8-flags=--max-old-space-size=${heapMib}`]),
      "-q",
      "-P=mspe-run",
      "scripts/mspe_run.ts",
      "call",
      "GetUsers",
      "--instances",
      "*",
      "--concurrency",
      "32",
      "--format",
      format,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--ca-cert",
      CA,
    ],
    cwd: ROOT,
    env: ENV,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKiB = 0;
  const sample = (): void => {
    try {
      const status = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      peakKiB = Math.max(peakKiB, Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    } catch {
      // The process has ended.
    }
  };
  const timer = setInterval(sample, 20);
  let lines = 0;
  const counting = (async () => {
    for await (const chunk of child.stdout) {
      for (const byte of chunk) if (byte === 0x0a) lines++;
    }
  })();
  const stderr = new Response(child.stderr).text();
  const [status] = await Promise.all([child.status, counting]);
  clearInterval(timer);
  if (status.code !== 0 && heapMib === undefined) {
    throw new Error(`mspe-run failed (${status.code}): ${await stderr}`);
  }
  return { mib: peakKiB / 1024, lines, code: status.code };
}

const IDEAL_MS = (1000 / 32) * 20;
/** Instance IDs for the bare server, which answers any of them alike. */
const bareIds = Array.from({ length: 1000 }, (_, i) => `instance${i}`);
const HEAP_CAP_MIB = 32;

/** Runs both measurements and prints the table. */
async function main(): Promise<void> {
  const rows: string[][] = [];
  {
    const fleet = ["--instances", "1000", "--users", "5", "--problems", "none"];
    await using slow = await startMock([...fleet, "--latency-ms", "20"]);
    await using fast = await startMock(fleet);
    // No app at all: the same reply bytes after the same delay (bench/_fixed_reply_server.ts).
    await using bare = await startServer([
      "-A",
      "bench/_fixed_reply_server.ts",
      "--latency-ms",
      "20",
    ]);
    await using before = BEFORE === undefined
      ? null
      : await startMock([...fleet, "--latency-ms", "20"], BEFORE);
    const withLatency: number[] = [];
    const floor: number[] = [];
    const withLatencyBefore: number[] = [];
    const withLatencyBare: number[] = [];
    // Interleaved, so that a busy moment of the machine hits all alike.
    for (let i = 0; i < 2; i++) {
      if (before !== null) withLatencyBefore.push(...await fanOut(before, 32));
      withLatencyBare.push(...await fanOut(bare, 32, 1000, bareIds));
      withLatency.push(...await fanOut(slow, 32));
      floor.push(...await fanOut(fast, 32));
    }
    const wall = median(withLatency);
    const wider = median(await fanOut(slow, 64));
    const roundTrip = await oneAtATime(slow);
    const share = (ms: number): string => `**${(IDEAL_MS / ms).toFixed(2)}** of ideal throughput`;
    const mockMs = (mock: MockProcess): string =>
      `${median(mockCpu.get(mock) ?? []).toFixed(3)} ms`;
    // Taken before the runs below, which would add their own calls to them.
    const slowCpu = mockMs(slow);
    const clientCpuMs = median(clientCpu);
    // What one call's turn costs as the concurrency grows: wall time / calls x concurrency, over
    // 25 turns each. Flat means the calls overlap for free; growth is time spent waiting for the
    // CPU (the mock's, the client's, or the machine's).
    const turns: string[] = [];
    for (const concurrency of [1, 4, 8, 16, 32, 64]) {
      const calls = Math.min(1000, concurrency * 25);
      const turn = (median(await fanOut(slow, concurrency, calls)) / calls) * concurrency;
      turns.push(`${concurrency}: ${turn.toFixed(1)}`);
    }
    const idealWithRoundTrip = (1000 / 32) * roundTrip;
    if (before !== null) {
      const wallBefore = median(withLatencyBefore);
      rows.push([
        `before (the mock of ${BEFORE}): GetUsers x 1,000, concurrency 32, latency 20 ms (median)`,
        `${wallBefore.toFixed(0)} ms`,
        share(wallBefore),
        "",
      ]);
      rows.push([
        "before: one call at a time, round trip (median of 100)",
        `${(await oneAtATime(before)).toFixed(1)} ms`,
        "",
        "",
      ]);
      rows.push(["before: the mock's CPU time per call (median)", mockMs(before), "", ""]);
      rows.push([
        "before: all rounds with latency (ms)",
        withLatencyBefore.map((t) => t.toFixed(0)).join(", "),
        "",
        "",
      ]);
    }
    rows.push([
      "GetUsers x 1,000 instances, concurrency 32, latency 20 ms: wall time (median)",
      `${wall.toFixed(0)} ms`,
      `ideal ${IDEAL_MS.toFixed(0)} ms: ${share(wall)}`,
      ">= 0.8",
    ]);
    rows.push([
      "the same against a bare node:https server, same reply bytes and delay, no app (median)",
      `${median(withLatencyBare).toFixed(0)} ms`,
      `${share(median(withLatencyBare))}; its CPU time per call ${mockMs(bare)}`,
      "",
    ]);
    rows.push([
      "same without latency: the floor set by the work itself (median)",
      `${median(floor).toFixed(0)} ms`,
      `${(median(floor) / 1000).toFixed(2)} ms per call`,
      "",
    ]);
    rows.push([
      "one call at a time against the same mock: round trip (median of 100)",
      `${roundTrip.toFixed(1)} ms`,
      `ideal with it: 1,000 / 32 x ${roundTrip.toFixed(1)} ms = ${
        idealWithRoundTrip.toFixed(0)
      } ms: **${(idealWithRoundTrip / wall).toFixed(2)}**`,
      "",
    ]);
    rows.push([
      "the same fan-out at concurrency 64 (median)",
      `${wider.toFixed(0)} ms`,
      `${(wall / wider).toFixed(2)} times faster than at 32`,
      "",
    ]);
    rows.push([
      "the client's own CPU time per call (median over all rounds)",
      `${clientCpuMs.toFixed(3)} ms`,
      `${(clientCpuMs * 1000).toFixed(0)} ms for 1,000 calls`,
      "",
    ]);
    rows.push(["the mock's CPU time per call, latency 20 ms (median)", slowCpu, "", ""]);
    rows.push([
      "one call's turn (wall / calls x concurrency, ms) by concurrency, latency 20 ms",
      turns.join(", "),
      "",
      "",
    ]);
    rows.push([
      "all rounds with latency (ms)",
      withLatency.map((t) => t.toFixed(0)).join(", "),
      "",
      "",
    ]);
  }
  if (MEMORY) {
    await using big = await startMock([
      "--instances",
      "2000",
      "--users",
      "100",
      "--problems",
      "none",
    ]);
    await using small = await startMock([
      "--instances",
      "200",
      "--users",
      "100",
      "--problems",
      "none",
    ]);
    const ndjsonBig = await peakRss(big.port, "ndjson");
    const ndjsonSmall = await peakRss(small.port, "ndjson");
    const jsonBig = await peakRss(big.port, "json");
    // Live memory, not the garbage collector's slack: with the V8 heap capped, the streamed run
    // still completes and the collected one runs out of memory.
    const ndjsonCapped = await peakRss(big.port, "ndjson", HEAP_CAP_MIB);
    const jsonCapped = await peakRss(big.port, "json", HEAP_CAP_MIB);
    const verdict = (run: { code: number; lines: number }) =>
      run.code === 0 ? `completes (${run.lines} rows)` : `fails (exit ${run.code}, out of memory)`;
    rows.push([
      "peak RSS, `call GetUsers --instances '*' --format ndjson`, 2,000 x 100 users",
      `${ndjsonBig.mib.toFixed(0)} MiB`,
      `${ndjsonBig.lines} rows`,
      "flat",
    ]);
    rows.push([
      "same over 200 instances x 100 users",
      `${ndjsonSmall.mib.toFixed(0)} MiB`,
      `${ndjsonSmall.lines} rows`,
      "",
    ]);
    rows.push([
      "`--format json` over 2,000 x 100 users (rows held until the end)",
      `${jsonBig.mib.toFixed(0)} MiB`,
      "",
      "",
    ]);
    rows.push([
      `2,000 x 100 users with the V8 heap capped at ${HEAP_CAP_MIB} MiB`,
      `ndjson ${verdict(ndjsonCapped)}`,
      `json ${verdict(jsonCapped)}`,
      "",
    ]);
  }
  console.log("| Measure | Value | Against | Target |");
  console.log("| --- | --- | --- | --- |");
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
}

if (Deno.permissions.querySync({ name: "run" }).state === "granted") {
  await main();
} else {
  // `deno task bench` runs every *_bench.ts without the run permission this script needs.
  Deno.bench({
    name: "fleet_bench.ts is a script: deno run -A bench/fleet_bench.ts",
    ignore: true,
    fn() {},
  });
}
