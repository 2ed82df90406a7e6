/**
 * Following a call to its end: the first reply, then `get-status` long polls until the status is no
 * longer "running". The server holds each poll until there is news or `millisecondsTimeout` passes,
 * so there is no client-side sleeping, except a short backoff when a server answers at once with an
 * unchanged status (so that it cannot make the client spin) and before retrying a failed poll.
 *
 * @module
 */

import type { Status } from "./status.ts";
import { ApiError, CancelledError, ConnectionError, HttpError, ProtocolError } from "./errors.ts";
import type { ClientState } from "./client.ts";
import { isRequestTimeout, postStatus } from "./_wire.ts";

/** HTTP statuses after which a poll is retried (the poll is idempotent). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 4000;
const SPIN_BASE_MS = 25;
const SPIN_MAX_MS = 1000;

/** Waits `ms`, or rejects with the reason as soon as a signal aborts; leaves no timer behind. */
export function sleep(ms: number, signals: readonly (AbortSignal | undefined)[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const active = signals.filter((s): s is AbortSignal => s !== undefined);
    const aborted = active.find((s) => s.aborted);
    if (aborted) return reject(aborted.reason);
    const onAbort = (event: Event): void => {
      clearTimeout(timer);
      for (const s of active) s.removeEventListener("abort", onAbort);
      reject((event.target as AbortSignal).reason);
    };
    const timer = setTimeout(() => {
      for (const s of active) s.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    for (const s of active) s.addEventListener("abort", onAbort, { once: true });
  });
}

/** Whether a failed poll may be sent again. */
export function isRetryablePollError(error: unknown): boolean {
  if (error instanceof ConnectionError) return true;
  if (error instanceof HttpError) return RETRY_STATUSES.has(error.status);
  return isRequestTimeout(error);
}

/** Jittered exponential backoff: between half and all of base·2^attempt, capped. */
export function retryDelay(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** How one call is followed. */
export interface FollowOptions {
  readonly state: ClientState;
  /** The call's own signal (stop watching, deadline, caller's signal), if any. */
  readonly signal: AbortSignal | undefined;
  /** `millisecondsTimeout` of each poll. */
  readonly statusTimeoutMs: number;
  /** Called with the first status and each new one. */
  readonly emit: (status: Status) => void;
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
  for (let attempt = 0;; attempt++) {
    try {
      return await postStatus(state.wire, "/api/get-status", body, {
        signal,
        extraTimeoutMs: statusTimeoutMs,
        token,
      });
    } catch (error) {
      if (
        attempt >= state.pollRetries || signal?.aborted || state.wire.signal.aborted ||
        !isRetryablePollError(error)
      ) {
        throw error;
      }
      await sleep(retryDelay(attempt), [signal, state.wire.signal]);
    }
  }
}

/**
 * Follows a call from its first reply (`first`) to the final status, emitting the first status and
 * every new one. Resolves to the final status whatever its code; {@linkcode settle} judges it.
 */
export async function follow(
  first: () => Promise<Status>,
  options: FollowOptions,
): Promise<Status> {
  let last = await first();
  options.emit(last);
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
    if (next.statusVersion !== last.statusVersion || next.statusCode !== last.statusCode) {
      quickRepeats = 0;
      last = next;
      options.emit(next);
      continue;
    }
    // Nothing new. After a full long poll that is normal; an immediate unchanged answer is not, and
    // repeating it at once would spin, so back off a little (only in that case).
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
 * Judges a final status: "failed" rejects with {@linkcode ApiError}, or with
 * {@linkcode CancelledError} when the call was cancelled ("cancelled", or "failed" after this client
 * sent cancel-async or with an error that says it was cancelled).
 */
export function settle<R>(label: string, status: Status<R>, state: ClientState): Status<R> {
  const code = status.statusCode;
  if (code === "succeeded") return status;
  const cancelled = code === "cancelled" ||
    (code === "failed" &&
      ((status.token !== null && state.cancelRequested.has(status.token)) ||
        /cancel/i.test(status.error?.message ?? "")));
  if (status.token !== null && code !== "running") state.cancelRequested.delete(status.token);
  if (cancelled) throw new CancelledError(label, status as Status);
  if (code === "failed" || status.error !== null) throw new ApiError(label, status as Status);
  return status;
}
