/**
 * The kinds of finding of the health report, in a module of their own so that the report and its
 * acknowledgements can both use them without importing each other.
 *
 * @module
 */

/**
 * What a {@linkcode HealthFinding} is about, and the rule that gives its severity. The thresholds
 * are options of {@linkcode healthReport} (and flags and profile keys of `mspe-run report health`).
 *
 * | Kind | Critical when | Warning when |
 * | --- | --- | --- |
 * | `serviceError` | always: `GetServiceStatus` reports an error | never |
 * | `serviceWarning` | never | always: `GetServiceStatus` reports a warning |
 * | `instanceNotRunning` | the instance is stopped (or in another state than running or frozen) | it is frozen |
 * | `instanceStartStopError` | always: its last start or stop failed | never |
 * | `storeError` | always: an archive store reports an error | never |
 * | `storeNeedsUpgrade` | never | a store must be upgraded to the current format |
 * | `indexNeedsRebuild` | never | a store's search indexes must be rebuilt |
 * | `workerFailed` | a profile's last `profileFailedRuns` runs (default 3) failed, or it has had no successful run since a failure more than `profileFailedHours` ago (default 24) | it failed within `since` but does not meet the critical rule (it failed and then succeeded, or failed only recently) |
 * | `workerCompletedWithErrors` | never | a run completed with errors within `since` (some messages were not archived) |
 * | `jobFailed` | as `workerFailed`, per job, with `jobFailedRuns` (default 3) and `jobFailedHours` (default 24) | as `workerFailed` |
 * | `instanceNotFound` | never | an instance ID that was asked for does not exist |
 * | `checkFailed` | never | part of the check could not be made (the call failed); the finding says which |
 *
 * A finding that an acknowledgement covers (see {@linkcode HealthAcknowledgement}) is reported
 * with it and does not raise the report's status, whatever its severity, until the
 * acknowledgement expires.
 *
 * @example
 * ```ts
 * import type { HealthFindingKind } from "@mspe/mspe";
 * const kind: HealthFindingKind = "storeError";
 * console.log(kind);
 * ```
 */
export type HealthFindingKind =
  | "serviceError"
  | "serviceWarning"
  | "instanceNotRunning"
  | "instanceStartStopError"
  | "storeError"
  | "storeNeedsUpgrade"
  | "indexNeedsRebuild"
  | "workerFailed"
  | "workerCompletedWithErrors"
  | "jobFailed"
  | "instanceNotFound"
  | "checkFailed";

/**
 * Every {@linkcode HealthFindingKind}, in the order reports list them.
 *
 * @example Counting findings by kind
 * ```ts
 * import { HEALTH_FINDING_KINDS, healthReport, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const { findings } = await healthReport(client);
 * for (const kind of HEALTH_FINDING_KINDS) {
 *   console.log(kind, findings.filter((finding) => finding.kind === kind).length);
 * }
 * ```
 */
export const HEALTH_FINDING_KINDS: readonly HealthFindingKind[] = [
  "serviceError",
  "serviceWarning",
  "instanceNotRunning",
  "instanceStartStopError",
  "storeError",
  "storeNeedsUpgrade",
  "indexNeedsRebuild",
  "workerFailed",
  "workerCompletedWithErrors",
  "jobFailed",
  "instanceNotFound",
  "checkFailed",
];
