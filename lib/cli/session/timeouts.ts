/**
 * The time limits of `mspe-run`: `--timeout <seconds>` for the whole command, and a limit per HTTP
 * request (120 s unless `--timeout` says otherwise), so that a server that accepts the connection but
 * never answers cannot hang a scheduled task forever.
 *
 * Internal to the CLI.
 *
 * @module
 */

/** The per-request limit without `--timeout`, in seconds. */
export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 120;

/**
 * A command ran out of time. Its message is the one line for stderr; exit code 6.
 *
 * @example
 * ```ts
 * import { TimedOut } from "./timeouts.ts";
 * throw new TimedOut("No reply from spe1:8474 within 120 s.");
 * ```
 */
export class TimedOut extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TimedOut";
  }
}

/**
 * The limits of one command: the `--timeout` deadline (if any) and the per-request limit for the
 * client, and the translation of a `TimeoutError` into a message that says which limit ran out.
 *
 * @example
 * ```ts
 * import { TimeLimits } from "./timeouts.ts";
 * const limits = new TimeLimits(undefined);
 * console.log(limits.requestTimeoutMs); // 120000
 * ```
 */
export class TimeLimits {
  /** Aborts with a `TimeoutError` when `--timeout` runs out; `undefined` without `--timeout`. */
  readonly deadline: AbortSignal | undefined;
  /** The limit for each HTTP request, for the client's `requestTimeoutMs`. */
  readonly requestTimeoutMs: number;
  readonly #timeoutMs: number | undefined;

  /** Starts the `--timeout` clock (`timeoutMs`), if one was given. */
  constructor(timeoutMs: number | undefined) {
    this.#timeoutMs = timeoutMs;
    this.deadline = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    // With --timeout, one slow request may use all of it; without, each request gets the default.
    this.requestTimeoutMs = timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000;
  }

  /** `deadline` together with `other`, for a call's `signal`. */
  withDeadline(other: AbortSignal): AbortSignal {
    return this.deadline ? AbortSignal.any([this.deadline, other]) : other;
  }

  /**
   * A {@linkcode TimedOut} with a message that names the limit, for a `TimeoutError` from the
   * client or the deadline; any other error is returned unchanged. `where` is `host:port`.
   */
  explain(error: unknown, where: string): unknown {
    if (!(error instanceof Error) || error.name !== "TimeoutError") return error;
    const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;
    if (this.deadline?.aborted && this.#timeoutMs !== undefined) {
      return new TimedOut(
        `Timed out after ${seconds(this.#timeoutMs)} (--timeout) waiting for ${where}. ` +
          "Raise --timeout, or start a long-running call with --no-wait and follow it with " +
          "`mspe-run watch <token>`.",
        { cause: error },
      );
    }
    return new TimedOut(
      `No reply from ${where} within ${seconds(this.requestTimeoutMs)}: it accepts connections ` +
        "but does not answer. Check that --host and --port point at the MailStore API (HTTPS), " +
        "or give --timeout <seconds> to wait longer.",
      { cause: error },
    );
  }
}
