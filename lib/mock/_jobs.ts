/**
 * The long-running call engine: tokens, status versions, progress steps, long polls, cancel, expiry.
 *
 * @module
 */

import type { MockJobsOptions } from "./_options.ts";
import { ApiFault, envelope, errorInfo, type WireEnvelope } from "./_wire.ts";

interface LogLine {
  version: number;
  text: string;
}

interface JobRecord {
  token: string;
  fn: string;
  version: number;
  statusCode: string;
  percentProgress: number | null;
  statusText: string | null;
  result: unknown;
  error: { message: string; details: string } | null;
  log: LogLine[];
  step: number;
  label: string;
  run: () => unknown;
  timer: ReturnType<typeof setTimeout> | undefined;
  endedAt: number | null;
  waiters: Set<() => void>;
}

/** The resolved job settings. */
export interface JobsConfig {
  /** See {@linkcode MockJobsOptions.forceAsync}. */
  forceAsync: Set<string>;
  /** See {@linkcode MockJobsOptions.stepMs}. */
  stepMs: number;
  /** See {@linkcode MockJobsOptions.steps}. */
  steps: number;
  /** See {@linkcode MockJobsOptions.logOutput}. */
  logOutput: "cumulative" | "incremental";
  /** See {@linkcode MockJobsOptions.cancelledStatusCode}. */
  cancelledStatusCode: "failed" | "cancelled";
  /** See {@linkcode MockJobsOptions.tokenTtlMs}. */
  tokenTtlMs: number;
  /** See {@linkcode MockJobsOptions.getInstancesAsyncThreshold}. */
  getInstancesAsyncThreshold: number;
}

/**
 * Controls the jobs of a mock app: settings, manual stepping, expiry.
 *
 * @example Step a job by hand
 * ```ts
 * import { createMockApp } from "@mspe/mspe/mock";
 * const app = createMockApp({ jobs: { stepMs: Infinity } });
 * for (const token of app.jobs.tokens()) app.jobs.step(token);
 * app.jobs.config.getInstancesAsyncThreshold = 0; // GetInstances now always runs as a job
 * app.close();
 * ```
 */
export interface MockJobs {
  /** The live settings; change them at any time (new jobs use the new values). */
  readonly config: JobsConfig;
  /** Number of jobs whose status is `running`. */
  readonly running: number;
  /** The tokens known (running, or ended and not yet expired). */
  tokens(): string[];
  /** Moves a running job one step on now (for tests with `stepMs: Infinity`). Returns false if unknown or ended. */
  step(token: string): boolean;
  /** Whether the token is known (and not expired). */
  has(token: string): boolean;
  /** Forgets a token now: the next get-status for it answers 404. Returns false if it was unknown. */
  expire(token: string): boolean;
}

/** The job engine behind {@linkcode MockJobs}. */
export class JobEngine implements MockJobs {
  /** The live settings; change them at any time (new jobs use the new values). */
  readonly config: JobsConfig;
  readonly #jobs = new Map<string, JobRecord>();
  #counter = 0;
  readonly #seed: number;
  #disposed = false;
  /** Called when the number of running jobs changes. */
  onChange: () => void = () => {};

  /** Creates the engine. */
  constructor(options: MockJobsOptions = {}, seed = 1) {
    this.config = {
      forceAsync: new Set(options.forceAsync ?? []),
      stepMs: options.stepMs ?? 250,
      steps: Math.max(1, options.steps ?? 4),
      logOutput: options.logOutput ?? "cumulative",
      cancelledStatusCode: options.cancelledStatusCode ?? "failed",
      tokenTtlMs: options.tokenTtlMs ?? 300_000,
      getInstancesAsyncThreshold: options.getInstancesAsyncThreshold ?? 200,
    };
    this.#seed = seed;
  }

  /** Number of jobs whose status is `running`. */
  get running(): number {
    let count = 0;
    for (const job of this.#jobs.values()) if (job.statusCode === "running") count++;
    return count;
  }

  /** The tokens the engine knows (running or ended and not yet expired). */
  tokens(): string[] {
    this.#sweep();
    return [...this.#jobs.keys()];
  }

  #newToken(): string {
    // Shape of the tutorial's tokens ("sa4c1dd3…"): "s" followed by hex digits. Deterministic per seed.
    this.#counter++;
    let hex = "";
    let h = (this.#seed * 2654435761 + this.#counter * 40503) >>> 0;
    for (let i = 0; i < 4; i++) {
      h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
      h = (h ^ (h >>> 16)) >>> 0;
      hex += h.toString(16).padStart(8, "0");
    }
    return `s${hex}`;
  }

  /**
   * Starts a job; `run` computes the result at the end (it may throw {@linkcode ApiFault}).
   * Returns the first status: `running`, version 1, progress 0.
   */
  start(fn: string, label: string, run: () => unknown): WireEnvelope {
    if (this.#disposed) throw new ApiFault("The server is shutting down.");
    const job: JobRecord = {
      token: this.#newToken(),
      fn,
      version: 1,
      statusCode: "running",
      percentProgress: 0,
      statusText: `${label}...`,
      result: null,
      error: null,
      log: [{ version: 1, text: `${label} started.` }],
      step: 0,
      label,
      run,
      timer: undefined,
      endedAt: null,
      waiters: new Set(),
    };
    this.#jobs.set(job.token, job);
    this.#schedule(job);
    this.onChange();
    return this.#render(job, -1);
  }

  #schedule(job: JobRecord): void {
    if (Number.isFinite(this.config.stepMs) && job.statusCode === "running") {
      job.timer = setTimeout(() => {
        job.timer = undefined;
        this.#advance(job);
      }, this.config.stepMs);
    }
  }

  #notify(job: JobRecord): void {
    const waiters = [...job.waiters];
    job.waiters.clear();
    for (const wake of waiters) wake();
  }

  #advance(job: JobRecord): void {
    if (job.statusCode !== "running") return;
    job.step++;
    job.version++;
    if (job.step < this.config.steps) {
      job.percentProgress = Math.round((job.step * 100) / this.config.steps);
      job.statusText = `${job.label} (${job.step} of ${this.config.steps})`;
      job.log.push({
        version: job.version,
        text: `${job.label}: step ${job.step} of ${this.config.steps} done.`,
      });
      this.#schedule(job);
    } else {
      try {
        job.result = job.run();
        job.statusCode = "succeeded";
        job.log.push({ version: job.version, text: `${job.label} finished.` });
      } catch (error) {
        const fault = error instanceof ApiFault ? error : new ApiFault(String(error));
        job.statusCode = "failed";
        job.error = errorInfo(fault.message, fault.exceptionType);
        job.log.push({ version: job.version, text: `${job.label} failed: ${fault.message}` });
      }
      job.percentProgress = 100;
      job.statusText = null;
      job.endedAt = Date.now();
      this.onChange();
    }
    this.#notify(job);
  }

  /** Moves a running job one step on now (for tests with `stepMs: Infinity`). Returns false if unknown or ended. */
  step(token: string): boolean {
    const job = this.#get(token);
    if (job === undefined || job.statusCode !== "running") return false;
    clearTimeout(job.timer);
    job.timer = undefined;
    this.#advance(job);
    return true;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [token, job] of this.#jobs) {
      if (job.endedAt !== null && now - job.endedAt >= this.config.tokenTtlMs) {
        this.#jobs.delete(token);
      }
    }
  }

  #get(token: string): JobRecord | undefined {
    const job = this.#jobs.get(token);
    if (job === undefined) return undefined;
    if (job.endedAt !== null && Date.now() - job.endedAt >= this.config.tokenTtlMs) {
      this.#jobs.delete(token);
      return undefined;
    }
    return job;
  }

  /** Whether the token is known (and not expired). */
  has(token: string): boolean {
    return this.#get(token) !== undefined;
  }

  /** Forgets a token now: the next get-status for it answers 404. Returns false if it was unknown. */
  expire(token: string): boolean {
    const job = this.#jobs.get(token);
    if (job === undefined) return false;
    clearTimeout(job.timer);
    this.#jobs.delete(token);
    this.#notify(job);
    if (job.statusCode === "running") this.onChange();
    return true;
  }

  /** The current status of a job for a client that last saw `lastKnownVersion`, or undefined. */
  status(token: string, lastKnownVersion = -1): WireEnvelope | undefined {
    const job = this.#get(token);
    return job === undefined ? undefined : this.#render(job, lastKnownVersion);
  }

  /** Renders the envelope; with incremental log output only lines newer than `lastKnownVersion`. */
  #render(job: JobRecord, lastKnownVersion: number): WireEnvelope {
    const lines = this.config.logOutput === "incremental"
      ? job.log.filter((line) => line.version > lastKnownVersion)
      : job.log;
    return envelope({
      error: job.error,
      token: job.token,
      statusVersion: job.version,
      statusCode: job.statusCode,
      percentProgress: job.percentProgress,
      statusText: job.statusText,
      result: job.result,
      logOutput: lines.map((line) => line.text).join("\r\n"),
    });
  }

  /**
   * Waits until the job's version is above `lastKnownVersion`, `timeoutMs` passes, the signal aborts
   * or the engine is disposed. Resolves at once if the version is already newer.
   */
  wait(
    token: string,
    lastKnownVersion: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    const job = this.#get(token);
    if (
      job === undefined || job.version > lastKnownVersion || timeoutMs <= 0 || signal.aborted ||
      this.#disposed
    ) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        job.waiters.delete(changed);
        resolve();
      };
      // A change that does not yet pass lastKnownVersion (the client may be behind) keeps the wait.
      const changed = (): void => {
        if (job.version > lastKnownVersion || this.#disposed || !this.#jobs.has(job.token)) done();
        else job.waiters.add(changed);
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener("abort", done, { once: true });
      job.waiters.add(changed);
    });
  }

  /** Cancels a running job; the final status follows `cancelledStatusCode`. Returns the status, or undefined if unknown. */
  cancel(token: string, lastKnownVersion = -1): WireEnvelope | undefined {
    const job = this.#get(token);
    if (job === undefined) return undefined;
    if (job.statusCode === "running") {
      clearTimeout(job.timer);
      job.timer = undefined;
      job.version++;
      job.statusCode = this.config.cancelledStatusCode;
      job.error = errorInfo("The operation was canceled.", "System.OperationCanceledException");
      job.statusText = null;
      job.log.push({ version: job.version, text: `${job.label} cancelled.` });
      job.endedAt = Date.now();
      this.onChange();
      this.#notify(job);
    }
    return this.#render(job, lastKnownVersion);
  }

  /** Stops every timer and releases every waiting long poll (called by `close()`). */
  dispose(): void {
    this.#disposed = true;
    for (const job of this.#jobs.values()) {
      clearTimeout(job.timer);
      job.timer = undefined;
      this.#notify(job);
    }
  }
}
