/**
 * `mspe-run help [<command>|<Function>]`: the main help, one command's help, or one API function's
 * help from the built-in catalogue (no server needed). Also the help behind
 * `mspe-run call <Function> --help`. Internal to the CLI.
 *
 * @module
 */

import { didYouMean, suggest } from "../../_suggest.ts";
import { catalog, findFunction as findInCatalogue } from "../../catalog.ts";
import type { CatalogFunction, Product } from "../../metadata.ts";
import { commandHelp, defineCommand } from "../command.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { ExitCode } from "../exit_codes.ts";
import { functionHelp } from "../help/function_help.ts";
import { UsageError } from "../usage_error.ts";

/** A catalogue function and the product it was found in. */
export interface FoundFunction {
  /** The function. */
  readonly fn: CatalogFunction;
  /** Its product. */
  readonly product: Product;
}

/**
 * Finds `name` in the catalogue of `product`, or (without a product) in SPE's and then in MailStore
 * Server's; `undefined` when neither has it.
 *
 * @example
 * ```ts
 * import { findFunction } from "./help.ts";
 * console.log(findFunction("GetServerInfo", undefined)?.product); // "server"
 * ```
 */
export function findFunction(
  name: string,
  product: Product | undefined,
): FoundFunction | undefined {
  for (const p of product ? [product] : (["spe", "server"] as const)) {
    const fn = findInCatalogue(p, name);
    if (fn) return { fn, product: p };
  }
  return undefined;
}

/** The product a `--product` value names, or a usage error. */
export function readProduct(value: string | undefined): Product | undefined {
  if (value === undefined || value === "spe" || value === "server") return value;
  throw new UsageError(`--product takes spe or server, not ${JSON.stringify(value)}.`);
}

/** The function's help, or a usage error with the closest names. */
export function requireFunctionHelp(name: string, product: Product | undefined): string {
  const found = findFunction(name, product);
  if (found) return functionHelp(found.fn, found.product);
  const names = new Set(
    (product ? [product] : (["spe", "server"] as const)).flatMap((p) =>
      catalog(p).map((f) => f.name)
    ),
  );
  throw new UsageError(
    `Unknown function ${JSON.stringify(name)}.${didYouMean(suggest(name, names))} ` +
      "Run `mspe-run functions --offline` for the list, or `mspe-run functions '*word*'` to search " +
      "(names are case-sensitive).",
  );
}

/** The value of `--product` in raw arguments (`--product x` or `--product=x`). */
function productIn(argv: readonly string[]): Product | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--product") return readProduct(argv[i + 1]);
    if (arg.startsWith("--product=")) return readProduct(arg.slice("--product=".length));
  }
  return undefined;
}

/**
 * The help for `mspe-run call <Function> --help`: the function's help when the first argument
 * names one; `undefined` (the `call` help) when there is no function name.
 *
 * @example
 * ```ts
 * import { callTopicHelp } from "./help.ts";
 * console.log(callTopicHelp(["GetUsers"])?.startsWith("NAME")); // true
 * ```
 */
export function callTopicHelp(argv: readonly string[]): string | undefined {
  const name = argv[0];
  if (name === undefined || name.startsWith("-")) return undefined;
  return requireFunctionHelp(name, productIn(argv));
}

/** `mspe-run help`. */
export const helpCommand = defineCommand({
  name: "help",
  summary: "Help for mspe-run, one command, or one API function.",
  usage: "mspe-run help [<command>|<Function>] [--product spe|server]",
  description: `Without a topic: the list of commands. With a command: its flags and examples, as
\`mspe-run <command> --help\` shows them. With an API function (case-sensitive): what it does,
its arguments with their types, allowed values and fields, its result, and a ready example in
PowerShell and POSIX shell form. Function help comes from the catalogue built into mspe-run; no
server is needed. A function both products have is shown for SPE unless --product server.`,
  flags: {
    ...HELP_FLAGS,
    product: {
      type: "string",
      value: "<spe|server>",
      help: "The product whose function to describe (default: SPE, else MailStore Server).",
    },
  },
  examples: [
    "mspe-run help",
    "mspe-run help call",
    "mspe-run help CreateInstance",
    "mspe-run help GetUsers --product server",
    "# Search by wildcard (quote it in POSIX shells)",
    "mspe-run functions '*User*' --offline",
  ],
  async run(parsed, io, cli) {
    const [topic, ...extra] = parsed.positionals;
    if (extra.length > 0) {
      throw new UsageError("help takes one topic: mspe-run help [<command>|<Function>].");
    }
    const product = readProduct(parsed.string("product"));
    if (topic === undefined) {
      io.stdout.write(await cli.mainHelp());
      return ExitCode.Ok;
    }
    const entry = cli.commands.find((command) => command.name === topic);
    if (entry) {
      io.stdout.write(commandHelp(await entry.load()));
      return ExitCode.Ok;
    }
    if (/^[a-z-]+$/.test(topic)) {
      // Lower case: meant as a command (function names start with a capital letter).
      const visible = cli.commands.filter((c) => !c.hidden).map((c) => c.name);
      throw new UsageError(
        `No command or function ${JSON.stringify(topic)}.${
          didYouMean(suggest(topic, visible, 1))
        } Run \`mspe-run --help\` for the commands.`,
      );
    }
    io.stdout.write(requireFunctionHelp(topic, product));
    return ExitCode.Ok;
  },
});
