/**
 * The end of every `mspe-run` command and example script that failed: one line on stderr and the
 * exit code, or the resume hint after Ctrl-C. Internal to the CLI.
 *
 * @module
 */

import { describeError, ExitCode, exitCodeFor } from "./exit_codes.ts";
import { style } from "./output/format.ts";
import type { CliIo } from "./io/io.ts";
import { PromptCancelled } from "./session/password.ts";
import { Detached } from "./session/watching.ts";
import { safeLine, safeLines } from "./output/safe_text.ts";
import { MspeError } from "../errors.ts";

/**
 * Prints what went wrong and resolves to the exit code: for most errors one `error:` line; for
 * Ctrl-C while watching, the token and the command to resume with; nothing for Ctrl-C at the
 * password prompt or a reader of stdout that went away.
 *
 * @example
 * ```ts
 * import { reportError } from "./report_error.ts";
 * import { UsageError } from "./usage_error.ts";
 * import { denoIo } from "./io/io.ts";
 * const code = reportError(new UsageError("Name a command."), denoIo(), true); // 2
 * ```
 */
export function reportError(error: unknown, io: CliIo, colorWanted: boolean): number {
  if (error instanceof PromptCancelled) return ExitCode.Interrupted;
  if (error instanceof Detached) {
    io.stderr.write(error.report);
    return error.exitCode;
  }
  // The reader of stdout went away (`mspe-run ... | head`): nothing left to say to anyone.
  if (error instanceof Deno.errors.BrokenPipe) return ExitCode.Ok;
  const color = colorWanted && io.stderr.isTerminal && !io.noColor;
  // The library's errors carry the server's text: one line, control characters escaped. The CLI's
  // own messages may span lines, still with nothing unsafe in them.
  const text = error instanceof MspeError
    ? safeLine(describeError(error))
    : safeLines(describeError(error));
  io.stderr.write(`${style(color).error("error:")} ${text}\n`);
  return exitCodeFor(error);
}
