/**
 * Exporting: what the servers have now, as a desired-state file that plans no change.
 *
 * @module
 */

import type { Client } from "../client.ts";
import type { FleetProgress } from "../fleet.ts";
import { ArgumentError } from "../errors.ts";
import { eachInstance, type Fields, instanceStatuses, readTenant } from "./_read.ts";
import { selects } from "./_select.ts";
import { INSTANCE_FIELDS, STORE_FIELDS, USER_READ_FIELDS } from "./_fields.ts";
import { ARCHIVE_ADMIN } from "./_check_resources.ts";
import { executionOf } from "./_plan_resources.ts";
import type { StateFormat } from "./parse.ts";
import {
  CONFIG_KINDS,
  type ConfigKind,
  type InstanceSettings,
  type StateFile,
  type TenantSpec,
  type UserSettings,
} from "./types.ts";

/**
 * The blocks of an instance that {@linkcode exportState} can write besides the instance itself:
 * users, jobs, stores, profiles and the configuration kinds.
 *
 * @example
 * ```ts
 * import { EXPORT_KINDS } from "@mspe/mspe";
 * console.log(EXPORT_KINDS.includes("stores")); // true
 * ```
 */
export const EXPORT_KINDS: readonly ExportKind[] = [
  "users",
  "jobs",
  "stores",
  "profiles",
  ...Object.keys(CONFIG_KINDS) as ConfigKind[],
];

/** One of {@linkcode EXPORT_KINDS}. */
export type ExportKind = "users" | "jobs" | "stores" | "profiles" | ConfigKind;

/** Options of {@linkcode exportState}. */
export interface ExportStateOptions {
  /**
   * Which instances: a filter (`"*"`, `"acme*"`, several separated by commas) or a list of IDs
   * (each must exist). Default `"*"`.
   */
  readonly instances?: string | readonly string[] | undefined;
  /**
   * The blocks to export besides the instance itself (default: all of
   * {@linkcode EXPORT_KINDS}): fewer blocks, fewer calls.
   */
  readonly kinds?: readonly ExportKind[] | undefined;
  /** At most this many instances are read at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Aborts the reading. */
  readonly signal?: AbortSignal | undefined;
  /** Called as instances are read. */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
  /**
   * Called for each instance that could not be read, which the file then leaves out; the others
   * are exported all the same. Without it, the first such instance ends the export.
   */
  readonly onFailure?: ((instanceID: string, error: Error) => void) | undefined;
}

/** A user's folder privileges as the file writes them (GetUserInfo's privilegesOnFolders). */
function folderPrivilegesOf(user: Fields): Record<string, string[]> {
  const folders: Record<string, string[]> = {};
  for (const entry of Array.isArray(user.privilegesOnFolders) ? user.privilegesOnFolders : []) {
    const { folder, privileges } = entry as Fields;
    const list = Array.isArray(privileges) ? privileges.filter((item) => item !== "none") : [];
    if (list.length > 0) folders[String(folder)] = [...list].sort();
  }
  return folders;
}

/** An object without its null fields (the file leaves them out). */
function withoutNulls(value: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== null));
}

function pick(from: Fields, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) {
    if (from[field] !== undefined) picked[field] = from[field];
  }
  return picked;
}

/**
 * Reads what the servers have now (read-only calls) and returns it as a state file: every
 * selected instance with its settings, whether it runs and whether service provider access is on,
 * its users (not `$archiveadmin`, the server's own; never a password) with their folder
 * privileges, its archive stores, jobs, profiles' server-side execution and configuration kinds
 * (without passwords). Planning the result against the same server shows no change. A stopped
 * instance gets its instance block only, one closed to service provider access also its stores:
 * the server answers no other call for it.
 *
 * @example
 * ```ts
 * import { exportState, newClient, renderStateFile } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const file = await exportState(client, { instances: "acme*" });
 * console.log(await renderStateFile(file, "yaml"));
 * ```
 */
export async function exportState(
  client: Client,
  options: ExportStateOptions = {},
): Promise<StateFile> {
  const selection = options.instances ?? "*";
  const listed = await instanceStatuses(client, options.signal);
  const existing = [...listed.values()].map((instance) => String(instance.instanceID));
  // A filter picks from what exists; a part of it without wildcards names an instance that must.
  const chosen = (filter: string): string[] => {
    for (const part of filter.split(",").map((item) => item.trim())) {
      if (part !== "" && !/[*?]/.test(part) && !listed.has(part.toLowerCase())) {
        throw new ArgumentError(
          `Instance ${part} does not exist: correct the ID (mspe-run call GetInstances lists them).`,
        );
      }
    }
    return existing.filter((id) => selects(filter, id));
  };
  // IDs as the server spells them; a filter (wildcards, several separated by commas) picks from
  // what exists, and an ID that does not exist is a mistake, not an empty entry of the file.
  const ids = typeof selection === "string" ? chosen(selection) : selection.map((id) => {
    const found = listed.get(id.toLowerCase());
    if (found === undefined) {
      throw new ArgumentError(
        `Instance ${id} does not exist: correct the ID (mspe-run call GetInstances lists them).`,
      );
    }
    return String(found.instanceID);
  });
  const blocks = new Set(options.kinds ?? EXPORT_KINDS);
  const kinds = (Object.keys(CONFIG_KINDS) as ConfigKind[]).filter((kind) => blocks.has(kind));
  const failures = options.onFailure === undefined ? undefined : new Map<string, Error>();
  const tenants = await eachInstance(
    client,
    ids,
    async (instanceID, signal) => {
      const actual = await readTenant(
        client,
        instanceID,
        listed.get(instanceID.toLowerCase()),
        {
          users: blocks.has("users") ? "all" : undefined,
          jobs: blocks.has("jobs"),
          stores: blocks.has("stores"),
          profiles: blocks.has("profiles"),
          archiveAdmin: true,
          config: kinds,
        },
        signal,
      );
      const tenant: Record<string, unknown> = {};
      if (actual.instance !== undefined) {
        tenant.instance = pick(actual.instance, INSTANCE_FIELDS) as InstanceSettings;
      }
      if (actual.users !== undefined) {
        tenant.users = [...actual.users.values()]
          .filter((user) => user.userName !== "$archiveadmin")
          .map((user) =>
            ({
              userName: user.userName,
              ...pick(user, USER_READ_FIELDS),
              folderPrivileges: folderPrivilegesOf(user),
            }) as unknown as UserSettings
          );
      }
      if (actual.jobs !== undefined) {
        tenant.jobs = [...actual.jobs.values()].map((job) => ({
          name: job.name,
          action: job.action,
          schedule: job.schedule,
          enabled: job.enabled,
        }));
      }
      if (actual.stores !== undefined) {
        tenant.stores = [...actual.stores.values()].map((store) => pick(store, STORE_FIELDS));
      }
      if (actual.profiles !== undefined) {
        tenant.profiles = [...actual.profiles.values()].map((profile) => ({
          name: profile.name,
          ...(profile.owner === ARCHIVE_ADMIN ? {} : { owner: profile.owner }),
          serverSideExecution: withoutNulls(executionOf(profile.serverSideExecution)),
        }));
      }
      for (const kind of kinds) {
        const config = actual.config[kind];
        if (config === undefined) continue;
        const { password: _password, ...rest } = config;
        tenant[kind] = rest;
      }
      return tenant as TenantSpec;
    },
    options,
    failures,
  );
  const unread = ids.filter((id) => !tenants.has(id) && !failures?.has(id)).length;
  // Stopped (Ctrl-C): a file without the instances never read would pass for a whole export.
  if (unread > 0) {
    throw new DOMException(
      `The export was stopped before ${unread} of ${ids.length} instances were read.`,
      "AbortError",
    );
  }
  for (const [instanceID, error] of failures ?? []) options.onFailure?.(instanceID, error);
  // An instance not read is left out (not written empty: plan would take {} for "no change").
  return {
    version: 1,
    instances: Object.fromEntries(
      ids.filter((id) => tenants.has(id) || failures === undefined).map((id) => [
        id,
        tenants.get(id) ?? {},
      ]),
    ),
  };
}

/**
 * A state file as text: JSON (two-space indents) or YAML. `schema`, when given, goes into JSON
 * as `$schema` and into YAML as a `# yaml-language-server: $schema=...` line, so that editors
 * complete the file.
 *
 * @example
 * ```ts
 * import { renderStateFile } from "@mspe/mspe";
 * console.log(await renderStateFile({ version: 1, instances: { acme: {} } }, "yaml"));
 * // version: 1
 * // instances:
 * //   acme: {}
 * ```
 */
export async function renderStateFile(
  file: StateFile,
  format: StateFormat,
  schema?: string,
): Promise<string> {
  if (format === "json") {
    const value = schema === undefined ? file : { $schema: schema, ...file };
    return `${JSON.stringify(value, null, 2)}\n`;
  }
  const { stringify } = await import("yaml");
  // The YAML language server (VS Code's YAML extension and others) reads the schema from here.
  const modeline = schema === undefined ? "" : `# yaml-language-server: $schema=${schema}\n`;
  return modeline + stringify(file, { lineWidth: 0 });
}
