/**
 * `name=value` arguments of `mspe-run call`, turned into typed values by the function's metadata:
 * `bool` takes true/false, `number` a decimal number, `json` JSON text; strings (and comma-separated
 * lists) are passed as typed. `name=@file` reads the value from a file and `name=@-` from stdin, so
 * that secrets such as a user's new password need not appear on the command line; `@@` escapes a
 * leading `@`.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { ArgumentMetadata } from "../metadata.ts";
import { type CliIo, whyUnreadable } from "./io.ts";
import { UsageError } from "./usage_error.ts";
import { withoutFinalLineBreak } from "../_text_file.ts";

/** Argument names whose values are never repeated in a message. */
const SECRET = /password|secret|key/i;

function shown(name: string, value: string): string {
  return SECRET.test(name)
    ? `${name}=…`
    : `${name}=${value.length > 40 ? `${value.slice(0, 40)}…` : value}`;
}

/**
 * Parses `name=value` pairs into an arguments object for `invokeCall`/`startCall`.
 *
 * `metadata` is the function's argument list from the server (or the bundled catalogue); an argument
 * it does not list is passed as a string, and the client reports it as unknown with suggestions.
 *
 * @example
 * ```ts
 * import { parseCallArgs } from "./call_args.ts";
 * import { denoIo } from "./io.ts";
 * const args = await parseCallArgs(
 *   "VerifyStore",
 *   ["instanceID=acme", "id=1", "includeIndexes=false"],
 *   [
 *     { name: "instanceID", type: "string", nullable: false },
 *     { name: "id", type: "number", nullable: false },
 *     { name: "includeIndexes", type: "bool", nullable: false },
 *   ],
 *   denoIo(),
 * );
 * console.log(args); // { instanceID: "acme", id: 1, includeIndexes: false }
 * ```
 */
export async function parseCallArgs(
  fn: string,
  pairs: readonly string[],
  metadata: readonly ArgumentMetadata[] | undefined,
  io: CliIo,
): Promise<Record<string, string | number | boolean>> {
  const args: Record<string, string | number | boolean> = {};
  let stdinUsed = false;
  for (const [index, pair] of pairs.entries()) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      // The text itself is not repeated: it might be a secret typed in the wrong place.
      throw new UsageError(
        `Argument ${index + 1} after ${fn} is not name=value. Write arguments as name=value, ` +
          `such as instanceID=acme; run \`mspe-run functions ${fn}\` to see them.`,
      );
    }
    const name = pair.slice(0, eq);
    let value = pair.slice(eq + 1);
    if (Object.hasOwn(args, name)) {
      throw new UsageError(`The argument ${name} is given twice. Give each argument once.`);
    }
    if (value.startsWith("@@")) value = value.slice(1);
    else if (value === "@-") {
      if (stdinUsed) throw new UsageError("Only one argument can be read from stdin (name=@-).");
      stdinUsed = true;
      value = (await io.stdin.readAll()).replace(/\r?\n$/, "");
    } else if (value.startsWith("@")) {
      const path = value.slice(1);
      try {
        // Any encoding Windows writes (UTF-16 or a BOM, CRLF): io.readTextFile decodes it.
        value = withoutFinalLineBreak(await io.readTextFile(path));
      } catch (error) {
        throw new UsageError(
          `Cannot read the file ${path} for ${name}=@${path}: ${
            whyUnreadable(error)
          }. Check the path; write @@ for a value that starts with @.`,
        );
      }
    }
    const type = metadata?.find((arg) => arg.name === name)?.type;
    args[name] = coerce(name, value, type);
  }
  return args;
}

function coerce(name: string, value: string, type: string | undefined): string | number | boolean {
  switch (type) {
    case "bool": {
      const lower = value.toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
      throw new UsageError(
        `${shown(name, value)}: ${name} is a bool; give ${name}=true or ${name}=false.`,
      );
    }
    case "number": {
      if (!/^-?\d+(\.\d+)?$/.test(value.trim())) {
        throw new UsageError(
          `${shown(name, value)}: ${name} is a number; give a decimal number, such as ${name}=1.`,
        );
      }
      return Number(value);
    }
    case "json": {
      // Checked here for a clear message; sent as typed (the client passes JSON text through).
      try {
        JSON.parse(value);
        return value;
      } catch {
        throw new UsageError(
          `${
            shown(name, value)
          }: ${name} takes JSON, and this is not valid JSON. Quote it for the shell, ` +
            `such as ${name}='{"key":"value"}', or read it from a file with ${name}=@file.json.`,
        );
      }
    }
    default:
      return value;
  }
}
