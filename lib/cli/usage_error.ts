/**
 * The error for a mistake on the command line. Internal to the CLI.
 *
 * @module
 */

/**
 * A mistake on the command line (unknown command or flag, missing or bad value). Its message is the
 * one line printed on stderr: it says what is wrong and what to do. Exit code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "./usage_error.ts";
 * throw new UsageError("Unknown command frobnicate. Run `mspe-run --help` to list the commands.");
 * ```
 */
export class UsageError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * A fleet selection (`--instances`) that matches no instance: exit code 9, so that a scheduled
 * task notices (`--allow-empty` makes it a note and exit code 0).
 *
 * @example
 * ```ts
 * import { NothingSelected } from "./usage_error.ts";
 * throw new NothingSelected("No instances matching zz*; nothing was called.");
 * ```
 */
export class NothingSelected extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "NothingSelected";
  }
}

/**
 * Ctrl-C stopped a fleet command before it had read every instance, so that nothing it would
 * print or write could pass for a whole result: the message says what was left undone. Exit code
 * 130.
 *
 * @example
 * ```ts
 * import { Interrupted } from "./usage_error.ts";
 * throw new Interrupted("Interrupted: the report was stopped; nothing printed.");
 * ```
 */
export class Interrupted extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "Interrupted";
  }
}
