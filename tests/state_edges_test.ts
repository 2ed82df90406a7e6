// Tenants as code at its edges, each found by a review of the change: deletes the prune question
// never named, instances closed to service provider access or to be stopped, renames, prompts
// side by side, export's instance lists, access closed after a failure (issue 20).

import assert from "node:assert/strict";
import { join } from "node:path";
import { assertEquals, assertMatch } from "./_assert.ts";
import { invokeCall } from "../lib/invoke_call.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { mockFlags } from "./cli_helpers.ts";
import { clientFor, startMock } from "./_helpers.ts";
import { applyPlan } from "../lib/desired_state/apply.ts";
import { exportState } from "../lib/desired_state/export.ts";
import { lines, planOf, USER, writeState } from "./_state_helpers.ts";

Deno.test("deletes planned once a stopped instance started were never asked about: not sent", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 3 });
  await using client = await clientFor(mock);
  await invokeCall(client, "StopInstances", { instanceFilter: "globex" });
  const file = await writeState({
    version: 1,
    instances: {
      acme: { jobs: { prune: true, list: [] } },
      globex: { instance: { status: "running" }, users: { prune: true, list: [] } },
    },
  });
  const run = await runCliInProcess(["apply", file, "--format", "json", ...mockFlags(mock.port)], {
    env: USER,
    stdin: "y\ny\n",
    stdinIsTerminal: true,
    terminal: true,
  });
  const rows = JSON.parse(run.stdout).results as {
    instanceID: string;
    kind: string;
    action: string;
    outcome: string;
    error?: string;
  }[];
  const userDeletes = rows.filter((row) => row.instanceID === "globex" && row.kind === "user");
  assert(userDeletes.length > 0, run.stdout);
  for (const row of userDeletes) {
    assertEquals(row.outcome, "not-sent");
    assertMatch(row.error ?? "", /only once the instance ran, after the prune question/);
  }
  assert(rows.some((row) => row.kind === "job" && row.outcome === "done"), run.stdout);
  assertEquals(mock.stats.byFunction.DeleteUser ?? 0, 0);
  // The next apply names them, and makes them after its yes.
  const again = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(again.code, 0, again.stderr);
  assertEquals(mock.stats.byFunction.DeleteUser, userDeletes.length);
});

Deno.test("an instance kept closed to service provider access: its stores are managed, the rest noted", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  mock.app.state.instance("acme")!.serviceProviderAccess = false;
  const file = {
    version: 1,
    instances: {
      acme: {
        instance: { archiveAdminEnabled: false },
        stores: [{ name: "Closed 2027", databasePath: "E:\\MailStore\\acme\\Closed 2027" }],
        users: [{ userName: "newbie" }],
      },
    },
  };
  const plan = await planOf(client, file);
  assertEquals(lines(plan), [
    'acme store Closed 2027 create: databasePath="E:\\\\MailStore\\\\acme\\\\Closed 2027"',
  ]);
  assertMatch(plan.tenants[0]!.notes.join(" "), /the file keeps it off: its users, jobs/);
  await applyPlan(client, plan);
  assertEquals(mock.app.state.instance("acme")!.serviceProviderAccess, false);
  assertEquals((await planOf(client, file)).summary, { create: 0, change: 0, delete: 0 });
});

Deno.test("stopping or freezing a running instance comes after its other changes", async () => {
  for (const status of ["stopped", "frozen"]) {
    await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
    await using client = await clientFor(mock);
    const file = {
      version: 1,
      instances: {
        acme: {
          instance: { status },
          compliance: { legalHoldEnabled: true },
          users: [{ userName: "late" }],
        },
      },
    };
    const plan = await planOf(client, file);
    assertEquals(lines(plan).at(-1), `acme instance acme change: status="${status}"`);
    const applied = await applyPlan(client, plan);
    assertEquals(applied.summary.done, plan.tenants[0]!.changes.length, JSON.stringify(applied));
    assertEquals(mock.app.state.instance("acme")!.status, status);
    const after = await planOf(client, file);
    assertEquals(after.summary, { create: 0, change: 0, delete: 0 });
  }
});

Deno.test("a renamed user is compared in full under its old name; the file may not reuse that name", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 2 });
  await using client = await clientFor(mock);
  const exported = await exportState(client, { instances: ["acme"], kinds: ["users"] });
  const [user] = exported.instances.acme!.users as { userName: string }[];
  const renamed = { ...user, userName: "renamed.user", renamedFrom: user!.userName };
  const file = { version: 1, instances: { acme: { users: [renamed] } } };
  assertEquals(lines(await planOf(client, file)), [
    `acme user renamed.user change: userName="renamed.user"`,
  ]);
  const reused = {
    version: 1,
    instances: { acme: { users: [renamed, { userName: user!.userName.toUpperCase() }] } },
  };
  const error = await planOf(client, reused).then(
    (plan) => plan.tenants[0]!.error ?? "planned",
    (e: Error) => e.message,
  );
  assertMatch(
    error,
    /the user renamed\.user is renamed from .*, which is listed too\. Rename first/,
  );
  const caseOnly = await planOf(client, {
    version: 1,
    instances: { acme: { users: [{ userName: "X", renamedFrom: "x" }] } },
  }).then(() => "", (e: Error) => e.message);
  assertMatch(caseOnly, /compared without regard to case as the server does/);
});

Deno.test("prompts for secrets wait for each other: each answer goes to the user its prompt names", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  const file = await writeState({
    version: 1,
    instances: {
      acme: { users: [{ userName: "ua", initialPassword: { prompt: true } }] },
      globex: { users: [{ userName: "ug", initialPassword: { prompt: true } }] },
    },
  });
  const run = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
    stdin: "First-Answer-1\nSecond-Answer-2\n",
    stdinIsTerminal: true,
    terminal: true,
  });
  assertEquals(run.code, 0, run.stderr);
  const asked = [...run.stderr.matchAll(/The initial password of user (\w+) of instance (\w+): /g)]
    .map((m) => [m[2]!, m[1]!] as const);
  assertEquals(asked.length, 2, run.stderr);
  const passwordOf = ([instanceID, userName]: readonly [string, string]) =>
    mock.app.state.users(mock.app.state.instance(instanceID)!).get(userName)?.password;
  assertEquals([passwordOf(asked[0]!), passwordOf(asked[1]!)], [
    "First-Answer-1",
    "Second-Answer-2",
  ]);
});

Deno.test("export --instances: IDs that do not exist are a mistake; filters and lists mix", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 1 });
  const typo = await runCliInProcess(
    ["export", "--instances", "acme,nosuch", "--kinds", "none", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(typo.code, 2, typo.stderr);
  assertMatch(typo.stderr, /Instance nosuch does not exist: correct the ID/);
  const mixed = await runCliInProcess(
    [
      "export",
      "--instances",
      "ACME*,globex",
      "--kinds",
      "none",
      "--format",
      "json",
      ...mockFlags(mock.port),
    ],
    { env: USER },
  );
  assertEquals(mixed.code, 0, mixed.stderr);
  assertEquals(Object.keys(JSON.parse(mixed.stdout).instances).sort(), ["acme", "globex"]);
});

Deno.test("service provider access is closed even after a change of the instance failed", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  const file = await writeState({
    version: 1,
    instances: {
      acme: {
        instance: { archiveAdminEnabled: false },
        users: [{ userName: "nopw", initialPassword: { file: "/nonexistent/pw.txt" } }],
      },
    },
  });
  const run = await runCliInProcess(
    ["apply", file, "--yes", "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(run.code, 4, run.stderr);
  const rows = JSON.parse(run.stdout).results as { kind: string; outcome: string }[];
  assertEquals(rows.map((row) => `${row.kind} ${row.outcome}`), [
    "user failed",
    "instance done",
  ]);
  assertEquals(mock.app.state.instance("acme")!.serviceProviderAccess, false);
});

Deno.test("a new instance gets the log and VSS settings of the file with CreateInstance", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const host = mock.app.state.instance("acme")!.instanceHost;
  const file = {
    version: 1,
    instances: {
      fresh: {
        instance: {
          instanceHost: host,
          status: "running",
          debugLogEnabled: true,
          vssWriterEnabled: false,
        },
        users: [{ userName: "first" }],
      },
    },
  };
  const applied = await applyPlan(client, await planOf(client, file));
  assertEquals(applied.summary.failed, 0, JSON.stringify(applied));
  assertEquals((await planOf(client, file)).summary, { create: 0, change: 0, delete: 0 });
});

Deno.test("one instance that cannot be read never ends a plan, an apply or an export of the fleet", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  // globex has two jobs of one name: its jobs cannot be read into a state file; the others can.
  const jobs = (await invokeCall(client, "GetJobs", { instanceID: "globex" })).result ?? [];
  await invokeCall(client, "RenameJob", {
    instanceID: "globex",
    id: jobs[1]!.id,
    name: jobs[0]!.name,
  });
  const tenant = { users: [{ userName: "fleet.one" }], jobs: [] };
  const file = await writeState({
    version: 1,
    instances: { acme: tenant, globex: tenant, initech: tenant },
  });
  const plan = await runCliInProcess(["plan", file, "--format", "json", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(plan.code, 4, plan.stderr);
  const json = JSON.parse(plan.stdout);
  assertEquals(json.summary, { create: 2, change: 0, delete: 0 });
  assertEquals(json.failed.map((f: { instanceID: string }) => f.instanceID), ["globex"]);
  assertMatch(json.failed[0].error, /^Instance globex has two jobs named .*: rename one/);
  const apply = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(apply.code, 4, apply.stderr);
  assertMatch(apply.stderr, /Failed: globex: not planned: Instance globex has two jobs named/);
  assertEquals(mock.stats.byFunction.CreateUser, 2);
  const exported = await runCliInProcess(
    ["export", "--kinds", "users,jobs", "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(exported.code, 4, exported.stderr);
  assertMatch(
    exported.stderr,
    /globex: not exported \(Instance globex has two jobs named .*\); the file leaves it out/,
  );
  assertEquals(Object.keys(JSON.parse(exported.stdout).instances).sort(), ["acme", "initech"]);
});

Deno.test("a connection that breaks during a plan is one line for the run, not a row per instance", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 1 });
  mock.faults.add({ kind: "drop-before-body", function: "GetUsers" });
  const tenant = { users: [{ userName: "someone" }] };
  const file = await writeState({
    version: 1,
    instances: { acme: tenant, globex: tenant, initech: tenant },
  });
  const plan = await runCliInProcess(["plan", file, "--format", "json", ...mockFlags(mock.port)], {
    env: USER,
  });
  assert(plan.code !== 0 && plan.code !== 4 && plan.code !== 10, `exit ${plan.code}`);
  assertEquals(plan.stdout, "");
  const errors = plan.stderr.split("\n").filter((line) => line.startsWith("error:"));
  assertEquals(errors.length, 1, plan.stderr);
  assert(!/not planned/.test(plan.stderr), plan.stderr);
});

Deno.test("names are taken as written: spaces round the name, or a name of spaces, plan no change", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  await invokeCall(client, "CreateUser", {
    instanceID: "acme",
    userName: " padded ",
    privileges: "login",
  });
  await invokeCall(client, "CreateUser", {
    instanceID: "acme",
    userName: " ",
    privileges: "login",
  });
  await invokeCall(client, "CreateJob", {
    instanceID: "acme",
    name: "nightly ",
    action: "VerifyStores",
    timeZoneId: "$Local",
    time: "02:00",
  });
  const dir = await Deno.makeTempDir({ prefix: "mspe-edges-" });
  const file = join(dir, "t.yaml");
  const exported = await runCliInProcess(["export", "--output", file, ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(exported.code, 0, exported.stderr);
  mock.stats.reset();
  const applied = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(applied.code, 0, applied.stderr);
  assertMatch(applied.stderr, /No changes: the servers match the state file \(2 instances\)/);
  assertEquals(mock.stats.byFunction.CreateUser ?? 0, 0);
});

Deno.test("export: a warning that quotes server text is safe text; a password in the data stays YAML", async () => {
  const password = "Strong-Pass-42";
  await using mock = await startMock({ instances: 1, usersPerInstance: 1, password });
  await using client = await clientFor(mock, { password });
  const evil = "evil\x1b]0;pwned\x07\x1b[2J\rfake\u202eline" + "L".repeat(50_000);
  for (let i = 0; i < 2; i++) {
    await invokeCall(client, "CreateJob", {
      instanceID: "acme",
      name: evil,
      action: "VerifyStores",
      timeZoneId: "$Local",
      time: "02:00",
    });
  }
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: password };
  const refused = await runCliInProcess(["export", "--kinds", "jobs", ...mockFlags(mock.port)], {
    env,
  });
  assertEquals(refused.code, 4, refused.stderr);
  const warning = refused.stderr.split("\n").find((line) => line.includes("not exported"))!;
  for (const raw of ["\x07", "\x1b", "\r", "\u202e"]) {
    assert(!warning.includes(raw), `${JSON.stringify(raw)} in ${warning.slice(0, 200)}`);
  }
  assert(warning.length < 5000, `the warning is ${warning.length} characters`);
  // A full name that is the API password is written "***", quoted: the file still parses.
  const user = [...mock.app.state.users(mock.app.state.instance("acme")!).values()]
    .find((item) => item.userName !== "$archiveadmin")!;
  user.fullName = password;
  const file = join(await Deno.makeTempDir({ prefix: "mspe-edges-" }), "t.yaml");
  const exported = await runCliInProcess(
    ["export", "--kinds", "users", "--output", file, ...mockFlags(mock.port)],
    { env },
  );
  assertEquals(exported.code, 0, exported.stderr);
  assertMatch(exported.stderr, /written as \*\*\*/);
  const { parse } = await import("yaml");
  const text = await Deno.readTextFile(file);
  assert(!text.includes(password));
  parse(text);
});
