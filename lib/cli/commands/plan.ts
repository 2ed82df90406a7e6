/**
 * `mspe-run plan <file>`: what would change to make the servers match a state file, read with
 * read-only calls only. Exit code 10 when changes are pending, 0 when none: a drift check.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { planState } from "../../desired_state/plan.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import {
  readDesired,
  SEND_SECRETS_FLAG,
  STATE_FLAGS,
  withStateSession,
} from "../state/state_file.ts";
import {
  failedTenants,
  PLAN_FORMATS,
  type PlanFormat,
  planSummary,
  renderPlan,
  unmanagedNote,
} from "../state/render.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { UsageError } from "../usage_error.ts";
import type { ParsedArgs } from "../args.ts";
import type { CliIo } from "../io/io.ts";

/** `--format` of plan: table on a terminal, json when piped, or as asked. */
export function planFormat(parsed: ParsedArgs, io: CliIo): PlanFormat {
  const asked = parsed.string("format");
  if (asked === undefined) return io.stdout.isTerminal ? "table" : "json";
  if ((PLAN_FORMATS as readonly string[]).includes(asked)) return asked as PlanFormat;
  throw new UsageError(
    `Unknown format ${JSON.stringify(asked)} for plan. Use --format table, json or markdown.`,
  );
}

/** `mspe-run plan`. */
export const planCommand = defineCommand({
  name: "plan",
  summary: "Show what apply would change to make the servers match a state file.",
  usage: "mspe-run plan <file.yaml|file.json> [flags]",
  description:
    `Reads the state file (see mspe-run export), reads what the servers have now with read-only
calls (--concurrency instances at once, progress on a terminal), and prints per instance and
resource what would be created, changed (field: old -> new) or deleted. Secrets never appear: a
user's initial password shows as "(set only on create)", a configuration's password as "(sent
with this change, never read back)".

--format table (on a terminal), json (when piped; { summary: { create, change, delete },
changes: [{ instanceID, kind, resource, action, fields: [{ field, old, new }] }], notes,
unmanaged }) or markdown (for a change ticket). The server's instances that the file does not
list (within --instances) are named: never changed and not a pending change, unless the file
says prune: true, which deletes them.

Exit code 0: no changes; 10: changes pending; 4: an instance could not be planned (not read,
or the file asks what the server cannot do: each is a line "not planned", the others are
planned all the same); others as for every command. A scheduled plan --instances '*' is a drift
check.`,
  flags: {
    ...HELP_FLAGS,
    format: {
      type: "string",
      value: "<table|json|markdown>",
      help: "The plan's format (default: table on a terminal, json when piped).",
      group: "Output",
    },
    ...SEND_SECRETS_FLAG,
    ...STATE_FLAGS,
  },
  examples: [
    "mspe-run plan tenants.yaml",
    "# A drift check for a scheduled task: exit code 10 when a server differs",
    "mspe-run plan tenants.yaml --instances '*' --format json --output drift.json",
    "mspe-run plan tenants.yaml --instances acme --format markdown > change-ticket.md",
  ],
  async run(parsed, io) {
    const format = planFormat(parsed, io);
    const { file, desired } = await readDesired(parsed, io, "plan");
    return await withStateSession(parsed, io, "plan", async ({ out }, fleet) => {
      const plan = await planState(fleet.client, desired, {
        ...fleet,
        instances: parsed.string("instances"),
        sendSecrets: parsed.bool("send-secrets"),
      });
      out.clearProgress();
      await out.emit(renderPlan(plan, format, file));
      if (format !== "json") {
        out.note(planSummary(plan));
        const unmanaged = unmanagedNote(plan, file);
        if (unmanaged !== undefined) out.note(unmanaged);
      }
      const { create, change, delete: remove } = plan.summary;
      // An instance not planned is a failure to look at before any pending change.
      if (failedTenants(plan).length > 0) return ExitCode.CallFailed;
      return create + change + remove > 0 ? ExitCode.ChangesPending : ExitCode.Ok;
    });
  },
});
