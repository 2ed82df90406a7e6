/**
 * Running one example script on its own (`deno run -P=mspe-run scripts/example1.ts --username admin`):
 * the connection and output flags of `mspe-run`, the MSPE_ variables, the same errors and exit codes.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client, Status } from "../../mod.ts";
import { parseCommand, type ParsedArgs } from "./args.ts";
import { EXIT_CODE_HELP, ExitCode } from "./exit_codes.ts";
import { type CliIo, denoIo } from "./io/io.ts";
import type { Output, OutputSink } from "./output/output.ts";
import { reportError } from "./report_error.ts";
import { withSession } from "./session/session.ts";
import { UsageError } from "./usage_error.ts";
import { CONNECTION_FLAGS, HELP_FLAGS, OUTPUT_FLAGS } from "./settings/flags.ts";

/** The body of an example: gets an SPE client, the printer and the process; returns an exit code. */
export type ExampleBody = (
  client: Client<"spe">,
  out: OutputSink,
  io: CliIo,
) => Promise<number | void>;

/**
 * The printer of an example with `--format json` or `csv`: what it shows (values, statuses) is
 * held and printed when it ends as one document, a JSON array or one CSV table under one header.
 * Shown as they came, example 2's users were a JSON document each, and a CSV header each time the
 * columns changed. Progress and notes go out at once; list, table and ndjson print as they go.
 */
class OneDocument implements OutputSink {
  readonly #out: Output;
  readonly #items: unknown[] = [];

  constructor(out: Output) {
    this.#out = out;
  }

  show(value: unknown): void {
    this.#items.push(value);
  }

  status(status: Status): void {
    this.#items.push(status);
  }

  progress(label: string, status: Status): void {
    this.#out.progress(label, status);
  }

  note(text: string): void {
    this.#out.note(text);
  }

  /** Prints what was shown: one value as it is, several as one array (arrays among them spread). */
  flush(): void {
    const items = this.#items.splice(0);
    if (items.length === 0) return;
    this.#out.show(items.length === 1 ? items[0] : items.flat());
  }
}

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
    if (out.format !== "json" && out.format !== "csv") {
      return (await body(client, out, io)) ?? ExitCode.Ok;
    }
    const document = new OneDocument(out);
    try {
      return (await body(client, document, io)) ?? ExitCode.Ok;
    } finally {
      // Also after an error or Ctrl-C: what was shown so far is one valid document.
      document.flush();
    }
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
