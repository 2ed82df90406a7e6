/**
 * `report usage --compare <csv>`: reading a previous `report usage --format csv` (last month's) as
 * the rows {@linkcode usageReport} compares with. CSVs written before the size column said its
 * unit (`archiveSizeMB`) are read too: it held the same MiB figures.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { PreviousUsage } from "../../usage_report.ts";
import { csvRecords } from "../../_csv_records.ts";
import { UsageError } from "../usage_error.ts";

/**
 * The rows of a previous usage CSV. `file` names it in messages.
 *
 * @throws {UsageError} One line that says what is wrong: not a usage CSV, a figure that is not a
 * number.
 *
 * @example
 * ```ts
 * import { parsePreviousUsage } from "./usage_compare.ts";
 * const rows = parsePreviousUsage("instanceID,users,archiveSizeMiB\nacme,5,100\n", "may.csv");
 * console.log(rows[0]?.users); // 5
 * ```
 */
export function parsePreviousUsage(text: string, file: string): PreviousUsage[] {
  const records = csvRecords(text);
  const header = records?.[0]?.map((name) => name.trim());
  const size = header?.includes("archiveSizeMiB") ? "archiveSizeMiB" : "archiveSizeMB";
  if (header === undefined || !header.includes("instanceID")) {
    throw new UsageError(
      `${file} is not a usage report CSV (no instanceID column). Give a file written by ` +
        "mspe-run report usage --format csv.",
    );
  }
  const column = (name: string) => header.indexOf(name);
  const rows = records.slice(1).map((record, i) => {
    const value = (name: string): string | undefined => {
      const at = column(name);
      return at < 0 ? undefined : record[at]?.trim();
    };
    const number = (name: string): number | null => {
      const text = value(name);
      if (text === undefined || text === "") return null;
      const n = Number(text);
      if (!Number.isFinite(n)) {
        throw new UsageError(
          `${file}, line ${i + 2}: ${name} ${JSON.stringify(text)} is not a number. Give the CSV ` +
            "as report usage wrote it.",
        );
      }
      return n;
    };
    const instanceID = value("instanceID") ?? "";
    if (instanceID === "") {
      throw new UsageError(`${file}, line ${i + 2} has no instanceID. Give the CSV as written.`);
    }
    return {
      instanceID,
      // An instance that was already gone last time is not compared again.
      gone: value("status") === "gone",
      displayName: value("displayName"),
      users: number("users"),
      archiveSizeMiB: number(size),
      messages: number("messages"),
      stores: number("stores"),
    };
  });
  return rows.filter((row) => !row.gone).map(({ gone: _, ...row }) => row);
}
