/**
 * `mspe-run`: the dispatcher. Finds the command, handles `--help` and `--version`, runs the command,
 * and turns any error into one line on stderr and an exit code.
 *
 * Internal to the CLI; `scripts/mspe_run.ts` is the entrypoint.
 *
 * @module
 */

import { parseCommand, ParsedArgs } from "./args.ts";
import { allFlags, type Command, commandHelp } from "./command.ts";
import { callCommand } from "./commands/call.ts";
import { cancelCommand } from "./commands/cancel.ts";
import { exampleCommand } from "./commands/example.ts";
import { functionsCommand } from "./commands/functions.ts";
import { mockCommand } from "./commands/mock.ts";
import { tlsInfoCommand } from "./commands/tls_info.ts";
import { watchCommand } from "./commands/watch.ts";
import { EXIT_CODE_HELP, ExitCode } from "./exit_codes.ts";
import type { CliIo } from "./io.ts";
import { reportError } from "./report_error.ts";
import { closest } from "./suggest.ts";
import { UsageError } from "./usage_error.ts";
import { versionLine } from "./version.ts";

/** Every command, in the order of the help text. */
export const COMMANDS: readonly Command[] = [
  exampleCommand,
  callCommand,
  watchCommand,
  cancelCommand,
  functionsCommand,
  tlsInfoCommand,
  mockCommand,
];

/** The text of `mspe-run --help`. */
export function mainHelp(): string {
  const synopsis = (c: Command) =>
    (c.usage.split("\n")[0] ?? "").replace(/^mspe-run /, "").replace(/ \[--.*$| \[flags\]$/, "");
  const width = Math.max(...COMMANDS.map((c) => synopsis(c).length));
  const commands = COMMANDS.map((c) => `  ${synopsis(c).padEnd(width)}  ${c.summary}`);
  return `${versionLine()}
Call the MailStore SPE Management API (and the MailStore Server Administration API) from the
command line: the tutorial's four examples, any function, long-running calls with progress.

Usage:
  mspe-run <command> [arguments] [flags]
  mspe-run <command> --help       Help and examples for one command
  mspe-run --version

Commands:
${commands.join("\n")}

Connection (every command that talks to a server):
  --host <host> --port <port> --product spe|server --username <name>
  The password comes from MSPE_PASSWORD, --password-file <path|->, or a prompt on a terminal;
  never from the command line. --ca-cert <pem>, --pin-sha256 <fingerprint> or --insecure for
  servers whose certificate your system does not trust.

Output: --format list|table|json|ndjson (list on a terminal, json when piped); data on stdout,
progress and messages on stderr; --no-color and NO_COLOR respected.

Examples:
  # Try everything against the built-in simulator (another terminal: mspe-run mock)
  MSPE_PASSWORD=admin mspe-run example 1 --username admin --port 8474 --insecure
  mspe-run call GetUsers instanceID=acme --format table
  mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait
  mspe-run watch <token>

${EXIT_CODE_HELP}
`;
}

function isHelp(arg: string): boolean {
  return arg === "--help" || arg === "-h";
}

/**
 * Runs `mspe-run` with the given arguments and resolves to the exit code. Never throws.
 *
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * import { denoIo } from "./io.ts";
 * Deno.exitCode = await runCli(["--version"], denoIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.stderr.write(mainHelp());
      throw new UsageError("Name a command. Run `mspe-run --help` for the list.");
    }
    if (isHelp(name) || name === "help") {
      const topic = name === "help" ? rest[0] : undefined;
      const command = COMMANDS.find((c) => c.name === topic);
      io.stdout.write(command ? commandHelp(command) : mainHelp());
      return ExitCode.Ok;
    }
    if (name === "--version" || name === "-V" || name === "version") {
      io.stdout.write(`${versionLine()}\n`);
      return ExitCode.Ok;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      if (name.startsWith("-")) {
        throw new UsageError(
          `Put the command first: mspe-run <command> [flags]; ${
            name.split("=", 1)[0]
          } is not a command. ` +
            "Run `mspe-run --help` for the list.",
        );
      }
      const suggestion = closest(name, COMMANDS.map((c) => c.name));
      throw new UsageError(
        `Unknown command ${JSON.stringify(name)}.${
          suggestion ? ` Did you mean ${suggestion}?` : ""
        } ` +
          "Run `mspe-run --help` for the list.",
      );
    }
    // `--help` anywhere before a `--` shows the command's help, even next to mistakes.
    const terminator = rest.indexOf("--");
    const flagsPart = terminator < 0 ? rest : rest.slice(0, terminator);
    if (!command.passThrough && flagsPart.some(isHelp)) {
      io.stdout.write(commandHelp(command));
      return ExitCode.Ok;
    }
    const parsed = command.passThrough
      ? new ParsedArgs(command.name, {}, rest)
      : parseCommand(command.name, rest, allFlags(command));
    return await command.run(parsed, io);
  } catch (error) {
    return reportError(error, io, !argv.includes("--no-color"));
  }
}
