/**
 * The shape of what `deno compile` builds. The dispatcher loads each command with a dynamic
 * `import()` so that `mspe-run --version` loads almost nothing; `deno compile` (like `deno info`)
 * includes a dynamic import only when its specifier is a string literal. So: every dynamic import
 * is a literal, every command module is in the entrypoint's graph, and what loads before the
 * command is known is a handful of small modules. One permission set in deno.json serves the
 * compile tasks, the mock and demo tasks, and the tests.
 */

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { DENO_RUN_ARGS, ROOT, ROOT_URL } from "./cli_helpers.ts";
import { MSPE_VARIABLES } from "../lib/cli/settings/table.ts";
import { STATE_VARIABLES } from "../lib/cli/state/variables.ts";

interface InfoDependency {
  specifier: string;
  code?: { specifier?: string };
  isDynamic?: boolean;
}
interface InfoModule {
  specifier: string;
  kind: string;
  local?: string;
  dependencies?: InfoDependency[];
}

async function moduleGraph(entry: string): Promise<InfoModule[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}

/**
 * Dynamic imports that `deno compile` cannot follow: an `import(` in the code of a local module
 * whose argument is not one string literal.
 */
async function opaqueDynamicImports(modules: InfoModule[]): Promise<string[]> {
  const found: string[] = [];
  for (const module of modules) {
    if (!module.local || !/\.[jt]s$/.test(module.local)) continue;
    // Comments are dropped first: doc examples may show import() in prose.
    const code = (await Deno.readTextFile(module.local))
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    const all = code.match(/\bimport\s*\(/g)?.length ?? 0;
    const literal = code.match(/\bimport\s*\(\s*("[^"$`]+"|'[^'$`]+')\s*\)/g)?.length ?? 0;
    if (all !== literal) {
      found.push(`${module.specifier}: ${all - literal} import(...) not literal`);
    }
  }
  return found;
}

/** The modules that load before any dynamic import runs: static, non-type edges only. */
function staticClosure(modules: InfoModule[], entry: string): string[] {
  const bySpecifier = new Map(modules.map((m) => [m.specifier, m]));
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const module = bySpecifier.get(queue.pop()!);
    for (const dependency of module?.dependencies ?? []) {
      const target = dependency.code?.specifier;
      if (!target || dependency.isDynamic || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen].sort();
}

Deno.test("the entrypoint's graph holds every command, and every dynamic import is a literal", async () => {
  const modules = await moduleGraph("scripts/mspe_run.ts");
  const local = modules.filter((m) => m.specifier.startsWith("file:"));
  const commands = [...Deno.readDirSync(`${ROOT}lib/cli/commands`)]
    .filter((entry) => entry.isFile && entry.name.endsWith(".ts"))
    .map((entry) => `lib/cli/commands/${entry.name}`);
  assert.ok(commands.length >= 8, commands.join(" "));
  // The whole CLI is in the graph: every command, the examples, the mock and the client.
  for (
    const path of [
      ...commands,
      "scripts/example4.ts",
      "lib/mock/mod.ts",
      "mod.ts",
      "deno.json",
    ]
  ) {
    const url = new URL(path, ROOT_URL).href;
    assert.ok(local.some((m) => m.specifier === url), path);
  }
  assert.deepEqual(await opaqueDynamicImports(modules), []);
  // Nothing from tests, dist or the tool install is pulled in.
  assert.deepEqual(
    local.filter((m) => /\/(tests|dist|\.tools|node_modules)\//.test(m.specifier)),
    [],
  );
  // Remote code is only npm:hono (the mock's router) and npm:yaml (YAML state files); no JSR and
  // no http(s) imports.
  const remote = modules.filter((m) => !m.specifier.startsWith("file:") && m.kind !== "node");
  assert.ok(
    remote.every((m) => /^npm:\/(hono|yaml)@/.test(m.specifier)),
    JSON.stringify(remote.map((m) => m.specifier)),
  );
});

Deno.test("before the command is known, mspe-run loads only the dispatcher and its version", async () => {
  const entry = new URL("scripts/mspe_run.ts", ROOT_URL).href;
  const loaded = staticClosure(await moduleGraph("scripts/mspe_run.ts"), entry)
    .map((specifier) => specifier.replace(ROOT_URL, ""));
  assert.deepEqual(loaded, [
    "deno.json",
    "lib/cli/io/io.ts",
    "lib/cli/main.ts",
    "lib/cli/version.ts",
    "scripts/mspe_run.ts",
  ]);
});

Deno.test("mspe-run call loads the node:https path, node:crypto and mod.ts only when they are used", async () => {
  // The default path of a call (fetch, with or without --ca-cert) needs none of them; they load
  // with a literal import() (or process.getBuiltinModule) for a pin, --insecure, --tls-version,
  // tls-info, or the full parse of the CA files after a refused certificate (lib/ca_certificates.ts).
  const entry = new URL("lib/cli/commands/call.ts", ROOT_URL).href;
  const loaded = staticClosure(await moduleGraph("lib/cli/commands/call.ts"), entry)
    .map((specifier) => specifier.replace(ROOT_URL, ""));
  for (const heavy of ["node:https", "node:http", "node:tls", "node:net", "node:crypto"]) {
    assert.ok(!loaded.includes(heavy), `${heavy} is loaded statically by call`);
  }
  for (const module of ["mod.ts", "lib/_transport_node.ts", "lib/mock/mod.ts"]) {
    assert.ok(!loaded.includes(module), `${module} is loaded statically by call`);
  }
  // The check sees what it looks for: the transport is there, and tls-info's node:tls.
  assert.ok(loaded.includes("lib/_transport.ts"), loaded.join("\n"));
  const tlsInfo = new URL("lib/cli/commands/tls_info.ts", ROOT_URL).href;
  const all = await moduleGraph("lib/cli/commands/tls_info.ts");
  const dynamic = all.flatMap((m) => m.dependencies ?? []).filter((d) => d.isDynamic)
    .map((d) => d.code?.specifier ?? d.specifier);
  assert.ok(staticClosure(all, tlsInfo).length > 0);
  assert.ok(dynamic.includes("node:tls"), dynamic.join("\n"));
});

Deno.test("the dynamic-import check finds one that is not a literal", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.ts`, "export const x = 1;\n");
    await Deno.writeTextFile(
      `${dir}/entry.ts`,
      'const name = "./x.ts";\nawait import(name);\nawait import("./x.ts");\n',
    );
    // A file URL: deno info reads a Windows path (C:\\...) as a URL of the scheme "c:".
    const modules = await moduleGraph(pathToFileURL(`${dir}/entry.ts`).href);
    const found = await opaqueDynamicImports(modules);
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0] ?? "", /1 import\(\.\.\.\) not literal/);
    // The literal one is in the graph, as deno compile would include it.
    assert.ok(modules.some((m) => m.specifier.endsWith("/x.ts")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("one permission set for compile, tasks and tests: the least the CLI needs", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const set = config.permissions?.["mspe-run"];
  assert.ok(set, 'deno.json has permissions["mspe-run"]');
  assert.deepEqual(Object.keys(set).sort(), ["env", "ffi", "net", "read", "sys", "write"]);
  // FFI: only crypt32.dll's DPAPI, for --credential-file and credential save on Windows.
  assert.equal(set.ffi, true);
  // Write: `profile add|remove` (the config file) and `report --output` write files whose place is
  // known only at run time (%APPDATA%, $XDG_CONFIG_HOME, MSPE_CONFIG, a path given).
  assert.equal(set.write, true);
  // Sys: only the system's CA store, which node:tls reads when --ca-cert adds to it (the node:https
  // path for --pin-sha256, --insecure, --tls-version, and tls-info).
  assert.deepEqual(set.sys, ["ca"]);
  assert.equal(set.net, true);
  // Read: --ca-cert and --password-file name files at run time, anywhere.
  assert.equal(set.read, true);
  // Env: exactly the MSPE_ variables the CLI reads, and those of state files (lib/cli/state).
  assert.deepEqual([...set.env].sort(), [...MSPE_VARIABLES, ...STATE_VARIABLES].sort());
  // Every task has a description, which `deno task` lists.
  const tasks: Record<string, string> = {};
  for (const [name, task] of Object.entries(config.tasks)) {
    const { description, command } = task as { description?: string; command?: string };
    assert.ok(description && description.length > 10, `task ${name} has a description`);
    tasks[name] = command ?? "";
  }
  assert.equal(tasks["mspe-run"], "deno run -q -P=mspe-run scripts/mspe_run.ts");
  assert.equal(
    tasks.compile,
    "deno compile -P=mspe-run --output dist/mspe-run scripts/mspe_run.ts",
  );
  assert.equal(
    tasks["compile:windows"],
    "deno compile -P=mspe-run --target x86_64-pc-windows-msvc --output dist/mspe-run.exe scripts/mspe_run.ts",
  );
  for (const name of ["mock", "demo"]) {
    assert.match(tasks[name] ?? "", /^deno run -q -P=mspe-run scripts\//);
  }
  assert.ok(DENO_RUN_ARGS.includes("-P=mspe-run"));
  assert.ok(DENO_RUN_ARGS.every((arg) => !/^--allow|^-A$|^-[RWNE]/.test(arg)));
});
