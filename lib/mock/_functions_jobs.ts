/**
 * The simulated job and profile functions (group `jobsProfiles`), shared by SPE and MailStore
 * Server: profiles and their runs (worker results), scheduled jobs and their runs (job results),
 * over the seeded history of `_history.ts`.
 *
 * @module
 */

import type { Args } from "./_args.ts";
import {
  type InstanceActivity,
  jobResultLists,
  lowerBound,
  type MockJobResult,
  type MockProfile,
  type MockWorkerResult,
  nextJobResultId,
  nextWorkerResultId,
  PROFILE_ERROR,
  type RunResult,
  seededRows,
  workerResultLists,
} from "./_history.ts";
import { currentProcess } from "./_functions_instances.ts";
import { type CallContext, Deferred, inst, objectArg, type Simulation } from "./_simulation.ts";
import type { MockInstance, MockJob } from "./_model.ts";
import type { MockState } from "./_state.ts";
import { DAY, formatLocal, formatUtc, localArgument, localToUtc, zoneOf } from "./_time.ts";
import { ApiFault } from "./_wire.ts";

/** GetWorkerResults runs as a job when the range is longer than this (the real server does for large ranges). */
export const WORKER_RESULTS_ASYNC_DAYS = 31;

function activityOf(ctx: CallContext): InstanceActivity {
  return ctx.state.activity(inst(ctx));
}

/** The machine name of server-side runs: the instance host's short name. */
function machineOf(instance: MockInstance): string {
  return instance.instanceID === ""
    ? "MAILSTORE"
    : instance.instanceHost.split(".")[0]!.toUpperCase();
}

function profileOf(ctx: CallContext, id: number): MockProfile {
  const profile = activityOf(ctx).profiles.find((candidate) => candidate.id === id);
  if (profile === undefined) throw new ApiFault(`Profile with ID ${id} does not exist.`);
  return profile;
}

function requireRaw(args: Args): void {
  if (!args.bool("raw")) {
    throw new ApiFault("Only raw=true is supported. Call it again with raw=true.");
  }
}

function textField(properties: Record<string, unknown>, name: string, fallback: string): string {
  const value = properties[name];
  return typeof value === "string" && value !== "" ? value : fallback;
}

/** A profile from the properties of CreateProfile/RunTemporaryProfile (GetProfiles' shape). */
function profileFrom(ctx: CallContext, id: number): MockProfile {
  const properties = objectArg(ctx, "properties");
  const name = properties.name;
  if (typeof name !== "string" || name.trim() === "") {
    throw new ApiFault("The profile properties are missing 'name'.");
  }
  const details: Record<string, string> = {};
  const given = properties.details;
  if (given !== null && typeof given === "object" && !Array.isArray(given)) {
    // The real server keeps every detail value as a string.
    for (const [key, value] of Object.entries(given)) {
      details[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return {
    id,
    name,
    owner: textField(properties, "owner", "$archiveadmin"),
    type: textField(properties, "type", "I"),
    connector: textField(properties, "connector", "IMAP"),
    details,
    serverSideExecution: {
      automatic: "false",
      automaticPauseBetweenExecutions: null,
      automaticMaintenanceWindows: null,
    },
    version: 1,
  };
}

function profileView(profile: MockProfile): Record<string, unknown> {
  return {
    id: profile.id,
    name: profile.name,
    owner: profile.owner,
    type: profile.type,
    connector: profile.connector,
    details: { ...profile.details },
    serverSideExecution: { ...profile.serverSideExecution },
    version: profile.version,
  };
}

/** A run as the API shows it: its start and end in the time zone asked for. */
function withLocalTimes<T extends { startTime: number; completeTime: number }>(
  row: T,
  zone: string,
): Record<string, unknown> {
  return {
    ...row,
    startTime: formatLocal(row.startTime, zone),
    completeTime: formatLocal(row.completeTime, zone),
  };
}

function workerView(row: MockWorkerResult, zone: string): Record<string, unknown> {
  // The failure message is the simulator's own note; GetWorkerResults has no such field.
  const { message: _message, ...shown } = row;
  return withLocalTimes(shown, zone);
}

function jobResultView(row: MockJobResult, zone: string): Record<string, unknown> {
  return withLocalTimes(row, zone);
}

/** Rows of sorted lists whose start lies in [from, to), in time order. */
function inRange<T extends { startTime: number }>(
  lists: T[][],
  from: number,
  to: number,
  keep: (row: T) => boolean,
): T[] {
  const out: T[] = [];
  for (const list of lists) {
    for (let i = lowerBound(list, from, (row) => row.startTime); i < list.length; i++) {
      const row = list[i]!;
      if (row.startTime >= to) break;
      if (keep(row)) out.push(row);
    }
  }
  return out;
}

/** The range of a history call: [from, to) in UTC ms, and the zone to render in. */
function rangeOf(args: Args, zoneArg: string): { from: number; to: number; zone: string } {
  const zone = zoneOf(args.str(zoneArg));
  return {
    zone,
    from: localArgument("fromIncluding", args.str("fromIncluding"), zone),
    to: localArgument("toExcluding", args.str("toExcluding"), zone),
  };
}

/** Records a profile run (RunProfile, RunTemporaryProfile) and moves the archive's counters. */
function recordRun(
  ctx: CallContext,
  run: { profileId: number | null; profileName: string; userName: string; exports: boolean },
  startTime: number,
): MockWorkerResult {
  const instance = inst(ctx);
  const activity = ctx.state.activity(instance);
  const failing = run.profileId !== null && activity.seed?.failingProfileId === run.profileId;
  const mailboxes = Math.max(1, ctx.state.users(instance).size - 1);
  const itemsArchived = failing || run.exports
    ? 0
    : run.userName === "$archiveadmin"
    ? mailboxes * 3
    : 7;
  const row: MockWorkerResult = {
    id: nextWorkerResultId(activity),
    userName: run.userName,
    profileId: run.profileId,
    profileName: run.profileName,
    result: failing ? "failed" : "succeeded",
    itemsArchived,
    startTime,
    completeTime: Math.max(startTime, Date.now()),
    machineName: machineOf(instance),
    message: failing ? PROFILE_ERROR : null,
  };
  const rows = activity.workerResults;
  rows.push(row);
  // Runs end out of start order only when they overlap; keep the list sorted for the range search.
  if (rows.length > 1 && rows.at(-2)!.startTime > startTime) {
    rows.sort((a, b) => a.startTime - b.startTime);
  }
  const stores = ctx.state.stores(instance);
  const current = stores.find((store) => store.requestedState === "current");
  if (current !== undefined && itemsArchived > 0) {
    current.statisticsCount += itemsArchived;
    current.statisticsSize += itemsArchived * 60_000;
    // The messages land in the user's inbox, so that the folder totals keep adding up to the stores.
    const inbox = ctx.state.madeInstanceData(instance)?.folders.get(
      `${run.userName}/inbox`.toLowerCase(),
    );
    if (inbox !== undefined) {
      inbox.count += itemsArchived;
      inbox.size += itemsArchived * 60_000;
    }
  }
  const process = currentProcess(instance, activity);
  process.archived += itemsArchived;
  process.checked += itemsArchived * 2;
  return row;
}

function profileJobLabel(verb: string): (ctx: CallContext) => string {
  return (ctx) => {
    const name = ctx.args.has("id")
      ? profileOf(ctx, ctx.args.num("id")).name
      : textField(objectArg(ctx, "properties"), "name", "temporary profile");
    return `${verb} '${name}'`;
  };
}

// ---- scheduled jobs ----

function jobOf(ctx: CallContext, id: number): MockJob {
  const job = ctx.state.jobs(inst(ctx)).find((candidate) => candidate.id === id);
  if (job === undefined) throw new ApiFault(`Job with ID ${id} does not exist.`);
  return job;
}

/** The optional `id` (the wiki marks it optional; it is needed in practice). */
function jobIdArg(args: Args): number {
  if (!args.has("id")) throw new ApiFault("Missing API argument id.");
  return args.num("id");
}

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function normalTime(text: string): string {
  const match = TIME.exec(text.trim());
  if (
    match === null || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59
  ) {
    throw new ApiFault(
      `Invalid value for API argument time: '${text}' is not a time of day. Use hh:mm:ss.`,
      "System.FormatException",
    );
  }
  return `${match[1]!.padStart(2, "0")}:${match[2]}:${match[3] ?? "00"}`;
}

/** The schedule of CreateJob/SetJobSchedule; throws when it is incomplete or malformed. */
function scheduleFrom(args: Args, timeZoneId: string): MockJob["schedule"] {
  zoneOf(timeZoneId);
  const schedule: MockJob["schedule"] = { timeZoneId };
  const date = args.optStr("date");
  if (date !== null) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || localToUtc(date, "UTC") === undefined) {
      throw new ApiFault(
        `Invalid value for API argument date: '${date}' is not a date. Use YYYY-MM-DD.`,
        "System.FormatException",
      );
    }
    schedule.date = date;
  }
  if (args.has("interval")) schedule.interval = args.num("interval");
  const time = args.optStr("time");
  if (time !== null) schedule.time = normalTime(time);
  const dayOfWeek = args.optStr("dayOfWeek");
  if (dayOfWeek !== null) schedule.dayOfWeek = dayOfWeek;
  const dayOfMonth = args.optStr("dayOfMonth");
  if (dayOfMonth !== null) schedule.dayOfMonth = dayOfMonth;
  if (schedule.interval === undefined && schedule.time === undefined) {
    throw new ApiFault(
      "The schedule is incomplete: give time (once with date, daily, weekly with dayOfWeek, " +
        "monthly with dayOfMonth) or interval.",
    );
  }
  return schedule;
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** The next start of a schedule after `now` (UTC ms), or null (a one-off in the past). */
export function nextStart(schedule: MockJob["schedule"], now: number): number | null {
  const zone = zoneOf(schedule.timeZoneId);
  if (schedule.interval !== undefined) {
    const step = schedule.interval * 60_000;
    return (Math.floor(now / step) + 1) * step;
  }
  const time = schedule.time ?? "00:00:00";
  if (schedule.date !== undefined) {
    const once = localToUtc(`${schedule.date}T${time}`, zone);
    return once !== undefined && once > now ? once : null;
  }
  const today = Date.parse(`${formatLocal(now, zone).slice(0, 10)}T00:00:00Z`);
  for (let offset = 0; offset <= 62; offset++) {
    const day = new Date(today + offset * DAY);
    if (schedule.dayOfWeek !== undefined && WEEKDAYS[day.getUTCDay()] !== schedule.dayOfWeek) {
      continue;
    }
    if (schedule.dayOfMonth !== undefined) {
      const last = new Date(day.getTime() + DAY).getUTCDate() === 1;
      const wanted = schedule.dayOfMonth === "Last"
        ? last
        : day.getUTCDate() === Number(schedule.dayOfMonth);
      if (!wanted) continue;
    }
    const start = localToUtc(`${day.toISOString().slice(0, 10)}T${time}`, zone);
    if (start !== undefined && start > now) return start;
  }
  return null;
}

/** How a job's run ends: VerifyStores fails while an archive store has an error. */
function jobOutcome(state: MockState, instance: MockInstance, action: string): RunResult {
  if (action === "VerifyStores" && state.stores(instance).some((store) => store.error !== null)) {
    return "failed";
  }
  return "succeeded";
}

/** Ends the RunJobAsync runs whose time has come, recording their job results. */
function settleRuns(ctx: CallContext): InstanceActivity {
  const instance = inst(ctx);
  const activity = ctx.state.activity(instance);
  if (activity.jobRuns.length === 0) return activity;
  const now = Date.now();
  const ended = activity.jobRuns.filter((run) => run.endAt <= now);
  if (ended.length === 0) return activity;
  activity.jobRuns = activity.jobRuns.filter((run) => run.endAt > now);
  for (const run of ended) {
    const job = ctx.state.jobs(instance).find((candidate) => candidate.id === run.jobId);
    const action = job?.action ?? "";
    addJobResult(
      activity,
      run.jobId,
      action,
      run.startTime,
      run.endAt,
      jobOutcome(ctx.state, instance, action),
    );
  }
  return activity;
}

function addJobResult(
  activity: InstanceActivity,
  jobId: number,
  action: string,
  startTime: number,
  completeTime: number,
  result: RunResult,
): void {
  const rows = activity.jobResults;
  rows.push({
    jobResultId: nextJobResultId(activity),
    jobId,
    action,
    startTime,
    completeTime,
    result,
  });
  // Runs end out of start order only rarely; keep the list sorted for the range search.
  if (rows.length > 1 && rows.at(-2)!.startTime > startTime) {
    rows.sort((a, b) => a.startTime - b.startTime);
  }
}

function lastResultOf(activity: InstanceActivity, jobId: number): MockJobResult | undefined {
  let found: MockJobResult | undefined;
  for (const list of jobResultLists(activity)) {
    for (let i = list.length - 1; i >= 0; i--) {
      const row = list[i]!;
      if (row.jobId === jobId) {
        if (found === undefined || row.startTime > found.startTime) found = row;
        break;
      }
    }
  }
  return found;
}

/** The job and profile simulations (both products; SPE adds `instanceID`). */
export const JOB_SIMULATIONS: Record<string, Simulation> = {
  GetProfiles: {
    handle: (ctx) => {
      requireRaw(ctx.args);
      return activityOf(ctx).profiles.map(profileView);
    },
  },
  CreateProfile: {
    handle: (ctx) => {
      requireRaw(ctx.args);
      const activity = activityOf(ctx);
      const profile = profileFrom(ctx, activity.nextProfileId);
      activity.nextProfileId++;
      activity.profiles.push(profile);
      // Our guess: the new profile's ID (a script needs it for RunProfile).
      return profile.id;
    },
  },
  DeleteProfile: {
    handle: (ctx) => {
      const profile = profileOf(ctx, ctx.args.num("id"));
      const activity = activityOf(ctx);
      activity.profiles = activity.profiles.filter((candidate) => candidate !== profile);
      return null;
    },
  },
  SetProfileServerSideExecution: {
    handle: (ctx) => {
      const profile = profileOf(ctx, ctx.args.num("id"));
      const automatic = ctx.args.bool("automatic");
      const pause = ctx.args.has("automaticPauseBetweenExecutions")
        ? ctx.args.num("automaticPauseBetweenExecutions")
        : null;
      if (automatic && pause === null) {
        throw new ApiFault(
          "Missing API argument automaticPauseBetweenExecutions (needed when automatic is true).",
        );
      }
      const windows = ctx.args.optStr("automaticMaintenanceWindows");
      if (
        windows !== null && !/^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$/.test(windows)
      ) {
        throw new ApiFault(
          `Invalid value for API argument automaticMaintenanceWindows: '${windows}'. Use hh:mm-hh:mm.`,
          "System.FormatException",
        );
      }
      profile.serverSideExecution = {
        automatic: String(automatic),
        automaticPauseBetweenExecutions: automatic ? String(pause) : null,
        automaticMaintenanceWindows: automatic ? windows : null,
      };
      profile.version++;
      return null;
    },
  },
  RunProfile: {
    job: profileJobLabel("Running profile"),
    handle: (ctx) => {
      const profile = profileOf(ctx, ctx.args.num("id"));
      const startTime = Date.now();
      return new Deferred(() => {
        const row = recordRun(ctx, {
          profileId: profile.id,
          profileName: profile.name,
          userName: profile.owner,
          exports: profile.type === "E",
        }, startTime);
        if (row.result === "failed") {
          throw new ApiFault(`The profile '${profile.name}' failed: ${row.message}`);
        }
        return null;
      });
    },
  },
  RunTemporaryProfile: {
    job: profileJobLabel("Running temporary profile"),
    handle: (ctx) => {
      requireRaw(ctx.args);
      const profile = profileFrom(ctx, 0);
      const startTime = Date.now();
      return new Deferred(() => {
        recordRun(ctx, {
          profileId: null,
          profileName: profile.name,
          userName: profile.owner,
          exports: profile.type === "E",
        }, startTime);
        return null;
      });
    },
  },
  GetWorkerResults: {
    job: (ctx) => {
      const { from, to } = rangeOf(ctx.args, "timeZoneID");
      return to - from > WORKER_RESULTS_ASYNC_DAYS * DAY ? "Listing worker results" : null;
    },
    handle: (ctx) => {
      const { from, to, zone } = rangeOf(ctx.args, "timeZoneID");
      const profileID = ctx.args.has("profileID") ? ctx.args.num("profileID") : null;
      const userName = ctx.args.optStr("userName");
      // A live SPE rejected both; a script that sends them has a bug worth seeing.
      if (profileID !== null && profileID <= 0) {
        throw new ApiFault(
          "Invalid value for API argument profileID: leave it out for every profile.",
        );
      }
      if (userName === "") {
        throw new ApiFault("Invalid value for API argument userName: leave it out for every user.");
      }
      const activity = activityOf(ctx);
      const user = userName?.toLowerCase() ?? null;
      return new Deferred(() =>
        inRange(
          workerResultLists(activity),
          from,
          to,
          (row) =>
            (profileID === null || row.profileId === profileID) &&
            (user === null || row.userName.toLowerCase() === user),
        ).map((row) => workerView(row, zone))
      );
    },
  },
  GetWorkerResultReport: {
    handle: (ctx) => {
      const id = ctx.args.num("id");
      const activity = activityOf(ctx);
      // The seeded rows are sorted by ID as well; the few added since are looked through.
      const seeded = activity.seed === null ? [] : seededRows(activity.seed).workers;
      const row = seeded[lowerBound(seeded, id, (candidate) => candidate.id)];
      const found = row?.id === id
        ? row
        : activity.workerResults.find((candidate) => candidate.id === id);
      if (found !== undefined) return workerReport(found);
      throw new ApiFault(`Worker result with ID ${id} does not exist.`);
    },
  },
  GetJobs: {
    handle: (ctx) => {
      const activity = settleRuns(ctx);
      const now = Date.now();
      return ctx.state.jobs(inst(ctx)).map((job) => {
        const last = lastResultOf(activity, job.id);
        const running = activity.jobRuns.find((run) => run.jobId === job.id);
        const next = job.enabled ? nextStart(job.schedule, now) : null;
        return {
          id: job.id,
          name: job.name,
          action: job.action,
          owner: job.owner,
          creationDateTimeUtc: job.creationDateTimeUtc,
          lastStartDateTimeUtc: running !== undefined
            ? formatUtc(running.startTime)
            : last === undefined
            ? null
            : formatUtc(last.startTime),
          lastCompleteDateTimeUtc: last === undefined ? null : formatUtc(last.completeTime),
          nextStartDateTimeUtc: next === null ? null : formatUtc(next),
          enabled: job.enabled,
          schedule: { ...job.schedule },
        };
      });
    },
  },
  GetJobResults: {
    handle: (ctx) => {
      const { from, to, zone } = rangeOf(ctx.args, "timeZoneId");
      const jobId = ctx.args.has("jobId") ? ctx.args.num("jobId") : null;
      const activity = settleRuns(ctx);
      // Newest first, as the one public recording of a real 25.3.1 reply (90 rows) is.
      return inRange(
        jobResultLists(activity),
        from,
        to,
        (row) => jobId === null || row.jobId === jobId,
      ).sort((a, b) => b.startTime - a.startTime).map((row) => jobResultView(row, zone));
    },
  },
  CreateJob: {
    handle: (ctx) => {
      const name = ctx.args.optStr("name");
      const action = ctx.args.optStr("action");
      // The wiki marks every argument optional; a job without these cannot exist.
      if (name === null || name.trim() === "") throw new ApiFault("Missing API argument name.");
      if (action === null || action.trim() === "") {
        throw new ApiFault("Missing API argument action.");
      }
      const schedule = scheduleFrom(ctx.args, ctx.args.optStr("timeZoneId") ?? "$Local");
      const jobs = ctx.state.jobs(inst(ctx));
      const id = jobs.reduce((max, job) => Math.max(max, job.id), 0) + 1;
      jobs.push({
        id,
        name,
        action,
        owner: ctx.args.optStr("owner") ?? ctx.username,
        creationDateTimeUtc: formatUtc(Date.now()),
        enabled: true,
        schedule,
      });
      // Our guess: the new job's ID.
      return id;
    },
  },
  DeleteJob: {
    handle: (ctx) => {
      // The wiki types this id as a string; it is still a job ID.
      const text = ctx.args.str("id");
      if (!/^\d+$/.test(text.trim())) {
        throw new ApiFault(
          `Invalid value for API argument id: '${text}' is not a job ID.`,
          "System.FormatException",
        );
      }
      const job = jobOf(ctx, Number(text));
      const jobs = ctx.state.jobs(inst(ctx));
      jobs.splice(jobs.indexOf(job), 1);
      const activity = activityOf(ctx);
      activity.jobRuns = activity.jobRuns.filter((run) => run.jobId !== job.id);
      return null;
    },
  },
  RenameJob: {
    handle: (ctx) => {
      const job = jobOf(ctx, jobIdArg(ctx.args));
      const name = ctx.args.optStr("name");
      if (name === null || name.trim() === "") throw new ApiFault("Missing API argument name.");
      job.name = name;
      return null;
    },
  },
  SetJobEnabled: {
    handle: (ctx) => {
      const job = jobOf(ctx, jobIdArg(ctx.args));
      const enabled = ctx.args.optBool("enabled");
      if (enabled === null) throw new ApiFault("Missing API argument enabled.");
      job.enabled = enabled;
      return null;
    },
  },
  SetJobSchedule: {
    handle: (ctx) => {
      const job = jobOf(ctx, ctx.args.num("id"));
      job.schedule = scheduleFrom(ctx.args, ctx.args.str("timeZoneId"));
      return null;
    },
  },
  RunJobAsync: {
    handle: (ctx) => {
      const job = jobOf(ctx, ctx.args.num("id"));
      const activity = settleRuns(ctx);
      if (activity.jobRuns.some((run) => run.jobId === job.id)) {
        throw new ApiFault(`Job with ID ${job.id} is already running.`);
      }
      const now = Date.now();
      const stepMs = ctx.jobs.stepMs;
      const duration = Number.isFinite(stepMs) ? stepMs * ctx.jobs.steps : 1000;
      activity.jobRuns.push({ jobId: job.id, startTime: now, endAt: now + duration });
      // Returns at once; the run ends in the background (GetJobResults shows it then).
      return null;
    },
  },
  CancelJobAsync: {
    handle: (ctx) => {
      const id = ctx.args.num("id");
      jobOf(ctx, id);
      const activity = settleRuns(ctx);
      const run = activity.jobRuns.find((candidate) => candidate.jobId === id);
      if (run === undefined) throw new ApiFault(`Job with ID ${id} is not running.`);
      activity.jobRuns = activity.jobRuns.filter((candidate) => candidate !== run);
      const job = jobOf(ctx, id);
      addJobResult(activity, id, job.action, run.startTime, Date.now(), "failed");
      return null;
    },
  },
};

/** The report of one worker result (our guess of its form: the text the client's result view shows). */
function workerReport(row: MockWorkerResult): string {
  const zone = "UTC";
  const lines = [
    `Profile: ${row.profileName}${
      row.profileId === null ? " (temporary)" : ` (ID ${row.profileId})`
    }`,
    `User: ${row.userName}`,
    `Machine: ${row.machineName}`,
    `Started: ${formatLocal(row.startTime, zone)} (UTC)`,
    `Completed: ${formatLocal(row.completeTime, zone)} (UTC)`,
    `Result: ${row.result}`,
    `Messages archived: ${row.itemsArchived}`,
  ];
  if (row.message !== null) lines.push(row.message);
  return lines.join("\r\n");
}
