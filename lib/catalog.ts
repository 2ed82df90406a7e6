/**
 * The bundled function catalogue: every function of MailStore SPE (122) and MailStore Server (89)
 * with its arguments, documented values and description.
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
