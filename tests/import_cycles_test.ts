// The library's modules (lib/ outside lib/cli and lib/mock) import each other without a cycle:
// static imports, re-exports, type-only imports and literal dynamic import()s all count, since a
// cycle through any of them makes load order matter (a lazily imported module that imports its
// importer back sees it half-initialised when the import happens during start-up).

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const LIB = fileURLToPath(new URL("../lib/", import.meta.url));

/**
 * The relative specifiers a module names: `from "…"`, `import "…"`, `import("…")`. Comments are
 * left out first: the examples in doc comments import the module they document.
 */
export function specifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [
    /\bfrom\s+["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s+["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

/** Every .ts file under `dir`, except the directories left out. */
function modules(dir: string, skip: readonly string[]): string[] {
  const files: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) {
      if (!skip.includes(path)) files.push(...modules(path, skip));
    } else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** The cycles among `files`, each as the list of modules along it (relative to lib/). */
function cycles(files: readonly string[]): string[][] {
  const inside = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiers(Deno.readTextFileSync(file))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => inside.has(target));
    edges.set(file, targets);
  }
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      const seen = state.get(target);
      if (seen === "open") {
        found.push([...stack.slice(stack.indexOf(target)), target].map((f) => relative(LIB, f)));
      } else if (seen === undefined) visit(target);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

Deno.test("imports: the specifier scan sees static, type-only, re-exported and dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type { B } from "../b.ts";',
    'export { c } from "./c.ts";',
    'import "./d.ts";',
    'const e = await import("./e.ts");',
    'import http from "node:http";',
    '/** @example import { f } from "./f.ts"; */',
    '// import { g } from "./g.ts";',
  ].join("\n");
  assert.deepEqual(specifiers(source).sort(), ["../b.ts", "./a.ts", "./c.ts", "./d.ts", "./e.ts"]);
});

Deno.test("imports: no cycle among the library's modules (lib/ outside cli and mock)", () => {
  const files = modules(LIB, [join(LIB, "cli"), join(LIB, "mock")]);
  assert.ok(files.length > 20, `only ${files.length} modules found under ${LIB}`);
  assert.deepEqual(cycles(files).map((cycle) => cycle.join(" -> ")), []);
});
