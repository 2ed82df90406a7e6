/**
 * Reading what a server has now, with read-only calls only: the instance list once, then per
 * instance its configuration, users and configuration kinds as far as they are asked for.
 *
 * @module
 */

import type { Client } from "../client.ts";
import {
  ArgumentError,
  AuthenticationError,
  ConnectionError,
  TlsError,
  TokenExpiredError,
} from "../errors.ts";
import { DEFAULT_CONCURRENCY, type FleetProgress, forEachInstance } from "../fleet.ts";
import { type UncheckedArgs, uncheckedFunction } from "../function_names.ts";
import { invokeCall } from "../invoke_call.ts";
import { profileKey } from "./_check_resources.ts";
import { CONFIG_KINDS, type ConfigKind } from "./types.ts";

/** A plain object as the server returns it. */
export type Fields = Record<string, unknown>;

/** Calls a function by name and returns its result (the names come from CONFIG_KINDS and here). */
export async function call(
  client: Client,
  fn: string,
  args: UncheckedArgs,
  signal: AbortSignal | undefined,
): Promise<unknown> {
  return (await invokeCall(client, uncheckedFunction(fn), args, { signal })).result;
}

/** What one instance has now. */
export interface ActualTenant {
  readonly instanceID: string;
  /**
   * GetInstanceConfiguration plus `status` from GetInstances and `archiveAdminEnabled` (when
   * read); undefined when it does not exist.
   */
  readonly instance: Fields | undefined;
  /** The users by lower-case name: GetUserInfo's fields for those read in full, else GetUsers'. */
  readonly users: Map<string, Fields> | undefined;
  /** The jobs by lower-case name (GetJobs), when asked for. */
  readonly jobs?: Map<string, Fields> | undefined;
  /** The stores by lower-case name (GetStores), when asked for. */
  readonly stores?: Map<string, Fields> | undefined;
  /** The profiles by owner and name (GetProfiles, see profileKey), when asked for. */
  readonly profiles?: Map<string, Fields> | undefined;
  /** The configuration kinds read. */
  readonly config: { [K in ConfigKind]?: Fields };
}

/** What to read of one instance. */
export interface ReadWanted {
  /** Read the users: every name, and these (lower case) in full; `"all"` for every user in full. */
  readonly users?: ReadonlySet<string> | "all" | undefined;
  /** Read the jobs. */
  readonly jobs?: boolean;
  /** Read the stores. */
  readonly stores?: boolean;
  /** Read the profiles. */
  readonly profiles?: boolean;
  /** Read whether service provider access is on (read anyway when more than stores is wanted). */
  readonly archiveAdmin?: boolean;
  /** The configuration kinds to read. */
  readonly config: readonly ConfigKind[];
}

/**
 * The instances that exist now, by lower-case ID, with their status (one GetInstances call; by
 * default every instance, else those of `filter`).
 */
export async function instanceStatuses(
  client: Client,
  signal: AbortSignal | undefined,
  filter = "*",
): Promise<Map<string, Fields>> {
  const list = await call(client, "GetInstances", { instanceFilter: filter }, signal);
  const found = new Map<string, Fields>();
  for (const item of Array.isArray(list) ? list as Fields[] : []) {
    if (typeof item.instanceID === "string") found.set(item.instanceID.toLowerCase(), item);
  }
  return found;
}

/**
 * One instance as GetInstances lists it, or undefined when it does not exist: asked for by its ID,
 * so that a fleet's apply does not fetch the whole list once per instance.
 */
export async function instanceStatus(
  client: Client,
  instanceID: string,
  signal: AbortSignal | undefined,
): Promise<Fields | undefined> {
  return (await instanceStatuses(client, signal, instanceID)).get(instanceID.toLowerCase());
}

/**
 * Reads one instance. Stores, users, jobs, profiles and configuration are read only while it runs
 * (the server answers them only then), and all but stores only with service provider access on:
 * `instance.status` and `instance.archiveAdminEnabled` tell.
 */
export async function readTenant(
  client: Client,
  instanceID: string,
  listed: Fields | undefined,
  wanted: ReadWanted,
  signal: AbortSignal | undefined,
): Promise<ActualTenant> {
  if (listed === undefined) {
    return { instanceID, instance: undefined, users: undefined, config: {} };
  }
  const configuration = await call(client, "GetInstanceConfiguration", { instanceID }, signal);
  const instance: Fields = { ...(configuration as Fields), status: listed.status };
  const inside = wanted.users !== undefined || wanted.jobs === true ||
    wanted.profiles === true || wanted.config.length > 0;
  if (wanted.archiveAdmin === true || inside) {
    instance.archiveAdminEnabled =
      await call(client, "GetArchiveAdminEnabled", { instanceID }, signal) === true;
  }
  const config: { [K in ConfigKind]?: Fields } = {};
  if (listed.status !== "running") return { instanceID, instance, users: undefined, config };
  // Store functions run without service provider access (protocol.md, section 5).
  const stores = wanted.stores === true
    ? await readNamed(client, "GetStores", { instanceID }, instanceID, "archive stores", signal)
    : undefined;
  if (instance.archiveAdminEnabled === false) {
    return { instanceID, instance, users: undefined, stores, config };
  }
  for (const kind of wanted.config) {
    config[kind] = await call(client, CONFIG_KINDS[kind].get, { instanceID }, signal) as Fields;
  }
  let users: Map<string, Fields> | undefined;
  if (wanted.users !== undefined) {
    users = new Map();
    const list = await call(client, "GetUsers", { instanceID }, signal) as Fields[] | null;
    for (const user of list ?? []) {
      const name = String(user.userName);
      const key = name.toLowerCase();
      const full = wanted.users === "all" || wanted.users.has(key);
      users.set(
        key,
        full
          ? await call(client, "GetUserInfo", { instanceID, userName: name }, signal) as Fields
          : user,
      );
    }
  }
  const jobs = wanted.jobs === true
    ? await readNamed(client, "GetJobs", { instanceID }, instanceID, "jobs", signal)
    : undefined;
  const profiles = wanted.profiles === true
    ? await readNamed(
      client,
      "GetProfiles",
      { instanceID, raw: true },
      instanceID,
      "profiles",
      signal,
      (profile) => profileKey(profile.owner, profile.name),
    )
    : undefined;
  return { instanceID, instance, users, jobs, stores, profiles, config };
}

/**
 * A list of named resources by their key (the lower-case name); two of one key cannot be told
 * apart, so the file could not say which it means.
 */
async function readNamed(
  client: Client,
  fn: string,
  args: UncheckedArgs,
  instanceID: string,
  noun: string,
  signal: AbortSignal | undefined,
  keyOf: (item: Fields) => string = (item) => String(item.name).toLowerCase(),
): Promise<Map<string, Fields>> {
  const found = new Map<string, Fields>();
  for (const item of (await call(client, fn, args, signal) ?? []) as Fields[]) {
    const key = keyOf(item);
    if (found.has(key)) {
      throw new ArgumentError(
        `Instance ${instanceID} has two ${noun} named ${String(item.name)}: rename one ` +
          "so that the state file can tell them apart.",
      );
    }
    found.set(key, item);
  }
  return found;
}

/**
 * Whether an error is the server's, not one instance's: the connection, its certificate, the
 * login, the run aborted. It ends the run with its one line instead of a row per instance.
 */
function serverWide(error: Error): boolean {
  return error instanceof ConnectionError || error instanceof TlsError ||
    error instanceof AuthenticationError || error instanceof TokenExpiredError ||
    error.name === "AbortError";
}

/** The fleet options the state functions share. */
export interface EachOptions {
  readonly concurrency?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly stop?: AbortSignal | undefined;
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
}

/**
 * Runs `fn` for each instance ID (at most `concurrency` at once) and returns the values by ID.
 * With `failures`, an instance that fails is recorded there and the others go on (one bad
 * instance never ends a fleet run); without, the first failure ends the run.
 */
export async function eachInstance<T>(
  client: Client,
  ids: readonly string[],
  fn: (instanceID: string, signal: AbortSignal) => Promise<T>,
  options: EachOptions,
  failures?: Map<string, Error>,
): Promise<Map<string, T>> {
  const values = new Map<string, T>();
  if (ids.length === 0) return values;
  const run = forEachInstance(client, (instanceID, { signal }) => fn(instanceID, signal), {
    instances: ids,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    signal: options.signal,
    stop: options.stop,
    onProgress: options.onProgress,
  });
  for await (const outcome of run) {
    if (outcome.ok) values.set(outcome.instanceID, outcome.value);
    else if (failures === undefined || serverWide(outcome.error)) throw outcome.error;
    else failures.set(outcome.instanceID, outcome.error);
  }
  return values;
}
