/**
 * The life of one call, shared by {@linkcode invokeCall}, {@linkcode startCall} and
 * {@linkcode resumeCall}: counted in flight from the first request to the final status, the first
 * reply, `get-status` polls while it is "running", the final status judged (failed, cancelled) and
 * every error redacted.
 *
 * The first request is whatever the caller gives: an invoke, sent at most once when it may change
 * state (`_wire.ts`), or for a resumed call a poll, which may be retried (`_poll.ts`). A call the
 * server answers synchronously costs that one request and no promise layer more than needed.
 *
 * @module
 */

import type { Status } from "./status.ts";
import type { ClientState } from "./client.ts";
import { enter, leave } from "./client.ts";
import { followFrom, settleRedacted } from "./_poll.ts";
import { redactError, type Redactor } from "./_redact.ts";

/** One call to run. */
export interface CallRun {
  readonly state: ClientState;
  /** How the call is named in its errors: the function, or "The call with token …". */
  readonly label: string;
  /** Sends the request whose reply is the first status, with the call's signal. */
  readonly first: (signal: AbortSignal | undefined) => Promise<Status>;
  /** The call's own signal (caller's signal, deadline, stop watching), if any. */
  readonly signal: AbortSignal | undefined;
  /** `millisecondsTimeout` of each poll. */
  readonly statusTimeoutMs: number;
  /** The client's redactor plus the call's secret arguments. */
  readonly redactor: Redactor;
  /** Called with the first status and each new one; an exception it throws fails the call. */
  readonly emit?: ((status: Status) => void) | undefined;
  /**
   * Called once when following ends, before the final status is judged: with `null` when the final
   * status arrived (whatever its code), with the redacted error when it could not be obtained.
   */
  readonly done?: ((failure: { readonly error: unknown } | null) => void) | undefined;
}

/**
 * Runs a call to its final status. Resolves to it when it succeeded; rejects with
 * {@linkcode ApiError} or {@linkcode CancelledError} when it failed or was cancelled, and with the
 * transport's or the abort's error (redacted) when the statuses could not be obtained.
 */
export function runCall(call: CallRun): Promise<Status> {
  const { state, redactor } = call;
  enter(state);
  const finish = (status: Status): Status | Promise<Status> => {
    call.done?.(null);
    leave(state);
    return settleRedacted(call.label, status, state, redactor);
  };
  const fail = (failure: unknown): never => {
    const error = redactError(failure, redactor);
    call.done?.({ error });
    leave(state);
    throw error;
  };
  // A synchronous reply is settled in the same step; only a "running" one is followed. Each
  // promise layer saved here is measurable in bench/client_bench.ts.
  return call.first(call.signal).then((first) => {
    if (call.emit !== undefined) {
      try {
        call.emit(first);
      } catch (error) {
        return fail(error);
      }
    }
    return first.statusCode === "running"
      ? followFrom(first, {
        state,
        signal: call.signal,
        statusTimeoutMs: call.statusTimeoutMs,
        emit: call.emit,
        redactor,
      }).then(finish, fail)
      : finish(first);
  }, fail);
}
