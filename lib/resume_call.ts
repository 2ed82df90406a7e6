/**
 * {@linkcode resumeCall}: follow a running call by its token, e.g. after a script restarted.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { stateOf } from "./client.ts";
import type { CallOptions } from "./call_types.ts";
import { ArgumentError } from "./errors.ts";
import { poll } from "./_poll.ts";
import { resolveCallOptions } from "./_call.ts";
import { createOperation, type Operation } from "./operation.ts";

/**
 * Options of {@linkcode resumeCall}.
 *
 * @typeParam R The result type the caller expects.
 *
 * @example
 * ```ts
 * import type { ResumeOptions } from "@mspe/mspe";
 * const options: ResumeOptions = { lastKnownStatusVersion: 7, statusTimeoutMs: 10_000 };
 * console.log(options.lastKnownStatusVersion);
 * ```
 */
export interface ResumeOptions<R = unknown> extends CallOptions<R> {
  /**
   * The last `statusVersion` the caller saw: the first status is the next newer one. Left out, the
   * first status is the current one.
   */
  lastKnownStatusVersion?: number | undefined;
}

/**
 * Picks up a running call by its token and follows it as an {@linkcode Operation}, e.g. in a script
 * that restarted. The first status comes from `get-status`. An unknown or expired token rejects with
 * {@linkcode TokenExpiredError} (never a hang).
 *
 * @param client A client from {@linkcode newClient}.
 * @param token The call's token.
 * @param options `lastKnownStatusVersion`, and the call options.
 * @returns The operation.
 * @throws {ArgumentError} For an empty token or a bad lastKnownStatusVersion.
 *
 * @example
 * ```ts
 * import { newClient, resumeCall } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const token = await Deno.readTextFile("verify.token");
 * const final = await resumeCall(client, token).final;
 * console.log(final.statusCode);
 * ```
 */
export function resumeCall<R = unknown>(
  client: Client,
  token: string,
  options: ResumeOptions<R> = {},
): Operation<R> {
  const state = stateOf(client);
  if (typeof token !== "string" || token === "") {
    throw new ArgumentError("resumeCall needs the token of a running call.");
  }
  const last = options.lastKnownStatusVersion ?? -1;
  if (typeof last !== "number" || !Number.isInteger(last)) {
    throw new ArgumentError("lastKnownStatusVersion must be a whole number.");
  }
  const resolved = resolveCallOptions(options as CallOptions<never>, state);
  const label = `The call with token ${token}`;
  return createOperation<R>({
    state,
    label,
    functionName: null,
    first: (signal) =>
      poll({ state, signal, statusTimeoutMs: resolved.statusTimeoutMs }, token, last),
    options: resolved,
    redactor: state.wire.redactor,
  });
}
