/**
 * Reading a desired-state file: JSON or YAML by its extension, checked field by field, with
 * `defaults` applied and users read from CSV files. Every mistake is one line that names the
 * file, the place and what to do.
 *
 * @module
 */

import { csvRecords } from "../_csv_records.ts";
import {
  checkRenames,
  checkSecret,
  checkUnique,
  isObject,
  listBlock,
  mistake,
  oneOf,
  onlyKnown,
  optionalFlag,
  optionalText,
  renamedFrom,
  textList,
} from "./_check.ts";
import {
  checkFolderPrivileges,
  checkJob,
  checkProfile,
  checkStore,
  profileKey,
} from "./_check_resources.ts";
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

function checkInstance(file: string, where: string, value: unknown): InstanceSettings {
  if (!isObject(value)) throw mistake(file, where, "must be an object of instance settings.");
  onlyKnown(file, where, value, INSTANCE_FIELDS);
  for (const field of INSTANCE_TEXTS) {
    optionalText(file, `${where}.${field}`, value[field], "must be a non-empty text.");
  }
  for (const field of INSTANCE_FLAGS) optionalFlag(file, `${where}.${field}`, value[field]);
  oneOf(file, `${where}.startMode`, value.startMode, ["automatic", "manual"]);
  oneOf(file, `${where}.status`, value.status, ["running", "stopped", "frozen"]);
  return value as InstanceSettings;
}

function checkUser(file: string, where: string, value: unknown): UserSettings {
  if (!isObject(value)) throw mistake(file, where, "must be an object with at least userName.");
  onlyKnown(file, where, value, USER_FIELDS);
  // Taken as written, spaces included: the server keeps them, and a trimmed name would be another.
  if (typeof value.userName !== "string" || value.userName === "") {
    throw mistake(file, `${where}.userName`, "is missing: every user needs a userName.");
  }
  const user: Record<string, unknown> = {
    userName: value.userName,
    ...renamedFrom(file, where, value.renamedFrom, value.userName),
  };
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
  if (value.folderPrivileges !== undefined) {
    user.folderPrivileges = checkFolderPrivileges(
      file,
      `${where}.folderPrivileges`,
      value.folderPrivileges,
    );
  }
  if (value.initialPassword !== undefined) {
    user.initialPassword = checkSecret(file, `${where}.initialPassword`, value.initialPassword);
  }
  return user as unknown as UserSettings;
}

function checkConfig(
  file: string,
  where: string,
  value: unknown,
  kind: ConfigKind,
): ConfigObject {
  if (!isObject(value)) throw mistake(file, where, "must be an object of configuration fields.");
  if (!("password" in value)) return value;
  if (!("password" in CONFIG_KINDS[kind])) {
    throw mistake(file, `${where}.password`, `${kind} has no password: leave the field out.`);
  }
  return { ...value, password: checkSecret(file, `${where}.password`, value.password) };
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
    // Folder privileges are an object per user: the state file's list holds them, not a cell.
    ...USER_FIELDS.filter((field) => field !== "initialPassword" && field !== "folderPrivileges"),
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

/** The blocks of an instance (and of `defaults`). */
const TENANT_FIELDS = [
  "instance",
  "users",
  "jobs",
  "stores",
  "profiles",
  ...Object.keys(CONFIG_KINDS),
  "prune",
];

function checkTenant(file: string, where: string, value: unknown): TenantSpec {
  if (!isObject(value)) throw mistake(file, where, "must be an object (instance, users, ...).");
  onlyKnown(file, where, value, TENANT_FIELDS);
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
  if (value.stores !== undefined) {
    tenant.stores = listBlock(file, `${where}.stores`, value.stores, checkStore, false);
  }
  if (value.profiles !== undefined) {
    if (!Array.isArray(value.profiles)) {
      throw mistake(file, `${where}.profiles`, "must be a list of profiles by name.");
    }
    tenant.profiles = value.profiles.map((profile, i) =>
      checkProfile(file, `${where}.profiles[${i}]`, profile)
    );
  }
  for (const kind of Object.keys(CONFIG_KINDS) as ConfigKind[]) {
    if (value[kind] !== undefined) {
      tenant[kind] = checkConfig(file, `${where}.${kind}`, value[kind], kind);
    }
  }
  const prune = optionalFlag(file, `${where}.prune`, value.prune);
  if (prune !== undefined) tenant.prune = prune;
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
  onlyKnown(file, "", value, ["$schema", "version", "defaults", "instances", "prune"]);
  const prune = optionalFlag(file, "prune", value.prune);
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
    ...(prune === undefined ? {} : { prune }),
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
    // Warnings would go to the process's stderr past mspe-run's redaction: errors only.
    return parse(text, { uniqueKeys: true, logLevel: "error" });
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

/** A block's list and whether to prune: its own `prune`, else the instance's. */
function listAndPrune<T>(
  block: readonly T[] | { readonly list?: readonly T[]; readonly prune?: boolean },
  prune: boolean,
): { list: T[]; prune: boolean } {
  if (Array.isArray(block)) return { list: [...block as readonly T[]], prune };
  const { list, prune: own } = block as { list?: readonly T[]; prune?: boolean };
  return { list: [...list ?? []], prune: own ?? prune };
}

async function resolveUsers(
  block: TenantSpec["users"],
  prune: boolean,
  file: string,
  options: ParseStateOptions,
  where: string,
): Promise<DesiredTenant["users"]> {
  if (block === undefined) return undefined;
  const users = listAndPrune<UserSettings>(block, prune);
  const from = Array.isArray(block) ? undefined : (block as { from?: string }).from;
  if (from !== undefined) {
    if (options.readTextFile === undefined) {
      throw mistake(file, `${where}.users.from`, "CSV files cannot be read here.");
    }
    const path = isAbsolute(from) ? from : folderOf(file) + from;
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
    users.list.push(...csvUsers(text, path));
  }
  const names = users.list.map((user) => user.userName);
  checkUnique(file, `${where}.users`, names, "user");
  checkRenames(file, `${where}.users`, users.list, names, "user");
  return users;
}

/** A block of named resources (jobs, stores), each name once. */
function resolveNamed<T extends { readonly name: string }>(
  block: readonly T[] | { readonly list?: readonly T[]; readonly prune?: boolean } | undefined,
  prune: boolean,
  file: string,
  where: string,
  noun: string,
): { list: T[]; prune: boolean } | undefined {
  if (block === undefined) return undefined;
  const resolved = listAndPrune(block, prune);
  const names = resolved.list.map((item) => item.name);
  checkUnique(file, where, names, noun);
  checkRenames(file, where, resolved.list as { renamedFrom?: string }[], names, noun);
  return resolved;
}

/** The configuration kinds of an instance over `defaults`, their passwords apart. */
function resolveConfig(
  defaults: TenantSpec,
  spec: TenantSpec,
): Pick<DesiredTenant, "config" | "configSecrets"> {
  const config: { [K in ConfigKind]?: ConfigObject } = {};
  const configSecrets: { [K in ConfigKind]?: SecretSource } = {};
  for (const kind of Object.keys(CONFIG_KINDS) as ConfigKind[]) {
    const value = merged(defaults[kind], spec[kind]);
    if (value === undefined) continue;
    const { password, ...fields } = value;
    config[kind] = fields;
    if (password !== undefined) configSecrets[kind] = password as SecretSource;
  }
  return Object.keys(configSecrets).length === 0 ? { config } : { config, configSecrets };
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
    const prune = spec.prune ?? defaults.prune ?? false;
    const at = (block: keyof TenantSpec): string =>
      spec[block] === undefined ? "defaults" : `instances.${instanceID}`;
    const profiles = spec.profiles ?? defaults.profiles;
    if (profiles !== undefined) {
      checkUnique(
        file,
        `${at("profiles")}.profiles`,
        profiles.map((profile) => profileKey(profile.owner, profile.name)),
        "profile",
      );
    }
    tenants.push({
      instanceID,
      instance: merged(defaults.instance, spec.instance),
      users: await resolveUsers(
        spec.users ?? defaults.users,
        prune,
        file,
        options,
        at("users"),
      ),
      jobs: resolveNamed(spec.jobs ?? defaults.jobs, prune, file, `${at("jobs")}.jobs`, "job"),
      stores: resolveNamed(
        spec.stores ?? defaults.stores,
        prune,
        file,
        `${at("stores")}.stores`,
        "store",
      ),
      profiles,
      ...resolveConfig(defaults, spec),
    });
  }
  return checked.prune === true ? { tenants, pruneInstances: true } : { tenants };
}
