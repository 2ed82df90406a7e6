/**
 * The printer a command's output flags ask for: `--format` (or `MSPE_FORMAT`, or the profile's),
 * `--select`, `--no-color` and `--quiet`. Internal to the CLI.
 *
 * @module
 */

import type { ParsedArgs } from "../args.ts";
import { chooseFormat, type Format, parseSelect } from "./format.ts";
import type { CliIo } from "../io/io.ts";
import { Output } from "./output.ts";
import { askedFormat } from "../settings/resolve.ts";

/**
 * Reads and checks the output flags into a printer. Without `--format`: `terminalFormat` (`list`)
 * on a terminal, `json` when piped. With `ownFormat` the command chooses its format itself.
 *
 * @example
 * ```ts
 * import { parseCommand } from "../args.ts";
 * import { readOutput } from "./read_output.ts";
 * import { OUTPUT_FLAGS } from "../settings/flags.ts";
 * import { denoIo } from "../io/io.ts";
 * const out = readOutput(parseCommand("call", ["--format", "json"], OUTPUT_FLAGS), denoIo());
 * out.show({ ok: true });
 * ```
 */
export function readOutput(
  parsed: ParsedArgs,
  io: CliIo,
  terminalFormat: Format = "list",
  ownFormat = false,
): Output {
  // A command with formats of its own (report) checks --format itself; the printer is then for
  // messages, progress and --output.
  const format = ownFormat
    ? terminalFormat
    : chooseFormat(askedFormat(parsed, io), io.stdout.isTerminal, terminalFormat);
  return new Output(io, {
    format,
    color: !parsed.bool("no-color"),
    quiet: parsed.bool("quiet"),
    select: parseSelect(parsed.string("select")),
    outputFile: parsed.string("output"),
    csvRaw: parsed.bool("csv-raw"),
  });
}
