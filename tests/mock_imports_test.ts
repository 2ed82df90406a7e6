/**
 * The simulator's modules import one another in one direction only: no cycle through static
 * imports, re-exports, type-only imports or dynamic `import()` (issue 15). A cycle makes the load
 * order matter and hides which module owns a type.
 */

import { assertEquals } from "./_assert.ts";

const MOCK_DIR = new URL("../lib/mock/", import.meta.url);

/** Every module specifier in a source text: `import`/`export ... from`, bare `import "x"`, `import("x")`. */
export function importSpecifiers(source: string): string[] {
  // Comments may quote import lines (module docs do); strip them first, keeping string literals.
  const code = source.replace(/\/\*[\s\S]*?\*\/|(?<![:"'`\\])\/\/[^\n]*/g, "");
  const patterns = [
    /\b(?:import|export)\b[^'";]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...code.matchAll(pattern)].map((m) => m[1]!));
}

/** The import graph of the `.ts` files of a directory, restricted to files inside it. */
async function graphOf(dir: URL): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isFile || !entry.name.endsWith(".ts")) continue;
    const source = await Deno.readTextFile(new URL(entry.name, dir));
    const targets = importSpecifiers(source)
      .filter((spec) => spec.startsWith("./") && !spec.slice(2).includes("/"))
      .map((spec) => spec.slice(2));
    graph.set(entry.name, [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The groups of files that import one another, directly or round a loop (the strongly connected
 * components of more than one file, or of one file importing itself), by Tarjan's algorithm.
 */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group = stack.splice(stack.indexOf(node));
    if (group.length > 1 || graph.get(node)?.includes(node)) found.push(group.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

Deno.test("importSpecifiers finds static, type-only, re-exported and dynamic imports", () => {
  const source = [
    `import { a } from "./a.ts";`,
    `import type { B } from "./b.ts";`,
    `export { c } from './c.ts';`,
    `import "./d.ts";`,
    `const e = await import("./e.ts");`,
    `import {\n  f,\n  type G,\n} from "./f.ts";`,
    `// import { x } from "./commented.ts";`,
    `/** import { y } from "./doc.ts"; */`,
  ].join("\n");
  assertEquals(importSpecifiers(source).sort(), [
    "./a.ts",
    "./b.ts",
    "./c.ts",
    "./d.ts",
    "./e.ts",
    "./f.ts",
  ]);
});

Deno.test("lib/mock has no import cycle", async () => {
  const graph = await graphOf(MOCK_DIR);
  assertEquals(cycles(graph).map((group) => group.join(", ")), []);
});
