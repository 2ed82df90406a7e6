/**
 * Running one example script on its own (`deno run -P=mspe-run scripts/example1.ts --username admin`):
 * the connection and output flags of `mspe-run`, the MSPE_ variables, the same errors and exit codes.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client } from "../../mod.ts";
import { parseCommand, type ParsedArgs } from "./args.ts";
import { EXIT_CODE_HELP, ExitCode } from "./exit_codes.ts";
import { type CliIo, denoIo } from "./io/io.ts";
import type { Output } from "./output/output.ts";
import { reportError } from "./report_error.ts";
import { withSession } from "./session/session.ts";
import { UsageError } from "./usage_error.ts";
import { CONNECTION_FLAGS, HELP_FLAGS, OUTPUT_FLAGS } from "./settings/flags.ts";

/** The body of an example: gets an SPE client, the printer and the process; returns an exit code. */
export type ExampleBody = (
  client: Client<"spe">,
  out: Output,
  io: CliIo,
) => Promise<number | void>;

/**
 * Whether the client talks to MailStore SPE (the tutorial's examples use SPE functions).
 *
 * @example
 * ```ts ignore
 * if (!isSpeClient(client)) throw new Error("SPE only");
 * ```
 */
export function isSpeClient(client: Client): client is Client<"spe"> {
  return client.product === "spe";
}

/**
 * Connects with the given settings' client and runs an example body, for `mspe-run example` and
 * the scripts. The caller maps errors to exit codes.
 *
 * @example
 * ```ts ignore
 * const code = await withExampleClient(parsed, io, async (client, out) => { ... });
 * ```
 */
export function withExampleClient(
  parsed: ParsedArgs,
  io: CliIo,
  body: ExampleBody,
): Promise<number> {
  if (parsed.string("product") === "server") {
    throw new UsageError(
      "The tutorial's examples use MailStore SPE functions (GetInstances, instanceID); leave out --product server.",
    );
  }
  return withSession(parsed, io, async ({ client, out }) => {
    if (!isSpeClient(client)) throw new UsageError("The examples need a MailStore SPE server.");
    return (await body(client, out, io)) ?? ExitCode.Ok;
  });
}

/**
 * The `import.meta.main` part of an example script: reads the flags, connects, runs the example,
 * prints any error as one line, and resolves to the exit code.
 *
 * @example
 * ```ts ignore
 * if (import.meta.main) Deno.exit(await runExample("example1.ts", "...", (client, out) => example1(client, out)));
 * ```
 */
export async function runExample(
  script: string,
  summary: string,
  body: ExampleBody,
  argv: readonly string[] = Deno.args,
  io: CliIo = denoIo(),
): Promise<number> {
  const flags = { ...HELP_FLAGS, ...OUTPUT_FLAGS, ...CONNECTION_FLAGS };
  try {
    const parsed = parseCommand(script, argv, flags, {
      where: `scripts/${script}`,
      helpHint: `deno run -P=mspe-run scripts/${script} --help`,
    });
    if (parsed.bool("help")) {
      io.stdout.write(
        `${summary}\n\nUsage:\n  deno run -P=mspe-run scripts/${script} [flags]\n\n` +
          "The same flags as `mspe-run example`: --host, --port, --username (or MSPE_USERNAME), " +
          "--password-file (or MSPE_PASSWORD, or a prompt), --ca-cert, --pin-sha256, --insecure, " +
          `--format, --no-color, --quiet.\n\n${EXIT_CODE_HELP}\n`,
      );
      return ExitCode.Ok;
    }
    if (parsed.positionals.length > 0) {
      throw new UsageError(`${script} takes flags only, such as --host and --username.`);
    }
    return await withExampleClient(parsed, io, body);
  } catch (error) {
    return reportError(error, io, !argv.includes("--no-color"));
  }
}
