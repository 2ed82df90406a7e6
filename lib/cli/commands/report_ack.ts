/**
 * The acknowledgement file of `mspe-run report health`: reading it for a check (`--ack`, profile
 * key `ackFile`) and adding an entry to it (`--ack-add`). The file is a JSON array of
 * `{instanceID, kind, until, reason, who}`, as {@linkcode parseAcknowledgements} reads it, so
 * people can edit it by hand too.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { ArgumentError } from "../../errors.ts";
import {
  acknowledgementOf,
  checkAcknowledgementUntil,
  type HealthAcknowledgement,
  parseAcknowledgements,
} from "../../health_acknowledgements.ts";
import { HEALTH_FINDING_KINDS, type HealthFindingKind } from "../../health_report.ts";
import type { ParsedArgs } from "../args.ts";
import { ExitCode } from "../exit_codes.ts";
import type { FlagSpecs } from "../flag_spec.ts";
import { type CliIo, whyUnreadable } from "../io/io.ts";
import { readSetting } from "../settings/resolve.ts";
import { UsageError } from "../usage_error.ts";

/** The flags of `report health --ack-add`, besides `--ack` and `--instance`. */
export const ACK_ADD_FLAGS = {
  "ack-add": {
    type: "boolean",
    help: "health: add an acknowledgement to the --ack file (created if missing) and exit, " +
      "with --instance, --kind, --until, --reason and --who.",
    group: "Acknowledgements",
  },
  kind: {
    type: "string",
    value: "<kind|*>",
    help: "--ack-add: the kind of finding (instanceNotRunning, storeError, workerFailed, ...), " +
      "or * for every kind.",
    group: "Acknowledgements",
  },
  until: {
    type: "string",
    value: "<date>",
    help: "--ack-add: the last day (2026-12-31, UTC) or moment (2026-12-31T18:00:00Z) it holds.",
    group: "Acknowledgements",
  },
  reason: {
    type: "string",
    value: "<text>",
    help: "--ack-add: why the finding needs no alert.",
    group: "Acknowledgements",
  },
  who: {
    type: "string",
    value: "<name>",
    help: "--ack-add: who acknowledges it.",
    group: "Acknowledgements",
  },
} as const satisfies FlagSpecs;

/** The acknowledgement file the settings name (flag, else profile), or undefined. */
function ackFileOf(parsed: ParsedArgs, io: CliIo): string | undefined {
  return readSetting(parsed, io, "ack", parsed.profile)?.value as string | undefined;
}

/** The file's text; `null` when it does not exist. */
async function readIfThere(io: CliIo, file: string): Promise<string | null> {
  try {
    return await io.readTextFile(file);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new UsageError(`Cannot read the acknowledgement file ${file}: ${whyUnreadable(error)}.`);
  }
}

function parseFile(text: string, file: string): HealthAcknowledgement[] {
  try {
    return parseAcknowledgements(text, `The acknowledgement file ${file}`);
  } catch (error) {
    if (error instanceof ArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * The acknowledgements of a health check: those of the `--ack` file (or the profile's
 * `ackFile`); none without one, or when the file does not exist yet (a profile may name it before
 * the first `--ack-add`). A file that cannot be read or parsed is a {@linkcode UsageError} of one
 * line: a check must not run with acknowledgements silently dropped.
 *
 * @example
 * ```ts ignore
 * const acknowledgements = await readAckFile(parsed, io);
 * ```
 */
export async function readAckFile(
  parsed: ParsedArgs,
  io: CliIo,
): Promise<HealthAcknowledgement[]> {
  const file = ackFileOf(parsed, io);
  if (file === undefined) return [];
  const text = await readIfThere(io, file);
  return text === null ? [] : parseFile(text, file);
}

function required(parsed: ParsedArgs, flag: string, example: string): string {
  const value = parsed.string(flag)?.trim();
  if (value === undefined || value === "") {
    throw new UsageError(`--ack-add needs --${flag}, such as --${flag} ${example}.`);
  }
  return value;
}

/**
 * `report health --ack-add`: checks the entry, adds it to the acknowledgement file (creating it)
 * through the CLI's I/O, and says so on stderr. Connects to nothing.
 *
 * @example
 * ```ts ignore
 * return await addAcknowledgement(parsed, io); // report health --ack-add --ack acks.json ...
 * ```
 */
export async function addAcknowledgement(parsed: ParsedArgs, io: CliIo): Promise<number> {
  const file = ackFileOf(parsed, io);
  if (file === undefined) {
    throw new UsageError(
      "--ack-add needs the acknowledgement file: give --ack <file>, or ackFile in the profile.",
    );
  }
  const kind = required(parsed, "kind", "instanceNotRunning");
  if (kind !== "*" && !(HEALTH_FINDING_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(
      `--kind ${JSON.stringify(kind)} is not a finding kind. Use * or one of ${
        HEALTH_FINDING_KINDS.join(", ")
      }.`,
    );
  }
  let until: string;
  try {
    until = checkAcknowledgementUntil(required(parsed, "until", "2026-12-31"));
  } catch (error) {
    if (error instanceof ArgumentError) throw new UsageError(`--until: ${error.message}`);
    throw error;
  }
  const entry: HealthAcknowledgement = {
    instanceID: required(parsed, "instance", "acme (or * for every instance)"),
    kind: kind as HealthFindingKind | "*",
    until,
    reason: required(parsed, "reason", '"Contract ended"'),
    who: required(parsed, "who", "j.doe"),
  };
  // An entry that has expired already would acknowledge nothing: most likely a typo in the year.
  const probe = { kind: "checkFailed", instanceID: null } as const;
  if (acknowledgementOf(probe, [{ ...entry, instanceID: "*", kind: "*" }], new Date())?.expired) {
    throw new UsageError(
      `--until ${until} has passed: the acknowledgement would hold for nothing. Give a date to come.`,
    );
  }
  const text = await readIfThere(io, file);
  const entries = text === null ? [] : parseFile(text, file);
  if (io.writeTextFile === undefined) throw new UsageError(`Cannot write ${file} here.`);
  try {
    await io.writeTextFile(file, `${JSON.stringify([...entries, entry], null, 2)}\n`);
  } catch (error) {
    throw new UsageError(
      `Cannot write the acknowledgement file ${file}: ${whyUnreadable(error)}.`,
    );
  }
  io.stderr.write(
    `Acknowledged ${kind === "*" ? "every finding" : kind} on ${
      entry.instanceID === "*" ? "every instance" : entry.instanceID
    } until ${until} in ${file} (${entries.length + 1} entr${
      entries.length === 0 ? "y" : "ies"
    }).\n`,
  );
  return ExitCode.Ok;
}
