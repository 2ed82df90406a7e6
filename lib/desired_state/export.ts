/**
 * Exporting: what the servers have now, as a desired-state file that plans no change.
 *
 * @module
 */

import type { Client } from "../client.ts";
import type { FleetProgress } from "../fleet.ts";
import { listInstances } from "../list_instances.ts";
import { eachInstance, type Fields, instanceStatuses, readTenant } from "./_read.ts";
import { INSTANCE_FIELDS, USER_READ_FIELDS } from "./_fields.ts";
import type { StateFormat } from "./parse.ts";
import {
  CONFIG_KINDS,
  type ConfigKind,
  type InstanceSettings,
  type StateFile,
  type TenantSpec,
  type UserSettings,
} from "./types.ts";

/** Options of {@linkcode exportState}. */
export interface ExportStateOptions {
  /** Which instances: a filter (`"*"`, `"acme*"`) or a list of IDs. Default `"*"`. */
  readonly instances?: string | readonly string[] | undefined;
  /** The configuration kinds to export (default: all of {@linkcode CONFIG_KINDS}). */
  readonly kinds?: readonly ConfigKind[] | undefined;
  /** At most this many instances are read at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Aborts the reading. */
  readonly signal?: AbortSignal | undefined;
  /** Called as instances are read. */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
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
 * selected instance with its settings and whether it runs, its users (not `$archiveadmin`, the
 * server's own; never a password) and its configuration kinds (without passwords). Planning the
 * result against the same server shows no change. A stopped instance gets its instance block
 * only: the server answers no other call for it.
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
  const ids = typeof selection === "string"
    ? (await listInstances(client, selection, { signal: options.signal })).found.map((found) =>
      found.instanceID
    )
    : [...selection];
  const listed = await instanceStatuses(client, options.signal);
  const kinds = options.kinds ?? Object.keys(CONFIG_KINDS) as ConfigKind[];
  const tenants = await eachInstance(
    client,
    ids,
    async (instanceID, signal) => {
      const actual = await readTenant(
        client,
        instanceID,
        listed.get(instanceID.toLowerCase()),
        { users: "all", jobs: true, config: kinds },
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
      for (const kind of kinds) {
        const config = actual.config[kind];
        if (config === undefined) continue;
        const { password: _password, ...rest } = config;
        tenant[kind] = rest;
      }
      return tenant as TenantSpec;
    },
    options,
  );
  return {
    version: 1,
    instances: Object.fromEntries(ids.map((id) => [id, tenants.get(id) ?? {}])),
  };
}

/**
 * A state file as text: JSON (two-space indents) or YAML. `schema`, when given, goes into JSON
 * as `$schema` so that editors complete the file.
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
  return stringify(file, { lineWidth: 0 });
}
