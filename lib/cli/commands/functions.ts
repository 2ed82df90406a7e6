/**
 * `mspe-run functions [<Function>]`: lists the server's functions, or describes one like PowerShell's
 * `Get-Help`, from the server's metadata with descriptions from the bundled catalogue.
 * Internal to the CLI.
 *
 * @module
 */

import {
  catalog,
  type CatalogFunction,
  type FunctionMetadata,
  type Product,
} from "../../../mod.ts";
import type { Command } from "../command.ts";
import { HELP_FLAGS, readConnection, readOutput } from "../connection.ts";
import { ExitCode } from "../exit_codes.ts";
import type { Format } from "../format.ts";
import { productName, requireFunction } from "../function_lookup.ts";
import type { Output } from "../output.ts";
import { SERVER_FLAG_GROUPS, withSession } from "../session.ts";
import { UsageError } from "../usage_error.ts";

/** One argument as `functions <Function>` describes it. */
interface ArgumentDescription {
  name: string;
  type: string;
  mandatory: boolean;
  list: boolean;
  values: readonly (string | number)[] | null;
}

/** One function as `functions <Function>` describes it. */
interface FunctionDescription {
  name: string;
  description: string;
  group: string;
  longRunning: boolean;
  syntax: string;
  args: ArgumentDescription[];
}

function describe(fn: FunctionMetadata, known: CatalogFunction | undefined): FunctionDescription {
  const args = fn.args.map((arg): ArgumentDescription => {
    const documented = known?.args.find((a) => a.name === arg.name);
    return {
      name: arg.name,
      type: arg.type,
      mandatory: !arg.nullable,
      list: documented?.list ?? false,
      values: documented?.enums ?? null,
    };
  });
  const syntax = [
    "mspe-run call",
    fn.name,
    ...args.map((arg) => {
      const value = arg.type === "bool" ? "<true|false>" : `<${arg.type}>`;
      return arg.mandatory ? `${arg.name}=${value}` : `[${arg.name}=${value}]`;
    }),
  ].join(" ");
  return {
    name: fn.name,
    description: known?.description ?? "(not in the bundled catalogue: a newer server's function)",
    group: known?.group ?? "",
    longRunning: known?.longRunning ?? false,
    syntax,
    args,
  };
}

function helpText(d: FunctionDescription): string {
  const indent = (text: string, n = 4) => `${" ".repeat(n)}${text}`;
  const lines = [
    "NAME",
    indent(d.name),
    "",
    "SYNOPSIS",
    indent(d.description),
    "",
    "SYNTAX",
    indent(d.syntax),
    "",
  ];
  lines.push("ARGUMENTS");
  if (d.args.length === 0) lines.push(indent("None."));
  for (const arg of d.args) {
    lines.push(indent(`${arg.name} <${arg.type}>`));
    const notes = [arg.mandatory ? "Mandatory." : "Optional; leave it out to not send it."];
    if (arg.type === "bool") notes.push("true or false.");
    if (arg.type === "json") notes.push("JSON text (quote it for the shell) or @file.json.");
    if (arg.list) notes.push("A comma-separated list.");
    if (arg.values) notes.push(`One of: ${arg.values.join(", ")}.`);
    lines.push(indent(notes.join(" "), 8));
  }
  const notes: string[] = [];
  if (d.longRunning) {
    notes.push("Long-running: mspe-run shows its progress; --no-wait returns its token at once.");
  }
  if (d.group) notes.push(`Group: ${d.group}.`);
  if (notes.length > 0) lines.push("", "NOTES", ...notes.map((note) => indent(note)));
  return `${lines.join("\n")}\n`;
}

/** `mspe-run functions`. */
export const functionsCommand: Command = {
  name: "functions",
  summary: "List the functions, or describe one and its arguments (like Get-Help).",
  usage: "mspe-run functions [<Function>] [flags]",
  description: `Reads the function list from the server (get-metadata), so it shows what this server
offers; descriptions and documented values come from the catalogue built into mspe-run.
--offline shows the built-in catalogue without connecting. The list is a table on a terminal
unless --format says otherwise.`,
  flags: {
    ...HELP_FLAGS,
    offline: {
      type: "boolean",
      help: "Use the built-in catalogue of --product; no server, no password.",
    },
  },
  flagGroups: SERVER_FLAG_GROUPS,
  examples: [
    "mspe-run functions",
    "mspe-run functions VerifyStore",
    "mspe-run functions --offline --product server --format json",
  ],
  run(parsed, io) {
    const [name, ...extra] = parsed.positionals;
    if (extra.length > 0) {
      throw new UsageError(
        "functions takes at most one function name: mspe-run functions [<Function>].",
      );
    }
    // A table reads best for a list of 100 functions; --format still wins.
    const terminalFormat: Format = name === undefined ? "table" : "list";
    if (parsed.bool("offline")) {
      const { product } = readConnection(parsed, io);
      const out = readOutput(parsed, io, terminalFormat);
      return Promise.resolve(printFunctions(out, catalog(product), product, name));
    }
    return withSession(
      parsed,
      io,
      ({ client, out }) =>
        Promise.resolve(
          printFunctions(out, client.metadata ?? catalog(client.product), client.product, name),
        ),
      { terminalFormat },
    );
  },
};

/** Lists the functions of `metadata`, or describes the one called `name`. */
function printFunctions(
  out: Output,
  metadata: readonly FunctionMetadata[],
  product: Product,
  name: string | undefined,
): number {
  const known = new Map(catalog(product).map((fn) => [fn.name, fn]));
  if (name === undefined) {
    const rows = [...metadata].sort((a, b) => a.name.localeCompare(b.name)).map((fn) => {
      const d = describe(fn, known.get(fn.name));
      return {
        name: d.name,
        group: d.group,
        longRunning: d.longRunning,
        description: d.description,
      };
    });
    out.show(rows);
    out.note(
      `${rows.length} functions on ${
        productName(product)
      }. Describe one: mspe-run functions <Function>`,
    );
    return ExitCode.Ok;
  }
  const description = describe(requireFunction(metadata, name, product), known.get(name));
  if (out.format === "list") out.line(helpText(description).trimEnd());
  else if (out.format === "table") out.show(description.args);
  else out.show(description);
  return ExitCode.Ok;
}
