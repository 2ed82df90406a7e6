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
import { UsageError } from "../usage_error.ts";
import { isFailureRow, isRecord } from "./rows.ts";

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
  const header = csvFields(lines[0] ?? "");
  const column = header.findIndex((name) => name.toLowerCase() === "instanceid");
  const ids = column < 0
    ? lines
    : lines.slice(1).map((line) => csvFields(line)[column] ?? "").filter((id) => id !== "");
  return [...new Set(ids)];
}

/** The fields of one CSV line (quotes and doubled quotes as Export-Csv writes them). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (quoted) {
      if (char === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      fields.push(field.trim());
      field = "";
    } else field += char;
  }
  fields.push(field.trim());
  return fields;
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
export async function resolveInstances(
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
