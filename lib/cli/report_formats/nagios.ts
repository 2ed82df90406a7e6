/**
 * `mspe-run report health --format nagios`: the Monitoring Plugins convention that Nagios, Icinga,
 * Checkmk (as a "classical" check) and Zabbix read. One status line, `MSPE HEALTH <STATE> - text |
 * perfdata`, then one line per finding (the long output), and the exit code 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN.
 *
 * Instance IDs and problem texts are the server's (and a tenant's): every line is one line with
 * control characters and bidirectional controls escaped (a pager or web UI must not ring, recolour
 * or reorder), and at most {@linkcode MAX_LINE_CHARS} long, cut with a note; the status line's
 * summary is cut rather than its performance data.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { HealthFindingKind, HealthReport } from "../../health_report.ts";
import {
  ackNote,
  alertingFindings,
  type HealthThresholds,
  judgeHealth,
  type MonitoringState,
} from "./thresholds.ts";
import { cutLine, safeLine } from "../output/safe_text.ts";

/**
 * The longest line of plugin output, in characters. The Monitoring Plugins guidelines want a short
 * status line first; Nagios keeps 4 or 8 KB of the whole output, Icinga and Checkmk show lines in
 * tables. One hostile name must not fill that.
 */
export const MAX_LINE_CHARS = 1000;

/** The summary of the status line keeps at least this much room when the perfdata is long. */
const MIN_SUMMARY_CHARS = 200;

/** The exit code of each state, as the Monitoring Plugins guidelines define it. */
export const NAGIOS_EXIT_CODES: Readonly<Record<MonitoringState, number>> = {
  ok: 0,
  warning: 1,
  critical: 2,
  unknown: 3,
};

/** The perfdata label of each finding kind (short, no spaces, stable for graphs). */
const LABELS: Readonly<Record<HealthFindingKind, string>> = {
  serviceError: "service_errors",
  serviceWarning: "service_warnings",
  instanceNotRunning: "not_running",
  instanceStartStopError: "start_stop_errors",
  storeError: "store_errors",
  storeNeedsUpgrade: "stores_need_upgrade",
  indexNeedsRebuild: "indexes_need_rebuild",
  workerFailed: "failed_workers",
  workerCompletedWithErrors: "workers_with_errors",
  jobFailed: "failed_jobs",
  instanceNotFound: "instances_not_found",
  checkFailed: "checks_failed",
};

/**
 * Text that is safe in plugin output: one line, control characters and bidirectional controls
 * escaped, no `|` (which starts the perfdata).
 */
function clean(text: string): string {
  return safeLine(text.replace(/\s+/g, " "), Infinity).replaceAll("|", "/").trim();
}

/**
 * The plugin output and exit code for a report.
 *
 * @example
 * ```ts ignore
 * const { text, code } = renderNagios(report, { warning: 0, critical: 0 });
 * // MSPE HEALTH CRITICAL - 1 critical, 0 warning findings on 3 instances: acme: The instance is stopped ... | instances=3;;;0 ...
 * ```
 */
export function renderNagios(
  report: HealthReport,
  thresholds: HealthThresholds,
): { text: string; code: number } {
  const verdict = judgeHealth(report, thresholds);
  // Acknowledged findings are listed below, but neither counted nor named in the status line.
  const alerting = alertingFindings(report);
  const critical = alerting.filter((f) => f.severity === "critical").length;
  const warning = alerting.length - critical;
  const scope = `${report.instances} instance${report.instances === 1 ? "" : "s"}${
    report.acknowledged > 0 ? `, ${report.acknowledged} acknowledged` : ""
  }`;
  let summary: string;
  if (alerting.length === 0) {
    summary = `no findings on ${scope} (${report.runningInstances} running)`;
  } else {
    // The most serious first: the status line is often all a pager shows.
    const first = [...alerting]
      .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "critical" ? -1 : 1))
      .slice(0, 3)
      .map((f) => `${f.instanceID ?? "service"}: ${f.problem.replace(/\.$/, "")}`);
    const more = alerting.length > 3 ? `; and ${alerting.length - 3} more` : "";
    summary = `${critical} critical, ${warning} warning findings on ${scope}: ${
      first.join("; ")
    }${more}`;
  }
  const perf = [
    `instances=${report.instances};;;0`,
    `running=${report.runningInstances};;;0`,
    `findings=${alerting.length};${thresholds.warning};;0`,
    `critical_findings=${critical};;${thresholds.critical};0`,
    ...Object.entries(LABELS).map(([kind, label]) =>
      `${label}=${report.counts[kind as HealthFindingKind]};;;0`
    ),
    `acknowledged=${report.acknowledged};;;0`,
  ];
  const head = `MSPE HEALTH ${verdict.toUpperCase()} - `;
  const tail = ` | ${perf.join(" ")}`;
  const room = Math.max(MIN_SUMMARY_CHARS, MAX_LINE_CHARS - head.length - tail.length);
  const lines = [
    `${head}${cutLine(clean(summary), room)}${tail}`,
    ...report.findings.map((f) =>
      cutLine(
        clean(
          `[${f.severity.toUpperCase()}${
            f.acknowledgement?.expired === false ? " ACKNOWLEDGED" : ""
          }] ${f.instanceID ?? "service"}: ${f.problem} -> ${f.action}${
            ackNote(f) === null ? "" : ` (${ackNote(f)})`
          }`,
        ),
        MAX_LINE_CHARS,
      )
    ),
  ];
  return { text: `${lines.join("\n")}\n`, code: NAGIOS_EXIT_CODES[verdict] };
}

/**
 * The UNKNOWN output for a check that could not run (connection, password, bad option).
 *
 * @example
 * ```ts
 * import { renderNagiosUnknown } from "./nagios.ts";
 * console.log(renderNagiosUnknown("Cannot connect to spe1:8474.").text);
 * // MSPE HEALTH UNKNOWN - Cannot connect to spe1:8474.
 * ```
 */
export function renderNagiosUnknown(message: string): { text: string; code: number } {
  const head = "MSPE HEALTH UNKNOWN - ";
  return {
    text: `${head}${cutLine(clean(message), MAX_LINE_CHARS - head.length)}\n`,
    code: NAGIOS_EXIT_CODES.unknown,
  };
}
