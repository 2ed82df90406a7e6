/**
 * {@linkcode stopCall}: ask the server to cancel a long-running call.
 *
 * @module
 */

import type { Status } from "./status.ts";
import type { Client } from "./client.ts";
import { stateOf, track } from "./client.ts";
import type { Operation } from "./operation.ts";
import { ArgumentError } from "./errors.ts";
import { postStatus } from "./_wire.ts";
import { redactError } from "./_redact.ts";

/**
 * Options of {@linkcode stopCall}.
 *
 * @example
 * ```ts
 * import type { StopOptions } from "@mspe/mspe";
 * const options: StopOptions = { signal: AbortSignal.timeout(10_000) };
 * console.log(options.signal?.aborted);
 * ```
 */
export interface StopOptions {
  /** Aborts the cancel-async request. */
  signal?: AbortSignal | undefined;
}

async function tokenOf(target: unknown): Promise<string> {
  let token: unknown;
  if (typeof target === "string") {
    token = target;
  } else if (
    typeof target === "object" && target !== null && "final" in target && "token" in target
  ) {
    token = await (target as Operation).token;
  } else if (typeof target === "object" && target !== null && "statusCode" in target) {
    token = (target as Status).token;
  } else {
    throw new ArgumentError("stopCall needs a token, a status object or an operation.");
  }
  if (typeof token !== "string" || token === "") {
    throw new ArgumentError(
      "The call has no token: the server answered it synchronously, so there is nothing to cancel.",
    );
  }
  return token;
}

/**
 * Asks the server to cancel a long-running call (`cancel-async`) and returns its reply at once; it
 * does not wait for the call to stop. The server decides if and when the call stops: an operation
 * still being followed goes on to the final status, and its `final` promise (or
 * {@linkcode invokeCall}) then rejects with {@linkcode CancelledError}, or resolves as usual if the
 * call finished before the cancel took effect.
 *
 * @param client A client from {@linkcode newClient}.
 * @param target The call: its token, a status object of it, or its {@linkcode Operation}.
 * @param options A signal for the cancel request.
 * @returns The server's reply to cancel-async (a status envelope).
 * @throws {ArgumentError} When the target has no token (a synchronous call).
 * @throws {TokenExpiredError} When the server does not know the token.
 *
 * @example Tutorial: cancelling an asynchronous call
 * ```ts
 * import { CancelledError, newClient, startCall, stopCall } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const args = { instanceID: "acme", id: 1, includeIndexes: false };
 * const operation = startCall(client, "VerifyStore", args);
 * await stopCall(client, operation);
 * try {
 *   await operation.final;
 * } catch (error) {
 *   if (error instanceof CancelledError) console.log("cancelled at", error.status.percentProgress, "%");
 * }
 * ```
 */
export function stopCall(
  client: Client,
  target: string | Status | Operation,
  options: StopOptions = {},
): Promise<Status> {
  try {
    const state = stateOf(client);
    const done = (async () => {
      const token = await tokenOf(target);
      const body = new URLSearchParams({ token }).toString();
      const sent = postStatus(state.wire, "/api/cancel-async", body, {
        signal: options.signal,
        token,
      });
      // Only a cancel the server accepted makes a final "failed" count as cancelled; a final status
      // that arrives while it is in flight waits for its outcome (see settle()).
      // A failed one stays recorded as failed: the call's later failure is then an ApiError.
      state.cancelRequested.set(token, sent.then(() => true, () => false));
      try {
        return await sent;
      } catch (error) {
        throw redactError(error, state.wire.redactor);
      }
    })();
    return track(state, done);
  } catch (error) {
    return Promise.reject(error);
  }
}
