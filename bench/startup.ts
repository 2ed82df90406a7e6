/**
 * Start-up of mspe-run as a whole process, interleaved in one run (`deno task bench:startup`):
 *
 * - `mspe-run --version` against an empty `deno run` (target: at most 2.0 times);
 * - `mspe-run call GetEnvironmentInfo` against a minimal fetch script making the same call on the
 *   same simulator (target: at most 1.5 times).
 *
 * Each round runs the four commands in a rotating order, so that a busy moment of the machine hits
 * all of them alike; the first rounds warm the caches and are left out. Prints the median wall
 * times and the ratios as a Markdown table for bench/README.md. Not a `deno bench` file: it times
 * whole processes, which `Deno.bench` cannot.
 *
 * Flags: `--rounds <n>` (default 21); `--binary <path>` times a compiled mspe-run (`deno task
 * compile`, which needs denort) in place of `deno run scripts/mspe_run.ts`: the form users run;
 * `--compare <dir>` (repeatable) adds `mspe-run call` run from another checkout (a `git worktree`
 * of the commit before a change, say), interleaved with the rest, with its own ratio.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { serveMock } from "../lib/mock/mod.ts";

// A path of this system (on Windows a file URL's pathname is /C:/..., which opens nothing).
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const roundsAt = Deno.args.indexOf("--rounds");
const ROUNDS = roundsAt >= 0 ? Number(Deno.args[roundsAt + 1]) : 21;
const binaryAt = Deno.args.indexOf("--binary");
const BINARY = binaryAt >= 0 ? Deno.args[binaryAt + 1] : undefined;
const COMPARE = Deno.args.flatMap((arg, i) => arg === "--compare" ? [Deno.args[i + 1]!] : []);
const WARMUP = 3;

/** The minimal fetch script: one POST with the credentials up front, the result printed. */
const FETCH_SCRIPT = `const [url, caFile] = Deno.args;
const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(caFile)] });
const response = await fetch(url + "/api/invoke/GetEnvironmentInfo", {
  method: "POST",
  headers: { Authorization: "Basic " + btoa("admin:" + Deno.env.get("MSPE_PASSWORD")) },
  client,
});
const text = await response.text();
console.log(JSON.stringify(JSON.parse(text.replace(/^\\uFEFF/, "")).result, null, 2));
client.close();
`;

interface Runner {
  readonly name: string;
  /** The program; Deno itself when left out. */
  readonly command?: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
  /** The directory it runs in; this checkout when left out. */
  readonly cwd?: string;
}

async function time(runner: Runner): Promise<number> {
  const started = performance.now();
  const { code, stderr } = await new Deno.Command(runner.command ?? Deno.execPath(), {
    args: [...runner.args],
    cwd: runner.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...runner.env },
    stdout: "null",
    stderr: "piped",
  }).output();
  const elapsed = performance.now() - started;
  if (code !== 0) {
    throw new Error(`${runner.name} failed (${code}): ${new TextDecoder().decode(stderr)}`);
  }
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const dir = await Deno.makeTempDir();
// Not the mock's default admin/admin: a password that is also the user name makes every printed
// "admin" a redaction hit (the pattern is built, and the name shown as ***), which no real setup
// has and which is not start-up. The hit path costs 1 to 3 ms more (bench/README.md).
const PASSWORD = "Start-up-B3nch";
await using server = await serveMock({ password: PASSWORD });
try {
  await Deno.writeTextFile(`${dir}/empty.ts`, "");
  await Deno.writeTextFile(`${dir}/fetch.ts`, FETCH_SCRIPT);
  await Deno.writeTextFile(`${dir}/ca.pem`, server.certificate?.caPem ?? "");
  const sourceRun = ["run", "-q", "-P=mspe-run", "--no-prompt", "scripts/mspe_run.ts"];
  const mspeRun = BINARY ? [] : sourceRun;
  const mspeCommand = BINARY ? { command: BINARY } : {};
  const env = { MSPE_PASSWORD: PASSWORD };
  const runners: Runner[] = [
    { name: "deno run empty.ts", args: ["run", "-q", `${dir}/empty.ts`] },
    { name: "mspe-run --version", ...mspeCommand, args: [...mspeRun, "--version"] },
    {
      name: "fetch script GetEnvironmentInfo",
      args: [
        "run",
        "-q",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        `${dir}/fetch.ts`,
        server.url,
        `${dir}/ca.pem`,
      ],
      env,
    },
  ];
  const callArgs = [
    "call",
    "GetEnvironmentInfo",
    "--host",
    server.hostname,
    "--port",
    String(server.port),
    "--username",
    "admin",
    "--ca-cert",
    `${dir}/ca.pem`,
    "--format",
    "json",
  ];
  runners.push({
    name: "mspe-run call GetEnvironmentInfo",
    ...mspeCommand,
    args: [...mspeRun, ...callArgs],
    env,
  });
  for (const other of COMPARE) {
    runners.push({
      name: `mspe-run call (${other})`,
      cwd: other,
      args: [...sourceRun, ...callArgs],
      env,
    });
  }
  const times = new Map<string, number[]>(runners.map((r) => [r.name, []]));
  for (let round = 0; round < ROUNDS + WARMUP; round++) {
    for (let i = 0; i < runners.length; i++) {
      const runner = runners[(round + i) % runners.length]!;
      const elapsed = await time(runner);
      if (round >= WARMUP) times.get(runner.name)!.push(elapsed);
    }
  }
  const m = (name: string) => median(times.get(name)!);
  const rows = runners.map((r) => `| ${r.name} | ${m(r.name).toFixed(0)} ms |`);
  const version = m("mspe-run --version") / m("deno run empty.ts");
  const call = m("mspe-run call GetEnvironmentInfo") / m("fetch script GetEnvironmentInfo");
  console.log(
    `Deno ${Deno.version.deno}, ${Deno.build.target}, ${ROUNDS} rounds (median), mspe-run ${
      BINARY ? `compiled: ${BINARY}` : "from source (deno run)"
    }\n`,
  );
  console.log("| process | wall time |\n|---|---|");
  console.log(rows.join("\n"));
  console.log(`\n| ratio | measured | target |\n|---|---|---|`);
  console.log(`| mspe-run --version / empty deno run | ${version.toFixed(2)} | <= 2.0 |`);
  console.log(`| mspe-run call / fetch script | ${call.toFixed(2)} | <= 1.5 |`);
  for (const other of COMPARE) {
    const ratio = m(`mspe-run call (${other})`) / m("fetch script GetEnvironmentInfo");
    console.log(`| mspe-run call (${other}) / fetch script | ${ratio.toFixed(2)} | <= 1.5 |`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
