/**
 * `mspe-run export`: what the servers have now, as a state file that `plan` shows no change for.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { exportState, renderStateFile } from "../../desired_state/export.ts";
import { stateFormatOf } from "../../desired_state/parse.ts";
import { CONFIG_KINDS, type ConfigKind } from "../../desired_state/types.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { STATE_FLAGS, withStateSession } from "../state/state_file.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { UsageError } from "../usage_error.ts";

/** `--kinds`: the configuration kinds named, `[]` for none, `undefined` (all) when not given. */
function readKinds(given: string | undefined): ConfigKind[] | undefined {
  if (given === undefined) return undefined;
  if (given.trim() === "none") return [];
  const known = Object.keys(CONFIG_KINDS);
  return given.split(",").map((kind) => kind.trim()).filter((kind) => kind !== "").map((kind) => {
    if (!known.includes(kind)) {
      throw new UsageError(
        `Unknown kind ${JSON.stringify(kind)} for --kinds. Use ${known.join(", ")}, or none.`,
      );
    }
    return kind as ConfigKind;
  });
}

/** `mspe-run export`. */
export const exportCommand = defineCommand({
  name: "export",
  summary: "Write what the servers have now as a state file (JSON or YAML) for plan and apply.",
  usage: "mspe-run export [--instances <filter>] [--output <file.yaml|file.json>] [flags]",
  description:
    `Reads every selected instance with read-only calls: the instance (settings and whether it
runs), its users (never a password; not $archiveadmin), its jobs and its configuration (compliance,
directoryServices, retentionPolicies, smtpSettings, indexConfiguration, storeAutoCreate; without
passwords). A stopped instance gets its instance block only. mspe-run plan on the result shows no
change. The format is the extension of --output (.yaml, .yml: YAML; else JSON), or --format.`,
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
      help: `The configuration kinds to write (default all: ${
        Object.keys(CONFIG_KINDS).join(", ")
      }); none for the instance, users and jobs only.`,
    },
    ...STATE_FLAGS,
  },
  examples: [
    "mspe-run export --instances '*' --output tenants.yaml",
    "mspe-run export --instances 'acme*' --kinds compliance,smtpSettings --output acme.json",
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
      const file = await exportState(fleet.client, {
        instances: parsed.string("instances")?.includes(",")
          ? parsed.string("instances")!.split(",").map((id) => id.trim())
          : parsed.string("instances") ?? "*",
        ...fleet,
        kinds,
      });
      out.clearProgress();
      const text = await renderStateFile(file, format);
      // Every byte written is redacted: a value that holds the API user's password (an e-mail
      // address with the same word) is written as ***, and apply would then set that.
      if (out.redacted(text) !== text) {
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
      return ExitCode.Ok;
    });
  },
});
