/**
 * The rows of a fleet run: what one instance's outcome becomes, and where rows go (streamed as
 * ndjson or CSV, or collected and printed sorted by instance).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Status } from "../../../mod.ts";
import { csvHeader, type CsvOptions, csvRow } from "../output/csv.ts";

/** One output row: `instanceID` first. */
export type Row = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The rows of one instance's final status: one per item of a list result (none for an empty list),
 * the result's own properties for an object, `value` for anything else, and `statusCode` for a
 * function that returns nothing. With `whole`, the status object itself.
 *
 * @example
 * ```ts
 * import { rowsOf } from "./rows.ts";
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
 * What became of a call that did not succeed on an instance, for `--rerun-failed`:
 * - `failed`: the server answered that it failed (it ran, and changed nothing to speak of);
 * - `not-sent`: nothing reached the server (not started, refused, checked before sending);
 * - `may-have-run`: the request was sent and no answer came (the connection broke, a time limit
 *   ran out, Ctrl-C twice, a gateway's 502 or 504): the server may have run it.
 */
export type CallOutcome = "failed" | "not-sent" | "may-have-run";

/**
 * A failure row: `instanceID`, then `callError` and `callOutcome`, names no result has, so that a
 * result's own `error` field (stores have one) is never taken for the call's failure.
 */
export type FailureRow = {
  /** The instance. */
  readonly instanceID: string;
  /** Why the call did not succeed there, one line. */
  readonly callError: string;
  /** Whether it may have run all the same (see {@linkcode CallOutcome}). */
  readonly callOutcome: CallOutcome;
};

/** The failure columns, last in every CSV of a fleet run. */
export const FAILURE_COLUMNS = ["callError", "callOutcome"] as const;

/**
 * Whether an ndjson row is a failure row of a fleet run.
 *
 * @example
 * ```ts
 * import { isFailureRow } from "./rows.ts";
 * isFailureRow({ instanceID: "acme", callError: "not running", callOutcome: "failed" }); // true
 * isFailureRow({ instanceID: "acme", error: "store error", name: "s1" }); // false
 * ```
 */
export function isFailureRow(row: unknown): row is FailureRow {
  return isRecord(row) && typeof row.instanceID === "string" &&
    typeof row.callError === "string" &&
    (row.callOutcome === "failed" || row.callOutcome === "not-sent" ||
      row.callOutcome === "may-have-run");
}

/**
 * The first line of a fleet run's ndjson: what was called where and when, so that
 * `--rerun-failed` can refuse a file of another function or server.
 */
export interface RunHeader {
  /** Marks the line and its format version. */
  readonly mspeFleetRun: 1;
  /** The function called. */
  readonly function: string;
  /** Its arguments but instanceID, secrets redacted. */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** `host:port` of the server. */
  readonly server: string;
  /** When the run started (ISO 8601). */
  readonly started: string;
}

/**
 * Whether an ndjson line is the header of a fleet run.
 *
 * @example
 * ```ts
 * import { isRunHeader } from "./rows.ts";
 * isRunHeader({ mspeFleetRun: 1, function: "GetUsers" }); // true
 * ```
 */
export function isRunHeader(row: unknown): row is RunHeader {
  return isRecord(row) && row.mspeFleetRun === 1 && typeof row.function === "string";
}

/** Where rows go: streamed (ndjson, csv) or collected and printed sorted at the end. */
export interface RowSink {
  /** The rows of one instance, as it completes. */
  add(instanceID: string, rows: readonly Row[]): void;
  /** Everything is in: print what was held back. */
  end(): void;
}

/** Streams rows as ndjson, one line each, after the run's header line. */
export function ndjsonSink(write: (text: string) => void, header: RunHeader): RowSink {
  write(`${JSON.stringify(header)}\n`);
  return {
    add: (_, rows) => write(rows.map((row) => `${JSON.stringify(row)}\n`).join("")),
    end: () => {},
  };
}

/**
 * Streams rows as CSV. The header comes first, so the columns are fixed before the first row:
 * the function's documented result fields, else those of the first instance that succeeded (the
 * failures before it wait); `callError` and `callOutcome` are always there. A property that turns up later is left out,
 * with one warning.
 */
export function csvSink(
  write: (text: string) => void,
  known: readonly string[] | undefined,
  warn: (text: string) => void,
  options: CsvOptions = {},
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
    write(rows.map((row) => csvRow(fixed, row, options)).join(""));
  };
  const header = (from: readonly Row[]): string[] => {
    const fixed = columns ?? withFleetColumns(from.flatMap((row) => Object.keys(row)));
    columns = fixed;
    headerDone = true;
    write(csvHeader(fixed, options));
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

/** `instanceID` first, the given columns, the failure columns last (once each). */
function withFleetColumns(columns: readonly string[]): string[] {
  const own = columns.filter((column) => !(FAILURE_COLUMNS as readonly string[]).includes(column));
  return [...new Set(["instanceID", ...own, ...FAILURE_COLUMNS])];
}

/** Collects rows and prints them sorted by instance at the end (table, list, json). */
export function collectingSink(show: (rows: Row[]) => void): RowSink {
  const byInstance = new Map<string, readonly Row[]>();
  return {
    add: (instanceID, rows) => void byInstance.set(instanceID, rows),
    end() {
      const ids = [...byInstance.keys()].sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      show(ids.flatMap((id) => byInstance.get(id) ?? []));
    },
  };
}
