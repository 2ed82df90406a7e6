/**
 * Command-line parsing for `mspe-run`: `node:util` `parseArgs` in strict mode, with errors reworded
 * into one line that says what to do, and a refusal of `--password`.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { ChosenProfile } from "./settings/config.ts";
import { closest } from "../_suggest.ts";
import { UsageError } from "./usage_error.ts";
import type { BooleanFlag, FlagSpec, FlagSpecs, StringFlag } from "./flag_spec.ts";

export type { BooleanFlag, FlagSpec, FlagSpecs, StringFlag };

/** Why a password on the command line is refused; printed when someone tries `--password`. */
export const PASSWORD_FLAG_REFUSED =
  "--password is not accepted: a password on the command line is visible to other users in the " +
  "process list and stays in the shell history. Set MSPE_PASSWORD, use --password-file <path|->, " +
  "or run on a terminal to be prompted.";

/**
 * The parsed command line of one command, with typed accessors.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./args.ts";
 * const parsed = parseCommand("call", ["GetUsers", "--host", "spe1"], {
 *   host: { type: "string", help: "The server." },
 * });
 * console.log(parsed.string("host"), parsed.positionals);
 * ```
 */
/**
 * The parsed command line as the CLI's shared code reads it: any flag by name. A command's own
 * `run` gets {@linkcode TypedArgs}, which knows the flags it declared.
 */
export interface ParsedArgs {
  /** The command these arguments belong to, for messages. */
  readonly command: string;
  /** The arguments that are not flags, in order. */
  readonly positionals: readonly string[];
  /** The profile that completes the connection settings, once attached. */
  readonly profile: ChosenProfile | undefined;
  /** Whether the config file was consulted (so that it is read once per command). */
  readonly profileResolved: boolean;
  /** The same arguments with the profile that applies. */
  withProfile(chosen: ChosenProfile | undefined): ParsedArgs;
  /** The value of a string flag (the last one when given twice), or `undefined`. */
  string(name: string): string | undefined;
  /** Every value of a string flag given several times. */
  strings(name: string): string[];
  /** Whether a boolean flag was given. */
  bool(name: string): boolean;
}

/**
 * The parsed command line of one command, typed by its flags: a flag it does not declare, or a
 * boolean flag read as a string, does not compile.
 */
export class TypedArgs<F extends FlagSpecs = FlagSpecs> implements ParsedArgs {
  /** The command these arguments belong to, for messages. */
  readonly command: string;
  /** The arguments that are not flags, in order. */
  readonly positionals: readonly string[];
  /**
   * The profile that completes the connection settings, once `attachProfile` (config.ts) has read
   * the config file; `undefined` before that or when no profile applies.
   */
  readonly profile: ChosenProfile | undefined;
  /** Whether the config file was consulted (so that it is read once per command). */
  readonly profileResolved: boolean;
  readonly #values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

  /** Wraps the values `parseArgs` returned. */
  constructor(
    command: string,
    values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>,
    positionals: readonly string[],
    profile?: { readonly chosen: ChosenProfile | undefined },
  ) {
    this.command = command;
    this.#values = values;
    this.positionals = positionals;
    this.profile = profile?.chosen;
    this.profileResolved = profile !== undefined;
  }

  /** The same arguments with the profile that applies. */
  withProfile(chosen: ChosenProfile | undefined): TypedArgs<F> {
    return new TypedArgs<F>(this.command, this.#values, this.positionals, { chosen });
  }

  /** The value of a string flag (the last one when given twice), or `undefined`. */
  string(name: StringFlag<F>): string | undefined {
    const value = this.#values[name];
    if (Array.isArray(value)) {
      const last = value.at(-1);
      return typeof last === "string" ? last : undefined;
    }
    return typeof value === "string" ? value : undefined;
  }

  /** Every value of a string flag given several times. */
  strings(name: StringFlag<F>): string[] {
    const value = this.#values[name];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
    return typeof value === "string" ? [value] : [];
  }

  /** Whether a boolean flag was given. */
  bool(name: BooleanFlag<F>): boolean {
    const value = this.#values[name];
    return value === true || (Array.isArray(value) && value.includes(true));
  }
}

/**
 * Parses `argv` for one command. Every mistake becomes a {@linkcode UsageError} whose message names
 * the flag (never its value, which could be a secret) and says what to do.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./args.ts";
 * try {
 *   parseCommand("watch", ["--hots", "x"], { host: { type: "string", help: "The server." } });
 * } catch (error) {
 *   console.log((error as Error).message); // Unknown flag --hots for `mspe-run watch`. Did you mean --host? ...
 * }
 * ```
 */
export function parseCommand<const F extends FlagSpecs>(
  command: string,
  argv: readonly string[],
  flags: F,
  names: { readonly where?: string; readonly helpHint?: string } = {},
): TypedArgs<F> {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const [name, spec] of Object.entries(flags)) {
    options[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  const where = names.where ?? (command ? `\`mspe-run ${command}\`` : "`mspe-run`");
  const helpHint = names.helpHint ?? (command ? `mspe-run ${command} --help` : "mspe-run --help");

  // A first, lenient pass finds the flags that are not known, so that the message can name them
  // without their values and suggest the closest known flag.
  const loose = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of loose.tokens ?? []) {
    if (token.kind !== "option") continue;
    if (token.name === "password") throw new UsageError(PASSWORD_FLAG_REFUSED);
    if (Object.hasOwn(flags, token.name)) continue;
    const isShort = !token.rawName.startsWith("--");
    const known = Object.keys(flags);
    const suggestion = isShort ? undefined : closest(token.name, known);
    const shown = token.rawName.split("=", 1)[0] ?? token.rawName;
    throw new UsageError(
      `Unknown flag ${shown} for ${where}.${suggestion ? ` Did you mean --${suggestion}?` : ""} ` +
        `Run \`${helpHint}\` to see the flags.`,
    );
  }

  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: true,
    });
    return new TypedArgs<F>(command, values, positionals);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const flag = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "a flag";
      if (/does not take an argument/.test(message)) {
        throw new UsageError(
          `The flag ${flag} takes no value; give it alone. Run \`${helpHint}\` for the flags.`,
        );
      }
      const spec: FlagSpec | undefined = flags[flag.replace(/^-+/, "")];
      throw new UsageError(
        `The flag ${flag} needs a value${spec?.value ? ` (${flag} ${spec.value})` : ""}. ` +
          `Run \`${helpHint}\` for the flags.`,
      );
    }
    throw new UsageError(`Could not read the command line for ${where}. Run \`${helpHint}\`.`);
  }
}

/**
 * Moves the flags given before the command to just after it, so that connection and output flags
 * may come first (`mspe-run --profile prod call GetInstances instanceFilter=*`, and aliases that
 * carry them). Only the flags in `flags` may come first; the command's own parser then reads them
 * like flags given after the command (a later one wins). Leaves `argv` alone when it starts with
 * the command.
 *
 * @example
 * ```ts
 * import { hoistLeadingFlags } from "./args.ts";
 * const argv = hoistLeadingFlags(["--host", "spe1", "call", "Ping"], {
 *   host: { type: "string", help: "The server." },
 * });
 * console.log(argv); // ["call", "--host", "spe1", "Ping"]
 * ```
 */
export function hoistLeadingFlags(argv: readonly string[], flags: FlagSpecs): string[] {
  const leading: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const token = argv[i] ?? "";
    if (!token.startsWith("-") || token === "-" || token === "--") break;
    const long = token.startsWith("--");
    const name = (long ? token.slice(2) : token.slice(1)).split("=", 1)[0] ?? "";
    if (name === "help" || name === "h") {
      leading.push("--help");
      i++;
      continue;
    }
    if (name === "password") throw new UsageError(PASSWORD_FLAG_REFUSED);
    const spec = long
      ? (Object.hasOwn(flags, name) ? flags[name] : undefined)
      : Object.values(flags).find((candidate) => candidate.short === name);
    if (spec === undefined) {
      const suggestion = long ? closest(name, Object.keys(flags)) : undefined;
      throw new UsageError(
        `${token.split("=", 1)[0]} cannot come before the command.${
          suggestion ? ` Did you mean --${suggestion}?` : ""
        } Only connection and output flags can; put the others after the command: ` +
          "mspe-run <command> [arguments] [flags].",
      );
    }
    leading.push(token);
    i++;
    if (spec.type === "string" && !token.includes("=")) {
      const value = argv[i];
      if (value === undefined) {
        throw new UsageError(
          `The flag ${token} needs a value${spec.value ? ` (${token} ${spec.value})` : ""}.`,
        );
      }
      leading.push(value);
      i++;
    }
  }
  if (leading.length === 0) return [...argv];
  const command = argv[i];
  if (command === undefined || command === "--") {
    if (leading.includes("--help")) return ["--help"];
    throw new UsageError(
      "Name a command after the flags: mspe-run [flags] <command> [arguments]. " +
        "Run `mspe-run --help` for the list.",
    );
  }
  return [command, ...leading, ...argv.slice(i + 1)];
}
