/**
 * {@linkcode checkCall}: check a call as {@linkcode invokeCall} and {@linkcode startCall} do before
 * they send it, without sending anything.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { stateOf } from "./client.ts";
import type { CatalogFunction } from "./metadata.ts";
import type { FunctionName, UncheckedFunction } from "./function_names.ts";
import { findFunction } from "./catalog.ts";
import { ArgumentError } from "./errors.ts";
import { prepareFunctionCall } from "./_call.ts";

/**
 * Options of {@linkcode checkCall}.
 *
 * @example Checking a call that another instanceID will be filled into later
 * ```ts
 * import type { CheckCallOptions } from "@mspe/mspe";
 * const options: CheckCallOptions = { defaultInstanceID: null, checkValues: false };
 * console.log(options.defaultInstanceID);
 * ```
 */
export interface CheckCallOptions {
  /**
   * Whether values are checked against the documented sets (enums, JSON fields), as the call option
   * `checkValues`. Default `true`.
   */
  checkValues?: boolean | undefined;
  /**
   * The instanceID filled in for a function that takes one and was given none. Left out, it is the
   * client's default (`instanceID` of {@linkcode newClient}), as when the call is sent; `null` when
   * no default applies (a call that will be sent to instances named elsewhere, so a missing
   * instanceID is a missing mandatory argument); or another instance's ID.
   */
  defaultInstanceID?: string | null | undefined;
}

/**
 * A call that passed {@linkcode checkCall}.
 *
 * @example
 * ```ts
 * import { checkCall, type CheckedCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin", metadata: "bundled" });
 * const checked: CheckedCall = checkCall(client, "DeleteInstances", { instanceFilter: "test*" });
 * console.log(checked.entry?.readOnly); // false
 * ```
 */
export interface CheckedCall {
  /** The function's name. */
  readonly name: string;
  /**
   * The bundled catalogue's entry for the function (description, `readOnly`, `destructive`, its
   * arguments), or `undefined` for a function the catalogue does not know.
   */
  readonly entry: CatalogFunction | undefined;
  /**
   * The instanceID the call goes to: the one given, or the default filled in; `null` when the call
   * has none (a function without instanceID, or none given and none filled in).
   */
  readonly instanceID: string | null;
}

/**
 * Checks a call exactly as {@linkcode invokeCall} and {@linkcode startCall} check it before they
 * send it (the same code), and sends nothing: the function against the client's metadata (or the
 * bundled catalogue with `metadata: "none"` for what it knows), unknown and missing arguments,
 * value types and documented values, with the client's default instanceID filled in unless
 * `options.defaultInstanceID` says otherwise. For a preview (`--what-if`), a confirmation question,
 * or one check before a call fans out to many instances.
 *
 * @param client A client from {@linkcode newClient}.
 * @param fn The function name, or {@linkcode uncheckedFunction} for one the metadata may not know.
 * @param args The arguments, as they would be passed to {@linkcode invokeCall}.
 * @param options Whether values are checked; which default instanceID applies.
 * @returns The function's name, its catalogue entry and the instanceID the call goes to.
 * @throws {ArgumentError} For an unknown function or argument, a missing mandatory argument, a
 * value of the wrong type or outside the documented set: the same error the call would throw.
 *
 * @example A preview before a destructive call
 * ```ts
 * import { checkCall, invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const args = { instanceID: "acme", userName: "alice" };
 * const { entry, instanceID } = checkCall(client, "DeleteUser", args);
 * if (entry?.destructive !== undefined && !confirm(`Delete alice on ${instanceID}?`)) Deno.exit(1);
 * await invokeCall(client, "DeleteUser", args);
 * ```
 *
 * @example One check before a call goes to every instance
 * ```ts
 * import { checkCall, forEachInstance, invokeCall, newClient, uncheckedFunction } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const fn = uncheckedFunction("GetUsers");
 * // The instanceID is filled in per instance below: check with a stand-in, not the default.
 * checkCall(client, fn, { instanceID: "example" }, { defaultInstanceID: null });
 * for await (const outcome of forEachInstance(client, (instanceID) => invokeCall(client, fn, { instanceID }))) {
 *   console.log(outcome.instanceID, outcome.ok);
 * }
 * ```
 */
export function checkCall<C extends Client>(
  client: C,
  fn: FunctionName<C["product"]> | UncheckedFunction,
  args?: Readonly<Record<string, unknown>> | undefined,
  options?: CheckCallOptions,
): CheckedCall {
  const state = stateOf(client);
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new ArgumentError("The options of checkCall must be an object.");
  }
  const defaultInstanceID = options?.defaultInstanceID;
  if (
    defaultInstanceID !== undefined && defaultInstanceID !== null &&
    (typeof defaultInstanceID !== "string" || defaultInstanceID === "")
  ) {
    throw new ArgumentError(
      "defaultInstanceID must be an instance ID, or null when no default applies.",
    );
  }
  const { name, body } = prepareFunctionCall(
    state,
    fn,
    args,
    options?.checkValues,
    defaultInstanceID,
  );
  return {
    name,
    entry: findFunction(state.product, name),
    // The body as it would be sent: the given instanceID encoded, or the default filled in.
    instanceID: new URLSearchParams(body).get("instanceID"),
  };
}
