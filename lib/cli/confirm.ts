/**
 * Asking before destructive calls, and `--what-if` (PowerShell's `-WhatIf`): before a call the
 * catalogue marks `destructive`, mspe-run shows what the call will touch (for an `instanceFilter`,
 * the instances that match it now) and asks y/N on a terminal; `--yes` answers for it; without a
 * terminal and without `--yes` it refuses. `--what-if` shows the same and sends nothing that
 * changes state. The library never prompts: all of this is the CLI's.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client } from "../../mod.ts";
import { uncheckedFunction } from "../function_names.ts";
import { checkCall } from "../check_call.ts";
import { listInstances } from "../list_instances.ts";
import type { CatalogFunction } from "../metadata.ts";
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import type { CliIo } from "./io/io.ts";
import type { Output } from "./output/output.ts";
import type { Session } from "./session/session.ts";
import { safeLine } from "./output/safe_text.ts";
import { UsageError } from "./usage_error.ts";
import { address } from "./session/connect.ts";

/** `--yes` and `--what-if`, for the commands that can send a destructive call. */
export const CONFIRM_FLAGS = {
  yes: {
    type: "boolean",
    short: "y",
    help: "Answer yes to the question before a destructive call (for scheduled tasks).",
  },
  "what-if": {
    type: "boolean",
    help: "Show what the call would do and what it matches, and send nothing that changes state.",
  },
  "no-value-check": {
    type: "boolean",
    help: "Send values outside the documented sets (privileges, start modes, json fields) " +
      "unchecked, for a newer server that accepts new ones.",
  },
} as const satisfies FlagSpecs;

/** The answers the command line gives in advance. */
export interface ConfirmFlags {
  /** `--yes`: do not ask. */
  readonly yes: boolean;
  /** `--what-if`: only show what would happen. */
  readonly whatIf: boolean;
  /** `--no-value-check` not given: values outside the documented sets are refused. */
  readonly checkValues?: boolean;
}

/**
 * Reads `--yes` and `--what-if`.
 *
 * @example
 * ```ts ignore
 * const flags = confirmFlags(parsed); // { yes: false, whatIf: true }
 * ```
 */
export function confirmFlags(parsed: ParsedArgs): ConfirmFlags {
  return {
    yes: parsed.bool("yes"),
    whatIf: parsed.bool("what-if"),
    checkValues: !parsed.bool("no-value-check"),
  };
}

/** What {@linkcode confirmDestructive} decided. */
export type Decision =
  /** Send the call. */
  | "go"
  /** `--what-if`: it was shown; send nothing. Exit code 0. */
  | "what-if"
  /** The person answered no. Nothing was sent; exit code 5 (cancelled). */
  | "declined";

/** What a call will touch, for the question and for `--what-if`. */
export interface Touches {
  /** The call as typed, without secrets: `DeleteInstances instanceFilter=*`. */
  readonly call: string;
  /** The server, `host:port`. */
  readonly server: string;
  /** The instances (or other objects) it touches, when known: a fleet run's list, or a filter's matches. */
  readonly targets?: { readonly noun: string; readonly names: readonly string[] } | undefined;
}

/** A function as far as confirming needs it: its name and, when destructive, why. */
export interface Confirmable {
  /** The function name. */
  readonly name: string;
  /** The catalogue's one-line reason when the function is destructive. */
  readonly destructive?: string | undefined;
}

const SHOWN_TARGETS = 20;

function describe(fn: Confirmable, touches: Touches, prefix: string): string {
  const lines = [`${prefix}${touches.call} on ${touches.server}`];
  if (fn.destructive !== undefined) lines.push(`  ${fn.destructive}`);
  const targets = touches.targets;
  if (targets !== undefined) {
    const count = targets.names.length;
    if (count === 0) lines.push(`  It matches no ${targets.noun}s now.`);
    else {
      const shown = targets.names.slice(0, SHOWN_TARGETS).map((n) => safeLine(n, 200)).join(", ");
      const more = count > SHOWN_TARGETS ? ` and ${count - SHOWN_TARGETS} more` : "";
      lines.push(`  It touches ${count} ${targets.noun}${count === 1 ? "" : "s"}: ${shown}${more}`);
    }
  }
  return lines.join("\n");
}

/**
 * Whether stdin and stderr are a terminal a person can answer on. The question goes to stderr, so
 * that stdout stays data even when it is redirected.
 */
function canAsk(io: CliIo): boolean {
  return io.stdin.isTerminal && io.stderr.isTerminal && io.stdin.readLine !== undefined;
}

/**
 * Asks a y/N question on the terminal: `true` for y or yes, `false` for anything else (Enter
 * included), `undefined` when there is no terminal to ask on.
 *
 * @example
 * ```ts ignore
 * if (await askYesNo(io, "Pin this certificate?")) pin();
 * ```
 */
export async function askYesNo(io: CliIo, question: string): Promise<boolean | undefined> {
  if (!canAsk(io) || io.stdin.readLine === undefined) return undefined;
  io.stderr.write(`${question} [y/N] `);
  const answer = await io.stdin.readLine();
  if (answer === null) io.stderr.write("\n");
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

/**
 * The question before a destructive call, or `--what-if`. A function that is not destructive goes
 * ahead unless `--what-if` is given. Shows what the call touches (`touches.targets`: a fleet run's
 * instance list, or what a filter matches), then: `--what-if` prints it on stdout and decides
 * `"what-if"`; `--yes` decides `"go"`; on a terminal it asks y/N; without a terminal it refuses with
 * a {@linkcode UsageError} (exit code 2) saying to add `--yes`.
 *
 * For a fleet run, pass the function (`{ name, destructive }` from the catalogue) and the instance
 * list as `touches.targets`, e.g. `{ noun: "instance", names: ["acme", "contoso"] }`.
 *
 * @example
 * ```ts ignore
 * const decision = await confirmDestructive(io, out, fn, {
 *   call: "DeleteInstances", server: "spe1:8474", targets: { noun: "instance", names: ids },
 * }, confirmFlags(parsed));
 * if (decision !== "go") return decision === "what-if" ? ExitCode.Ok : ExitCode.Cancelled;
 * ```
 */
export async function confirmDestructive(
  io: CliIo,
  out: Output,
  fn: Confirmable,
  touches: Touches,
  flags: ConfirmFlags,
): Promise<Decision> {
  if (flags.whatIf) {
    out.line(describe(fn, touches, "What if: would call "));
    out.note("--what-if: nothing was sent that changes anything.");
    return "what-if";
  }
  if (fn.destructive === undefined || flags.yes) return "go";
  if (!canAsk(io)) {
    throw new UsageError(
      `${fn.name} is destructive (${
        fn.destructive.replace(/\.$/, "")
      }) and there is no terminal to ask on: add --yes to run it unattended, or --what-if to see what it would touch.`,
    );
  }
  out.clearProgress();
  io.stderr.write(`${describe(fn, touches, "About to call ")}\n`);
  const yes = await askYesNo(io, "Go ahead?");
  if (yes) return "go";
  out.note(`Nothing was sent: ${fn.name} was not confirmed.`);
  return "declined";
}

/** The names of secret arguments (never shown), from the catalogue plus the usual words. */
function isSecretArgument(fn: CatalogFunction | undefined, name: string): boolean {
  return fn?.args.find((arg) => arg.name === name)?.secret === true ||
    /password|secret|passphrase|key/i.test(name);
}

/** `name=value` for the arguments, secrets as `***`. */
export function showCall(
  fn: string,
  args: Readonly<Record<string, unknown>>,
  described?: CatalogFunction,
): string {
  const parts = Object.entries(args).filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => {
      const text = isSecretArgument(described, name)
        ? "***"
        : typeof value === "string"
        ? value
        : Array.isArray(value)
        ? value.join(",")
        : JSON.stringify(value);
      return `${name}=${text}`;
    });
  return [fn, ...parts].join(" ");
}

/**
 * What a call of `mspe-run call` touches and the decision about it: the values are checked first
 * (a typo is exit code 2, before any question), then for an `instanceFilter` the matching instances
 * are looked up with GetInstances (read-only), then {@linkcode confirmDestructive} decides.
 *
 * @example
 * ```ts ignore
 * const decision = await confirmCall(client, io, out, "DeleteInstances", args, flags, "spe1:8474", null);
 * ```
 */
export async function confirmCall(
  client: Client,
  io: CliIo,
  out: Output,
  fn: string,
  args: Readonly<Record<string, unknown>>,
  flags: ConfirmFlags,
  server: string,
  defaultInstanceID: string | null,
): Promise<Decision> {
  // The library's own check before sending; here it also covers --what-if, and comes before the
  // question.
  const { entry: described } = checkCall(client, uncheckedFunction(fn), args, {
    defaultInstanceID,
    checkValues: flags.checkValues !== false,
  });
  const destructive = described?.destructive;
  if (destructive === undefined && !flags.whatIf) return "go";
  let targets: Touches["targets"];
  const filter = args.instanceFilter;
  if (typeof filter === "string" && client.product === "spe") {
    // Read-only: the only request --what-if sends besides the metadata.
    const { found } = await listInstances(client, filter);
    targets = { noun: "instance", names: found.map((instance) => instance.instanceID) };
  } else if (typeof args.instanceID === "string" || defaultInstanceID !== null) {
    targets = {
      noun: "instance",
      names: [typeof args.instanceID === "string" ? args.instanceID : defaultInstanceID ?? ""],
    };
  }
  return await confirmDestructive(
    io,
    out,
    { name: fn, destructive },
    { call: showCall(fn, args, described), server, targets },
    flags,
  );
}

/**
 * {@linkcode confirmCall} for a command's session: the server's address and the default instance
 * come from the session's settings.
 *
 * @example
 * ```ts ignore
 * const decision = await confirmSessionCall(session, io, fn, args, confirmFlags(parsed));
 * if (decision !== "go") return decision === "what-if" ? ExitCode.Ok : ExitCode.Cancelled;
 * ```
 */
export function confirmSessionCall(
  session: Session,
  io: CliIo,
  fn: string,
  args: Readonly<Record<string, unknown>>,
  flags: ConfirmFlags,
): Promise<Decision> {
  return confirmCall(
    session.client,
    io,
    session.out,
    fn,
    args,
    flags,
    address(session.settings),
    session.settings.instance ?? null,
  );
}
