/**
 * The simulator's command-line flags, as one table (`MOCK_FLAGS`): the simulator parses its arguments with it,
 * writes its usage from it, and `mspe-run mock --help` and the shell completion of `mspe-run mock`
 * read it, so a flag added here is parsed, documented and completed everywhere.
 *
 * @example List the flags that take one of a few words
 * ```ts
 * import { MOCK_FLAGS } from "@mspe/mspe/mock";
 * for (const flag of MOCK_FLAGS) {
 *   if (flag.values !== undefined) console.log(`--${flag.name} ${flag.values.join("|")}`);
 * }
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { FAULT_KINDS, parseFaultSpec } from "./_faults.ts";
import { LIMITS } from "./_limits.ts";
import { QUIRK_SETS } from "./_quirks.ts";
import type { FaultRule } from "./_options.ts";

/**
 * One flag of the simulator's command line.
 *
 * @example The line of `--port` in the usage
 * ```ts
 * import { MOCK_FLAGS } from "@mspe/mspe/mock";
 * const port = MOCK_FLAGS.find((flag) => flag.name === "port")!;
 * console.log(`--${port.name} ${port.value}: ${port.help[0]}`);
 * ```
 */
export interface MockFlag<N extends string = string, T = unknown> {
  /** The long name, without the dashes (`port`). */
  readonly name: N;
  /** A one-letter alias (`h` for `--help`), if there is one. */
  readonly short?: string;
  /** The placeholder of its value in the usage (`N`, `FILE`); none for a switch. */
  readonly value?: string;
  /** Its lines in the usage, as printed (the first beside the flag, the rest below it). */
  readonly help: readonly string[];
  /** The words it accepts, when it accepts a few (completed after `--name`). */
  readonly values?: readonly string[];
  /** Whether it may be given more than once (every value is kept, in order). */
  readonly multiple?: boolean;
  /**
   * Checks one value and converts it; throws a RangeError whose message names the flag and what it
   * accepts. A switch's "value" is `true`.
   */
  readonly parse: (text: string) => T;
}

function describe<const N extends string, T>(flag: MockFlag<N, T>): MockFlag<N, T> {
  return flag;
}

/** A flag that may be given more than once; its values are read as a list. */
function repeatable<const N extends string, T>(
  flag: MockFlag<N, T>,
): MockFlag<N, T> & { readonly multiple: true } {
  return { ...flag, multiple: true };
}

/** A switch: no value. */
function toggle<const N extends string>(
  name: N,
  help: string,
  short?: string,
): MockFlag<N, boolean> {
  return { name, help: [help], ...(short === undefined ? {} : { short }), parse: () => true };
}

/**
 * A flag whose value `convert` turns into its value, or refuses with undefined: then the message
 * says what the flag accepts (`accepted`, e.g. "a whole number from 0 to 9").
 */
function checked<const N extends string, T>(
  name: N,
  value: string,
  help: string,
  accepted: string,
  convert: (text: string) => T | undefined,
): MockFlag<N, T> {
  return {
    name,
    value,
    help: [help],
    parse: (text) => {
      const result = convert(text);
      if (result === undefined) {
        throw new RangeError(`--${name} must be ${accepted}, got '${text}'.`);
      }
      return result;
    },
  };
}

/** A whole number from `min` to `max`. */
function whole<const N extends string>(
  name: N,
  value: string,
  min: number,
  max: number,
  help: string,
): MockFlag<N, number> {
  return checked(name, value, help, `a whole number from ${min} to ${max}`, (text) => {
    const number = Number(text);
    return /^\d+$/.test(text) && number >= min && number <= max ? number : undefined;
  });
}

/** One of a few words. */
function choice<const N extends string, const T extends string>(
  name: N,
  value: string,
  values: readonly T[],
  help: string,
): MockFlag<N, T> {
  const list = `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
  return {
    ...checked(name, value, help, list, (text) => values.find((word) => word === text)),
    values,
  };
}

const TABLE = [
  whole(
    "port",
    "N",
    0,
    65535,
    "port to listen on (default 8474, or 8463 with --product server; 0 = any free port)",
  ),
  describe({
    name: "hostname",
    value: "NAME",
    help: ["address to bind (default 127.0.0.1)"],
    parse: (text) => text,
  }),
  toggle("http", "serve plain HTTP instead of HTTPS"),
  describe({
    name: "username",
    value: "NAME",
    help: ["accepted user name (default admin)"],
    parse: (text) => {
      // Basic authentication splits user and password at the first ':'.
      if (text === "" || text.includes(":")) {
        throw new RangeError("--username must not be empty or contain ':'.");
      }
      return text;
    },
  }),
  describe({
    name: "password",
    value: "TEXT",
    help: ["accepted password (default admin)"],
    parse: (text) => text,
  }),
  choice("product", "P", ["spe", "server"], "spe (default) or server"),
  whole("instances", "N", 0, LIMITS.instances, "number of instances (default 3)"),
  whole(
    "users",
    "N",
    0,
    LIMITS.usersPerInstance,
    "users per instance besides $archiveadmin (default 5)",
  ),
  whole("stores", "N", 0, LIMITS.storesPerInstance, "archive stores per instance (default 3)"),
  whole("seed", "N", 0, LIMITS.seed, "seed of the generated content (default 1)"),
  whole("latency-ms", "N", 0, 600_000, "delay added to every request (default 0)"),
  choice(
    "problems",
    "P",
    ["none", "some", "many"],
    "none, some (default) or many: problems seeded for a health check to find",
  ),
  choice(
    "quirks",
    "Q",
    QUIRK_SETS,
    "none (default) or spe-25.3.1: reproduce that release's recorded failures",
  ),
  describe({
    name: "state",
    value: "FILE",
    help: [
      "keep the simulated state in FILE: loaded at start (seeded when missing),",
      "saved within a second of every change and when stopped (needs write access)",
    ],
    parse: (text) => {
      if (text === "") throw new RangeError("--state needs a file name.");
      return text;
    },
  }),
  whole(
    "step-ms",
    "N",
    0,
    3_600_000,
    "milliseconds between two status changes of a long-running call (default 250)",
  ),
  whole("steps", "N", 1, 10_000, "progress changes before a long-running call ends (default 4)"),
  choice(
    "log-output",
    "M",
    ["cumulative", "incremental"],
    "cumulative (default: every status has the whole log) or incremental",
  ),
  choice(
    "cancelled-status",
    "S",
    ["failed", "cancelled"],
    "final statusCode after cancel-async: failed (default) or cancelled",
  ),
  repeatable<"fault", FaultRule>({
    name: "fault",
    value: "SPEC",
    help: [
      "inject a fault, repeatable: [function|/path|*:]kind[:times=N][:ms=N], e.g.",
      "GetUsers:http503:times=2, /api/get-status:early-return, *:latency:ms=200;",
      ...wrap(`kinds: ${FAULT_KINDS.join(", ")}`, 75),
    ],
    parse: parseFaultSpec,
  }),
  describe({
    name: "log-requests",
    value: "[FILE]",
    help: [
      "log every request (time, function, arguments with secrets masked, HTTP status,",
      "milliseconds): a line each on stderr, or ndjson appended to FILE",
    ],
    parse: (text) => {
      if (text === "") {
        throw new RangeError("--log-requests needs a file name, or none for stderr.");
      }
      return text;
    },
  }),
  toggle("print-ca", "print the test CA certificate (PEM) and exit"),
  toggle("help", "show this help and exit", "h"),
] as const;

/**
 * Every flag of the simulator, in the order of its usage. Values are checked when the flag is read;
 * defaults that depend on other flags (the port of `--product server`) are applied by the command.
 *
 * @example The words `--problems` accepts
 * ```ts
 * import { MOCK_FLAGS } from "@mspe/mspe/mock";
 * console.log(MOCK_FLAGS.find((flag) => flag.name === "problems")?.values); // ["none", "some", "many"]
 * ```
 */
export const MOCK_FLAGS: readonly MockFlag[] = TABLE;

/** Breaks a text at spaces into lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

type Flag = typeof TABLE[number];

/**
 * What {@linkcode parseMockFlags} read: each flag given, checked and converted (a list for a
 * repeatable flag); flags not given are absent.
 */
export type MockFlagValues = {
  -readonly [F in Flag as F["name"]]?: F extends { multiple: true } ? ReturnType<F["parse"]>[]
    : ReturnType<F["parse"]>;
};

/**
 * Parses the simulator's arguments with {@linkcode MOCK_FLAGS}. Throws an Error for an unknown
 * flag, a missing value or a positional argument (node:util's wording), and the flag's RangeError
 * for a value it does not accept. With `--help` or `--print-ca` the other values are not checked.
 *
 * @example
 * ```ts ignore
 * import { parseMockFlags } from "./_flags.ts";
 * const flags = parseMockFlags(["--port", "0", "--fault", "GetUsers:http503"]);
 * console.log(flags.port, flags.fault?.[0]?.kind); // 0 "http503"
 * ```
 */
export function parseMockFlags(args: readonly string[]): MockFlagValues {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const flag of MOCK_FLAGS) {
    options[flag.name] = {
      type: flag.value === undefined ? "boolean" : "string",
      ...(flag.short === undefined ? {} : { short: flag.short }),
      ...(flag.multiple === true ? { multiple: true } : {}),
    };
  }
  const raw: Record<string, unknown> = parseArgs({
    args: withOptionalValues(args),
    strict: true,
    allowPositionals: false,
    options,
  }).values;
  const result: Record<string, unknown> = {};
  const early = raw.help === true ? "help" : raw["print-ca"] === true ? "print-ca" : undefined;
  if (early !== undefined) return { [early]: true };
  for (const flag of MOCK_FLAGS) {
    const given = raw[flag.name];
    if (given === undefined) continue;
    if (flag.value === undefined) result[flag.name] = true;
    else if (Array.isArray(given)) {
      result[flag.name] = given.map((text) => flag.parse(String(text)));
    } else result[flag.name] = flag.parse(String(given));
  }
  return result as MockFlagValues;
}

/** The flags whose value may be left out, and what they take then (`-`: standard error). */
const OPTIONAL_VALUES: Readonly<Record<string, string>> = { "log-requests": "-" };

/**
 * The arguments with the implied value of a flag given without one (node:util has no optional
 * values): `--log-requests` at the end or before another flag is `--log-requests -`.
 */
function withOptionalValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const [i, arg] of args.entries()) {
    out.push(arg);
    const implied = arg.startsWith("--") ? OPTIONAL_VALUES[arg.slice(2)] : undefined;
    const next = args[i + 1];
    if (implied !== undefined && (next === undefined || (next.startsWith("-") && next !== "-"))) {
      out.push(implied);
    }
  }
  return out;
}

/**
 * The simulator's usage text, written from {@linkcode MOCK_FLAGS}; `program` is how it is started
 * (`mock`, or `mspe-run mock`).
 *
 * @example
 * ```ts
 * import { mockUsage } from "@mspe/mspe/mock";
 * console.log(mockUsage("mspe-run mock").split("\n")[0]); // "Usage: mspe-run mock [options]"
 * ```
 */
export function mockUsage(program = "mock"): string {
  // Help starts in column 21; a longer flag pushes it two spaces further on its first line.
  const lines: string[] = [];
  for (const flag of MOCK_FLAGS) {
    const left = `  ${flag.short === undefined ? "" : `-${flag.short}, `}--${flag.name}${
      flag.value === undefined ? "" : ` ${flag.value}`
    }`;
    const [first, ...rest] = flag.help;
    lines.push(`${left.padEnd(19)}  ${first}`, ...rest.map((line) => `${" ".repeat(21)}${line}`));
  }
  return `Usage: ${program} [options]

Starts a simulated MailStore SPE Management API server (HTTPS with a test certificate).

Options:
${lines.join("\n")}

The first line printed is "listening on <url>". Stop with Ctrl-C (or SIGTERM).`;
}
