/**
 * `mspe-run report health --format prtg`: the JSON of PRTG's "EXE/Script Advanced" sensor. One
 * channel per count (instances, findings, critical findings and each kind of finding), limits on the
 * two finding channels from `--warning` and `--critical`, and the sensor message in `text`. When the
 * check itself fails, the error form `{"prtg":{"error":1,"text":"..."}}`.
 *
 * The exit code is 0 in both cases: PRTG reads the state from the JSON (limits and `error`), and a
 * non-zero exit code would replace the message with a generic one.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { HealthFinding, HealthFindingKind, HealthReport } from "../../health_report.ts";
import { ackNote, alertingFindings, type HealthThresholds } from "./thresholds.ts";
import { safeLine } from "../output/safe_text.ts";

/** The longest `text` PRTG shows; longer messages are cut. */
const MAX_TEXT = 2000;

/** The channel name of each finding kind (unique within the sensor, as PRTG requires). */
const CHANNELS: Readonly<Record<HealthFindingKind, string>> = {
  serviceError: "Service errors",
  serviceWarning: "Service warnings",
  instanceNotRunning: "Instances not running",
  instanceStartStopError: "Instance start/stop errors",
  storeError: "Store errors",
  storeNeedsUpgrade: "Stores needing an upgrade",
  indexNeedsRebuild: "Indexes needing a rebuild",
  workerFailed: "Failed archiving runs",
  workerCompletedWithErrors: "Archiving runs with errors",
  jobFailed: "Failed jobs",
  instanceNotFound: "Instances not found",
  checkFailed: "Checks that could not run",
};

/** One PRTG channel. */
interface PrtgChannel {
  readonly channel: string;
  readonly value: number;
  readonly unit: "Count";
  readonly LimitMode?: 1;
  readonly LimitMaxWarning?: number;
  readonly LimitMaxError?: number;
  readonly LimitWarningMsg?: string;
  readonly LimitErrorMsg?: string;
}

/** One line of the server's text for PRTG's message: controls and bidi controls escaped, cut. */
function cut(text: string): string {
  const line = safeLine(text.replace(/\s+/g, " "), Infinity).trim();
  return line.length <= MAX_TEXT ? line : `${line.slice(0, MAX_TEXT - 1)}…`;
}

/**
 * The sensor's JSON for a report.
 *
 * @example
 * ```ts ignore
 * console.log(renderPrtg(report, { warning: 0, critical: 0 }));
 * // {"prtg":{"result":[{"channel":"Instances","value":3,"unit":"Count"}, ...],"text":"..."}}
 * ```
 */
export function renderPrtg(report: HealthReport, thresholds: HealthThresholds): string {
  // Acknowledged findings are neither counted nor alerted on; the text names them as such.
  const alerting = alertingFindings(report);
  const critical = alerting.filter((f) => f.severity === "critical").length;
  const result: PrtgChannel[] = [
    { channel: "Instances", value: report.instances, unit: "Count" },
    { channel: "Running instances", value: report.runningInstances, unit: "Count" },
    {
      channel: "Findings",
      value: alerting.length,
      unit: "Count",
      LimitMode: 1,
      LimitMaxWarning: thresholds.warning,
      LimitWarningMsg: "MSPE health check: findings need attention",
    },
    {
      channel: "Critical findings",
      value: critical,
      unit: "Count",
      LimitMode: 1,
      LimitMaxError: thresholds.critical,
      LimitErrorMsg: "MSPE health check: critical findings",
    },
    ...Object.entries(CHANNELS).map(([kind, channel]): PrtgChannel => ({
      channel,
      value: report.counts[kind as HealthFindingKind],
      unit: "Count",
    })),
    { channel: "Acknowledged findings", value: report.acknowledged, unit: "Count" },
  ];
  const line = (f: HealthFinding) =>
    `${f.instanceID ?? "service"}: ${f.problem}${ackNote(f) === null ? "" : ` (${ackNote(f)})`}`;
  const acknowledged = report.findings.filter((f) => !alerting.includes(f)).map(line);
  const text = alerting.length === 0
    ? `OK: no findings on ${report.instances} instances (${report.runningInstances} running)${
      acknowledged.length > 0
        ? `, ${acknowledged.length} acknowledged: ${acknowledged.join(" / ")}`
        : ""
    }`
    : [...alerting.map(line), ...acknowledged].join(" / ");
  return `${JSON.stringify({ prtg: { result, text: cut(text) } }, null, 2)}\n`;
}

/**
 * The error form, for a check that could not run: PRTG shows the sensor as down with this text.
 *
 * @example
 * ```ts
 * import { renderPrtgError } from "./prtg.ts";
 * console.log(renderPrtgError("Authentication failed.")); // {"prtg":{"error":1,"text":"Authentication failed."}}
 * ```
 */
export function renderPrtgError(message: string): string {
  return `${JSON.stringify({ prtg: { error: 1, text: cut(message) } })}\n`;
}
