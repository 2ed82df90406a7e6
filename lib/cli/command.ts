/**
 * The shape of one `mspe-run` command and its `--help` text. Internal to the CLI.
 *
 * @module
 */

import type { FlagSpecs, TypedArgs } from "./args.ts";
import { EXIT_CODE_HELP } from "./exit_codes.ts";
import type { CliIo } from "./io/io.ts";

/** One command as the dispatcher knows it before loading it: enough for the help listing. */
export interface CommandEntry {
  /** The word after `mspe-run`. */
  readonly name: string;
  /** What follows `mspe-run` in the command list, such as `call <Function> [name=value ...]`. */
  readonly synopsis: string;
  /** One line for the command list; the same as the loaded command's `summary`. */
  readonly summary: string;
  /** Left out of the command list (`__complete`, which the completion scripts call). */
  readonly hidden?: boolean;
  /** Loads the command's module. Keep the specifier a string literal (see main.ts). */
  load(): Promise<Command>;
}

/**
 * What the dispatcher gives every command besides its arguments: the command list, for the
 * commands that describe or complete the others (help, completion). Passed in rather than
 * imported, so that no command imports the dispatcher that loads it.
 */
export interface CliContext {
  /** Every command, in the order of the help text. */
  readonly commands: readonly CommandEntry[];
  /** The text of `mspe-run --help`. */
  mainHelp(): Promise<string>;
}

/**
 * One command of `mspe-run`, with the flags it accepts typed: `run` can read only the flags it
 * declares, and a boolean flag only as a boolean.
 *
 * @example
 * ```ts
 * import { defineCommand } from "./command.ts";
 * const hello = defineCommand({
 *   name: "hello",
 *   summary: "Say hello.",
 *   usage: "mspe-run hello",
 *   flags: { loud: { type: "boolean", help: "Shout." } },
 *   examples: ["mspe-run hello"],
 *   run: (parsed) => Promise.resolve(parsed.bool("loud") ? 1 : 0),
 * });
 * ```
 */
export interface Command<F extends FlagSpecs = FlagSpecs> {
  /** The word after `mspe-run`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line(s). */
  readonly usage: string;
  /** A paragraph or two on what it does. */
  readonly description?: string;
  /**
   * Every flag it accepts. Those with a `group` are listed under that heading in the help, the
   * others under "Flags".
   */
  readonly flags: F;
  /** Example command lines, with a comment line before each when it starts with `#`. */
  readonly examples: readonly string[];
  /** The arguments go to the command unparsed, `--help` included (`mock` has its own parser). */
  readonly passThrough?: boolean;
  /**
   * The help for `--help` given with these other arguments, when they name a topic (`call
   * <Function> --help` shows the function's help); `undefined` for the command's own help.
   */
  topicHelp?(argv: readonly string[]): Promise<string | undefined>;
  /** Runs the command; resolves to the exit code. Throws for errors (mapped by the caller). */
  run(parsed: TypedArgs<F>, io: CliIo, cli: CliContext): Promise<number>;
}

/**
 * A command, its flags' names and types taken from its `flags`.
 *
 * @example
 * ```ts ignore
 * export const watchCommand = defineCommand({ name: "watch", flags: { ...SERVER_FLAGS }, ... });
 * ```
 */
export function defineCommand<const F extends FlagSpecs>(command: Command<F>): Command {
  return command as unknown as Command;
}

function flagLines(flags: FlagSpecs): string[] {
  const left = Object.entries(flags).map(([name, spec]) =>
    `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`
  );
  const width = Math.max(0, ...left.map((l) => l.length));
  return Object.values(flags).map((spec, i) => `  ${(left[i] ?? "").padEnd(width)}  ${spec.help}`);
}

/** The flags by heading: the command's own under "Flags", then each group in order. */
function flagSections(flags: FlagSpecs): Map<string, Record<string, FlagSpecs[string]>> {
  const sections = new Map<string, Record<string, FlagSpecs[string]>>([["Flags", {}]]);
  for (const [name, spec] of Object.entries(flags)) {
    const title = spec.group ?? "Flags";
    const section = sections.get(title) ?? {};
    section[name] = spec;
    sections.set(title, section);
  }
  return sections;
}

/**
 * The `--help` text of a command: usage, description, flags, examples and the exit codes.
 *
 * @example
 * ```ts
 * import { commandHelp, type Command } from "./command.ts";
 * declare const command: Command;
 * console.log(commandHelp(command));
 * ```
 */
export function commandHelp(command: Command): string {
  const sections: string[] = [
    `${command.summary}\n\nUsage:\n  ${command.usage.split("\n").join("\n  ")}`,
  ];
  if (command.description) sections.push(command.description);
  for (const [title, flags] of flagSections(command.flags)) {
    sections.push(`${title}:\n${flagLines(flags).join("\n")}`);
  }
  if (command.examples.length > 0) {
    sections.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join("\n")}`);
  }
  sections.push(EXIT_CODE_HELP);
  return `${sections.join("\n\n")}\n`;
}
