/**
 * Request counters.
 *
 * @module
 */

import type { MockStats } from "./_options.ts";

/** The live counters of one app. */
export class Stats implements MockStats {
  /** Every request received. */
  requests = 0;
  /** Requests per collapsed path. */
  byPath: Record<string, number> = {};
  /** Invoke requests per function. */
  byFunction: Record<string, number> = {};
  /** 401 replies. */
  authFailures = 0;
  /** Waiting get-status requests. */
  openLongPolls = 0;
  readonly #runningJobs: () => number;

  /** Creates the counters; `runningJobs` reads the job engine. */
  constructor(runningJobs: () => number) {
    this.#runningJobs = runningJobs;
  }

  /** Jobs running now. */
  get runningJobs(): number {
    return this.#runningJobs();
  }

  /** Counts one request. */
  count(path: string, fn: string | null): void {
    this.requests++;
    this.byPath[path] = (this.byPath[path] ?? 0) + 1;
    if (fn !== null) this.byFunction[fn] = (this.byFunction[fn] ?? 0) + 1;
  }

  /** Zeroes the counters (not the live gauges). */
  reset(): void {
    this.requests = 0;
    this.byPath = {};
    this.byFunction = {};
    this.authFailures = 0;
  }
}
