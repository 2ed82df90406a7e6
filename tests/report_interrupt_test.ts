/**
 * A report stopped early keeps what it did (issue 18): Ctrl-C ends it with what was checked, marked
 * incomplete, and one instance that hangs cannot hold the whole report. In process, so that it runs
 * wherever the tests run (Ctrl-C fired at the command's own listener).
 */

import assert from "node:assert/strict";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";
import { startMock, waitFor } from "./_helpers.ts";
import { mockFlags } from "./cli_helpers.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("report usage stopped with Ctrl-C writes what it read, the rest marked, exit 130", async () => {
  await using mock = await startMock({ instances: 12, problems: "none" });
  mock.faults.add({ kind: "latency", function: "GetStores", latencyMs: 400 });
  const cli = new InProcessCli(
    ["report", "usage", "--format", "csv", "--concurrency", "2", ...mockFlags(mock.port)],
    { env: USER },
  );
  await waitFor(() => (mock.stats.byFunction.GetStores ?? 0) > 0, "GetStores", 20_000);
  cli.interrupt();
  const { code, stdout, stderr } = await cli.done;
  assert.equal(code, 130, stderr);
  assert.match(stderr, /Ctrl-C: no further instances start/);
  const lines = stdout.trim().split("\r\n");
  const notRead = lines.filter((line) => line.includes("Not read: the report was stopped"));
  assert.ok(notRead.length > 0 && notRead.length < 12, stdout);
  // Those in flight were finished: some rows have figures.
  assert.ok(lines.length - 1 - notRead.length > 0, stdout);
  assert.match(stderr, /Incomplete: .* not checked/);
});

Deno.test("report health: one instance that hangs is a finding after --instance-timeout", async () => {
  await using mock = await startMock({ instances: 3, problems: "none" });
  mock.faults.add({ kind: "latency", function: "GetStores", latencyMs: 5000, times: 1 });
  const run = await runCliInProcess(
    ["report", "health", "--format", "json", "--instance-timeout", "0.5", ...mockFlags(mock.port)],
    { env: USER },
  );
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.incomplete, false);
  const failed = report.findings.filter((f: { kind: string }) => f.kind === "checkFailed");
  assert.equal(failed.length, 1, run.stdout);
  assert.match(
    JSON.stringify(failed[0]),
    /instance time limit \(1 s\)|instance time limit \(0 s\)/,
  );
});

Deno.test("an instance the server lists with a blank ID is a row, never the end of a report", async () => {
  const { serveMock } = await import("../lib/mock/mod.ts");
  const { serveHostileProxy } = await import("./_hostile_proxy.ts");
  await using mock = await serveMock({ instances: 4, problems: "none" });
  await using proxy = serveHostileProxy(mock, { rename: { acme: " " } });
  const usage = await runCliInProcess(
    ["report", "usage", "--format", "json", ...proxy.flags],
    { env: USER },
  );
  assert.equal(usage.code, 0, usage.stderr);
  const rows = JSON.parse(usage.stdout).instances as { instanceID: string; error: string | null }[];
  assert.match(rows.find((row) => row.instanceID === " ")?.error ?? "", /empty ID/);
  assert.ok(rows.filter((row) => row.error === null).length >= 3, usage.stdout);
  const health = await runCliInProcess(
    ["report", "health", "--format", "nagios", ...proxy.flags],
    { env: USER },
  );
  assert.notEqual(health.code, 3, health.stdout);
  assert.match(health.stdout, /empty ID/);
});
