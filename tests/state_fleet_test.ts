// Tenants as code over a fleet when things go wrong part-way: Ctrl-C during plan, export and
// apply, a login that fails after the instance list, an instance that does not come up after its
// change (issue 20; found by a second review).

import assert from "node:assert/strict";
import { join } from "node:path";
import { assertEquals, assertMatch } from "./_assert.ts";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";
import { mockFlags } from "./cli_helpers.ts";
import { clientFor, startMock, waitFor } from "./_helpers.ts";
import { invokeCall } from "../lib/invoke_call.ts";
import { parseStateFile } from "../lib/desired_state/parse.ts";
import { planState } from "../lib/desired_state/plan.ts";
import { applyPlan } from "../lib/desired_state/apply.ts";
import type { MockServer } from "../lib/mock/mod.ts";
import { USER, writeState } from "./_state_helpers.ts";

const ONE_USER = { users: [{ userName: "fleet.user" }] };
const THREE = { version: 1, instances: { acme: ONE_USER, globex: ONE_USER, initech: ONE_USER } };

/** Runs `argv` one instance at a time, reading slowly, and presses Ctrl-C while the first is read. */
async function ctrlCWhileReading(mock: MockServer, argv: string[]) {
  mock.app.faults.add({ kind: "latency", function: "GetInstanceConfiguration", latencyMs: 400 });
  const cli = new InProcessCli([...argv, "--concurrency", "1", ...mockFlags(mock.port)], {
    env: USER,
  });
  await waitFor(() => (mock.stats.byFunction.GetInstanceConfiguration ?? 0) >= 1, "a read", 5000);
  cli.interrupt();
  return await cli.done;
}

Deno.test("Ctrl-C during export: exit 130, and no file that would pass for a whole export", async () => {
  await using mock = await startMock({ instances: 4, usersPerInstance: 1 });
  const out = join(await Deno.makeTempDir({ prefix: "mspe-fleet-" }), "tenants.json");
  const run = await ctrlCWhileReading(mock, ["export", "--output", out]);
  assertEquals(run.code, 130, run.stderr);
  assertMatch(run.stderr, /Interrupted: export was stopped/);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test("Ctrl-C during plan: exit 130, not instances 'not planned'", async () => {
  await using mock = await startMock({ instances: 4, usersPerInstance: 1 });
  const run = await ctrlCWhileReading(mock, ["plan", await writeState(THREE), "--format", "json"]);
  assertEquals(run.code, 130, run.stderr);
  assertMatch(run.stderr, /Interrupted: plan was stopped/);
  assertEquals(run.stdout, "");
});

Deno.test("Ctrl-C during apply --format ndjson: every change still has its row on stdout", async () => {
  await using mock = await startMock({ instances: 4, usersPerInstance: 1 });
  mock.app.faults.add({ kind: "latency", function: "CreateUser", latencyMs: 300 });
  const cli = new InProcessCli(
    [
      "apply",
      await writeState(THREE),
      "--yes",
      "--format",
      "ndjson",
      "--concurrency",
      "1",
      ...mockFlags(mock.port),
    ],
    { env: USER },
  );
  await waitFor(() => (mock.stats.byFunction.CreateUser ?? 0) >= 1, "the first CreateUser", 5000);
  cli.interrupt();
  const run = await cli.done;
  assertEquals(run.code, 130, run.stderr);
  const rows = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assertEquals(rows.length, 3, run.stdout);
  assertEquals(rows.filter((row) => row.outcome === "not-sent").length, 2);
});

Deno.test("a login refused after the instance list is one line and exit 3; export leaves the file", async () => {
  await using mock = await startMock({ instances: 4, usersPerInstance: 1 });
  mock.app.faults.add({ kind: "unauthorized", function: "GetInstanceConfiguration" });
  const plan = await runCliInProcess(
    ["plan", await writeState(THREE), "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(plan.code, 3, plan.stderr);
  assertEquals(plan.stdout, "");
  const out = join(await Deno.makeTempDir({ prefix: "mspe-fleet-" }), "tenants.json");
  await Deno.writeTextFile(out, '{"version":1,"instances":{"acme":{}}}');
  const exported = await runCliInProcess(["export", "--output", out, ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(exported.code, 3, exported.stderr);
  assertEquals(await Deno.readTextFile(out), '{"version":1,"instances":{"acme":{}}}');
});

Deno.test("an instance that cannot be read after its start: one row for its change, saying so", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  await invokeCall(client, "StopInstances", { instanceFilter: "acme" });
  const desired = await parseStateFile(
    JSON.stringify({
      version: 1,
      instances: { acme: { instance: { status: "running" }, users: [{ userName: "u" }] } },
    }),
    { file: "t.json" },
  );
  const plan = await planState(client, desired);
  mock.app.faults.add({ kind: "http500", function: "GetInstances", times: 1 });
  const applied = await applyPlan(client, plan);
  assertEquals(applied.results.length, 1, JSON.stringify(applied.results));
  assertEquals(applied.results[0]!.outcome, "failed");
  assertMatch(
    applied.results[0]!.error ?? "",
    /^Instance acme was changed, but reading it afterwards failed .*Run plan, then apply again\.$/,
  );
});

Deno.test("apply --what-if with an instance not planned exits 4, as --help says", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  const file = await writeState({
    version: 1,
    instances: { acme: ONE_USER, nosuch: { users: [] } },
  });
  const run = await runCliInProcess(["apply", file, "--what-if", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertMatch(run.stdout, /Failed: nosuch: not planned/);
  assertEquals(run.code, 4, run.stderr);
});

Deno.test("a running instance closed to service provider access that the file opens and stops: users first", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  mock.app.state.instance("acme")!.serviceProviderAccess = false;
  const desired = await parseStateFile(
    JSON.stringify({
      version: 1,
      instances: {
        acme: {
          instance: { archiveAdminEnabled: true, status: "stopped" },
          users: [{ userName: "newbie" }],
        },
      },
    }),
    { file: "t.json" },
  );
  const plan = await planState(client, desired);
  assert(plan.tenants[0]!.deferred, JSON.stringify(plan.tenants[0]));
  const applied = await applyPlan(client, plan);
  assertEquals(
    applied.results.map((row) => `${row.kind} ${row.resource} ${row.outcome}`),
    ["instance acme done", "user newbie done", "instance acme done"],
  );
  assert(mock.app.state.users(mock.app.state.instance("acme")!).has("newbie"));
  assertEquals(mock.app.state.instance("acme")!.status, "stopped");
});

Deno.test("export --instances: an ID beside a filter must exist too", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  const run = await runCliInProcess(
    ["export", "--instances", "acme*,nosuch", "--kinds", "none", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(run.code, 2, run.stderr);
  assertMatch(run.stderr, /Instance nosuch does not exist/);
});

Deno.test("an instance host spelt in another case is the same host: no change, no restart", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const host = mock.app.state.instance("acme")!.instanceHost;
  const desired = await parseStateFile(
    JSON.stringify({
      version: 1,
      instances: {
        acme: {
          instance: { instanceHost: host.toUpperCase(), baseDirectory: "e:\\mailstore\\acme\\" },
        },
      },
    }),
    { file: "t.json" },
  );
  assertEquals((await planState(client, desired)).summary, { create: 0, change: 0, delete: 0 });
});
