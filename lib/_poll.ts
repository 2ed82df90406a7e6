/**
 * Following a call to its end: the first reply, then `get-status` long polls until the status is no
 * longer "running". The server holds each poll until there is news or `millisecondsTimeout` passes,
 * so there is no client-side sleeping, except a short backoff when a server answers at once with an
 * unchanged status (so that it cannot make the client spin) and before retrying a failed poll.
 *
 * @module
 */

import type { Status } from "./status.ts";
import { ApiError, CancelledError, ProtocolError } from "./errors.ts";
import type { ClientState } from "./client.ts";
import { postStatus } from "./_wire.ts";
import { sleep, withRetries } from "./_retry.ts";
import { redactError, type Redactor } from "./_redact.ts";

const SPIN_BASE_MS = 25;
const SPIN_MAX_MS = 1000;

/** How one call is followed. */
export interface FollowOptions {
  readonly state: ClientState;
  /** The call's own signal (stop watching, deadline, caller's signal), if any. */
  readonly signal: AbortSignal | undefined;
  /** `millisecondsTimeout` of each poll. */
  readonly statusTimeoutMs: number;
  /** Called with each new status, if given. */
  readonly emit?: ((status: Status) => void) | undefined;
  /** The call's redactor, for the polls' errors and traces (the client's when left out). */
  readonly redactor?: Redactor | undefined;
}

/** One `get-status` poll, retried with backoff on transient failures. */
export async function poll(
  options: FollowOptions,
  token: string,
  lastKnownStatusVersion: number,
): Promise<Status> {
  const { state, signal, statusTimeoutMs } = options;
  const body = new URLSearchParams({
    token,
    lastKnownStatusVersion: String(lastKnownStatusVersion),
    millisecondsTimeout: String(statusTimeoutMs),
  }).toString();
  const status = await withRetries(
    state.pollRetries,
    [signal, state.wire.signal],
    (attempt) =>
      postStatus(state.wire, "/api/get-status", body, {
        signal,
        extraTimeoutMs: statusTimeoutMs,
        token,
        redactor: options.redactor,
        retry: attempt,
      }),
  );
  if (status.token !== null && status.token !== token) {
    // Another call's status must never be taken for this one's (a proxy mixing replies up).
    throw new ProtocolError(
      `The reply to get-status for the token ${token} is about another call (token ${
        status.token.slice(0, 80)
      }). Check the server and any proxy in front of it.`,
      200,
      "",
    );
  }
  return status;
}

/**
 * Follows a call from its first status (`first`, already emitted) to the final one, emitting every
 * new status. Resolves to the final status whatever its code; {@linkcode settle} judges it.
 */
export async function followFrom(first: Status, options: FollowOptions): Promise<Status> {
  let last = first;
  let token = last.token;
  let quickRepeats = 0;
  while (last.statusCode === "running") {
    token = last.token ?? token;
    if (token === null) {
      throw new ProtocolError(
        'The server answered "running" without a token, so the call cannot be followed. Check the server.',
        200,
        JSON.stringify(last).slice(0, 200),
      );
    }
    const started = performance.now();
    const next = await poll(options, token, last.statusVersion);
    // statusVersion only goes up: a lower or equal one is "unchanged", whatever else it says, so
    // that a server flipping between versions can neither replay old statuses nor make us spin.
    if (next.statusVersion > last.statusVersion) {
      quickRepeats = 0;
      last = next;
      options.emit?.(next);
      continue;
    }
    // Nothing new. After a full long poll that is normal; an immediate unchanged answer is not, and
    // repeating it at once would spin, so back off (only in that case, growing to a second).
    if (
      performance.now() - started < options.statusTimeoutMs / 2 || options.statusTimeoutMs === 0
    ) {
      await sleep(Math.min(SPIN_MAX_MS, SPIN_BASE_MS * 2 ** quickRepeats), [
        options.signal,
        options.state.wire.signal,
      ]);
      quickRepeats++;
    } else {
      quickRepeats = 0;
    }
  }
  return last;
}

/**
 * The exception .NET throws for a cancelled operation, as the server names it in `error.details`
 * (a cancel sent by another process or client): the server's own statement, unlike a message that
 * merely mentions a cancel.
 */
const CANCELLED_EXCEPTION = /\bSystem\.OperationCanceledException\b/;

/**
 * Judges a final status: "failed" rejects with {@linkcode ApiError}, or with
 * {@linkcode CancelledError} when the call was cancelled: "cancelled"; "failed" after this client's
 * cancel-async for it was accepted (when it is still in flight, the judgement waits for it); or,
 * when this client sent none, "failed" with the server's cancellation exception in its details. A
 * failed cancel-async of this client leaves a failure an ApiError.
 */
function settle<R>(
  label: string,
  status: Status<R>,
  state: ClientState,
): Status<R> | Promise<Status<R>> {
  const code = status.statusCode;
  if (code === "succeeded") return status;
  const token = status.token;
  // Kept after use: several operations may follow the same token (startCall and resumeCall).
  const cancel = token !== null ? state.cancelRequested.get(token) : undefined;
  if (code === "failed" && cancel !== undefined) {
    return cancel.then((accepted) => judge(label, status, accepted));
  }
  const cancelledElsewhere = code === "failed" &&
    CANCELLED_EXCEPTION.test(status.error?.details ?? "");
  return judge(label, status, cancelledElsewhere);
}

function judge<R>(label: string, status: Status<R>, cancelled: boolean): Status<R> {
  const code = status.statusCode;
  if (code === "cancelled" || (code === "failed" && cancelled)) {
    throw new CancelledError(label, status as Status);
  }
  if (code === "failed" || status.error !== null) throw new ApiError(label, status as Status);
  return status;
}

/** {@linkcode settle}, with its error redacted. */
export function settleRedacted<R>(
  label: string,
  status: Status<R>,
  state: ClientState,
  redactor: Redactor,
): Status<R> | Promise<Status<R>> {
  try {
    const settled = settle(label, status, state);
    return settled instanceof Promise
      ? settled.catch((error) => {
        throw redactError(error, redactor);
      })
      : settled;
  } catch (error) {
    throw redactError(error, redactor);
  }
}
