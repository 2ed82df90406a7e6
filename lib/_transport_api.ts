/**
 * What a transport is, for both of its paths (`fetch` with a `Deno.HttpClient` in `_transport.ts`,
 * `node:https` in `_transport_node.ts`): the interface, and the helpers both use. A module of its
 * own so that the `node:https` path, loaded lazily by `_transport.ts`, does not import it back.
 *
 * @module
 */

import { MspeError } from "./errors.ts";
import type { OnceReply, OnceRequest } from "./_one_shot.ts";

/**
 * A fetch-compatible function with its own connection pool, for requests that may be sent twice
 * (reads, polls), and {@linkcode Transport.once} for those that must not; close it to release the
 * connections.
 */
export interface Transport extends Disposable {
  /**
   * Sends one request on a pooled, kept-alive connection; redirects are not followed. The pool may
   * send a request again when a reused connection closes, so use it only for requests that change
   * nothing. Rejects with {@linkcode TlsError}, {@linkcode ConnectionError}, or the signal's reason
   * (the `AbortError` / `TimeoutError` `DOMException`) when `init.signal` aborts.
   */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /**
   * Sends one request on a new connection of its own, with the same certificate checks, and closes
   * it after the reply: the request is written at most once. A failure after it was written is
   * the {@linkcode ConnectionError} that says the server may or may not have run the call.
   */
  once(request: OnceRequest): Promise<OnceReply>;
  /** Closes the pooled connections. Idempotent. */
  close(): void;
}

/** What a closed transport's requests reject with (both paths). */
export function closedError(): MspeError {
  return new MspeError("The client is closed. Create a new one.");
}

/** Resolves like `promise`, or rejects with the signal's reason when it aborts first. */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  discard?: (late: T) => void,
): Promise<T> {
  if (signal.aborted) {
    promise.then((late) => discard?.(late), () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (aborted) discard?.(value);
        else resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
