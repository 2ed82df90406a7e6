/**
 * The thresholds of the monitoring formats (`--warning`, `--critical`) and the state they give a
 * health report. Shared by the Nagios and PRTG formats, so that both judge alike.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { HealthReport } from "../../health_report.ts";
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
  const critical = report.findings.filter((f) => f.severity === "critical").length;
  if (critical > thresholds.critical) return "critical";
  if (report.findings.length > thresholds.warning) return "warning";
  return "ok";
}
