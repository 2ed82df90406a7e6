/**
 * The seeded history of an instance (archiving profiles, their worker results and the job results of
 * the last 30 days) and the problems a health check should find (`problems: none | some | many`).
 *
 * What is stored in the state stays small and plain: the profiles, a {@linkcode HistorySeed} (a few
 * numbers and the seeded profile runs) and what happened after seeding. The seeded rows themselves are
 * recomputed from the seed on first use and cached outside the state, so a saved state does not carry
 * 30 days of rows per instance and the same seed always gives the same rows.
 *
 * @module
 */

import type { MockInstance, MockJob, MockStore, ProblemLevel } from "./_model.ts";
import { mix, prng } from "./_random.ts";
import { DAY, localToUtc, zoneOf } from "./_time.ts";

/** The `result` of a worker result or job result. */
export type RunResult = "succeeded" | "completedWithWarnings" | "completedWithErrors" | "failed";

/** An archiving or export profile (GetProfiles with raw=true). Values of `details` are strings. */
export interface MockProfile {
  /** Profile ID, unique per instance. */
  id: number;
  /** Name. */
  name: string;
  /** Owner (a user of the instance, `$archiveadmin` for the service provider's profiles). */
  owner: string;
  /** `I` (archiving) or `E` (export). */
  type: string;
  /** The connector, e.g. `MicrosoftExchangeOnline`, `IMAP`, `FileSystem`. */
  connector: string;
  /** Connector settings, all strings (as the real server sends them). */
  details: Record<string, string>;
  /** Automatic server-side execution, strings as the real server sends them. */
  serverSideExecution: {
    automatic: string;
    automaticPauseBetweenExecutions: string | null;
    automaticMaintenanceWindows: string | null;
  };
  /** Changes with every change of the profile (our guess of the `version` field). */
  version: number;
}

/** One profile execution (GetWorkerResults). Times are UTC epoch milliseconds. */
export interface MockWorkerResult {
  /** Worker result ID, ascending with the start time. */
  id: number;
  /** The user the profile archives for (`$archiveadmin` for multi-mailbox profiles). */
  userName: string;
  /** The profile's ID (null for RunTemporaryProfile). */
  profileId: number | null;
  /** The profile's name at the time of the run. */
  profileName: string;
  /** The outcome. */
  result: RunResult;
  /** Messages archived. */
  itemsArchived: number;
  /** Start (UTC ms). */
  startTime: number;
  /** End (UTC ms). */
  completeTime: number;
  /** The machine that ran it (the instance host for server-side runs, the user's PC otherwise). */
  machineName: string;
  /** What went wrong, for a result other than `succeeded`. */
  message: string | null;
}

/** One execution of a scheduled job (GetJobResults). Times are UTC epoch milliseconds. */
export interface MockJobResult {
  /** Job result ID. */
  jobResultId: number;
  /** The job. */
  jobId: number;
  /** The job's action. */
  action: string;
  /** Start (UTC ms). */
  startTime: number;
  /** End (UTC ms). */
  completeTime: number;
  /** `succeeded` or `failed`. */
  result: RunResult;
}

/** A RunJobAsync run that has not ended yet; it ends when a reader looks after `endAt`. */
export interface MockJobRun {
  /** The job. */
  jobId: number;
  /** Start (UTC ms). */
  startTime: number;
  /** When it ends (UTC ms). */
  endAt: number;
}

/** A profile's seeded schedule: what the generator needs to write its worker results. */
export interface SeedRun {
  /** Profile ID. */
  profileId: number;
  /** Profile name. */
  profileName: string;
  /** Its user. */
  userName: string;
  /** Hours between two runs (24 = daily, 168 = weekly). */
  everyHours: number;
  /** Minutes after the full hour (UTC) it starts. */
  minute: number;
  /** Only Monday to Friday (client-side Outlook profiles). */
  weekdaysOnly: boolean;
  /** The machine. */
  machineName: string;
  /** Mailboxes it archives (for itemsArchived). */
  mailboxes: number;
  /** Export profiles archive nothing. */
  exports: boolean;
}

/** A scheduled job's seeded runs. */
export interface SeedJob {
  /** Job ID. */
  id: number;
  /** Its action. */
  action: string;
  /** Its daily time, "hh:mm:ss", in `timeZoneId`. */
  time: string;
  /** Its time zone. */
  timeZoneId: string;
  /** Runs stop here (UTC ms) for a job disabled during the 30 days, else null. */
  until: number | null;
}

/** The small, serializable input the seeded rows are recomputed from. */
export interface HistorySeed {
  /** Generator seed. */
  seed: number;
  /** Start of the window (UTC ms). */
  from: number;
  /** End of the window (UTC ms): the time the state was seeded. */
  to: number;
  /** The first worker result ID. */
  workerIdBase: number;
  /** The first job result ID. */
  jobIdBase: number;
  /** Profile runs. */
  runs: SeedRun[];
  /** Job runs. */
  jobs: SeedJob[];
  /** The profile that fails from `failingSince` (a problem), or null. */
  failingProfileId: number | null;
  /** When it starts failing (UTC ms). */
  failingSince: number;
  /** When VerifyStores starts failing because of a store error (UTC ms), or null. */
  storeErrorSince: number | null;
  /** Runs stop here for an instance that was stopped (UTC ms), or null. */
  stoppedAt: number | null;
  /**
   * The profile that failed once about half a day before seeding and succeeded after (a health
   * warning, not an alert), or null; absent in states saved before it existed.
   */
  flakyProfileId?: number | null;
  /** No run fails by chance (`problems: none`: nothing for a health check to find). */
  quiet?: boolean;
}

/** Per instance: the profiles, the history seed and what happened after seeding. */
export interface InstanceActivity {
  /** Profiles (GetProfiles). */
  profiles: MockProfile[];
  /** Next profile ID. */
  nextProfileId: number;
  /** The seeded history, or null for an instance created through the API. */
  seed: HistorySeed | null;
  /** Worker results added after seeding, in time order. */
  workerResults: MockWorkerResult[];
  /** Job results added after seeding, in time order. */
  jobResults: MockJobResult[];
  /** RunJobAsync runs not yet ended. */
  jobRuns: MockJobRun[];
  /** Counters of the current process (GetInstanceProcessLiveStatistics); reset when it changes. */
  process: { processID: number | null; startedAt: number; archived: number; checked: number };
  /** One-time URLs made for `$archiveadmin` (CreateClientOneTimeUrlForArchiveAdmin). */
  oneTimeUrls: { url: string; createdUtc: string }[];
}

/** The problems planned for one seeded instance, applied when its content is generated. */
export interface PlannedProblems {
  /** Its oldest archive store has an error. */
  storeError: boolean;
  /** An archive store needs an upgrade. */
  needsUpgrade: boolean;
  /** The search indexes of an archive store need a rebuild. */
  indexRebuild: boolean;
  /** Its Microsoft 365 profile fails for the last two days. */
  failingProfile: boolean;
  /** Its Microsoft 365 profile failed once about half a day ago, and succeeded since. */
  flakyProfile: boolean;
  /** It was stopped at this time (UTC ms), or null. */
  stoppedAt: number | null;
}

/** The error text of the planned store error (`{path}` is the store's database path). */
export const STORE_ERROR =
  "The archive store could not be opened: The process cannot access the file '{path}\\MailStore.fdb' because it is being used by another process.";
/** The start/stop error of the planned instance that failed to start. */
export const START_ERROR =
  "The instance process could not be started: The base directory is not accessible (Access is denied).";
/** Why the failing profile fails. */
export const PROFILE_ERROR =
  "Login to Microsoft 365 failed: AADSTS7000222: The provided client secret keys for app '3f2c9a61' are expired.";

/** How many instances get each problem. */
function problemCount(level: ProblemLevel, candidates: number, share: number): number {
  if (level === "none" || candidates === 0) return 0;
  if (level === "some") return 1;
  return Math.max(2, Math.min(candidates, Math.round(candidates * share)));
}

/** Picks `count` distinct items, deterministically. */
function pick<T>(items: readonly T[], count: number, random: () => number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) {
    chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  }
  return chosen;
}

/**
 * Plans the problems of the seeded instances and applies the instance-level ones at once (a stopped
 * instance, an instance whose start failed). The first three instances (acme, globex, initech: the
 * ones examples and tests name) always stay running; store-level problems may land anywhere.
 */
export function planProblems(
  instances: readonly MockInstance[],
  level: ProblemLevel,
  seed: number,
  now: number,
  spe: boolean,
): Map<number, PlannedProblems> {
  const plan = new Map<number, PlannedProblems>();
  if (level === "none" || instances.length === 0) return plan;
  const random = prng(mix(seed, 21));
  const entry = (instance: MockInstance): PlannedProblems => {
    let planned = plan.get(instance.seedIndex);
    if (planned === undefined) {
      planned = {
        storeError: false,
        needsUpgrade: false,
        indexRebuild: false,
        failingProfile: false,
        flakyProfile: false,
        stoppedAt: null,
      };
      plan.set(instance.seedIndex, planned);
    }
    return planned;
  };
  if (spe) {
    // "some" stops the fourth instance and fails the start of the fifth (umbrella and hooli).
    const spare = instances.slice(3);
    const stopped = level === "some"
      ? spare.slice(0, 1)
      : pick(spare, problemCount(level, spare.length, 0.05), random);
    const rest = spare.filter((instance) => !stopped.includes(instance));
    const failed = level === "some"
      ? rest.slice(0, 1)
      : pick(rest, problemCount(level, rest.length, 0.03), random);
    for (const instance of [...stopped, ...failed]) {
      instance.status = "stopped";
      instance.processID = null;
      entry(instance).stoppedAt = now - Math.floor((1 + random() * 3) * DAY);
    }
    for (const instance of failed) instance.startStopError = START_ERROR;
  }
  const running = instances.filter((instance) => instance.status === "running");
  const kinds = ["storeError", "needsUpgrade", "indexRebuild", "failingProfile"] as const;
  const start = Math.floor(random() * running.length);
  kinds.forEach((kind, k) => {
    const chosen = level === "some"
      // Spread over consecutive instances so that a small SPE shows each problem once.
      ? [running[(start + k) % running.length]!]
      : pick(running, problemCount(level, running.length, 0.08), random);
    for (const instance of chosen) entry(instance)[kind] = true;
  });
  // Picked after the others, so that adding it moved none of them: a profile that failed once and
  // recovered, which a health check reports as a warning.
  const flaky = level === "some"
    ? [running[(start + kinds.length) % running.length]!]
    : pick(running, problemCount(level, running.length, 0.08), random);
  for (const instance of flaky) {
    if (!entry(instance).failingProfile) entry(instance).flakyProfile = true;
  }
  return plan;
}

function initials(userName: string): string {
  return userName.split(/[.\s]/).map((part) => part.charAt(0).toUpperCase()).join("");
}

/**
 * Seeds the profiles and the history of an instance when its content is generated, and applies its
 * planned store problems to `stores`. `seeded` is false for an instance created through the API: it
 * starts with no profiles and no history.
 */
export function seedActivity(
  instance: MockInstance,
  options: {
    seed: number;
    now: number;
    seeded: boolean;
    userNames: readonly string[];
    stores: MockStore[];
    jobs: readonly MockJob[];
    planned: PlannedProblems | undefined;
    /** `none`: no run fails by chance either. */
    problems?: ProblemLevel;
    machineName: string;
  },
): InstanceActivity {
  const activity: InstanceActivity = {
    profiles: [],
    nextProfileId: 1,
    seed: null,
    workerResults: [],
    jobResults: [],
    jobRuns: [],
    process: { processID: instance.processID, startedAt: options.now, archived: 0, checked: 0 },
    oneTimeUrls: [],
  };
  if (!options.seeded) return activity;
  const random = prng(mix(options.seed, 22, instance.seedIndex));
  const planned = options.planned;
  const domain = instance.instanceID === "" ? "example.com" : `${instance.instanceID}.example.com`;
  // $archiveadmin has no mailbox of its own.
  const userNames = options.userNames.filter((name) => name !== "$archiveadmin");
  const mailboxes = Math.max(1, userNames.length);
  const runs: SeedRun[] = [];
  const add = (
    profile: Omit<MockProfile, "id" | "version">,
    run: Omit<SeedRun, "profileId" | "profileName">,
  ): void => {
    const id = activity.nextProfileId++;
    activity.profiles.push({ id, ...profile, version: 1 });
    runs.push({ profileId: id, profileName: profile.name, ...run });
  };
  const automatic = (pause: number | null) => ({
    automatic: pause === null ? "false" : "true",
    automaticPauseBetweenExecutions: pause === null ? null : String(pause),
    automaticMaintenanceWindows: null,
  });
  add({
    name: "Microsoft 365 Mailboxes",
    owner: "$archiveadmin",
    type: "I",
    connector: "MicrosoftExchangeOnline",
    details: {
      tenantId: "8f3c1e52-5d7a-4b1e-9c0d-2a6f4e8b9d13",
      applicationId: "3f2c9a61-0b4e-4d8f-a1c7-5e9b2d6f8a04",
      mailboxes: "all",
      deleteAfterArchiving: "0",
      timeout: "0",
    },
    serverSideExecution: automatic(21600),
  }, {
    userName: "$archiveadmin",
    everyHours: 6,
    minute: Math.floor(random() * 60),
    weekdaysOnly: false,
    machineName: options.machineName,
    mailboxes,
    exports: false,
  });
  if (random() < 0.5) {
    add({
      name: "Exchange Journal",
      owner: "$archiveadmin",
      type: "I",
      connector: "MicrosoftExchangeJournal",
      details: {
        emailAddress: `journal@${domain}`,
        host: `mail.${domain}`,
        ignoreSSLPolicyErrors: "0",
        timeout: "0",
      },
      serverSideExecution: automatic(14400),
    }, {
      userName: "$archiveadmin",
      everyHours: 4,
      minute: Math.floor(random() * 60),
      weekdaysOnly: false,
      machineName: options.machineName,
      mailboxes,
      exports: false,
    });
  }
  for (const userName of userNames.slice(0, 3)) {
    add({
      name: `IMAP ${userName}`,
      owner: userName,
      type: "I",
      connector: "IMAP",
      details: {
        emailAddress: `${userName}@${domain}`,
        host: `imap.${domain}`,
        protocol: "IMAP-TLS",
        userName,
        targetUserFolder: userName,
        ignoreSSLPolicyErrors: "0",
        timeout: "0",
      },
      serverSideExecution: automatic(86400),
    }, {
      userName,
      everyHours: 24,
      minute: Math.floor(random() * 60),
      weekdaysOnly: false,
      machineName: options.machineName,
      mailboxes: 1,
      exports: false,
    });
  }
  const outlookUser = userNames[3];
  if (outlookUser !== undefined) {
    add({
      name: "Outlook",
      owner: outlookUser,
      type: "I",
      connector: "Outlook",
      details: { targetUserFolder: outlookUser, folders: "all" },
      serverSideExecution: automatic(null),
    }, {
      userName: outlookUser,
      everyHours: 24,
      minute: Math.floor(random() * 60),
      weekdaysOnly: true,
      machineName: `PC-${initials(outlookUser)}`,
      mailboxes: 1,
      exports: false,
    });
  }
  add({
    name: "Export to File System",
    owner: "$archiveadmin",
    type: "E",
    connector: "FileSystem",
    details: { path: `${instance.baseDirectory}\\Export`, format: "EML", folders: "all" },
    serverSideExecution: automatic(604800),
  }, {
    userName: "$archiveadmin",
    everyHours: 168,
    minute: Math.floor(random() * 60),
    weekdaysOnly: false,
    machineName: options.machineName,
    mailboxes: 0,
    exports: true,
  });

  // Store problems: the error on the oldest store, the upgrade on the next one, the rebuild on the
  // current one (with a single store, all on it).
  const stores = options.stores;
  const last = stores.length - 1;
  let storeErrorSince: number | null = null;
  if (planned?.storeError && stores.length > 0) {
    stores[0]!.error = STORE_ERROR.replace("{path}", stores[0]!.databasePath);
    storeErrorSince = options.now - 3 * DAY;
  }
  if (planned?.needsUpgrade && stores.length > 0) stores[Math.min(1, last)]!.needsUpgrade = true;
  if (planned?.indexRebuild && stores.length > 0) stores[last]!.searchIndexesNeedRebuild = true;

  const to = options.now;
  activity.seed = {
    seed: mix(options.seed, 23, instance.seedIndex),
    // From midnight (UTC) 30 days back: the rows of a day do not depend on the minute of seeding.
    from: Math.floor((to - 30 * DAY) / DAY) * DAY,
    to,
    workerIdBase: 10_000 + Math.floor(random() * 80_000),
    jobIdBase: 1_000 + Math.floor(random() * 4_000),
    runs,
    jobs: options.jobs.map((job) => ({
      id: job.id,
      action: job.action,
      time: job.schedule.time ?? "00:00:00",
      timeZoneId: job.schedule.timeZoneId,
      // A job that is disabled now ran until about twelve days ago.
      until: job.enabled ? null : to - 12 * DAY,
    })),
    failingProfileId: planned?.failingProfile ? 1 : null,
    failingSince: to - 2 * DAY,
    storeErrorSince,
    stoppedAt: planned?.stoppedAt ?? null,
    flakyProfileId: planned?.flakyProfile ? 1 : null,
    quiet: options.problems === "none",
  };
  // The current store holds at least what the last 30 days archived (GetInstanceStatistics agrees
  // with GetWorkerResults).
  const archived = seededRows(activity.seed).workers.reduce(
    (sum, row) => sum + row.itemsArchived,
    0,
  );
  const current = stores.find((store) => store.requestedState === "current") ?? stores[last];
  if (current !== undefined && current.statisticsCount < archived) {
    const perMessage = current.statisticsCount > 0
      ? Math.floor(current.statisticsSize / current.statisticsCount)
      : 60_000;
    current.statisticsCount = archived + 1000;
    current.statisticsSize = current.statisticsCount * perMessage;
  }
  return activity;
}

const WARNINGS = [
  "Some folders could not be archived because they are empty or not accessible.",
  "The mailbox is larger than its quota; some messages were skipped.",
];
const ERRORS = [
  "3 messages could not be archived: The message is larger than the maximum size of 100 MB.",
  "The connection to the server was reset; 12 messages will be archived on the next run.",
];
const FAILURES = [
  "The remote server returned an error: (503) Server Unavailable.",
  "The operation has timed out.",
];

/** How long before seeding the flaky profile's one failed run may start (UTC ms). */
const FLAKY_FROM = 13 * 3_600_000;

/**
 * The outcome of one seeded run: mostly succeeded, some warnings, a few errors and failures; no
 * errors or failures when `quiet` (the same rolls, so the other rows do not change).
 */
function outcome(
  random: () => number,
  quiet = false,
): { result: RunResult; message: string | null } {
  const roll = random();
  if (quiet && roll >= 0.94) return { result: "succeeded", message: null };
  if (roll < 0.86) return { result: "succeeded", message: null };
  if (roll < 0.94) {
    return { result: "completedWithWarnings", message: WARNINGS[Math.floor(random() * 2)]! };
  }
  if (roll < 0.975) {
    return { result: "completedWithErrors", message: ERRORS[Math.floor(random() * 2)]! };
  }
  return { result: "failed", message: FAILURES[Math.floor(random() * 2)]! };
}

/** The seeded rows, sorted by start time. */
export interface SeededRows {
  /** Worker results. */
  workers: MockWorkerResult[];
  /** Job results. */
  jobs: MockJobResult[];
}

const cache = new WeakMap<HistorySeed, SeededRows>();

/** The rows of a history seed (computed once per seed object, then cached outside the state). */
export function seededRows(seed: HistorySeed): SeededRows {
  let rows = cache.get(seed);
  if (rows === undefined) {
    rows = { workers: seedWorkers(seed), jobs: seedJobs(seed) };
    cache.set(seed, rows);
  }
  return rows;
}

function seedWorkers(seed: HistorySeed): MockWorkerResult[] {
  const end = seed.stoppedAt ?? seed.to;
  const rows: MockWorkerResult[] = [];
  const hour = 3_600_000;
  for (const run of seed.runs) {
    const stepMs = run.everyHours * hour;
    // The first run on or after the window's start, aligned to the run's own grid.
    let start = Math.ceil(seed.from / stepMs) * stepMs + run.minute * 60_000;
    for (; start < end; start += stepMs) {
      // One generator per run slot: a row depends on the seed, the profile and its time only.
      const random = prng(mix(seed.seed, 1, run.profileId, Math.floor(start / 60_000)));
      const jitter = Math.floor(random() * 90_000);
      const startTime = start + jitter;
      if (startTime >= end) break;
      const day = new Date(startTime).getUTCDay();
      if (run.weekdaysOnly && (day === 0 || day === 6)) continue;
      let { result, message } = outcome(random, seed.quiet);
      if (run.profileId === seed.failingProfileId && startTime >= seed.failingSince) {
        result = "failed";
        message = PROFILE_ERROR;
      } else if (run.profileId === seed.flakyProfileId && start >= seed.to - FLAKY_FROM) {
        // One run fails, the ones after it succeed: the profile runs every 6 hours, so exactly one
        // slot of its grid (not the jittered start, which may cross the edge) falls in the 6 hours.
        const failed = start < seed.to - FLAKY_FROM + 6 * hour;
        result = failed ? "failed" : "succeeded";
        message = failed ? FAILURES[1]! : null;
      }
      const hours = Math.min(run.everyHours, 24);
      const full = run.exports ? 0 : Math.floor(run.mailboxes * hours * (0.2 + random() * 1.3));
      const itemsArchived = result === "failed"
        ? 0
        : result === "completedWithErrors"
        ? Math.floor(full * 0.7)
        : full;
      const seconds = result === "failed"
        ? 5 + Math.floor(random() * 30)
        : 20 + Math.floor(itemsArchived / 8) + Math.floor(random() * 60);
      // A run still going on at the end of the window is not a result yet.
      if (startTime + seconds * 1000 > end) continue;
      rows.push({
        id: 0,
        userName: run.userName,
        profileId: run.profileId,
        profileName: run.profileName,
        result,
        itemsArchived,
        startTime,
        completeTime: startTime + seconds * 1000,
        machineName: run.machineName,
        message,
      });
    }
  }
  rows.sort((a, b) => a.startTime - b.startTime);
  rows.forEach((row, i) => row.id = seed.workerIdBase + i);
  return rows;
}

function seedJobs(seed: HistorySeed): MockJobResult[] {
  const rows: MockJobResult[] = [];
  const end = seed.stoppedAt ?? seed.to;
  for (const job of seed.jobs) {
    const zone = zoneOf(job.timeZoneId);
    const first = new Date(seed.from).toISOString().slice(0, 10);
    for (let day = Date.parse(`${first}T00:00:00Z`); day < end; day += DAY) {
      const random = prng(mix(seed.seed, 2, job.id, day / DAY));
      const date = new Date(day).toISOString().slice(0, 10);
      const startTime = (localToUtc(`${date}T${job.time}`, zone) ?? day) + 1000 +
        Math.floor(random() * 8000);
      if (startTime < seed.from || startTime >= end) continue;
      if (job.until !== null && startTime >= job.until) continue;
      let result: RunResult = random() < 0.03 && !seed.quiet ? "failed" : "succeeded";
      if (
        job.action === "VerifyStores" && seed.storeErrorSince !== null &&
        startTime >= seed.storeErrorSince
      ) {
        result = "failed";
      }
      const seconds = job.action === "VerifyStores"
        ? 120 + Math.floor(random() * 1600)
        : 1 + Math.floor(random() * 20);
      if (startTime + seconds * 1000 > end) continue;
      rows.push({
        jobResultId: 0,
        jobId: job.id,
        action: job.action,
        startTime,
        completeTime: startTime + seconds * 1000,
        result,
      });
    }
  }
  rows.sort((a, b) => a.startTime - b.startTime);
  rows.forEach((row, i) => row.jobResultId = seed.jobIdBase + i);
  return rows;
}

/** The first index of `rows` (sorted by `key`) whose key is at or above `value`. */
export function lowerBound<T>(rows: readonly T[], value: number, key: (row: T) => number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (key(rows[middle]!) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Every worker result of an instance (seeded, then added), each list sorted by start time. */
export function workerResultLists(activity: InstanceActivity): MockWorkerResult[][] {
  return activity.seed === null
    ? [activity.workerResults]
    : [seededRows(activity.seed).workers, activity.workerResults];
}

/** Every job result of an instance (seeded, then added), each list sorted by start time. */
export function jobResultLists(activity: InstanceActivity): MockJobResult[][] {
  return activity.seed === null
    ? [activity.jobResults]
    : [seededRows(activity.seed).jobs, activity.jobResults];
}

/** The next free worker result ID (added rows may be out of ID order: they are sorted by start). */
export function nextWorkerResultId(activity: InstanceActivity): number {
  const seeded = activity.seed === null ? [] : seededRows(activity.seed).workers;
  const base = seeded.at(-1)?.id ?? (activity.seed?.workerIdBase ?? 1) - 1;
  return activity.workerResults.reduce((max, row) => Math.max(max, row.id), base) + 1;
}

/** The next free job result ID. */
export function nextJobResultId(activity: InstanceActivity): number {
  const seeded = activity.seed === null ? [] : seededRows(activity.seed).jobs;
  const base = seeded.at(-1)?.jobResultId ?? (activity.seed?.jobIdBase ?? 1) - 1;
  return activity.jobResults.reduce((max, row) => Math.max(max, row.jobResultId), base) + 1;
}
