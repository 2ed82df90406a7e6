/**
 * Recorded failures of real servers that the simulator reproduces on request (`--quirks`,
 * `MockOptions.quirks`), so that a client can be tested against them. Off by default: the
 * simulator is otherwise a well-behaved server. Each quirk and its source is listed in the
 * simulator's README; none is confirmed by the vendor.
 *
 * @module
 */

import type { CatalogFunction } from "../metadata.ts";
import { WORKER_RESULTS_ASYNC_DAYS } from "./_functions_jobs.ts";
import { localArgument, zoneOf } from "./_time.ts";
import { ApiFault } from "./_wire.ts";

/** The sets of quirks the simulator knows: `none` (default) or those of one recorded release. */
export const QUIRK_SETS = ["none", "spe-25.3.1"] as const;

/** A set of quirks (see {@linkcode QUIRK_SETS}). */
export type MockQuirks = typeof QUIRK_SETS[number];

/**
 * GetWorkerResults over a range longer than this many days fails under `spe-25.3.1`. The runbook
 * says "more than a month"; 31 days is also where the simulator starts to run the call as a job.
 */
export const QUIRK_WORKER_RESULTS_DAYS: number = WORKER_RESULTS_ASYNC_DAYS;

/** The .NET message of the recorded failures (Nullable<T>.Value read without a value). */
const NULLABLE = "Nullable object must have a value.";

const DAY = 86_400_000;

/** How a quirk fails a call: at once (a bad argument), or as the call's result (in its job). */
export interface QuirkFailure {
  /** The fault to answer. */
  readonly fault: ApiFault;
  /** True when the call fails at the end, as its result; false when it is refused at once. */
  readonly asResult: boolean;
}

/**
 * The failure `quirks` makes of a call of `fn` with the arguments `form`, or null when the call
 * goes through. The arguments were checked already.
 */
export function quirkFailure(
  quirks: MockQuirks,
  fn: CatalogFunction,
  form: URLSearchParams,
): QuirkFailure | null {
  if (quirks === "none") return null;
  // An optional argument sent empty or as 0 instead of being left out.
  for (const arg of fn.args) {
    if (!arg.nullable || arg.type === "bool") continue;
    const value = form.get(arg.name);
    if (value === "" || (value === "0" && arg.type === "number")) {
      return {
        fault: new ApiFault(
          `Invalid value for API argument ${arg.name}: the optional argument must be left out ` +
            `rather than sent as '${value}'.`,
          "System.ArgumentException",
        ),
        asResult: false,
      };
    }
  }
  const nullable = {
    fault: new ApiFault(NULLABLE, "System.InvalidOperationException"),
    asResult: true,
  };
  if (fn.name === "GetFolderStatistics") return nullable;
  if (fn.name === "GetWorkerResults") {
    const zone = zoneOf(form.get("timeZoneID") ?? "UTC");
    const from = localArgument("fromIncluding", form.get("fromIncluding") ?? "", zone);
    const to = localArgument("toExcluding", form.get("toExcluding") ?? "", zone);
    if (to - from > QUIRK_WORKER_RESULTS_DAYS * DAY) return nullable;
  }
  return null;
}
