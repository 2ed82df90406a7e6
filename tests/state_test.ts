// Tenants as code against the simulator over HTTPS: export, plan and apply (issue 20).

import assert from "node:assert/strict";
import { assertEquals, assertMatch } from "./_assert.ts";
import { invokeCall } from "../lib/invoke_call.ts";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";
import { mockFlags, type PlanJson } from "./cli_helpers.ts";
import { clientFor, startMock, waitFor } from "./_helpers.ts";
import { parseStateFile } from "../lib/desired_state/parse.ts";
import { planState } from "../lib/desired_state/plan.ts";
import { applyPlan } from "../lib/desired_state/apply.ts";
import { exportState } from "../lib/desired_state/export.ts";
import { findFunction } from "../lib/catalog.ts";
import { CONFIG_KINDS } from "../lib/desired_state/types.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

/** The state-changing requests among a count by function (what the catalogue does not mark read-only). */
function changing(byFunction: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byFunction).filter(([fn]) => findFunction("spe", fn)?.readOnly !== true),
  );
}

/** A terminal on which the person types `answers` (one a line). */
function terminalAnswering(answers: string) {
  return { env: USER, stdin: answers, stdinIsTerminal: true, terminal: true };
}

Deno.test("export then plan: no change for every kind, in YAML and JSON", async () => {
  // A password no exported value contains: every byte written is redacted of it.
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "Export-Test-Pw7" };
  // 12 instances: the simulator's seeded problems stop two of them (umbrella, hooli).
  await using mock = await startMock({
    instances: 12,
    usersPerInstance: 2,
    password: env.MSPE_PASSWORD,
  });
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  for (const name of ["tenants.yaml", "tenants.json"]) {
    const file = `${dir}/${name}`;
    const exported = await runCliInProcess(
      ["export", "--instances", "*", "--output", file, ...mockFlags(mock.port)],
      { env },
    );
    assertEquals(exported.code, 0, exported.stderr);
    const text = await Deno.readTextFile(file);
    // Editors complete the file: it names the schema as the package publishes it.
    assertMatch(
      text,
      /(^# yaml-language-server: \$schema=|"\$schema": ")https:\/\/jsr\.io\/@mspe\/mspe\/[^/]+\/lib\/desired_state\/state\.schema\.json/,
    );
    for (
      const kind of [
        "compliance",
        "directoryServices",
        "retentionPolicies",
        "smtpSettings",
        "indexConfiguration",
        "storeAutoCreate",
        "users",
        "folderPrivileges",
        "jobs",
        "stores",
        "profiles",
        "serverSideExecution",
        "archiveAdminEnabled",
      ]
    ) {
      assert(text.includes(kind), `${name} has no ${kind}`);
    }
    assert(!/password/i.test(text.replace(/"?(userName|authentication)"?:/g, "")), text);
    mock.stats.reset();
    const plan = await runCliInProcess(
      ["plan", file, "--format", "json", ...mockFlags(mock.port)],
      { env },
    );
    assertEquals(plan.code, 0, plan.stderr);
    const json = JSON.parse(plan.stdout) as PlanJson;
    assertEquals(json.summary, { create: 0, change: 0, delete: 0 });
    // A stopped instance is exported with its instance block only, and plans no change.
    assertEquals(json.notes, []);
    assert(/status: stopped|"status": "stopped"/.test(text), "no stopped instance exported");
    assertEquals(changing(mock.stats.byFunction), {}, "plan sent a state-changing call");
  }
});

Deno.test("export: --kinds; data that holds a weak password's word is written as it is", async () => {
  await using mock = await startMock({ instances: 1, usersPerInstance: 1 });
  // The simulator's password, admin, is also the word before @ in admin@... addresses: too weak
  // to hide inside data (mspe-run says so once), so the file holds what the server has.
  const run = await runCliInProcess(["export", ...mockFlags(mock.port)], { env: USER });
  assertEquals(run.code, 0, run.stderr);
  assertMatch(run.stderr, /The password is weak/);
  assert(!run.stdout.includes("***"), run.stdout);
  const some = await runCliInProcess(
    ["export", "--kinds", "compliance", "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(some.code, 0, some.stderr);
  const tenant = Object.values(JSON.parse(some.stdout).instances)[0] as Record<string, unknown>;
  assertEquals(Object.keys(tenant).sort(), ["compliance", "instance"]);
  const wrong = await runCliInProcess(["export", "--kinds", "smtp", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(wrong.code, 2);
  assertMatch(
    wrong.stderr,
    /Unknown kind "smtp" for --kinds\. Use users, jobs, stores, profiles, compliance, /,
  );
});

Deno.test("plan: a changed file shows exactly its changes, secrets never; exit code 10", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 2 });
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  await Deno.writeTextFile(`${dir}/jane.txt`, "S3cret-Initial!\n");
  await Deno.writeTextFile(
    `${dir}/tenants.yaml`,
    `version: 1
instances:
  acme:
    instance: { displayName: Acme Corporation }
    users:
      - userName: john.doe
        fullName: Johnny Doe
        privileges: [login, archive]
        emailAddresses: []
      - userName: jane.new
        fullName: Jane New
        emailAddresses: [jane.new@acme.example.com]
        privileges: [login]
        initialPassword: { file: ${dir}/jane.txt }
    compliance: { legalHoldEnabled: true }
    smtpSettings: { port: 25 }
`,
  );
  const plan = await runCliInProcess(
    ["plan", `${dir}/tenants.yaml`, "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(plan.code, 10, plan.stderr);
  assert(!plan.stdout.includes("S3cret"), "the secret is in the plan");
  const json = JSON.parse(plan.stdout) as PlanJson;
  assertEquals(json.summary, { create: 1, change: 4, delete: 0 });
  const shown = json.changes.map((c) =>
    `${c.kind} ${c.resource} ${c.action}: ${
      c.fields.map((f) => `${f.field}=${JSON.stringify(f.old)}->${JSON.stringify(f.new)}`).join(" ")
    }`
  );
  assertEquals(shown, [
    'instance acme change: displayName="Acme"->"Acme Corporation"',
    "compliance compliance change: legalHoldEnabled=false->true",
    "smtpSettings smtpSettings change: port=587->25",
    'user john.doe change: fullName="John Doe"->"Johnny Doe" emailAddresses=["john.doe@acme.example.com"]->[] privileges=["login"]->["login","archive"]',
    'user jane.new create: fullName=undefined->"Jane New" emailAddresses=undefined->["jane.new@acme.example.com"] privileges=undefined->["login"] initialPassword=undefined->"(set only on create)"',
  ]);
  const table = await runCliInProcess(
    ["plan", `${dir}/tenants.yaml`, "--format", "markdown", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(table.code, 10);
  assertMatch(
    table.stdout,
    /\| acme \| user \| jane\.new \| create \| .*initialPassword: \(set only on create\)/,
  );
  assertMatch(table.stdout, /Plan: 1 to create, 4 to change, 0 to delete\./);
  assertMatch(table.stderr, /2 instances are on the server but not in .*tenants\.yaml: /);
  assertEquals((JSON.parse(plan.stdout) as { unmanaged: string[] }).unmanaged.length, 2);

  // apply, then plan shows nothing; a second apply sends no state-changing call.
  const apply = await runCliInProcess(
    ["apply", `${dir}/tenants.yaml`, "--yes", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(apply.code, 0, apply.stderr);
  assert(!apply.stdout.includes("S3cret") && !apply.stderr.includes("S3cret"));
  assertMatch(apply.stderr, /Applied: 5 done, 0 failed/);
  await using client = await clientFor(mock);
  const desired = await parseStateFile(await Deno.readTextFile(`${dir}/tenants.yaml`), {
    file: `${dir}/tenants.yaml`,
  });
  assertEquals((await planState(client, desired)).summary, { create: 0, change: 0, delete: 0 });
  mock.stats.reset();
  const again = await runCliInProcess(
    ["apply", `${dir}/tenants.yaml`, "--yes", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(again.code, 0, again.stderr);
  assertEquals(changing(mock.stats.byFunction), {});
});

Deno.test("apply: asks first; no terminal without --yes refuses; --what-if sends nothing", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const file = `${dir}/t.json`;
  await Deno.writeTextFile(
    file,
    JSON.stringify({ version: 1, instances: { acme: { instance: { displayName: "Changed" } } } }),
  );
  mock.stats.reset();
  const refused = await runCliInProcess(["apply", file, ...mockFlags(mock.port)], { env: USER });
  assertEquals(refused.code, 2);
  assertMatch(refused.stderr, /add --yes/);
  const whatIf = await runCliInProcess(
    ["apply", file, "--what-if", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(whatIf.code, 0, whatIf.stderr);
  assertMatch(whatIf.stdout, /displayName: Acme -> Changed/);
  const declined = await runCliInProcess(
    ["apply", file, ...mockFlags(mock.port)],
    terminalAnswering("n\n"),
  );
  assertEquals(declined.code, 5, declined.stderr);
  assertEquals(changing(mock.stats.byFunction), {});
});

Deno.test("prune deletes only with its confirmation, and never $archiveadmin", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 3 });
  await using client = await clientFor(mock);
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const file = `${dir}/t.yaml`;
  await Deno.writeTextFile(
    file,
    "version: 1\ninstances:\n  acme:\n    users:\n      prune: true\n      list:\n        - userName: john.doe\n",
  );
  const users = async () =>
    ((await invokeCall(client, "GetUsers", { instanceID: "acme" })).result ?? []).map((u) =>
      u.userName
    )
      .sort();
  const before = await users();
  assertEquals(before.length, 4, String(before));
  // Yes to the plan, no to the deletes: nothing is deleted.
  const declined = await runCliInProcess(
    ["apply", file, ...mockFlags(mock.port)],
    terminalAnswering("y\nn\n"),
  );
  assertEquals(declined.code, 0, declined.stderr);
  assertMatch(declined.stdout, /not-sent/);
  assertEquals(await users(), before);
  const plan = await runCliInProcess(["plan", file, "--format", "json", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(plan.code, 10);
  assertEquals((JSON.parse(plan.stdout) as PlanJson).summary, { create: 0, change: 0, delete: 2 });
  const yes = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(yes.code, 0, yes.stderr);
  assertEquals(await users(), ["$archiveadmin", "john.doe"]);
});

Deno.test("onboarding a tenant from a CSV: apply creates and starts it, then its users", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const host = (await exportState(client, { instances: ["acme"] })).instances.acme?.instance
    ?.instanceHost;
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  await Deno.writeTextFile(`${dir}/pw.txt`, "Initial-1\n");
  await Deno.writeTextFile(
    `${dir}/newco-users.csv`,
    "userName,fullName,emailAddresses,privileges,loginPrivileges,initialPasswordFile\r\n" +
      `anna,Anna Berg,anna@newco.example,login;archive,web;outlook,${dir}/pw.txt\r\n` +
      `"bob","Bob, Jr.","bob@newco.example;b@newco.example",login,web,${dir}/pw.txt\r\n`,
  );
  await Deno.writeTextFile(
    `${dir}/newco.yaml`,
    `version: 1
defaults:
  instance: { instanceHost: ${host}, startMode: automatic, status: running }
instances:
  newco:
    instance: { displayName: NewCo, alias: newco, baseDirectory: 'E:\\MailStore\\newco' }
    users: { from: newco-users.csv }
    compliance: { legalHoldEnabled: true }
`,
  );
  const plan = await runCliInProcess(
    ["plan", `${dir}/newco.yaml`, "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(plan.code, 10, plan.stderr);
  assertEquals((JSON.parse(plan.stdout) as PlanJson).summary, { create: 1, change: 0, delete: 0 });
  const apply = await runCliInProcess(
    ["apply", `${dir}/newco.yaml`, "--yes", "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(apply.code, 0, apply.stderr);
  const rows = (JSON.parse(apply.stdout) as { results: { resource: string; outcome: string }[] })
    .results;
  assertEquals(rows.map((r) => `${r.resource}:${r.outcome}`), [
    "newco:done",
    "compliance:done",
    "anna:done",
    "bob:done",
  ]);
  const info = await invokeCall(client, "GetUserInfo", { instanceID: "newco", userName: "bob" });
  assertEquals(info.result?.fullName, "Bob, Jr.");
  assertEquals(info.result?.emailAddresses, ["bob@newco.example", "b@newco.example"]);
  const after = await runCliInProcess(
    ["plan", `${dir}/newco.yaml`, "--format", "json", ...mockFlags(mock.port)],
    { env: USER },
  );
  assertEquals(after.code, 0, after.stdout);
});

Deno.test("apply: a call that may have run names the resource; the next plan shows what is left", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const desired = await parseStateFile(
    JSON.stringify({
      version: 1,
      instances: {
        acme: { users: [{ userName: "u1", privileges: ["login"] }, { userName: "u2" }] },
      },
    }),
    { file: "t.json" },
  );
  const plan = await planState(client, desired);
  // The first CreateUser runs on the server, and its reply never arrives.
  mock.faults.add({ kind: "drop-before-body", function: "CreateUser", times: 1 });
  const result = await applyPlan(client, plan);
  assertEquals(result.results.map((r) => `${r.resource}:${r.outcome}`), [
    "u1:may-have-run",
    "u2:not-sent",
  ]);
  assertMatch(
    result.results[0]?.error ?? "",
    /CreateUser may or may not have run .*look at user u1 of instance acme/,
  );
  const left = await planState(client, desired);
  const again = await applyPlan(client, left);
  assertEquals(again.summary.failed + again.summary["may-have-run"], 0);
  assertEquals((await planState(client, desired)).summary, { create: 0, change: 0, delete: 0 });
});

Deno.test("state file mistakes are one line naming the file, the place and what to do", async () => {
  const cases: [string, string, RegExp][] = [
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    instance: { displayName: [oops\n",
      /^t\.yaml: line \d+ column \d+: is not valid YAML/,
    ],
    ["t.json", '{"version": 1, "instances": {', /^t\.json: line 1 column \d+: is not valid JSON/],
    [
      "t.json",
      '{"version": 1,\n "instances": {"acme": {"users": [{"userName": "a"},]}}}',
      /^t\.json: line 2 column 53: is not valid JSON \(Unexpected token '\]'\)/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    users:\n      - userName: a\n        password: x\n",
      /^t\.yaml: instances\.acme\.users\[0\]: unknown field "password"/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    users:\n      - userName: a\n        initialPassword: hunter2\n",
      /^t\.yaml: instances\.acme\.users\[0\]\.initialPassword: must name where the secret comes from/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    smtpSettings: { password: x }\n",
      /^t\.yaml: instances\.acme\.smtpSettings\.password: must name where the secret comes from/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    compliance: { password: { env: MSPE_SECRET_X } }\n",
      /^t\.yaml: instances\.acme\.compliance\.password: compliance has no password/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    stores: [{ name: A, requestedState: full }]\n",
      /^t\.yaml: instances\.acme\.stores\[0\]\.requestedState: must be one of current, normal/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    profiles: [{ name: P, serverSideExecution: { automatic: true } }]\n",
      /^t\.yaml: instances\.acme\.profiles\[0\]\.serverSideExecution\.automaticPauseBetweenExecutions: must be the seconds/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    users: [{ userName: a, folderPrivileges: { a: [read, fly] } }]\n",
      /^t\.yaml: instances\.acme\.users\[0\]\.folderPrivileges\.a: must be one of read, write, delete/,
    ],
    [
      "t.yaml",
      "version: 1\nprune: yes\ninstances: {}\n",
      /^t\.yaml: prune: must be true or false/,
    ],
    [
      "t.yaml",
      "version: 1\ninstances:\n  acme:\n    instance: { startMode: sometimes }\n",
      /^t\.yaml: instances\.acme\.instance\.startMode: must be one of automatic, manual/,
    ],
  ];
  for (const [file, text, expected] of cases) {
    const error = await parseStateFile(text, { file }).then(() => undefined, (e: Error) => e);
    if (error === undefined) throw new Error(`${file} parsed: ${text}`);
    assertMatch(error.message, expected);
    assert(!error.message.includes("\n"), error.message);
  }
  const csv = await parseStateFile(
    "version: 1\ninstances:\n  acme:\n    users: { from: u.csv }\n",
    { file: "t.yaml", readTextFile: () => Promise.resolve("userName,privileges\r\nx,flying\r\n") },
  ).then(() => undefined, (e: Error) => e);
  assertMatch(csv?.message ?? "", /^u\.csv: line 2\.privileges: must be one of admin/);
  const column = await parseStateFile(
    "version: 1\ninstances:\n  acme:\n    users: { from: u.csv }\n",
    { file: "t.yaml", readTextFile: () => Promise.resolve("userName,mail\r\nx,y\r\n") },
  ).then(() => undefined, (e: Error) => e);
  assertMatch(column?.message ?? "", /^u\.csv: line 1: unknown column "mail"\. Name the columns/);
});

Deno.test("the JSON Schema names every field export writes and the parser takes", async () => {
  const schema = JSON.parse(
    await Deno.readTextFile(new URL("../lib/desired_state/state.schema.json", import.meta.url)),
  );
  await using mock = await startMock({ instances: 3, usersPerInstance: 2 });
  await using client = await clientFor(mock);
  const file = await exportState(client);
  const tenantFields = Object.keys(schema.$defs.tenant.properties).sort();
  assertEquals(
    tenantFields,
    ["instance", "jobs", "users", "stores", "profiles", "prune", ...Object.keys(CONFIG_KINDS)]
      .sort(),
  );
  for (const tenant of Object.values(file.instances)) {
    for (const field of Object.keys(tenant.instance ?? {})) {
      assert(field in schema.$defs.instance.properties, `the schema lacks instance.${field}`);
    }
    for (const user of Array.isArray(tenant.users) ? tenant.users : []) {
      for (const field of Object.keys(user)) {
        assert(field in schema.$defs.user.properties, `the schema lacks users[].${field}`);
      }
    }
    for (const [block, def] of [["stores", "store"], ["profiles", "profile"]] as const) {
      const list = tenant[block];
      assert(Array.isArray(list) && list.length > 0, `export wrote no ${block}`);
      for (const item of list) {
        for (const field of Object.keys(item)) {
          assert(field in schema.$defs[def].properties, `the schema lacks ${block}[].${field}`);
        }
      }
    }
  }
  // What the schema takes, the parser takes, and the other way round.
  const userFields = Object.keys(schema.$defs.user.properties);
  const instanceFields = Object.keys(schema.$defs.instance.properties);
  for (const [where, fields] of [["user", userFields], ["instance", instanceFields]] as const) {
    const unknown = await parseStateFile(
      JSON.stringify({
        version: 1,
        instances: {
          acme: where === "user"
            ? { users: [{ userName: "a", bogus: 1 }] }
            : { instance: { bogus: 1 } },
        },
      }),
    ).then(() => "", (e: Error) => e.message);
    for (const field of fields) assert(unknown.includes(field), `${unknown} lacks ${field}`);
  }
});

Deno.test("jobs: created, rescheduled, disabled and pruned by name; then no change", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const before = (await invokeCall(client, "GetJobs", { instanceID: "acme" })).result ?? [];
  assert(before.length >= 2, `the simulator seeds jobs: ${JSON.stringify(before)}`);
  const [kept, changed] = before;
  const file = {
    version: 1,
    instances: {
      acme: {
        jobs: {
          prune: true,
          list: [
            { name: kept!.name },
            { name: changed!.name, schedule: { interval: 60 }, enabled: false },
            { name: "Nightly verify", action: "VerifyStores", schedule: { time: "2:00" } },
          ],
        },
      },
    },
  };
  const desired = await parseStateFile(JSON.stringify(file), { file: "jobs.json" });
  const plan = await planState(client, desired);
  const shown = plan.tenants[0]!.changes.map((c) =>
    `${c.resource} ${c.action}: ${c.fields.map((f) => `${f.field}=${JSON.stringify(f.new)}`)}`
  );
  assertEquals(shown.slice(0, 2), [
    `${changed!.name} change: schedule={"timeZoneId":"$Local","interval":60},enabled=false`,
    'Nightly verify create: action="VerifyStores",schedule={"timeZoneId":"$Local","time":"02:00:00"}',
  ]);
  assertEquals(shown.slice(2).every((line) => / delete: $/.test(line)), true, String(shown));
  const applied = await applyPlan(client, plan, { prune: true });
  assertEquals(applied.summary.done, plan.tenants[0]!.changes.length, JSON.stringify(applied));
  const after = await planState(client, desired);
  assertEquals(after.summary, { create: 0, change: 0, delete: 0 });
  const names = ((await invokeCall(client, "GetJobs", { instanceID: "acme" })).result ?? []).map((
    job,
  ) => job.name);
  assertEquals(names.sort(), [kept!.name, changed!.name, "Nightly verify"].sort());
  // A different action cannot be applied: the plan says what to do instead.
  const other = await parseStateFile(
    JSON.stringify({
      version: 1,
      instances: { acme: { jobs: [{ name: "Nightly verify", action: "CompactStore id=1" }] } },
    }),
    { file: "jobs.json" },
  );
  const refused = (await planState(client, other)).tenants[0]!.error ?? "planned";
  assertMatch(refused, /cannot change a job's action: give the new action a job of another name/);
});

Deno.test("README: the state file example parses", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Tenants as code"));
  const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (example === undefined) throw new Error("README has no yaml example under Tenants as code");
  const state = await parseStateFile(example, {
    file: "tenants.yaml",
    readTextFile: () => Promise.resolve("userName,fullName\r\njdoe,John Doe\r\n"),
  });
  assertEquals(state.tenants.map((tenant) => tenant.instanceID), ["acme", "globex"]);
  assertEquals(state.tenants[1]?.jobs?.list[0]?.schedule, {
    timeZoneId: "$Local",
    time: "02:00:00",
  });
  assertEquals(state.tenants[0]?.users?.prune, true);
});

Deno.test("apply moves a running instance to another host: stopped for the move, started again", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const other = "host99.spe.mock.test";
  await invokeCall(client, "CreateInstanceHost", {
    config: { serverName: other, serverCertificate: { thumbprint: "A".repeat(40) } },
  });
  const now = (await exportState(client, { instances: ["acme"] })).instances.acme?.instance;
  assertEquals(now?.status, "running");
  const desired = await parseStateFile(
    JSON.stringify({ version: 1, instances: { acme: { instance: { instanceHost: other } } } }),
  );
  mock.stats.reset();
  const applied = await applyPlan(client, await planState(client, desired));
  assertEquals(applied.summary.done, 1, JSON.stringify(applied));
  assertEquals(changing(mock.stats.byFunction), {
    StopInstances: 1,
    SetInstanceConfiguration: 1,
    StartInstances: 1,
  });
  const after = (await exportState(client, { instances: ["acme"] })).instances.acme?.instance;
  assertEquals([after?.instanceHost, after?.status], [other, "running"]);
});

Deno.test("README: the onboarding walk-through and the drift check run as written", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("### Walk-through: onboarding a tenant"));
  const blocks = [...section.matchAll(/```powershell\n([\s\S]*?)```/g)].slice(0, 2).map((m) =>
    m[1]!
  );
  const script = blocks.join("");
  const password = /\$env:MSPE_PASSWORD = '([^']+)'/.exec(script)?.[1];
  const secret = /\$env:MSPE_SECRET_NEWCO = '([^']+)'/.exec(script)?.[1];
  if (password === undefined || secret === undefined) throw new Error("walk-through changed");
  await using mock = await startMock({ instances: 3, usersPerInstance: 1, password });
  const dir = await Deno.makeTempDir({ prefix: "mspe-walk-" });
  for (const [, name, text] of script.matchAll(/Set-Content (\S+) @'\n([\s\S]*?)\n'@/g)) {
    await Deno.writeTextFile(`${dir}/${name}`, `${text}\n`);
  }
  {
    const commands = script.split("\n").filter((line) => line.startsWith("mspe-run "));
    assertEquals(commands.length, 5, commands.join("\n"));
    for (const line of commands) {
      const [command, comment = ""] = line.split(/\s+#\s*/);
      const argv = command!.trim().split(/\s+/).slice(1).map((word) =>
        word === "8474" ? String(mock.port) : word.replace(/^'(.*)'$/, "$1")
      ).map((word, i, all) =>
        all[i - 1] === "--output" || /\.(ya?ml)$/.test(word) ? `${dir}/${word}` : word
      );
      const run = await runCliInProcess(argv, {
        ...terminalAnswering("y\n"),
        env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: password, MSPE_SECRET_NEWCO: secret },
      });
      const expected = /exit (\d+)/.exec(comment)?.[1] ?? "0";
      assertEquals(String(run.code), expected, `${line}\n${run.stderr}`);
    }
    const ticket = await Deno.readTextFile(`${dir}/drift-ticket.txt`);
    assertMatch(ticket, /No changes: the servers match the state file \(4 instances\)/);
  }
});

Deno.test("apply: Ctrl-C starts no further change, lets those in flight finish, rows for all", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 1 });
  await using client = await clientFor(mock);
  const ids = Object.keys((await exportState(client, { kinds: [] })).instances).slice(0, 2);
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const file = `${dir}/t.json`;
  const users = ["u1", "u2", "u3", "u4"].map((userName) => ({ userName, privileges: ["login"] }));
  await Deno.writeTextFile(
    file,
    JSON.stringify({
      version: 1,
      instances: Object.fromEntries(ids.map((id) => [id, { users }])),
    }),
  );
  mock.faults.add({ kind: "latency", function: "CreateUser", latencyMs: 150 });
  const cli = new InProcessCli(
    ["apply", file, "--yes", "--format", "json", "--concurrency", "1", ...mockFlags(mock.port)],
    { env: USER },
  );
  await waitFor(() => (mock.stats.byFunction.CreateUser ?? 0) >= 1, "the first CreateUser", 10_000);
  cli.interrupt();
  const run = await cli.done;
  assertEquals(run.code, 130, run.stderr);
  assertMatch(run.stderr, /Ctrl-C: no further change starts/);
  const rows = (JSON.parse(run.stdout) as { results: { outcome: string }[] }).results;
  assertEquals(rows.length, 8);
  const outcomes = new Set(rows.map((row) => row.outcome));
  assert(!outcomes.has("failed") && !outcomes.has("may-have-run"), JSON.stringify(rows));
  const done = rows.filter((row) => row.outcome === "done").length;
  assert(done >= 1 && done < 8, `done ${done}`);
  // The next plan shows exactly what is left; apply again finishes it.
  const desired = await parseStateFile(await Deno.readTextFile(file), { file });
  assertEquals((await planState(client, desired)).summary.create, 8 - done);
  const again = await runCliInProcess(["apply", file, "--yes", ...mockFlags(mock.port)], {
    env: USER,
  });
  assertEquals(again.code, 0, again.stderr);
  assertEquals((await planState(client, desired)).summary.create, 0);
});
