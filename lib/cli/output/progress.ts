/**
 * Progress of a running call on stderr: a bar redrawn in place on a terminal, or one plain line per
 * change when stderr is a file or a pipe (a scheduled task's log).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Status } from "../../status.ts";
import type { TextSink } from "../io/io.ts";

/** What the progress display needs. */
export interface ProgressOptions {
  /** Shown before the bar, usually the function name. */
  readonly label: string;
  /** Colour on or off. */
  readonly color: boolean;
  /** Print nothing at all. */
  readonly quiet?: boolean;
  /** The clock, in milliseconds (tests pass their own). */
  readonly now?: () => number;
}

/**
 * Elapsed time as `m:ss`, or `h:mm:ss` from an hour on.
 *
 * @example
 * ```ts
 * import { formatElapsed } from "./progress.ts";
 * console.log(formatElapsed(75_000)); // 1:15
 * ```
 */
export function formatElapsed(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const seconds = String(total % 60).padStart(2, "0");
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600);
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}`
    : `${minutes}:${seconds}`;
}

const BAR_WIDTH = 24;

/**
 * Shows `percentProgress` and `statusText` of the status updates of one call.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * import { denoIo } from "../io/io.ts";
 * const progress = new Progress(denoIo().stderr, { label: "VerifyStore", color: false });
 * progress.update({
 *   error: null, token: "t1", statusVersion: 3, statusCode: "running",
 *   percentProgress: 45, statusText: "Verifying", result: null, logOutput: null,
 * });
 * progress.clear();
 * ```
 */
export class Progress {
  readonly #sink: TextSink;
  readonly #options: ProgressOptions;
  readonly #started: number;
  #drawn = false;
  #lastPlain = "";
  /**
   * What Ctrl-C does, shown at the end of the bar on a terminal: it detaches by default; with
   * `--cancel-on-interrupt` the watcher sets "Ctrl-C cancels".
   */
  interruptHint = "Ctrl-C detaches";

  /** Creates the display; nothing is printed until the first update. The clock starts now. */
  constructor(sink: TextSink, options: ProgressOptions) {
    this.#sink = sink;
    this.#options = options;
    this.#started = this.#now();
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  #elapsed(): string {
    return formatElapsed(this.#now() - this.#started);
  }

  /** Shows one status update. Final statuses are not drawn (the result follows). */
  update(status: Status): void {
    if (this.#options.quiet) return;
    if (status.statusCode !== "running") {
      this.clear();
      return;
    }
    const percent = typeof status.percentProgress === "number"
      ? Math.max(0, Math.min(100, Math.round(status.percentProgress)))
      : null;
    const text = (status.statusText ?? "").replace(/\s+/g, " ").trim();
    if (this.#sink.isTerminal) this.#drawBar(percent, text);
    else this.#printLine(percent, text);
  }

  /** Erases the bar, so that other stderr output starts on a clean line. */
  clear(): void {
    if (this.#drawn) {
      this.#sink.write("\r\x1b[2K");
      this.#drawn = false;
    }
  }

  #drawBar(percent: number | null, text: string): void {
    const filled = percent === null ? 0 : Math.round((percent / 100) * BAR_WIDTH);
    const bar = percent === null
      ? "·".repeat(BAR_WIDTH)
      : `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
    const shownPercent = percent === null ? "   ?" : `${String(percent).padStart(3)}%`;
    let line = `${this.#options.label} [${bar}] ${shownPercent}${text ? ` ${text}` : ""}`;
    // The hint gives way first on a narrow terminal, then the status text: the name, the
    // percentage and the time stay readable.
    const columns = this.#sink.columns();
    const fits = (extra: string) =>
      columns === undefined || columns < 20 || line.length + extra.length <= columns - 3;
    const elapsed = ` · ${this.#elapsed()}`;
    const withHint = this.interruptHint ? `${elapsed} · ${this.interruptHint}` : elapsed;
    const tail = fits(withHint) ? withHint : elapsed;
    if (!fits(tail) && columns !== undefined) {
      const room = columns - 4 - tail.length;
      if (room > 10) line = `${line.slice(0, room)}…`;
    }
    line += tail;
    // Three columns stay free: the terminal echoes Ctrl-C as "^C" after the bar, and a line that
    // wrapped could not be erased in place any more.
    if (columns !== undefined && columns >= 20 && line.length > columns - 3) {
      line = `${line.slice(0, Math.max(0, columns - 4))}…`;
    }
    const colored = this.#options.color ? line.replace(bar, `\x1b[36m${bar}\x1b[39m`) : line;
    this.#sink.write(`\r\x1b[2K${colored}`);
    this.#drawn = true;
  }

  #printLine(percent: number | null, text: string): void {
    const parts = [`${this.#options.label}:`, "running"];
    if (percent !== null) parts.push(`${percent}%`);
    if (text) parts.push(text);
    const line = parts.join(" ");
    // One line per visible change: the long poll may return unchanged statuses. The elapsed time
    // is not a change.
    if (line === this.#lastPlain) return;
    this.#lastPlain = line;
    this.#sink.write(`${line} (${this.#elapsed()})\n`);
  }
}
