/**
 * Fan-out over the fleet: a callback for every tenant instance, with a bound on how many run at
 * once, each instance's outcome yielded as it completes. See {@linkcode forEachInstance}.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { ArgumentError } from "./errors.ts";
import { checkSelection, listInstances } from "./list_instances.ts";

/**
 * What every outcome of {@linkcode forEachInstance} has: the instance it belongs to.
 *
 * @example
 * ```ts
 * import type { InstanceOutcomeBase } from "@mspe/mspe";
 * const outcome: InstanceOutcomeBase = { instanceID: "acme" };
 * console.log(outcome.instanceID);
 * ```
 */
export interface InstanceOutcomeBase {
  /** The instance the callback ran for. */
  readonly instanceID: string;
}

/**
 * The outcome of the callback for one instance: its value, or the error it threw or rejected with
 * (a thrown non-`Error` is wrapped in an `Error`).
 *
 * @typeParam T What the callback resolves to.
 *
 * @example
 * ```ts
 * import type { InstanceOutcome } from "@mspe/mspe";
 * function line(outcome: InstanceOutcome<number>): string {
 *   return outcome.ok
 *     ? `${outcome.instanceID}: ${outcome.value} users`
 *     : `${outcome.instanceID}: ${outcome.error.message}`;
 * }
 * console.log(line({ instanceID: "acme", ok: true, value: 12 }));
 * ```
 */
export type InstanceOutcome<T> =
  | { readonly instanceID: string; readonly ok: true; readonly value: T }
  | { readonly instanceID: string; readonly ok: false; readonly error: Error };

/**
 * How far a {@linkcode forEachInstance} run is, for {@linkcode ForEachInstanceOptions.onProgress}.
 *
 * @example
 * ```ts
 * import type { FleetProgress } from "@mspe/mspe";
 * const progress: FleetProgress = { done: 10, failed: 1, total: 200 };
 * console.log(`${progress.done}/${progress.total}, ${progress.failed} failed`);
 * ```
 */
export interface FleetProgress {
  /** Instances whose outcome was yielded, failures included. */
  readonly done: number;
  /** Of those, how many failed. */
  readonly failed: number;
  /** How many instances the run covers. */
  readonly total: number;
}

/**
 * Options of {@linkcode forEachInstance}.
 *
 * @example
 * ```ts
 * import type { ForEachInstanceOptions } from "@mspe/mspe";
 * const options: ForEachInstanceOptions = {
 *   instances: "acme*",
 *   concurrency: 16,
 *   signal: AbortSignal.timeout(60_000),
 *   onProgress: ({ done, total }) => console.error(`${done}/${total}`),
 * };
 * console.log(options.concurrency);
 * ```
 */
export interface ForEachInstanceOptions {
  /**
   * Which instances: an `instanceFilter` for `GetInstances` (`"*"` for all, `"acme*"`), or a list
   * of instance IDs (duplicates are run once, in the order given). Default `"*"`.
   */
  readonly instances?: string | readonly string[] | undefined;
  /** At most this many callbacks run at once; a whole number from 1 to 1000. Default 8. */
  readonly concurrency?: number | undefined;
  /**
   * Aborts the run: no further callback starts, the callbacks in flight see their `signal` abort,
   * their outcomes are still yielded (normally a failure with the `AbortError`, or a value when
   * one finished anyway), and then the iteration throws the signal's reason.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Stops the run gently (the CLI's Ctrl-C): no further callback starts, the callbacks in flight
   * run to their end (their signal does not abort) and are yielded, then the iteration ends
   * without an error. The instances never started get no outcome.
   */
  readonly stop?: AbortSignal | undefined;
  /**
   * Called once the instances are known (`done` 0) and after each outcome, just before it is
   * yielded. If it throws, the iteration throws that error (and the callbacks in flight are
   * aborted).
   */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
}

/**
 * What a callback of {@linkcode forEachInstance} gets besides the instance ID.
 *
 * @example Passing the signal on to the calls
 * ```ts
 * import { type InstanceContext, invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const users = async (instanceID: string, { signal }: InstanceContext) =>
 *   (await invokeCall(client, "GetUsers", { instanceID }, { signal })).result ?? [];
 * console.log(await users("test01", { signal: AbortSignal.timeout(30_000) }));
 * ```
 */
export interface InstanceContext {
  /**
   * Aborted when the run is aborted or the loop is left early; pass it on as the `signal` of the
   * calls the callback makes, so that they stop too.
   */
  readonly signal: AbortSignal;
}

/**
 * What the fleet reports (`healthReport`, `usageReport`) share: which instances, how many at once,
 * and how the run ends early.
 *
 * @example
 * ```ts
 * import type { FleetReportOptions } from "@mspe/mspe";
 * const controller = new AbortController();
 * const options: FleetReportOptions = { instances: "acme*", concurrency: 16, stop: controller.signal };
 * console.log(options.concurrency);
 * ```
 */
export interface FleetReportOptions extends ForEachInstanceOptions {
  /**
   * How long one instance may take, in milliseconds (default 300000: five minutes); an instance
   * that takes longer is reported as failed, and the others go on. (`stop` ends the report early
   * with what was checked, marked incomplete; `signal` aborts it, and it rejects.)
   */
  readonly instanceTimeoutMs?: number | undefined;
}

/** The default of {@linkcode ForEachInstanceOptions.concurrency} (mspe-run's too). */
export const DEFAULT_CONCURRENCY = 8;
/** The largest {@linkcode ForEachInstanceOptions.concurrency} (mspe-run's too). */
export const MAX_CONCURRENCY = 1000;

/**
 * Runs `fn` for every instance that matches a filter (or for a list of instance IDs) with at most
 * `concurrency` callbacks in flight, and yields each instance's outcome as it completes: the
 * instance ID and either the value or the error. PowerShell's `ForEach-Object -Parallel
 * -ThrottleLimit`, for the SPE fleet.
 *
 * - One instance's failure never stops the others: it is an outcome with `ok: false`.
 * - Outcomes come in completion order, not in the order of the instances.
 * - The bound is what keeps a run over thousands of instances working: the client opens a
 *   connection per request in flight and keeps it for the next, so no more connections are open
 *   than callbacks run at once (if each callback makes one request at a time). A call that changes
 *   state goes out on a connection of its own, closed and released before the call returns. So
 *   2,000 instances run under `ulimit -n 256`, reads and state-changing calls alike (a run that
 *   mixes them holds at most twice the concurrency: the pooled connections stay open). Unbounded
 *   `Promise.all` fails there with broken connections.
 * - `signal` aborts: nothing more starts, the callbacks in flight are aborted through their
 *   `signal`, their outcomes are yielded, then the iteration throws the signal's reason.
 * - `stop` ends gently: nothing more starts, the callbacks in flight finish and are yielded.
 * - Leaving the loop (`break`, `return`, an exception) stops scheduling, aborts the callbacks in
 *   flight and waits for them to settle, so that nothing of the run goes on after the loop.
 * - With a filter, the instances are listed with `GetInstances` first (an SPE client only); an
 *   error there is thrown by the iteration, before any outcome.
 *
 * The run starts when the iteration does (the first `next()`); the options are checked at once.
 *
 * @param client A client from {@linkcode newClient}; SPE when `instances` is a filter.
 * @param fn Called with each instance ID and a context whose `signal` aborts with the run.
 * @param options Which instances, the bound, a signal, a progress callback.
 * @returns An async iterator of the outcomes, in completion order.
 * @throws {ArgumentError} At once, for a bad `concurrency`, an empty or malformed `instances`, or a
 * filter with a MailStore Server client.
 *
 * @example The number of users of every instance, 16 at a time
 * ```ts
 * import { forEachInstance, invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const outcomes = forEachInstance(
 *   client,
 *   async (instanceID, { signal }) =>
 *     (await invokeCall(client, "GetUsers", { instanceID }, { signal })).result?.length ?? 0,
 *   { instances: "*", concurrency: 16 },
 * );
 * for await (const outcome of outcomes) {
 *   if (outcome.ok) console.log(outcome.instanceID, outcome.value);
 *   else console.error(outcome.instanceID, outcome.error.message);
 * }
 * ```
 *
 * @example A list of instances, a time limit and a progress line
 * ```ts
 * import { forEachInstance, invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const run = forEachInstance(
 *   client,
 *   (instanceID, { signal }) => invokeCall(client, "GetInstanceStatistics", { instanceID }, { signal }),
 *   {
 *     instances: ["acme", "globex", "initech"],
 *     signal: AbortSignal.timeout(120_000),
 *     onProgress: ({ done, failed, total }) => console.error(`${done}/${total} (${failed} failed)`),
 *   },
 * );
 * for await (const outcome of run) {
 *   if (outcome.ok) console.log(outcome.instanceID, outcome.value.result);
 * }
 * ```
 */
export function forEachInstance<T>(
  client: Client,
  fn: (instanceID: string, context: InstanceContext) => Promise<T>,
  options: ForEachInstanceOptions = {},
): AsyncIterableIterator<InstanceOutcome<T>> {
  if (typeof fn !== "function") {
    throw new ArgumentError("forEachInstance needs a callback: (instanceID, { signal }) => ….");
  }
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError("The options of forEachInstance must be an object.");
  }
  const concurrency = checkConcurrency(options.concurrency);
  const instances = checkInstances(options.instances ?? "*");
  if (typeof instances === "string" && client.product !== "spe") {
    throw new ArgumentError(
      "An instance filter needs an SPE client (MailStore Server has no instances); give a list " +
        "of instance IDs instead.",
    );
  }
  for (const [name, signal] of [["signal", options.signal], ["stop", options.stop]] as const) {
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new ArgumentError(`${name} must be an AbortSignal.`);
    }
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new ArgumentError("onProgress must be a function that takes { done, failed, total }.");
  }
  return run(client, fn, instances, concurrency, options);
}

/** Checks `concurrency`: a whole number from 1 to {@linkcode MAX_CONCURRENCY}. */
function checkConcurrency(value: unknown): number {
  if (value === undefined) return DEFAULT_CONCURRENCY;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY
  ) {
    throw new ArgumentError(
      `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${
        JSON.stringify(value) ?? String(value)
      }.`,
    );
  }
  return value;
}

/**
 * Checks `instances` as {@linkcode listInstances} does (a non-empty filter, or a list of non-empty
 * IDs), at once rather than when the run starts; a list loses its duplicates.
 */
function checkInstances(value: unknown): string | readonly string[] {
  const checked = checkSelection(value);
  return typeof checked === "string" ? checked : [...new Set(checked)];
}

/** The error of a rejected callback as an `Error`. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

async function* run<T>(
  client: Client,
  fn: (instanceID: string, context: InstanceContext) => Promise<T>,
  instances: string | readonly string[],
  concurrency: number,
  options: ForEachInstanceOptions,
): AsyncGenerator<InstanceOutcome<T>, void, undefined> {
  const { signal, stop, onProgress } = options;
  signal?.throwIfAborted();
  // The callbacks' signal: aborted by `signal`, or when the loop is left early.
  const inner = new AbortController();
  const onAbort = (): void => inner.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const ready: InstanceOutcome<T>[] = [];
  let inflight = 0;
  let wake: (() => void) | undefined;
  const settle = (outcome: InstanceOutcome<T>): void => {
    inflight--;
    ready.push(outcome);
    wake?.();
  };
  const start = (instanceID: string): void => {
    inflight++;
    // Through a promise, so that a callback that throws synchronously is an outcome too.
    Promise.resolve()
      .then(() => fn(instanceID, { signal: inner.signal }))
      .then(
        (value) => settle({ instanceID, ok: true, value }),
        (error: unknown) => settle({ instanceID, ok: false, error: asError(error) }),
      );
  };
  const halted = (): boolean =>
    (signal?.aborted ?? false) || (stop?.aborted ?? false) || client.closed;
  try {
    const ids = typeof instances === "string"
      ? (await listInstances(client, instances, { signal: inner.signal })).found.map((instance) =>
        instance.instanceID
      )
      : instances;
    const total = ids.length;
    let next = 0;
    let done = 0;
    let failed = 0;
    onProgress?.({ done, failed, total });
    while (true) {
      while (!halted() && inflight < concurrency && next < total) start(ids[next++]!);
      const outcome = ready.shift();
      if (outcome !== undefined) {
        done++;
        if (!outcome.ok) failed++;
        onProgress?.({ done, failed, total });
        yield outcome;
        continue;
      }
      if (inflight === 0) break;
      await new Promise<void>((resolve) => wake = resolve);
      wake = undefined;
    }
    // An aborted run ends with the reason, so that it is never taken for a complete one.
    if (signal?.aborted) throw signal.reason;
    if (next < total && client.closed && !(stop?.aborted ?? false)) {
      throw new DOMException(
        `The client was closed after ${next} of ${total} instances had started.`,
        "AbortError",
      );
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (inflight > 0) {
      // The loop was left early (break, an exception): nothing of the run outlives it.
      inner.abort(new DOMException("The loop over the instances was left.", "AbortError"));
      while (inflight > 0) {
        await new Promise<void>((resolve) => wake = resolve);
        wake = undefined;
      }
    }
  }
}
