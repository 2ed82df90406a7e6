/**
 * Quoting an argument for the command lines mspe-run prints (resume commands, examples).
 *
 * Internal to the CLI.
 *
 * @module
 */

/**
 * The argument as a POSIX shell reads it: as it is when it holds only characters no shell treats
 * specially, else in single quotes (which PowerShell reads the same way, for an argument without a
 * quote inside).
 *
 * @example
 * ```ts
 * import { shellQuote } from "./shell_quote.ts";
 * shellQuote("acme"); // "acme"
 * shellQuote("E:\\MailStore\\acme"); // "'E:\\MailStore\\acme'"
 * ```
 */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
