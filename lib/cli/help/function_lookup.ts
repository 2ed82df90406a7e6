/**
 * Finding a function by name in the server's metadata, with a suggestion for a misspelt name.
 * Internal to the CLI.
 *
 * @module
 */

import { catalog } from "../../catalog.ts";
import type { FunctionMetadata, Product } from "../../metadata.ts";
import { closest } from "../../_suggest.ts";
import { UsageError } from "../usage_error.ts";

/** "MailStore SPE" or "MailStore Server". */
export function productName(product: Product): string {
  return product === "server" ? "MailStore Server" : "MailStore SPE";
}

/**
 * The function called `name`, or a {@linkcode UsageError} that suggests the closest name.
 *
 * @example
 * ```ts
 * import { requireFunction } from "./function_lookup.ts";
 * const fn = requireFunction([{ name: "GetUsers", args: [] }], "GetUsers", "spe");
 * console.log(fn.name);
 * ```
 */
export function requireFunction(
  metadata: readonly FunctionMetadata[],
  name: string,
  product: Product,
): FunctionMetadata {
  const found = metadata.find((fn) => fn.name === name) ?? ignoringCase(metadata, name);
  if (found) return found;
  const suggestion = closest(name, metadata.map((fn) => fn.name));
  throw new UsageError(
    `Unknown function ${JSON.stringify(name)} on this ${productName(product)}.` +
      (suggestion ? ` Did you mean ${suggestion}?` : "") +
      " Run `mspe-run functions` to list the functions.",
  );
}

/**
 * The one function whose name matches `name` but for case (PowerShell users type `getusers`);
 * `undefined` when none does, or more than one.
 */
function ignoringCase<F extends { readonly name: string }>(
  functions: readonly F[],
  name: string,
): F | undefined {
  const lower = name.toLowerCase();
  const matches = functions.filter((fn) => fn.name.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * The function's name as the catalogue spells it, when `name` matches one function of either
 * product but for case; else `name` as given.
 *
 * @example
 * ```ts
 * import { canonicalFunctionName } from "./function_lookup.ts";
 * canonicalFunctionName("getusers"); // "GetUsers"
 * ```
 */
export function canonicalFunctionName(name: string): string {
  const all = [...catalog("spe"), ...catalog("server")];
  if (all.some((fn) => fn.name === name)) return name;
  const names = [...new Map(all.map((fn) => [fn.name, fn])).values()];
  return ignoringCase(names, name)?.name ?? name;
}

/** Function names that only one of the two products has, to tell them apart by their metadata. */
function onlyIn(product: Product): Set<string> {
  const other = new Set(catalog(product === "spe" ? "server" : "spe").map((fn) => fn.name));
  return new Set(catalog(product).map((fn) => fn.name).filter((name) => !other.has(name)));
}

/**
 * Checks that the server's metadata is that of `product`: MailStore Server answering a client made
 * for SPE (or the other way round) is a `--product` or `--port` mistake, which would otherwise show
 * up later as puzzling unknown functions. `where` is `host:port`, for the message.
 *
 * @example
 * ```ts
 * import { checkProduct } from "./function_lookup.ts";
 * checkProduct([{ name: "GetInstances", args: [] }], "spe", "localhost:8474"); // fine
 * ```
 */
export function checkProduct(
  metadata: readonly FunctionMetadata[] | null,
  product: Product,
  where: string,
): void {
  if (metadata === null) return;
  const names = metadata.map((fn) => fn.name);
  const mine = onlyIn(product);
  const other = product === "spe" ? "server" : "spe";
  const theirs = onlyIn(other);
  if (names.some((name) => mine.has(name)) || !names.some((name) => theirs.has(name))) return;
  const port = other === "server" ? 8463 : 8474;
  throw new UsageError(
    `${where} is ${productName(other)}, not ${productName(product)}: its functions are ` +
      `${productName(other)}'s. Use --product ${other} (its API port is ${port} by default), or ` +
      "check --port.",
  );
}
