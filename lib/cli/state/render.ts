/**
 * How `plan` and `apply` print: a plan as a table, JSON (a documented shape) or Markdown for a
 * change ticket; apply's result rows.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { ApplyResult, ChangeResult } from "../../desired_state/apply.ts";
import type { FieldChange, PlannedChange, StatePlan } from "../../desired_state/plan.ts";
import { padDisplay } from "../output/display_width.ts";
import { safeLine } from "../output/safe_text.ts";

/** The formats of `plan`. */
export const PLAN_FORMATS = ["table", "json", "markdown"] as const;

/** One of {@linkcode PLAN_FORMATS}. */
export type PlanFormat = typeof PLAN_FORMATS[number];

/** A value for a cell: texts as they are, lists joined, none as `(none)`. */
function shown(value: unknown): string {
  if (value === undefined) return "-";
  if (value === null || value === "") return "(none)";
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((item) => typeof item !== "object")) {
    return value.length === 0 ? "(none)" : value.join(", ");
  }
  return JSON.stringify(value);
}

/** `field: old -> new` for a change, `field: new` for a create. */
function fieldText(change: PlannedChange, field: FieldChange): string {
  return change.action === "create"
    ? `${field.field}: ${shown(field.new)}`
    : `${field.field}: ${shown(field.old)} -> ${shown(field.new)}`;
}

/** The instances that could not be planned, with why. */
export function failedTenants(plan: StatePlan): { instanceID: string; error: string }[] {
  return plan.tenants.flatMap((tenant) =>
    tenant.error === undefined ? [] : [{ instanceID: tenant.instanceID, error: tenant.error }]
  );
}

/** The plan's one-line summary, such as `Plan: 2 to create, 1 to change, 0 to delete.` */
export function planSummary(plan: StatePlan): string {
  const { create, change, delete: remove } = plan.summary;
  const failed = failedTenants(plan).length;
  const planned = plan.tenants.length - failed;
  const summary = create + change + remove === 0
    ? `No changes: the servers match the state file (${planned} instance${
      planned === 1 ? "" : "s"
    }).`
    : `Plan: ${create} to create, ${change} to change, ${remove} to delete.`;
  return failed === 0
    ? summary
    : `${summary} ${failed} instance${failed === 1 ? "" : "s"} could not be planned (see above).`;
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length))
  );
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => padDisplay(cell, widths[column] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)]
    .join("\n") + "\n";
}

/**
 * The JSON of a plan: `{ summary: { create, change, delete }, changes: [{ instanceID, kind,
 * resource, action, fields: [{ field, old, new }] }], notes: [{ instanceID, note }], unmanaged:
 * [instanceID], failed: [{ instanceID, error }] }` (unmanaged: the server's instances the file
 * does not list; failed: those that could not be planned); a field `old` that does not exist (a
 * create) is left out.
 */
export function planJson(plan: StatePlan): unknown {
  return {
    summary: plan.summary,
    changes: plan.tenants.flatMap((tenant) =>
      tenant.changes.map((change) => ({
        instanceID: change.instanceID,
        kind: change.kind,
        resource: change.resource,
        action: change.action,
        fields: change.fields,
      }))
    ),
    notes: plan.tenants.flatMap((tenant) =>
      tenant.notes.map((note) => ({ instanceID: tenant.instanceID, note }))
    ),
    unmanaged: plan.unmanaged ?? [],
    failed: failedTenants(plan),
  };
}

function changeRows(plan: StatePlan): string[][] {
  return plan.tenants.flatMap((tenant) =>
    tenant.changes.map((change) =>
      [
        change.instanceID,
        change.kind,
        change.resource,
        change.action,
        change.fields.map((field) => fieldText(change, field)).join("; "),
      ].map((cell) => safeLine(cell, 2000))
    )
  );
}

function markdownCell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

/** The line about the server's instances the file does not list, or `undefined` for none. */
export function unmanagedNote(plan: StatePlan, file: string): string | undefined {
  const ids = plan.unmanaged ?? [];
  if (ids.length === 0) return undefined;
  const shown = ids.slice(0, 10).map((id) => safeLine(id, 100)).join(", ");
  return `${ids.length} instance${ids.length === 1 ? " is" : "s are"} on the server but not in ${
    safeLine(file, 200)
  }: ${shown}${ids.length > 10 ? ` and ${ids.length - 10} more` : ""} (mspe-run export writes ` +
    "them, to manage them too).";
}

/** A plan in one of {@linkcode PLAN_FORMATS}. */
export function renderPlan(plan: StatePlan, format: PlanFormat, file: string): string {
  if (format === "json") return `${JSON.stringify(planJson(plan), null, 2)}\n`;
  const rows = changeRows(plan);
  const notes = plan.tenants.flatMap((tenant) =>
    tenant.notes.map((note) => `${tenant.instanceID}: ${safeLine(note)}`)
  );
  const failed = failedTenants(plan).map(({ instanceID, error }) =>
    `${safeLine(instanceID, 100)}: not planned: ${safeLine(error)}`
  );
  if (format === "markdown") {
    const lines = [`# Plan for ${markdownCell(file)}`, "", planSummary(plan), ""];
    if (rows.length > 0) {
      lines.push(
        "| Instance | Kind | Resource | Action | Changes |",
        "| --- | --- | --- | --- | --- |",
      );
      for (const row of rows) lines.push(`| ${row.map(markdownCell).join(" | ")} |`);
      lines.push("");
    }
    if (notes.length > 0) lines.push("Notes:", "", ...notes.map((note) => `- ${note}`), "");
    if (failed.length > 0) {
      lines.push("Not planned:", "", ...failed.map((line) => `- ${markdownCell(line)}`), "");
    }
    return lines.join("\n");
  }
  const parts = rows.length > 0
    ? [table(["INSTANCE", "KIND", "RESOURCE", "ACTION", "CHANGES"], rows)]
    : [];
  if (notes.length > 0) parts.push(notes.map((note) => `Note: ${note}`).join("\n") + "\n");
  if (failed.length > 0) parts.push(failed.map((line) => `Failed: ${line}`).join("\n") + "\n");
  return parts.join("\n");
}

/** Apply's rows as a table, or JSON: `{ summary, results: [{ ..., outcome, error? }] }`. */
export function renderResults(result: ApplyResult, json: boolean): string {
  if (json) return `${JSON.stringify(result, null, 2)}\n`;
  if (result.results.length === 0) return "";
  return table(
    ["INSTANCE", "KIND", "RESOURCE", "ACTION", "OUTCOME", "ERROR"],
    result.results.map((row: ChangeResult) =>
      [row.instanceID, row.kind, row.resource, row.action, row.outcome, row.error ?? ""].map((
        cell,
      ) => safeLine(cell, 2000))
    ),
  );
}

/** Apply's one-line summary. */
export function resultSummary(result: ApplyResult): string {
  const { done, failed } = result.summary;
  const uncertain = result.summary["may-have-run"];
  const notSent = result.summary["not-sent"];
  return `Applied: ${done} done, ${failed} failed, ${uncertain} may have run, ${notSent} not sent.` +
    (failed + uncertain + notSent > 0
      ? " Run mspe-run plan to see what is left; apply again is safe."
      : "");
}
