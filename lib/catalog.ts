/**
 * The bundled function catalogue: every function of MailStore SPE (122) and MailStore Server (89)
 * with its arguments, documented values and description, as a list ({@linkcode catalog}) and by
 * name ({@linkcode findFunction}).
 *
 * @module
 */

import type { CatalogFunction, Product } from "./metadata.ts";
import { SPE_CATALOG } from "./_catalog/spe.ts";
import { SERVER_CATALOG } from "./_catalog/server.ts";
import { ArgumentError } from "./errors.ts";

/**
 * The bundled function catalogue of a product, sorted by name. It is what `metadata: "bundled"`
 * validates against, and it carries more than `get-metadata` does: descriptions, groups, documented
 * enum values, list arguments and which functions are known to run long.
 *
 * @param product `"spe"` (MailStore Service Provider Edition) or `"server"` (MailStore Server).
 * @returns The functions, sorted by name; the array and its objects must not be changed.
 * @throws {ArgumentError} For any other product.
 *
 * @example Listing the long-running SPE functions
 * ```ts
 * import { catalog } from "@mspe/mspe";
 * const longRunning = catalog("spe").filter((fn) => fn.longRunning).map((fn) => fn.name);
 * console.log(longRunning.includes("VerifyStore")); // true
 * ```
 */
export function catalog(product: Product): readonly CatalogFunction[] {
  if (product === "spe") return SPE_CATALOG;
  if (product === "server") return SERVER_CATALOG;
  throw new ArgumentError(
    `Unknown product ${
      JSON.stringify(product)
    }: use "spe" (MailStore SPE) or "server" (MailStore Server).`,
  );
}

const byName = new Map<Product, ReadonlyMap<string, CatalogFunction>>();

/**
 * The bundled catalogue entry of one function, looked up by its exact (case-sensitive) name, or
 * `undefined` when the product has no such function. The index is built once per product, so a
 * lookup costs a map access rather than a scan of the catalogue.
 *
 * @param product `"spe"` (MailStore Service Provider Edition) or `"server"` (MailStore Server).
 * @param name The function's name, e.g. `"VerifyStore"`.
 * @returns The entry (which must not be changed), or `undefined`.
 * @throws {ArgumentError} For a product other than `"spe"` or `"server"`.
 *
 * @example Whether a function changes state, and its mandatory arguments
 * ```ts
 * import { findFunction } from "@mspe/mspe";
 * const verify = findFunction("spe", "VerifyStore");
 * console.log(verify?.readOnly, verify?.args.filter((arg) => !arg.nullable).map((arg) => arg.name));
 * console.log(findFunction("spe", "verifystore")); // undefined: names are case-sensitive
 * ```
 */
export function findFunction(product: Product, name: string): CatalogFunction | undefined {
  let index = byName.get(product);
  if (index === undefined) {
    index = new Map(catalog(product).map((fn) => [fn.name, fn]));
    byName.set(product, index);
  }
  return index.get(name);
}
