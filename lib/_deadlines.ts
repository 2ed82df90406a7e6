/**
 * Per-request time limits and the client's abort, with one timer per client instead of one per
 * request.
 *
 * A `setTimeout` armed and cleared around every request cost about 10 µs per call in
 * `bench/client_bench.ts` (a third of the client's whole overhead over bare `fetch`); a `Set`
 * insert and delete costs next to nothing. One interval checks the deadlines while requests are in
 * flight and stops itself at the first tick that finds none, so an idle client holds no timer.
 * Likewise, closing the client aborts the requests in flight from here ({@linkcode Deadlines.abortAll})
 * instead of each request listening to the client's signal (about 4 µs per call).
 *
 * @module
 */

/** One request being timed. */
export interface Deadline {
  /** When it expires (Date.now() time). */
  readonly at: number;
  /** Aborts the request. */
  readonly controller: AbortController;
  /** The reason to abort with when the limit passes. */
  readonly timeout: () => unknown;
}

/** The coarsest check period; a limit fires at most this much (or a tenth of the limit) late. */
const MAX_PERIOD_MS = 1000;
const MIN_PERIOD_MS = 5;

/** The deadlines of one client's requests in flight. */
export class Deadlines {
  #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #period = MAX_PERIOD_MS;
  #closed = false;

  /**
   * Starts timing a request: its controller is aborted with `timeout()` once `limitMs` has passed
   * without {@linkcode delete}, or with the reason given to {@linkcode abortAll}.
   */
  add(limitMs: number, controller: AbortController, timeout: () => unknown): Deadline {
    // Date.now, not performance.now: millisecond precision is plenty, and it is not an op call.
    const deadline: Deadline = { at: Date.now() + limitMs, controller, timeout };
    // After close() the client aborts every request itself; no timer may outlive the client.
    if (this.#closed) return deadline;
    this.#pending.add(deadline);
    // A tenth of the limit keeps the lateness proportional for short limits (tests use 100 ms).
    const period = Math.max(MIN_PERIOD_MS, Math.min(MAX_PERIOD_MS, Math.floor(limitMs / 10)));
    if (this.#timer === undefined || period < this.#period) this.#start(period);
    return deadline;
  }

  /** Stops timing a request (it ended one way or another). */
  delete(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  /** Aborts every request in flight with `reason` (the client was closed or its signal aborted). */
  abortAll(reason: unknown): void {
    for (const deadline of this.#pending) deadline.controller.abort(reason);
  }

  /** Stops the timer; pending requests are no longer timed (the client is closing). */
  close(): void {
    this.#closed = true;
    this.#stop();
    this.#pending.clear();
  }

  #start(period: number): void {
    this.#stop();
    this.#period = period;
    this.#timer = setInterval(() => this.#tick(), period);
    // Requests in flight keep the process alive by themselves; this timer must not.
    this.#timer.unref();
  }

  #stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    if (this.#pending.size === 0) {
      this.#stop();
      return;
    }
    const now = Date.now();
    for (const deadline of this.#pending) {
      if (deadline.at <= now) {
        this.#pending.delete(deadline);
        deadline.controller.abort(deadline.timeout());
      }
    }
  }
}
