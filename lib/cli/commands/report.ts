/**
 * `mspe-run report health|usage`: the fleet reports of the library ({@linkcode healthReport},
 * {@linkcode usageReport}) in the formats people, monitoring systems and billing read. The command
 * only reads flags, connects and formats; the checks are the library's.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { FleetReportOptions } from "../../fleet.ts";
import { healthReport } from "../../health_report.ts";
import { type PreviousUsage, usageReport } from "../../usage_report.ts";
import type { ParsedArgs } from "../args.ts";
import { defineCommand } from "../command.ts";
import { describeError, ExitCode } from "../exit_codes.ts";
import { instancesFlag } from "../fleet/selection.ts";
import { HEALTH_FORMATS, USAGE_FORMATS } from "../output/format.ts";
import { type CliIo, whyUnreadable } from "../io/io.ts";
import { renderNagios, renderNagiosUnknown } from "../report_formats/nagios.ts";
import { renderPrtg, renderPrtgError } from "../report_formats/prtg.ts";
import { healthSummary, renderHealth, renderUsage } from "../report_formats/rows.ts";
import { type HealthThresholds, readThreshold } from "../report_formats/thresholds.ts";
import { parsePreviousUsage } from "../report_formats/usage_compare.ts";
import { renderUsageHtml } from "../report_formats/usage_html.ts";
import type { Session } from "../session/session.ts";
import { type FleetOptions, withFleetSession } from "../session/fleet_session.ts";
import { CONNECTION_FLAGS, TRACE_FLAGS } from "../settings/flags.ts";
import { askedFormat, attachProfile, readSetting } from "../settings/resolve.ts";
import type { SettingName } from "../settings/table.ts";
import { ACK_ADD_FLAGS, addAcknowledgement, readAckFile } from "./report_ack.ts";
import { HEALTH_ONLY, REPORT_FLAGS, REPORT_OUTPUT_FLAGS, RULE_SETTINGS } from "./report_flags.ts";
import { Interrupted, UsageError } from "../usage_error.ts";

type HealthFormat = typeof HEALTH_FORMATS[number];
type UsageFormat = typeof USAGE_FORMATS[number];

function chooseReportFormat<F extends string>(
  kind: "health" | "usage",
  asked: string | undefined,
  allowed: readonly F[],
  terminal: boolean,
): F {
  if (asked === undefined) return (terminal ? "table" : "json") as F;
  if ((allowed as readonly string[]).includes(asked)) return asked as F;
  throw new UsageError(
    `Unknown format ${JSON.stringify(asked)} for report ${kind}. Use --format ${
      allowed.slice(0, -1).join(", ")
    } or ${allowed.at(-1)}.`,
  );
}

/** `--instances` (a filter or a list), or undefined for the library's default (every instance). */
function readInstances(parsed: ParsedArgs, io: CliIo): Promise<string | string[] | undefined> {
  const given = parsed.string("instances");
  return given === undefined ? Promise.resolve(undefined) : instancesFlag(given, io);
}

/**
 * Connects as every server command does, as a fleet session: Ctrl-C or `--timeout` abort
 * `session.signal`, and a progress display runs on a terminal. The first Ctrl-C ends the report
 * with what it checked, marked incomplete (exit 130); a second one stops it at once.
 */
function withReportSession(
  parsed: ParsedArgs,
  io: CliIo,
  body: (session: Session, fleet: FleetOptions) => Promise<number>,
): Promise<number> {
  return withFleetSession(parsed, io, {
    label: `report ${parsed.positionals[0]}`,
    refusal: "Reports cover the instances of MailStore SPE; MailStore Server has none. " +
      "Leave out --product server.",
    interrupted: () => new ReportInterrupted(),
  }, body);
}

/** The library's report options from the fleet session: bound, signals, time limit, progress. */
function runOptions(fleet: FleetOptions): FleetReportOptions {
  const { client: _client, ...options } = fleet;
  return options;
}

const MONITORING: ReadonlySet<string> = new Set(["nagios", "prtg"]);

/**
 * The exit code of a report Ctrl-C stopped early (130), with a line that says what is missing; 0
 * for a whole one.
 */
function incomplete(out: Session["out"], missing: number): number {
  if (missing === 0) return ExitCode.Ok;
  out.warn(
    `Incomplete: the report was stopped with Ctrl-C; ${missing} instance${
      missing === 1 ? " was" : "s were"
    } not checked (their rows say so). Run it again for a whole report.`,
  );
  return ExitCode.Interrupted;
}

/** Ctrl-C stopped the report. */
class ReportInterrupted extends Interrupted {
  constructor() {
    super(
      "Interrupted: the report was stopped before every instance was checked; nothing printed.",
    );
    this.name = "ReportInterrupted";
  }
}

async function runHealth(parsed: ParsedArgs, io: CliIo, format: HealthFormat): Promise<number> {
  if (parsed.string("compare") !== undefined) {
    throw new UsageError("--compare belongs to report usage; report health takes no --compare.");
  }
  for (const flag of Object.keys(ACK_ADD_FLAGS).filter((name) => name !== "ack-add")) {
    if (parsed.string(flag) !== undefined) {
      throw new UsageError(
        `--${flag} belongs to --ack-add: report health --ack-add --ack <file> --instance <id> ` +
          "--kind <kind> --until <date> --reason <text> --who <name>.",
      );
    }
  }
  const thresholds: HealthThresholds = {
    warning: readThreshold("warning", parsed.string("warning")),
    critical: readThreshold("critical", parsed.string("critical")),
  };
  const instances = await readInstances(parsed, io);
  // Read before connecting: a bad acknowledgement file or threshold is one line, no server asked.
  const acknowledgements = await readAckFile(parsed, io);
  const rules = Object.fromEntries(
    Object.entries(RULE_SETTINGS).map(([name, option]) => [
      option,
      readSetting(parsed, io, name as SettingName, parsed.profile)?.value as number | undefined,
    ]),
  );
  return await withReportSession(parsed, io, async ({ out }, fleet) => {
    const report = await healthReport(fleet.client, {
      since: parsed.string("since"),
      ...rules,
      acknowledgements,
      instances,
      ...runOptions(fleet),
    });
    out.clearProgress();
    // A monitoring system must not take half a check for a whole one.
    if (report.incomplete && MONITORING.has(format)) throw new ReportInterrupted();
    if (format === "nagios") {
      const { text, code } = renderNagios(report, thresholds);
      await out.emit(text);
      return code;
    }
    if (format === "prtg") {
      await out.emit(renderPrtg(report, thresholds));
      return ExitCode.Ok;
    }
    await out.emit(renderHealth(report, format, out.dataStyle, out.dataColumns()));
    if (out.outputFile !== undefined) out.note(`Wrote the health report to ${out.outputFile}.`);
    if (format === "table" || format === "list") out.note(healthSummary(report));
    return incomplete(out, report.notChecked.length);
  });
}

/**
 * The monitoring formats own their failures: a check that cannot run is UNKNOWN (exit 3) for
 * Nagios, and the error JSON (exit 0) for PRTG, on stdout where the monitoring system reads it.
 */
async function runMonitoring(
  parsed: ParsedArgs,
  io: CliIo,
  format: "nagios" | "prtg",
): Promise<number> {
  try {
    return await runHealth(await attachProfile(parsed, io), io, format);
  } catch (error) {
    const message = error instanceof ReportInterrupted ? error.message : describeError(error);
    if (format === "prtg") {
      io.stdout.write(renderPrtgError(message));
      return ExitCode.Ok;
    }
    const { text, code } = renderNagiosUnknown(message);
    io.stdout.write(text);
    return code;
  }
}

/** The previous report of `--compare`, read before connecting. */
async function readPrevious(io: CliIo, file: string): Promise<PreviousUsage[]> {
  let text: string;
  try {
    text = await io.readTextFile(file);
  } catch (error) {
    throw new UsageError(`Cannot read --compare ${file}: ${whyUnreadable(error)}.`);
  }
  return parsePreviousUsage(text, file);
}

async function runUsage(parsed: ParsedArgs, io: CliIo, format: UsageFormat): Promise<number> {
  const instances = await readInstances(parsed, io);
  for (const flag of [...HEALTH_ONLY, "ack-add"]) {
    if (parsed.string(flag) !== undefined || (flag === "ack-add" && parsed.bool(flag))) {
      throw new UsageError(`--${flag} belongs to report health; report usage takes no --${flag}.`);
    }
  }
  const compare = parsed.string("compare");
  const previous = compare === undefined ? undefined : await readPrevious(io, compare);
  return await withReportSession(parsed, io, async ({ out }, fleet) => {
    const report = await usageReport(fleet.client, {
      previous,
      instances,
      ...runOptions(fleet),
    });
    out.clearProgress();
    // A monitoring system must not take half a check for a whole one.
    if (report.incomplete && MONITORING.has(format)) throw new ReportInterrupted();
    await out.emit(
      format === "html"
        ? renderUsageHtml(report)
        : renderUsage(report, format, out.dataStyle, out.dataColumns()),
    );
    if (out.outputFile !== undefined) {
      out.note(`Wrote the usage of ${report.totals.instances} instances to ${out.outputFile}.`);
    }
    const lastKnown = report.totals.lastKnown ?? 0;
    if (lastKnown > 0) {
      out.note(
        `${lastKnown} instance${lastKnown === 1 ? " is" : "s are"} counted with ${
          lastKnown === 1 ? "its" : "their"
        } last known figures (from ${compare}): they could not be read now.`,
      );
    }
    if (report.totals.failed > 0) {
      out.note(
        `${report.totals.failed} instance${
          report.totals.failed === 1 ? " has" : "s have"
        } no figures (see their error); they count as 0 in the totals.`,
      );
    }
    return incomplete(
      out,
      report.instances.filter((row) => row.error?.startsWith("Not read:")).length,
    );
  });
}

/** `mspe-run report`. */
export const reportCommand = defineCommand({
  name: "report",
  summary: "Fleet reports: health (for monitoring) and usage (for billing).",
  usage: "mspe-run report health [--since 24h] [--format nagios|prtg|table|...] [flags]\n" +
    "mspe-run report usage [--format csv|html|table|...] [--output <file>] [flags]",
  description:
    `report health checks the service and every instance in one pass: service status warnings and
errors, instances not running or with a start/stop error, archive stores with an error, needing an
upgrade or whose search indexes need a rebuild, archiving runs (worker results) that failed or
completed with errors and jobs that failed since --since. Each finding names the instance, what is
wrong and what to do. Its severity follows the rule of its kind: a stopped instance, a start/stop
error, a store error or a service error is critical; a profile (or job) is critical when its last
--profile-failed-runs runs failed (default 3) or it has had no successful run since a failure more
than --profile-failed-hours ago (default 24), and a warning when it failed and then succeeded; the
rest are warnings. The README's report section has the whole table.

--ack <file> names the acknowledgement file (a JSON array of {instanceID, kind, until, reason,
who}; * for every instance or kind): an acknowledged finding is shown as such and does not raise
the state until its date has passed. --ack-add --instance <id> --kind <kind> --until <date>
--reason <text> --who <name> adds an entry (and creates the file).

--format nagios prints one Monitoring Plugins status line with performance data (Nagios, Icinga,
Checkmk, Zabbix) and exits with the state; --format prtg prints the JSON of a PRTG "EXE/Script
Advanced" sensor (exit code 0; a check that cannot run is the sensor's error form).

report usage lists per instance the users (not counting $archiveadmin), archive size in MiB
(1,048,576 bytes, SPE's totalSizeMB), messages and stores, with totals. --format csv is one row per
instance for billing; --compare <last month's csv> adds the change per instance and in the totals,
marks new and gone instances, and counts stopped instances with their last known figures.
--format html --output usage.html writes one self-contained page with a sortable table and a chart.

Instances are checked --concurrency at a time, each within --instance-timeout (default 300 s;
an instance that takes longer is reported as failed and the others go on). Ctrl-C starts no
further instance, finishes those under way, and writes what was checked, the rest marked as not
checked (exit code 130); Ctrl-C again stops at once.

With --format nagios the exit code is the state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the
check could not run: connection, password, time limit); --warning n and --critical n tolerate up
to n findings (n critical findings) before WARNING (CRITICAL). A mistake on the command line
itself is exit code 2, as for every command.`,
  flags: { ...REPORT_FLAGS, ...REPORT_OUTPUT_FLAGS, ...CONNECTION_FLAGS, ...TRACE_FLAGS },
  examples: [
    "# What needs attention since yesterday, as a table",
    "mspe-run report health --format table",
    "# A Nagios/Icinga/Checkmk check: WARNING above 3 findings, CRITICAL above 0 critical ones",
    "mspe-run report health --format nagios --warning 3 --critical 0",
    "# PRTG EXE/Script Advanced sensor (PowerShell wrapper in Custom Sensors\\EXEXML)",
    "mspe-run report health --format prtg --since 1d",
    "# A tenant stopped on purpose: acknowledged until the end of the year",
    "mspe-run report health --ack-add --ack acks.json --instance umbrella --kind instanceNotRunning --until 2026-12-31 --reason 'Contract ended' --who j.doe",
    "mspe-run report health --format nagios --ack acks.json",
    "# Billing: one CSV row per instance, with the change since last month",
    "mspe-run report usage --format csv --output usage.csv --compare last-month.csv",
    "# A page to open in a browser or mail",
    "mspe-run report usage --format html --output usage.html",
    "# PowerShell: the instances with the most users",
    "mspe-run report usage --format json | ConvertFrom-Json | % instances | Sort-Object users -Descending | Select-Object -First 10",
  ],
  async run(parsed, io) {
    try {
      return await runReport(parsed, io);
    } catch (error) {
      if (!(error instanceof ReportInterrupted)) throw error;
      io.stderr.write(`${error.message}\n`);
      return ExitCode.Interrupted;
    }
  },
});

async function runReport(parsed: ParsedArgs, io: CliIo): Promise<number> {
  const [kind, ...extra] = parsed.positionals;
  if (kind !== "health" && kind !== "usage") {
    throw new UsageError(
      kind === undefined
        ? "Name the report: mspe-run report health, or mspe-run report usage."
        : `Unknown report ${
          JSON.stringify(kind)
        }. Use mspe-run report health, or mspe-run report usage.`,
    );
  }
  if (extra.length > 0) {
    throw new UsageError(
      `report ${kind} takes no further arguments; ${JSON.stringify(extra[0])} is one too many.`,
    );
  }
  if (kind === "health" && parsed.bool("ack-add")) {
    return await addAcknowledgement(await attachProfile(parsed, io), io);
  }
  // A monitoring system must get its own output for every failure, a bad profile included.
  const flag = parsed.string("format");
  if (kind === "health" && (flag === "nagios" || flag === "prtg")) {
    return await runMonitoring(parsed, io, flag);
  }
  parsed = await attachProfile(parsed, io);
  const asked = askedFormat(parsed, io);
  const terminal = io.stdout.isTerminal && parsed.string("output") === undefined;
  if (kind === "usage") {
    return await runUsage(
      parsed,
      io,
      chooseReportFormat("usage", asked, USAGE_FORMATS, terminal),
    );
  }
  const format = chooseReportFormat("health", asked, HEALTH_FORMATS, terminal);
  if (format === "nagios" || format === "prtg") return await runMonitoring(parsed, io, format);
  return await runHealth(parsed, io, format);
}
