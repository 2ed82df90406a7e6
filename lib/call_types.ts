/**
 * The types of a call: its options, and its arguments as they depend on the client (product, default
 * instanceID) and the function.
 *
 * @module
 */

import type { Status } from "./status.ts";
import type { Client } from "./client.ts";
import type { FunctionArgs, FunctionName } from "./function_names.ts";
import type { ResultOf } from "./results.ts";

/**
 * Options of one call ({@linkcode invokeCall}, {@linkcode startCall}, {@linkcode resumeCall}).
 *
 * @typeParam R The result type of the call.
 *
 * @example Progress and a deadline
 * ```ts
 * import { invokeCall, newClient, type CallOptions } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const options: CallOptions = {
 *   timeoutMs: 30 * 60_000,
 *   onStatus: (status) => console.error(`${status.percentProgress ?? 0}%`),
 * };
 * const args = { instanceID: "acme", id: 1, includeIndexes: false };
 * await invokeCall(client, "VerifyStore", args, options);
 * ```
 */
export interface CallOptions<R = unknown> {
  /**
   * Stops the call: the request or poll in flight is aborted and the promise rejects with the
   * signal's reason (an `AbortError` `DOMException` by default). Work the server already runs goes on;
   * use {@linkcode stopCall} to cancel it.
   */
  signal?: AbortSignal | undefined;
  /**
   * A limit for the whole call, polls included, in milliseconds. When it passes, the call stops like
   * an abort, with a `TimeoutError` `DOMException`.
   */
  timeoutMs?: number | undefined;
  /**
   * How long the server may hold each `get-status` poll open waiting for news, in milliseconds
   * (`millisecondsTimeout`). Defaults to the client's `statusTimeoutMs` (5000).
   */
  statusTimeoutMs?: number | undefined;
  /**
   * Called with the first reply and with every new status of a long-running call (the PowerShell
   * wrapper's events). If it throws, the call stops and rejects with that error.
   */
  onStatus?: ((status: Status<R>) => void) | undefined;
  /**
   * `false` sends values outside the sets the bundled catalogue documents (privileges, start
   * modes, ...; the known fields of a json argument): for a newer server that accepts new values.
   * Argument names, types and mandatory arguments are still checked. Default `true`.
   */
  checkValues?: boolean | undefined;
}

/**
 * The arguments object of function `F` for client `C`: the function's argument type, with
 * `instanceID` optional when the client has a default instanceID, and `null`/`undefined` accepted for
 * every optional argument (they leave it out).
 *
 * @example
 * ```ts
 * import { type CallArgs, type Client, newClient } from "@mspe/mspe";
 * const client = await newClient({ username: "admin", password: "secret", instanceID: "acme" });
 * const args: CallArgs<typeof client, "GetUserInfo"> = { userName: "jdoe" }; // instanceID from the client
 * ```
 */
export type CallArgs<C extends Client, F extends FunctionName<C["product"]>> =
  (C["instanceID"] extends string
    ? FunctionArgs<C["product"], F> extends { readonly instanceID: string }
      ? Omit<FunctionArgs<C["product"], F>, "instanceID"> & { readonly instanceID?: string }
    : FunctionArgs<C["product"], F>
    : FunctionArgs<C["product"], F>) extends infer A ? {
      readonly [
        // Optional arguments also take null and undefined (both leave the argument out).
        K in keyof A
      ]: Record<never, never> extends Pick<A, K> ? A[K] | null | undefined
        : A[K];
    }
    : never;

/**
 * The parameters after the function name: the arguments (optional when no argument is mandatory)
 * and the call options.
 *
 * @example
 * ```ts
 * import type { CallParameters } from "@mspe/mspe";
 * type P = CallParameters<{ readonly instanceID: string }, unknown>;
 * const parameters: P = [{ instanceID: "acme" }, { timeoutMs: 1000 }];
 * console.log(parameters.length);
 * ```
 */
export type CallParameters<A, R> = Record<never, never> extends A
  ? [args?: A, options?: CallOptions<R>]
  : [args: A, options?: CallOptions<R>];

/**
 * The parameters of {@linkcode invokeCall} and {@linkcode startCall} after the function name, for
 * client `C` and function `F`.
 *
 * @example
 * ```ts
 * import { type CallParametersOf, type Client } from "@mspe/mspe";
 * type P = CallParametersOf<Client<"spe", null>, "GetUsers">; // [args: { instanceID: string }, options?]
 * ```
 */
export type CallParametersOf<C extends Client, F extends FunctionName<C["product"]>> =
  CallParameters<CallArgs<C, F>, ResultOf<C["product"], F>>;
