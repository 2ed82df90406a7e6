/**
 * Function metadata: the shape of the `get-metadata` reply, shared by the client and the mock server.
 *
 * @module
 */

/**
 * The two MailStore products that speak this protocol: `"spe"`, the SPE Management API (port 8474),
 * and `"server"`, the MailStore Server Administration API (port 8463).
 *
 * @example
 * ```ts
 * import type { Product } from "@mspe/mspe";
 * const product: Product = "server";
 * console.log(product === "server" ? 8463 : 8474);
 * ```
 */
export type Product = "spe" | "server";

/**
 * The argument types that `get-metadata` uses; they decide how a value is encoded on the wire.
 *
 * @example
 * ```ts
 * import type { ArgumentType } from "@mspe/mspe";
 * const type: ArgumentType = "bool";
 * console.log(type === "bool" ? "sent as true or false" : "sent as text");
 * ```
 */
export type ArgumentType = "string" | "number" | "bool" | "json";

/**
 * One argument of an API function, as `get-metadata` describes it.
 *
 * @example Reading an argument
 * ```ts
 * import type { ArgumentMetadata } from "@mspe/mspe";
 * const arg: ArgumentMetadata = { name: "instanceID", type: "string", nullable: false };
 * console.log(arg.nullable ? "optional" : "mandatory");
 * ```
 */
export interface ArgumentMetadata {
  /** The argument name, case-sensitive on the wire. */
  readonly name: string;
  /** How the value is encoded. */
  readonly type: ArgumentType;
  /** `true` when the argument may be left out; `false` when it is mandatory. */
  readonly nullable: boolean;
}

/**
 * One API function, as `get-metadata` describes it.
 *
 * @example A function with one mandatory argument
 * ```ts
 * import type { FunctionMetadata } from "@mspe/mspe";
 * const fn: FunctionMetadata = {
 *   name: "GetUsers",
 *   args: [{ name: "instanceID", type: "string", nullable: false }],
 * };
 * console.log(fn.args.length);
 * ```
 */
export interface FunctionMetadata {
  /** The function name, case-sensitive. */
  readonly name: string;
  /** The arguments in the server's order. */
  readonly args: readonly ArgumentMetadata[];
  /** A URI path the server names for this function (the PowerShell wrapper honours it); rarely present. */
  readonly path?: string;
}

/**
 * An argument as the bundled catalogue knows it: metadata plus the documented values.
 *
 * @example
 * ```ts
 * import type { CatalogArgument } from "@mspe/mspe";
 * const arg: CatalogArgument = {
 *   name: "requestedState",
 *   type: "string",
 *   nullable: true,
 *   enums: ["current", "normal"],
 *   list: false,
 * };
 * console.log(arg.enums);
 * ```
 */
export interface CatalogArgument extends ArgumentMetadata {
  /** The documented values, when the argument takes one of a fixed set. */
  readonly enums?: readonly (string | number)[];
  /** `true` when the value is a comma-separated list (privileges, e-mail addresses). */
  readonly list: boolean;
  /**
   * `true` when the value is a secret (a password, passphrase or key): it is redacted from every
   * error, trace and line of output.
   */
  readonly secret?: boolean;
  /**
   * For a `json` argument, the fields of the object it takes, as far as they are documented: each
   * field maps to `"string"`, `"number"`, `"bool"`, another such object, or a type note.
   */
  readonly fields?: { readonly [field: string]: unknown };
}

/**
 * A function as the bundled catalogue knows it: metadata plus its description.
 *
 * @example
 * ```ts
 * import { findFunction } from "@mspe/mspe";
 * const verify = findFunction("spe", "VerifyStore");
 * console.log(verify?.description, verify?.longRunning);
 * ```
 */
export interface CatalogFunction extends FunctionMetadata {
  /** The arguments with their documented values. */
  readonly args: readonly CatalogArgument[];
  /** What the function does, in one sentence. */
  readonly description: string;
  /** The area it belongs to (instances, users, archiveStores, ...). */
  readonly group: string;
  /** `true` when the server is known to run it asynchronously. */
  readonly longRunning: boolean;
  /**
   * `true` when the function only reads: sending it twice changes nothing. Everything else is sent
   * at most once.
   */
  readonly readOnly: boolean;
  /**
   * Set when the function deletes, stops, freezes, detaches, merges, overwrites or resets
   * something: one line saying what it destroys. `mspe-run` asks before it sends such a call.
   */
  readonly destructive?: string;
}

/**
 * What a `json` argument takes: an object or array (sent as JSON text), or the JSON text itself.
 *
 * @example
 * ```ts
 * import type { JsonArgument } from "@mspe/mspe";
 * const config: JsonArgument = { userName: "bob", fullName: "Bob" };
 * console.log(JSON.stringify(config));
 * ```
 */
export type JsonArgument = string | { readonly [key: string]: unknown } | readonly unknown[];
