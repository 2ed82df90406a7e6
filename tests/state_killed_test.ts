// An apply killed mid-run, then run again (issue 20): "a process killed mid-apply and run again
// ends in the same state with each user created once". mspe-run runs as a real process with the
// permission set of deno.json and is ended with SIGKILL (TerminateProcess on Windows: no Ctrl-C
// handler, no finally block runs) while it creates users. The simulator runs in this process, so
// it can count every CreateUser per user name across both runs, and kill the process at the one
// moment that matters most: a CreateUser has run on the server, and its reply is not yet sent.

import assert from "node:assert/strict";
import { assertEquals } from "./_assert.ts";
import { CliProcess, type CliResult, mockFlags, runCli } from "./cli_helpers.ts";
import { startMock, waitFor } from "./_helpers.ts";

const SECRET = "Killed-Test-Initial-9";
const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin", MSPE_SECRET_KILLED: SECRET };
/** Users per instance: on one running instance of the simulator's, and on one apply creates. */
const USERS = 24;
/** The instance apply creates. */
const NEW_ID = "newco";
/** The CreateUser (counted over both instances) after whose work, before its reply, mspe-run dies. */
const KILL_AT = 12;
/** How long the killed run may take at most (it takes about half a second). */
const LIMIT_MS = 15_000;

interface ApplyJson {
  results: {
    instanceID: string;
    kind: string;
    resource: string;
    action: string;
    outcome: string;
  }[];
}

/** A user of the file: `user01`, ... */
function userName(i: number): string {
  return `user${String(i).padStart(2, "0")}`;
}

/** The state file, and the CSV from which both its instances take their users. */
async function writeStateFile(dir: string, running: string, host: string): Promise<string> {
  const rows = ["userName,fullName,emailAddresses,privileges,loginPrivileges,initialPasswordEnv"];
  for (let i = 1; i <= USERS; i++) {
    rows.push(
      `${userName(i)},User ${i},${userName(i)}@killed.example,login;archive,web,MSPE_SECRET_KILLED`,
    );
  }
  await Deno.writeTextFile(`${dir}/users.csv`, rows.join("\r\n") + "\r\n");
  const file = `${dir}/tenants.yaml`;
  await Deno.writeTextFile(
    file,
    `version: 1
instances:
  ${running}:
    users: { from: users.csv }
  ${NEW_ID}:
    instance:
      instanceHost: ${host}
      displayName: NewCo
      baseDirectory: 'E:\\MailStore\\newco'
      startMode: automatic
      status: running
    users: { from: users.csv }
`,
  );
  return file;
}

/** `instanceID/userName` of a change row. */
function keyOf(row: { instanceID: string; resource: string }): string {
  return `${row.instanceID}/${row.resource}`;
}

Deno.test("apply killed with SIGKILL mid-run, then run again: the same state, each user created once", async () => {
  await using mock = await startMock({ instances: 3, usersPerInstance: 2, problems: "none" });
  const { state } = mock.app;
  const running = state.instanceList()[0]!;
  const dir = await Deno.makeTempDir({ prefix: "mspe-killed-" });
  try {
    const file = await writeStateFile(dir, running.instanceID, running.instanceHost);
    const wanted = [running.instanceID, NEW_ID].flatMap((id) =>
      Array.from({ length: USERS }, (_, i) => `${id}/${userName(i + 1)}`)
    ).sort();
    assertEquals(state.instance(NEW_ID), undefined);
    assert(![...state.users(running).keys()].some((name) => name.startsWith("user")));
    const userOf = (key: string) => {
      const [id, name] = key.split("/") as [string, string];
      const instance = state.instance(id);
      return instance === undefined ? undefined : state.users(instance).get(name);
    };

    // The first run. It cannot reach the simulator before this block ends (the simulator serves
    // on this thread), so the request log below hears of each of its requests.
    const first = new CliProcess(
      ["apply", file, "--yes", "--format", "ndjson", ...mockFlags(mock.port)],
      { env: ENV },
    );
    // Every CreateUser the simulator answered, per instance and user name, over both runs. The
    // request log hears of a request when its reply is ready and before it is sent: killing the
    // process there loses the reply of a call that has run.
    const created = new Map<string, number>();
    let answered = 0;
    let killedAfter: string | undefined;
    mock.app.onRequest = (entry) => {
      answered++;
      if (entry.function !== "CreateUser") return;
      const key = `${entry.arguments.instanceID}/${entry.arguments.userName}`;
      created.set(key, (created.get(key) ?? 0) + 1);
      if (killedAfter === undefined && [...created.values()].reduce((a, b) => a + b) >= KILL_AT) {
        killedAfter = key;
        first.kill("SIGKILL");
      }
    };
    const arrived = () => mock.stats.byFunction.CreateUser ?? 0;
    const guard = Promise.withResolvers<CliResult>();
    const timer = setTimeout(() => {
      first.kill("SIGKILL");
      guard.reject(new Error(`apply reached no CreateUser number ${KILL_AT} in ${LIMIT_MS} ms`));
    }, LIMIT_MS);
    const killed = await Promise.race([first.done, guard.promise]).finally(() =>
      clearTimeout(timer)
    );
    // The kill must land mid-apply: a run that ended on its own, or sent every CreateUser before
    // it died, proves nothing, and fails the test.
    assert(
      killedAfter !== undefined,
      `apply ended (exit ${killed.code}) before the kill:\n${killed.stderr}`,
    );
    assert(killed.code !== 0, `the killed run exited 0:\n${killed.stderr}`);
    assert(!/Applied:/.test(killed.stderr), killed.stderr);
    // ndjson: a row per change as it ended, so the killed run left a record of what it did.
    const record = killed.stdout.split("\n").filter((line) => line !== "").map((line) =>
      JSON.parse(line) as ApplyJson["results"][number]
    );
    assert(record.length > 0, "the killed run left no record of what it did");
    assertEquals(
      record.filter((row) => row.outcome !== "done"),
      [],
      "a row of the record not done",
    );

    // A request of the killed run still in the simulator (the other instance's CreateUser, or the
    // one just answered) does its work: wait until every request that arrived is answered and no
    // job runs, so that the next run reads the state the killed one left, whole.
    await waitFor(
      () => answered === mock.stats.requests && mock.stats.runningJobs === 0,
      "the simulator to answer every request of the killed run",
      10_000,
    );
    const sentByFirst = arrived();
    assert(
      sentByFirst >= KILL_AT && sentByFirst < wanted.length,
      `the killed run sent ${sentByFirst} of ${wanted.length} CreateUser calls`,
    );
    // What the killed run left: users never sent, and users made whose addresses it never set
    // (SetUserEmailAddresses follows CreateUser), among them the one whose reply it never read.
    const missing = wanted.filter((key) => userOf(key) === undefined);
    const halfMade = wanted.filter((key) => userOf(key)?.emailAddresses.length === 0);
    assertEquals(missing.length, wanted.length - sentByFirst, "users missing after the kill");
    assert(halfMade.includes(killedAfter), `${killedAfter} is not half made: ${halfMade}`);
    // Each user the record names as created is whole; at most the last change of each instance
    // ended without its row (killed between the reply and the line).
    const recorded = record.filter((row) => row.kind === "user" && row.action === "create")
      .map(keyOf);
    const whole = wanted.filter((key) => (userOf(key)?.emailAddresses.length ?? 0) > 0);
    assertEquals(recorded.filter((key) => !whole.includes(key)), [], "recorded but not whole");
    assert(recorded.length >= whole.length - 2, `${recorded.length} of ${whole.length} recorded`);

    // The second run makes exactly what is left, each change once, and nothing fails.
    const again = await runCli(
      ["apply", file, "--yes", "--format", "json", ...mockFlags(mock.port)],
      { env: ENV },
    );
    assertEquals(again.code, 0, again.stderr);
    const rows = (JSON.parse(again.stdout) as ApplyJson).results.filter((row) =>
      row.kind === "user"
    );
    assertEquals(rows.filter((row) => row.outcome !== "done"), [], "rows not done");
    assertEquals(rows.filter((r) => r.action === "create").map(keyOf).sort(), missing);
    assertEquals(rows.filter((r) => r.action === "change").map(keyOf).sort(), halfMade);

    // The plan after it: no change (exit code 0).
    const plan = await runCli(
      ["plan", file, "--format", "json", ...mockFlags(mock.port)],
      { env: ENV },
    );
    assertEquals(plan.code, 0, plan.stdout + plan.stderr);
    assertEquals(JSON.parse(plan.stdout).summary, { create: 0, change: 0, delete: 0 });

    // Each desired user was sent one CreateUser over both runs, and no other user was created.
    // None existed before (checked above), so that one CreateUser found no user of its name: no
    // "already exists" error was possible, and every user was made by it.
    assertEquals([...created].filter(([, count]) => count !== 1), [], "CreateUser more than once");
    assertEquals([...created.keys()].sort(), wanted);
    assertEquals(mock.stats.byFunction.CreateInstance, 1);
    // The simulator has each user once (keyed by name) as the file says, with the initial
    // password of MSPE_SECRET_KILLED; the running instance has its 2 users and $archiveadmin too
    // (a new instance of the simulator comes with users of its own).
    assertEquals(state.instance(NEW_ID)?.status, "running");
    assertEquals(state.users(running).size, USERS + 3);
    for (const key of wanted) {
      const name = key.split("/")[1]!;
      const user = userOf(key);
      assertEquals(
        [user?.fullName, user?.emailAddresses, user?.privileges, user?.loginPrivileges],
        [`User ${Number(name.slice(4))}`, [`${name}@killed.example`], ["login", "archive"], [
          "web",
        ]],
        key,
      );
      assertEquals(user?.password === SECRET, true, `${key}: not the initial password`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
