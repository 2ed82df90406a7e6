/**
 * The reports in the CLI's general formats: `table`, `list`, `json`, `ndjson` (through
 * `format.ts`) and `csv` (through `csv.ts`). Only the choice of rows and columns is made here.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { HealthFinding, HealthReport } from "../../health_report.ts";
import type { InstanceUsage, UsageReport } from "../../usage_report.ts";
import { csvHeader, csvRow } from "../output/csv.ts";
import { type Format, render, type Style } from "../output/format.ts";
import { renderHealthTable } from "./health_table.ts";
import { ackNote, alertingFindings } from "./thresholds.ts";

/** The columns of the health CSV, fixed so that an empty report still has its header. */
export const HEALTH_CSV_COLUMNS: readonly string[] = [
  "severity",
  "kind",
  "instanceID",
  "problem",
  "action",
  "occurrences",
  "lastSeen",
  "acknowledged",
  "ackUntil",
  "ackWho",
  "ackReason",
];

/**
 * A finding as a flat row: `acknowledged` is `yes`, `expired` or empty, and the acknowledgement's
 * fields follow it (csv and list have no nested values).
 */
function flatFinding(finding: HealthFinding): Record<string, unknown> {
  const { acknowledgement, ...rest } = finding;
  return {
    ...rest,
    acknowledged: acknowledgement === null ? "" : acknowledgement.expired ? "expired" : "yes",
    ackUntil: acknowledgement?.until ?? "",
    ackWho: acknowledgement?.who ?? "",
    ackReason: acknowledgement?.reason ?? "",
  };
}

/** The columns of the usage CSV (one row per instance; no totals row, for billing imports). */
export const USAGE_CSV_COLUMNS: readonly string[] = [
  "instanceID",
  "displayName",
  "status",
  "users",
  "archiveSizeMiB",
  "messages",
  "stores",
  "lastKnown",
  "error",
];

function csv(columns: readonly string[], rows: readonly unknown[]): string {
  return csvHeader(columns) + rows.map((row) => csvRow(columns, row)).join("");
}

/** The one-line summary under a health table or list. */
export function healthSummary(report: HealthReport): string {
  const counted = alertingFindings(report);
  const alerting = counted.length;
  const critical = counted.filter((f) => f.severity === "critical").length;
  const scope = `${report.instances} instances checked (${report.runningInstances} running), ` +
    `runs and jobs since ${report.since.replace(/\.\d+Z$/, "Z")}`;
  const acknowledged = report.acknowledged > 0 ? `, ${report.acknowledged} acknowledged` : "";
  return alerting === 0
    ? `No findings${acknowledged}: ${scope}.`
    : `${alerting} findings (${critical} critical)${acknowledged}: ${scope}.`;
}

/** A report in a data format: json is the whole report, ndjson its items; csv and list its own. */
function renderDocument(
  format: Format | "csv",
  parts: {
    readonly whole: unknown;
    readonly items: readonly unknown[];
    readonly csv: () => string;
    readonly list: () => string;
  },
  st: Style,
): string {
  if (format === "json") return render("json", parts.whole, st);
  if (format === "ndjson") return render("ndjson", parts.items, st);
  return format === "csv" ? parts.csv() : parts.list();
}

/**
 * A health report as text: the findings as rows (json: the whole report).
 *
 * @example
 * ```ts ignore
 * io.stdout.write(renderHealth(report, "table", style(false)));
 * ```
 */
export function renderHealth(
  report: HealthReport,
  format: Format | "csv",
  st: Style,
  maxWidth?: number,
): string {
  if (format === "table") return renderHealthTable(report, st, maxWidth);
  return renderDocument(format, {
    whole: report,
    items: report.findings,
    csv: () => csv(HEALTH_CSV_COLUMNS, report.findings.map(flatFinding)),
    list: () =>
      render(
        "list",
        report.findings.map((f) => {
          const { acknowledgement: _, ...rest } = f;
          const note = ackNote(f);
          return note === null ? rest : { ...rest, acknowledged: note };
        }),
        st,
        maxWidth,
      ),
  }, st);
}

/** The columns a usage report adds when it is compared with a previous one (`--compare`). */
export const USAGE_CHANGE_COLUMNS: readonly string[] = [
  "compared",
  "usersChange",
  "archiveSizeMiBChange",
  "messagesChange",
  "storesChange",
];

/** A change as people read it: +3, -1, 0. */
function signed(n: number | undefined): string {
  return n === undefined ? "" : n > 0 ? `+${n}` : String(n);
}

/** One instance as a flat row; `text` signs the changes and notes last known figures. */
function usageRow(row: InstanceUsage, text: boolean): Record<string, unknown> {
  const { change, lastKnown, compared, error, ...figures } = row;
  const changes = change === null ? {} : {
    compared: compared ?? "",
    usersChange: text ? signed(change.users ?? 0) : change.users,
    archiveSizeMiBChange: text ? signed(change.archiveSizeMiB ?? 0) : change.archiveSizeMiB,
    messagesChange: text ? signed(change.messages ?? 0) : change.messages,
    storesChange: text ? signed(change.stores ?? 0) : change.stores,
  };
  return {
    ...figures,
    status: text && lastKnown ? `${figures.status} (last known figures)` : figures.status,
    ...(text ? {} : { lastKnown: lastKnown ? "yes" : "" }),
    ...changes,
    error,
  };
}

/**
 * A usage report as text: one row per instance, and in `table` and `list` a totals row (json: the
 * whole report with its totals). Sizes are in MiB, as the column names say; with a previous report
 * the change columns follow the figures.
 *
 * @example
 * ```ts ignore
 * io.stdout.write(renderUsage(report, "csv", style(false)));
 * ```
 */
export function renderUsage(
  report: UsageReport,
  format: Format | "csv",
  st: Style,
  maxWidth?: number,
): string {
  const compared = report.totals.change !== undefined;
  const showErrors = report.instances.some((row) => row.error !== null);
  const rows = report.instances.map((row) => {
    const { error, ...rest } = usageRow(row, true);
    return showErrors ? { ...rest, error } : rest;
  });
  const change = report.totals.change;
  const totals = {
    instanceID: `(total: ${report.totals.instances})`,
    displayName: "",
    status: "",
    users: report.totals.users,
    archiveSizeMiB: report.totals.archiveSizeMiB,
    messages: report.totals.messages,
    stores: report.totals.stores,
    ...(change === undefined ? {} : {
      compared: "",
      usersChange: signed(change.users),
      archiveSizeMiBChange: signed(change.archiveSizeMiB),
      messagesChange: signed(change.messages),
      storesChange: signed(change.stores),
    }),
  };
  return renderDocument(format, {
    whole: report,
    items: report.instances,
    csv: () =>
      csv(
        compared ? [...USAGE_CSV_COLUMNS, ...USAGE_CHANGE_COLUMNS] : USAGE_CSV_COLUMNS,
        report.instances.map((row) => usageRow(row, false)),
      ),
    list: () => render(format, [...rows, totals], st, maxWidth),
  }, st);
}
