// Keeps README.md true: the lists and commands it shows are checked against the code.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import assert from "node:assert/strict";
import { SIMULATED_FUNCTIONS } from "../lib/mock/mod.ts";
import { EXIT_CODE_HELP } from "../lib/cli/exit_codes.ts";
import { catalog } from "../lib/catalog.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const ci = await Deno.readTextFile(new URL("../.ci/run", import.meta.url));
const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))) as {
  tasks: Record<string, string>;
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
