/**
 * Where `mspe-run` gets the password: `--password-file <path|->`, `MSPE_PASSWORD`, or a prompt without
 * echo on a terminal. Never from the command line, which other users can read in the process list.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { type CliIo, whyUnreadable } from "../io/io.ts";
import { UsageError } from "../usage_error.ts";
import { withoutFinalLineBreak } from "../../_text_file.ts";

/** Where the password may come from. */
export interface PasswordSource {
  /** `--password-file`: a path, or `-` for stdin. */
  readonly passwordFile?: string | undefined;
  /** For the prompt: whose password. */
  readonly username: string;
  /** For the prompt: which server. */
  readonly host: string;
}

/** Ctrl-C at the password prompt. */
export class PromptCancelled extends Error {
  /** Creates the error. */
  constructor() {
    super("Cancelled at the password prompt.");
    this.name = "PromptCancelled";
  }
}

/**
 * Reads the password: from `--password-file` when given, else `MSPE_PASSWORD`, else a prompt when
 * stdin is a terminal. Throws a {@linkcode UsageError} that says how to give one otherwise.
 *
 * @example
 * ```ts
 * import { readPassword } from "./password.ts";
 * import { denoIo } from "../io/io.ts";
 * const password = await readPassword(denoIo(), { username: "admin", host: "localhost" });
 * ```
 */
export async function readPassword(io: CliIo, source: PasswordSource): Promise<string> {
  if (source.passwordFile !== undefined) return await readPasswordFile(io, source);
  const fromEnv = io.env("MSPE_PASSWORD");
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (io.stdin.isTerminal) return await prompt(io, source);
  throw new UsageError(
    "No password given. Set MSPE_PASSWORD, use --password-file <path> (or - for stdin), or run " +
      "on a terminal to be prompted. A --password flag is refused on purpose.",
  );
}

async function prompt(io: CliIo, source: PasswordSource): Promise<string> {
  const line = await io.stdin.readSecretLine(() =>
    io.stderr.write(`Password for ${source.username} on ${source.host}: `)
  );
  io.stderr.write("\n");
  if (line === null) throw new PromptCancelled();
  if (line === "") {
    throw new UsageError("The password is empty. Type it at the prompt, or set MSPE_PASSWORD.");
  }
  return line;
}

/** As ssh does for a key: a password file that others can read gets one line of warning. */
async function warnIfShared(io: CliIo, path: string): Promise<void> {
  const mode = await io.fileMode?.(path);
  if (mode === undefined || (mode & 0o077) === 0) return;
  io.stderr.write(
    `warning: the password file ${path} can be read by other users (mode ${
      (mode & 0o777).toString(8)
    }); restrict it with: chmod 600 ${path}\n`,
  );
}

async function readPasswordFile(io: CliIo, source: PasswordSource): Promise<string> {
  const path = source.passwordFile ?? "";
  if (path === "") throw new UsageError("--password-file needs a path, or - for stdin.");
  let text: string;
  if (path === "-") {
    text = io.stdin.isTerminal ? await prompt(io, source) : await io.stdin.readAll();
  } else {
    try {
      text = await io.readTextFile(path);
    } catch (error) {
      throw new UsageError(
        `Cannot read the password file ${path}: ${whyUnreadable(error)}. Check the path.`,
      );
    }
  }
  // One trailing line break is the file's, not the password's (echo and editors add it).
  const password = withoutFinalLineBreak(text);
  if (password === "") {
    throw new UsageError(
      `The password ${
        path === "-" ? "on stdin" : `file ${path}`
      } is empty. Put the password in it.`,
    );
  }
  if (path !== "-") await warnIfShared(io, path);
  return password;
}
