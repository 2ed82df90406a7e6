/**
 * The checks of the blocks for jobs, stores and profiles, and of a user's folder privileges.
 *
 * @module
 */

import {
  isObject,
  mistake,
  nameOf,
  oneOf,
  onlyKnown,
  optionalFlag,
  optionalText,
  renamedFrom,
  textList,
} from "./_check.ts";
import { FOLDER_PRIVILEGES, STORE_FIELDS, STORE_STATES } from "./_fields.ts";
import type {
  JobSchedule,
  JobSettings,
  ProfileSettings,
  ServerSideExecution,
  StoreSettings,
} from "./types.ts";

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const INTERVALS = [5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720];

/** A time of day as the server reports it: `hh:mm:ss`. */
function timeOfDay(file: string, where: string, value: unknown): string {
  const match = typeof value === "string"
    ? /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim())
    : null;
  if (
    match === null || Number(match[1]) > 23 || Number(match[2]) > 59 || Number(match[3] ?? 0) > 59
  ) {
    throw mistake(file, where, 'must be a time of day, such as "02:00" or "02:00:00".');
  }
  return `${match[1]!.padStart(2, "0")}:${match[2]}:${match[3] ?? "00"}`;
}

function checkSchedule(file: string, where: string, value: unknown): JobSchedule {
  if (!isObject(value)) {
    throw mistake(file, where, 'must be an object: { time: "02:00" } or { interval: 60 }.');
  }
  onlyKnown(file, where, value, [
    "timeZoneId",
    "date",
    "interval",
    "time",
    "dayOfWeek",
    "dayOfMonth",
  ]);
  // The server's default zone is written out, so that the file compares with what GetJobs reports.
  const schedule: Record<string, unknown> = {};
  schedule.timeZoneId = optionalText(
    file,
    `${where}.timeZoneId`,
    value.timeZoneId,
    "must name a time zone (mspe-run call GetTimeZones).",
  ) ?? "$Local";
  if (value.date !== undefined) {
    if (typeof value.date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value.date)) {
      throw mistake(file, `${where}.date`, "must be a date, YYYY-MM-DD.");
    }
    schedule.date = value.date;
  }
  if (value.interval !== undefined) {
    if (!INTERVALS.includes(value.interval as number)) {
      throw mistake(file, `${where}.interval`, `must be one of ${INTERVALS.join(", ")} (minutes).`);
    }
    schedule.interval = value.interval;
  }
  if (value.time !== undefined) schedule.time = timeOfDay(file, `${where}.time`, value.time);
  oneOf(file, `${where}.dayOfWeek`, value.dayOfWeek, WEEKDAYS);
  if (value.dayOfWeek !== undefined) schedule.dayOfWeek = value.dayOfWeek;
  if (value.dayOfMonth !== undefined) {
    const day = String(value.dayOfMonth);
    if (!/^([1-9]|[12]\d|3[01]|Last)$/.test(day)) {
      throw mistake(file, `${where}.dayOfMonth`, "must be a day of the month, 1 to 31, or Last.");
    }
    schedule.dayOfMonth = day;
  }
  if (schedule.time === undefined && schedule.interval === undefined) {
    throw mistake(file, where, "needs time (daily, weekly, monthly, once) or interval (minutes).");
  }
  return schedule as JobSchedule;
}

export function checkJob(file: string, where: string, value: unknown): JobSettings {
  if (!isObject(value)) throw mistake(file, where, "must be an object with at least name.");
  onlyKnown(file, where, value, ["name", "renamedFrom", "action", "schedule", "enabled"]);
  if (typeof value.name !== "string" || value.name === "") {
    throw mistake(file, `${where}.name`, "is missing: every job needs a name.");
  }
  const job: Record<string, unknown> = {
    name: value.name,
    ...renamedFrom(file, where, value.renamedFrom, value.name),
  };
  const action = optionalText(
    file,
    `${where}.action`,
    value.action,
    "must be the command the job runs, such as VerifyStores.",
  );
  if (action !== undefined) job.action = action;
  if (value.schedule !== undefined) {
    job.schedule = checkSchedule(file, `${where}.schedule`, value.schedule);
  }
  if (value.enabled !== undefined) {
    if (typeof value.enabled !== "boolean") {
      throw mistake(file, `${where}.enabled`, "must be true or false.");
    }
    job.enabled = value.enabled;
  }
  return job as unknown as JobSettings;
}

/** One archive store: its name, paths and requested state. */
export function checkStore(file: string, where: string, value: unknown): StoreSettings {
  const name = nameOf(file, where, value, "store");
  const fields = value as Record<string, unknown>;
  onlyKnown(file, where, fields, [...STORE_FIELDS, "renamedFrom"]);
  const store: Record<string, unknown> = {
    name,
    ...renamedFrom(file, where, fields.renamedFrom, name),
  };
  for (const field of ["databasePath", "contentPath", "indexPath"] as const) {
    const path = optionalText(file, `${where}.${field}`, fields[field], "must be a path.");
    if (path !== undefined) store[field] = path;
  }
  oneOf(file, `${where}.requestedState`, fields.requestedState, STORE_STATES);
  if (fields.requestedState !== undefined) store.requestedState = fields.requestedState;
  return store as unknown as StoreSettings;
}

/** A maintenance window list as the server takes it: `hh:mm-hh:mm`, several separated by `,`. */
const WINDOWS = /^\d{2}:\d{2}-\d{2}:\d{2}(,\s*\d{2}:\d{2}-\d{2}:\d{2})*$/;

function checkExecution(file: string, where: string, value: unknown): ServerSideExecution {
  if (!isObject(value)) {
    throw mistake(
      file,
      where,
      "must be an object: { automatic: true, automaticPauseBetweenExecutions: 21600 } or " +
        "{ automatic: false }.",
    );
  }
  onlyKnown(file, where, value, [
    "automatic",
    "automaticPauseBetweenExecutions",
    "automaticMaintenanceWindows",
  ]);
  const automatic = optionalFlag(file, `${where}.automatic`, value.automatic);
  if (automatic === undefined) throw mistake(file, `${where}.automatic`, "is missing.");
  const pause = value.automaticPauseBetweenExecutions ?? null;
  const windows = value.automaticMaintenanceWindows ?? null;
  if (!automatic) {
    // The server forgets both when automatic is false: a file that kept them would never match.
    if (pause !== null || windows !== null) {
      throw mistake(
        file,
        where,
        "with automatic: false the server keeps no pause and no maintenance window: leave them out.",
      );
    }
    return { automatic };
  }
  if (typeof pause !== "number" || !Number.isInteger(pause) || pause < 1) {
    throw mistake(
      file,
      `${where}.automaticPauseBetweenExecutions`,
      "must be the seconds between two runs (a whole number) when automatic is true.",
    );
  }
  if (windows !== null && (typeof windows !== "string" || !WINDOWS.test(windows))) {
    throw mistake(
      file,
      `${where}.automaticMaintenanceWindows`,
      'must be hh:mm-hh:mm, several separated by ",", such as "22:00-06:00".',
    );
  }
  return {
    automatic,
    automaticPauseBetweenExecutions: pause,
    automaticMaintenanceWindows: windows as string | null,
  };
}

/** The owner of the service provider's profiles, the default of `owner`. */
export const ARCHIVE_ADMIN = "$archiveadmin";

/** The key of a profile: its owner and name, without regard to case. */
export function profileKey(owner: unknown, name: unknown): string {
  return `${String(owner ?? ARCHIVE_ADMIN)}/${String(name)}`.toLowerCase();
}

/** One profile: its name, owner and server-side execution. */
export function checkProfile(file: string, where: string, value: unknown): ProfileSettings {
  const name = nameOf(file, where, value, "profile");
  const fields = value as Record<string, unknown>;
  onlyKnown(file, where, fields, ["name", "owner", "serverSideExecution"]);
  const owner = optionalText(file, `${where}.owner`, fields.owner, "must name a user.");
  return {
    name,
    ...(owner === undefined || owner === ARCHIVE_ADMIN ? {} : { owner }),
    ...(fields.serverSideExecution === undefined ? {} : {
      serverSideExecution: checkExecution(
        file,
        `${where}.serverSideExecution`,
        fields.serverSideExecution,
      ),
    }),
  };
}

/** A user's folder privileges: folder -> `read`, `write`, `delete` (`[]` for none). */
export function checkFolderPrivileges(
  file: string,
  where: string,
  value: unknown,
): Record<string, string[]> {
  if (!isObject(value)) {
    throw mistake(file, where, "must be an object of folders, such as { jdoe: [read, write] }.");
  }
  const checked: Record<string, string[]> = {};
  for (const [folder, privileges] of Object.entries(value)) {
    if (folder === "" || folder.includes("/")) {
      throw mistake(
        file,
        `${where}.${folder}`,
        "privileges are set on top-level folders (user archives) only: name one without /.",
      );
    }
    const list = textList(file, `${where}.${folder}`, privileges ?? []);
    for (const item of list) oneOf(file, `${where}.${folder}`, item, FOLDER_PRIVILEGES);
    checked[folder] = [...new Set(list)].sort();
  }
  return checked;
}
