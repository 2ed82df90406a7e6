// Keeps README.md true: the lists and commands it shows are checked against the code.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import assert from "node:assert/strict";
import { SIMULATED_FUNCTIONS } from "../lib/mock/mod.ts";
import { EXIT_CODE_HELP } from "../lib/cli/exit_codes.ts";
import { catalog } from "../lib/catalog.ts";
import { COMMANDS } from "../lib/cli/main.ts";
import { runMockCommand } from "../lib/mock/mod.ts";
import { LEADING_FLAGS } from "../lib/cli/settings/flags.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const ci = await Deno.readTextFile(new URL("../.ci/run", import.meta.url));
const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))) as {
  tasks: Record<string, string | { description?: string; command: string }>;
};

function between(marker: string): string {
  const start = readme.indexOf(`<!-- ${marker} -->`);
  const end = readme.indexOf(`<!-- /${marker} -->`);
  assert(start >= 0 && end > start, `README.md has no <!-- ${marker} --> block`);
  return readme.slice(start + marker.length + 9, end).trim();
}

Deno.test("README: the lists of simulated functions match SIMULATED_FUNCTIONS", () => {
  for (const product of ["spe", "server"] as const) {
    const listed = between(`simulated:${product}`).split(/,\s*/).map((name) =>
      name.replaceAll("`", "")
    );
    assertEquals(listed, [...SIMULATED_FUNCTIONS[product]]);
  }
  // The counts are said plainly, and are the catalogue's: every function is simulated.
  const spe = catalog("spe").length;
  const server = catalog("server").length;
  assert(readme.includes(`Simulated SPE functions (${SIMULATED_FUNCTIONS.spe.length}/${spe}):`));
  assert(
    readme.includes(
      `Simulated MailStore Server functions (${SIMULATED_FUNCTIONS.server.length}/${server}):`,
    ),
  );
  assert(readme.includes(`${spe}/${spe} SPE functions and ${server}/${server} MailStore Server`));
});

Deno.test("README: the quick start pins the Deno version that CI installs", () => {
  const ciVersion = /deno_version=(\S+)/.exec(ci)?.[1];
  assert(ciVersion, ".ci/run names no deno_version");
  const commands = [...readme.matchAll(/npx -y deno@(\S+) task (\S+)/g)];
  assertEquals(commands.map((match) => match[2]), ["demo", "test"]);
  for (const match of commands) assertEquals(match[1], ciVersion);
});

Deno.test("README: every `deno task` it names exists in deno.json", () => {
  const named = new Set([...readme.matchAll(/deno task ([a-z:-]+)/g)].map((match) => match[1]!));
  assert(named.size > 0);
  for (const task of named) assert(task in config.tasks, `deno.json has no task "${task}"`);
});

Deno.test("deno.json: every task has a description, which `deno task` lists", async () => {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["task"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const listed = new TextDecoder().decode(stdout);
  for (const [name, task] of Object.entries(config.tasks)) {
    assert(typeof task === "object" && task.description, `task ${name} has no description`);
    assert(listed.includes(task.description), `deno task does not list ${name}'s description`);
  }
});

Deno.test("README: the exit code table is the one mspe-run --help prints", () => {
  const rows = between("exit-codes").split("\n").slice(2).map((row) => {
    const [code, meaning] = row.split("|").slice(1, 3).map((cell) => cell.trim());
    return `${code}|${meaning}`;
  });
  const help = EXIT_CODE_HELP.split("\n").slice(1).map((line) => {
    const match = /^\s+(\d+)\s+(.*)$/.exec(line);
    assert(match, `unexpected help line: ${line}`);
    return `${match[1]}|${match[2]}`;
  });
  assertEquals(rows, help);
});

/** The flags a command accepts: its own and its groups' (`mock` has its own parser and help). */
async function flagsOf(command: string): Promise<Set<string>> {
  if (command === "mock") {
    const lines: string[] = [];
    await runMockCommand(["--help"], { out: (line) => lines.push(line) });
    return new Set([...lines.join("\n").matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
  }
  const entry = COMMANDS.find((c) => c.name === command);
  assert(entry, `mspe-run has no command ${command}`);
  return new Set(Object.keys({ ...(await entry.load()).flags, ...LEADING_FLAGS, help: {} }));
}

Deno.test("README: every flag it shows after mspe-run <command> is one that command accepts", async () => {
  const commands = new Set(COMMANDS.map((c) => c.name));
  const checked: string[] = [];
  for (const line of readme.split("\n")) {
    for (const match of line.matchAll(/(?:mspe-run|deno task mock)\b(.*)/g)) {
      // The command line ends at a comment, a pipe, a redirection, or the end of inline code.
      const segment = match[1]!.split(/\s#|[|`;>)]/)[0]!;
      const words = segment.trim().split(/\s+/);
      const command = match[0].startsWith("deno task mock")
        ? "mock"
        : words.find((word) => commands.has(word));
      const flags = [...segment.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!);
      if (command === undefined || flags.length === 0) continue;
      const known = await flagsOf(command);
      for (const flag of flags) {
        assert(known.has(flag), `README: mspe-run ${command} has no flag --${flag}: ${line}`);
        checked.push(`${command} --${flag}`);
      }
    }
  }
  assert(checked.length > 40, `only ${checked.length} flags found in README.md`);
});
