/**
 * Ctrl-C while a call is being watched: the first press asks the command to detach (or to cancel,
 * with `--cancel-on-interrupt`), the second detaches at once. A request to stop the process
 * (SIGTERM from a service manager or `kill`; SIGBREAK, Ctrl-Break, on Windows) detaches at once.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { type CliIo, terminationName } from "./io.ts";

/** How watching was stopped: Ctrl-C, or a request to stop the process. */
export type InterruptKind = "interrupt" | "terminate";

/**
 * Listens for Ctrl-C for as long as it is not disposed. While it listens, Ctrl-C does not end the
 * process: the command decides what to do. Once `detach` has aborted it stops listening, so that a
 * further Ctrl-C ends the process as usual.
 *
 * @example
 * ```ts
 * import { Interrupts } from "./interrupt.ts";
 * import { denoIo } from "./io.ts";
 * using interrupts = new Interrupts(denoIo());
 * interrupts.detach.addEventListener("abort", () => console.error("detaching"));
 * ```
 */
export class Interrupts implements Disposable {
  /** How many times Ctrl-C was pressed. */
  count = 0;
  /** What stopped the watching: Ctrl-C, SIGTERM/SIGBREAK, or nothing yet. */
  kind: InterruptKind | undefined;
  readonly #detach = new AbortController();
  readonly #remove: () => void;
  #onFirst: (() => void) | undefined;

  /** Starts listening. */
  constructor(io: CliIo) {
    let removed = false;
    let removeTerminate: () => void = () => {};
    const remove = io.onInterrupt(() => {
      this.count++;
      if (this.count === 1 && this.#onFirst) {
        this.#onFirst();
        return;
      }
      this.kind ??= "interrupt";
      this.#detach.abort(new DOMException("Interrupted with Ctrl-C.", "AbortError"));
      // From now on Ctrl-C has its default effect again: a further press ends the process.
      this.#remove();
    });
    // A service manager that sends SIGTERM waits only a short while: detach at once, never cancel.
    removeTerminate = io.onTerminate?.(() => {
      this.kind ??= "terminate";
      this.#detach.abort(new DOMException(`Asked to stop (${terminationName()}).`, "AbortError"));
      this.#remove();
    }) ?? removeTerminate;
    this.#remove = () => {
      if (!removed) {
        remove();
        removeTerminate();
      }
      removed = true;
    };
  }

  /** Aborted when the command should stop watching (Ctrl-C, or a second Ctrl-C after a cancel). */
  get detach(): AbortSignal {
    return this.#detach.signal;
  }

  /** Whether Ctrl-C was pressed at all, or the process asked to stop. */
  get interrupted(): boolean {
    return this.count > 0 || this.kind === "terminate";
  }

  /**
   * Runs `action` on the first Ctrl-C instead of detaching (used by `--cancel-on-interrupt`); a
   * second Ctrl-C then detaches.
   */
  onFirst(action: () => void): void {
    this.#onFirst = action;
  }

  /** Stops listening: Ctrl-C ends the process again. */
  [Symbol.dispose](): void {
    this.#remove();
  }
}
