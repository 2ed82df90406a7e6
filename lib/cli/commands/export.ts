/**
 * `mspe-run export`: what the servers have now, as a state file that `plan` shows no change for.
 *
 * Internal to the CLI.
 *
 * @module
 */

import {
  EXPORT_KINDS,
  type ExportKind,
  exportState,
  renderStateFile,
} from "../../desired_state/export.ts";
import { stateFormatOf } from "../../desired_state/parse.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { VERSION } from "../version.ts";
import { safeLine } from "../output/safe_text.ts";
import { STATE_FLAGS, withStateSession } from "../state/state_file.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { UsageError } from "../usage_error.ts";

/** `--kinds`: the blocks named, `[]` for the instance only, `undefined` (all) when not given. */
function readKinds(given: string | undefined): ExportKind[] | undefined {
  if (given === undefined) return undefined;
  if (given.trim() === "none") return [];
  return given.split(",").map((kind) => kind.trim()).filter((kind) => kind !== "").map((kind) => {
    if (!(EXPORT_KINDS as readonly string[]).includes(kind)) {
      throw new UsageError(
        `Unknown kind ${JSON.stringify(kind)} for --kinds. Use ${
          EXPORT_KINDS.join(", ")
        }, or none (the instance only).`,
      );
    }
    return kind as ExportKind;
  });
}

/** The state file's JSON Schema as the package publishes it, for editors to complete the file. */
const SCHEMA_URL = `https://jsr.io/@mspe/mspe/${VERSION}/lib/desired_state/state.schema.json`;

/** `mspe-run export`. */
export const exportCommand = defineCommand({
  name: "export",
  summary: "Write what the servers have now as a state file (JSON or YAML) for plan and apply.",
  usage: "mspe-run export [--instances <filter>] [--output <file.yaml|file.json>] [flags]",
  description:
    `Reads every selected instance with read-only calls: the instance (settings, whether it runs,
service provider access), its users (never a password; not $archiveadmin) with their folder
privileges, jobs, archive stores, profiles' server-side execution and configuration (compliance,
directoryServices, retentionPolicies, smtpSettings, indexConfiguration, storeAutoCreate; without
passwords). --kinds writes fewer blocks (fewer calls). A stopped or frozen instance gets its
instance block only. mspe-run plan on the result shows no change. The format is the extension of
--output (.yaml, .yml: YAML; else JSON), or --format. An instance that cannot be read is a
warning and left out; the others are written, and the exit code is 4.`,
  flags: {
    ...HELP_FLAGS,
    format: {
      type: "string",
      value: "<yaml|json>",
      help: "The file's format (default: by the --output extension; YAML on stdout).",
      group: "Output",
    },
    kinds: {
      type: "string",
      value: "<kind,kind|none>",
      help: `The blocks to write besides the instance (default all: ${
        EXPORT_KINDS.join(", ")
      }); none for the instance only.`,
    },
    ...STATE_FLAGS,
  },
  examples: [
    "mspe-run export --instances '*' --output tenants.yaml",
    "mspe-run export --instances 'acme*' --kinds users,compliance,smtpSettings --output acme.json",
    "mspe-run export --instances acme --output acme.json",
  ],
  run(parsed, io) {
    if (parsed.positionals.length > 0) {
      throw new UsageError("export takes no file argument: name it with --output <file>.");
    }
    const asked = parsed.string("format");
    if (asked !== undefined && asked !== "json" && asked !== "yaml") {
      throw new UsageError(`Unknown format ${JSON.stringify(asked)} for export. Use yaml or json.`);
    }
    const kinds = readKinds(parsed.string("kinds"));
    const output = parsed.string("output");
    const format = asked ?? (output === undefined ? "yaml" : stateFormatOf(output));
    return withStateSession(parsed, io, "export", async ({ out }, fleet) => {
      let notExported = 0;
      const file = await exportState(fleet.client, {
        // A filter or IDs separated by commas; a part that is an ID must name an instance.
        instances: parsed.string("instances") ?? "*",
        ...fleet,
        kinds,
        onFailure: (instanceID, error) => {
          out.clearProgress();
          // Server text: made safe (no escape sequences, bounded) like every line printed.
          out.warn(
            `${safeLine(instanceID, 100)}: not exported (${safeLine(error.message)}); the file ` +
              "leaves it out.",
          );
          notExported++;
        },
      });
      out.clearProgress();
      // Redacted before it is written as text, so that a value (or a key: an instance ID, a
      // folder) that is the password becomes a quoted "***": a bare *** would be a YAML alias, and
      // the file would not parse. Every byte written is redacted anyway.
      const safe = out.redacted(file);
      const text = await renderStateFile(safe, format, SCHEMA_URL);
      // A value that holds the API user's password (an e-mail address with the same word) is
      // written as ***, and apply would then set that.
      if (JSON.stringify(safe) !== JSON.stringify(file)) {
        out.warn(
          "Some exported values contain the API user's password and are written as ***: correct " +
            "them in the file before plan or apply (or use a password that appears in no data).",
        );
      }
      await out.emit(text);
      const count = Object.keys(file.instances).length;
      if (output !== undefined) {
        out.note(`Wrote ${count} instance${count === 1 ? "" : "s"} to ${output}.`);
      }
      // The file is written with what could be read; the exit code says it is not whole.
      return notExported > 0 ? ExitCode.CallFailed : ExitCode.Ok;
    });
  },
});
