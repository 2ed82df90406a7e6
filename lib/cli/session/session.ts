/**
 * What every command that talks to a server shares: its flag groups, and a session that reads the
 * connection and output flags, starts the time limits, connects, follows long-running calls, and
 * closes the client at the end. Each command keeps only what is its own.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client, Operation, Status } from "../../../mod.ts";
import { findFunction } from "../../catalog.ts";
import { ApiError } from "../../errors.ts";
import type { Product } from "../../metadata.ts";
import type { FlagSpecs, ParsedArgs } from "../args.ts";
import type { Format } from "../output/format.ts";
import { requireFunction } from "../help/function_lookup.ts";
import { Interrupts } from "../io/interrupt.ts";
import type { CliIo } from "../io/io.ts";
import type { Output } from "../output/output.ts";
import type { Progress } from "../output/progress.ts";
import { readOutput } from "../output/read_output.ts";
import { redactingIo } from "../io/redacting_io.ts";
import {
  attachProfile,
  type ConnectionSettings,
  readConnection,
  resumeCommandFor,
} from "../settings/resolve.ts";
import { UsageError } from "../usage_error.ts";
import { type Credentials, openClient, readCredentials, sessionError } from "./connect.ts";
import { TimeLimits } from "./timeouts.ts";
import { traceLevel, traceWriter } from "./trace_output.ts";
import { watchOperation } from "./watching.ts";

/** The flags of the commands that follow a call to its end (`call`, `watch`). */
export const FOLLOW_FLAGS = {
  status: { type: "boolean", help: "Print the whole status object, not only the result." },
  "cancel-on-interrupt": {
    type: "boolean",
    help: "On Ctrl-C, cancel the call on the server instead of detaching.",
  },
} as const satisfies FlagSpecs;

/** A connected client with the printer and the settings it was made from. */
export interface Session {
  /** The client; closed when the session's body ends. */
  readonly client: Client;
  /** Where data, progress and messages go. */
  readonly out: Output;
  /** The connection flags as read. */
  readonly settings: ConnectionSettings;
  /** The `--timeout` deadline, for a call's `signal`; `undefined` without `--timeout`. */
  readonly deadline: AbortSignal | undefined;
  /**
   * For a fleet session ({@linkcode SessionOptions.fleet}): aborted by `--timeout` or Ctrl-C, for
   * the library's fleet functions; else the deadline.
   */
  readonly signal: AbortSignal | undefined;
  /** For a fleet session on a terminal: the progress display on stderr (cleared before output). */
  readonly progress: Progress | undefined;
  /**
   * For a fleet session: aborted by the first Ctrl-C, to start no further instance and finish
   * those under way (the second Ctrl-C aborts {@linkcode Session.signal}).
   */
  readonly stop: AbortSignal | undefined;
  /**
   * The `mspe-run watch <token>` command that reaches the same server; with the function's name
   * (`--label`), so that watch and its progress name the function.
   */
  resumeCommand(token: string, label?: string): string;
  /**
   * Follows a long-running call to its end with progress on stderr; `start` makes the operation
   * with the signal it is given. Ctrl-C detaches (rejects with `Detached`: exit code 130), or with
   * `cancelOnInterrupt` sends cancel-async and waits for the cancelled end.
   */
  follow(
    label: string,
    start: (signal: AbortSignal) => Operation,
    cancelOnInterrupt: boolean,
  ): Promise<Status>;
}

/** Options of {@linkcode withSession}. */
export interface SessionOptions {
  /** The format on a terminal when `--format` is not given (default `list`). */
  readonly terminalFormat?: Format;
  /** The command checks `--format` itself (report's nagios, prtg, html). */
  readonly ownFormat?: boolean;
  /**
   * The one call the command makes, on one instance: the function and the names of the arguments
   * given. When the bundled catalogue marks the function read-only and knows every argument named,
   * the session trusts the catalogue instead of fetching the server's function list: one request
   * less at start-up, and the call proves the credentials itself. A call that changes state still
   * fetches the list, so that the credentials and the product are proved before a confirmation is
   * asked for or anything is sent; so does one naming an argument the catalogue lacks (a newer
   * server may have it).
   */
  readonly onlyCalls?: { readonly fn: string; readonly argNames: readonly string[] } | undefined;
  /** The command works with one product only: any other is refused, with this reason. */
  readonly product?: { readonly only: Product; readonly refusal: string };
  /**
   * A fleet session: the first Ctrl-C aborts {@linkcode Session.stop}, a second one (and SIGTERM)
   * {@linkcode Session.signal}; a progress display with this label is shown on a terminal, and an
   * error after an interrupt becomes `interrupted()`.
   */
  readonly fleet?: {
    readonly label: string;
    readonly interrupted: () => Error;
    /** What the first Ctrl-C stops, for its note ("instances" by default, "change" for apply). */
    readonly stopping?: string;
  };
}

/**
 * Reads the flags, connects, runs `body` with the session and closes the client. A timeout, from
 * `--timeout` or the per-request limit, becomes one message that names the server and the limit.
 *
 * @example
 * ```ts ignore
 * run: (parsed, io) =>
 *   withSession(parsed, io, async ({ client, out }) => {
 *     out.show((await invokeCall(client, "GetEnvironmentInfo")).result);
 *     return ExitCode.Ok;
 *   }),
 * ```
 */
export async function withSession(
  parsed: ParsedArgs,
  io: CliIo,
  body: (session: Session) => Promise<number>,
  options: SessionOptions = {},
): Promise<number> {
  // Every line printed hides the secrets (a no-op when runCli has wrapped the process already).
  io = redactingIo(io);
  parsed = await attachProfile(parsed, io);
  const settings = readConnection(parsed, io);
  if (options.product && settings.product !== options.product.only) {
    throw new UsageError(options.product.refusal);
  }
  const out = readOutput(parsed, io, options.terminalFormat, options.ownFormat);
  const limits = new TimeLimits(settings.timeoutMs);
  using interrupts = options.fleet ? new Interrupts(io) : undefined;
  const signal = interrupts ? limits.withDeadline(interrupts.detach) : limits.deadline;
  const stop = interrupts ? new AbortController() : undefined;
  interrupts?.onFirst(() => {
    stop?.abort();
    out.note(
      options.fleet?.stopping === undefined
        ? "Ctrl-C: no further instances start; finishing those under way (Ctrl-C again stops at once)."
        : `Ctrl-C: no further ${options.fleet.stopping} starts; finishing those under way (Ctrl-C again stops at once).`,
    );
  });
  const progress = options.fleet && !parsed.bool("quiet") && io.stderr.isTerminal
    ? out.startProgress(options.fleet.label)
    : undefined;
  if (progress) progress.interruptHint = "Ctrl-C stops";
  const call = options.onlyCalls;
  const described = call && findFunction(settings.product, call.fn);
  const trustCatalogue = call !== undefined && described?.readOnly === true &&
    call.argNames.every((name) => described.args.some((arg) => arg.name === name));
  let credentials: Credentials | undefined;
  try {
    credentials = await readCredentials(settings, io);
    // Warnings (--insecure) in the CLI's own style, once, through the same stderr as the rest.
    await using client = await openClient(settings, io, limits, {
      onWarning: (message) => out.warn(message),
      onTrace: traceWriter(io, out, traceLevel(parsed)),
      metadata: trustCatalogue ? "bundled" : "fetch",
      credentials,
    });
    const resumeCommand = resumeCommandFor(settings);
    return await body({
      client,
      out,
      settings,
      deadline: limits.deadline,
      signal,
      progress,
      stop: stop?.signal,
      resumeCommand,
      follow: (label, start, cancelOnInterrupt) =>
        watchOperation(client, (detach) => start(limits.withDeadline(detach)), io, {
          label,
          out,
          cancelOnInterrupt,
          // A label that is a function name (PascalCase) goes into the resume command as --label.
          resumeCommand: (token) =>
            resumeCommand(token, /^[A-Z][A-Za-z0-9]*$/.test(label) ? label : undefined),
        }),
    });
  } catch (error) {
    out.clearProgress();
    if (options.fleet && interrupts?.interrupted) throw options.fleet.interrupted();
    if (
      trustCatalogue && credentials !== undefined && error instanceof ApiError &&
      error.unknownFunction
    ) {
      throw await unknownFunction(settings, credentials, io, limits, call.fn) ??
        sessionError(error, settings, limits);
    }
    throw sessionError(error, settings, limits);
  }
}

/**
 * The server does not know a function the catalogue has: it is the other product, or an older
 * version. Its function list tells which, in the words the CLI uses when it has fetched the list
 * before the call ("... is MailStore Server, not MailStore SPE", "Unknown function ... Did you
 * mean ..."); undefined when the list does not tell.
 */
async function unknownFunction(
  settings: ConnectionSettings,
  credentials: Credentials,
  io: CliIo,
  limits: TimeLimits,
  fn: string,
): Promise<UsageError | undefined> {
  try {
    // The same credentials: a password from stdin or a prompt cannot be read a second time.
    await using client = await openClient(settings, io, limits, {
      onWarning: () => {},
      credentials,
    });
    requireFunction(client.metadata ?? [], fn, client.product);
  } catch (error) {
    if (error instanceof UsageError) return error;
  }
  return undefined;
}
