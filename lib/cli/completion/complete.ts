/**
 * The completion engine behind every shell's completion script: given the words of a command line
 * up to the cursor (the last one is the word being completed, possibly empty), the candidates for
 * that word. One engine in TypeScript, thin scripts per shell (`completion.ts`). Internal to the
 * CLI.
 *
 * @module
 */

import { catalog, findFunction } from "../../catalog.ts";
import type { Product } from "../../metadata.ts";
import type { FlagSpecs } from "../args.ts";
import type { CommandEntry } from "../command.ts";
import { LEADING_FLAGS } from "../settings/flags.ts";
import { type Setting, type SettingName, SETTINGS } from "../settings/table.ts";
import { HEALTH_FORMATS, USAGE_FORMATS } from "../output/format.ts";
import type { CliIo } from "../io/io.ts";
import { resultFields } from "../output/result_fields.ts";

/** The shells `mspe-run completion` writes a script for. */
export const SHELLS = ["powershell", "bash", "zsh", "fish"] as const;

/** Keeps the candidates that start with `word`; case-insensitively when none does exactly. */
function matching(candidates: Iterable<string>, word: string): string[] {
  const all = [...new Set(candidates)];
  const exact = all.filter((c) => c.startsWith(word));
  if (exact.length > 0) return exact;
  return all.filter((c) => c.toLowerCase().startsWith(word.toLowerCase()));
}

/** The last value of a flag in the words (`--name value` or `--name=value`). */
function flagValue(words: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === `--${name}`) value = words[i + 1];
    else if (word.startsWith(`--${name}=`)) value = word.slice(name.length + 3);
  }
  return value;
}

function functionNames(product: Product | undefined): string[] {
  const products: Product[] = product ? [product] : ["spe", "server"];
  return products.flatMap((p) => catalog(p).map((fn) => fn.name)).sort();
}

function groups(product: Product): string[] {
  return [...new Set(catalog(product).map((fn) => fn.group))].sort();
}

/** The profile names of the config file; none when it cannot be read. */
async function profileNames(io: CliIo): Promise<string[]> {
  try {
    const { loadConfig } = await import("../settings/config.ts");
    return Object.keys((await loadConfig(io))?.config.profiles ?? {});
  } catch {
    return [];
  }
}

/**
 * `mspe-run mock` parses its own flags: names and values come from the simulator's flag table
 * (`MOCK_FLAGS` in `lib/mock/_flags.ts`), so that a flag added there completes with no change here.
 */
async function completeMock(words: readonly string[]): Promise<string[]> {
  const { MOCK_FLAGS } = await import("../../mock/_flags.ts");
  const word = words.at(-1) ?? "";
  const previous = words.length > 2 ? words.at(-2)! : "";
  const valuesOf = (name: string) => MOCK_FLAGS.find((flag) => flag.name === name)?.values ?? [];
  if (previous.startsWith("--") && !previous.includes("=")) {
    const values = valuesOf(previous.slice(2));
    if (values.length > 0) return matching(values, word);
  }
  if (word.startsWith("--") && word.includes("=")) {
    const name = word.slice(2, word.indexOf("="));
    return matching(valuesOf(name).map((value) => `--${name}=${value}`), word);
  }
  if (!word.startsWith("-")) return [];
  return matching(MOCK_FLAGS.map((flag) => `--${flag.name}`), word);
}

/** Values for a string flag's value. */
async function flagValues(
  flag: string,
  words: readonly string[],
  product: Product,
  io: CliIo,
): Promise<string[]> {
  if (flag === "format" && words[0] === "report") {
    const report = words.slice(1).find((w) => w === "health" || w === "usage");
    if (report === "health") return [...HEALTH_FORMATS];
    if (report === "usage") return [...USAGE_FORMATS];
    return [...new Set([...HEALTH_FORMATS, ...USAGE_FORMATS])];
  }
  // The settings table says which settings take one of a few values, or a profile's name.
  const setting: Setting | undefined = Object.hasOwn(SETTINGS, flag)
    ? SETTINGS[flag as SettingName]
    : undefined;
  if (setting?.values !== undefined) return [...setting.values];
  if (setting?.completeProfiles) return await profileNames(io);
  switch (flag) {
    case "group":
      return groups(product);
    case "select": {
      const fn = words[1];
      const fields = fn ? resultFields(product, fn) : undefined;
      return Object.keys(fields?.fields ?? {});
    }
    default:
      return [];
  }
}

/** `name=` for the arguments not given yet, or `name=value` for the values of one. */
function argumentCandidates(
  fnName: string,
  given: readonly string[],
  word: string,
  product: Product | undefined,
): string[] {
  const products: Product[] = product ? [product] : ["spe", "server"];
  const fn = products.map((p) => findFunction(p, fnName)).find(Boolean);
  if (!fn) return [];
  const eq = word.indexOf("=");
  if (eq < 0) {
    const used = new Set(given.map((pair) => pair.split("=", 1)[0]));
    return fn.args.filter((arg) => !used.has(arg.name)).map((arg) => `${arg.name}=`);
  }
  const arg = fn.args.find((a) => a.name === word.slice(0, eq));
  if (!arg || arg.secret) return [];
  const values = arg.type === "bool" ? ["true", "false"] : (arg.enums ?? []).map(String);
  if (arg.list) {
    // A comma-separated list: complete the item after the last comma.
    const typed = word.slice(eq + 1);
    const head = typed.slice(0, typed.lastIndexOf(",") + 1);
    const taken = new Set(head.split(","));
    return values.filter((v) => !taken.has(v)).map((v) => `${arg.name}=${head}${v}`);
  }
  return values.map((v) => `${arg.name}=${v}`);
}

/**
 * The candidates for the last of `words` (the words after `mspe-run`).
 *
 * @example
 * ```ts ignore
 * console.log(await complete(["call", "GetUs"], io)); // ["GetUserInfo", "GetUsers"]
 * ```
 */
export async function complete(
  words: readonly string[],
  io: CliIo,
  commands: readonly CommandEntry[],
): Promise<string[]> {
  if (words.length > 1 && words[0]!.startsWith("-")) {
    return await completeLeading(words, io, commands);
  }
  const word = words.at(-1) ?? "";
  if (words.length <= 1) {
    const names = commands.filter((c) => !c.hidden).map((c) => c.name);
    return matching([...names, "--help", "--version"], word);
  }
  const entry = commands.find((c) => c.name === words[0]);
  if (!entry) return [];
  const command = await entry.load();
  if (command.name === "mock") return await completeMock(words);
  const flags: FlagSpecs = command.passThrough ? {} : command.flags;
  const productText = flagValue(words.slice(0, -1), "product");
  const product = productText === "spe" || productText === "server" ? productText : undefined;
  const previous = words.at(-2) ?? "";
  // The value of a string flag: `--format <TAB>` or `--format=<TAB>`.
  if (previous.startsWith("--") && flags[previous.slice(2)]?.type === "string") {
    return matching(await flagValues(previous.slice(2), words, product ?? "spe", io), word);
  }
  if (word.startsWith("--") && word.includes("=")) {
    const name = word.slice(2, word.indexOf("="));
    const values = await flagValues(name, words, product ?? "spe", io);
    return matching(values.map((v) => `--${name}=${v}`), word);
  }
  if (word.startsWith("-")) {
    return matching(Object.keys(flags).map((name) => `--${name}`), word);
  }
  // The positional arguments before this word (flags and their values left out).
  const positionals: string[] = [];
  for (let i = 1; i < words.length - 1; i++) {
    const current = words[i]!;
    if (current.startsWith("-")) {
      if (!current.includes("=") && flags[current.replace(/^-+/, "")]?.type === "string") i++;
      continue;
    }
    positionals.push(current);
  }
  switch (command.name) {
    case "call":
      return positionals.length === 0
        ? matching(functionNames(product), word)
        : matching(argumentCandidates(positionals[0]!, positionals.slice(1), word, product), word);
    case "functions":
      return positionals.length === 0 ? matching(functionNames(product), word) : [];
    case "help": {
      if (positionals.length > 0) return [];
      const names = commands.filter((c) => !c.hidden).map((c) => c.name);
      return matching([...names, ...functionNames(product)], word);
    }
    case "example":
      return positionals.length === 0 ? matching(["1", "2", "3", "4"], word) : [];
    case "completion":
      return positionals.length === 0 ? matching(SHELLS, word) : [];
    case "report":
      return positionals.length === 0 ? matching(["health", "usage"], word) : [];
    case "credential":
      return positionals.length === 0 ? matching(["save"], word) : [];
    case "profile":
      if (positionals.length === 0) return matching(["add", "list", "show", "remove"], word);
      return positionals.length === 1 && positionals[0] !== "list"
        ? matching(await profileNames(io), word)
        : [];
    default:
      return [];
  }
}

/**
 * Connection and output flags before the command (`mspe-run --profile prod call ...`): complete
 * them and their values, or the command after them; after the command, as if they followed it.
 */
async function completeLeading(
  words: readonly string[],
  io: CliIo,
  commands: readonly CommandEntry[],
): Promise<string[]> {
  const word = words.at(-1) ?? "";
  let i = 0;
  while (i < words.length - 1 && words[i]!.startsWith("-")) {
    const name = words[i]!.replace(/^-+/, "");
    i += !words[i]!.includes("=") && LEADING_FLAGS[name]?.type === "string" ? 2 : 1;
  }
  if (i > words.length - 1) {
    // The word is the value of the flag before it.
    return matching(await flagValues(words.at(-2)!.replace(/^-+/, ""), [], "spe", io), word);
  }
  if (i === words.length - 1) {
    if (word.startsWith("-")) {
      return matching(Object.keys(LEADING_FLAGS).map((name) => `--${name}`), word);
    }
    return await complete([word], io, commands);
  }
  return await complete([words[i]!, ...words.slice(0, i), ...words.slice(i + 1)], io, commands);
}
