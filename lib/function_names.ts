/**
 * Function names and argument types by product, and the escape hatch for functions the bundled
 * catalogue does not know.
 *
 * @module
 */

import type { JsonArgument, Product } from "./metadata.ts";
import type { SpeArgs } from "./_catalog/spe.ts";
import type { ServerArgs } from "./_catalog/server.ts";
import { ArgumentError } from "./errors.ts";

/**
 * The name of an SPE Management API function.
 *
 * @example
 * ```ts
 * import type { SpeFunctionName } from "@mspe/mspe";
 * const names: SpeFunctionName[] = ["GetEnvironmentInfo", "GetInstances", "VerifyStore"];
 * console.log(names.length);
 * ```
 */
export type SpeFunctionName = keyof SpeArgs & string;

/**
 * The name of a MailStore Server Administration API function.
 *
 * @example
 * ```ts
 * import type { ServerFunctionName } from "@mspe/mspe";
 * const name: ServerFunctionName = "GetServerInfo";
 * console.log(name);
 * ```
 */
export type ServerFunctionName = keyof ServerArgs & string;

/**
 * The argument types of every function of product `P`, by function name: {@linkcode SpeArgs} for
 * `"spe"`, {@linkcode ServerArgs} for `"server"`.
 *
 * @example
 * ```ts
 * import type { ArgsByFunction } from "@mspe/mspe";
 * const args: ArgsByFunction<"spe">["GetUserInfo"] = { instanceID: "acme", userName: "jdoe" };
 * console.log(args.userName);
 * ```
 */
export type ArgsByFunction<P extends Product> = P extends "server" ? ServerArgs : SpeArgs;

/**
 * The name of a function of product `P`. For a client whose product is not known at compile time
 * (`Product`), only the names both products share.
 *
 * @example
 * ```ts
 * import type { FunctionName } from "@mspe/mspe";
 * const name: FunctionName<"spe"> = "GetEnvironmentInfo";
 * console.log(name);
 * ```
 */
export type FunctionName<P extends Product = Product> = keyof ArgsByFunction<P> & string;

/**
 * The arguments object of function `F` of product `P`.
 *
 * @example
 * ```ts
 * import type { FunctionArgs } from "@mspe/mspe";
 * const args: FunctionArgs<"spe", "GetStores"> = { instanceID: "acme", includeSize: true };
 * console.log(args);
 * ```
 */
export type FunctionArgs<P extends Product, F extends FunctionName<P>> = ArgsByFunction<P>[F];

/**
 * One argument value as the client encodes it: a string, a finite number, a boolean, a list
 * (comma-joined) or a JSON value (sent as JSON text). `undefined` and `null` leave the argument out.
 *
 * @example
 * ```ts
 * import type { ArgumentValue } from "@mspe/mspe";
 * const values: ArgumentValue[] = ["acme", 3, false, ["read", "write"], { userName: "bob" }];
 * console.log(values.length);
 * ```
 */
export type ArgumentValue =
  | string
  | number
  | boolean
  | readonly (string | number)[]
  | JsonArgument
  | null
  | undefined;

/**
 * The arguments of a function called through {@linkcode uncheckedFunction}: any names, any
 * {@linkcode ArgumentValue}s.
 *
 * @example
 * ```ts
 * import type { UncheckedArgs } from "@mspe/mspe";
 * const args: UncheckedArgs = { instanceID: "acme", newFlag: true };
 * console.log(Object.keys(args));
 * ```
 */
export type UncheckedArgs = { readonly [name: string]: ArgumentValue };

/**
 * A function name that the types do not check, made by {@linkcode uncheckedFunction}.
 *
 * @example
 * ```ts
 * import { uncheckedFunction, type UncheckedFunction } from "@mspe/mspe";
 * const fn: UncheckedFunction = uncheckedFunction("GetSomethingNew");
 * console.log(fn.name);
 * ```
 */
export interface UncheckedFunction {
  /** The function name as sent in `/api/invoke/<name>`. */
  readonly name: string;
  /** Tells it from a plain function name. */
  readonly kind: "unchecked";
}

const FUNCTION_NAME = /^[A-Za-z0-9_]+$/;

/**
 * The escape hatch for a function the bundled catalogue does not know, for example one a newer server
 * added. The call is not type-checked: any arguments go, and the result type is `unknown`.
 *
 * At run time the client still checks what it can: the name must consist of letters, digits and
 * underscores (so it cannot change the URL); if the client's metadata (fetched from the server)
 * describes the function, its arguments are validated and encoded by that description; otherwise they
 * are encoded by their JavaScript type (booleans as `true`/`false`, arrays comma-joined, objects as
 * JSON) and sent as given.
 *
 * @param name The exact, case-sensitive function name.
 * @returns A branded value to pass as the function to {@linkcode invokeCall} or
 * {@linkcode startCall}.
 * @throws {ArgumentError} When the name has other characters than letters, digits and underscores.
 *
 * @example Calling a function the catalogue does not list yet
 * ```ts
 * import { invokeCall, newClient, uncheckedFunction } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const status = await invokeCall(client, uncheckedFunction("GetSomethingNew"), { verbose: true });
 * console.log(status.result);
 * ```
 */
export function uncheckedFunction(name: string): UncheckedFunction {
  checkFunctionName(name);
  return Object.freeze({ name, kind: "unchecked" });
}

/** Whether `fn` was made by {@linkcode uncheckedFunction}. */
export function isUncheckedFunction(fn: unknown): fn is UncheckedFunction {
  return typeof fn === "object" && fn !== null && (fn as UncheckedFunction).kind === "unchecked" &&
    typeof (fn as UncheckedFunction).name === "string";
}

/** Refuses names that could change the URL (`/`, `?`, `#`, `..`, `%`, spaces, ...). */
export function checkFunctionName(name: unknown): asserts name is string {
  if (typeof name !== "string" || !FUNCTION_NAME.test(name)) {
    throw new ArgumentError(
      `${
        typeof name === "string" ? JSON.stringify(name.slice(0, 80)) : typeof name
      } is not a valid function name: only letters, digits and underscores are allowed. Check the spelling.`,
    );
  }
}
