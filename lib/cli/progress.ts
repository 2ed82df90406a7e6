/**
 * Progress of a running call on stderr: a bar redrawn in place on a terminal, or one plain line per
 * change when stderr is a file or a pipe (a scheduled task's log).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Status } from "../status.ts";
import type { TextSink } from "./io.ts";

/** What the progress display needs. */
export interface ProgressOptions {
  /** Shown before the bar, usually the function name. */
  readonly label: string;
  /** Colour on or off. */
  readonly color: boolean;
  /** Print nothing at all. */
  readonly quiet?: boolean;
}

const BAR_WIDTH = 24;

/**
 * Shows `percentProgress` and `statusText` of the status updates of one call.
 *
 * @example
 * ```ts
 * import { Progress } from "./progress.ts";
 * import { denoIo } from "./io.ts";
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
  #drawn = false;
  #lastPlain = "";

  /** Creates the display; nothing is printed until the first update. */
  constructor(sink: TextSink, options: ProgressOptions) {
    this.#sink = sink;
    this.#options = options;
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
    // Three columns stay free: the terminal echoes Ctrl-C as "^C" after the bar, and a line that
    // wrapped could not be erased in place any more.
    const columns = this.#sink.columns();
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
    // One line per visible change: the long poll may return unchanged statuses.
    if (line === this.#lastPlain) return;
    this.#lastPlain = line;
    this.#sink.write(`${line}\n`);
  }
}
