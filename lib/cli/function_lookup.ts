/**
 * Finding a function by name in the server's metadata, with a suggestion for a misspelt name.
 * Internal to the CLI.
 *
 * @module
 */

import type { FunctionMetadata, Product } from "../metadata.ts";
import { closest } from "./suggest.ts";
import { UsageError } from "./usage_error.ts";

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
  const found = metadata.find((fn) => fn.name === name);
  if (found) return found;
  const suggestion = closest(name, metadata.map((fn) => fn.name));
  throw new UsageError(
    `Unknown function ${JSON.stringify(name)} on this ${productName(product)}.` +
      (suggestion ? ` Did you mean ${suggestion}?` : "") +
      " Run `mspe-run functions` to list the functions (names are case-sensitive).",
  );
}
