/**
 * `mspe-run call ... --instances` against the mock over HTTPS, in process: rows and failures in
 * each format, the exit codes, the summary, --rerun-failed, instance lists from a file and stdin,
 * usage errors, --timeout, Ctrl-C (the mock's jobs move only when the test steps them, so nothing
 * depends on timing). As a subprocess: Ctrl-C again with a real SIGINT, the progress bar on a
 * terminal, and 2,000 instances under `ulimit -n 256`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DENO_RUN_ARGS, mockFlags, ptyAvailable, ROOT, runCli } from "./cli_helpers.ts";
import { runCliInProcess, type SignalWay, startStoppable } from "./_cli_in_process.ts";
import { NO_CHILD_SIGNALS, startMock } from "./_helpers.ts";
import { NO_FILE_LIMIT } from "./testdata/_ulimit.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

/** The variables of this process that deno needs to find its cache. */
function passThrough(names: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** The ndjson rows of an output, after its header line (which says what was called where). */
function ndjson(text: string): Record<string, unknown>[] {
  const [header, ...rows] = text.split("\n").filter((line) => line !== "").map((line) =>
    JSON.parse(line)
  );
  assert.equal(header?.mspeFleetRun, 1, `no header line: ${text.slice(0, 200)}`);
  return rows;
}

Deno.test("mspe-run call --instances", async (t) => {
  // The seeded problems stop umbrella and hooli: GetUsers fails there.
  await using mock = await startMock({ instances: 12, usersPerInstance: 2 });
  const flags = mockFlags(mock.port);
  const stopped = ["umbrella", "hooli"];
  const dir = await Deno.makeTempDir({ prefix: "mspe-fleet-" });

  await t.step(
    "ndjson: a row per user with instanceID first, failures as rows, exit 4",
    async () => {
      const run = await runCliInProcess(
        [
          "call",
          "GetUsers",
          "--instances",
          "*",
          "--format",
          "ndjson",
          "--concurrency",
          "3",
          ...flags,
        ],
        { env: USER },
      );
      assert.equal(run.code, 4, run.stderr);
      const rows = ndjson(run.stdout);
      assert.ok(rows.every((row) => Object.keys(row)[0] === "instanceID"));
      const failures = rows.filter((row) => "callError" in row);
      assert.deepEqual(failures.map((row) => row.instanceID).sort(), [...stopped].sort());
      // The failure columns only: the short line, the outcome, and in ndjson the server's whole
      // answer when it said more than the line.
      for (const row of failures) {
        assert.deepEqual(
          Object.keys(row).filter((key) => key !== "callErrorDetails"),
          ["instanceID", "callError", "callOutcome"],
        );
        assert.equal(row.callOutcome, "failed");
      }
      assert.match(String(failures[0]?.callError), /is not running/);
      const succeeded = new Set(
        rows.filter((row) => !("callError" in row)).map((row) => row.instanceID),
      );
      assert.equal(succeeded.size, 10);
      assert.ok(rows.some((row) => row.instanceID === "acme" && row.userName === "john.doe"));
      // The summary names each failed instance with its error, then the counts.
      assert.match(run.stderr, /GetUsers failed on 2 of 12 instances:/);
      for (const id of stopped) {
        assert.match(
          run.stderr,
          new RegExp(`^  ${id}: GetUsers failed on the server: .*not running`, "m"),
        );
      }
      assert.match(run.stderr, /10 of 12 instances succeeded, 2 failed/);
      await Deno.writeTextFile(`${dir}/run.ndjson`, run.stdout);
    },
  );

  await t.step("--rerun-failed runs only the failed instances", async () => {
    const before = mock.stats.byFunction["GetUsers"] ?? 0;
    for (const id of stopped) mock.app.state.instance(id)!.status = "running";
    const run = await runCliInProcess(
      ["call", "GetUsers", "--rerun-failed", `${dir}/run.ndjson`, "--format", "ndjson", ...flags],
      { env: USER },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal((mock.stats.byFunction["GetUsers"] ?? 0) - before, 2);
    const ids = new Set(ndjson(run.stdout).map((row) => row.instanceID));
    assert.deepEqual([...ids].sort(), [...stopped].sort());
    for (const id of stopped) mock.app.state.instance(id)!.status = "stopped";
  });

  await t.step("json is sorted by instance; table carries the instanceID column", async () => {
    const json = await runCliInProcess(
      ["call", "GetUsers", "--instances", "tenant*", "--format", "json", ...flags],
      { env: USER },
    );
    assert.equal(json.code, 0, json.stderr);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    const ids = rows.map((row) => String(row.instanceID));
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual([...new Set(ids)], ["tenant0011", "tenant0012"]);
    const table = await runCliInProcess(
      [
        "call",
        "GetUsers",
        "--instances",
        "tenant*",
        "--format",
        "table",
        "--select",
        "userName",
        ...flags,
      ],
      { env: USER },
    );
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^instanceID\s+userName\s*$/m);
    assert.match(table.stdout, /^tenant0012\s+john\.doe\s*$/m);
  });

  await t.step(
    "csv: one header with instanceID and the failure columns, then the rows",
    async () => {
      const run = await runCliInProcess(
        ["call", "GetUsers", "--instances", "*", "--format", "csv", ...flags],
        { env: USER },
      );
      assert.equal(run.code, 4, run.stderr);
      const lines = run.stdout.split("\r\n").filter((line) => line !== "");
      assert.match(lines[0]!, /^instanceID,userName,.*,callError,callOutcome$/);
      assert.equal(lines.filter((line) => line.startsWith("instanceID,")).length, 1);
      assert.ok(lines.some((line) => /^umbrella,,.*,GetUsers failed on the server: /.test(line)));
    },
  );

  await t.step("instances from a UTF-16 file (Windows PowerShell) and from stdin", async () => {
    const text = "\uFEFF# tenants\r\nacme\r\n\r\nglobex\r\nacme\r\n";
    const utf16 = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) {
      utf16[i * 2] = text.charCodeAt(i) & 0xff;
      utf16[i * 2 + 1] = text.charCodeAt(i) >> 8;
    }
    await Deno.writeFile(`${dir}/ids.txt`, utf16);
    const fromFile = await runCliInProcess(
      [
        "call",
        "GetInstanceStatistics",
        "--instances",
        `@${dir}/ids.txt`,
        "--format",
        "json",
        ...flags,
      ],
      { env: USER },
    );
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const rows = JSON.parse(fromFile.stdout) as Record<string, unknown>[];
    assert.deepEqual(rows.map((row) => row.instanceID), ["acme", "globex"]);
    assert.equal(typeof rows[0]?.numberOfMessages, "number");
    const fromStdin = await runCliInProcess(
      [
        "call",
        "GetUserInfo",
        "userName=john.doe",
        "--instances",
        "-",
        "--format",
        "ndjson",
        ...flags,
      ],
      { env: USER, stdin: "initech\nwayne\n" },
    );
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.deepEqual(ndjson(fromStdin.stdout).map((row) => row.instanceID).sort(), [
      "initech",
      "wayne",
    ]);
  });

  await t.step("usage errors are exit 2 before any call", async () => {
    const before = mock.stats.byFunction["GetUsers"] ?? 0;
    const cases: [string[], RegExp][] = [
      [["call", "GetEnvironmentInfo", "--instances", "*"], /takes no instanceID/],
      [["call", "GetUsers", "instanceID=acme", "--instances", "*"], /Leave out instanceID/],
      [
        ["call", "GetUsers", "--instances", "*", "--concurrency", "0"],
        /--concurrency "0" is not a whole number from 1 to 1000/,
      ],
      [["call", "GetUsers", "--concurrency", "4"], /--concurrency goes with --instances/],
      [["call", "GetUsers", "--instances", "*", "--rerun-failed", "x"], /not both/],
      [
        ["call", "GetUsers", "--instances", `@${dir}/missing.txt`],
        /Cannot read the --instances file .*does not exist/,
      ],
      [["call", "GetUsers", "--rerun-failed", `${dir}/ids.txt`], /line 1 is not JSON/],
      [
        ["call", "GetUserInfo", "userName=x", "bogus=1", "--instances", "*"],
        /unknown argument bogus/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const run = await runCliInProcess([...args, ...flags], { env: USER });
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, pattern);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    }
    assert.equal(mock.stats.byFunction["GetUsers"] ?? 0, before);
  });

  await t.step("a destructive function asks first; --what-if names the instances", async () => {
    const run = await runCliInProcess(
      ["call", "DeleteUser", "userName=john.doe", "--instances", "tenant*", "--what-if", ...flags],
      { env: USER },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /It touches 2 instances: tenant0011, tenant0012/);
    const refused = await runCliInProcess(
      ["call", "DeleteUser", "userName=john.doe", "--instances", "tenant*", ...flags],
      { env: USER },
    );
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(mock.stats.byFunction["DeleteUser"] ?? 0, 0);
  });

  await Deno.remove(dir, { recursive: true });
});

/** A fleet run of GetUsers over 6 instances, 2 at a time, whose calls are jobs that wait. */
async function fleetToInterrupt(way: SignalWay, steps?: number) {
  const mock = await startMock({
    instances: 6,
    problems: "none",
    jobs: { stepMs: Infinity, ...(steps === undefined ? {} : { steps }), forceAsync: ["GetUsers"] },
  });
  const args = ["call", "GetUsers", "--instances", "*", "--concurrency", "2", "--format", "ndjson"];
  const child = startStoppable(way, [...args, ...mockFlags(mock.port)], USER);
  // Two calls run (as jobs that move only when stepped); the other four wait for a free slot.
  while (mock.app.jobs.tokens().length < 2) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { mock, child, jobs: mock.app.jobs };
}

/** Ctrl-C once: the calls in flight finish and are printed, the rest are not started, exit 130. */
async function ctrlCOnce(way: SignalWay): Promise<void> {
  const { mock, child, jobs } = await fleetToInterrupt(way, 1);
  await using _ = mock;
  child.interrupt();
  await child.waitForStderr(/Ctrl-C: no further calls start/);
  for (const token of jobs.tokens()) jobs.step(token);
  const { code, stdout, stderr } = await child.done;
  assert.equal(code, 130, stderr);
  const rows = ndjson(stdout);
  const done = new Set(rows.filter((row) => !("callError" in row)).map((row) => row.instanceID));
  const notStarted = rows.filter((row) => String(row.callError ?? "").startsWith("Not started"));
  assert.equal(done.size, 2, stdout);
  assert.equal(notStarted.length, 4, stdout);
  assert.equal(jobs.tokens().length, 2, "no call started after Ctrl-C");
  assert.match(stderr, /Interrupted: 2 of 6 instances finished/);
}

/** Ctrl-C twice: the calls in flight (jobs that never end) are aborted rows, exit 130. */
async function ctrlCTwice(way: SignalWay): Promise<void> {
  const { mock, child } = await fleetToInterrupt(way);
  await using _ = mock;
  child.interrupt();
  await child.waitForStderr(/Ctrl-C: no further calls start/);
  child.interrupt();
  const { code, stdout, stderr } = await child.done;
  assert.equal(code, 130, stderr);
  const rows = ndjson(stdout);
  assert.equal(
    rows.filter((row) => String(row.callError).startsWith("Aborted with Ctrl-C")).length,
    2,
  );
  assert.equal(rows.filter((row) => String(row.callError).startsWith("Not started")).length, 4);
}

Deno.test("mspe-run call --instances: Ctrl-C lets the calls in flight finish, prints them, exit 130", async () => {
  // In process: the command's Ctrl-C listeners fired, on every OS.
  await ctrlCOnce("in process");
});

Deno.test("mspe-run call --instances: a second Ctrl-C aborts the calls in flight; --timeout is exit 6", async (t) => {
  await t.step(
    "Ctrl-C twice: the two in flight are aborted rows, the rest not started",
    () => ctrlCTwice("in process"),
  );

  await t.step(
    "--timeout: the calls in flight time out, the rest are not started, exit 6",
    async () => {
      // The calls run as jobs that never end, so only the time limit can stop them.
      await using mock = await startMock({
        instances: 6,
        problems: "none",
        jobs: { stepMs: Infinity, forceAsync: ["GetUsers"] },
      });
      const jobs = mock.app.jobs;
      const args = [
        "call",
        "GetUsers",
        "--instances",
        "*",
        "--concurrency",
        "2",
        "--format",
        "ndjson",
      ];
      const before = jobs.tokens().length;
      // In process the two calls start within milliseconds (no deno start-up), so 2 s is still
      // ample for them to be in flight when the time runs out.
      const run = await runCliInProcess([...args, "--timeout", "2", ...mockFlags(mock.port)], {
        env: USER,
      });
      assert.equal(run.code, 6, run.stderr);
      const rows = ndjson(run.stdout);
      assert.equal(rows.length, 6);
      assert.equal(jobs.tokens().length - before, 2, "two calls started");
      assert.equal(
        rows.filter((row) =>
          row.callError === "Timed out: --timeout ran out before the call ended."
        )
          .length,
        2,
      );
      assert.equal(
        rows.filter((row) => row.callError === "Not started: --timeout ran out.").length,
        4,
      );
      assert.match(run.stderr, /Timed out after 2 s \(--timeout\)/);
    },
  );
});

Deno.test({
  name: "mspe-run call --instances: Ctrl-C once and twice with a real SIGINT sent to a subprocess",
  ignore: NO_CHILD_SIGNALS,
}, async (t) => {
  await t.step("once: the calls in flight finish, exit 130", () => ctrlCOnce("subprocess"));
  await t.step("twice: the calls in flight are aborted, exit 130", () => ctrlCTwice("subprocess"));
});

Deno.test({
  name: "mspe-run call --instances: a progress bar with done/total, rate and ETA on a terminal",
  ignore: !ptyAvailable(),
  fn: async () => {
    // A subprocess on a pseudo-terminal: the bar is drawn only where stderr is a real terminal.
    await using mock = await startMock({ instances: 5, problems: "none" });
    const run = await runCli(
      ["call", "GetUsers", "--instances", "*", "--format", "ndjson", ...mockFlags(mock.port)],
      { env: USER, pty: true },
    );
    assert.equal(run.code, 0, run.stdout);
    assert.match(run.stdout, /GetUsers \[.*[░█]+.*\]\s+0% 0\/5 instances/);
    assert.match(run.stdout, /1\/5 instances · [\d.]+\/s · ETA \d+:\d\d/);
    assert.match(run.stdout, /Ctrl-C stops/);
  },
});

Deno.test({
  name: "mspe-run call --instances: 2,000 instances under ulimit -n 256, all succeed",
  ignore: NO_FILE_LIMIT,
}, async () => {
  // A subprocess: the file descriptor limit is the process's.
  await using mock = await startMock({ instances: 2000, usersPerInstance: 2, problems: "none" });
  const deno = Deno.execPath().replaceAll("'", "");
  const command = [
    `'${deno}'`,
    ...DENO_RUN_ARGS,
    "scripts/mspe_run.ts",
    "call",
    "GetUsers",
    "--instances",
    "'*'",
    "--concurrency",
    "32",
    "--format",
    "ndjson",
    ...mockFlags(mock.port),
  ].join(" ");
  const output = await new Deno.Command("bash", {
    args: ["-c", `ulimit -n 256 && ulimit -n >&2 && exec ${command}`],
    cwd: ROOT,
    clearEnv: true,
    env: { ...USER, ...passThrough(["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]), NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.match(stderr, /^256$/m);
  const rows = ndjson(new TextDecoder().decode(output.stdout));
  assert.equal(new Set(rows.map((row) => row.instanceID)).size, 2000);
  assert.ok(rows.every((row) => !("callError" in row)));
  assert.match(stderr, /2000 of 2000 instances succeeded, 0 failed/);
});
