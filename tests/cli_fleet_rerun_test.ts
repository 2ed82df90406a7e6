/**
 * A fleet run left unattended: `--rerun-failed` never sends again a call that may have run, and
 * refuses a file of another function or server; a reader that goes away (`| head`) stops the run
 * with its own exit code.
 */

import assert from "node:assert/strict";
import { startMock } from "./_helpers.ts";
import { CliProcess, mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

function line(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

Deno.test("--rerun-failed sends again what provably did not run, and holds back what may have", async () => {
  await using mock = await startMock({ instances: 6, problems: "none" });
  const dir = await Deno.makeTempDir();
  try {
    const server = `127.0.0.1:${mock.port}`;
    const header = (fn: string, at = server) => ({
      mspeFleetRun: 1,
      function: fn,
      arguments: {},
      server: at,
      started: "2026-12-06T10:00:00.000Z",
    });
    const earlier = `${dir}/run.ndjson`;
    await Deno.writeTextFile(
      earlier,
      line(header("SetUserFullName")) +
        line({ instanceID: "acme", callError: "is not running", callOutcome: "failed" }) +
        line({ instanceID: "globex", callError: "Not started: Ctrl-C.", callOutcome: "not-sent" }) +
        line({
          instanceID: "initech",
          callError: "The connection broke after the request was sent",
          callOutcome: "may-have-run",
        }),
    );
    const call = [
      "call",
      "SetUserFullName",
      "userName=john.doe",
      "fullName=Jo",
      "--format",
      "ndjson",
      ...mockFlags(mock.port),
    ];
    mock.stats.reset();
    const rerun = await runCliInProcess([...call, "--rerun-failed", earlier, "--yes"], {
      env: USER,
    });
    // Two sent again; the third listed with how to go on, and still a failure (exit 4).
    assert.equal(mock.stats.byFunction["SetUserFullName"], 2, rerun.stderr);
    assert.equal(rerun.code, 4, rerun.stderr);
    assert.match(
      rerun.stderr,
      /1 call of SetUserFullName may have run .*not sent again:\n {2}initech: /,
    );
    assert.match(rerun.stderr, /--rerun-uncertain sends them again/);
    const rows = rerun.stdout.trim().split("\n").map((text) => JSON.parse(text));
    const held = rows.find((row) => row.instanceID === "initech");
    assert.equal(held?.callOutcome, "may-have-run");
    // Its output holds the row again, so that the next rerun still knows it.
    await Deno.writeTextFile(`${dir}/rerun.ndjson`, rerun.stdout);
    mock.stats.reset();
    const uncertain = await runCliInProcess(
      [...call, "--rerun-failed", `${dir}/rerun.ndjson`, "--rerun-uncertain", "--yes"],
      { env: USER },
    );
    assert.equal(uncertain.code, 0, uncertain.stderr);
    assert.equal(mock.stats.byFunction["SetUserFullName"], 1);
    // Another function's or another server's file is refused before anything is sent.
    mock.stats.reset();
    const other = await runCliInProcess(
      ["call", "GetUsers", "--rerun-failed", earlier, ...mockFlags(mock.port)],
      { env: USER },
    );
    assert.equal(other.code, 2, other.stderr);
    assert.match(other.stderr, /is the output of SetUserFullName, not GetUsers/);
    await Deno.writeTextFile(
      `${dir}/elsewhere.ndjson`,
      line(header("SetUserFullName", "spe9.example.com:8474")) +
        line({ instanceID: "acme", callError: "x", callOutcome: "failed" }),
    );
    const elsewhere = await runCliInProcess(
      [...call, "--rerun-failed", `${dir}/elsewhere.ndjson`],
      { env: USER },
    );
    assert.equal(elsewhere.code, 2, elsewhere.stderr);
    assert.match(elsewhere.stderr, /comes from spe9\.example\.com:8474, not 127\.0\.0\.1:/);
    assert.equal(mock.stats.byFunction["SetUserFullName"] ?? 0, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reader that goes away stops the fleet run: nothing more is started, exit 141", async () => {
  // A subprocess: the pipe that closes is the process's stdout.
  await using mock = await startMock({
    instances: 40,
    problems: "none",
    jobs: { stepMs: 20, steps: 2, forceAsync: ["GetUsers"] },
  });
  const child = new CliProcess(
    ["call", "GetUsers", "--instances", "*", "--concurrency", "2", "--format", "ndjson"]
      .concat(mockFlags(mock.port)),
    { env: USER, closeStdoutAfter: 1 },
  );
  const { code, stderr } = await child.done;
  assert.equal(code, 141, stderr);
  assert.match(
    stderr,
    /^error: The output closed after \d+ of 40 instances: no further calls were started/m,
  );
  // Far fewer than 40 calls: the run stopped starting them.
  assert.ok((mock.stats.byFunction["GetUsers"] ?? 0) < 40, JSON.stringify(mock.stats.byFunction));
});

Deno.test("a failure row's one line is short; json and ndjson keep the server's whole answer", async () => {
  await using mock = await startMock({ instances: 3, problems: "none" });
  mock.faults.add({ kind: "http503", function: "GetUsers" });
  const run = await runCliInProcess(
    ["call", "GetUsers", "--instances", "*", "--format", "ndjson", "--retries", "0"]
      .concat(mockFlags(mock.port)),
    { env: USER },
  );
  assert.equal(run.code, 4, run.stderr);
  const rows = run.stdout.trim().split("\n").slice(1).map((text) => JSON.parse(text));
  for (const row of rows) {
    assert.ok(row.callError.length <= 200, row.callError);
    assert.match(row.callError, /HTTP 503/);
    assert.equal(typeof row.callErrorDetails, "string", JSON.stringify(row));
  }
});
