/**
 * {@linkcode invokeCall}: call a function and wait for its final status.
 *
 * @module
 */

import type { Status } from "./status.ts";
import type { Client } from "./client.ts";
import { stateOf } from "./client.ts";
import type { CallOptions, CallParametersOf } from "./call_types.ts";
import type { FunctionName, UncheckedArgs, UncheckedFunction } from "./function_names.ts";
import type { ResultOf } from "./results.ts";
import {
  callSignal,
  callWire,
  prepareFunctionCall,
  resolveCallOptions,
  sendFirst,
} from "./_call.ts";
import { runCall } from "./_lifecycle.ts";

/**
 * Calls an API function and resolves to its final status: the whole envelope (`error`, `token`,
 * `statusVersion`, `statusCode`, `percentProgress`, `statusText`, `result`, `logOutput`). When the
 * server answers "running", the call is followed with `get-status` long polls to its end.
 *
 * The arguments are checked against the client's metadata before anything is sent; a synchronous
 * call costs exactly one HTTP request. The call is written to the network at most once: a function
 * the catalogue does not mark `readOnly` goes on a connection of its own that is never reused, and
 * if that connection breaks after the request was written, the {@linkcode ConnectionError} says the
 * server may or may not have run it. Polls are retried on transient failures.
 *
 * @param client A client from {@linkcode newClient}.
 * @param fn The function name (typed by the client's product), or {@linkcode uncheckedFunction}.
 * @param args The arguments; optional when none is mandatory. `undefined`/`null` values are left out.
 * @param options A signal, a deadline, the poll wait, a status callback.
 * @returns The final status, with a typed `result` for the common functions.
 * @throws {ArgumentError} Unknown function or argument, missing mandatory argument, wrong value type.
 * @throws {ApiError} The final status is "failed" (the error carries the status).
 * @throws {CancelledError} The call was cancelled with {@linkcode stopCall}.
 * @throws {AuthenticationError} HTTP 401.
 * @throws {HttpError} Another HTTP status than 200.
 * @throws {ProtocolError} A reply that is not the expected JSON.
 * @throws {TokenExpiredError} The server forgot the token while it was followed.
 * @throws {TlsError} The server's certificate was refused.
 * @throws {ConnectionError} The server could not be reached or the connection broke (for a call that
 * changes state after it was sent: the message says so, and how to check whether it ran).
 *
 * @example Tutorial example 2: the users of every instance
 * ```ts
 * import { invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? [];
 * for (const instance of instances) {
 *   const users = (await invokeCall(client, "GetUsers", { instanceID: instance.instanceID })).result ?? [];
 *   for (const user of users) {
 *     const info = await invokeCall(client, "GetUserInfo", {
 *       instanceID: instance.instanceID,
 *       userName: user.userName,
 *     });
 *     console.log(info.result);
 *   }
 * }
 * ```
 */
export function invokeCall<C extends Client, F extends FunctionName<C["product"]>>(
  client: C,
  fn: F,
  ...parameters: CallParametersOf<C, F>
): Promise<Status<ResultOf<C["product"], F>>>;
/**
 * Calls a function the catalogue does not know, through {@linkcode uncheckedFunction}.
 *
 * @param client A client from {@linkcode newClient}.
 * @param fn The function, from {@linkcode uncheckedFunction}.
 * @param args Any arguments.
 * @param options A signal, a deadline, the poll wait, a status callback.
 * @returns The final status; its `result` is `unknown`.
 *
 * @example
 * ```ts
 * import { invokeCall, newClient, uncheckedFunction } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const status = await invokeCall(client, uncheckedFunction("GetSomethingNew"), { flag: true });
 * console.log(status.result);
 * ```
 */
export function invokeCall(
  client: Client,
  fn: UncheckedFunction,
  args?: UncheckedArgs,
  options?: CallOptions,
): Promise<Status>;
export function invokeCall(
  client: Client,
  fn: string | UncheckedFunction,
  args?: unknown,
  options?: CallOptions<never>,
): Promise<Status> {
  try {
    const state = stateOf(client);
    const { name, body } = prepareFunctionCall(state, fn, args, options?.checkValues);
    const path = `/api/invoke/${name}`;
    const wire = callWire(state, name, body);
    if (options === undefined) {
      // The common case, kept lean: no signal, no deadline, no callback. The call's wire options
      // (once, redactor) are its request options.
      return runCall({
        state,
        label: name,
        first: () => sendFirst(state, path, body, wire, undefined),
        signal: undefined,
        statusTimeoutMs: state.statusTimeoutMs,
        redactor: wire.redactor,
      });
    }
    const resolved = resolveCallOptions(options, state);
    const { signal, dispose } = callSignal(name, resolved);
    return runCall({
      state,
      label: name,
      first: (signal) => sendFirst(state, path, body, wire, signal),
      signal,
      statusTimeoutMs: resolved.statusTimeoutMs,
      redactor: wire.redactor,
      emit: resolved.onStatus as ((status: Status) => void) | undefined,
      done: dispose,
    });
  } catch (error) {
    return Promise.reject(error);
  }
}
