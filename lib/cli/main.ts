/**
 * `mspe-run`: the dispatcher. Finds the command, handles `--help` and `--version`, runs the command,
 * and turns any error into one line on stderr and an exit code.
 *
 * Start-up: only this module, `version.ts` and `deno.json` load before the command is known. Each
 * command's module is loaded with a literal `import("./commands/....ts")` when it runs, so that
 * `mspe-run --version` does not load the catalogue, the client or the mock, and `deno compile`
 * still finds every command (it includes dynamic imports of literal specifiers; the graph test
 * checks that each command is in the compiled graph).
 *
 * Internal to the CLI; `scripts/mspe_run.ts` is the entrypoint.
 *
 * @module
 */

import type { CliContext, CommandEntry } from "./command.ts";
import type { CliIo } from "./io/io.ts";
import { versionLine } from "./version.ts";

/**
 * Every command, in the order of the help text. One entry per command; add yours here.
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "example",
    synopsis: "example <1-4>",
    summary: "Run one of the four examples of the PowerShell tutorial.",
    load: async () => (await import("./commands/example.ts")).exampleCommand,
  },
  {
    name: "call",
    synopsis: "call <Function> [name=value ...]",
    summary: "Call any API function and print its result.",
    load: async () => (await import("./commands/call.ts")).callCommand,
  },
  {
    name: "watch",
    synopsis: "watch <token>",
    summary: "Follow a long-running call by its token to the end, with progress.",
    load: async () => (await import("./commands/watch.ts")).watchCommand,
  },
  {
    name: "cancel",
    synopsis: "cancel <token>",
    summary: "Ask the server to cancel a long-running call.",
    load: async () => (await import("./commands/cancel.ts")).cancelCommand,
  },
  {
    name: "report",
    synopsis: "report health|usage",
    summary: "Fleet reports: health (for monitoring) and usage (for billing).",
    load: async () => (await import("./commands/report.ts")).reportCommand,
  },
  {
    name: "export",
    synopsis: "export [--output <file>]",
    summary: "Write what the servers have now as a state file (JSON or YAML) for plan and apply.",
    load: async () => (await import("./commands/export.ts")).exportCommand,
  },
  {
    name: "plan",
    synopsis: "plan <file>",
    summary: "Show what apply would change to make the servers match a state file.",
    load: async () => (await import("./commands/plan.ts")).planCommand,
  },
  {
    name: "apply",
    synopsis: "apply <file>",
    summary: "Make the servers match a state file: shows the plan, asks, then changes.",
    load: async () => (await import("./commands/apply.ts")).applyCommand,
  },
  {
    name: "functions",
    synopsis: "functions [<Function>|<wildcard>]",
    summary: "List the functions, or describe one and its arguments (like Get-Help).",
    load: async () => (await import("./commands/functions.ts")).functionsCommand,
  },
  {
    name: "help",
    synopsis: "help [<command>|<Function>]",
    summary: "Help for mspe-run, one command, or one API function.",
    load: async () => (await import("./commands/help.ts")).helpCommand,
  },
  {
    name: "tls-info",
    synopsis: "tls-info",
    summary: "Show the server's certificate and the --pin-sha256 flag to trust exactly it.",
    load: async () => (await import("./commands/tls_info.ts")).tlsInfoCommand,
  },
  {
    name: "completion",
    synopsis: "completion <powershell|bash|zsh|fish>",
    summary: "Print a tab-completion script for your shell.",
    load: async () => (await import("./commands/completion.ts")).completionCommand,
  },
  {
    name: "__complete",
    synopsis: "__complete <words...>",
    summary: "The completions for a command line (what the completion scripts call).",
    hidden: true,
    load: async () => (await import("./commands/completion.ts")).completeCommand,
  },
  {
    name: "profile",
    synopsis: "profile add|list|show|remove",
    summary: "Keep connection settings as named profiles in the config file.",
    load: async () => (await import("./commands/profile.ts")).profileCommand,
  },
  {
    name: "credential",
    synopsis: "credential save <path>",
    summary: "Save a user name and password as a PowerShell credential file (Windows).",
    load: async () => (await import("./commands/credential.ts")).credentialCommand,
  },
  {
    name: "snapshot",
    synopsis: "snapshot --output <file>",
    summary: "Read an SPE into a simulator state file (mock --state).",
    load: async () => (await import("./commands/snapshot.ts")).snapshotCommand,
  },
  {
    name: "mock",
    synopsis: "mock",
    summary: "Start the simulated MailStore SPE (or Server) to try mspe-run without a real server.",
    load: async () => (await import("./commands/mock.ts")).mockCommand,
  },
];

/** The text of `mspe-run --help`. */
export async function mainHelp(): Promise<string> {
  const { EXIT_CODE_HELP } = await import("./exit_codes.ts");
  const shown = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...shown.map((c) => c.synopsis.length));
  const commands = shown.map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return `${versionLine()}
Call the MailStore SPE Management API (and the MailStore Server Administration API) from the
command line: the tutorial's four examples, any function, long-running calls with progress.

Usage:
  mspe-run <command> [arguments] [flags]
  mspe-run <command> --help       Help and examples for one command
  mspe-run help <Function>        Arguments, values and an example for one API function
  mspe-run --version

Commands:
${commands.join("\n")}

Connection (every command that talks to a server):
  --host <host> --port <port> --product spe|server --username <name>
  The password comes from MSPE_PASSWORD, --password-file <path|->, or a prompt on a terminal;
  never from the command line. --ca-cert <pem>, --pin-sha256 <fingerprint> or --insecure for
  servers whose certificate your system does not trust.
  --profile <name> (or MSPE_PROFILE; else the profile "default") takes the settings not given
  from the config file: see \`mspe-run profile --help\`. Precedence: flag, MSPE_ variable,
  profile, default. Connection and output flags may come before the command too.

Output: --format list|table|json|ndjson|csv (list on a terminal, json when piped) and
--select name,name (like Select-Object -Property); data on stdout, progress and messages on
stderr; --no-color and NO_COLOR respected. --verbose traces each HTTP exchange on stderr,
--debug with headers and bodies (secrets as ***).

Destructive calls (DeleteInstances, StopInstances, DeleteUser, ...) show what they touch and ask
y/N on a terminal; --yes answers for scripts, --what-if only shows what would happen.

Examples (PowerShell first; POSIX shells where they differ):
  # Try everything against the built-in simulator (another window: mspe-run mock)
  $env:MSPE_PASSWORD = 'admin'                               # sh: export MSPE_PASSWORD=admin
  mspe-run example 1 --username admin --port 8474 --insecure
  mspe-run call GetUsers instanceID=acme --format table
  (mspe-run call GetUsers instanceID=acme | ConvertFrom-Json) | Where-Object fullName
  mspe-run call GetUsers instanceID=acme --format csv --select userName,fullName
  mspe-run help CreateUser

${EXIT_CODE_HELP}
`;
}

/** What the dispatcher gives each command: the command list, without an import of this module. */
const CLI_CONTEXT: CliContext = { commands: COMMANDS, mainHelp };

function isHelp(arg: string): boolean {
  return arg === "--help" || arg === "-h";
}

/** The command called `name`, or `undefined`. */
export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

async function unknownCommand(name: string): Promise<Error> {
  const { UsageError } = await import("./usage_error.ts");
  if (name.startsWith("-")) {
    return new UsageError(
      `Put the command first: mspe-run <command> [flags]; ${
        name.split("=", 1)[0]
      } is not a command. Run \`mspe-run --help\` for the list.`,
    );
  }
  const { closest } = await import("../_suggest.ts");
  const suggestion = closest(name, COMMANDS.filter((c) => !c.hidden).map((c) => c.name));
  return new UsageError(
    `Unknown command ${JSON.stringify(name)}.${suggestion ? ` Did you mean ${suggestion}?` : ""} ` +
      "Run `mspe-run --help` for the list.",
  );
}

/**
 * Runs `mspe-run` with the given arguments and resolves to the exit code. Never throws.
 *
 * @example
 * ```ts
 * import { runCli } from "./main.ts";
 * import { denoIo } from "./io/io.ts";
 * Deno.exitCode = await runCli(["--version"], denoIo());
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Every line printed hides the password and secret arguments once they are known.
  io = (await import("./io/redacting_io.ts")).redactingIo(io);
  try {
    // Connection and output flags may come before the command (aliases carry them).
    if (argv[0]?.startsWith("-") && !isHelp(argv[0]) && !/^(--version|-V)$/.test(argv[0])) {
      const { hoistLeadingFlags } = await import("./args.ts");
      argv = hoistLeadingFlags(argv, (await import("./settings/flags.ts")).LEADING_FLAGS);
    }
    const [name, ...rest] = argv;
    if (name === "--version" || name === "-V" || name === "version") {
      io.stdout.write(`${versionLine()}\n`);
      return 0;
    }
    if (name === undefined) {
      io.stderr.write(await mainHelp());
      const { UsageError } = await import("./usage_error.ts");
      throw new UsageError("Name a command. Run `mspe-run --help` for the list.");
    }
    if (isHelp(name)) {
      io.stdout.write(await mainHelp());
      return 0;
    }
    const entry = findCommand(name);
    if (!entry) throw await unknownCommand(name);
    const command = await entry.load();
    // `--help` anywhere before a `--` shows the command's help, even next to mistakes.
    const terminator = rest.indexOf("--");
    const flagsPart = terminator < 0 ? rest : rest.slice(0, terminator);
    if (!command.passThrough && flagsPart.some(isHelp)) {
      const topic = await command.topicHelp?.(flagsPart.filter((arg) => !isHelp(arg)));
      const { commandHelp } = await import("./command.ts");
      io.stdout.write(topic ?? commandHelp(command));
      return 0;
    }
    const { TypedArgs, parseCommand } = await import("./args.ts");
    // A command attaches the profile where it reads its settings (withSession, tls-info, report):
    // report's monitoring formats must turn a bad profile into their own UNKNOWN or error output.
    const parsed = command.passThrough
      ? new TypedArgs(command.name, {}, rest)
      : parseCommand(command.name, rest, command.flags);
    return await command.run(parsed, io, CLI_CONTEXT);
  } catch (error) {
    const { reportError } = await import("./report_error.ts");
    return reportError(error, io, !argv.includes("--no-color"));
  }
}
