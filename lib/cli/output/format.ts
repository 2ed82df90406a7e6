/**
 * The output formats of `mspe-run`: `list` (like PowerShell's `Format-List`), `table`, `json`,
 * `ndjson` and `csv`, plus the one-line "inline" form PowerShell uses for nested values
 * (`@{a=1; b=2}`), and `--select` (like `Select-Object -Property`). Tables measure the display
 * width of text, so CJK text and emoji line up.
 *
 * Pure functions: text in, text out. Internal to the CLI.
 *
 * @module
 */

import { type CsvOptions, renderCsv } from "./csv.ts";
import { cutDisplay, displayWidth, padDisplay } from "./display_width.ts";
import { safeValue } from "./safe_text.ts";
import { UsageError } from "../usage_error.ts";

/** The formats `--format` accepts. */
export const FORMATS = ["list", "table", "json", "ndjson", "csv"] as const;

/** One of {@linkcode FORMATS}. */
export type Format = typeof FORMATS[number];

/** The row formats of `mspe-run report`, `table` (its terminal default) first. */
const REPORT_ROW_FORMATS = ["table", "list", "json", "ndjson", "csv"] as const;

/**
 * The formats `report health --format` accepts (`commands/report.ts` checks them, `complete.ts`
 * offers them; kept here so that completion need not load the report command).
 */
export const HEALTH_FORMATS = [...REPORT_ROW_FORMATS, "nagios", "prtg"] as const;

/** The formats `report usage --format` accepts. */
export const USAGE_FORMATS = [...REPORT_ROW_FORMATS, "html"] as const;

/** Colours for text output; every function returns its input unchanged when colour is off. */
export interface Style {
  /** Property names in `list`. */
  label(text: string): string;
  /** Column headers in `table`. */
  header(text: string): string;
  /** Less important text. */
  dim(text: string): string;
  /** The `error:` prefix. */
  error(text: string): string;
  /** The `warning:` prefix. */
  warn(text: string): string;
  /** Good news. */
  good(text: string): string;
}

const wrap = (open: string, close: string) => (text: string) =>
  `\x1b[${open}m${text}\x1b[${close}m`;

/**
 * The style for colour on or off.
 *
 * @example
 * ```ts
 * import { style } from "./format.ts";
 * console.log(style(false).label("name") === "name"); // true
 * ```
 */
export function style(color: boolean): Style {
  if (!color) {
    const same = (text: string) => text;
    return { label: same, header: same, dim: same, error: same, warn: same, good: same };
  }
  return {
    label: wrap("32", "39"),
    header: (text) => wrap("1", "22")(wrap("32", "39")(text)),
    dim: wrap("2", "22"),
    error: (text) => wrap("1", "22")(wrap("31", "39")(text)),
    warn: wrap("33", "39"),
    good: wrap("32", "39"),
  };
}

/**
 * The format to use: the one asked for, else `list` (or `terminalFormat`) on a terminal and `json`
 * when piped.
 *
 * @example
 * ```ts
 * import { chooseFormat } from "./format.ts";
 * console.log(chooseFormat(undefined, false)); // "json"
 * ```
 */
export function chooseFormat(
  asked: string | undefined,
  stdoutIsTerminal: boolean,
  terminalFormat: Format = "list",
): Format {
  if (asked === undefined) return stdoutIsTerminal ? terminalFormat : "json";
  if ((FORMATS as readonly string[]).includes(asked)) return asked as Format;
  throw new UsageError(
    `Unknown format ${JSON.stringify(asked)}. Use --format list, table, json, ndjson or csv.`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A value on one line, the way PowerShell shows nested values: objects as `@{a=1; b=x}`, arrays as
 * `{x, y}`, `null` as nothing.
 *
 * @example
 * ```ts
 * import { inline } from "./format.ts";
 * console.log(inline({ folder: "johndoe", privileges: ["read", "write"] }));
 * // @{folder=johndoe; privileges={read, write}}
 * ```
 */
export function inline(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `{${value.map(inline).join(", ")}}`;
  if (isRecord(value)) {
    return `@{${Object.entries(value).map(([k, v]) => `${k}=${inline(v)}`).join("; ")}}`;
  }
  return String(value);
}

function oneLine(text: string): string {
  return text.replace(/\r?\n/g, " ⏎ ");
}

/**
 * A value as PowerShell's `Format-List` shows it: one `name : value` line per property, names padded
 * to one width, nested values inline, several objects separated by a blank line. A multi-line string
 * continues under its first line. With `maxWidth` (the terminal's width), a long value is wrapped
 * under its first line, preferably after a `; ` or `, ` of a nested value, as Format-List wraps.
 *
 * @example
 * ```ts
 * import { renderList, style } from "./format.ts";
 * console.log(renderList({ instanceID: "test01", status: "running" }, style(false)));
 * // instanceID : test01
 * // status     : running
 * ```
 */
export function renderList(value: unknown, st: Style, maxWidth?: number): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    return value.map((item) => renderList(item, st, maxWidth)).filter((block) => block !== "").join(
      isScalarArray(value) ? "" : "\n",
    );
  }
  if (!isRecord(value)) return `${inline(value)}\n`;
  const keys = Object.keys(value);
  if (keys.length === 0) return "";
  const width = Math.max(...keys.map(displayWidth));
  const room = maxWidth === undefined ? Infinity : maxWidth - width - 3;
  const lines: string[] = [];
  for (const key of keys) {
    const text = inline(value[key]);
    const [first = "", ...rest] = text.split(/\r?\n/).flatMap((line) => wrapLine(line, room));
    lines.push(`${st.label(padDisplay(key, width))} : ${first}`.trimEnd());
    for (const line of rest) lines.push(`${" ".repeat(width + 3)}${line}`.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

/** Splits a line into pieces of at most `room` characters, after a space where there is one. */
function wrapLine(line: string, room: number): string[] {
  // A narrow column would make a tall ribbon of text; then the terminal wraps it instead.
  if (line.length <= room || room < 20) return [line];
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > room) {
    const space = rest.lastIndexOf(" ", room);
    const at = space > 0 ? space + 1 : room;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  pieces.push(rest);
  return pieces;
}

function isScalarArray(value: readonly unknown[]): boolean {
  return value.every((item) => !isRecord(item) && !Array.isArray(item));
}

/**
 * A value as a table: one row per object, one column per property (in first-seen order), nested
 * values inline. With `maxWidth` (the terminal's width), the widest columns are cut with `…` to fit.
 *
 * @example
 * ```ts
 * import { renderTable, style } from "./format.ts";
 * console.log(renderTable([{ userName: "bob", fullName: "Bob" }], style(false)));
 * // userName fullName
 * // -------- --------
 * // bob      Bob
 * ```
 */
export function renderTable(value: unknown, st: Style, maxWidth?: number): string {
  if (value === null || value === undefined) return "";
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return "";
  const rows: Record<string, unknown>[] = items.map((item) =>
    isRecord(item) ? item : { value: item }
  );
  const columns: string[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  }
  const cells = rows.map((row) => columns.map((column) => oneLine(inline(row[column]))));
  const widths = columns.map((column, i) =>
    Math.max(displayWidth(column), ...cells.map((row) => displayWidth(row[i] ?? "")))
  );
  if (maxWidth !== undefined) fit(widths, maxWidth);
  const line = (parts: string[]) => parts.join(" ").trimEnd();
  const header = line(
    columns.map((c, i) => st.header(padDisplay(cutDisplay(c, widths[i] ?? 0), widths[i] ?? 0))),
  );
  const rule = line(columns.map((c, i) =>
    "-".repeat(Math.min(displayWidth(c), widths[i] ?? 0))
      .padEnd(widths[i] ?? 0)
  ));
  const body = cells.map((row) =>
    line(row.map((cell, i) => padDisplay(cutDisplay(cell, widths[i] ?? 0), widths[i] ?? 0)))
  );
  return `${[header, rule, ...body].join("\n")}\n`;
}

/** Shrinks the widest columns until the row fits `maxWidth` (columns keep at least 6 characters). */
function fit(widths: number[], maxWidth: number): void {
  const total = () => widths.reduce((sum, w) => sum + w, 0) + Math.max(0, widths.length - 1);
  while (total() > maxWidth) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) {
      if ((widths[i] ?? 0) > 6 && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) {
        widest = i;
      }
    }
    if (widest < 0) return;
    widths[widest] = Math.max(6, (widths[widest] ?? 0) - (total() - maxWidth));
  }
}

/**
 * A value as pretty JSON (2 spaces), one document.
 *
 * @example
 * ```ts
 * import { renderJson } from "./format.ts";
 * console.log(renderJson({ a: 1 }));
 * ```
 */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value ?? null, null, 2)}\n`;
}

/**
 * A value as newline-delimited JSON: one compact line per element of an array, or one line.
 *
 * @example
 * ```ts
 * import { renderNdjson } from "./format.ts";
 * console.log(renderNdjson([{ a: 1 }, { a: 2 }])); // two lines
 * ```
 */
export function renderNdjson(value: unknown): string {
  const items = Array.isArray(value) ? value : [value ?? null];
  return items.map((item) => `${JSON.stringify(item ?? null)}\n`).join("");
}

/**
 * A value in the given format.
 *
 * @example
 * ```ts
 * import { render, style } from "./format.ts";
 * console.log(render("table", [{ a: 1 }], style(false)));
 * ```
 */
export function render(
  format: Format,
  value: unknown,
  st: Style,
  maxWidth?: number,
  csv: CsvOptions = {},
): string {
  switch (format) {
    // The server's text on a terminal: controls and bidi controls escaped (lib/cli/output/safe_text.ts).
    case "list":
      return renderList(safeValue(value), st, maxWidth);
    case "table":
      return renderTable(safeValue(value), st, maxWidth);
    case "json":
      return renderJson(value);
    case "ndjson":
      return renderNdjson(value);
    case "csv":
      return renderCsv(value, csv);
  }
}

/**
 * The property names of `--select name,name`: split at commas, trimmed, empty ones and repeats
 * dropped; `undefined` without the flag.
 *
 * @example
 * ```ts
 * import { parseSelect } from "./format.ts";
 * console.log(parseSelect("userName, fullName")); // ["userName", "fullName"]
 * ```
 */
export function parseSelect(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const names = [...new Set(text.split(",").map((name) => name.trim()).filter(Boolean))];
  if (names.length === 0) {
    throw new UsageError("--select needs property names, such as --select userName,fullName.");
  }
  return names;
}

/**
 * The value with only the named properties, in the order named, like PowerShell's
 * `Select-Object -Property`: names match case-insensitively and keep the value's own spelling; a
 * name an object lacks is there as `null`; for a list, each object is cut down. Values that are not
 * objects stay as they are. `missing` receives the names that no object has (likely typos).
 *
 * @example
 * ```ts
 * import { selectProperties } from "./format.ts";
 * console.log(selectProperties([{ userName: "bob", fullName: "Bob", x: 1 }], ["username"]));
 * // [{ userName: "bob" }]
 * ```
 */
export function selectProperties(
  value: unknown,
  names: readonly string[],
  missing?: (names: string[], known: string[]) => void,
): unknown {
  const items = Array.isArray(value) ? value : [value];
  const known = [...new Set(items.filter(isRecord).flatMap((item) => Object.keys(item)))];
  // One spelling per name for every object: the value's own, found exactly or ignoring case.
  const keys = names.map((name) =>
    known.find((k) => k === name) ?? known.find((k) => k.toLowerCase() === name.toLowerCase())
  );
  const pick = (item: unknown): unknown => {
    if (!isRecord(item)) return item;
    const picked: Record<string, unknown> = {};
    names.forEach((name, i) => {
      const key = keys[i] ?? name;
      picked[key] = Object.hasOwn(item, key) ? item[key] : null;
    });
    return picked;
  };
  const lost = names.filter((_, i) => keys[i] === undefined);
  if (known.length > 0 && lost.length > 0) missing?.(lost, known);
  return Array.isArray(value) ? value.map(pick) : pick(value);
}
