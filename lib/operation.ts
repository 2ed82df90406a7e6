/**
 * A long-running call being followed: an async iterable of its statuses, with its token and a promise
 * of its final status.
 *
 * @module
 */

import type { Status } from "./status.ts";
import type { ClientState } from "./client.ts";
import { callSignal, type ResolvedCallOptions } from "./_call.ts";
import type { Redactor } from "./_redact.ts";
import { runCall } from "./_lifecycle.ts";

/**
 * A call followed to its end, made by {@linkcode startCall} or {@linkcode resumeCall}.
 *
 * Iterating it yields the server's first reply, then one status per new `statusVersion`, and last the
 * final status (whatever its code), then it ends; if the statuses cannot be obtained (connection
 * lost, token expired, aborted) the iteration throws. Every iterator starts from the first status.
 * Leaving a loop early (`break`, `return`, an exception) stops following the call and aborts the poll
 * in flight; the server's work goes on (use {@linkcode stopCall} to cancel it).
 *
 * The operation runs whether or not it is iterated: {@linkcode Operation.final} settles either way.
 *
 * @typeParam R The result type.
 *
 * @example Following VerifyStore with progress
 * ```ts
 * import { newClient, startCall } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const args = { instanceID: "acme", id: 1, includeIndexes: false };
 * const operation = startCall(client, "VerifyStore", args);
 * for await (const status of operation) {
 *   console.log(status.statusVersion, status.percentProgress, status.statusText);
 * }
 * const final = await operation.final; // rejects with ApiError if it failed
 * console.log(final.statusCode);
 * ```
 */
export interface Operation<R = unknown> extends AsyncIterable<Status<R>> {
  /** The function called, or `null` for a call picked up by {@linkcode resumeCall}. */
  readonly functionName: string | null;
  /**
   * The token, once the first reply is in: a string for a long-running call, `null` when the server
   * answered synchronously. Rejects when the first request fails.
   */
  readonly token: Promise<string | null>;
  /**
   * The final status. Rejects like {@linkcode invokeCall}: {@linkcode ApiError} when it failed,
   * {@linkcode CancelledError} when it was cancelled, the transport's or abort's error otherwise.
   * An unobserved rejection never crashes the process.
   */
  readonly final: Promise<Status<R>>;
  /** The newest status seen so far, or `null` before the first reply. */
  readonly latest: Status<R> | null;
  /** Whether following the call has ended (final status, error or stop). */
  readonly done: boolean;
  /** Iterates the statuses, starting from the first. */
  [Symbol.asyncIterator](): AsyncIterator<Status<R>, undefined, undefined>;
}

const noop = (): void => {};

/** The implementation of {@linkcode Operation}. */
class FollowedCall<R> implements Operation<R> {
  readonly functionName: string | null;
  readonly token: Promise<string | null>;
  readonly final: Promise<Status<R>>;
  #history: Status<R>[] = [];
  #waiters: (() => void)[] = [];
  #done = false;
  #failure: { error: unknown } | null = null;
  readonly #stop = new AbortController();

  constructor(call: FollowedCallSpec) {
    const { state, label, functionName, first, options, redactor } = call;
    this.functionName = functionName;
    let resolveToken!: (token: string | null) => void;
    let rejectToken!: (error: unknown) => void;
    this.token = new Promise((resolve, reject) => {
      resolveToken = resolve;
      rejectToken = reject;
    });
    this.token.catch(noop);
    const onStatus = options.onStatus as ((status: Status<R>) => void) | undefined;
    const { signal, dispose } = callSignal(label, options, this.#stop.signal);
    this.final = runCall({
      state,
      label,
      first,
      signal,
      statusTimeoutMs: options.statusTimeoutMs,
      redactor,
      emit: (status) => {
        const typed = status as Status<R>;
        if (this.#history.length === 0) resolveToken(typed.token);
        this.#history.push(typed);
        this.#wake();
        onStatus?.(typed);
      },
      // The iteration ends with the final status whatever its code; it throws only when the
      // statuses could not be obtained.
      done: (failure) => {
        dispose();
        if (failure !== null) rejectToken(failure.error);
        this.#finish(failure);
      },
    }) as Promise<Status<R>>;
    this.final.catch(noop);
  }

  get latest(): Status<R> | null {
    return this.#history.at(-1) ?? null;
  }

  get done(): boolean {
    return this.#done;
  }

  #finish(failure: { error: unknown } | null): void {
    this.#done = true;
    this.#failure = failure;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  #stopWatching(): void {
    if (this.#done) return;
    this.#stop.abort(
      new DOMException(
        `Stopped following ${
          this.functionName ?? "the call"
        }: the loop over it was left. The server's work goes on; use stopCall() to cancel it.`,
        "AbortError",
      ),
    );
  }

  [Symbol.asyncIterator](): AsyncIterator<Status<R>, undefined, undefined> {
    let index = 0;
    let closed = false;
    const finished = { done: true, value: undefined } as const;
    return {
      next: async (): Promise<IteratorResult<Status<R>, undefined>> => {
        while (!closed) {
          const status = this.#history[index];
          if (status !== undefined) {
            index++;
            return { done: false, value: status };
          }
          if (this.#done) {
            closed = true;
            if (this.#failure) throw this.#failure.error;
            break;
          }
          await new Promise<void>((resolve) => this.#waiters.push(resolve));
        }
        return finished;
      },
      return: (): Promise<IteratorResult<Status<R>, undefined>> => {
        if (!closed) {
          closed = true;
          this.#stopWatching();
        }
        return Promise.resolve(finished);
      },
    };
  }
}

/** What {@linkcode createOperation} follows. */
export interface FollowedCallSpec {
  /** The client's state. */
  readonly state: ClientState;
  /** The call's name in messages. */
  readonly label: string;
  /** The function, when known (null for a call resumed by its token). */
  readonly functionName: string | null;
  /** Sends the request whose reply is the first status. */
  readonly first: (signal: AbortSignal | undefined) => Promise<Status>;
  /** The call's options, resolved. */
  readonly options: ResolvedCallOptions;
  /** Hides the call's secrets in what it yields and throws. */
  readonly redactor: Redactor;
}

/** Starts following a call; `call.first` sends the request whose reply is the first status. */
export function createOperation<R>(call: FollowedCallSpec): Operation<R> {
  return new FollowedCall<R>(call);
}
