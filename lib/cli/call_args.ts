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
import { type CliIo, whyUnreadable } from "./io/io.ts";
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
 * import { denoIo } from "./io/io.ts";
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
  secrets: SecretArguments = { names: new Set(), allowLiteral: true },
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
    const secret = secrets.names.has(name) || SECRET.test(name);
    if (secret && !secrets.allowLiteral && (!value.startsWith("@") || value.startsWith("@@"))) {
      // Refused before anything is sent: the value is already in the process list and history.
      throw new UsageError(
        `${name}= is a secret, and a value on the command line is visible to other users in the ` +
          `process list and stays in the shell history. Use ${name}=@file, or ${name}=@- (stdin; ` +
          `a prompt without echo on a terminal); --allow-secret-arg sends it anyway.`,
      );
    }
    if (value.startsWith("@@")) value = value.slice(1);
    else if (value === "@-") {
      if (stdinUsed) throw new UsageError("Only one argument can be read from stdin (name=@-).");
      stdinUsed = true;
      value = io.stdin.isTerminal
        ? await promptValue(io, fn, name, secret)
        : (await io.stdin.readAll()).replace(/\r?\n$/, "");
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

/** Which arguments of a call are secrets, and whether a secret may be given literally. */
export interface SecretArguments {
  /** The arguments the catalogue marks secret (password-like names count as well). */
  readonly names: ReadonlySet<string>;
  /** `--allow-secret-arg`: a literal value is sent (else refused). */
  readonly allowLiteral: boolean;
}

/** `name=@-` on a terminal: asks for the value, without echo for a secret. */
async function promptValue(io: CliIo, fn: string, name: string, secret: boolean): Promise<string> {
  const question = () => io.stderr.write(`${name} for ${fn}: `);
  const line = secret || io.stdin.readLine === undefined
    ? await io.stdin.readSecretLine(question)
    : (question(), await io.stdin.readLine());
  if (secret) io.stderr.write("\n");
  if (line === null) throw new UsageError(`No value for ${name}; nothing was sent.`);
  return line;
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
