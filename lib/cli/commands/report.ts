/**
 * `mspe-run report health|usage`: the fleet reports of the library ({@linkcode healthReport},
 * {@linkcode usageReport}) in the formats people, monitoring systems and billing read. The command
 * only reads flags, connects and formats; the checks are the library's.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client } from "../../client.ts";
import type { FleetProgress } from "../../fleet.ts";
import { healthReport } from "../../health_report.ts";
import { usageReport } from "../../usage_report.ts";
import type { FlagSpecs, ParsedArgs } from "../args.ts";
import type { Command } from "../command.ts";
import { attachProfile } from "../config.ts";
import {
  askedFormat,
  CONNECTION_FLAGS,
  HELP_FLAGS,
  openClient,
  readConnection,
  sessionError,
} from "../connection.ts";
import { describeError, ExitCode } from "../exit_codes.ts";
import { fleetConcurrency, fleetStatus, instancesFlag } from "../fleet_run.ts";
import { type Format, HEALTH_FORMATS, style, USAGE_FORMATS } from "../format.ts";
import { type CliIo, whyUnreadable } from "../io.ts";
import { redactorOf } from "../redacting_io.ts";
import { Interrupts } from "../interrupt.ts";
import { Progress } from "../progress.ts";
import { renderNagios, renderNagiosUnknown } from "../report_formats/nagios.ts";
import { renderPrtg, renderPrtgError } from "../report_formats/prtg.ts";
import { healthSummary, renderHealth, renderUsage } from "../report_formats/rows.ts";
import { type HealthThresholds, readThreshold } from "../report_formats/thresholds.ts";
import { renderUsageHtml } from "../report_formats/usage_html.ts";
import { TimeLimits } from "../timeouts.ts";
import { TRACE_FLAGS, traceLevel, traceWriter } from "../trace_output.ts";
import { UsageError } from "../usage_error.ts";

type HealthFormat = typeof HEALTH_FORMATS[number];
type UsageFormat = typeof USAGE_FORMATS[number];

const REPORT_FLAGS: FlagSpecs = {
  ...HELP_FLAGS,
  since: {
    type: "string",
    value: "<24h|7d|90m|date>",
    help: "health: failed runs and jobs since then (a duration back, or an ISO date; default 24h).",
  },
  instances: {
    type: "string",
    value: "<filter|@file|->",
    help: "Which instances: a filter (*, acme*), or @file / - with one ID per line (default *).",
  },
  concurrency: {
    type: "string",
    value: "<n>",
    help: "Instances checked at once, 1 to 1000 (default 8).",
  },
  warning: {
    type: "string",
    value: "<n>",
    help: "nagios/prtg: WARNING when there are more than n findings (default 0).",
  },
  critical: {
    type: "string",
    value: "<n>",
    help: "nagios/prtg: CRITICAL when there are more than n critical findings (default 0).",
  },
};

const REPORT_OUTPUT_FLAGS: FlagSpecs = {
  format: {
    type: "string",
    value: "<format>",
    help: "health: table, list, json, ndjson, csv, nagios, prtg; usage: table, list, json, " +
      "ndjson, csv, html (default: table on a terminal, json when piped).",
  },
  output: {
    type: "string",
    value: "<file>",
    help: "Write the report to this file instead of stdout (usage.html, usage.csv).",
  },
  "no-color": { type: "boolean", help: "No colours (NO_COLOR is respected too)." },
  quiet: {
    type: "boolean",
    short: "q",
    help: "No progress and no messages; data and errors only.",
  },
};

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

/** Writes the report to `--output` or stdout. */
async function emit(text: string, output: string | undefined, io: CliIo): Promise<void> {
  if (output === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    await Deno.writeTextFile(output, redactorOf(io).text(text));
  } catch (error) {
    throw new UsageError(`Cannot write --output ${output}: ${whyUnreadable(error)}.`);
  }
}

interface Connected {
  readonly client: Client<"spe">;
  /** `--concurrency`, else MSPE_CONCURRENCY or the profile's, else 8. */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly onProgress: ((progress: FleetProgress) => void) | undefined;
  readonly done: () => void;
}

/**
 * Connects as every server command does (flags, password, time limits; `parsed` has its profile
 * attached), and runs `body`
 * with the client, a signal that aborts on Ctrl-C or `--timeout`, and a progress display on
 * stderr. Ctrl-C stops the report (exit code 130): a half-checked fleet is not a report.
 */
async function withReportSession(
  parsed: ParsedArgs,
  io: CliIo,
  body: (connected: Connected) => Promise<number>,
): Promise<number> {
  const settings = readConnection(parsed, io);
  const concurrency = fleetConcurrency(parsed, settings.concurrency);
  if (settings.product !== "spe") {
    throw new UsageError(
      "Reports cover the instances of MailStore SPE; MailStore Server has none. Leave out --product server.",
    );
  }
  const limits = new TimeLimits(settings.timeoutMs);
  using interrupts = new Interrupts(io);
  const signal = limits.withDeadline(interrupts.detach);
  const quiet = parsed.bool("quiet");
  const color = !parsed.bool("no-color") && !io.noColor && io.stderr.isTerminal;
  const progress = quiet || !io.stderr.isTerminal
    ? undefined
    : new Progress(io.stderr, { label: `report ${parsed.positionals[0]}`, color, quiet });
  if (progress) progress.interruptHint = "Ctrl-C stops";
  const started = performance.now();
  try {
    await using client = await openClient(settings, io, limits, {
      onWarning: (message) => io.stderr.write(`${style(color).warn("warning:")} ${message}\n`),
      onTrace: traceWriter(io, { clearProgress: () => progress?.clear() }, traceLevel(parsed)),
    });
    return await body({
      client: client as Client<"spe">,
      concurrency,
      signal,
      onProgress: progress &&
        ((p) => progress.update(fleetStatus(p, performance.now() - started))),
      done: () => progress?.clear(),
    });
  } catch (error) {
    progress?.clear();
    if (interrupts.interrupted) throw new ReportInterrupted();
    throw sessionError(error, settings, limits);
  }
}

/** Ctrl-C stopped the report. */
class ReportInterrupted extends Error {
  constructor() {
    super(
      "Interrupted: the report was stopped before every instance was checked; nothing printed.",
    );
    this.name = "ReportInterrupted";
  }
}

async function runHealth(parsed: ParsedArgs, io: CliIo, format: HealthFormat): Promise<number> {
  const thresholds: HealthThresholds = {
    warning: readThreshold("warning", parsed.string("warning")),
    critical: readThreshold("critical", parsed.string("critical")),
  };
  const instances = await readInstances(parsed, io);
  return await withReportSession(parsed, io, async (session) => {
    const { client, concurrency, signal, onProgress, done } = session;
    const report = await healthReport(client, {
      since: parsed.string("since"),
      instances,
      concurrency,
      signal,
      onProgress,
    });
    done();
    const output = parsed.string("output");
    if (format === "nagios") {
      const { text, code } = renderNagios(report, thresholds);
      await emit(text, output, io);
      return code;
    }
    if (format === "prtg") {
      await emit(renderPrtg(report, thresholds), output, io);
      return ExitCode.Ok;
    }
    const st = style(!parsed.bool("no-color") && !io.noColor && io.stdout.isTerminal && !output);
    const width = output ? undefined : io.stdout.columns();
    await emit(renderHealth(report, format, st, width), output, io);
    if (output !== undefined && !parsed.bool("quiet")) {
      io.stderr.write(`Wrote the health report to ${output}.\n`);
    }
    if ((format === "table" || format === "list") && !parsed.bool("quiet")) {
      io.stderr.write(`${healthSummary(report)}\n`);
    }
    return ExitCode.Ok;
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

async function runUsage(parsed: ParsedArgs, io: CliIo, format: UsageFormat): Promise<number> {
  const instances = await readInstances(parsed, io);
  for (const flag of ["since", "warning", "critical"]) {
    if (parsed.string(flag) !== undefined) {
      throw new UsageError(`--${flag} belongs to report health; report usage takes no --${flag}.`);
    }
  }
  return await withReportSession(parsed, io, async (session) => {
    const { client, concurrency, signal, onProgress, done } = session;
    const report = await usageReport(client, { instances, concurrency, signal, onProgress });
    done();
    const output = parsed.string("output");
    if (format === "html") {
      await emit(renderUsageHtml(report), output, io);
    } else {
      const st = style(!parsed.bool("no-color") && !io.noColor && io.stdout.isTerminal && !output);
      await emit(
        renderUsage(report, format as Format, st, output ? undefined : io.stdout.columns()),
        output,
        io,
      );
    }
    if (output !== undefined && !parsed.bool("quiet")) {
      io.stderr.write(
        `Wrote the usage of ${report.totals.instances} instances to ${output}.\n`,
      );
    }
    if (report.totals.failed > 0 && !parsed.bool("quiet")) {
      io.stderr.write(
        `${report.totals.failed} instance${
          report.totals.failed === 1 ? " has" : "s have"
        } no figures (see their error); they count as 0 in the totals.\n`,
      );
    }
    return ExitCode.Ok;
  });
}

/** `mspe-run report`. */
export const reportCommand: Command = {
  name: "report",
  summary: "Fleet reports: health (for monitoring) and usage (for billing).",
  usage: "mspe-run report health [--since 24h] [--format nagios|prtg|table|...] [flags]\n" +
    "mspe-run report usage [--format csv|html|table|...] [--output <file>] [flags]",
  description:
    `report health checks the service and every instance in one pass: service status warnings and
errors, instances not running or with a start/stop error, archive stores with an error, needing an
upgrade or whose search indexes need a rebuild, archiving runs (worker results) that failed or
completed with errors and jobs that failed since --since. Each finding names the instance, what is
wrong and what to do.

--format nagios prints one Monitoring Plugins status line with performance data (Nagios, Icinga,
Checkmk, Zabbix) and exits with the state; --format prtg prints the JSON of a PRTG "EXE/Script
Advanced" sensor (exit code 0; a check that cannot run is the sensor's error form).

report usage lists per instance the users (not counting $archiveadmin), archive size in MB,
messages and stores, with totals. --format csv is one row per instance for billing; --format html
--output usage.html writes one self-contained page with a sortable table and a chart.

Instances are checked --concurrency at a time. Ctrl-C stops the report (exit code 130).

With --format nagios the exit code is the state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the
check could not run: connection, password, time limit); --warning n and --critical n tolerate up
to n findings (n critical findings) before WARNING (CRITICAL). A mistake on the command line
itself is exit code 2, as for every command.`,
  flags: REPORT_FLAGS,
  flagGroups: [
    { title: "Output", flags: REPORT_OUTPUT_FLAGS },
    { title: "Connection", flags: CONNECTION_FLAGS },
    { title: "Tracing", flags: TRACE_FLAGS },
  ],
  examples: [
    "# What needs attention since yesterday, as a table",
    "mspe-run report health --format table",
    "# A Nagios/Icinga/Checkmk check: WARNING above 3 findings, CRITICAL above 0 critical ones",
    "mspe-run report health --format nagios --warning 3 --critical 0",
    "# PRTG EXE/Script Advanced sensor (PowerShell wrapper in Custom Sensors\\EXEXML)",
    "mspe-run report health --format prtg --since 1d",
    "# Billing: one CSV row per instance",
    "mspe-run report usage --format csv --output usage.csv",
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
};

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
