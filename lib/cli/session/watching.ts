/**
 * Following a long-running call in the CLI: progress on stderr, Ctrl-C to detach (the call goes on,
 * the token to resume with is printed), or with `--cancel-on-interrupt` Ctrl-C sends cancel-async and
 * waits for the cancelled final status.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client, Operation, Status } from "../../../mod.ts";
import { stopCall } from "../../stop_call.ts";
import { describeError, ExitCode, isAbort } from "../exit_codes.ts";
import { type InterruptKind, Interrupts } from "../io/interrupt.ts";
import { type CliIo, terminationName } from "../io/io.ts";
import type { Output } from "../output/output.ts";
import { safeLine } from "../output/safe_text.ts";

/** How {@linkcode watchOperation} behaves. */
export interface WatchOptions {
  /** The function name (or a description) for the progress line and messages. */
  readonly label: string;
  /** Where progress and messages go. */
  readonly out: Output;
  /** On Ctrl-C, cancel the call instead of detaching from it. */
  readonly cancelOnInterrupt: boolean;
  /** The command that resumes watching a token (connection flags included). */
  readonly resumeCommand: (token: string) => string;
}

/**
 * Follows an operation to its end with a progress display. The operation is made by `start`, which
 * gets the signal that detaching aborts (pass it as the call's `signal`).
 *
 * Resolves to the final status (rejecting with `ApiError`/`CancelledError` as `operation.final`
 * does); after Ctrl-C it rejects with {@linkcode Detached}.
 *
 * @example
 * ```ts ignore
 * const outcome = await watchOperation(client, (signal) => resumeCall(client, token, { signal }), io, {
 *   label: "VerifyStore", out, cancelOnInterrupt: false, resumeCommand: (t) => `mspe-run watch ${t}`,
 * });
 * ```
 */
export async function watchOperation(
  client: Client,
  start: (signal: AbortSignal) => Operation,
  io: CliIo,
  options: WatchOptions,
): Promise<Status> {
  const { out, label } = options;
  using interrupts = new Interrupts(io);
  let token: string | null = null;
  let cancelWanted = false;
  let cancelling: Promise<void> | undefined;
  const sendCancel = (): void => {
    if (cancelling || token === null) return;
    const target = token;
    cancelling = stopCall(client, target).then(
      () => out.note(`Cancel requested for ${label}; waiting for the server to stop it.`),
      (error) => out.warn(`Could not cancel ${label}: ${safeLine(describeError(error))}`),
    );
  };
  if (options.cancelOnInterrupt) {
    interrupts.onFirst(() => {
      cancelWanted = true;
      out.note(`Ctrl-C: cancelling ${label} (press Ctrl-C again to stop waiting; it goes on).`);
      sendCancel();
    });
  }
  const operation = start(interrupts.detach);
  const progress = out.startProgress(label);
  if (options.cancelOnInterrupt) progress.interruptHint = "Ctrl-C cancels";
  try {
    for await (const status of operation) {
      token ??= status.token;
      // The status text is the server's: shown on one line with nothing the terminal would obey.
      progress.update(
        status.statusText === null
          ? status
          : { ...status, statusText: safeLine(status.statusText, 500) },
      );
      if (cancelWanted) sendCancel();
    }
    progress.clear();
    await cancelling;
    return await operation.final;
  } catch (error) {
    progress.clear();
    await cancelling;
    if (interrupts.detach.aborted && isAbort(error)) {
      throw new Detached(label, token, options.resumeCommand, interrupts.kind ?? "interrupt");
    }
    throw error;
  }
}

/**
 * Ctrl-C (or SIGTERM / SIGBREAK) while watching: the command stopped following the call, which goes
 * on on the server. {@linkcode report} says so and how to resume; exit code 130 after Ctrl-C, 143
 * after a request to stop the process.
 *
 * @example
 * ```ts
 * import { Detached } from "./watching.ts";
 * const detached = new Detached("VerifyStore", "s0123", (t) => `mspe-run watch ${t}`);
 * console.log(detached.report);
 * ```
 */
export class Detached extends Error {
  /** What to print on stderr: the token and the command that resumes watching. */
  readonly report: string;
  /** What stopped the watching: Ctrl-C, or a request to stop the process. */
  readonly kind: InterruptKind;
  /** The exit code: 130 after Ctrl-C, 143 after SIGTERM / SIGBREAK. */
  readonly exitCode: number;

  /** Creates it for the call `label` with `token` (`null` when the server had not answered). */
  constructor(
    label: string,
    token: string | null,
    resumeCommand: (token: string) => string,
    kind: InterruptKind = "interrupt",
  ) {
    super(`Detached from ${label}.`);
    this.name = "Detached";
    this.kind = kind;
    this.exitCode = kind === "terminate" ? ExitCode.Terminated : ExitCode.Interrupted;
    const why = kind === "terminate" ? `Asked to stop (${terminationName()})` : "Interrupted";
    this.report = token === null
      ? `\n${why} before the server answered: ${label} may have started on the server ` +
        "anyway. Check its state before you start it again.\n"
      : `\n${
        kind === "terminate" ? `${why}; detached` : "Detached"
      }: ${label} goes on on the server.\nToken: ${token}\nResume with: ${resumeCommand(token)}\n`;
  }
}

/**
 * A token shortened for progress lines (the full token is printed where it is needed to resume).
 *
 * @example
 * ```ts
 * import { shortToken } from "./watching.ts";
 * console.log(shortToken("s0123456789abcdef0123456789abcdef")); // s0123456…
 * ```
 */
export function shortToken(token: string): string {
  return token.length > 12 ? `${token.slice(0, 9)}…` : token;
}
