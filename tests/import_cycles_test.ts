/**
 * No import cycles in `lib/`, `scripts/` and `mod.ts`. A cycle makes module evaluation order
 * depend on which module is loaded first (a `const` read before it is initialised throws), ties
 * modules that should be separable, and defeats the lazy loading that keeps `mspe-run --version`
 * small. Every edge counts: static `import` and `export ... from`, type-only ones too (they tie the
 * modules' design together even though they vanish at run time), and literal dynamic `import("...")`.
 *
 * The specifiers are read by a small tokenizer (comments, strings, template literals and regular
 * expression literals are told apart), so that an `import` in a doc comment's example or in a
 * string does not count.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { ROOT } from "./cli_helpers.ts";

/**
 * The cycles there are today, each as its modules from the alphabetically first one on, in import
 * order. Others are removing them: this list must only shrink. The test fails on a cycle that is
 * not here, and on one that is here but gone, so that its entry is removed with it.
 */
const KNOWN_CYCLES: readonly string[] = [
  "lib/_transport.ts -> lib/_transport_node.ts -> lib/_transport.ts",
  "lib/cli/args.ts -> lib/cli/config.ts -> lib/cli/args.ts",
  "lib/cli/commands/call.ts -> lib/cli/commands/help.ts -> lib/cli/main.ts -> lib/cli/commands/call.ts",
  "lib/cli/commands/completion.ts -> lib/cli/complete.ts -> lib/cli/main.ts -> lib/cli/commands/completion.ts",
  "lib/cli/commands/help.ts -> lib/cli/main.ts -> lib/cli/commands/help.ts",
  "lib/mock/_history.ts -> lib/mock/_state.ts -> lib/mock/_history.ts",
  "lib/mock/_history.ts -> lib/mock/_state.ts -> lib/mock/_system_state.ts -> lib/mock/_history.ts",
  "lib/mock/_instance_data.ts -> lib/mock/_state.ts -> lib/mock/_instance_data.ts",
];

/** One token of a module's source: a string literal's value, or any other piece of code. */
type Token = { readonly kind: "string"; readonly value: string } | {
  readonly kind: "code";
  readonly value: string;
};

/** The words after which a `/` starts a regular expression rather than dividing. */
const BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

/**
 * The tokens of `source` that matter for imports: identifiers, punctuation and string literals;
 * comments and the insides of template literals and regular expressions are dropped.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // Open template literals: for each, the depth of `{` inside its current `${...}`.
  const templates: number[] = [];
  let i = 0;
  const previous = () => tokens.at(-1);
  const regexAllowed = () => {
    const last = previous();
    if (last === undefined) return true;
    if (last.kind === "string") return false;
    if (/^[\w$]+$/.test(last.value)) return BEFORE_REGEX.has(last.value);
    return !/^[)\]}]$/.test(last.value);
  };
  /** Skips a template literal's text from `i` to its end or to a `${`. */
  const templateText = () => {
    while (i < source.length) {
      const char = source[i]!;
      if (char === "\\") {
        i += 2;
      } else if (char === "`") {
        i++;
        templates.pop();
        return;
      } else if (char === "$" && source[i + 1] === "{") {
        i += 2;
        return;
      } else {
        i++;
      }
    }
  };
  while (i < source.length) {
    const char = source[i]!;
    const next = source[i + 1];
    if (/\s/.test(char)) {
      i++;
    } else if (char === "/" && next === "/") {
      i = source.indexOf("\n", i);
      if (i < 0) break;
    } else if (char === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
    } else if (char === '"' || char === "'") {
      let value = "";
      i++;
      while (i < source.length && source[i] !== char && source[i] !== "\n") {
        if (source[i] === "\\") {
          value += source[i + 1] ?? "";
          i += 2;
        } else {
          value += source[i++];
        }
      }
      i++;
      tokens.push({ kind: "string", value });
    } else if (char === "`") {
      i++;
      templates.push(0);
      templateText();
      tokens.push({ kind: "code", value: "`template`" });
    } else if (char === "/" && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < source.length && source[i] !== "\n") {
        const c = source[i]!;
        if (c === "\\") i++;
        else if (c === "[") inClass = true;
        else if (c === "]") inClass = false;
        else if (c === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < source.length && /[a-z]/.test(source[i]!)) i++;
      tokens.push({ kind: "code", value: "/regex/" });
    } else if (/[\w$]/.test(char)) {
      const word = /^[\w$]+/.exec(source.slice(i, i + 200))![0];
      i += word.length;
      tokens.push({ kind: "code", value: word });
    } else if (templates.length > 0 && (char === "{" || char === "}")) {
      const depth = templates.length - 1;
      if (char === "{") {
        templates[depth]!++;
        tokens.push({ kind: "code", value: char });
        i++;
      } else if (templates[depth] === 0) {
        // The end of a `${...}`: back to the template's text.
        i++;
        templateText();
      } else {
        templates[depth]!--;
        tokens.push({ kind: "code", value: char });
        i++;
      }
    } else {
      tokens.push({ kind: "code", value: char });
      i++;
    }
  }
  return tokens;
}

/**
 * The module specifiers `source` imports: `import ... from "x"`, `import "x"`, `import type`,
 * `export ... from "x"`, and `import("x")` with a string literal.
 */
export function importSpecifiers(source: string): string[] {
  const tokens = tokenize(source);
  const found: string[] = [];
  const at = (index: number) => tokens[index];
  const isCode = (index: number, value: string) =>
    at(index)?.kind === "code" && at(index)?.value === value;
  const isString = (index: number) => at(index)?.kind === "string";
  /** From `start`, the string after `from` before the statement ends, if any. */
  const fromClause = (start: number): string | undefined => {
    for (let j = start; j < tokens.length; j++) {
      if (isCode(j, ";") || (at(j)?.kind === "code" && /^(import|export)$/.test(at(j)!.value))) {
        return undefined;
      }
      if (isCode(j, "from") && isString(j + 1)) return at(j + 1)!.value;
    }
    return undefined;
  };
  for (let index = 0; index < tokens.length; index++) {
    const previous = at(index - 1);
    // `x.import` or `{ import: ... }` is a property, not an import.
    if (previous?.kind === "code" && previous.value === ".") continue;
    if (isCode(index, "import")) {
      if (isCode(index + 1, "(")) {
        if (isString(index + 2) && (isCode(index + 3, ")") || isCode(index + 3, ","))) {
          found.push(at(index + 2)!.value);
        }
      } else if (isString(index + 1)) {
        found.push(at(index + 1)!.value);
      } else if (!isCode(index + 1, ".") && !isCode(index + 1, ":")) {
        const specifier = fromClause(index + 1);
        if (specifier !== undefined) found.push(specifier);
      }
    } else if (isCode(index, "export")) {
      // Only the re-exporting forms: export { ... } from, export * from, export type { ... } from.
      const first = isCode(index + 1, "type") ? index + 2 : index + 1;
      if (isCode(first, "{") || isCode(first, "*")) {
        const specifier = fromClause(first);
        if (specifier !== undefined) found.push(specifier);
      }
    }
  }
  return found;
}

/** The import graph: each module (a path relative to the root) and the local modules it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/**
 * The graph of the local modules reachable from `entries` (paths relative to the root, `/`
 * separators). `read` gives a module's source; specifiers other than relative paths (`node:`,
 * `npm:`, bare names) are left out, and so are files that are not TypeScript or JavaScript
 * (`deno.json`), which import nothing.
 */
export async function importGraph(
  entries: readonly string[],
  read: (path: string) => Promise<string>,
): Promise<ImportGraph> {
  const graph = new Map<string, string[]>();
  const queue = [...entries];
  while (queue.length > 0) {
    const module = queue.shift()!;
    if (graph.has(module)) continue;
    const targets: string[] = [];
    for (const specifier of importSpecifiers(await read(module))) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const target = join(dirname(module), specifier).replaceAll("\\", "/");
      if (!/\.[cm]?[jt]sx?$/.test(target)) continue;
      if (!targets.includes(target)) targets.push(target);
      queue.push(target);
    }
    graph.set(module, targets);
  }
  return graph;
}

/**
 * Every elementary cycle of `graph`, each written `a -> b -> ... -> a` from its alphabetically
 * first module, sorted. Stops with an error past `limit` cycles rather than run for long.
 */
export function findCycles(graph: ImportGraph, limit = 10_000): string[] {
  const modules = [...graph.keys()].sort();
  const cycles: string[] = [];
  // For each start, the cycles through it whose other modules all sort after it: each cycle is
  // then found exactly once, from its first module.
  for (const start of modules) {
    const path = [start];
    const onPath = new Set(path);
    const walk = (module: string) => {
      for (const next of graph.get(module) ?? []) {
        if (next === start) {
          cycles.push([...path, start].join(" -> "));
          if (cycles.length > limit) throw new Error(`More than ${limit} import cycles`);
        } else if (next > start && !onPath.has(next) && graph.has(next)) {
          path.push(next);
          onPath.add(next);
          walk(next);
          path.pop();
          onPath.delete(next);
        }
      }
    };
    walk(start);
  }
  return cycles.sort();
}

/** The `.ts` files under `folder` (relative to the root), `/`-separated. */
async function tsFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, folder))) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory) found.push(...await tsFiles(path));
    else if (entry.isFile && entry.name.endsWith(".ts")) found.push(path);
  }
  return found;
}

/** What the allow-list check says about `found` against `known`; empty when they agree. */
export function compareCycles(found: readonly string[], known: readonly string[]): string[] {
  const problems: string[] = [];
  for (const cycle of found) {
    if (!known.includes(cycle)) problems.push(`new import cycle: ${cycle}`);
  }
  for (const cycle of known) {
    if (!found.includes(cycle)) {
      problems.push(`gone (remove it from KNOWN_CYCLES): ${cycle}`);
    }
  }
  return problems;
}

Deno.test("import cycles: none in lib/, scripts/ and mod.ts beyond the known ones, which must go", async () => {
  const entries = ["mod.ts", ...await tsFiles("lib"), ...await tsFiles("scripts")];
  const graph = await importGraph(entries, (path) => Deno.readTextFile(join(ROOT, path)));
  // The walk reached the command modules through their dynamic imports.
  assert.ok(graph.get("lib/cli/main.ts")?.includes("lib/cli/commands/call.ts"));
  for (const module of graph.keys()) assert.ok(!module.startsWith("../"), `${module} is outside`);
  const problems = compareCycles(findCycles(graph), KNOWN_CYCLES);
  assert.deepEqual(problems, [], problems.join("\n"));
});

Deno.test("import cycles: the tokenizer reads every form of import and ignores comments and strings", () => {
  const source = [
    `import a from "./a.ts";`,
    `import type { B } from './b.ts';`,
    `import * as c from "./c.ts"; import "./d.ts";`,
    `import e, {`,
    `  f,`,
    `  type G,`,
    `} from "./efg.ts";`,
    `export { h } from "./h.ts";`,
    `export type { I } from "./i.ts";`,
    `export * as j from "./j.ts";`,
    `export * from "./k.ts";`,
    `export const l = "import x from './no-string.ts'";`,
    `const m = await import("./m.ts");`,
    `type N = typeof import("./n.ts");`,
    `const o = import.meta.url;`,
    `const p = import(name); // import("./no-comment.ts")`,
    `/** @example import { q } from "./no-doc.ts"; */`,
    'const r = `import("./no-template.ts") ${await import("./s.ts")} ${ { t: 1 }.t }`;',
    `const u = /"(?:import)"/g.test("x") ? 1 : 2; import v from "./v.ts";`,
    `const w = 4 / 2; const x = { import: "./no-property.ts" };`,
    `const json = await import("./data.json", { with: { type: "json" } });`,
  ].join("\n");
  assert.deepEqual(importSpecifiers(source), [
    "./a.ts",
    "./b.ts",
    "./c.ts",
    "./d.ts",
    "./efg.ts",
    "./h.ts",
    "./i.ts",
    "./j.ts",
    "./k.ts",
    "./m.ts",
    "./n.ts",
    "./s.ts",
    "./v.ts",
    "./data.json",
  ]);
});

Deno.test("import cycles: the detector finds each cycle once, and the allow-list check both ways", async () => {
  const files: Record<string, string> = {
    "main.ts": `import "./a.ts"; import type { X } from "./lib/x.ts"; import "node:fs";`,
    "a.ts": `import { b } from "./b.ts";`,
    "b.ts": `export * from "./a.ts"; const c = () => import("./c.ts");`,
    "c.ts":
      `import type { M } from "./main.ts"; import config from "./deno.json" with { type: "json" };`,
    "lib/x.ts": `import { y } from "./y.ts";`,
    "lib/y.ts": `export type { X } from "./x.ts"; import { self } from "./y.ts";`,
    "lib/z.ts": `import { main } from "../main.ts";`,
  };
  const graph = await importGraph(["main.ts", "lib/z.ts"], (path) => {
    const source = files[path];
    return source === undefined ? Promise.reject(new Error(`no ${path}`)) : Promise.resolve(source);
  });
  assert.deepEqual(graph.get("b.ts"), ["a.ts", "c.ts"]);
  assert.deepEqual(graph.get("c.ts"), ["main.ts"], "deno.json and node: are not modules here");
  const cycles = findCycles(graph);
  assert.deepEqual(cycles, [
    "a.ts -> b.ts -> a.ts",
    "a.ts -> b.ts -> c.ts -> main.ts -> a.ts",
    "lib/x.ts -> lib/y.ts -> lib/x.ts",
    "lib/y.ts -> lib/y.ts",
  ]);
  assert.deepEqual(compareCycles(cycles, cycles), []);
  assert.deepEqual(compareCycles(cycles.slice(1), [...cycles.slice(0, 3), "gone.ts -> gone.ts"]), [
    "new import cycle: lib/y.ts -> lib/y.ts",
    "gone (remove it from KNOWN_CYCLES): a.ts -> b.ts -> a.ts",
    "gone (remove it from KNOWN_CYCLES): gone.ts -> gone.ts",
  ]);
  assert.throws(() => findCycles(graph, 2), /More than 2 import cycles/);
});
