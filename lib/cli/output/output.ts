/**
 * Where `mspe-run` and the example scripts print: data on stdout in the chosen format, progress and
 * messages on stderr.
 *
 * Internal to the CLI; the example scripts take an {@linkcode OutputSink}.
 *
 * @module
 */

import { closest } from "../../_suggest.ts";
import type { Status } from "../../status.ts";
import { csvColumns, csvHeader, type CsvOptions, csvRow } from "./csv.ts";
import { type Format, inline, render, selectProperties, type Style, style } from "./format.ts";
import { type CliIo, whyUnreadable } from "../io/io.ts";
import { Progress } from "./progress.ts";
import { redactExactFields, redactValue } from "../../_redact.ts";
import { redactorOf, weakPasswordOf } from "../io/redacting_io.ts";
import { UsageError } from "../usage_error.ts";
import { safeText } from "./safe_text.ts";

/**
 * What the example scripts print to: the value-printing side of `mspe-run`.
 *
 * @example
 * ```ts
 * import type { OutputSink } from "./output.ts";
 * function hello(out: OutputSink): void {
 *   out.show({ greeting: "hello" });
 *   out.note("done");
 * }
 * ```
 */
export interface OutputSink {
  /** Prints a value on stdout, like PowerShell's `$value | fl` (or in the `--format` asked for). */
  show(value: unknown): void;
  /** Prints one line per status update of a running call on stdout, like `write-host $event.MessageData`. */
  status(status: Status): void;
  /** Shows the progress of a running call on stderr (a bar on a terminal, plain lines otherwise). */
  progress(label: string, status: Status): void;
  /** A message for the person watching, on stderr. */
  note(text: string): void;
}

/** How an {@linkcode Output} prints. */
export interface OutputOptions {
  /** The data format. */
  readonly format: Format;
  /** Colour wanted (`--no-color` not given). Colour is also off when NO_COLOR is set or not a terminal. */
  readonly color: boolean;
  /** No progress and no notes; errors and data only. */
  readonly quiet: boolean;
  /** `--select`: only these properties of each object, in this order. */
  readonly select?: readonly string[] | undefined;
  /** `--output`: the file a whole document ({@linkcode Output.emit}) goes to instead of stdout. */
  readonly outputFile?: string | undefined;
  /** `--csv-raw`: CSV cells as the server sent them, formulas not neutralised. */
  readonly csvRaw?: boolean;
}

/**
 * The CLI's printer.
 *
 * @example
 * ```ts
 * import { Output } from "./output.ts";
 * import { denoIo } from "../io/io.ts";
 * const out = new Output(denoIo(), { format: "list", color: false, quiet: false });
 * out.show({ instanceID: "test01" });
 * ```
 */
export class Output implements OutputSink {
  /** The data format. */
  readonly format: Format;
  /** `--output`: where {@linkcode Output.emit} writes instead of stdout. */
  readonly outputFile: string | undefined;
  /** How CSV cells are written (`--csv-raw`), for every CSV this command prints. */
  readonly csvOptions: CsvOptions;
  readonly #io: CliIo;
  readonly #quiet: boolean;
  readonly #stdoutStyle: Style;
  readonly #stderrStyle: Style;
  readonly #stderrColor: boolean;
  readonly #select: readonly string[] | undefined;
  #selectWarned = false;
  /** The columns of the last CSV header printed: rows with the same columns follow it. */
  #csvColumns: string[] | undefined;
  #shown = 0;
  #progress: Progress | undefined;
  #progressLabel = "";

  /** Creates the printer. */
  constructor(io: CliIo, options: OutputOptions) {
    this.#io = io;
    this.format = options.format;
    this.outputFile = options.outputFile;
    this.csvOptions = { raw: options.csvRaw === true };
    this.#quiet = options.quiet;
    this.#select = options.select;
    const wanted = options.color && !io.noColor;
    // Colour is for a person at a terminal: never in a file, a pipe, or with NO_COLOR.
    this.#stdoutStyle = style(wanted && io.stdout.isTerminal && options.outputFile === undefined);
    this.#stderrColor = wanted && io.stderr.isTerminal;
    this.#stderrStyle = style(this.#stderrColor);
  }

  /** The style for stderr messages. */
  get stderrStyle(): Style {
    return this.#stderrStyle;
  }

  /** The style for data: colour only on a terminal, never in `--output`. */
  get dataStyle(): Style {
    return this.#stdoutStyle;
  }

  /** The width data may take: the terminal's; none for `--output` or a pipe. */
  dataColumns(): number | undefined {
    return this.outputFile === undefined ? this.#io.stdout.columns() : undefined;
  }

  /**
   * Writes a whole document (a report) to `--output`, or to stdout without it. The file is written
   * through the CLI's I/O, so that it is redacted like every line printed and never left half
   * written.
   */
  async emit(text: string): Promise<void> {
    this.#progress?.clear();
    if (this.outputFile === undefined) {
      this.#io.stdout.write(text);
      return;
    }
    try {
      if (this.#io.writeTextFile === undefined) throw new Error("no file may be written here");
      await this.#io.writeTextFile(this.outputFile, text);
    } catch (error) {
      throw new UsageError(`Cannot write --output ${this.outputFile}: ${whyUnreadable(error)}.`);
    }
  }

  show(value: unknown): void {
    this.#progress?.clear();
    // Redacted before rendering, so that a cut cell cannot show part of a secret (the streams
    // redact whole texts as well: lib/cli/io/redacting_io.ts).
    value = this.#selected(this.redacted(value));
    if (this.format === "csv") {
      this.#csv(value);
      return;
    }
    const text = render(
      this.format,
      value,
      this.#stdoutStyle,
      this.#io.stdout.columns(),
      this.csvOptions,
    );
    if (text === "") return;
    // Blocks of list and table output are set apart by a blank line, as Format-List does.
    const separator = this.#shown > 0 && (this.format === "list" || this.format === "table")
      ? "\n"
      : "";
    this.#shown++;
    this.#io.stdout.write(separator + text);
  }

  /**
   * A copy of a value with the secrets known so far replaced by `***`; a weak login password only
   * where it is the whole value of a password-like field (redacting_io.ts: addPassword).
   */
  redacted<T>(value: T): T {
    const redactor = redactorOf(this.#io);
    const redacted = redactor.empty ? value : redactValue(value, redactor);
    const weak = weakPasswordOf(this.#io);
    return weak === undefined ? redacted : redactExactFields(redacted, weak);
  }

  /** `--select` applied, with one warning for names that no object has. */
  #selected(value: unknown): unknown {
    return this.#select === undefined ? value : this.selectColumns(value, this.#select);
  }

  /**
   * These properties of each object, in this order, with the one warning `--select` gives for a
   * name no object has (a fleet run selects its rows' columns with it).
   */
  selectColumns(value: unknown, names: readonly string[]): unknown {
    return selectProperties(value, names, (lost, known) => {
      if (this.#selectWarned) return;
      this.#selectWarned = true;
      const hints = lost.map((name) => {
        const near = closest(name, known);
        return near ? `${name} (did you mean ${near}?)` : name;
      });
      this.warn(
        `--select: the result has no ${hints.join(", ")}; shown empty. Its properties: ` +
          `${known.join(", ")}.`,
      );
    });
  }

  /** CSV: a header when the columns change (the first time, mostly), then the rows. */
  #csv(value: unknown): void {
    if (value === null || value === undefined) return;
    const rows = Array.isArray(value) ? value : [value];
    if (rows.length === 0) return;
    const columns = csvColumns(rows);
    let text = "";
    if (this.#csvColumns?.join("\0") !== columns.join("\0")) {
      this.#csvColumns = columns;
      text = csvHeader(columns, this.csvOptions);
    }
    for (const row of rows) text += csvRow(columns, row, this.csvOptions);
    this.#shown++;
    this.#io.stdout.write(text);
  }

  status(status: Status): void {
    this.#progress?.clear();
    if (this.format === "csv") {
      this.show(status);
      return;
    }
    if (this.format === "json" || this.format === "ndjson") {
      this.#io.stdout.write(`${JSON.stringify(this.#selected(this.redacted(status)))}\n`);
      return;
    }
    this.#io.stdout.write(`${statusLine(status)}\n`);
  }

  /**
   * Prints the outcome of a call: its result, or the whole status object with `whole`. A call
   * without a result prints `null` in json and ndjson; in list and table a note says so, and the
   * call's log (what VerifyStore and the like report) is printed instead.
   */
  final(label: string, status: Status, whole: boolean): void {
    if (whole) {
      this.show(status);
      return;
    }
    if (status.result === null && (this.format === "list" || this.format === "table")) {
      const log = (status.logOutput ?? "").replace(/\r\n/g, "\n").trimEnd();
      this.note(`${label} ${status.statusCode}; it returns no result${log ? ". Its log:" : "."}`);
      if (log) this.line(safeText(log));
      return;
    }
    if (Array.isArray(status.result) && status.result.length === 0) {
      // Nothing would be printed in list and table, which looks like a hang or a failure.
      if (this.format === "list" || this.format === "table") {
        this.note(`${label} ${status.statusCode}; the result is an empty list.`);
        return;
      }
    }
    this.show(status.result);
  }

  /** Prints a plain line of data on stdout (a token, for example). */
  line(text: string): void {
    this.#progress?.clear();
    this.#io.stdout.write(`${text}\n`);
  }

  note(text: string): void {
    if (this.#quiet) return;
    this.#progress?.clear();
    this.#io.stderr.write(`${text}\n`);
  }

  /** A warning on stderr; printed even with `--quiet`. */
  warn(text: string): void {
    this.#progress?.clear();
    this.#io.stderr.write(`${this.#stderrStyle.warn("warning:")} ${text}\n`);
  }

  /** The one error line on stderr. */
  error(text: string): void {
    this.#progress?.clear();
    this.#io.stderr.write(`${this.#stderrStyle.error("error:")} ${text}\n`);
  }

  /** Starts a progress display for a running call; it replaces the previous one. */
  startProgress(label: string): Progress {
    this.#progress?.clear();
    this.#progressLabel = label;
    this.#progress = new Progress(this.#io.stderr, {
      label,
      color: this.#stderrColor,
      quiet: this.#quiet,
    });
    return this.#progress;
  }

  progress(label: string, status: Status): void {
    const progress = this.#progress && this.#progressLabel === label
      ? this.#progress
      : this.startProgress(label);
    progress.update(status);
  }

  /** Erases the progress bar, if one is drawn. */
  clearProgress(): void {
    this.#progress?.clear();
  }
}

/**
 * One readable line for a status update: version, code, progress, text and the last log line.
 *
 * @example
 * ```ts
 * import { statusLine } from "./output.ts";
 * console.log(statusLine({
 *   error: null, token: "t1", statusVersion: 8, statusCode: "running",
 *   percentProgress: 1, statusText: null, result: null, logOutput: "300 messages verified...",
 * }));
 * // #8 running 1% | 300 messages verified...
 * ```
 */
export function statusLine(status: Status): string {
  const parts = [`#${status.statusVersion}`, status.statusCode];
  if (typeof status.percentProgress === "number") parts.push(`${status.percentProgress}%`);
  if (status.statusText) parts.push(status.statusText.replace(/\s+/g, " ").trim());
  const lastLog = (status.logOutput ?? "").split(/\r?\n/).map((l) => l.trim()).filter(Boolean).at(
    -1,
  );
  if (lastLog) parts.push(`| ${lastLog}`);
  if (status.error) parts.push(`| ${inline(status.error.message)}`);
  return parts.join(" ");
}
