/**
 * The exit codes of `mspe-run` and the mapping from errors to them and to one line for stderr.
 *
 * Internal to the CLI.
 *
 * @module
 */

import {
  ApiError,
  ArgumentError,
  AuthenticationError,
  CancelledError,
  ConnectionError,
  HttpError,
  MspeError,
  ProtocolError,
  TlsError,
  TokenExpiredError,
} from "../errors.ts";
import { TimedOut } from "./session/timeouts.ts";
import { Interrupted, NothingSelected, UsageError } from "./usage_error.ts";

/**
 * The exit codes, as documented in `mspe-run --help` and the README.
 *
 * @example
 * ```ts
 * import { ExitCode } from "./exit_codes.ts";
 * console.log(ExitCode.Auth); // 3
 * ```
 */
export const ExitCode = {
  /** The command did what it was asked. */
  Ok: 0,
  /** Anything not covered below, including an unreachable server. */
  Unexpected: 1,
  /** A mistake on the command line: unknown command, flag, function or argument, bad value. */
  Usage: 2,
  /** The server refused the user name or password (HTTP 401). */
  Auth: 3,
  /**
   * The call failed on the server: statusCode "failed", or an HTTP error status. With `--instances`
   * (`mspe-run call` across the fleet): it failed on at least one instance.
   */
  CallFailed: 4,
  /** The long-running call was cancelled, or the y/N question before a destructive call got no. */
  Cancelled: 5,
  /** `--timeout` ran out, or a request got no reply within its limit. */
  TimedOut: 6,
  /** The server does not know the token (expired or never existed). */
  TokenUnknown: 7,
  /** The server's certificate was not accepted. */
  Tls: 8,
  /** A fleet selection (`--instances`) matched no instance (`--allow-empty` makes it 0). */
  NothingSelected: 9,
  /**
   * `mspe-run plan`: changes are pending (the servers differ from the state file); 0 means none,
   * so that a scheduled plan is a drift check.
   */
  ChangesPending: 10,
  /**
   * The output closed during a fleet run (a pipe into `head`, a reader that stopped): no further
   * calls were started (128 + 13, as a shell reports SIGPIPE).
   */
  OutputClosed: 141,
  /**
   * Ctrl-C: while watching, detached (the call goes on and can be resumed with `mspe-run watch`);
   * a fleet run stopped (rows for what did not finish); a report stopped; the password prompt.
   */
  Interrupted: 130,
  /**
   * Asked to stop (SIGTERM; SIGBREAK on Windows) while watching or during a fleet run: as with
   * Ctrl-C, the token to resume with or the rows of what did not finish are printed (128 + 15, as
   * a shell reports a SIGTERM).
   */
  Terminated: 143,
} as const;

/** One of the values of {@linkcode ExitCode}. */
export type ExitCodeValue = typeof ExitCode[keyof typeof ExitCode];

/** The exit-code table for `--help` output. */
export const EXIT_CODE_HELP: string = [
  "Exit codes:",
  "  0    success",
  "  1    unexpected failure, including an unreachable server (refused, reset, unknown host)",
  "  2    usage error: unknown command, flag, function or argument, or a bad value",
  "  3    authentication failed: wrong user name or password, or a credential file that does not decrypt here",
  "  4    the call failed on the server (statusCode failed, or an HTTP error status); --instances: on any instance",
  "  5    cancelled: the call was cancelled, or the y/N question before a destructive call was answered no",
  "  6    timed out: no reply within the time limit (--timeout; 120 s per request by default)",
  "  7    token expired or unknown",
  "  8    TLS verification failed: the server's certificate was not accepted",
  "  9    --instances matched no instance, so nothing was called (--allow-empty makes it 0)",
  "  10   plan: changes are pending (the servers differ from the state file; 0: no change)",
  "  130  interrupted with Ctrl-C while watching (the call goes on; the token to resume is printed), a fleet run, a report",
  "  141  the output closed during a fleet run (a pipe into head, say): no further calls were started",
  "  143  asked to stop (SIGTERM, or SIGBREAK on Windows) while watching or during a fleet run: as with Ctrl-C",
].join("\n");

/** True for the `DOMException` (or `Error`) that `AbortSignal.timeout` rejects with. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === "TimeoutError";
}

/** True for the `AbortError` of an aborted signal. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

/**
 * The exit code for an error that ended a command.
 *
 * @example
 * ```ts
 * import { exitCodeFor } from "./exit_codes.ts";
 * import { AuthenticationError } from "../errors.ts";
 * console.log(exitCodeFor(new AuthenticationError())); // 3
 * ```
 */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof UsageError || error instanceof ArgumentError) return ExitCode.Usage;
  if (error instanceof AuthenticationError) return ExitCode.Auth;
  if (error instanceof TokenExpiredError) return ExitCode.TokenUnknown;
  if (error instanceof CancelledError) return ExitCode.Cancelled;
  if (error instanceof ApiError || error instanceof HttpError) return ExitCode.CallFailed;
  if (error instanceof TlsError) return ExitCode.Tls;
  if (error instanceof NothingSelected) return ExitCode.NothingSelected;
  if (error instanceof Interrupted) return ExitCode.Interrupted;
  if (error instanceof TimedOut || isTimeout(error)) return ExitCode.TimedOut;
  return ExitCode.Unexpected;
}

/**
 * The one line to print on stderr for an error: what failed and what to do. Never a stack trace for
 * the errors mspe throws on purpose; an unexpected error gets its name and first message line only.
 *
 * @example
 * ```ts
 * import { describeError } from "./exit_codes.ts";
 * import { TlsError } from "../errors.ts";
 * console.log(describeError(new TlsError("The server's certificate is not trusted.")));
 * ```
 */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    // The server's exception text often repeats the message; add it only when it says more.
    const details = error.details ? firstLine(error.details) : "";
    const said = error.status.error?.message ?? "";
    return details && !details.includes(said) ? `${error.message} (${details})` : error.message;
  }
  if (error instanceof ConnectionError || error instanceof ProtocolError) {
    return firstLine(error.message);
  }
  if (
    error instanceof MspeError || error instanceof UsageError || error instanceof TimedOut ||
    error instanceof NothingSelected || error instanceof Interrupted
  ) {
    return firstLine(error.message);
  }
  if (isTimeout(error)) {
    return "Timed out: the --timeout ran out before the call ended. Raise --timeout, or follow " +
      "a long-running call with --no-wait and `mspe-run watch <token>`.";
  }
  return describeUnexpected(error);
}

/** A short description of an error nobody planned for. */
export function describeUnexpected(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return `Permission denied: ${
      firstLine(error.message)
    }. mspe-run runs with the permission set "mspe-run" of deno.json (net, read, the MSPE_ variables, the system CA store).`;
  }
  if (error instanceof Error) return `Unexpected error: ${error.name}: ${firstLine(error.message)}`;
  return `Unexpected error: ${String(error)}`;
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.trim();
}
