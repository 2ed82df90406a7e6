/**
 * Reading a desired-state file: JSON or YAML by its extension, checked field by field, with
 * `defaults` applied and users read from CSV files. Every mistake is one line that names the
 * file, the place and what to do.
 *
 * @module
 */

import { ArgumentError } from "../errors.ts";
import { csvRecords } from "../_csv_records.ts";
import {
  INSTANCE_FIELDS,
  INSTANCE_FLAGS,
  INSTANCE_TEXTS,
  LOGIN_PRIVILEGES,
  PRIVILEGES,
  USER_FIELDS,
} from "./_fields.ts";
import {
  CONFIG_KINDS,
  type ConfigKind,
  type ConfigObject,
  type DesiredState,
  type DesiredTenant,
  type InstanceSettings,
  type JobSchedule,
  type JobSettings,
  type SecretSource,
  type StateFile,
  type TenantSpec,
  type UserSettings,
} from "./types.ts";

/** The formats of a state file. */
export type StateFormat = "json" | "yaml";

/**
 * The format of a state file by its extension: `.yaml` and `.yml` are YAML, anything else JSON.
 *
 * @example
 * ```ts
 * import { stateFormatOf } from "@mspe/mspe";
 * console.log(stateFormatOf("tenants.yaml")); // "yaml"
 * ```
 */
export function stateFormatOf(file: string): StateFormat {
  return /\.ya?ml$/i.test(file) ? "yaml" : "json";
}

/** Options of {@linkcode parseStateFile}. */
export interface ParseStateOptions {
  /** The file's name, for messages and its format (default `state.json`). */
  readonly file?: string;
  /** The format; default: by the extension of `file`. */
  readonly format?: StateFormat;
  /**
   * Reads a CSV file named by `users: { from }`, its path as written in the file (relative paths
   * are the caller's to resolve). Without it a `from` is refused.
   */
  readonly readTextFile?: (path: string) => Promise<string>;
}

/** A mistake in a state file at `where` (a path such as `instances.acme.users[2].privileges`). */
function mistake(file: string, where: string, what: string): ArgumentError {
  return new ArgumentError(`${file}: ${where === "" ? "" : `${where}: `}${what}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the fields of an object against those known, with the nearest one named. */
function onlyKnown(
  file: string,
  where: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw mistake(file, where, `unknown field "${key}". Use one of: ${known.join(", ")}.`);
    }
  }
}

/** A text field that may be left out; when given, it must not be empty. */
function optionalText(
  file: string,
  where: string,
  value: unknown,
  what: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.trim() === "") throw mistake(file, where, what);
  return value;
}

function checkInstance(file: string, where: string, value: unknown): InstanceSettings {
  if (!isObject(value)) throw mistake(file, where, "must be an object of instance settings.");
  onlyKnown(file, where, value, INSTANCE_FIELDS);
  for (const field of INSTANCE_TEXTS) {
    optionalText(file, `${where}.${field}`, value[field], "must be a non-empty text.");
  }
  for (const field of INSTANCE_FLAGS) {
    if (value[field] !== undefined && typeof value[field] !== "boolean") {
      throw mistake(file, `${where}.${field}`, "must be true or false.");
    }
  }
  oneOf(file, `${where}.startMode`, value.startMode, ["automatic", "manual"]);
  oneOf(file, `${where}.status`, value.status, ["running", "stopped"]);
  return value as InstanceSettings;
}

function oneOf(file: string, where: string, value: unknown, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw mistake(
      file,
      where,
      `must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}.`,
    );
  }
}

function checkSecret(file: string, where: string, value: unknown): SecretSource {
  if (isObject(value) && Object.keys(value).length === 1) {
    if (typeof value.file === "string" && value.file !== "") return { file: value.file };
    if (typeof value.env === "string" && value.env !== "") return { env: value.env };
    if (value.prompt === true) return { prompt: true };
  }
  throw mistake(
    file,
    where,
    'must name where the secret comes from: { file: "path" }, { env: "MSPE_SECRET_NAME" } or ' +
      "{ prompt: true }. A password is never written in the state file itself.",
  );
}

/** A list field: a list of texts, or (from a CSV cell) texts separated by `;` or `,`. */
function textList(file: string, where: string, value: unknown): string[] {
  if (typeof value === "string") {
    return value.split(/[;,]/).map((item) => item.trim()).filter((item) => item !== "");
  }
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return value.map((item) => item.trim()).filter((item) => item !== "" && item !== "none");
  }
  throw mistake(file, where, "must be a list of texts.");
}

function checkUser(file: string, where: string, value: unknown): UserSettings {
  if (!isObject(value)) throw mistake(file, where, "must be an object with at least userName.");
  onlyKnown(file, where, value, USER_FIELDS);
  if (typeof value.userName !== "string" || value.userName.trim() === "") {
    throw mistake(file, `${where}.userName`, "is missing: every user needs a userName.");
  }
  const user: Record<string, unknown> = { userName: value.userName.trim() };
  for (const field of ["fullName", "distinguishedName"] as const) {
    const text = value[field];
    if (text === undefined) continue;
    if (text !== null && typeof text !== "string") {
      throw mistake(file, `${where}.${field}`, "must be a text, or null for none.");
    }
    user[field] = text === "" ? null : text;
  }
  if (value.emailAddresses !== undefined) {
    user.emailAddresses = textList(file, `${where}.emailAddresses`, value.emailAddresses);
  }
  oneOf(file, `${where}.authentication`, value.authentication, [
    "integrated",
    "directoryServices",
  ]);
  if (value.authentication !== undefined) user.authentication = value.authentication;
  for (
    const [field, allowed] of [
      ["privileges", PRIVILEGES],
      ["loginPrivileges", LOGIN_PRIVILEGES],
    ] as const
  ) {
    if (value[field] === undefined) continue;
    const list = textList(file, `${where}.${field}`, value[field]).filter((item) =>
      item !== "none"
    );
    for (const item of list) oneOf(file, `${where}.${field}`, item, allowed);
    user[field] = list;
  }
  if (value.initialPassword !== undefined) {
    user.initialPassword = checkSecret(file, `${where}.initialPassword`, value.initialPassword);
  }
  return user as unknown as UserSettings;
}

function checkConfig(file: string, where: string, value: unknown): ConfigObject {
  if (!isObject(value)) throw mistake(file, where, "must be an object of configuration fields.");
  if ("password" in value) {
    throw mistake(
      file,
      `${where}.password`,
      "passwords of a configuration cannot be read back to compare, so the state file does not " +
        "manage them. Leave the field out and set the password once with mspe-run call.",
    );
  }
  return value;
}

/** The users of a CSV file: one row per user, the header naming the fields. */
function csvUsers(text: string, csvFile: string): UserSettings[] {
  const records = csvRecords(text.replace(/^\uFEFF/, "")).filter((record) =>
    record.some((cell) => cell.trim() !== "")
  );
  const header = (records[0] ?? []).map((name) => name.trim());
  if (!header.includes("userName")) {
    throw mistake(csvFile, "line 1", "needs a userName column (the header names the fields).");
  }
  const columns = [
    ...USER_FIELDS.filter((field) => field !== "initialPassword"),
    "initialPasswordFile",
    "initialPasswordEnv",
  ];
  const unknown = header.find((name) => !columns.includes(name));
  if (unknown !== undefined) {
    throw mistake(
      csvFile,
      "line 1",
      `unknown column "${unknown}". Name the columns as the user fields: ${columns.join(", ")}.`,
    );
  }
  return records.slice(1).map((record, index) => {
    const row: Record<string, unknown> = {};
    header.forEach((name, column) => {
      const cell = (record[column] ?? "").trim();
      // An empty cell leaves the field unmanaged, except for the texts where it means "none".
      if (name === "initialPasswordFile" && cell !== "") row.initialPassword = { file: cell };
      else if (name === "initialPasswordEnv" && cell !== "") row.initialPassword = { env: cell };
      else if (cell !== "" || name === "fullName") row[name] = cell;
    });
    if (row.fullName === "") delete row.fullName;
    return checkUser(csvFile, `line ${index + 2}`, row);
  });
}

/**
 * A block of users or jobs: a list, or `{ list, prune }` (users also `from`, a CSV file), its
 * items checked by `check`.
 */
function listBlock<T>(
  file: string,
  where: string,
  value: unknown,
  check: (file: string, where: string, item: unknown) => T,
  csv: boolean,
): readonly T[] | { from?: string; list?: T[] | undefined; prune?: boolean } {
  if (Array.isArray(value)) return value.map((item, i) => check(file, `${where}[${i}]`, item));
  const shape = csv
    ? '{ list: [...], prune: true } or { from: "users.csv" }'
    : "{ list: [...], prune: true }";
  if (!isObject(value)) throw mistake(file, where, `must be a list or ${shape}.`);
  onlyKnown(file, where, value, csv ? ["from", "list", "prune"] : ["list", "prune"]);
  optionalText(file, `${where}.from`, value.from, "must name a CSV file.");
  if (value.prune !== undefined && typeof value.prune !== "boolean") {
    throw mistake(file, `${where}.prune`, "must be true or false.");
  }
  if (value.list !== undefined && !Array.isArray(value.list)) {
    throw mistake(file, `${where}.list`, `must be a list, as in ${shape}.`);
  }
  return {
    ...value,
    list: (value.list as unknown[] | undefined)?.map((item, i) =>
      check(file, `${where}.list[${i}]`, item)
    ),
  };
}

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

function checkJob(file: string, where: string, value: unknown): JobSettings {
  if (!isObject(value)) throw mistake(file, where, "must be an object with at least name.");
  onlyKnown(file, where, value, ["name", "action", "schedule", "enabled"]);
  if (typeof value.name !== "string" || value.name.trim() === "") {
    throw mistake(file, `${where}.name`, "is missing: every job needs a name.");
  }
  const job: Record<string, unknown> = { name: value.name.trim() };
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

function checkTenant(file: string, where: string, value: unknown): TenantSpec {
  if (!isObject(value)) throw mistake(file, where, "must be an object (instance, users, ...).");
  onlyKnown(file, where, value, ["instance", "users", "jobs", ...Object.keys(CONFIG_KINDS)]);
  const tenant: Record<string, unknown> = {};
  if (value.instance !== undefined) {
    tenant.instance = checkInstance(file, `${where}.instance`, value.instance);
  }
  if (value.users !== undefined) {
    tenant.users = listBlock(file, `${where}.users`, value.users, checkUser, true);
  }
  if (value.jobs !== undefined) {
    tenant.jobs = listBlock(file, `${where}.jobs`, value.jobs, checkJob, false);
  }
  for (const kind of Object.keys(CONFIG_KINDS) as ConfigKind[]) {
    if (value[kind] !== undefined) {
      tenant[kind] = checkConfig(file, `${where}.${kind}`, value[kind]);
    }
  }
  return tenant as TenantSpec;
}

/**
 * Checks a parsed state file (from JSON or YAML) and returns it typed.
 *
 * @example
 * ```ts
 * import { checkStateFile } from "@mspe/mspe";
 * const file = checkStateFile({ version: 1, instances: { acme: {} } }, "tenants.json");
 * console.log(Object.keys(file.instances)); // ["acme"]
 * ```
 */
export function checkStateFile(value: unknown, file = "state.json"): StateFile {
  if (!isObject(value)) throw mistake(file, "", "must hold an object with version and instances.");
  onlyKnown(file, "", value, ["$schema", "version", "defaults", "instances"]);
  if (value.version !== 1) {
    throw mistake(file, "version", "must be 1 (the only version of the format so far).");
  }
  if (!isObject(value.instances)) {
    throw mistake(file, "instances", "must be an object of instances by ID.");
  }
  const instances: Record<string, TenantSpec> = {};
  for (const [id, tenant] of Object.entries(value.instances)) {
    if (!/^[A-Za-z0-9_-]+$/.test(id)) {
      throw mistake(
        file,
        `instances.${id}`,
        "is not an instance ID: use letters, digits, - and _.",
      );
    }
    instances[id] = checkTenant(file, `instances.${id}`, tenant ?? {});
  }
  return {
    version: 1,
    ...(value.defaults === undefined
      ? {}
      : { defaults: checkTenant(file, "defaults", value.defaults) }),
    instances,
  };
}

/** The line and column of a character offset, counted from 1. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length} column ${(before.at(-1) ?? "").length + 1}`;
}

/**
 * Where JSON.parse stopped: its message says "at position n", or quotes the text around an
 * unexpected token (10 characters either side, "..." where cut), which is found in the text.
 */
function jsonErrorOffset(text: string, message: string): number | undefined {
  const at = /position (\d+)/.exec(message);
  if (at) return Number(at[1]);
  const quoted = /^Unexpected token '(.)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(
    message,
  );
  if (!quoted) return undefined;
  const [, token = "", before, around = "", after] = quoted;
  const start = before ? text.indexOf(around) : 0;
  if (start < 0) return undefined;
  return start + (before ? 10 : after ? around.length - 11 : around.indexOf(token));
}

/** Parses JSON or YAML into a value; a syntax error is one line with the place. */
async function parseText(text: string, file: string, format: StateFormat): Promise<unknown> {
  text = text.replace(/^\uFEFF/, "");
  if (format === "json") {
    try {
      return JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const offset = jsonErrorOffset(text, message);
      throw mistake(
        file,
        offset === undefined ? "" : lineAndColumn(text, offset),
        `is not valid JSON (${message.split(/, \.\.\.|, "| in JSON| at position|\n/)[0]}). ` +
          "Fix it there, or write the file as YAML (.yaml).",
      );
    }
  }
  // Loaded only for YAML files, so that JSON users and the other commands do not load it.
  const { parse, YAMLParseError } = await import("yaml");
  try {
    return parse(text, { uniqueKeys: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const position = error.linePos?.[0];
      const where = position ? `line ${position.line} column ${position.col}` : "";
      throw mistake(
        file,
        where,
        `is not valid YAML (${error.message.split(/ at line|\n/)[0]}). Fix it there.`,
      );
    }
    throw error;
  }
}

/** One block of `defaults` and of the instance: the instance's fields over the defaults'. */
function merged<T extends object>(base: T | undefined, over: T | undefined): T | undefined {
  if (base === undefined) return over;
  if (over === undefined) return base;
  return { ...base, ...over };
}

/** The directory of a file path, with its separator, for paths relative to it. */
function folderOf(file: string): string {
  const at = Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\"));
  return at < 0 ? "" : file.slice(0, at + 1);
}

function isAbsolute(path: string): boolean {
  return path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\");
}

async function resolveUsers(
  block: TenantSpec["users"],
  file: string,
  options: ParseStateOptions,
  where: string,
): Promise<DesiredTenant["users"]> {
  if (block === undefined) return undefined;
  const users = Array.isArray(block)
    ? { list: block as readonly UserSettings[] }
    : block as Exclude<TenantSpec["users"], readonly UserSettings[] | undefined>;
  const list: UserSettings[] = [...(users.list ?? [])];
  if ("from" in users && users.from !== undefined) {
    if (options.readTextFile === undefined) {
      throw mistake(file, `${where}.users.from`, "CSV files cannot be read here.");
    }
    const path = isAbsolute(users.from) ? users.from : folderOf(file) + users.from;
    let text: string;
    try {
      text = await options.readTextFile(path);
    } catch (error) {
      throw mistake(
        file,
        `${where}.users.from`,
        `cannot read ${path} (${
          error instanceof Deno.errors.NotFound
            ? "there is no such file"
            : error instanceof Error
            ? error.message.split(/\r?\n/, 1)[0]
            : String(error)
        }). ` +
          "Check the path: it is relative to the state file.",
      );
    }
    list.push(...csvUsers(text, path));
  }
  checkUnique(file, `${where}.users`, list.map((user) => user.userName), "user");
  return { list, prune: "prune" in users && users.prune === true };
}

/** Names are keys: each once per instance, without regard to case. */
function checkUnique(file: string, where: string, names: readonly string[], noun: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) {
      throw mistake(file, where, `lists the ${noun} ${name} twice. Keep one.`);
    }
    seen.add(name.toLowerCase());
  }
}

function resolveJobs(
  block: TenantSpec["jobs"],
  file: string,
  where: string,
): DesiredTenant["jobs"] {
  if (block === undefined) return undefined;
  const { list, prune } = Array.isArray(block)
    ? { list: block as readonly JobSettings[], prune: false }
    : {
      list: (block as { list?: JobSettings[] }).list ?? [],
      prune: (block as { prune?: boolean }).prune === true,
    };
  checkUnique(file, `${where}.jobs`, list.map((job) => job.name), "job");
  return { list, prune };
}

/**
 * Reads a desired-state file: parses it (JSON, or YAML for `.yaml`/`.yml`), checks every field,
 * applies `defaults` and reads the users' CSV files. Throws an {@linkcode ArgumentError} with one
 * line naming the file, the place and what to do.
 *
 * @example
 * ```ts
 * import { parseStateFile } from "@mspe/mspe";
 * const state = await parseStateFile(
 *   "version: 1\ndefaults:\n  instance: { status: running }\ninstances:\n  acme:\n    instance: { displayName: Acme }\n",
 *   { file: "tenants.yaml" },
 * );
 * console.log(state.tenants[0]?.instance); // { status: "running", displayName: "Acme" }
 * ```
 */
export async function parseStateFile(
  text: string,
  options: ParseStateOptions = {},
): Promise<DesiredState> {
  const file = options.file ?? "state.json";
  const checked = checkStateFile(
    await parseText(text, file, options.format ?? stateFormatOf(file)),
    file,
  );
  const defaults = checked.defaults ?? {};
  const tenants: DesiredTenant[] = [];
  for (const [instanceID, spec] of Object.entries(checked.instances)) {
    const config: { [K in ConfigKind]?: ConfigObject } = {};
    for (const kind of Object.keys(CONFIG_KINDS) as ConfigKind[]) {
      const value = merged(defaults[kind], spec[kind]);
      if (value !== undefined) config[kind] = value;
    }
    tenants.push({
      instanceID,
      instance: merged(defaults.instance, spec.instance),
      users: await resolveUsers(
        spec.users ?? defaults.users,
        file,
        options,
        spec.users === undefined ? "defaults" : `instances.${instanceID}`,
      ),
      jobs: resolveJobs(
        spec.jobs ?? defaults.jobs,
        file,
        spec.jobs === undefined ? "defaults" : `instances.${instanceID}`,
      ),
      config,
    });
  }
  return { tenants };
}
