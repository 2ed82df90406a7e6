/**
 * The mock at fleet scale (issue 8, point 4): `mspe-run mock --instances 1000 --users 100`, in a
 * process of its own as an admin runs it, and from this process, in one run:
 *
 * 1. start-up: the time until `listening on` (seeding 1,000 instances; their users, history and
 *    data are made on first use);
 * 2. `GetInstances *` (1,000 rows, answered as a job above 200 instances);
 * 3. `GetUsers` on every instance, first (each instance's 100 users made on the way) and again;
 * 4. `GetWorkerResults` over the last 30 days on every instance, first (each instance's 30-day
 *    history made on the way) and again;
 * 5. the mock's resident memory (VmRSS now, VmHWM its peak) after all of it.
 *
 * Every pass runs through `forEachInstance` at concurrency 8 (the library's default); the table
 * gives each pass's wall time, calls per second and the p50/p99 of one call. Prints Markdown for
 * bench/README.md. Not a `deno bench` file (it starts a process and times whole passes): run it
 * with `deno run -A bench/mock_scale_bench.ts [--rounds 3]`; each round starts a fresh mock.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { type Client, forEachInstance, invokeCall, newClient } from "../mod.ts";

// A path of this system (on Windows a file URL's pathname is /C:/..., which opens nothing).
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CA = `${ROOT}tests/testdata/tls/ca.pem`;
const INSTANCES = 1000;
const USERS = 100;

/** The mock in a process of its own. */
interface MockProcess extends AsyncDisposable {
  readonly port: number;
  /** Milliseconds from spawning the process to its `listening on` line. */
  readonly startMs: number;
  /** VmRSS and VmHWM of the mock process, in MiB. */
  memory(): { rss: number; peak: number };
}

async function startMock(): Promise<MockProcess> {
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "-P=mspe-run",
      "scripts/mspe_run.ts",
      "mock",
      "--port",
      "0",
      "--instances",
      String(INSTANCES),
      "--users",
      String(USERS),
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null = null;
  while ((match = /listening on https:\/\/[^:]+:(\d+)/.exec(text)) === null) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The mock ended before it listened: ${text}`);
    text += value;
  }
  const startMs = performance.now() - started;
  // Keep draining stdout so that the mock never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  const status = (field: string): number => {
    const proc = Deno.readTextFileSync(`/proc/${child.pid}/status`);
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(proc)?.[1] ?? NaN) / 1024;
  };
  return {
    port: Number(match[1]),
    startMs,
    memory: () => ({ rss: status("VmRSS"), peak: status("VmHWM") }),
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      await drained.catch(() => {});
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

interface Pass {
  label: string;
  wallMs: number;
  calls: number;
  failed: number;
  rows: number;
  p50: number;
  p99: number;
}

/** Runs `call` on every instance at concurrency 8; times the pass and each call. */
async function pass(
  client: Client,
  ids: readonly string[],
  label: string,
  call: (instanceID: string) => Promise<unknown>,
): Promise<Pass> {
  const times: number[] = [];
  let rows = 0;
  let failed = 0;
  const start = performance.now();
  for await (
    const outcome of forEachInstance(client, async (instanceID) => {
      const begin = performance.now();
      const result = await call(instanceID);
      times.push(performance.now() - begin);
      return result;
    }, { instances: ids, concurrency: 8 })
  ) {
    if (outcome.ok) rows += Array.isArray(outcome.value) ? outcome.value.length : 1;
    else failed++;
  }
  const wallMs = performance.now() - start;
  times.sort((a, b) => a - b);
  return {
    label,
    wallMs,
    calls: ids.length,
    failed,
    rows,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
  };
}

/** `YYYY-MM-DDThh:mm:ss` in UTC (the mock's `$Local`). */
function local(date: Date): string {
  return date.toISOString().slice(0, 19);
}

async function round(): Promise<{ startMs: number; passes: Pass[]; rss: number; peak: number }> {
  await using mock = await startMock();
  await using client = await newClient({
    username: "admin",
    password: "admin",
    port: mock.port,
    tls: { caCerts: [await Deno.readTextFile(CA)] },
  });
  const passes: Pass[] = [];
  const start = performance.now();
  const instances = await invokeCall(client, "GetInstances", { instanceFilter: "*" });
  const ids = (instances.result ?? []).map((row) => row.instanceID);
  if (ids.length !== INSTANCES) throw new Error(`GetInstances answered ${ids.length} instances`);
  passes.push({
    label: "GetInstances * (one call, a job)",
    wallMs: performance.now() - start,
    calls: 1,
    failed: 0,
    rows: ids.length,
    p50: NaN,
    p99: NaN,
  });
  const getUsers = async (instanceID: string) =>
    (await invokeCall(client, "GetUsers", { instanceID })).result;
  passes.push(await pass(client, ids, "GetUsers, first (100 users made per instance)", getUsers));
  passes.push(await pass(client, ids, "GetUsers, again", getUsers));
  const now = new Date();
  const from = new Date(now.getTime() - 30 * 86_400_000);
  const getWorkerResults = async (instanceID: string) =>
    (await invokeCall(client, "GetWorkerResults", {
      instanceID,
      fromIncluding: local(from),
      toExcluding: local(now),
      timeZoneID: "$Local",
    })).result;
  passes.push(
    await pass(client, ids, "GetWorkerResults 30 days, first (history made)", getWorkerResults),
  );
  passes.push(await pass(client, ids, "GetWorkerResults 30 days, again", getWorkerResults));
  const { rss, peak } = mock.memory();
  return { startMs: mock.startMs, passes, rss, peak };
}

if (import.meta.main) {
  const roundsAt = Deno.args.indexOf("--rounds");
  const rounds = roundsAt >= 0 ? Number(Deno.args[roundsAt + 1]) : 3;
  console.log(
    `Deno ${Deno.version.deno}, ${new Date().toISOString().slice(0, 10)}, ` +
      `${INSTANCES} instances x ${USERS} users, concurrency 8\n`,
  );
  for (let i = 1; i <= rounds; i++) {
    const result = await round();
    console.log(
      `Round ${i}: start-up to "listening on" ${result.startMs.toFixed(0)} ms; ` +
        `mock memory after the passes: VmRSS ${result.rss.toFixed(0)} MiB, ` +
        `peak (VmHWM) ${result.peak.toFixed(0)} MiB\n`,
    );
    console.log("| Pass | wall | calls/s | p50 | p99 | rows | failed |");
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    for (const p of result.passes) {
      const ms = (value: number) => Number.isNaN(value) ? "" : `${value.toFixed(1)} ms`;
      console.log(
        `| ${p.label} | ${(p.wallMs / 1000).toFixed(2)} s | ${
          (p.calls / (p.wallMs / 1000)).toFixed(0)
        } | ${ms(p.p50)} | ${ms(p.p99)} | ${p.rows.toLocaleString("en-US")} | ${p.failed} |`,
      );
    }
    console.log();
  }
}
