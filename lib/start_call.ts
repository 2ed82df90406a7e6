/**
 * {@linkcode startCall}: call a function and follow it as an {@linkcode Operation}.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { stateOf } from "./client.ts";
import type { CallOptions, CallParametersOf } from "./call_types.ts";
import type { FunctionName, UncheckedArgs, UncheckedFunction } from "./function_names.ts";
import type { ResultOf } from "./results.ts";
import { callWire, prepareFunctionCall, resolveCallOptions, sendFirst } from "./_call.ts";
import { createOperation, type Operation } from "./operation.ts";

/**
 * Calls an API function and returns at once an {@linkcode Operation} that follows it: an async
 * iterable of its statuses (the first reply, one per new `statusVersion`, the final one), its
 * `token`, and a promise of its `final` status. The `onStatus` option gives the PowerShell wrapper's
 * event style. Several operations run at once independently.
 *
 * @param client A client from {@linkcode newClient}.
 * @param fn The function name (typed by the client's product), or {@linkcode uncheckedFunction}.
 * @param args The arguments; optional when none is mandatory.
 * @param options A signal, a deadline, the poll wait, a status callback.
 * @returns The operation; the request is already on its way.
 * @throws {ArgumentError} At once, before anything is sent, for an unknown function or argument, a
 * missing mandatory argument or a value of the wrong type.
 *
 * @example Tutorial example 4: react to every status while doing other work
 * ```ts
 * import { newClient, startCall } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const args = { instanceID: "acme", id: 1, includeIndexes: false };
 * const operation = startCall(client, "VerifyStore", args, {
 *   onStatus: (status) => console.log(status.statusVersion, status.percentProgress, status.logOutput),
 * });
 * console.log("token:", await operation.token);
 * // ... other work ...
 * console.log((await operation.final).statusCode);
 * ```
 */
export function startCall<C extends Client, F extends FunctionName<C["product"]>>(
  client: C,
  fn: F,
  ...parameters: CallParametersOf<C, F>
): Operation<ResultOf<C["product"], F>>;
/**
 * Starts a function the catalogue does not know, through {@linkcode uncheckedFunction}.
 *
 * @param client A client from {@linkcode newClient}.
 * @param fn The function, from {@linkcode uncheckedFunction}.
 * @param args Any arguments.
 * @param options A signal, a deadline, the poll wait, a status callback.
 * @returns The operation; its `result` is `unknown`.
 *
 * @example
 * ```ts
 * import { newClient, startCall, uncheckedFunction } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * for await (const status of startCall(client, uncheckedFunction("VerifyEverything"))) {
 *   console.log(status.percentProgress);
 * }
 * ```
 */
export function startCall(
  client: Client,
  fn: UncheckedFunction,
  args?: UncheckedArgs,
  options?: CallOptions,
): Operation;
export function startCall(
  client: Client,
  fn: string | UncheckedFunction,
  args?: unknown,
  options?: CallOptions<never>,
): Operation {
  const state = stateOf(client);
  const { name, body } = prepareFunctionCall(state, fn, args, options?.checkValues);
  const resolved = resolveCallOptions(options, state);
  const path = `/api/invoke/${name}`;
  const wire = callWire(state, name, body);
  return createOperation({
    state,
    label: name,
    functionName: name,
    first: (signal) => sendFirst(state, path, body, wire, signal),
    options: resolved,
    redactor: wire.redactor,
  });
}
