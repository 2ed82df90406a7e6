/**
 * `mspe-run call <Function> ... --instances <filter|@file|->`: the same call on every instance of
 * the fleet through {@linkcode forEachInstance}, `instanceID` filled in, at most `--concurrency`
 * at once. Rows carry `instanceID` first and a list result becomes one row per item; `ndjson` and
 * `csv` stream rows as instances complete, `table`, `list` and `json` print at the end sorted by
 * instance (fleet/rows.ts). A failed instance is a row `{ instanceID, callError, callOutcome }`
 * and a line of the summary on stderr; the exit code is 4 when any failed. `--rerun-failed <file>`
 * runs again what provably did not run in an earlier ndjson output (fleet/selection.ts,
 * fleet/failures.ts).
 * Ctrl-C stops starting calls, lets those in flight finish, and prints what finished.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { FleetProgress, FunctionMetadata } from "../../../mod.ts";
import { findFunction } from "../../catalog.ts";
import { checkCall } from "../../check_call.ts";
import { DEFAULT_CONCURRENCY, forEachInstance } from "../../fleet.ts";
import { uncheckedFunction } from "../../function_names.ts";
import { invokeCall } from "../../invoke_call.ts";
import type { FlagSpecs, ParsedArgs } from "../args.ts";
import { confirmDestructive, confirmFlags, showCall } from "../confirm.ts";
import { describeError, ExitCode, isTimeout } from "../exit_codes.ts";
import { parseSelect, render } from "../output/format.ts";
import { Interrupts } from "../io/interrupt.ts";
import { type CliIo, terminationName } from "../io/io.ts";
import { resultFields } from "../output/result_fields.ts";
import { address } from "../session/connect.ts";
import type { Session } from "../session/session.ts";
import { SETTINGS } from "../settings/table.ts";
import { readTimeoutMs } from "../settings/checks.ts";
import { NothingSelected, UsageError } from "../usage_error.ts";
import { errorDetails, instanceFailure, isClosedOutput, rerunPlan } from "./failures.ts";
import { fleetStatus, summarize } from "./summary.ts";
import { collectingSink, csvSink, type FailureRow, ndjsonSink, type Row, rowsOf } from "./rows.ts";
import { resolveInstances } from "./selection.ts";

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
    help: "Run again where an earlier run's ndjson output failed or never started (not where the " +
      "call may have run: see --rerun-uncertain).",
  },
  "rerun-uncertain": {
    type: "boolean",
    help: "With --rerun-failed: also send again the calls that may have run (checked first).",
  },
  "instance-timeout": {
    type: "string",
    value: "<seconds>",
    help: "Give up on one instance after this long (its row says so); the others go on.",
  },
} as const satisfies FlagSpecs;

/** The help paragraph of the fleet mode, for `mspe-run call --help`. */
export const FLEET_HELP =
  `--instances runs the call on many instances, instanceID filled in for each: a filter (*,
acme*), @file or - (one instance ID a line, or a CSV with an instanceID column), at most
--concurrency at once (default 8). Every row starts with instanceID and a list result gives a row
per item; ndjson (after one header line) and csv stream as instances finish, table, list and json
print at the end sorted by instance. A failed instance is a row {instanceID, callError,
callOutcome} and a line on stderr; the exit code is then 4. callOutcome is failed, not-sent or
may-have-run. --rerun-failed <file> runs again what failed or was not sent in an earlier ndjson
output of the same function and server, and holds back what may have run (--rerun-uncertain sends
it too). No instance matched: exit 9 (--allow-empty: 0). The output closed (| head): exit 141.
Ctrl-C stops starting calls, waits for those in flight and prints what finished (exit code 130;
Ctrl-C again aborts them).`;

/** How often the progress bar is redrawn at most, in milliseconds. */
const REDRAW_MS = 100;

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
  const selection = await resolveInstances(client, io, parsed);
  const { source, earlier } = selection;
  let ids = selection.ids;
  // Rows for what is not sent: blank IDs from the server, and calls an earlier run may have run.
  const heldBack: FailureRow[] = [];
  if (earlier !== undefined) {
    const rerun = rerunPlan(earlier, {
      fn,
      server: address(settings),
      uncertainToo: parsed.bool("rerun-uncertain") ||
        findFunction(client.product, fn)?.readOnly === true,
    });
    ids = rerun.ids;
    heldBack.push(...rerun.heldBack);
    if (rerun.heldBack.length > 0) out.warn(rerun.warning);
  }
  const blank = ids.filter((id) => id.trim() === "");
  ids = [...new Set(ids.filter((id) => id.trim() !== ""))];
  for (const id of blank) {
    heldBack.push({
      instanceID: id,
      callError: "The server listed an instance with an empty ID; it was skipped.",
      callOutcome: "not-sent",
    });
  }
  if (ids.length === 0 && heldBack.length > 0) {
    out.note(`Nothing to send again: ${heldBack.length} held back.`);
  }
  if (ids.length === 0 && heldBack.length === 0) {
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
  const { entry } = checkCall(
    client,
    uncheckedFunction(fn),
    { ...args, instanceID: ids[0] ?? "-" },
    { defaultInstanceID: null, checkValues: !parsed.bool("no-value-check") },
  );
  const instanceTimeout = parsed.string("instance-timeout");
  const instanceTimeoutMs = instanceTimeout === undefined
    ? undefined
    : readTimeoutMs(instanceTimeout).valueOf();
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
  // Secrets echoed into a result are hidden before a row is cut or quoted (lib/cli/io/redacting_io.ts).
  const shape = (rows: Row[]): Row[] =>
    columns === undefined
      ? out.redacted(rows)
      : out.selectColumns(out.redacted(rows), columns) as Row[];

  // The printer owns colour (--no-color, NO_COLOR, a terminal) for data and for stderr.
  const stdoutStyle = out.dataStyle;
  // Progress on a terminal only: a plain line per instance would flood a log.
  const showProgress = io.stderr.isTerminal && !parsed.bool("quiet");
  const progress = showProgress ? out.startProgress(fn) : undefined;
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
  // A reader that goes away (| head) ends the run: nothing more is started (see below).
  const stop = new AbortController();
  let outputClosed = false;
  const write = (text: string): void => {
    if (outputClosed) return;
    progress?.clear();
    try {
      io.stdout.write(text);
    } catch (error) {
      if (!isClosedOutput(error)) throw error;
      outputClosed = true;
      stop.abort();
      return;
    }
    draw(true);
  };

  const known = whole ? undefined : resultFields(client.product, fn);
  const header = {
    mspeFleetRun: 1,
    function: fn,
    arguments: out.redacted(args),
    server: address(settings),
    started: new Date(started).toISOString(),
  } as const;
  const sink = out.format === "ndjson" ? ndjsonSink(write, header) : out.format === "csv"
    ? csvSink(
      write,
      columns ?? (known ? Object.keys(known.fields) : undefined),
      (text) => {
        progress?.clear();
        out.warn(text);
      },
      out.csvOptions,
    )
    : collectingSink((rows) => {
      progress?.clear();
      if (rows.length === 0) out.note(`${fn}: no rows (the results were empty lists).`);
      // Rendered here rather than with out.show, whose --select would drop instanceID.
      else {
        io.stdout.write(
          render(out.format, rows, stdoutStyle, io.stdout.columns(), out.csvOptions),
        );
      }
    });

  using interrupts = new Interrupts(io);
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

  const failures: FailureRow[] = [...heldBack];
  for (const row of heldBack) sink.add(row.instanceID, [row]);
  const finished = new Set<string>();
  let ended: unknown;
  try {
    const outcomes = forEachInstance(
      client,
      (instanceID, context) =>
        invokeCall(client, uncheckedFunction(fn), { ...args, instanceID }, {
          signal: instanceTimeoutMs === undefined
            ? context.signal
            : AbortSignal.any([context.signal, AbortSignal.timeout(instanceTimeoutMs)]),
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
        const failure: FailureRow = {
          instanceID: outcome.instanceID,
          ...instanceFailure(outcome.error, {
            deadline: session.deadline,
            stoppedBy: interrupts.kind,
            instanceTimeout,
          }),
        };
        failures.push(failure);
        // json and ndjson keep a server's whole answer (an error page) beside its one line;
        // CSV's columns are fixed, so there the line stands alone.
        const details = out.format === "json" || out.format === "ndjson"
          ? errorDetails(outcome.error)
          : undefined;
        sink.add(outcome.instanceID, [
          details === undefined ? failure : out.redacted({ ...failure, callErrorDetails: details }),
        ]);
      }
    }
  } catch (error) {
    ended = error;
  }
  // What never started is a failure row too, so that --rerun-failed picks it up.
  const interrupted = interrupts.interrupted || ended !== undefined || outputClosed;
  if (interrupted) {
    const why = outputClosed
      ? "Not started: the output closed."
      : ended === undefined || interrupts.interrupted
      ? `Not started: ${
        interrupts.kind === "terminate"
          ? `asked to stop (${terminationName()})`
          : "interrupted with Ctrl-C"
      }.`
      : isTimeout(ended)
      ? "Not started: --timeout ran out."
      : `Not started: ${describeError(ended)}`;
    for (const instanceID of ids) {
      if (!finished.has(instanceID)) {
        sink.add(instanceID, [{ instanceID, callError: why, callOutcome: "not-sent" }]);
      }
    }
  }
  progress?.clear();
  sink.end();
  summarize(
    out,
    fn,
    ids.length + heldBack.length,
    failures,
    finished.size + heldBack.length,
    Date.now() - started,
  );
  if (outputClosed) {
    out.error(
      `The output closed after ${finished.size} of ${ids.length} instances: no further calls ` +
        "were started, and those in flight were let finish. Write to a file (> run.ndjson) to keep " +
        "every row, then rerun the rest with --rerun-failed.",
    );
    return ExitCode.OutputClosed;
  }
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
