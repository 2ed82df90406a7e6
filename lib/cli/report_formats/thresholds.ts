/**
 * The thresholds of the monitoring formats (`--warning`, `--critical`) and the state they give a
 * health report. Shared by the Nagios and PRTG formats, so that both judge alike.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { type HealthFinding, type HealthReport, isAcknowledged } from "../../health_report.ts";
import { UsageError } from "../usage_error.ts";

/** The state of a check, in the words of the Monitoring Plugins guidelines. */
export type MonitoringState = "ok" | "warning" | "critical" | "unknown";

/**
 * How many findings are tolerated: WARNING when there are more findings (of any severity) than
 * `warning`, CRITICAL when there are more critical findings than `critical`. Both 0 by default:
 * any finding warns, any critical finding is critical. This is the Monitoring Plugins range `N`
 * (alert outside 0..N).
 */
export interface HealthThresholds {
  /** Findings tolerated before WARNING. */
  readonly warning: number;
  /** Critical findings tolerated before CRITICAL. */
  readonly critical: number;
}

/**
 * Reads `--warning` or `--critical`: a whole number of findings, 0 or more.
 *
 * @example
 * ```ts
 * import { readThreshold } from "./thresholds.ts";
 * console.log(readThreshold("warning", "5")); // 5
 * console.log(readThreshold("critical", undefined)); // 0
 * ```
 */
export function readThreshold(flag: "warning" | "critical", text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d{1,9}$/.test(text.trim())) {
    throw new UsageError(
      `--${flag} takes a whole number of findings (0 or more), such as --${flag} 2: ` +
        `${flag === "warning" ? "WARNING" : "CRITICAL"} when there are more than that.`,
    );
  }
  return Number(text.trim());
}

/**
 * The state of a report under the thresholds.
 *
 * @example
 * ```ts ignore
 * judgeHealth(report, { warning: 0, critical: 0 }); // "critical" when any finding is critical
 * ```
 */
export function judgeHealth(report: HealthReport, thresholds: HealthThresholds): MonitoringState {
  const alerting = alertingFindings(report);
  const critical = alerting.filter((f) => f.severity === "critical").length;
  if (critical > thresholds.critical) return "critical";
  if (alerting.length > thresholds.warning) return "warning";
  return "ok";
}

/**
 * The findings that count for the state: those no acknowledgement covers (an expired one does not
 * cover). Every format judges by these and shows the others as acknowledged.
 *
 * @example
 * ```ts ignore
 * const critical = alertingFindings(report).filter((f) => f.severity === "critical").length;
 * ```
 */
export function alertingFindings(report: HealthReport): HealthFinding[] {
  return report.findings.filter((f) => !isAcknowledged(f));
}

/**
 * What a finding's acknowledgement says, for every text format: "acknowledged until 2026-12-31
 * by j.doe: reason", or "acknowledgement expired on ..." (the finding counts again); `null` when
 * it has none.
 *
 * @example
 * ```ts ignore
 * ackNote(finding); // "acknowledged until 2026-12-31 by j.doe: Contract ended"
 * ```
 */
export function ackNote(finding: HealthFinding): string | null {
  const ack = finding.acknowledgement;
  if (ack === null) return null;
  return ack.expired
    ? `acknowledgement expired on ${ack.until} (was by ${ack.who}: ${ack.reason})`
    : `acknowledged until ${ack.until} by ${ack.who}: ${ack.reason}`;
}
