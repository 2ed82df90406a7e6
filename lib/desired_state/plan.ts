/**
 * Planning: what would change on the servers to make them match a desired-state file, read with
 * read-only calls only.
 *
 * @module
 */

import type { Client } from "../client.ts";
import { ArgumentError } from "../errors.ts";
import type { FleetProgress } from "../fleet.ts";
import { differences } from "./_compare.ts";
import {
  type ActualTenant,
  eachInstance,
  type Fields,
  instanceStatuses,
  readTenant,
  type ReadWanted,
} from "./_read.ts";
import {
  keptNames,
  type KindChanges,
  planFolderPrivileges,
  planJobs,
  planNamed,
  planProfiles,
  planStores,
  pruned,
} from "./_plan_resources.ts";
import { selects } from "./_select.ts";
import type {
  ConfigKind,
  DesiredState,
  DesiredTenant,
  InstanceSettings,
  UserSettings,
} from "./types.ts";

export {
  type ChangeAction,
  type FieldChange,
  type PlannedChange,
  type ResourceKind,
  SENT_WITH_CHANGE,
  SET_ONLY_ON_CREATE,
} from "./change.ts";
import {
  type FieldChange,
  type PlannedChange,
  SENT_WITH_CHANGE,
  SET_ONLY_ON_CREATE,
} from "./change.ts";

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
  /**
   * Whether the rest of the instance (users, stores, jobs, profiles, configuration) is planned
   * only once apply has made its instance change: it is new, stopped or closed to service
   * provider access now, and the file wants it running and open.
   */
  readonly deferred?: boolean;
  /**
   * Why the instance could not be planned (one line): it was not read, or the file asks what the
   * server cannot do. It has no changes, and apply leaves it alone; the others are planned.
   */
  readonly error?: string;
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
  /**
   * The instances the desired state was cut to: a filter (`*`, `acme*`) or IDs separated by
   * commas (default `*`). The server's instances outside it are neither named as unmanaged nor
   * deleted by the file's `prune: true`.
   */
  readonly instances?: string | undefined;
  /**
   * Send the passwords of configuration objects that the file names although nothing else of
   * the object changed (the server never sends them back, so a new password is not seen).
   */
  readonly sendSecrets?: boolean | undefined;
  /** At most this many instances are read at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Aborts the reading. */
  readonly signal?: AbortSignal | undefined;
  /** Called as instances are read. */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
}

function userCreate(instanceID: string, user: UserSettings): PlannedChange {
  const fields = differences(user as unknown as Record<string, unknown>, undefined, [
    "userName",
    "initialPassword",
    "folderPrivileges",
    "renamedFrom",
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

/** Options of {@linkcode planTenant}. */
interface PlanTenantOptions {
  /** Send configuration passwords although nothing else of the configuration changed. */
  readonly sendSecrets?: boolean | undefined;
}

/** Whether a change is the one that closes service provider access (made last). */
export function closesAccess(change: PlannedChange): boolean {
  return change.kind === "instance" && change.action === "change" &&
    change.fields.length === 1 && change.fields[0]?.field === "archiveAdminEnabled" &&
    change.fields[0].new === false;
}

/**
 * Whether a change is one of those an instance's plan ends with: stopping or freezing a running
 * instance, closing service provider access. Before them, it answers every call.
 */
export function isTrailing(change: PlannedChange): boolean {
  return change.kind === "instance" && change.action === "change" && change.fields.length === 1 &&
    (closesAccess(change) ||
      (change.fields[0]?.field === "status" && change.fields[0].old === "running"));
}

/**
 * The instance's own change (create or change), and the changes split off it to go last:
 * stopping or freezing a running instance, then closing service provider access.
 */
function planInstance(
  desired: DesiredTenant,
  actual: ActualTenant,
): { first?: PlannedChange; trailing: PlannedChange[] } {
  const { instanceID } = desired;
  const wanted = (desired.instance ?? {}) as Record<string, unknown>;
  if (actual.instance === undefined) {
    if (wanted.instanceHost === undefined) {
      throw new ArgumentError(
        `Instance ${instanceID} does not exist: give instances.${instanceID}.instance.instanceHost ` +
          "(and the other settings) so that apply can create it, or correct the instance ID.",
      );
    }
  } else if (desired.instance === undefined) {
    return { trailing: [] };
  }
  let fields = differences(wanted, actual.instance);
  const last = (field: FieldChange): PlannedChange => ({
    instanceID,
    kind: "instance",
    resource: instanceID,
    action: "change",
    fields: [field],
  });
  const trailing: PlannedChange[] = [];
  const halting = fields.find((field) =>
    field.field === "status" && field.old === "running" && field.new !== "running"
  );
  if (halting !== undefined) trailing.push(last(halting));
  const closing = fields.find((field) =>
    field.field === "archiveAdminEnabled" && field.new === false
  );
  if (closing !== undefined) {
    trailing.push(last({ ...closing, old: actual.instance?.archiveAdminEnabled ?? true }));
  }
  fields = fields.filter((field) => field !== closing && field !== halting);
  const action = actual.instance === undefined ? "create" : "change";
  return {
    ...(fields.length > 0 || action === "create"
      ? { first: { instanceID, kind: "instance", resource: instanceID, action, fields } }
      : {}),
    trailing,
  };
}

/** The changes of the configuration kinds, a password with the rest of its object. */
function planConfig(
  desired: DesiredTenant,
  actual: ActualTenant,
  options: PlanTenantOptions,
): PlannedChange[] {
  const { instanceID } = desired;
  const changes: PlannedChange[] = [];
  for (const [kind, config] of Object.entries(desired.config) as [ConfigKind, Fields][]) {
    const fields = differences(config, actual.config[kind]);
    const secret = desired.configSecrets?.[kind];
    if (secret !== undefined && (fields.length > 0 || options.sendSecrets === true)) {
      fields.push({ field: "password", old: undefined, new: SENT_WITH_CHANGE });
    }
    if (fields.length > 0) {
      changes.push({ instanceID, kind, resource: kind, action: "change", fields, secret });
    }
  }
  // A password alone, with nothing else of its object in the file.
  for (const [kind, secret] of Object.entries(desired.configSecrets ?? {})) {
    if (options.sendSecrets === true && desired.config[kind as ConfigKind] === undefined) {
      changes.push({
        instanceID,
        kind: kind as ConfigKind,
        resource: kind,
        action: "change",
        fields: [{ field: "password", old: undefined, new: SENT_WITH_CHANGE }],
        secret,
      });
    }
  }
  return changes;
}

/** The changes of the users: creates and changes, and the deletes apart. */
function planUsers(desired: DesiredTenant, current: Map<string, Fields>): KindChanges {
  const { instanceID } = desired;
  if (desired.users === undefined) return { changes: [], deletes: [] };
  const { list, prune } = desired.users;
  return {
    changes: planNamed<UserSettings>(instanceID, list, current, {
      kind: "user",
      nameField: "userName",
      noun: "User",
      skip: ["initialPassword", "folderPrivileges"],
      withID: false,
      create: (user) => userCreate(instanceID, user),
    }),
    deletes: prune ? pruned(instanceID, "user", current, keptNames(list)) : [],
  };
}

/** Whether the file manages more of the instance than its stores and the instance itself. */
function managesMoreThanStores(desired: DesiredTenant): boolean {
  return desired.users !== undefined || desired.jobs !== undefined ||
    desired.profiles !== undefined || Object.keys(desired.config).length > 0 ||
    Object.keys(desired.configSecrets ?? {}).length > 0;
}

/** Whether the file manages more of the instance than the instance itself. */
function managesInside(desired: DesiredTenant): boolean {
  return desired.stores !== undefined || managesMoreThanStores(desired);
}

/**
 * The changes that make one instance as the file wants it, from what it has now, in the order
 * apply makes them: the instance; its configuration; stores (the new current one first); users;
 * their folder privileges; jobs; profiles; then the deletes (jobs, users, stores); closing
 * service provider access last. Pure: no call.
 */
export function planTenant(
  desired: DesiredTenant,
  actual: ActualTenant,
  options: PlanTenantOptions = {},
): TenantPlan {
  const { instanceID } = desired;
  const notes: string[] = [];
  const wanted: InstanceSettings = desired.instance ?? {};
  const { first, trailing } = planInstance(desired, actual);
  const changes: PlannedChange[] = first === undefined ? [] : [first];
  const running = actual.instance?.status === "running";
  const open = actual.instance?.archiveAdminEnabled !== false;
  const willRun = wanted.status === "running" || (wanted.status === undefined && running);
  // Open while apply works: now, or once apply has opened it (closing comes last).
  const openDuring = open || wanted.archiveAdminEnabled === true;
  const stopped = !running && managesInside(desired);
  // Stores answer without service provider access: only the rest waits for it.
  const closed = !open && managesMoreThanStores(desired);
  if (stopped || (closed && openDuring)) {
    // A running instance is open while apply works even when the file stops it: stopping is a
    // trailing change.
    const later = (running || willRun) && openDuring;
    notes.push(
      later
        ? "Its users, stores, jobs, profiles and configuration are compared once the instance " +
          "runs with service provider access: apply does that first, then makes them as the file says."
        : !running && !willRun
        ? `The instance ${
          actual.instance === undefined
            ? "will not run once created"
            : `is ${String(actual.instance.status)}`
        }: its users, stores, jobs, profiles and configuration cannot be read or changed until it ` +
          "runs (instance.status: running)."
        : CLOSED_NOTE,
    );
    changes.push(...trailing);
    return { instanceID, desired, changes, notes, deferred: later };
  }
  const stores = desired.stores === undefined
    ? undefined
    : planStores(desired, actual.stores ?? new Map());
  if (closed) {
    notes.push(CLOSED_NOTE);
    changes.push(...stores?.changes ?? [], ...stores?.deletes ?? [], ...trailing);
    return { instanceID, desired, changes, notes };
  }
  changes.push(...planConfig(desired, actual, options));
  changes.push(...stores?.changes ?? []);
  const users = planUsers(desired, actual.users ?? new Map());
  changes.push(...users.changes);
  changes.push(
    ...planFolderPrivileges(instanceID, desired.users?.list ?? [], actual.users ?? new Map()),
  );
  const jobs = desired.jobs === undefined ? undefined : planJobs(desired, actual.jobs ?? new Map());
  changes.push(...jobs?.changes ?? []);
  changes.push(...planProfiles(desired, actual.profiles ?? new Map()));
  changes.push(...jobs?.deletes ?? [], ...users.deletes, ...stores?.deletes ?? []);
  changes.push(...trailing);
  return { instanceID, desired, changes, notes };
}

/** The note of an instance that stays closed to service provider access. */
const CLOSED_NOTE = "Service provider access to the instance is off, and the file keeps it off: " +
  "its users, jobs, profiles and configuration are not read or changed (only its stores are). " +
  "Give instance.archiveAdminEnabled: true to manage them.";

/** What to read of an instance for the plan of `tenant`. */
function wantedFor(tenant: DesiredTenant): ReadWanted {
  return {
    // A user renamed is compared as it is now, under the name before.
    users: tenant.users === undefined ? undefined : new Set(
      tenant.users.list.flatMap((user) => [user.userName, user.renamedFrom ?? user.userName])
        .map((name) => name.toLowerCase()),
    ),
    jobs: tenant.jobs !== undefined,
    stores: tenant.stores !== undefined,
    profiles: tenant.profiles !== undefined,
    archiveAdmin: tenant.instance?.archiveAdminEnabled !== undefined,
    config: [
      ...new Set([
        ...Object.keys(tenant.config),
        ...Object.keys(tenant.configSecrets ?? {}),
      ]),
    ] as ConfigKind[],
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
  options: PlanTenantOptions = {},
): Promise<TenantPlan> {
  return planTenant(
    tenant,
    await readTenant(client, tenant.instanceID, listed, wantedFor(tenant), signal),
    options,
  );
}

/** The plan of an instance that could not be planned: no change, and why. */
function unplanned(desired: DesiredTenant, why: string): TenantPlan {
  return {
    instanceID: desired.instanceID,
    desired,
    changes: [],
    notes: [],
    error: why.split(/\r?\n/, 1)[0] ?? why,
  };
}

/** The plan of an instance that the file does not list, with `prune: true`: delete it. */
function instanceDelete(instance: Fields): TenantPlan {
  const instanceID = String(instance.instanceID);
  return {
    instanceID,
    desired: { instanceID, config: {} },
    changes: [{
      instanceID,
      kind: "instance",
      resource: instanceID,
      action: "delete",
      fields: [],
    }],
    notes: [],
  };
}

/**
 * Reads what the servers have now for every instance of `desired` (read-only calls, at most
 * `concurrency` instances at once) and returns what would change. An instance that cannot be
 * read or planned has its `error` and no change; the others are planned all the same. Secrets are never read and
 * never shown: a user's initial password shows as {@linkcode SET_ONLY_ON_CREATE}, a
 * configuration's password as {@linkcode SENT_WITH_CHANGE}. With the file's `prune: true`, the
 * server's instances that the file does not list (within `instances`) are to be deleted.
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
  const failures = new Map<string, Error>();
  const plans = await eachInstance(
    client,
    desired.tenants.map((tenant) => tenant.instanceID),
    (instanceID, signal) =>
      planOne(client, byID.get(instanceID)!, listed.get(instanceID.toLowerCase()), signal, options),
    options,
    failures,
  );
  const unread =
    desired.tenants.filter((tenant) =>
      !plans.has(tenant.instanceID) && !failures.has(tenant.instanceID)
    ).length;
  // Stopped (Ctrl-C): a plan with instances never read would pass for a whole one.
  if (unread > 0) {
    throw new DOMException(
      `The plan was stopped before ${unread} of ${desired.tenants.length} instances were read.`,
      "AbortError",
    );
  }
  const tenants = desired.tenants.map((tenant) =>
    plans.get(tenant.instanceID) ?? unplanned(tenant, failures.get(tenant.instanceID)!.message)
  );
  const known = new Set(desired.tenants.map((tenant) => tenant.instanceID.toLowerCase()));
  const outside = [...listed.values()].filter((instance) => {
    const id = String(instance.instanceID);
    return !known.has(id.toLowerCase()) && selects(options.instances ?? "*", id);
  });
  if (desired.pruneInstances === true) {
    tenants.push(...outside.map(instanceDelete));
    return { tenants, summary: summarize(tenants), unmanaged: [] };
  }
  const unmanaged = outside.map((instance) => String(instance.instanceID));
  return { tenants, summary: summarize(tenants), unmanaged };
}
