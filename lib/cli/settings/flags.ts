/**
 * The flag groups that many commands share, made from the settings table: help, output, connection
 * and tracing. A flag's `group` is the heading it is listed under in a command's help.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { FlagSpec, FlagSpecs } from "../flag_spec.ts";
import { CONNECTION_SETTINGS, settingFlags, SETTINGS } from "./table.ts";

/**
 * The flags with `group` set to `title`, for a heading of their own in help.
 *
 * @example
 * ```ts ignore
 * const RULES = inGroup("Health rules", settingFlags(["ack", "profile-failed-runs"]));
 * ```
 */
export function inGroup<const F extends FlagSpecs>(
  title: string,
  flags: F,
): { readonly [K in keyof F]: F[K] & { readonly group: string } } {
  return Object.fromEntries(
    Object.entries(flags).map(([name, spec]) => [name, { ...spec, group: title } as FlagSpec]),
  ) as { readonly [K in keyof F]: F[K] & { readonly group: string } };
}

/** `--help`, accepted by every command. */
export const HELP_FLAGS = {
  help: { type: "boolean", short: "h", help: "Show this help." },
} as const satisfies FlagSpecs;

/** The output flags of every command that prints data. */
export const OUTPUT_FLAGS = inGroup(
  "Output",
  {
    format: SETTINGS.format.flag,
    select: {
      type: "string",
      value: "<name,name>",
      help: "Only these properties, in this order (like Select-Object -Property).",
    },
    "csv-raw": {
      type: "boolean",
      help: "csv: cells as the server sent them, without the ' that keeps a spreadsheet from " +
        "running =, +, -, @ as a formula (for programs, not for files people open).",
    },
    "no-color": { type: "boolean", help: "No colours (NO_COLOR is respected too)." },
    quiet: {
      type: "boolean",
      short: "q",
      help: "No progress and no messages; data and errors only.",
    },
  } as const,
);

/** The flags that say which server to talk to and how. */
export const CONNECTION_FLAGS = inGroup("Connection", settingFlags(CONNECTION_SETTINGS));

/** `--verbose` and `--debug`. */
export const TRACE_FLAGS = inGroup(
  "Tracing",
  {
    verbose: {
      type: "boolean",
      help: "One line per HTTP exchange on stderr: method, path, status, size, time.",
    },
    debug: {
      type: "boolean",
      help: "Like --verbose, with the headers and bodies (secrets are shown as ***).",
    },
  } as const,
);

/** The flags of every command that talks to a server: output, connection, tracing. */
export const SERVER_FLAGS = { ...OUTPUT_FLAGS, ...CONNECTION_FLAGS, ...TRACE_FLAGS };

/**
 * The flags that may come before the command (`mspe-run --profile prod call ...`): the
 * connection, output and tracing flags.
 */
export const LEADING_FLAGS: FlagSpecs = SERVER_FLAGS;
