/**
 * `mspe-run functions [<Function>|<wildcard>]`: lists the server's functions (all, those matching a
 * wildcard such as `*User*`, or one group), or describes one like PowerShell's `Get-Help`, from the
 * server's metadata with descriptions from the bundled catalogue. Internal to the CLI.
 *
 * @module
 */

import type { CatalogFunction, FunctionMetadata, Product } from "../../../mod.ts";
import { catalog } from "../../catalog.ts";
import { closest } from "../../_suggest.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import type { Format } from "../output/format.ts";
import { functionHelp } from "../help/function_help.ts";
import { productName, requireFunction } from "../help/function_lookup.ts";
import type { Output } from "../output/output.ts";
import { resultFields } from "../output/result_fields.ts";
import { withSession } from "../session/session.ts";
import { UsageError } from "../usage_error.ts";
import { attachProfile, readConnection } from "../settings/resolve.ts";
import { HELP_FLAGS, SERVER_FLAGS } from "../settings/flags.ts";
import { readOutput } from "../output/read_output.ts";
import { wildcardPattern } from "../../_wildcard.ts";

/** The server's function with what the catalogue documents about it (when it knows it). */
function withCatalogue(fn: FunctionMetadata, known: CatalogFunction | undefined): CatalogFunction {
  return {
    name: fn.name,
    // The server's arguments (its order and types), with the catalogue's values and fields.
    args: fn.args.map((arg) => {
      const documented = known?.args.find((a) => a.name === arg.name);
      return { ...documented, ...arg, list: documented?.list ?? false };
    }),
    description: known?.description ??
      "(not in the bundled catalogue: a newer server's function)",
    group: known?.group ?? "",
    longRunning: known?.longRunning ?? false,
    readOnly: known?.readOnly ?? false,
    ...(known?.destructive ? { destructive: known.destructive } : {}),
  };
}

/** `*` and `?` wildcards, matched case-insensitively against the whole name, as Get-Help does. */
function wildcard(pattern: string): RegExp | undefined {
  return /[*?]/.test(pattern) ? wildcardPattern(pattern) : undefined;
}

/** `mspe-run functions`. */
export const functionsCommand = defineCommand({
  name: "functions",
  summary: "List the functions, or describe one and its arguments (like Get-Help).",
  usage: "mspe-run functions [<Function>|<wildcard>] [--group <group>] [flags]",
  description: `Reads the function list from the server (get-metadata), so it shows what this server
offers; descriptions and documented values come from the catalogue built into mspe-run.
--offline shows the built-in catalogue without connecting. A name with * or ? lists the
functions that match (case-insensitive, like Get-Help *User*); --group lists one group. The list
is a table on a terminal unless --format says otherwise. One function's help is the same as
\`mspe-run help <Function>\`.`,
  flags: {
    ...HELP_FLAGS,
    offline: {
      type: "boolean",
      help: "Use the built-in catalogue of --product; no server, no password.",
    },
    group: {
      type: "string",
      value: "<group>",
      help: "Only the functions of this group (users, instances, archiveStores, jobs, ...).",
    },
    full: {
      type: "boolean",
      help: "The whole help of every function listed, like Get-Help -Full (a reference).",
    },
    ...SERVER_FLAGS,
  },
  examples: [
    "mspe-run functions",
    "mspe-run functions VerifyStore",
    "# Wildcards: quote them in POSIX shells; PowerShell passes them as they are",
    "mspe-run functions '*User*' --offline",
    "mspe-run functions Get* --offline --group users",
    "mspe-run functions --offline --product server --format json",
    "# The whole reference of one group, as a text file",
    "mspe-run functions --offline --group users --full > users-reference.txt",
    "# PowerShell: the long-running functions as objects",
    "mspe-run functions --offline --format json | ConvertFrom-Json | Where-Object longRunning",
  ],
  run(parsed, io) {
    const [name, ...extra] = parsed.positionals;
    if (extra.length > 0) {
      throw new UsageError(
        "functions takes at most one function name or wildcard: mspe-run functions [<Function>]. " +
          "Quote a wildcard in POSIX shells ('*User*') so that the shell does not expand it.",
      );
    }
    const one = name !== undefined && wildcard(name) === undefined;
    // A table reads best for a list of 100 functions; --format still wins.
    const terminalFormat: Format = one ? "list" : "table";
    const group = parsed.string("group");
    if (parsed.bool("offline")) {
      return attachProfile(parsed, io).then((parsed) => {
        const { product } = readConnection(parsed, io);
        const out = readOutput(parsed, io, terminalFormat);
        return printFunctions(out, catalog(product), product, name, group, parsed.bool("full"));
      });
    }
    return withSession(
      parsed,
      io,
      ({ client, out }) =>
        Promise.resolve(
          printFunctions(
            out,
            client.metadata ?? catalog(client.product),
            client.product,
            name,
            group,
            parsed.bool("full"),
          ),
        ),
      { terminalFormat },
    );
  },
});

/** Lists the functions of `metadata` (matching `name` and `group`), or describes the one called `name`. */
function printFunctions(
  out: Output,
  metadata: readonly FunctionMetadata[],
  product: Product,
  name: string | undefined,
  group: string | undefined,
  full: boolean,
): number {
  const known = new Map(catalog(product).map((fn) => [fn.name, fn]));
  const pattern = name === undefined ? undefined : wildcard(name);
  if (name === undefined || pattern) {
    let functions = [...metadata].sort((a, b) => a.name.localeCompare(b.name))
      .map((fn) => withCatalogue(fn, known.get(fn.name)));
    if (pattern) functions = functions.filter((fn) => pattern.test(fn.name));
    if (group !== undefined) {
      const groups = [...new Set(catalog(product).map((fn) => fn.group))].sort();
      const wanted = groups.find((g) => g.toLowerCase() === group.toLowerCase());
      if (wanted === undefined) {
        const near = closest(group, groups);
        throw new UsageError(
          `No group ${JSON.stringify(group)} on ${productName(product)}.${
            near ? ` Did you mean ${near}?` : ""
          } The groups: ${groups.join(", ")}.`,
        );
      }
      functions = functions.filter((fn) => fn.group === wanted);
    }
    if (full) {
      if (out.format === "list") {
        out.line(functions.map((fn) => functionHelp(fn, product)).join("\n").trimEnd());
      } else {
        out.show(functions.map((fn) => describeFunction(fn, product)));
      }
      out.note(`${functions.length} functions on ${productName(product)}.`);
      return ExitCode.Ok;
    }
    const rows = functions.map((fn) => ({
      name: fn.name,
      group: fn.group,
      longRunning: fn.longRunning,
      // What `call` asks y/N for (--yes, --what-if): say so where the functions are chosen.
      destructive: fn.destructive !== undefined,
      description: fn.description,
    }));
    out.show(rows);
    const what = [name, group === undefined ? undefined : `group ${group}`].filter(Boolean);
    out.note(
      rows.length === 0
        ? `No function on ${productName(product)} matches ${what.join(" in ")}.`
        : `${rows.length} functions on ${productName(product)}${
          what.length > 0 ? ` (${what.join(", ")})` : ""
        }. Describe one: mspe-run help <Function>`,
    );
    return ExitCode.Ok;
  }
  if (group !== undefined) {
    throw new UsageError("--group lists a group; give it without a function name.");
  }
  const fn = withCatalogue(requireFunction(metadata, name, product), known.get(name));
  if (out.format === "list") {
    out.line(functionHelp(fn, product).trimEnd());
    return ExitCode.Ok;
  }
  const described = describeFunction(fn, product);
  out.show(out.format === "table" || out.format === "csv" ? described.args : described);
  return ExitCode.Ok;
}

/** One function as data, for --format json, ndjson, table and csv. */
function describeFunction(fn: CatalogFunction, product: Product) {
  return {
    name: fn.name,
    description: fn.description,
    group: fn.group,
    longRunning: fn.longRunning,
    readOnly: fn.readOnly,
    destructive: fn.destructive ?? null,
    args: fn.args.map((arg) => ({
      name: arg.name,
      type: arg.type,
      mandatory: !arg.nullable,
      list: arg.list,
      values: arg.enums ?? null,
      ...(arg.fields ? { fields: arg.fields } : {}),
      ...(arg.secret ? { secret: true } : {}),
    })),
    result: resultFields(product, fn.name) ?? null,
  };
}
