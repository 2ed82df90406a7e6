/**
 * Planning: what would change on the servers to make them match a desired-state file, read with
 * read-only calls only.
 *
 * @module
 */

import type { Client } from "../client.ts";
import { ArgumentError } from "../errors.ts";
import type { FleetProgress } from "../fleet.ts";
import {
  type ActualTenant,
  eachInstance,
  type Fields,
  instanceStatuses,
  readTenant,
  type ReadWanted,
} from "./_read.ts";
import type {
  ConfigKind,
  DesiredState,
  DesiredTenant,
  InstanceSettings,
  SecretSource,
  UserSettings,
} from "./types.ts";

/** What a change does to its resource. */
export type ChangeAction = "create" | "change" | "delete";

/** The resource kinds a plan covers: the instance, its users and the configuration kinds. */
export type ResourceKind = "instance" | "user" | "job" | ConfigKind;

/** What a field shows for a secret: it is set when the resource is created, never compared. */
export const SET_ONLY_ON_CREATE = "(set only on create)";

/**
 * One field of a change: its value now (`old`, `undefined` for a resource to create) and the
 * value it will get. A secret shows {@linkcode SET_ONLY_ON_CREATE}, never its value.
 */
export interface FieldChange {
  /** The field's name, such as `displayName` or `privileges`. */
  readonly field: string;
  /** The value now; `undefined` when the resource does not exist yet. */
  readonly old: unknown;
  /** The value the change sets. */
  readonly new: unknown;
}

/**
 * One change of a plan: a resource of one instance to create, change or delete.
 *
 * @example
 * ```ts
 * import type { PlannedChange } from "@mspe/mspe";
 * const change: PlannedChange = {
 *   instanceID: "acme",
 *   kind: "user",
 *   resource: "jdoe",
 *   action: "change",
 *   fields: [{ field: "fullName", old: "J. Doe", new: "Jane Doe" }],
 * };
 * console.log(`${change.instanceID} ${change.kind} ${change.resource}: ${change.action}`);
 * ```
 */
export interface PlannedChange {
  /** The instance. */
  readonly instanceID: string;
  /** The kind of resource. */
  readonly kind: ResourceKind;
  /** The resource: the instance ID, the user name, or the configuration kind. */
  readonly resource: string;
  /** What happens to it. */
  readonly action: ChangeAction;
  /** The fields that change (for a create: every field given; for a delete: none). */
  readonly fields: readonly FieldChange[];
  /** For a user to create: where its initial password comes from (never the password). */
  readonly secret?: SecretSource | undefined;
  /** For a job to change or delete: its ID on the server. */
  readonly jobID?: number | undefined;
}

/** The plan of one instance. */
export interface TenantPlan {
  /** The instance ID. */
  readonly instanceID: string;
  /** What the file wants of it. */
  readonly desired: DesiredTenant;
  /** Its changes, in the order apply makes them. */
  readonly changes: readonly PlannedChange[];
  /**
   * What could not be compared, and why (a stopped instance answers no user or configuration
   * call: they are compared once it runs, which apply does after starting it).
   */
  readonly notes: readonly string[];
}

/**
 * What would change: the changes by instance and a count per action.
 *
 * @example
 * ```ts
 * import type { StatePlan } from "@mspe/mspe";
 * function pending(plan: StatePlan): boolean {
 *   return plan.summary.create + plan.summary.change + plan.summary.delete > 0;
 * }
 * console.log(pending({ tenants: [], summary: { create: 0, change: 0, delete: 0 } })); // false
 * ```
 */
export interface StatePlan {
  /** Every instance of the selection, in the file's order. */
  readonly tenants: readonly TenantPlan[];
  /** How many changes of each action. */
  readonly summary: { readonly create: number; readonly change: number; readonly delete: number };
  /**
   * The instances on the server that the desired state does not list (never changed; a drift
   * check may want to know about them).
   */
  readonly unmanaged?: readonly string[];
}

/** Options of {@linkcode planState}. */
export interface PlanStateOptions {
  /** At most this many instances are read at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Aborts the reading. */
  readonly signal?: AbortSignal | undefined;
  /** Called as instances are read. */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
}

/** Fields whose order does not matter. */
const SET_FIELDS = new Set(["privileges", "loginPrivileges"]);

/** The comparable form of a value: lists without `none`, sets sorted, empty texts as null. */
function normal(field: string, value: unknown): unknown {
  if (value === "" || value === undefined) return null;
  if (Array.isArray(value)) {
    const list = value.filter((item) => item !== "none");
    return SET_FIELDS.has(field) ? [...list].sort() : list;
  }
  return value;
}

/** Whether two JSON values are the same, objects without regard to the order of their keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length &&
      ka.every((key) =>
        sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
      );
  }
  return false;
}

/** The fields of `desired` whose values differ from `current`'s. */
function differences(
  desired: Readonly<Record<string, unknown>>,
  current: Fields | undefined,
  skip: readonly string[] = [],
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(desired)) {
    if (skip.includes(field) || value === undefined) continue;
    const old = current?.[field];
    if (current === undefined || !sameValue(normal(field, value), normal(field, old))) {
      changes.push({ field, old, new: value });
    }
  }
  return changes;
}

function userCreate(instanceID: string, user: UserSettings): PlannedChange {
  const fields = differences(user as unknown as Record<string, unknown>, undefined, [
    "userName",
    "initialPassword",
  ]);
  if (user.initialPassword !== undefined) {
    fields.push({ field: "initialPassword", old: undefined, new: SET_ONLY_ON_CREATE });
  }
  return {
    instanceID,
    kind: "user",
    resource: user.userName,
    action: "create",
    fields,
    secret: user.initialPassword,
  };
}

/**
 * The changes that make one instance as the file wants it, from what it has now. Pure: no call.
 */
export function planTenant(desired: DesiredTenant, actual: ActualTenant): TenantPlan {
  const { instanceID } = desired;
  const changes: PlannedChange[] = [];
  const notes: string[] = [];
  const wanted: InstanceSettings = desired.instance ?? {};
  if (actual.instance === undefined) {
    if (wanted.instanceHost === undefined) {
      throw new ArgumentError(
        `Instance ${instanceID} does not exist: give instances.${instanceID}.instance.instanceHost ` +
          "(and the other settings) so that apply can create it, or correct the instance ID.",
      );
    }
    changes.push({
      instanceID,
      kind: "instance",
      resource: instanceID,
      action: "create",
      fields: differences(wanted as Record<string, unknown>, undefined),
    });
  } else if (desired.instance !== undefined) {
    const fields = differences(wanted as Record<string, unknown>, actual.instance);
    if (fields.length > 0) {
      changes.push({
        instanceID,
        kind: "instance",
        resource: instanceID,
        action: "change",
        fields,
      });
    }
  }
  const running = actual.instance?.status === "running";
  const willRun = wanted.status === "running" || (wanted.status === undefined && running);
  const rest = desired.users !== undefined || desired.jobs !== undefined ||
    Object.keys(desired.config).length > 0;
  if (!running && rest) {
    notes.push(
      willRun
        ? "Users, jobs and configuration are compared once the instance runs: apply starts it, then " +
          "makes them as the file says."
        : `The instance ${
          actual.instance === undefined ? "will not run once created" : "is stopped"
        }: its users, jobs and configuration cannot be read or changed until it runs ` +
          "(instance.status: running).",
    );
    return { instanceID, desired, changes, notes };
  }
  for (const [kind, config] of Object.entries(desired.config) as [ConfigKind, Fields][]) {
    const fields = differences(config, actual.config[kind]);
    if (fields.length > 0) {
      changes.push({ instanceID, kind, resource: kind, action: "change", fields });
    }
  }
  if (desired.users !== undefined) {
    const current = actual.users ?? new Map<string, Fields>();
    const listed = new Set<string>();
    for (const user of desired.users.list) {
      const key = user.userName.toLowerCase();
      listed.add(key);
      const now = current.get(key);
      if (now === undefined) {
        changes.push(userCreate(instanceID, user));
        continue;
      }
      const fields = differences(user as unknown as Record<string, unknown>, now, [
        "userName",
        "initialPassword",
      ]);
      if (fields.length > 0) {
        changes.push({
          instanceID,
          kind: "user",
          resource: String(now.userName),
          action: "change",
          fields,
        });
      }
    }
    if (desired.users.prune) {
      for (const [key, user] of current) {
        // The archive admin is the server's own: it can be neither created nor deleted.
        if (listed.has(key) || key === "$archiveadmin") continue;
        changes.push({
          instanceID,
          kind: "user",
          resource: String(user.userName),
          action: "delete",
          fields: [],
        });
      }
    }
  }
  if (desired.jobs !== undefined) changes.push(...planJobs(desired, actual.jobs ?? new Map()));
  return { instanceID, desired, changes, notes };
}

/** The changes of an instance's jobs, by name. */
function planJobs(desired: DesiredTenant, current: Map<string, Fields>): PlannedChange[] {
  const { instanceID } = desired;
  const changes: PlannedChange[] = [];
  const listed = new Set<string>();
  for (const job of desired.jobs?.list ?? []) {
    const key = job.name.toLowerCase();
    listed.add(key);
    const now = current.get(key);
    const wanted = job as unknown as Record<string, unknown>;
    if (now === undefined) {
      if (job.action === undefined || job.schedule === undefined) {
        throw new ArgumentError(
          `Job ${job.name} of instance ${instanceID} does not exist: give its action and schedule ` +
            "so that apply can create it, or correct the name.",
        );
      }
      changes.push({
        instanceID,
        kind: "job",
        resource: job.name,
        action: "create",
        fields: differences(wanted, undefined, ["name"]),
      });
      continue;
    }
    if (job.action !== undefined && job.action !== now.action) {
      throw new ArgumentError(
        `Job ${job.name} of instance ${instanceID} runs ${
          String(now.action)
        }, and the server cannot change a job's action: give the new action a job of another ` +
          "name (with jobs: { prune: true } the old one is deleted).",
      );
    }
    const fields = differences(wanted, now, ["name", "action"]);
    if (fields.length > 0) {
      changes.push({
        instanceID,
        kind: "job",
        resource: String(now.name),
        action: "change",
        fields,
        jobID: Number(now.id),
      });
    }
  }
  if (desired.jobs?.prune) {
    for (const [key, job] of current) {
      if (listed.has(key)) continue;
      changes.push({
        instanceID,
        kind: "job",
        resource: String(job.name),
        action: "delete",
        fields: [],
        jobID: Number(job.id),
      });
    }
  }
  return changes;
}

/** What to read of an instance for the plan of `tenant`. */
function wantedFor(tenant: DesiredTenant): ReadWanted {
  return {
    users: tenant.users === undefined
      ? undefined
      : new Set(tenant.users.list.map((user) => user.userName.toLowerCase())),
    jobs: tenant.jobs !== undefined,
    config: Object.keys(tenant.config) as ConfigKind[],
  };
}

/** The count of each action in some tenant plans. */
export function summarize(tenants: readonly TenantPlan[]): StatePlan["summary"] {
  const summary = { create: 0, change: 0, delete: 0 };
  for (const tenant of tenants) {
    for (const change of tenant.changes) summary[change.action]++;
  }
  return summary;
}

/** Reads one instance and plans it. */
export async function planOne(
  client: Client,
  tenant: DesiredTenant,
  listed: Fields | undefined,
  signal: AbortSignal | undefined,
): Promise<TenantPlan> {
  return planTenant(
    tenant,
    await readTenant(client, tenant.instanceID, listed, wantedFor(tenant), signal),
  );
}

/**
 * Reads what the servers have now for every instance of `desired` (read-only calls, at most
 * `concurrency` instances at once) and returns what would change. Secrets are never read and
 * never shown: a user's initial password shows as {@linkcode SET_ONLY_ON_CREATE}.
 *
 * @example
 * ```ts
 * import { newClient, parseStateFile, planState } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const desired = await parseStateFile(await Deno.readTextFile("tenants.yaml"), {
 *   file: "tenants.yaml",
 *   readTextFile: Deno.readTextFile,
 * });
 * const plan = await planState(client, desired, { concurrency: 8 });
 * for (const tenant of plan.tenants) {
 *   for (const change of tenant.changes) console.log(change.instanceID, change.resource, change.action);
 * }
 * console.log(plan.summary); // { create: 0, change: 2, delete: 0 }
 * ```
 */
export async function planState(
  client: Client,
  desired: DesiredState,
  options: PlanStateOptions = {},
): Promise<StatePlan> {
  const listed = await instanceStatuses(client, options.signal);
  const byID = new Map(desired.tenants.map((tenant) => [tenant.instanceID, tenant]));
  const plans = await eachInstance(
    client,
    desired.tenants.map((tenant) => tenant.instanceID),
    (instanceID, signal) =>
      planOne(client, byID.get(instanceID)!, listed.get(instanceID.toLowerCase()), signal),
    options,
  );
  const tenants = desired.tenants.map((tenant) => plans.get(tenant.instanceID)!);
  const known = new Set(desired.tenants.map((tenant) => tenant.instanceID.toLowerCase()));
  const unmanaged = [...listed.values()].map((instance) => String(instance.instanceID))
    .filter((id) => !known.has(id.toLowerCase()));
  return { tenants, summary: summarize(tenants), unmanaged };
}
