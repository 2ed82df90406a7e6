/**
 * A health check of the whole SPE in one pass: the service's status messages, every instance's
 * state, its archive stores, and its archiving runs and jobs since a point in time. See
 * {@linkcode healthReport}.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { ArgumentError } from "./errors.ts";
import { type FleetReportOptions, forEachInstance } from "./fleet.ts";
import { invokeCall } from "./invoke_call.ts";
import type { Instance, ServiceMessage } from "./results.ts";
import {
  apiDate,
  errorLine,
  fromApiDate,
  instanceErrorLine,
  instanceSignal,
  isStop,
} from "./_reports.ts";
import { listInstances } from "./list_instances.ts";
import {
  acknowledgementOf,
  type HealthAcknowledgement,
  type HealthFindingAcknowledgement,
} from "./health_acknowledgements.ts";
import { HEALTH_FINDING_KINDS, type HealthFindingKind } from "./_health_kinds.ts";

export { HEALTH_FINDING_KINDS, type HealthFindingKind };

/**
 * One problem a {@linkcode healthReport} found: where, what is wrong and what to do.
 *
 * @example
 * ```ts
 * import type { HealthFinding } from "@mspe/mspe";
 * function line(finding: HealthFinding): string {
 *   return `${finding.severity} ${finding.instanceID ?? "(service)"}: ${finding.problem} ${finding.action}`;
 * }
 * ```
 */
export interface HealthFinding {
  /**
   * `critical` needs action now, `warning` needs a look: by the rule of its kind (see
   * {@linkcode HealthFindingKind}), whether or not it is acknowledged.
   */
  readonly severity: "critical" | "warning";
  /** What the finding is about. */
  readonly kind: HealthFindingKind;
  /** The instance, or `null` for a finding about the service as a whole. */
  readonly instanceID: string | null;
  /** What is wrong, one sentence. */
  readonly problem: string;
  /** What to do about it, with the command where there is one. */
  readonly action: string;
  /** How often it happened (failed runs of one profile, failed results of one job); else 1. */
  readonly occurrences: number;
  /** When it last happened (ISO 8601, UTC), for runs and jobs; else `null`. */
  readonly lastSeen: string | null;
  /**
   * The acknowledgement that covers it (see {@linkcode HealthReportOptions.acknowledgements}), or
   * `null`. One that has not `expired` keeps the finding out of the status and the counts.
   */
  readonly acknowledgement: HealthFindingAcknowledgement | null;
}

/**
 * The thresholds of the rules for failed archiving runs and jobs (see
 * {@linkcode HealthFindingKind}).
 *
 * @example
 * ```ts
 * import { DEFAULT_HEALTH_RULES } from "@mspe/mspe";
 * console.log(DEFAULT_HEALTH_RULES.profileFailedRuns); // 3
 * ```
 */
export interface HealthRules {
  /** A profile with no successful run since a failure more than this many hours ago is critical. */
  readonly profileFailedHours: number;
  /** A profile whose last this many runs failed is critical. */
  readonly profileFailedRuns: number;
  /** A job with no successful run since a failure more than this many hours ago is critical. */
  readonly jobFailedHours: number;
  /** A job whose last this many runs failed is critical. */
  readonly jobFailedRuns: number;
}

/**
 * The thresholds a {@linkcode healthReport} uses when its options give none: 24 hours, 3 runs.
 *
 * @example
 * ```ts
 * import { DEFAULT_HEALTH_RULES, healthReport, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * // Tolerate a failing profile for two days instead of one.
 * const report = await healthReport(client, {
 *   profileFailedHours: 2 * DEFAULT_HEALTH_RULES.profileFailedHours,
 * });
 * console.log(report.rules.profileFailedHours); // 48
 * ```
 */
export const DEFAULT_HEALTH_RULES: HealthRules = {
  profileFailedHours: 24,
  profileFailedRuns: 3,
  jobFailedHours: 24,
  jobFailedRuns: 3,
};

/**
 * The result of {@linkcode healthReport}.
 *
 * @example
 * ```ts
 * import type { HealthReport } from "@mspe/mspe";
 * function summary(report: HealthReport): string {
 *   return `${report.status}: ${report.findings.length} findings on ${report.instances} instances`;
 * }
 * ```
 */
export interface HealthReport {
  /** When the check ran (ISO 8601, UTC). */
  readonly checkedAt: string;
  /** The start of the window for runs and jobs (ISO 8601, UTC). */
  readonly since: string;
  /** How many instances were checked. */
  readonly instances: number;
  /** How many of them were running. */
  readonly runningInstances: number;
  /**
   * `critical` when a finding that is not acknowledged is critical, `warning` when there are
   * others not acknowledged, else `ok`.
   */
  readonly status: "ok" | "warning" | "critical";
  /**
   * The findings: service first, then by instance, most serious first within each. Acknowledged
   * findings are among them, with their `acknowledgement`.
   */
  readonly findings: readonly HealthFinding[];
  /**
   * The number of findings of each kind that are not acknowledged (every kind present, 0 when
   * none): what monitoring graphs and alerts on.
   */
  readonly counts: Readonly<Record<HealthFindingKind, number>>;
  /** How many findings an acknowledgement covers (not expired); they are not in `counts`. */
  readonly acknowledged: number;
  /** `true` when {@linkcode HealthReportOptions.stop} ended the report before every instance. */
  readonly incomplete: boolean;
  /** The instances not checked because the report was stopped early. */
  readonly notChecked: readonly string[];
  /** The thresholds the rules used. */
  readonly rules: HealthRules;
}

/**
 * Options of {@linkcode healthReport}.
 *
 * @example
 * ```ts
 * import type { HealthReportOptions } from "@mspe/mspe";
 * const options: HealthReportOptions = { since: "7d", instances: "acme*", concurrency: 16 };
 * console.log(options.since);
 * ```
 */
export interface HealthReportOptions extends FleetReportOptions {
  /**
   * The start of the window for failed runs and jobs: a `Date`, a duration back from now (`90m`,
   * `24h`, `7d`, `2w`) or an ISO 8601 date or date-time (`2026-05-01`, `2026-05-01T06:00:00Z`;
   * without a zone it is UTC). Default `24h`.
   */
  readonly since?: Date | string | undefined;
  /** The time the check counts back from; default now (for tests and reruns). */
  readonly now?: Date | undefined;
  /**
   * A profile with no successful run since a failure more than this many hours ago is critical
   * (else a warning). Default 24.
   */
  readonly profileFailedHours?: number | undefined;
  /** A profile whose last this many runs failed is critical (else a warning). Default 3. */
  readonly profileFailedRuns?: number | undefined;
  /** As `profileFailedHours`, for scheduled jobs. Default 24. */
  readonly jobFailedHours?: number | undefined;
  /** As `profileFailedRuns`, for scheduled jobs. Default 3. */
  readonly jobFailedRuns?: number | undefined;
  /**
   * Known problems (see {@linkcode parseAcknowledgements} to read a file of them): a finding one
   * covers is reported with it and does not raise the status until its `until` has passed.
   */
  readonly acknowledgements?: readonly HealthAcknowledgement[] | undefined;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Reads a `since` value: a duration back from `now` (`90m`, `24h`, `7d`, `2w`) or an ISO 8601 date
 * or date-time (UTC when it has no zone).
 *
 * @throws {ArgumentError} When it is neither, or lies in the future.
 *
 * @example
 * ```ts
 * import { parseSince } from "@mspe/mspe";
 * const now = new Date("2026-05-02T12:00:00Z");
 * console.log(parseSince("24h", now).toISOString()); // 2026-05-01T12:00:00.000Z
 * console.log(parseSince("2026-04-30", now).toISOString()); // 2026-04-30T00:00:00.000Z
 * ```
 */
export function parseSince(value: Date | string, now: Date = new Date()): Date {
  let since: Date;
  if (value instanceof Date) {
    since = value;
  } else {
    const text = value.trim();
    const duration = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(text);
    if (duration) {
      since = new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!);
    } else if (
      /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:[zZ]|[+-]\d\d:?\d\d)?$/.test(text)
    ) {
      const iso = text.replace(" ", "T");
      const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(iso) && iso.length > 10;
      since = new Date(zoned ? iso : iso.length === 10 ? `${iso}T00:00:00Z` : `${iso}Z`);
    } else {
      since = new Date(Number.NaN);
    }
    if (Number.isNaN(since.getTime())) {
      throw new ArgumentError(
        `"since" ${
          JSON.stringify(value)
        } is neither a duration nor a date. Give a duration such as 90m, 24h or 7d, ` +
          "or an ISO date such as 2026-05-01 or 2026-05-01T06:00:00Z.",
      );
    }
  }
  if (Number.isNaN(since.getTime())) {
    throw new ArgumentError('"since" is an invalid Date. Give a valid date or a duration.');
  }
  if (since.getTime() > now.getTime()) {
    throw new ArgumentError(
      `"since" (${since.toISOString()}) lies in the future. Give a point in the past, such as 24h.`,
    );
  }
  return since;
}

/** A worker result as `GetWorkerResults` returns it (functions.md §7). */
interface WorkerResult {
  readonly id?: number;
  readonly userName?: string | null;
  readonly profileId?: number;
  readonly profileName?: string | null;
  readonly result?: string;
  readonly startTime?: string;
  readonly completeTime?: string | null;
}

/** A job result as `GetJobResults` returns it (functions.md §7). */
interface JobResult {
  readonly jobResultId?: number;
  readonly jobId?: number;
  readonly action?: string;
  readonly startTime?: string;
  readonly completeTime?: string | null;
  readonly result?: string;
}

/** A store as `GetStores` returns it. */
interface StoreState {
  readonly id: number;
  readonly name: string;
  readonly error: string | null;
  readonly needsUpgrade?: boolean;
  readonly searchIndexesNeedRebuild?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function finding(
  severity: HealthFinding["severity"],
  kind: HealthFindingKind,
  instanceID: string | null,
  problem: string,
  action: string,
  occurrences = 1,
  lastSeen: string | null = null,
): HealthFinding {
  return {
    severity,
    kind,
    instanceID,
    problem,
    action,
    occurrences,
    lastSeen,
    acknowledgement: null,
  };
}

function serviceFindings(messages: readonly ServiceMessage[]): HealthFinding[] {
  const findings: HealthFinding[] = [];
  for (const message of messages) {
    if (message.type !== "warning" && message.type !== "error") continue;
    // The server names the instance in the text: "Instance acme on host01: ...".
    const instanceID = /^Instance (\S+) on /i.exec(message.text)?.[1] ?? null;
    const text = message.text.trim().replace(/\.?$/, ".");
    findings.push(finding(
      message.type === "error" ? "critical" : "warning",
      message.type === "error" ? "serviceError" : "serviceWarning",
      instanceID,
      `The service reports: ${text}`,
      /search ind/i.test(text)
        ? "Rebuild the search indexes the message names (SelectAllStoreIndexesForRebuild, then RebuildSelectedStoreIndexes)."
        : "Follow the message in the SPE management console (Service Status), or read it with `mspe-run call GetServiceStatus`.",
    ));
  }
  return findings;
}

/**
 * What a service message about an instance says, by the finding kinds of the instance's own checks
 * that cover it. SPE repeats in GetServiceStatus what the instance checks find (a stopped instance,
 * a store error, an upgrade, a rebuild); the instance's finding says more and names the command, so
 * the message is left out when such a finding exists. Other messages are always kept.
 */
const COVERED_BY: readonly (readonly [RegExp, readonly HealthFindingKind[]])[] = [
  [/not running|stopped|frozen/i, ["instanceNotRunning", "instanceStartStopError"]],
  [/could not be started|start|stop/i, ["instanceStartStopError"]],
  [/archive store '/i, ["storeError"]],
  [/upgrade/i, ["storeNeedsUpgrade"]],
  [/search ind/i, ["indexNeedsRebuild"]],
];

/**
 * The findings without the service messages that an instance's own finding already covers. A
 * message that quotes the instance's start/stop error is covered by its `instanceStartStopError`.
 */
function withoutRepeats(
  findings: readonly HealthFinding[],
  instances: readonly Instance[],
): HealthFinding[] {
  const startStopErrors = new Map(
    instances.filter((instance) => instance.startStopError).map((instance) => [
      instance.instanceID.toLowerCase(),
      instance.startStopError!.trim(),
    ]),
  );
  const kindsOf = new Map<string, Set<HealthFindingKind>>();
  for (const item of findings) {
    if (
      item.instanceID === null || item.kind === "serviceError" || item.kind === "serviceWarning"
    ) {
      continue;
    }
    const key = item.instanceID.toLowerCase();
    const kinds = kindsOf.get(key) ?? new Set();
    kinds.add(item.kind);
    kindsOf.set(key, kinds);
  }
  return findings.filter((item) => {
    if (item.kind !== "serviceError" && item.kind !== "serviceWarning") return true;
    if (item.instanceID === null) return true;
    const key = item.instanceID.toLowerCase();
    const startStopError = startStopErrors.get(key);
    if (startStopError && item.problem.includes(startStopError)) return false;
    const kinds = kindsOf.get(key);
    if (kinds === undefined) return true;
    const covering = COVERED_BY.find(([pattern]) => pattern.test(item.problem))?.[1] ?? [];
    return !covering.some((kind) => kinds.has(kind));
  });
}

function instanceFindings(instance: Instance): HealthFinding[] {
  const id = instance.instanceID;
  const findings: HealthFinding[] = [];
  if (instance.startStopError) {
    findings.push(finding(
      "critical",
      "instanceStartStopError",
      id,
      `The last start or stop of the instance failed: ${instance.startStopError.trim()}`,
      `Fix the cause on instance host ${instance.instanceHost}, then start it: ` +
        `mspe-run call StartInstances instanceFilter=${id}`,
    ));
  }
  if (instance.status !== "running") {
    const frozen = instance.status === "frozen";
    findings.push(finding(
      frozen ? "warning" : "critical",
      "instanceNotRunning",
      id,
      frozen
        ? "The instance is frozen: it archives nothing and users cannot log in."
        : `The instance is ${
          instance.status || "not running"
        }: it archives nothing and users cannot log in.`,
      frozen
        ? `Thaw it when the backup or maintenance is done: mspe-run call ThawInstances instanceFilter=${id}`
        : `Start it: mspe-run call StartInstances instanceFilter=${id}`,
    ));
  }
  return findings;
}

function storeFindings(id: string, stores: readonly StoreState[]): HealthFinding[] {
  const findings: HealthFinding[] = [];
  for (const store of stores) {
    const name = `Store ${store.id} (${store.name})`;
    if (store.error) {
      findings.push(finding(
        "critical",
        "storeError",
        id,
        `${name} has an error: ${store.error.trim()}`,
        `Verify it: mspe-run call VerifyStore instanceID=${id} id=${store.id} includeIndexes=true; ` +
          "then repair or recover it as the log advises (RepairStoreDatabase, RecoverStore).",
      ));
    }
    if (store.needsUpgrade) {
      findings.push(finding(
        "warning",
        "storeNeedsUpgrade",
        id,
        `${name} needs an upgrade to the current store format.`,
        `Upgrade it: mspe-run call UpgradeStore instanceID=${id} id=${store.id}`,
      ));
    }
    if (store.searchIndexesNeedRebuild) {
      findings.push(finding(
        "warning",
        "indexNeedsRebuild",
        id,
        `The search indexes of ${name.toLowerCase()} need a rebuild; searches miss messages.`,
        `Rebuild them: mspe-run call SelectAllStoreIndexesForRebuild instanceID=${id}, then ` +
          `mspe-run call RebuildSelectedStoreIndexes instanceID=${id}`,
      ));
    }
  }
  return findings;
}

function toStore(record: Record<string, unknown>): StoreState {
  return {
    id: typeof record.id === "number" ? record.id : Number(record.id),
    name: typeof record.name === "string" ? record.name : "",
    error: typeof record.error === "string" && record.error !== "" ? record.error : null,
    needsUpgrade: record.needsUpgrade === true,
    searchIndexesNeedRebuild: record.searchIndexesNeedRebuild === true,
  };
}

function latest(a: string | null, b: Date | null): string | null {
  if (b === null) return a;
  const iso = b.toISOString();
  return a === null || iso > a ? iso : a;
}

function timeOf(result: { startTime?: string; completeTime?: string | null }): Date | null {
  return fromApiDate(result.completeTime) ?? fromApiDate(result.startTime);
}

/** One run of a profile or a job, as the rules see it. */
interface Run {
  readonly failed: boolean;
  readonly time: Date;
}

/** What the rules make of the runs of one profile or job. */
interface RunJudgement {
  readonly severity: HealthFinding["severity"];
  /** Failed runs within `since`. */
  readonly failures: number;
  /** Failed runs since the last one that did not fail (0: the last run did not fail). */
  readonly trailing: number;
  /** The first of those failed runs, or null. */
  readonly failingSince: Date | null;
  /** The last run. */
  readonly lastRun: Date;
  /** The last failed run. */
  readonly lastFailure: Date;
}

/**
 * The rule of `workerFailed` and `jobFailed` (see {@linkcode HealthFindingKind}): `null` when no
 * run failed within `since`; critical when the last `limit.runs` runs failed or none succeeded
 * since a failure more than `limit.hours` ago; else a warning. `runs` may reach back before
 * `since`, so that a streak of failures that began earlier is seen whole.
 */
function judgeRuns(
  runs: readonly Run[],
  since: Date,
  now: Date,
  limit: { readonly hours: number; readonly runs: number },
): RunJudgement | null {
  const sorted = [...runs].sort((a, b) => a.time.getTime() - b.time.getTime());
  const inWindow = sorted.filter((run) => run.failed && run.time >= since);
  const lastFailure = inWindow.at(-1)?.time;
  const lastRun = sorted.at(-1)?.time;
  if (lastFailure === undefined || lastRun === undefined) return null;
  let trailing = 0;
  while (trailing < sorted.length && sorted[sorted.length - 1 - trailing]!.failed) trailing++;
  const failingSince = trailing === 0 ? null : sorted[sorted.length - trailing]!.time;
  const critical = trailing >= limit.runs ||
    (failingSince !== null && now.getTime() - failingSince.getTime() > limit.hours * 3_600_000);
  return {
    severity: critical ? "critical" : "warning",
    failures: inWindow.length,
    trailing,
    failingSince,
    lastRun,
    lastFailure,
  };
}

/** A time in findings: ISO 8601 to the second, UTC. */
function shortTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

/** The sentence of a `workerFailed` or `jobFailed` finding after its subject: how and since when. */
function failureStory(
  judged: RunJudgement,
  limit: { readonly hours: number; readonly runs: number },
  users: string,
): string {
  const times = judged.failures === 1 ? "once" : `${judged.failures} times`;
  const head = `failed ${times}${users}`;
  if (judged.failingSince === null) {
    return `${head}, then succeeded (last run ${shortTime(judged.lastRun)}).`;
  }
  const streak = judged.trailing === 1 ? "its last run" : `its last ${judged.trailing} runs`;
  const since = shortTime(judged.failingSince);
  return judged.severity === "critical"
    ? `${head}: ${streak} failed, no successful run since ${since} ` +
      `(critical after ${limit.runs} failed runs in a row or ${limit.hours} h without success).`
    : `${head}: ${streak} failed, since ${since}; critical after ${limit.runs} failed runs in a ` +
      `row or ${limit.hours} h without success.`;
}

function workerFindings(
  id: string,
  results: readonly WorkerResult[],
  since: Date,
  now: Date,
  limit: { readonly hours: number; readonly runs: number },
): HealthFinding[] {
  // One finding per profile and outcome: a profile that runs every few minutes and fails each time
  // is one problem, not hundreds.
  const profiles = new Map<string, {
    profile: string;
    profileId: number | undefined;
    runs: Run[];
    users: Set<string>;
    lastFailedId: number | undefined;
    lastFailed: number;
    withErrors: {
      count: number;
      users: Set<string>;
      last: string | null;
      lastId: number | undefined;
    };
  }>();
  for (const run of results) {
    const time = timeOf(run);
    if (time === null || run.result === undefined) continue;
    const profile = run.profileName ?? `profile ${run.profileId ?? "?"}`;
    const key = String(run.profileId ?? profile);
    let group = profiles.get(key);
    if (!group) {
      group = {
        profile,
        profileId: run.profileId,
        runs: [],
        users: new Set(),
        lastFailedId: undefined,
        lastFailed: -Infinity,
        withErrors: { count: 0, users: new Set(), last: null, lastId: undefined },
      };
      profiles.set(key, group);
    }
    const failed = run.result === "failed";
    group.runs.push({ failed, time });
    if (failed && time >= since) {
      if (run.userName) group.users.add(run.userName);
      if (time.getTime() >= group.lastFailed) {
        group.lastFailed = time.getTime();
        group.lastFailedId = run.id;
      }
    }
    if (run.result === "completedWithErrors" && time >= since) {
      const errors = group.withErrors;
      errors.count++;
      if (run.userName) errors.users.add(run.userName);
      const seen = latest(errors.last, time);
      if (seen !== errors.last || errors.lastId === undefined) errors.lastId = run.id;
      errors.last = seen;
    }
  }
  const findings: HealthFinding[] = [];
  for (const group of profiles.values()) {
    const rerun = group.profileId !== undefined
      ? `; run it again: mspe-run call RunProfile instanceID=${id} id=${group.profileId}`
      : "";
    const reportOf = (runId: number | undefined) =>
      runId !== undefined
        ? `mspe-run call GetWorkerResultReport instanceID=${id} id=${runId}`
        : `mspe-run call GetWorkerResults instanceID=${id}`;
    const judged = judgeRuns(group.runs, since, now, limit);
    if (judged !== null) {
      const subject = `Archiving profile "${group.profile}"`;
      findings.push(finding(
        judged.severity,
        "workerFailed",
        id,
        `${subject} ${failureStory(judged, limit, userList(group.users))}`,
        judged.failingSince === null
          ? `Nothing to do unless it fails again; the failed run's report says why (${
            reportOf(group.lastFailedId)
          }).`
          : `Read the run's report (${
            reportOf(group.lastFailedId)
          }), fix the cause (credentials, mailbox access, server reachability)${rerun}`,
        judged.failures,
        judged.lastFailure.toISOString(),
      ));
    }
    const errors = group.withErrors;
    if (errors.count > 0) {
      const times = errors.count === 1 ? "once" : `${errors.count} times`;
      findings.push(finding(
        "warning",
        "workerCompletedWithErrors",
        id,
        `Archiving profile "${group.profile}" completed with errors ${times}${
          userList(errors.users)
        }; some messages were not archived.`,
        `Read the run's report (${
          reportOf(errors.lastId)
        }), fix the cause (credentials, mailbox access, server reachability)${rerun}`,
        errors.count,
        errors.last,
      ));
    }
  }
  return findings;
}

/** Up to three user names, for a finding: " (a, b, c, …)", or "" for none. */
function userList(users: ReadonlySet<string>): string {
  return users.size > 0
    ? ` (${[...users].slice(0, 3).join(", ")}${users.size > 3 ? ", …" : ""})`
    : "";
}

function jobFindings(
  id: string,
  results: readonly JobResult[],
  since: Date,
  now: Date,
  limit: { readonly hours: number; readonly runs: number },
): HealthFinding[] {
  const jobs = new Map<number | string, { action: string; runs: Run[] }>();
  for (const run of results) {
    const time = timeOf(run);
    if (time === null || run.result === undefined) continue;
    const key = run.jobId ?? run.action ?? "?";
    const group = jobs.get(key) ?? { action: run.action ?? "a job", runs: [] };
    group.runs.push({ failed: run.result === "failed", time });
    jobs.set(key, group);
  }
  const findings: HealthFinding[] = [];
  for (const [jobId, group] of jobs) {
    const judged = judgeRuns(group.runs, since, now, limit);
    if (judged === null) continue;
    const subject = `Job ${typeof jobId === "number" ? `${jobId} ` : ""}(${group.action})`;
    const read = typeof jobId === "number"
      ? `mspe-run call GetJobResults instanceID=${id} jobId=${jobId} ...`
      : `mspe-run call GetJobResults instanceID=${id}`;
    findings.push(finding(
      judged.severity,
      "jobFailed",
      id,
      `${subject} ${failureStory(judged, limit, "")}`,
      judged.failingSince === null
        ? `Nothing to do unless it fails again; its results say why (${read}).`
        : typeof jobId === "number"
        ? `Read its results (${read}), fix the cause, ` +
          `and run it again: mspe-run call RunJobAsync instanceID=${id} id=${jobId}`
        : `Read its results with ${read}, and fix the cause.`,
      judged.failures,
      judged.lastFailure.toISOString(),
    ));
  }
  return findings;
}

function checkFailed(id: string | null, what: string, error: unknown): HealthFinding {
  return finding(
    "warning",
    "checkFailed",
    id,
    `Could not check ${what}: ${errorLine(error)}`,
    /service provider access|archive ?admin/i.test(errorLine(error))
      ? `Enable service provider access for the instance (mspe-run call SetArchiveAdminEnabled instanceID=${id} enabled=true), or check it by hand.`
      : "Check the instance by hand, and run the report again.",
  );
}

/** What the check of one instance needs to know besides the instance. */
interface CheckWindow {
  readonly since: Date;
  readonly now: Date;
  readonly rules: HealthRules;
}

/**
 * The start of the runs read for the rules: `since`, or earlier when the rule's hours reach back
 * further, so that a run of failures that began before `since` is seen with its beginning (twice
 * the hours: a failure exactly at the edge is judged with the run before it).
 */
function readFrom(window: CheckWindow, hours: number): string {
  const back = Math.min(window.since.getTime(), window.now.getTime() - 2 * hours * 3_600_000);
  return apiDate(new Date(back));
}

/** Checks one running instance: its stores, its archiving runs and its jobs, one call at a time. */
async function checkInstance(
  client: Client<"spe">,
  id: string,
  window: CheckWindow,
  signal: AbortSignal,
): Promise<HealthFinding[]> {
  const findings: HealthFinding[] = [];
  // Each part on its own: an instance without service provider access still has its stores checked.
  const part = async (what: string, run: () => Promise<HealthFinding[]>) => {
    try {
      findings.push(...await run());
    } catch (error) {
      if (isStop(error) || signal.aborted) throw error;
      findings.push(checkFailed(id, what, error));
    }
  };
  const { since, now, rules } = window;
  const to = apiDate(new Date(now.getTime() + 1000));
  await part("its archive stores", async () => {
    const status = await invokeCall(client, "GetStores", { instanceID: id }, { signal });
    return storeFindings(id, records(status.result).map(toStore));
  });
  // From far enough back to judge a streak of failures that began before `since`.
  const range = (hours: number) => ({
    instanceID: id,
    fromIncluding: readFrom(window, hours),
    toExcluding: to,
  });
  await part("its archiving runs", async () => {
    // The API spells the time zone argument timeZoneID here and timeZoneId for jobs.
    const args = { ...range(rules.profileFailedHours), timeZoneID: "UTC" };
    const rows = records((await invokeCall(client, "GetWorkerResults", args, { signal })).result);
    const limits = { hours: rules.profileFailedHours, runs: rules.profileFailedRuns };
    return workerFindings(id, rows as WorkerResult[], since, now, limits);
  });
  await part("its jobs", async () => {
    const args = { ...range(rules.jobFailedHours), timeZoneId: "UTC" };
    const rows = records((await invokeCall(client, "GetJobResults", args, { signal })).result);
    const limits = { hours: rules.jobFailedHours, runs: rules.jobFailedRuns };
    return jobFindings(id, rows as JobResult[], since, now, limits);
  });
  return findings;
}

/** The thresholds of the options, checked, with the defaults for those not given. */
function readRules(options: HealthReportOptions): HealthRules {
  const rules: Record<keyof HealthRules, number> = { ...DEFAULT_HEALTH_RULES };
  for (const name of Object.keys(DEFAULT_HEALTH_RULES) as (keyof HealthRules)[]) {
    const value = options[name];
    if (value === undefined) continue;
    const hours = name.endsWith("Hours");
    const ok = hours
      ? Number.isFinite(value) && value > 0
      : Number.isInteger(value) && value >= 1 && value <= 1000;
    if (!ok) {
      throw new ArgumentError(
        `"${name}" ${value} is not ${
          hours ? "a positive number of hours" : "a whole number of runs from 1 to 1000"
        }. Leave it out for the default, ${DEFAULT_HEALTH_RULES[name]}.`,
      );
    }
    rules[name] = value;
  }
  return rules;
}

/**
 * True when an acknowledgement that has not expired covers the finding: it is reported, but does
 * not raise the status and is not counted.
 *
 * @example
 * ```ts
 * import { healthReport, isAcknowledged, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const report = await healthReport(client);
 * console.log(report.findings.filter((finding) => !isAcknowledged(finding)).length);
 * ```
 */
export function isAcknowledged(finding: HealthFinding): boolean {
  return finding.acknowledgement !== null && !finding.acknowledgement.expired;
}

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

function sortFindings(findings: HealthFinding[]): HealthFinding[] {
  const kindOrder = new Map(HEALTH_FINDING_KINDS.map((kind, i) => [kind, i]));
  return findings.sort((a, b) =>
    (a.instanceID === null ? -1 : 0) - (b.instanceID === null ? -1 : 0) ||
    (a.instanceID ?? "").localeCompare(b.instanceID ?? "") ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (kindOrder.get(a.kind) ?? 0) - (kindOrder.get(b.kind) ?? 0)
  );
}

/**
 * Checks the whole SPE in one pass and returns what needs attention: the service's warnings and
 * errors (`GetServiceStatus`), instances that are not running or whose start or stop failed
 * (`GetInstances`), archive stores with an error, that need an upgrade or whose search indexes need a
 * rebuild (`GetStores`), archiving runs that failed or completed with errors (`GetWorkerResults`) and
 * jobs that failed (`GetJobResults`) since `since`. Each finding names the instance, what is wrong
 * and what to do, and its severity follows the rule of its kind (the table is at
 * {@linkcode HealthFindingKind}): a failed profile or job is critical only when it keeps failing
 * (`profileFailedRuns` runs in a row, or no success for `profileFailedHours`), a warning when it
 * recovered. Findings that `acknowledgements` cover are reported as such and do not raise the
 * status until they expire. SPE repeats stopped instances and store problems among its service messages;
 * such a message is left out when the instance's own finding says the same, and with a selection
 * of instances, so are messages about other instances.
 *
 * The instances are checked through {@linkcode forEachInstance}, `concurrency` at a time, each
 * making one call at a time. A call that fails for one instance (service provider access disabled,
 * say) becomes a `checkFailed` finding; the others go on. An error that stops the whole check
 * (wrong password, unreachable server, abort) rejects the promise.
 *
 * @param client An SPE client from {@linkcode newClient}.
 * @param options The window for runs and jobs, which instances, the bound, a signal.
 * @returns The findings, their counts by kind, and the overall status.
 * @throws {ArgumentError} For a bad `since`, `instances` or `concurrency`, or a MailStore Server client.
 *
 * @example Print what needs attention since yesterday
 * ```ts
 * import { healthReport, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const report = await healthReport(client, { since: "24h" });
 * console.log(report.status); // "ok", "warning" or "critical"
 * for (const finding of report.findings) {
 *   console.log(`${finding.severity} ${finding.instanceID ?? "service"}: ${finding.problem}`);
 *   console.log(`  -> ${finding.action}`);
 * }
 * ```
 */
export async function healthReport(
  client: Client<"spe">,
  options: HealthReportOptions = {},
): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const since = parseSince(options.since ?? "24h", now);
  const rules = readRules(options);
  const signal = options.signal;
  signal?.throwIfAborted();
  const service = await invokeCall(client, "GetServiceStatus", undefined, { signal });
  const { found, missing } = await listInstances(client, options.instances, { signal });
  // With a selection, messages about instances outside it are not this report's business.
  const selected = new Set(found.map((instance) => instance.instanceID.toLowerCase()));
  const everything = options.instances === undefined || options.instances === "*";
  const findings = serviceFindings(service.result?.messages ?? []).filter((item) =>
    everything || item.instanceID === null || selected.has(item.instanceID.toLowerCase())
  );
  for (const id of missing) {
    findings.push(finding(
      "warning",
      "instanceNotFound",
      id,
      "No instance has this ID.",
      "Check the ID (mspe-run call GetInstances instanceFilter=*), or leave it out of the list.",
    ));
  }
  const running: string[] = [];
  for (const instance of found) {
    if (instance.instanceID.trim() === "") {
      // Not checkable (nor nameable): a finding that says so, never the end of the check.
      findings.push(finding(
        "warning",
        "checkFailed",
        instance.instanceID,
        "The server lists an instance with an empty ID; it could not be checked.",
        "Look at the instance list on the server (mspe-run call GetInstances instanceFilter=*).",
      ));
      continue;
    }
    findings.push(...instanceFindings(instance));
    if (instance.status === "running") running.push(instance.instanceID);
  }
  const checked = new Set<string>();
  if (running.length > 0) {
    const window: CheckWindow = { since, now, rules };
    const outcomes = forEachInstance(
      client,
      (id, context) =>
        checkInstance(
          client,
          id,
          window,
          instanceSignal(context.signal, options.instanceTimeoutMs),
        ),
      {
        instances: running,
        concurrency: options.concurrency,
        signal,
        stop: options.stop,
        onProgress: options.onProgress,
      },
    );
    for await (const outcome of outcomes) {
      checked.add(outcome.instanceID);
      if (outcome.ok) findings.push(...outcome.value);
      else if (isStop(outcome.error) && signal?.aborted) throw signal.reason;
      else {
        findings.push(checkFailed(
          outcome.instanceID,
          "the instance",
          new Error(instanceErrorLine(outcome.error, options.instanceTimeoutMs)),
        ));
      }
    }
  }
  const notChecked = running.filter((id) => !checked.has(id));
  signal?.throwIfAborted();
  // Acknowledgements apply last: a service message an acknowledged finding covers is left out
  // as it would be without the acknowledgement.
  const acks = options.acknowledgements ?? [];
  const reported = sortFindings(withoutRepeats(findings, found)).map((item) => {
    const acknowledgement = acknowledgementOf(item, acks, now);
    return acknowledgement === null ? item : { ...item, acknowledgement };
  });
  const counts = Object.fromEntries(HEALTH_FINDING_KINDS.map((kind) => [kind, 0])) as Record<
    HealthFindingKind,
    number
  >;
  const alerting = reported.filter((item) => !isAcknowledged(item));
  for (const item of alerting) counts[item.kind]++;
  return {
    checkedAt: now.toISOString(),
    since: since.toISOString(),
    instances: found.length,
    runningInstances: running.length,
    status: alerting.some((item) => item.severity === "critical")
      ? "critical"
      : alerting.length > 0
      ? "warning"
      : "ok",
    findings: reported,
    counts,
    acknowledged: reported.length - alerting.length,
    incomplete: notChecked.length > 0,
    notChecked,
    rules,
  };
}
