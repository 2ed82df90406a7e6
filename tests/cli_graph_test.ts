/**
 * The shape of what `deno compile` builds: the entrypoint's module graph has no dynamic imports, and
 * one permission set in deno.json serves the compile tasks, the mock and demo tasks, and the tests.
 */

import assert from "node:assert/strict";
import { MSPE_VARIABLES } from "../lib/cli/io.ts";
import { DENO_RUN_ARGS, ROOT } from "./cli_helpers.ts";

interface InfoDependency {
  specifier: string;
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

/** Dynamic imports: those deno info sees, and `import(` in the code of local modules. */
async function dynamicImports(modules: InfoModule[]): Promise<string[]> {
  const found: string[] = [];
  for (const module of modules) {
    for (const dependency of module.dependencies ?? []) {
      if (dependency.isDynamic) found.push(`${module.specifier} -> ${dependency.specifier}`);
    }
    if (module.local && /\.[jt]s$/.test(module.local)) {
      // Comments are dropped first: doc examples may show import() in prose.
      const code = (await Deno.readTextFile(module.local))
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      if (/\bimport\s*\(/.test(code)) found.push(`${module.specifier}: import(...)`);
    }
  }
  return found;
}

Deno.test("the entrypoint's graph has no dynamic imports", async () => {
  const modules = await moduleGraph("scripts/mspe_run.ts");
  const local = modules.filter((m) => m.specifier.startsWith("file:"));
  // The whole CLI is in the graph: every command, the examples, the mock and the client.
  for (
    const path of [
      "lib/cli/commands/mock.ts",
      "scripts/example4.ts",
      "lib/mock/mod.ts",
      "mod.ts",
      "deno.json",
    ]
  ) {
    const url = new URL(path, `file://${ROOT}`).href;
    assert.ok(local.some((m) => m.specifier === url), path);
  }
  assert.deepEqual(await dynamicImports(modules), []);
  // Nothing from tests, dist or the tool install is pulled in.
  assert.deepEqual(
    local.filter((m) => /\/(tests|dist|\.tools|node_modules)\//.test(m.specifier)),
    [],
  );
  // Remote code is only npm:hono (the mock's router); no jsr:, no http(s): imports.
  const remote = modules.filter((m) => !m.specifier.startsWith("file:") && m.kind !== "node");
  assert.ok(
    remote.every((m) => m.specifier.startsWith("npm:/hono@")),
    JSON.stringify(remote.map((m) => m.specifier)),
  );
});

Deno.test("the dynamic-import check finds one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.ts`, "export const x = 1;\n");
    await Deno.writeTextFile(
      `${dir}/entry.ts`,
      'const name = "./x.ts";\nawait import(name);\nawait import("./x.ts");\n',
    );
    const found = await dynamicImports(await moduleGraph(`${dir}/entry.ts`));
    assert.equal(found.length, 2, found.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("one permission set for compile, tasks and tests: the least the CLI needs", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const set = config.permissions?.["mspe-run"];
  assert.ok(set, 'deno.json has permissions["mspe-run"]');
  assert.deepEqual(Object.keys(set).sort(), ["env", "net", "read", "sys"]);
  // Sys: only the system's CA store, which node:tls reads when --ca-cert adds to it (the node:https
  // path for --pin-sha256, --insecure, --tls-version, and tls-info).
  assert.deepEqual(set.sys, ["ca"]);
  assert.equal(set.net, true);
  // Read: --ca-cert and --password-file name files at run time, anywhere.
  assert.equal(set.read, true);
  // Env: exactly the MSPE_ variables the CLI reads.
  assert.deepEqual([...set.env].sort(), [...MSPE_VARIABLES].sort());
  const tasks: Record<string, string> = config.tasks;
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
