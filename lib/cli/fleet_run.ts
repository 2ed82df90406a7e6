/**
 * `mspe-run call <Function> ... --instances <filter|@file|->`: the same call on every instance of
 * the fleet through {@linkcode forEachInstance}, `instanceID` filled in, at most `--concurrency`
 * at once. Rows carry `instanceID` first and a list result becomes one row per item; `ndjson` and
 * `csv` stream rows as instances complete, `table`, `list` and `json` print at the end sorted by
 * instance. A failed instance is a row `{ instanceID, error }` and a line of the summary on stderr;
 * the exit code is 4 when any failed. `--rerun-failed <file>` runs the instances that failed (or
 * never started) in an earlier ndjson output. Ctrl-C stops starting calls, lets those in flight
 * finish, and prints what finished.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client, FleetProgress, FunctionMetadata, Status } from "../../mod.ts";
import { DEFAULT_CONCURRENCY, forEachInstance } from "../fleet.ts";
import { invokeCall } from "../invoke_call.ts";
import { uncheckedFunction } from "../function_names.ts";
import { checkCall } from "../check_call.ts";
import { listInstances } from "../list_instances.ts";
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import { confirmDestructive, confirmFlags, showCall } from "./confirm.ts";
import { csvHeader, csvRecords, csvRow } from "./csv.ts";
import { describeError, ExitCode, isAbort, isTimeout } from "./exit_codes.ts";
import { parseSelect, render, selectProperties, style } from "./format.ts";
import { type InterruptKind, Interrupts } from "./interrupt.ts";
import { type CliIo, whyUnreadable } from "./io.ts";
import { formatElapsed, Progress } from "./progress.ts";
import { resultFields } from "./result_fields.ts";
import type { Session } from "./session/session.ts";
import { SETTINGS } from "./settings/table.ts";
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from "./session/timeouts.ts";
import { NothingSelected, UsageError } from "./usage_error.ts";
import { address } from "./session/connect.ts";
import { safeLine } from "./safe_text.ts";

/** The flags of the fleet mode of `mspe-run call`. */
export const FLEET_FLAGS = {
  instances: {
    type: "string",
    value: "<filter|@file|->",
    help: "Run on every instance matching the filter (*, acme*), or the IDs in a file (one a " +
      "line; - for stdin); fills in instanceID.",
  },
  concurrency: SETTINGS.concurrency.flag,
  "allow-empty": {
    type: "boolean",
    help: "A selection that matches no instance is fine: exit code 0 (else 9).",
  },
  "rerun-failed": {
    type: "string",
    value: "<file>",
    help: "Run again on the instances that failed or never started in an earlier ndjson output.",
  },
} as const satisfies FlagSpecs;

/** The help paragraph of the fleet mode, for `mspe-run call --help`. */
export const FLEET_HELP =
  `--instances runs the call on many instances, instanceID filled in for each: a filter (*,
acme*), @file or - (one instance ID a line), at most --concurrency at once (default 8). Every row
starts with instanceID and a list result gives a row per item; ndjson and csv stream as instances
finish, table, list and json print at the end sorted by instance. A failed instance is a row
{instanceID, error} and a line on stderr; the exit code is then 4. --rerun-failed <file> runs the
instances that failed or never started in an earlier ndjson output. Ctrl-C stops starting calls,
waits for those in flight and prints what finished (exit code 130; Ctrl-C again aborts them).`;

/** How often the progress bar is redrawn at most, in milliseconds. */
const REDRAW_MS = 100;

/** Whether the command line asks for the fleet mode. */
export function wantsFleet(parsed: ParsedArgs): boolean {
  const fleet = parsed.string("instances") !== undefined ||
    parsed.string("rerun-failed") !== undefined;
  if (!fleet && parsed.string("concurrency") !== undefined) {
    throw new UsageError("--concurrency goes with --instances or --rerun-failed.");
  }
  return fleet;
}

/** One output row: `instanceID` first. */
type Row = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The rows of one instance's final status: one per item of a list result (none for an empty list),
 * the result's own properties for an object, `value` for anything else, and `statusCode` for a
 * function that returns nothing. With `whole`, the status object itself.
 *
 * @example
 * ```ts
 * import { rowsOf } from "./fleet_run.ts";
 * console.log(rowsOf("acme", {
 *   error: null, token: null, statusVersion: 2, statusCode: "succeeded", percentProgress: null,
 *   statusText: null, result: [{ userName: "bob" }], logOutput: null,
 * }, false)); // [{ instanceID: "acme", userName: "bob" }]
 * ```
 */
export function rowsOf(instanceID: string, status: Status, whole: boolean): Row[] {
  if (whole) return [{ instanceID, ...status }];
  const result = status.result;
  if (result === null || result === undefined) {
    return [{ instanceID, statusCode: status.statusCode }];
  }
  const items: readonly unknown[] = Array.isArray(result) ? result : [result];
  return items.map((item) =>
    isRecord(item) ? { instanceID, ...item } : { instanceID, value: item }
  );
}

/**
 * Whether an ndjson row is a failure row of a fleet run: exactly `instanceID` and an `error` text
 * (a result's own `error` property, as stores have, comes with other properties).
 */
export function isFailureRow(row: unknown): row is { instanceID: string; error: string } {
  return isRecord(row) && typeof row.instanceID === "string" && typeof row.error === "string" &&
    Object.keys(row).length === 2;
}

/**
 * The instance IDs of a list: one a line, blank lines and `#` comments skipped, repeats once; or a
 * CSV with an `instanceID` column (what `Export-Csv` and `--format csv` write), its IDs from that
 * column.
 *
 * @example
 * ```ts
 * import { instanceList } from "./fleet_run.ts";
 * instanceList("acme\nglobex\n"); // ["acme", "globex"]
 * instanceList('"instanceID","alias"\r\n"acme","Acme"\r\n'); // ["acme"]
 * ```
 */
export function instanceList(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) =>
    line !== "" && !line.startsWith("#")
  );
  const header = csvFields(lines[0] ?? "");
  const column = header.findIndex((name) => name.toLowerCase() === "instanceid");
  const ids = column < 0
    ? lines
    : lines.slice(1).map((line) => csvFields(line)[column] ?? "").filter((id) => id !== "");
  return [...new Set(ids)];
}

/** The fields of one CSV line (quotes and doubled quotes as Export-Csv writes them). */
function csvFields(line: string): string[] {
  return (csvRecords(line)[0] ?? [""]).map((field) => field.trim());
}

/**
 * The instances to run again from an earlier run's ndjson output: those with a failure row, in
 * the order they appear.
 */
export function failedInstances(ndjson: string, file: string): string[] {
  const failed = new Set<string>();
  for (const [index, line] of ndjson.split(/\r?\n/).entries()) {
    if (line.trim() === "") continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      throw new UsageError(
        `${file} line ${index + 1} is not JSON. --rerun-failed takes the ndjson output of an ` +
          "earlier run (--format ndjson).",
      );
    }
    if (!isRecord(row) || typeof row.instanceID !== "string") {
      throw new UsageError(
        `${file} line ${index + 1} has no instanceID. --rerun-failed takes the ndjson output of ` +
          "an earlier `mspe-run call ... --instances` run.",
      );
    }
    if (isFailureRow(row)) failed.add(row.instanceID);
  }
  return [...failed];
}

async function readFile(io: CliIo, path: string, flag: string): Promise<string> {
  try {
    return await io.readTextFile(path);
  } catch (error) {
    throw new UsageError(`Cannot read the ${flag} file ${path}: ${whyUnreadable(error)}.`);
  }
}

/**
 * What `--instances` names (of `call` and of `report`): a filter as given, or the instance IDs of
 * `@file` or `-` (stdin), one a line (see {@linkcode instanceList}).
 *
 * @throws {UsageError} For an empty value, an unreadable file, or a file that lists no ID.
 */
export async function instancesFlag(given: string, io: CliIo): Promise<string | string[]> {
  if (given !== "-" && !given.startsWith("@")) {
    if (given.trim() === "") {
      throw new UsageError("--instances needs a filter (*, acme*), @file or - (stdin).");
    }
    return given;
  }
  const ids = instanceList(
    given === "-" ? await io.stdin.readAll() : await readFile(io, given.slice(1), "--instances"),
  );
  if (ids.length === 0) {
    throw new UsageError(`--instances ${given} lists no instance ID. Give one ID a line.`);
  }
  return ids;
}

/** The instance IDs the command line names, and how to say where they came from. */
async function resolveInstances(
  client: Client,
  io: CliIo,
  parsed: ParsedArgs,
): Promise<{ ids: string[]; source: string }> {
  const rerun = parsed.string("rerun-failed");
  const instances = parsed.string("instances");
  if (rerun !== undefined && instances !== undefined) {
    throw new UsageError(
      "Give --instances or --rerun-failed, not both: --rerun-failed takes its instances from the file.",
    );
  }
  if (rerun !== undefined) {
    const text = await readFile(io, rerun, "--rerun-failed");
    return { ids: failedInstances(text, rerun), source: `failed in ${rerun}` };
  }
  const given = await instancesFlag(instances ?? "", io);
  if (typeof given !== "string") {
    return { ids: given, source: instances === "-" ? "from stdin" : `from ${instances!.slice(1)}` };
  }
  if (client.product !== "spe") {
    throw new UsageError(
      "--instances with a filter needs MailStore SPE: MailStore Server has no instances.",
    );
  }
  const { found } = await listInstances(client, given);
  return { ids: found.map((instance) => instance.instanceID), source: `matching ${given}` };
}

/** Where rows go: streamed (ndjson, csv) or collected and printed sorted at the end. */
interface RowSink {
  /** The rows of one instance, as it completes. */
  add(instanceID: string, rows: readonly Row[]): void;
  /** Everything is in: print what was held back. */
  end(): void;
}

/** Streams rows as ndjson, one line each. */
function ndjsonSink(write: (text: string) => void): RowSink {
  return {
    add: (_, rows) => write(rows.map((row) => `${JSON.stringify(row)}\n`).join("")),
    end: () => {},
  };
}

/**
 * Streams rows as CSV. The header comes first, so the columns are fixed before the first row:
 * the function's documented result fields, else those of the first instance that succeeded (the
 * failures before it wait); `error` is always there. A property that turns up later is left out,
 * with one warning.
 */
function csvSink(
  write: (text: string) => void,
  known: readonly string[] | undefined,
  warn: (text: string) => void,
): RowSink {
  let columns = known ? withFleetColumns(known) : undefined;
  let headerDone = false;
  let waiting: Row[] = [];
  let warned = false;
  const emit = (fixed: readonly string[], rows: readonly Row[]): void => {
    if (!warned) {
      const extra = rows.flatMap((row) => Object.keys(row)).find((key) => !fixed.includes(key));
      if (extra !== undefined) {
        warned = true;
        warn(
          `A row has the property ${extra}, which is not among the CSV columns fixed by the ` +
            "first rows; it is left out. --format ndjson keeps every property.",
        );
      }
    }
    write(rows.map((row) => csvRow(fixed, row)).join(""));
  };
  const header = (from: readonly Row[]): string[] => {
    const fixed = columns ?? withFleetColumns(from.flatMap((row) => Object.keys(row)));
    columns = fixed;
    headerDone = true;
    write(csvHeader(fixed));
    if (waiting.length > 0) emit(fixed, waiting);
    waiting = [];
    return fixed;
  };
  return {
    add(_, rows) {
      if (headerDone && columns !== undefined) {
        emit(columns, rows);
      } else if (columns === undefined && rows.every(isFailureRow)) {
        waiting.push(...rows);
      } else {
        emit(header(rows), rows);
      }
    },
    end() {
      if (!headerDone) header([]);
    },
  };
}

/** `instanceID` first, the given columns, `error` last (once each). */
function withFleetColumns(columns: readonly string[]): string[] {
  return [...new Set(["instanceID", ...columns, "error"])];
}

/** Collects rows and prints them sorted by instance at the end (table, list, json). */
function collectingSink(show: (rows: Row[]) => void): RowSink {
  const byInstance = new Map<string, readonly Row[]>();
  return {
    add: (instanceID, rows) => void byInstance.set(instanceID, rows),
    end() {
      const ids = [...byInstance.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      show(ids.flatMap((id) => byInstance.get(id) ?? []));
    },
  };
}

/**
 * The fan-out's progress as the status the progress bar draws: done/total, failed, rate and ETA.
 *
 * @example
 * ```ts
 * import { fleetStatus } from "./fleet_run.ts";
 * console.log(fleetStatus({ done: 50, failed: 1, total: 200 }, 10_000).statusText);
 * // 50/200 instances · 1 failed · 5.0/s · ETA 0:30
 * ```
 */
export function fleetStatus(progress: FleetProgress, elapsedMs: number): Status {
  const { done, failed, total } = progress;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const parts = [`${done}/${total} instances`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (done > 0 && rate > 0) {
    parts.push(`${rate.toFixed(1)}/s`);
    parts.push(`ETA ${formatElapsed(((total - done) / rate) * 1000)}`);
  }
  return {
    error: null,
    token: null,
    statusVersion: done,
    statusCode: "running",
    percentProgress: total === 0 ? 100 : (done / total) * 100,
    statusText: parts.join(" · "),
    result: null,
    logOutput: null,
  };
}

/** What {@linkcode runFleetCall} needs besides the session. */
export interface FleetCall {
  /** The function's name. */
  readonly fn: string;
  /** The function's metadata (to check that it takes an instanceID). */
  readonly described: FunctionMetadata;
  /** The arguments from the command line, without instanceID. */
  readonly args: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Runs the call on every instance the command line names and prints the rows; resolves to the
 * exit code: 0 when all succeeded, 4 when any failed, 130 after Ctrl-C.
 *
 * @example
 * ```ts ignore
 * if (wantsFleet(parsed)) return await runFleetCall(session, io, parsed, { fn, described, args });
 * ```
 */
export async function runFleetCall(
  session: Session,
  io: CliIo,
  parsed: ParsedArgs,
  call: FleetCall,
): Promise<number> {
  const { client, out, settings } = session;
  const { fn, described, args } = call;
  if (!described.args.some((arg) => arg.name === "instanceID")) {
    throw new UsageError(
      `${fn} takes no instanceID, so --instances cannot fill one in. Call it once without --instances.`,
    );
  }
  if (Object.hasOwn(args, "instanceID")) {
    throw new UsageError(
      "Leave out instanceID=...: --instances fills it in for each instance.",
    );
  }
  if (parsed.bool("no-wait")) {
    throw new UsageError(
      "--no-wait cannot be used with --instances: each instance's call is followed to its end.",
    );
  }
  // --concurrency, else MSPE_CONCURRENCY or the profile's (checked where the settings are read).
  const concurrency = settings.concurrency ?? DEFAULT_CONCURRENCY;
  const { ids, source } = await resolveInstances(client, io, parsed);
  if (ids.length === 0) {
    // A scheduled task must notice a selection that matches nothing (a typo, a renamed tenant).
    if (parsed.bool("allow-empty")) {
      out.note(`No instances ${source}; nothing was called.`);
      return ExitCode.Ok;
    }
    throw new NothingSelected(
      `No instances ${source}; nothing was called. Check the filter with mspe-run call ` +
        "GetInstances instanceFilter=<filter>, or add --allow-empty when an empty fleet is fine.",
    );
  }
  // Checked once here, with the first instance, so that a bad value is one usage error (exit 2)
  // rather than a failure per instance.
  const { entry } = checkCall(client, uncheckedFunction(fn), { ...args, instanceID: ids[0] }, {
    defaultInstanceID: null,
    checkValues: !parsed.bool("no-value-check"),
  });
  const decision = await confirmDestructive(
    io,
    out,
    { name: fn, destructive: entry?.destructive },
    {
      call: `${showCall(fn, args, entry)} (instanceID from --instances)`,
      server: address(settings),
      targets: { noun: "instance", names: ids },
    },
    confirmFlags(parsed),
  );
  if (decision !== "go") return decision === "what-if" ? ExitCode.Ok : ExitCode.Cancelled;

  const whole = parsed.bool("status");
  const select = parseSelect(parsed.string("select"));
  const columns = select
    ? ["instanceID", ...select.filter((name) => name !== "instanceID")]
    : undefined;
  // Secrets echoed into a result are hidden before a row is cut or quoted (lib/cli/redacting_io.ts).
  const shape = (rows: Row[]): Row[] =>
    columns === undefined
      ? out.redacted(rows)
      : selectProperties(out.redacted(rows), columns) as Row[];

  const color = !parsed.bool("no-color") && !io.noColor;
  const stdoutStyle = style(color && io.stdout.isTerminal);
  // Progress on a terminal only: a plain line per instance would flood a log.
  const showProgress = io.stderr.isTerminal && !parsed.bool("quiet");
  const progress = showProgress ? new Progress(io.stderr, { label: fn, color }) : undefined;
  if (progress) progress.interruptHint = "Ctrl-C stops";
  const started = Date.now();
  let lastDraw = 0;
  let latest: FleetProgress = { done: 0, failed: 0, total: ids.length };
  const draw = (force: boolean): void => {
    if (!progress) return;
    const now = Date.now();
    if (!force && now - lastDraw < REDRAW_MS) return;
    lastDraw = now;
    progress.update(fleetStatus(latest, now - started));
  };
  const write = (text: string): void => {
    progress?.clear();
    io.stdout.write(text);
    draw(true);
  };

  const known = whole ? undefined : resultFields(client.product, fn);
  const sink = out.format === "ndjson"
    ? ndjsonSink(write)
    : out.format === "csv"
    ? csvSink(write, columns ?? (known ? Object.keys(known.fields) : undefined), (text) => {
      progress?.clear();
      out.warn(text);
    })
    : collectingSink((rows) => {
      progress?.clear();
      if (rows.length === 0) out.note(`${fn}: no rows (the results were empty lists).`);
      // Rendered here rather than with out.show, whose --select would drop instanceID.
      else io.stdout.write(render(out.format, rows, stdoutStyle, io.stdout.columns()));
    });

  using interrupts = new Interrupts(io);
  const stop = new AbortController();
  interrupts.onFirst(() => {
    stop.abort();
    progress?.clear();
    out.note(
      `Ctrl-C: no further calls start; waiting for those in flight (Ctrl-C again aborts them).`,
    );
  });
  const signal = session.deadline
    ? AbortSignal.any([interrupts.detach, session.deadline])
    : interrupts.detach;

  const failures: { instanceID: string; error: string }[] = [];
  const finished = new Set<string>();
  let ended: unknown;
  try {
    const outcomes = forEachInstance(
      client,
      (instanceID, context) =>
        invokeCall(client, uncheckedFunction(fn), { ...args, instanceID }, {
          signal: context.signal,
          checkValues: !parsed.bool("no-value-check"),
        }),
      {
        instances: ids,
        concurrency,
        signal,
        stop: stop.signal,
        onProgress: (now) => {
          latest = now;
          draw(now.done === 0);
        },
      },
    );
    for await (const outcome of outcomes) {
      finished.add(outcome.instanceID);
      if (outcome.ok) {
        sink.add(outcome.instanceID, shape(rowsOf(outcome.instanceID, outcome.value, whole)));
      } else {
        const failure = {
          instanceID: outcome.instanceID,
          error: instanceError(outcome.error, session.deadline, interrupts.kind),
        };
        failures.push(failure);
        sink.add(outcome.instanceID, [failure]);
      }
    }
  } catch (error) {
    ended = error;
  }
  // What never started is a failure row too, so that --rerun-failed picks it up.
  const interrupted = interrupts.interrupted || ended !== undefined;
  if (interrupted) {
    const why = ended === undefined || interrupts.interrupted
      ? `Not started: ${
        interrupts.kind === "terminate" ? "asked to stop (SIGTERM)" : "interrupted with Ctrl-C"
      }.`
      : isTimeout(ended)
      ? "Not started: --timeout ran out."
      : `Not started: ${describeError(ended)}`;
    for (const instanceID of ids) {
      if (!finished.has(instanceID)) sink.add(instanceID, [{ instanceID, error: why }]);
    }
  }
  progress?.clear();
  sink.end();
  summarize(out, fn, ids.length, failures, finished.size, Date.now() - started);
  if (ended !== undefined && !interrupts.interrupted) throw ended;
  if (interrupts.interrupted) {
    out.note(
      `Interrupted: ${finished.size} of ${ids.length} instances finished. ` +
        "Run the rest with --rerun-failed <this run's ndjson output>.",
    );
    // 143 when asked to stop (SIGTERM, Task Scheduler ending the task), as while watching.
    return interrupts.kind === "terminate" ? ExitCode.Terminated : ExitCode.Interrupted;
  }
  return failures.length > 0 ? ExitCode.CallFailed : ExitCode.Ok;
}

/** One instance's error on one line; the advice about --timeout comes once, at the end. */
function instanceError(
  error: unknown,
  deadline: AbortSignal | undefined,
  stoppedBy: InterruptKind | undefined,
): string {
  // The second Ctrl-C (or SIGTERM) aborts the calls in flight; the server may have done the work.
  if (isAbort(error)) {
    const by = stoppedBy === "terminate" ? "when asked to stop (SIGTERM)" : "with Ctrl-C";
    return `Aborted ${by} before the reply came; it may have run anyway.`;
  }
  if (!isTimeout(error)) return describeError(error);
  return deadline?.aborted
    ? "Timed out: --timeout ran out before the call ended."
    : `Timed out: no reply within the per-request limit (${DEFAULT_REQUEST_TIMEOUT_SECONDS} s).`;
}

/** The summary on stderr: each failed instance with its error, then the counts. */
function summarize(
  out: Session["out"],
  fn: string,
  total: number,
  failures: readonly { instanceID: string; error: string }[],
  finished: number,
  elapsedMs: number,
): void {
  const time = `${(elapsedMs / 1000).toFixed(1)} s`;
  if (failures.length > 0) {
    const lines = failures.map((f) => `  ${safeLine(f.instanceID, 200)}: ${safeLine(f.error)}`);
    out.error(
      `${fn} failed on ${failures.length} of ${total} instances:\n${lines.join("\n")}`,
    );
  }
  const notStarted = total - finished;
  out.note(
    `${fn}: ${finished - failures.length} of ${total} instances succeeded, ${failures.length} ` +
      `failed${notStarted > 0 ? `, ${notStarted} not started` : ""} (${time}).`,
  );
}
