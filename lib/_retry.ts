/**
 * Sending a read or a poll again after a blip: which failures are transient, the jittered
 * backoff, and the loop. Only for requests that may be sent twice; a state-changing call never
 * comes here (`_call.ts`: sendFirst). Imports nothing of the client, so that the client, the
 * call functions and the poll loop can all use it.
 *
 * @module
 */

import { ConnectionError, HttpError } from "./errors.ts";
import { isRequestTimeout } from "./_wire.ts";
import { isLastingConnectionError } from "./_transport.ts";

/** HTTP statuses after which a read or a poll is sent again (both may be sent twice). */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 4000;

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

/** Whether a failed poll, or a failed read, may be sent again: nothing came back but a blip. */
export function isRetryablePollError(error: unknown): boolean {
  if (error instanceof ConnectionError) return !isLastingConnectionError(error);
  if (error instanceof HttpError) return RETRY_STATUSES.has(error.status);
  return isRequestTimeout(error);
}

/** Jittered exponential backoff: between half and all of base·2^attempt, capped. */
export function retryDelay(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Runs `send` and, after a transient failure ({@linkcode isRetryablePollError}), runs it again up
 * to `retries` times with jittered backoff; `send` gets the attempt (0 first, 1 for the first
 * retry). Only for requests that may be sent twice (reads, polls): a state-changing call is never
 * given to it. Stops at once, with the failure, when one of `signals` aborted.
 */
export async function withRetries<T>(
  retries: number,
  signals: readonly (AbortSignal | undefined)[],
  send: (attempt: number) => Promise<T>,
): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await send(attempt);
    } catch (error) {
      if (
        attempt >= retries || signals.some((s) => s?.aborted) || !isRetryablePollError(error)
      ) {
        throw error;
      }
    }
    await sleep(retryDelay(attempt), signals);
  }
}
