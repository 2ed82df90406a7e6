// The modules of lib/ (the library, the CLI and the simulator), scripts/ and mod.ts import each
// other without a cycle:
// static imports, re-exports, type-only imports and literal dynamic import()s all count, since a
// cycle through any of them makes load order matter (a lazily imported module that imports its
// importer back sees it half-initialised when the import happens during start-up).

import assert from "node:assert/strict";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

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

/** The edges among `files`: each module to the modules in `files` it imports. */
function importGraph(files: readonly string[]): Map<string, string[]> {
  const inside = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = specifiers(Deno.readTextFileSync(file))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => inside.has(target));
    edges.set(file, targets);
  }
  return edges;
}

/** The cycles of a graph, each as the list of nodes along it, first node repeated at the end. */
export function cyclesIn(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, "open");
    stack.push(node);
    for (const target of edges.get(node) ?? []) {
      const seen = state.get(target);
      if (seen === "open") found.push([...stack.slice(stack.indexOf(target)), target]);
      else if (seen === undefined) visit(target);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
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

Deno.test("imports: the cycle search finds each cycle once and nothing else", () => {
  const graph = new Map([
    ["a", ["b"]],
    ["b", ["c", "e"]],
    ["c", ["a"]],
    ["d", ["a", "d"]],
    ["e", []],
  ]);
  assert.deepEqual(cyclesIn(graph), [["a", "b", "c", "a"], ["d", "d"]]);
  assert.deepEqual(cyclesIn(new Map([["a", ["b"]], ["b", []]])), []);
});

Deno.test("imports: no cycle among the modules of lib/, scripts/ and mod.ts", () => {
  const files = [
    ...modules(join(ROOT, "lib"), []),
    ...modules(join(ROOT, "scripts"), []),
    join(ROOT, "mod.ts"),
  ];
  assert.ok(files.length > 100, `only ${files.length} modules found under ${ROOT}`);
  const found = cyclesIn(importGraph(files)).map((cycle) =>
    cycle.map((file) => relative(ROOT, file)).join(" -> ")
  );
  assert.deepEqual(found, []);
});

Deno.test("imports: the library (lib/ outside cli and mock) imports neither the CLI nor the simulator", () => {
  const lib = join(ROOT, "lib");
  const files = modules(lib, [join(lib, "cli"), join(lib, "mock")]);
  const wrong = files.flatMap((file) =>
    specifiers(Deno.readTextFileSync(file))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) =>
        target.startsWith(join(lib, "cli") + sep) || target.startsWith(join(lib, "mock") + sep)
      )
      .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`)
  );
  assert.deepEqual(wrong, []);
});
