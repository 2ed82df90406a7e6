// The rehearsal of tenants as code on a replica of one's own SPE (README: "Rehearsal: the same on a
// replica of your own SPE"), end to end over HTTPS: a simulator stands in for the real SPE,
// `mspe-run snapshot` reads it into a state file, a second simulator serves that file (the
// replica), and export, plan and apply run against the two as the README has them. The replica's
// export plans no change on either; an onboarding from the walk-through's CSV, applied on the
// replica, plans exactly the same change on the real SPE, which gets no state-changing call until
// the real apply. Also: the README's lines run as written, an anonymised replica's export is not
// one to plan against the real SPE, and a stopped instance keeps its settings on the replica.

import assert from "node:assert/strict";
import { join } from "node:path";
import { assertEquals, assertMatch } from "./_assert.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { CA_PEM_PATH, type PlanJson, ROOT } from "./cli_helpers.ts";
import { clientFor, startMock } from "./_helpers.ts";
import { invokeCall } from "../lib/invoke_call.ts";
import { findFunction } from "../lib/catalog.ts";
import type { MockServer } from "../lib/mock/mod.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** The README's rehearsal subsection, up to the next section. */
const SECTION = (() => {
  const start = readme.indexOf("### Rehearsal: the same on a replica of your own SPE");
  const end = readme.indexOf("## Fleet reports", start);
  assert(start >= 0 && end > start, "README.md has no rehearsal subsection before Fleet reports");
  return readme.slice(start, end);
})();

/** The PowerShell blocks of the rehearsal, in order. */
const BLOCKS = [...SECTION.matchAll(/```powershell\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** The tenant the README appends to the replica's export (its Add-Content here-string). */
const NEWCO = /^Add-Content tenants\.yaml @'\n([\s\S]*?)\n'@$/m.exec(BLOCKS.join(""))?.[1];

/** The instance host the README's tenant names: "one of your instance hosts". */
const HOST = /instanceHost: (\S+)/.exec(NEWCO ?? "")?.[1];

/** The replica's password, as the README starts it (`mspe-run mock ... --password X`). */
const REPLICA_PASSWORD = /mspe-run mock .*--password (\S+)/.exec(SECTION)?.[1];

/**
 * The walk-through's newco-users.csv, with its initial password from a file instead of
 * MSPE_SECRET_NEWCO: the CLI reads that from the process's environment, which other test files
 * running in parallel set and delete (tests/state_test.ts), so a file keeps this test to itself.
 */
function walkThroughCsv(secretFile: string): string {
  const walk = readme.slice(readme.indexOf("### Walk-through: onboarding a tenant"));
  const csv = /^Set-Content newco-users\.csv @'\n([\s\S]*?)\n'@$/m.exec(walk)?.[1];
  assert(csv !== undefined, "the walk-through has no newco-users.csv");
  assert(csv.includes("initialPasswordEnv") && csv.includes("MSPE_SECRET_NEWCO"), csv);
  return `${
    csv.replace("initialPasswordEnv", "initialPasswordFile").replaceAll(
      "MSPE_SECRET_NEWCO",
      secretFile,
    )
  }\n`;
}

/** The real SPE's API password: one that appears in none of its data. */
const REAL_PASSWORD = "Real-Spe-Pw-3";

/** The CA of both simulators, by absolute path (the CLI runs in a temporary folder). */
const CA = join(ROOT, CA_PEM_PATH);

/** The replica's export: the whole fleet, as the README exports it. */
const TENANTS = "tenants.yaml";

/** A plan's summary when nothing is to change. */
const NO_CHANGE = { create: 0, change: 0, delete: 0 };

/** The state-changing requests among a count by function (what the catalogue does not mark read-only). */
function changing(byFunction: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byFunction).filter(([fn]) => findFunction("spe", fn)?.readOnly !== true),
  );
}

/** The real SPE and its replica, with the folder of the files and how to reach each. */
interface Rehearsal {
  readonly original: MockServer;
  readonly replica: MockServer;
  readonly dir: string;
  /** What `mspe-run snapshot` printed on stderr. */
  readonly snapshotStderr: string;
  /** Runs mspe-run against `server` (its host, port, CA and password), in `dir`. */
  cli(argv: readonly string[], server: MockServer): ReturnType<typeof runCliInProcess>;
  /** `plan <file> --format json` against `server`: the exit code and the plan. */
  plan(file: string, server: MockServer): Promise<{ code: number; plan: PlanJson }>;
}

/**
 * Starts "the real SPE" (a seeded simulator, `prepare`d), takes `mspe-run snapshot` of it into
 * fleet.json (with `snapshotFlags`), serves the file with a second simulator, and runs `body`.
 */
async function withRehearsal(
  prepare: (original: MockServer) => Promise<void> | void,
  snapshotFlags: readonly string[],
  body: (rehearsal: Rehearsal) => Promise<void>,
): Promise<void> {
  assert(REPLICA_PASSWORD !== undefined, "the README starts no replica with --password");
  const dir = await Deno.makeTempDir({ prefix: "mspe-rehearsal-" });
  try {
    await using original = await startMock({
      instances: 4,
      usersPerInstance: 2,
      problems: "none",
      password: REAL_PASSWORD,
    });
    await prepare(original);
    original.stats.reset();
    const passwords = new Map<MockServer, string>([[original, REAL_PASSWORD]]);
    const cli: Rehearsal["cli"] = (argv, server) =>
      runCliInProcess(
        [...argv, "--host", "127.0.0.1", "--port", String(server.port), "--ca-cert", CA],
        { env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: passwords.get(server)! }, cwd: dir },
      );
    const snapshot = await cli(["snapshot", "--output", "fleet.json", ...snapshotFlags], original);
    assertEquals(snapshot.code, 0, snapshot.stderr);
    await using replica = await startMock({
      state: join(dir, "fleet.json"),
      password: REPLICA_PASSWORD,
    });
    passwords.set(replica, REPLICA_PASSWORD);
    await body({
      original,
      replica,
      dir,
      snapshotStderr: snapshot.stderr,
      cli,
      async plan(file, server) {
        const run = await cli(["plan", file, "--format", "json"], server);
        assert(run.code === 0 || run.code === 10, `plan: exit ${run.code}\n${run.stderr}`);
        return { code: run.code, plan: JSON.parse(run.stdout) as PlanJson };
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Gives the real SPE the instance host the README's tenant names, as the reader's SPE has it. */
async function addReadmeHost(original: MockServer): Promise<void> {
  assert(HOST !== undefined && NEWCO !== undefined, "the README appends no tenant to the export");
  await using client = await clientFor(original, { password: REAL_PASSWORD });
  await invokeCall(client, "CreateInstanceHost", {
    config: { serverName: HOST, serverCertificate: { thumbprint: "B".repeat(40) } },
  });
}

/** One line per change: what the plan would do, field by field. */
function shown(plan: PlanJson): string[] {
  return plan.changes.map((c) =>
    `${c.instanceID} ${c.kind} ${c.resource} ${c.action}: ${
      c.fields.map((f) => `${f.field}=${JSON.stringify(f.old)}->${JSON.stringify(f.new)}`).join(
        " ",
      )
    }`
  );
}

Deno.test("rehearsal: the replica's export plans no change on it nor on the real SPE; an onboarding rehearsed on it plans the same there", async () => {
  await withRehearsal(addReadmeHost, [], async ({ original, replica, dir, cli, plan }) => {
    const exported = await cli(["export", "--instances", "*", "--output", TENANTS], replica);
    assertEquals(exported.code, 0, exported.stderr);

    // The replica is faithful: its export is what both servers have.
    for (const [name, server] of [["replica", replica], ["real SPE", original]] as const) {
      const { code, plan: json } = await plan(TENANTS, server);
      assertEquals(
        { code, summary: json.summary, notes: json.notes, unmanaged: json.unmanaged },
        { code: 0, summary: NO_CHANGE, notes: [], unmanaged: [] },
        `the replica's export against the ${name}: ${shown(json).join("\n")}`,
      );
    }

    // Onboarding: the README's tenant appended to a copy, its users from the walk-through's CSV.
    await Deno.writeTextFile(join(dir, "newco-pw.txt"), "Welcome-2026!\n");
    await Deno.writeTextFile(
      join(dir, "newco-users.csv"),
      walkThroughCsv(join(dir, "newco-pw.txt")),
    );
    await Deno.writeTextFile(
      join(dir, "onboard.yaml"),
      `${await Deno.readTextFile(join(dir, TENANTS))}${NEWCO}\n`,
    );
    const rehearsed = await plan("onboard.yaml", replica);
    assertEquals(rehearsed.code, 10);
    assertEquals(rehearsed.plan.summary, { create: 1, change: 0, delete: 0 });
    // A new instance is one change; its users and configuration are made once it runs.
    assertEquals(shown(rehearsed.plan), [
      `newco instance newco create: instanceHost=undefined->"${HOST}" displayName=undefined->"NewCo" baseDirectory=undefined->"E:\\\\MailStore\\\\newco" status=undefined->"running"`,
    ]);
    assertEquals(rehearsed.plan.notes.length, 1);

    const applied = await cli(["apply", "onboard.yaml", "--yes", "--format", "json"], replica);
    assertEquals(applied.code, 0, applied.stderr);
    assert(!applied.stdout.includes("Welcome-2026") && !applied.stderr.includes("Welcome-2026"));
    const rows =
      (JSON.parse(applied.stdout) as { results: { resource: string; outcome: string }[] })
        .results;
    assertEquals(rows.map((r) => `${r.resource}:${r.outcome}`), [
      "newco:done",
      "compliance:done",
      "anna:done",
      "bob:done",
    ]);

    // The replica has it now; the real SPE shows exactly the rehearsed plan, and nothing else.
    const after = await plan("onboard.yaml", replica);
    assertEquals([after.code, after.plan.summary], [0, NO_CHANGE]);
    const real = await plan("onboard.yaml", original);
    assertEquals(real.code, 10);
    assertEquals(real.plan, rehearsed.plan);
    // Snapshot and plans read only: the real SPE got no state-changing call.
    assertEquals(changing(original.stats.byFunction), {});
    assert((original.stats.byFunction.GetUsers ?? 0) > 0, "the real SPE was not read");
    assertEquals(original.app.state.instance("newco"), undefined);
  });
});

Deno.test("README: the rehearsal on a replica runs as written, against a simulator standing in for your SPE", async () => {
  await withRehearsal(addReadmeHost, [], async ({ original, replica, dir, plan }) => {
    // The snapshot above is the README's first line; the rest run here as the README has them.
    // The walk-through's CSV is where the reader has it, in the working folder.
    await Deno.writeTextFile(join(dir, "newco-pw.txt"), "Welcome-2026!\n");
    await Deno.writeTextFile(join(dir, "newco-users.csv"), walkThroughCsv("newco-pw.txt"));
    const env: Record<string, string> = {};
    const ran: string[] = [];
    let replicaPort: string | undefined;
    let hereString: { file: string; lines: string[] } | undefined;
    for (const line of BLOCKS.join("").split("\n")) {
      if (hereString) {
        if (line === "'@") {
          const file = join(dir, hereString.file);
          await Deno.writeTextFile(file, `${hereString.lines.join("\n")}\n`, { append: true });
          hereString = undefined;
        } else hereString.lines.push(line);
        continue;
      }
      const append = /^Add-Content (\S+) @'$/.exec(line);
      if (append) {
        hereString = { file: append[1]!, lines: [] };
        continue;
      }
      // $env:NAME = 'value' is set; a value read from a file is the reader's own password.
      const variable = /^\$env:(\w+) = (?:'([^']*)'|Get-Content \S+)/.exec(line);
      if (variable) {
        env[variable[1]!] = variable[2] ?? REAL_PASSWORD;
        continue;
      }
      if (!line.startsWith("mspe-run ")) {
        assert(line.trim() === "", `a README line this test does not know: ${line}`);
        continue;
      }
      const [command, comment = ""] = line.split(/\s+#\s*/);
      const words = command!.trim().split(/\s+/).slice(1).map((w) => w.replace(/^'(.*)'$/, "$1"));
      if (words[0] === "snapshot") {
        // Taken by withRehearsal with these very words (but the server's address).
        assertEquals(words, ["snapshot", "--output", "fleet.json", "--host", "spe.example.com"]);
        ran.push(line);
        continue;
      }
      if (words[0] === "mock") {
        // Started by withRehearsal: the file the snapshot wrote, this password.
        assertEquals(words.slice(0, 3), ["mock", "--state", "fleet.json"]);
        assertEquals(words[words.indexOf("--password") + 1], REPLICA_PASSWORD);
        replicaPort = words[words.indexOf("--port") + 1];
        ran.push(line);
        continue;
      }
      // The replica's port is the one its line named; "your SPE" is the other simulator.
      const argv = words.flatMap((word, i) =>
        word === replicaPort && words[i - 1] === "--port"
          ? [String(replica.port)]
          : word === "spe.example.com" && words[i - 1] === "--host"
          ? ["127.0.0.1", "--port", String(original.port), "--ca-cert", CA]
          : [word]
      );
      const run = await runCliInProcess(argv, {
        env,
        cwd: dir,
        // `# y: ...`: the README gives the answer to apply's question, typed at a terminal.
        ...(/^y:/.test(comment) ? { stdin: "y\n", stdinIsTerminal: true, terminal: true } : {}),
      });
      const expected = Number(/\bexit (\d+)\b/.exec(comment)?.[1] ?? 0);
      assertEquals(run.code, expected, `README: ${line}\n${run.stdout}\n${run.stderr}`);
      if (/--host spe\.example\.com/.test(line) && words[0] === "plan") {
        assertMatch(run.stdout + run.stderr, /Plan: 1 to create, 0 to change, 0 to delete\./);
      }
      ran.push(line);
    }
    assertEquals(hereString, undefined, "an Add-Content here-string without its end");
    // The sh block appends the same tenant.
    const heredoc = /^cat >> tenants\.yaml <<'EOF'\n([\s\S]*?)\nEOF$/m.exec(SECTION)?.[1];
    assertEquals(heredoc, NEWCO, "the sh block's tenant is not the PowerShell block's");
    // snapshot, mock; export, plan, apply, plan on the replica; plan and apply on "your SPE".
    assertEquals(ran.length, 8, ran.join("\n"));
    // The real apply made the tenant with its users: the file plans no change there now.
    await using client = await clientFor(original, { password: REAL_PASSWORD });
    const users = await invokeCall(client, "GetUsers", { instanceID: "newco" });
    const names = users.result?.map((user) => user.userName) ?? [];
    assert(names.includes("anna") && names.includes("bob"), names.join(", "));
    assertEquals((await plan(TENANTS, original)).code, 0);
  });
});

Deno.test("rehearsal: an anonymised replica's export would create every instance anew on the real SPE", async () => {
  await withRehearsal(() => {}, ["--anonymize"], async ({ original, replica, cli, plan }) => {
    const exported = await cli(["export", "--instances", "*", "--output", TENANTS], replica);
    assertEquals(exported.code, 0, exported.stderr);
    const onReplica = await plan(TENANTS, replica);
    assertEquals([onReplica.code, onReplica.plan.summary], [0, NO_CHANGE]);
    const onReal = await plan(TENANTS, original);
    const ids = original.app.state.instanceList().map((instance) => instance.instanceID);
    assertEquals(onReal.code, 10);
    assertEquals(onReal.plan.summary, { create: ids.length, change: 0, delete: 0 });
    assert(onReal.plan.changes.every((c) => c.kind === "instance" && c.action === "create"));
    assertEquals([...onReal.plan.unmanaged].sort(), [...ids].sort());
  });
});

Deno.test("rehearsal: a stopped instance's settings are in the snapshot: plan shows no change", async () => {
  const stopped = (original: MockServer) => {
    // A stopped instance whose settings are not the simulator's defaults, as a real one may be.
    const globex = original.app.state.instance("globex")!;
    globex.status = "stopped";
    globex.processID = null;
    globex.baseDirectory = "D:\\SPE\\globex";
    globex.debugLogEnabled = true;
    globex.vssWriterEnabled = false;
  };
  await withRehearsal(stopped, [], async ({ original, replica, cli, plan, snapshotStderr }) => {
    assertMatch(snapshotStderr, /Could not read the instance of globex: The instance is stopped/);
    const exported = await cli(["export", "--instances", "*", "--output", TENANTS], replica);
    assertEquals(exported.code, 0, exported.stderr);
    const onReplica = await plan(TENANTS, replica);
    assertEquals([onReplica.code, onReplica.plan.summary], [0, NO_CHANGE]);
    const onReal = await plan(TENANTS, original);
    // The server answers GetInstanceConfiguration for a stopped instance: the snapshot keeps its
    // base directory and log and VSS settings, so nothing differs from the real SPE.
    assertEquals({ code: onReal.code, changes: shown(onReal.plan) }, { code: 0, changes: [] });
  });
});
