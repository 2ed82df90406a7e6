/**
 * CSV as RFC 4180 writes it, for `--format csv` and for commands that stream rows (one header, then
 * one row at a time): CRLF line ends, a header row, a field quoted only when it must be (a comma, a
 * quote, a line break, or space at either end), quotes doubled, nested values as JSON text and
 * `null` as an empty field. PowerShell's `Import-Csv`/`ConvertFrom-Csv`, Excel and Python's `csv`
 * module read it as it is.
 *
 * No byte order mark: the text goes to stdout, mostly into a pipe (`ConvertFrom-Csv`, another
 * program), where a BOM would become part of the first column's name. Excel needs one to read UTF-8
 * rather than the ANSI code page; `README.md` shows how to add it when saving a file for Excel
 * ({@linkcode CSV_BOM}).
 *
 * Cells that a spreadsheet would run as a formula are neutralised by the OWASP rule: text that
 * begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front (Excel and
 * LibreOffice then show it as text), whatever the server sent, column names included. A number
 * stays a number: a JSON number is written as JSON writes it (`-5`, `-1500`), and so is text that
 * is exactly a decimal number (`-5`, `+1.5e3`), which a spreadsheet reads as that number and never
 * as a formula. Machine consumers that want the text as sent turn this off with
 * {@linkcode CsvOptions.raw}.
 *
 * Pure functions, no imports: the fleet and report commands load this module alone. Internal to
 * the CLI.
 *
 * @module
 */

/** The UTF-8 byte order mark, for a CSV file meant for Excel (see the module's note). */
export const CSV_BOM = "\uFEFF";

/** The record separator of RFC 4180. */
const CRLF = "\r\n";

/** How CSV is written. */
export interface CsvOptions {
  /**
   * Write every cell as it came, without the `'` before text a spreadsheet would run as a formula:
   * for programs that read the CSV, never for a file a person opens.
   */
  readonly raw?: boolean;
}

/** What starts a formula in Excel, LibreOffice and Google Sheets (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text a spreadsheet reads as a plain number, sign and exponent included: never a formula. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * One value as a CSV field: text as is, `null` and `undefined` as nothing, numbers and booleans as
 * JSON writes them, objects and arrays as compact JSON text; quoted when needed. Text that would
 * start a formula gets a `'` in front unless `options.raw` (see the module's note).
 *
 * @example
 * ```ts
 * import { csvField } from "./csv.ts";
 * console.log(csvField('say "hi", bob')); // "say ""hi"", bob"
 * console.log(csvField({ a: 1 })); // "{""a"":1}"
 * console.log(csvField("=HYPERLINK(1)")); // '=HYPERLINK(1)
 * console.log(csvField(-5), csvField("-1.5e3")); // -5 -1.5e3
 * console.log(csvField("=1+1", { raw: true })); // =1+1
 * ```
 */
export function csvField(value: unknown, options: CsvOptions = {}): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (typeof value === "string") text = value;
  else if (typeof value === "object") text = JSON.stringify(value);
  else text = String(value);
  // Only text can be a formula: a JSON number prints as a number (String(-5) is "-5").
  if (
    options.raw !== true && typeof value !== "number" && FORMULA_START.test(text) &&
    !DECIMAL.test(text)
  ) text = `'${text}`;
  // Space at either end is quoted too: some readers (Excel among them) trim unquoted fields.
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The header line for `columns`, with its CRLF.
 *
 * @example
 * ```ts
 * import { csvHeader } from "./csv.ts";
 * console.log(JSON.stringify(csvHeader(["userName", "fullName"]))); // "userName,fullName\r\n"
 * ```
 */
export function csvHeader(columns: readonly string[], options: CsvOptions = {}): string {
  return `${columns.map((column) => csvField(column, options)).join(",")}${CRLF}`;
}

/**
 * One data line: the row's values in the order of `columns` (missing ones empty), with its CRLF.
 * A row that is not an object fills the `value` column (see {@linkcode csvColumns}), or the first.
 *
 * @example
 * ```ts
 * import { csvRow } from "./csv.ts";
 * console.log(JSON.stringify(csvRow(["userName", "fullName"], { userName: "bob" }))); // "bob,\r\n"
 * ```
 */
export function csvRow(
  columns: readonly string[],
  row: unknown,
  options: CsvOptions = {},
): string {
  const at = Math.max(0, columns.indexOf("value"));
  const values = isRecord(row)
    ? columns.map((column) => row[column])
    : columns.map((_, i) => i === at ? row : undefined);
  return `${values.map((value) => csvField(value, options)).join(",")}${CRLF}`;
}

/**
 * The columns of a set of rows: every property, in the order first seen; `value` for rows that are
 * not objects (a list of names, say).
 *
 * @example
 * ```ts
 * import { csvColumns } from "./csv.ts";
 * console.log(csvColumns([{ a: 1 }, { b: 2, a: 3 }])); // ["a", "b"]
 * ```
 */
export function csvColumns(rows: readonly unknown[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) {
    if (isRecord(row)) { for (const key of Object.keys(row)) columns.add(key); }
    else columns.add("value");
  }
  return [...columns];
}

/**
 * A whole value as CSV: an array is one row per element, anything else one row; `null` and an
 * empty array print nothing (no header, since the columns are unknown).
 *
 * @example
 * ```ts
 * import { renderCsv } from "./csv.ts";
 * console.log(renderCsv([{ userName: "bob", privileges: ["login"] }]));
 * // userName,privileges
 * // bob,"[""login""]"
 * ```
 */
export function renderCsv(value: unknown, options: CsvOptions = {}): string {
  if (value === null || value === undefined) return "";
  const rows = Array.isArray(value) ? value : [value];
  if (rows.length === 0) return "";
  const columns = csvColumns(rows);
  return csvHeader(columns, options) + rows.map((row) => csvRow(columns, row, options)).join("");
}
