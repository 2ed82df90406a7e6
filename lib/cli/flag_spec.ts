/**
 * The description of a command-line flag, and the types that read a command's flags by name. A
 * leaf module: the settings table, the parser and the commands all build on it.
 *
 * Internal to the CLI.
 *
 * @module
 */

/** One flag a command accepts. */
export interface FlagSpec {
  /** `string` flags take a value; `boolean` flags do not. */
  readonly type: "string" | "boolean";
  /** A one-letter alias, such as `h` for `--help`. */
  readonly short?: string;
  /** When true, the flag may be given several times and yields a list. */
  readonly multiple?: boolean;
  /** The placeholder for the value in help output, such as `<host>`. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** The heading it is listed under in help (Output, Connection, ...); none for the command's own. */
  readonly group?: string;
}

/** The flags of a command, by long name. */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The names of the flags of `F` that take no value (any name for flags not known by type). */
export type BooleanFlag<F extends FlagSpecs> = string extends keyof F ? string
  : { [K in keyof F]: F[K] extends { readonly type: "boolean" } ? K : never }[keyof F] & string;

/** The names of the flags of `F` that take a value (any name for flags not known by type). */
export type StringFlag<F extends FlagSpecs> = string extends keyof F ? string
  : { [K in keyof F]: F[K] extends { readonly type: "string" } ? K : never }[keyof F] & string;
