/**
 * What `export`, `plan` and `apply` share: their flags, reading the state file and the
 * instances it selects, reading secrets, and the fleet session.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { parseStateFile } from "../../desired_state/parse.ts";
import { selects } from "../../desired_state/_select.ts";
import type { DesiredState, SecretSource } from "../../desired_state/types.ts";
import type { FlagSpecs, ParsedArgs } from "../args.ts";
import { type CliIo, type EnvName, whyUnreadable } from "../io/io.ts";
import { addSecrets } from "../io/redacting_io.ts";
import { readCredentialFile } from "../credentials/credential_file.ts";
import type { Session } from "../session/session.ts";
import { type FleetOptions, withFleetSession } from "../session/fleet_session.ts";
import { CONNECTION_FLAGS, OUTPUT_FLAGS, TRACE_FLAGS } from "../settings/flags.ts";
import { SETTINGS } from "../settings/table.ts";
import { Interrupted, UsageError } from "../usage_error.ts";
import { safeLine } from "../output/safe_text.ts";

/** The flags of export, plan and apply besides their own. */
export const STATE_FLAGS = {
  instances: {
    type: "string",
    value: "<filter>",
    help: "Which instances (plan, apply: of the state file): a filter (*, acme*) or a " +
      "comma-separated list of IDs (default: all).",
  },
  concurrency: {
    ...SETTINGS.concurrency.flag,
    value: "<n>",
    help: "Instances read or changed at once, 1 to 1000 (default 8).",
  },
  output: {
    type: "string",
    value: "<file>",
    help: "Write to this file instead of stdout (export: .json or .yaml decides the format).",
    group: "Output",
  },
  "no-color": OUTPUT_FLAGS["no-color"],
  quiet: OUTPUT_FLAGS.quiet,
  ...CONNECTION_FLAGS,
  ...TRACE_FLAGS,
} as const satisfies FlagSpecs;

/** `--send-secrets` of plan and apply. */
export const SEND_SECRETS_FLAG = {
  "send-secrets": {
    type: "boolean",
    help: "Also set the passwords of configurations (directoryServices, smtpSettings) that the " +
      "file names when nothing else of them changed: the server never sends them back to compare.",
  },
} as const satisfies FlagSpecs;

/**
 * Reads the state file named on the command line and keeps the instances `--instances` selects.
 * Every mistake is one line (exit code 2) before any server is asked.
 */
export async function readDesired(parsed: ParsedArgs, io: CliIo, command: string): Promise<{
  file: string;
  desired: DesiredState;
}> {
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || file === "") {
    throw new UsageError(`Name the state file: mspe-run ${command} <file.yaml|file.json>.`);
  }
  if (extra.length > 0) throw new UsageError(`${command} takes one state file.`);
  let text: string;
  try {
    text = await io.readTextFile(file);
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${whyUnreadable(error)}.`);
  }
  const desired = await parseStateFile(text, {
    file,
    readTextFile: (path) => io.readTextFile(path),
  });
  const filter = parsed.string("instances");
  if (filter === undefined) return { file, desired };
  const tenants = desired.tenants.filter((tenant) => selects(filter, tenant.instanceID));
  // With prune: true the selection may name only instances to delete.
  if (tenants.length === 0 && desired.pruneInstances !== true) {
    throw new UsageError(
      `--instances ${filter} matches no instance of ${file}. Its instances: ${
        desired.tenants.map((tenant) => tenant.instanceID).join(", ") || "none"
      }.`,
    );
  }
  return { file, desired: { ...desired, tenants } };
}

/**
 * Reads a secret where the state file says: a file (one trailing line break dropped), a
 * PowerShell credential file (its password; Windows), an environment variable (only `MSPE_SECRET_*`, which the permission set allows) or a prompt on
 * the terminal. `where` names it ("the initial password of user jdoe of instance acme"). The
 * secret is never printed.
 */
export function secretReader(io: CliIo): (source: SecretSource, where: string) => Promise<string> {
  // Instances are changed side by side: prompts wait for each other, so that each answer goes to
  // the secret its prompt names.
  let prompting: Promise<unknown> = Promise.resolve();
  const read = async (source: SecretSource, where: string): Promise<string> => {
    const What = where.charAt(0).toUpperCase() + where.slice(1);
    let secret: string | null | undefined;
    if ("file" in source) {
      try {
        secret = (await io.readTextFile(source.file)).replace(/\r?\n$/, "");
      } catch (error) {
        throw new UsageError(`Cannot read ${where} from ${source.file}: ${whyUnreadable(error)}.`);
      }
    } else if ("credentialFile" in source) {
      secret = (await readCredentialFile(io, source.credentialFile)).password;
    } else if ("env" in source) {
      // The permission set allows only this prefix (./variables.ts).
      if (!source.env.startsWith("MSPE_SECRET_")) {
        throw new UsageError(
          `${What} names ${source.env}: mspe-run reads only variables that start with ` +
            "MSPE_SECRET_. Rename it.",
        );
      }
      secret = io.env(source.env as EnvName);
    } else {
      if (!io.stdin.isTerminal) {
        throw new UsageError(
          `${What} is to be asked for, and there is no terminal: give it as { file } or { env } ` +
            "in the state file.",
        );
      }
      // The names in it come from the file or its CSV: safe text, like every line printed.
      secret = await io.stdin.readSecretLine(() => io.stderr.write(`${safeLine(What)}: `));
    }
    if (secret === undefined || secret === null || secret === "") {
      throw new UsageError(`${What} is empty: set it where the file says.`);
    }
    // From here on no line printed (an error that echoes it, a --debug trace) shows it.
    addSecrets(io, [secret]);
    return secret;
  };
  return (source, where) => {
    if (!("prompt" in source)) return read(source, where);
    const answer = prompting.then(() => read(source, where));
    prompting = answer.catch(() => undefined);
    return answer;
  };
}

/** Ctrl-C stopped the command. */
class StateInterrupted extends Interrupted {
  constructor(command: string) {
    super(
      `Interrupted: ${command} was stopped. ${
        command === "apply"
          ? "Run mspe-run plan to see what is left; apply again is safe."
          : "Nothing was changed."
      }`,
    );
    this.name = "StateInterrupted";
  }
}

/** A fleet session for export, plan and apply: SPE only, progress on a terminal, Ctrl-C stops. */
export function withStateSession(
  parsed: ParsedArgs,
  io: CliIo,
  command: string,
  body: (session: Session, fleet: FleetOptions) => Promise<number>,
): Promise<number> {
  return withFleetSession(parsed, io, {
    label: command,
    refusal: `${command} covers the instances of MailStore SPE; MailStore Server has none. ` +
      "Leave out --product server.",
    interrupted: () => new StateInterrupted(command),
    ...(command === "apply" ? { stopping: "change" } : {}),
  }, body);
}
