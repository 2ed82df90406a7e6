/**
 * The shape of one `mspe-run` command and its `--help` text. Internal to the CLI.
 *
 * @module
 */

import type { FlagSpecs, ParsedArgs } from "./args.ts";
import { EXIT_CODE_HELP } from "./exit_codes.ts";
import type { CliIo } from "./io.ts";

/**
 * One command of `mspe-run`.
 *
 * @example
 * ```ts
 * import type { Command } from "./command.ts";
 * const hello: Command = {
 *   name: "hello",
 *   summary: "Say hello.",
 *   usage: "mspe-run hello",
 *   flags: {},
 *   examples: ["mspe-run hello"],
 *   run: () => Promise.resolve(0),
 * };
 * ```
 */
export interface Command {
  /** The word after `mspe-run`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line(s). */
  readonly usage: string;
  /** A paragraph or two on what it does. */
  readonly description?: string;
  /** The flags it accepts, grouped for the help text. */
  readonly flags: FlagSpecs;
  /** Groups of flags shown under their own heading in the help. */
  readonly flagGroups?: readonly { readonly title: string; readonly flags: FlagSpecs }[];
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
  run(parsed: ParsedArgs, io: CliIo): Promise<number>;
}

function flagLines(flags: FlagSpecs): string[] {
  const left = Object.entries(flags).map(([name, spec]) =>
    `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.value ? ` ${spec.value}` : ""}`
  );
  const width = Math.max(0, ...left.map((l) => l.length));
  return Object.values(flags).map((spec, i) => `  ${(left[i] ?? "").padEnd(width)}  ${spec.help}`);
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
  sections.push(`Flags:\n${flagLines(command.flags).join("\n")}`);
  for (const group of command.flagGroups ?? []) {
    sections.push(`${group.title}:\n${flagLines(group.flags).join("\n")}`);
  }
  if (command.examples.length > 0) {
    sections.push(`Examples:\n${command.examples.map((e) => `  ${e}`).join("\n")}`);
  }
  sections.push(EXIT_CODE_HELP);
  return `${sections.join("\n\n")}\n`;
}

/** Every flag of a command, its own and its groups'. */
export function allFlags(command: Command): FlagSpecs {
  const flags: Record<string, FlagSpecs[string]> = { ...command.flags };
  for (const group of command.flagGroups ?? []) Object.assign(flags, group.flags);
  return flags;
}
