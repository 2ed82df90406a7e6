/**
 * Which instances a fleet run covers: `--instances` (a filter, `@file` or `-`, one ID a line or a
 * CSV with an instanceID column) or `--rerun-failed` (the failures of an earlier run's ndjson).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client } from "../../../mod.ts";
import { listInstances } from "../../list_instances.ts";
import type { ParsedArgs } from "../args.ts";
import { type CliIo, whyUnreadable } from "../io/io.ts";
import { csvRecords } from "../../_csv_records.ts";
import { UsageError } from "../usage_error.ts";
import { type FailureRow, isFailureRow, isRecord, isRunHeader, type RunHeader } from "./rows.ts";

/** Whether the command line asks for the fleet mode. */
export function wantsFleet(parsed: ParsedArgs): boolean {
  const fleet = parsed.string("instances") !== undefined ||
    parsed.string("rerun-failed") !== undefined;
  if (!fleet && parsed.string("concurrency") !== undefined) {
    throw new UsageError("--concurrency goes with --instances or --rerun-failed.");
  }
  return fleet;
}

/**
 * The instance IDs of a list: one a line, blank lines and `#` comments skipped, repeats once; or a
 * CSV with an `instanceID` column (what `Export-Csv` and `--format csv` write), its IDs from that
 * column.
 *
 * @example
 * ```ts
 * import { instanceList } from "./selection.ts";
 * instanceList("acme\nglobex\n"); // ["acme", "globex"]
 * instanceList('"instanceID","alias"\r\n"acme","Acme"\r\n'); // ["acme"]
 * ```
 */
export function instanceList(text: string): string[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter((line) =>
    line !== "" && !line.startsWith("#")
  );
  const header = csvRecords(lines[0] ?? "")[0] ?? [];
  const column = header.findIndex((name) => name.trim().toLowerCase() === "instanceid");
  const ids = column < 0
    ? lines
    : csvRecords(lines.slice(1).join("\n")).map((record) => (record[column] ?? "").trim())
      .filter((id) => id !== "");
  return [...new Set(ids)];
}

/** What an earlier run's ndjson says about the instances to run again. */
export interface EarlierRun {
  /** Its header line: function, arguments, server, time. */
  readonly header: RunHeader;
  /** The failures that provably did not run, or failed on the server: safe to send again. */
  readonly safe: readonly FailureRow[];
  /** The failures that may have run all the same: to check before they are sent again. */
  readonly uncertain: readonly FailureRow[];
}

/**
 * Reads an earlier run's ndjson output for `--rerun-failed`: its header, and its failure rows by
 * whether the call may have run.
 *
 * @example
 * ```ts
 * import { earlierRun } from "./selection.ts";
 * const run = earlierRun(
 *   '{"mspeFleetRun":1,"function":"GetUsers","arguments":{},"server":"spe1:8474","started":"2026-12-06T10:00:00Z"}\n' +
 *     '{"instanceID":"acme","callError":"not running","callOutcome":"failed"}\n',
 *   "run.ndjson",
 * );
 * console.log(run.safe.map((row) => row.instanceID)); // ["acme"]
 * ```
 */
export function earlierRun(ndjson: string, file: string): EarlierRun {
  let header: RunHeader | undefined;
  const failures = new Map<string, FailureRow>();
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
    if (header === undefined) {
      if (!isRunHeader(row)) {
        throw new UsageError(
          `${file} does not start with the header of a fleet run. --rerun-failed takes the ndjson ` +
            "output of `mspe-run call ... --instances ... --format ndjson` (this version or later).",
        );
      }
      header = row;
      continue;
    }
    if (!isRecord(row) || typeof row.instanceID !== "string") {
      throw new UsageError(
        `${file} line ${index + 1} has no instanceID. --rerun-failed takes the ndjson output of ` +
          "an earlier `mspe-run call ... --instances` run.",
      );
    }
    if (isFailureRow(row)) failures.set(row.instanceID, row);
  }
  if (header === undefined) {
    throw new UsageError(
      `${file} is empty. --rerun-failed takes the ndjson output of a fleet run.`,
    );
  }
  const all = [...failures.values()];
  return {
    header,
    safe: all.filter((row) => row.callOutcome !== "may-have-run"),
    uncertain: all.filter((row) => row.callOutcome === "may-have-run"),
  };
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
export async function resolveInstances(
  client: Client,
  io: CliIo,
  parsed: ParsedArgs,
): Promise<{ ids: string[]; source: string; earlier?: EarlierRun }> {
  const rerun = parsed.string("rerun-failed");
  const instances = parsed.string("instances");
  if (rerun !== undefined && instances !== undefined) {
    throw new UsageError(
      "Give --instances or --rerun-failed, not both: --rerun-failed takes its instances from the file.",
    );
  }
  if (rerun !== undefined) {
    const text = await readFile(io, rerun, "--rerun-failed");
    return { ids: [], source: `failed in ${rerun}`, earlier: earlierRun(text, rerun) };
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
