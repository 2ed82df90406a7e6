/**
 * `mspe-run apply <file>`: shows the plan, asks, then makes the changes in dependency order,
 * each state-changing call at most once, with one result row per change.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { applyPlan } from "../../desired_state/apply.ts";
import { planState } from "../../desired_state/plan.ts";
import { defineCommand } from "../command.ts";
import { askYesNo, CONFIRM_FLAGS, confirmDestructive, confirmFlags } from "../confirm.ts";
import { ExitCode } from "../exit_codes.ts";
import { address } from "../session/connect.ts";
import {
  failedTenants,
  planSummary,
  renderPlan,
  renderResults,
  resultSummary,
} from "../state/render.ts";
import {
  readDesired,
  secretReader,
  SEND_SECRETS_FLAG,
  STATE_FLAGS,
  withStateSession,
} from "../state/state_file.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { UsageError } from "../usage_error.ts";

/** The call that deletes a resource of each kind. */
const DELETE_CALLS: Readonly<Record<string, string>> = {
  instance: "DeleteInstances",
  user: "DeleteUser",
  job: "DeleteJob",
  store: "DetachStore",
};

/** `mspe-run apply`. */
export const applyCommand = defineCommand({
  name: "apply",
  summary: "Make the servers match a state file: shows the plan, asks, then changes.",
  usage: "mspe-run apply <file.yaml|file.json> [--yes] [--what-if] [flags]",
  description: `Plans as mspe-run plan does, shows the plan on stderr and asks y/N on a terminal
(--yes answers for scheduled tasks; without a terminal and without --yes it refuses, exit code 2;
--what-if prints the plan and changes nothing). Then makes the changes per instance in dependency
order: the instance (create, settings, start, service provider access on), its configuration,
archive stores, users, their folder privileges, jobs, profiles, then the deletes, stopping or
freezing, and service provider access off last; instances side by side (--concurrency). Each
state-changing call is sent at most once; after a change that did not succeed, the rest of that
instance's changes are not sent (closing service provider access is sent all the same).

Deleting what the file does not list happens only where it says prune: true (a users, jobs or
stores block, an instance for all of its blocks, the file for the server's instances it does
not list) and needs its own confirmation (what goes is named first). An interrupted apply is
safe to run again: plan shows exactly what is left. A row "may-have-run" names the resource to
look at.

An instance that cannot be planned (not read, or the file asks what the server cannot do) is a
line "not planned" and is left alone; the others are applied, and the exit code is 4.

--format table (default), json ({ results: [{ instanceID, kind, resource, action, outcome,
error }], summary: { done, failed, not-sent, may-have-run } }) or ndjson (one row per line, each
as its change ends: a run that is killed leaves a record of what it did). Exit code 0 when every
change is done, 4 when one failed or may have run, 5 when the question was answered no, 130 after
Ctrl-C (no further change starts, those in flight finish, every change gets its row).`,
  flags: {
    ...HELP_FLAGS,
    ...CONFIRM_FLAGS,
    format: {
      type: "string",
      value: "<table|json|ndjson>",
      help:
        "The result rows' format (default table; ndjson: one row per line as each change ends).",
      group: "Output",
    },
    ...SEND_SECRETS_FLAG,
    ...STATE_FLAGS,
  },
  examples: [
    "mspe-run apply tenants.yaml",
    "mspe-run apply tenants.yaml --instances acme --what-if",
    "# A scheduled task: no question",
    "mspe-run apply tenants.yaml --yes --format json --output applied.json",
  ],
  async run(parsed, io) {
    const asked = parsed.string("format");
    if (asked !== undefined && asked !== "table" && asked !== "json" && asked !== "ndjson") {
      throw new UsageError(
        `Unknown format ${JSON.stringify(asked)} for apply. Use table, json or ndjson.`,
      );
    }
    const flags = confirmFlags(parsed);
    const { file, desired } = await readDesired(parsed, io, "apply");
    return await withStateSession(parsed, io, "apply", async (session, fleet) => {
      const { out } = session;
      const sendSecrets = parsed.bool("send-secrets");
      const plan = await planState(fleet.client, desired, {
        ...fleet,
        instances: parsed.string("instances"),
        sendSecrets,
      });
      out.clearProgress();
      const { create, change, delete: remove } = plan.summary;
      // Instances not planned are left alone and make the exit code 4; the others are applied.
      const notPlanned = failedTenants(plan).length > 0;
      if (flags.whatIf) {
        await out.emit(renderPlan(plan, "table", file));
        out.note(`${planSummary(plan)} --what-if: nothing was sent that changes anything.`);
        return notPlanned ? ExitCode.CallFailed : ExitCode.Ok;
      }
      if (create + change + remove === 0) {
        const pending = plan.tenants.flatMap((tenant) => tenant.notes);
        if (pending.length > 0 || notPlanned) out.note(renderPlan(plan, "table", file).trimEnd());
        out.note(planSummary(plan));
        return notPlanned ? ExitCode.CallFailed : ExitCode.Ok;
      }
      if (!parsed.bool("quiet")) io.stderr.write(renderPlan(plan, "table", file));
      out.note(planSummary(plan));
      if (!flags.yes) {
        const yes = await askYesNo(io, `Apply these changes to ${address(session.settings)}?`);
        if (yes === undefined) {
          throw new UsageError(
            "apply changes the servers and there is no terminal to ask on: add --yes to run it " +
              "unattended, or --what-if to see the plan.",
          );
        }
        if (!yes) {
          out.note("Nothing was changed: the plan was not confirmed.");
          return ExitCode.Cancelled;
        }
      }
      // Deleting is asked for on its own, naming what goes (PowerShell's -Confirm on Remove-*).
      let prune = false;
      const deletes = plan.tenants.flatMap((tenant) =>
        tenant.changes.filter((next) => next.action === "delete")
      );
      if (deletes.length > 0) {
        const calls = [...new Set(deletes.map((next) => DELETE_CALLS[next.kind] ?? next.kind))]
          .join(", ");
        const instances = deletes.filter((next) => next.kind === "instance").length;
        const decision = await confirmDestructive(io, out, {
          name: calls,
          destructive: "Deletes what the state file does not list (prune: true): " +
            "users, jobs, archive stores (detached; their files stay)" +
            (instances > 0
              ? `, and ${instances} instance${
                instances === 1 ? "" : "s"
              } with every archived message (stopped first; this cannot be undone).`
              : "."),
        }, {
          call: calls,
          server: address(session.settings),
          targets: {
            noun: "resource",
            names: deletes.map((next) => `${next.instanceID} ${next.kind} ${next.resource}`),
          },
        }, flags);
        prune = decision === "go";
        if (!prune) out.note("What was to be deleted stays: its rows say not-sent.");
      }
      // Ctrl-C stops gently (the session's stop): no further change starts, the calls in flight
      // finish, and every change gets its row; a second Ctrl-C aborts what is in flight.
      // ndjson on stdout: each row as its change ends, so that a run killed half-way leaves a
      // record of what it did (with --output the file is written whole at the end).
      const streaming = asked === "ndjson" && out.outputFile === undefined;
      const result = await applyPlan(fleet.client, plan, {
        ...fleet,
        onResult: streaming ? (row) => out.line(JSON.stringify(row)) : undefined,
        signal: fleet.signal,
        stop: fleet.stop,
        prune,
        readSecret: secretReader(io),
        sendSecrets,
      });
      out.clearProgress();
      if (asked === "ndjson") {
        if (!streaming) {
          await out.emit(result.results.map((row) => `${JSON.stringify(row)}\n`).join(""));
        }
      } else await out.emit(renderResults(result, asked === "json"));
      out.note(resultSummary(result));
      if (session.deadline?.aborted) return ExitCode.TimedOut;
      if (fleet.stop?.aborted || session.signal?.aborted) return ExitCode.Interrupted;
      return result.summary.failed + result.summary["may-have-run"] > 0 || notPlanned
        ? ExitCode.CallFailed
        : ExitCode.Ok;
    });
  },
});
