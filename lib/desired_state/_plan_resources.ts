/**
 * Planning the named resources of an instance: jobs, archive stores, profiles' server-side
 * execution and users' folder privileges. Pure: no call.
 *
 * @module
 */

import { ArgumentError } from "../errors.ts";
import { caseless, differences, sameValue } from "./_compare.ts";
import { profileKey } from "./_check_resources.ts";
import type { Fields } from "./_read.ts";
import type { FieldChange, PlannedChange } from "./change.ts";
import type {
  DesiredTenant,
  JobSettings,
  ServerSideExecution,
  StoreSettings,
  UserSettings,
} from "./types.ts";

/** The changes of one kind: creates and changes first, deletes (made last) apart. */
export interface KindChanges {
  readonly changes: PlannedChange[];
  readonly deletes: PlannedChange[];
}

/**
 * What the server has of a named resource: by its name, else (a rename not made yet) by the name
 * before. Both at once cannot be: the file would not say which one stays.
 */
export function lookUp(
  current: Map<string, Fields>,
  name: string,
  before: string | undefined,
  what: string,
): { now: Fields | undefined; renamed: boolean } {
  const now = current.get(name.toLowerCase());
  const old = before === undefined ? undefined : current.get(before.toLowerCase());
  if (now !== undefined && old !== undefined) {
    throw new ArgumentError(
      `${what}: both ${before} and ${name} exist, so the rename cannot be made. Delete one ` +
        "(or leave out renamedFrom to manage the other by its name).",
    );
  }
  return old === undefined ? { now, renamed: false } : { now: old, renamed: true };
}

/** The names a list keeps (with the names before a rename), for prune. */
export function keptNames(
  list: readonly { readonly name?: string; readonly userName?: string; renamedFrom?: string }[],
): Set<string> {
  const kept = new Set<string>();
  for (const item of list) {
    kept.add(String(item.name ?? item.userName).toLowerCase());
    if (item.renamedFrom !== undefined) kept.add(item.renamedFrom.toLowerCase());
  }
  return kept;
}

/**
 * The deletes of what the server has and the file does not list (for `prune: true`); never the
 * archive admin, the server's own user, which can be neither created nor deleted.
 */
export function pruned(
  instanceID: string,
  kind: "user" | "job" | "store",
  current: Map<string, Fields>,
  listed: ReadonlySet<string>,
): PlannedChange[] {
  return [...current].filter(([key]) => !listed.has(key) && key !== "$archiveadmin").map((
    [, item],
  ) => ({
    instanceID,
    kind,
    resource: String(item.name ?? item.userName),
    action: "delete",
    fields: [],
    ...(kind === "user" ? {} : { id: Number(item.id) }),
  }));
}

/** How to plan one kind of named resource (users, jobs, stores). */
export interface NamedKind<T> {
  /** The resource kind of its changes. */
  readonly kind: "user" | "job" | "store";
  /** The field that names it. */
  readonly nameField: "userName" | "name";
  /** How messages call it: `User`, `Job`, `Store`. */
  readonly noun: string;
  /** Fields that a change does not compare (besides the name and `renamedFrom`). */
  readonly skip: readonly string[];
  /** The change that creates it; throws when the file lacks what creating needs. */
  readonly create: (item: T) => PlannedChange;
  /** Throws when the file asks what apply cannot change of an existing one. */
  readonly check?: (item: T, now: Fields) => void;
  /** Whether its changes carry the server's ID (jobs, stores). */
  readonly withID: boolean;
}

/**
 * The creates and changes of the named resources of one kind: each found by its name or the name
 * before a rename (the rename is the change's first field), created when neither exists.
 */
export function planNamed<T extends { readonly renamedFrom?: string }>(
  instanceID: string,
  list: readonly T[],
  current: Map<string, Fields>,
  spec: NamedKind<T>,
): PlannedChange[] {
  const changes: PlannedChange[] = [];
  for (const item of list) {
    const wanted = item as unknown as Record<string, unknown>;
    const name = String(wanted[spec.nameField]);
    const { now, renamed } = lookUp(
      current,
      name,
      item.renamedFrom,
      `${spec.noun} ${name} of instance ${instanceID}`,
    );
    if (now === undefined) {
      changes.push(spec.create(item));
      continue;
    }
    spec.check?.(item, now);
    const fields = differences(wanted, now, [spec.nameField, "renamedFrom", ...spec.skip]);
    if (renamed) fields.unshift({ field: spec.nameField, old: now[spec.nameField], new: name });
    if (fields.length > 0) {
      changes.push({
        instanceID,
        kind: spec.kind,
        resource: renamed ? name : String(now[spec.nameField]),
        action: "change",
        fields,
        ...(spec.withID ? { id: Number(now.id) } : {}),
      });
    }
  }
  return changes;
}

/** The change that creates a job or store: every field the file gives. */
function creation(instanceID: string, kind: "job" | "store", item: object): PlannedChange {
  const fields = item as Record<string, unknown>;
  return {
    instanceID,
    kind,
    resource: String(fields.name),
    action: "create",
    fields: differences(fields, undefined, ["name", "renamedFrom"]),
  };
}

/** The changes of an instance's jobs, by name. */
export function planJobs(desired: DesiredTenant, current: Map<string, Fields>): KindChanges {
  const { instanceID } = desired;
  const list = desired.jobs?.list ?? [];
  const changes = planNamed<JobSettings>(instanceID, list, current, {
    kind: "job",
    nameField: "name",
    noun: "Job",
    skip: ["action"],
    withID: true,
    create: (job) => {
      if (job.action === undefined || job.schedule === undefined) {
        throw new ArgumentError(
          `Job ${job.name} of instance ${instanceID} does not exist: give its action and schedule ` +
            "so that apply can create it, or correct the name.",
        );
      }
      return creation(instanceID, "job", job);
    },
    check: (job, now) => {
      if (job.action !== undefined && job.action !== now.action) {
        throw new ArgumentError(
          `Job ${job.name} of instance ${instanceID} runs ${
            String(now.action)
          }, and the server cannot change a job's action: give the new action a job of another ` +
            "name (with jobs: { prune: true } the old one is deleted).",
        );
      }
    },
  });
  const deletes = desired.jobs?.prune ? pruned(instanceID, "job", current, keptNames(list)) : [];
  return { changes, deletes };
}

/** The paths of a store: used to create it; compared as Windows compares paths, never changed. */
const STORE_PATHS = ["databasePath", "contentPath", "indexPath"] as const;

/**
 * The changes of an instance's archive stores, by name: a store to create needs its database
 * path; an existing one changes only its requested state (the server moves no data). The store
 * made current comes first: the server then makes the one before it normal by itself.
 */
export function planStores(desired: DesiredTenant, current: Map<string, Fields>): KindChanges {
  const { instanceID } = desired;
  const list = desired.stores?.list ?? [];
  const currents = list.filter((store) => store.requestedState === "current");
  if (currents.length > 1) {
    throw new ArgumentError(
      `Instance ${instanceID}: stores ${
        currents.map((store) => store.name).join(" and ")
      } are both to be current, and an instance has one current store. Keep one.`,
    );
  }
  const changes = planNamed<StoreSettings>(instanceID, list, current, {
    kind: "store",
    nameField: "name",
    noun: "Store",
    skip: STORE_PATHS,
    withID: true,
    create: (store) => {
      if (store.databasePath === undefined) {
        throw new ArgumentError(
          `Store ${store.name} of instance ${instanceID} does not exist: give its databasePath ` +
            "so that apply can create it, or correct the name.",
        );
      }
      return creation(instanceID, "store", store);
    },
    check: (store, now) => {
      const moved = STORE_PATHS.find((field) =>
        store[field] !== undefined && caseless(store[field]) !== caseless(String(now[field] ?? ""))
      );
      if (moved !== undefined) {
        throw new ArgumentError(
          `Store ${store.name} of instance ${instanceID} has its ${moved} at ${
            String(now[moved])
          }, and the file says ${store[moved]}: apply moves no archive data. Move the files, ` +
            "tell the server (mspe-run call SetStorePath), or correct the file.",
        );
      }
    },
  });
  const becomesCurrent = (change: PlannedChange): boolean =>
    change.fields.some((field) => field.field === "requestedState" && field.new === "current");
  changes.sort((a, b) => Number(becomesCurrent(b)) - Number(becomesCurrent(a)));
  if (!desired.stores?.prune) return { changes, deletes: [] };
  const deletes = pruned(instanceID, "store", current, keptNames(list));
  const detachesCurrent = deletes.find((change) =>
    current.get(change.resource.toLowerCase())?.requestedState === "current"
  );
  if (detachesCurrent !== undefined && currents.length === 0) {
    throw new ArgumentError(
      `Store ${detachesCurrent.resource} of instance ${instanceID} is the current store and the ` +
        "file does not list it: the current store cannot be detached. List it, or make another " +
        "store current (requestedState: current).",
    );
  }
  return { changes, deletes };
}

/** A profile's server-side execution as the file says it (the server sends texts). */
export function executionOf(value: unknown): Required<ServerSideExecution> {
  const given = (value ?? {}) as Record<string, unknown>;
  const automatic = given.automatic === true || String(given.automatic).toLowerCase() === "true";
  const pause = given.automaticPauseBetweenExecutions;
  const windows = given.automaticMaintenanceWindows;
  return {
    automatic,
    automaticPauseBetweenExecutions: automatic && pause !== null && pause !== undefined &&
        pause !== ""
      ? Number(pause)
      : null,
    automaticMaintenanceWindows: automatic && typeof windows === "string" && windows !== ""
      ? windows
      : null,
  };
}

/** The changes of the server-side execution of an instance's profiles, by owner and name. */
export function planProfiles(
  desired: DesiredTenant,
  current: Map<string, Fields>,
): PlannedChange[] {
  const { instanceID } = desired;
  const changes: PlannedChange[] = [];
  for (const profile of desired.profiles ?? []) {
    const now = current.get(profileKey(profile.owner, profile.name));
    const named = `Profile ${profile.name}${
      profile.owner === undefined ? "" : ` of user ${profile.owner}`
    }`;
    if (now === undefined) {
      throw new ArgumentError(
        `${named} of instance ${instanceID} does not exist. Profiles are made in MailStore (they ` +
          "hold mailbox credentials); the state file manages how they run on the server. Correct " +
          "the name or owner (mspe-run call GetProfiles --instance-id ...).",
      );
    }
    if (profile.serverSideExecution === undefined) continue;
    const wanted = executionOf(profile.serverSideExecution);
    const fields = differences(wanted, executionOf(now.serverSideExecution));
    if (fields.length > 0) {
      changes.push({
        instanceID,
        kind: "profile",
        resource: String(now.name),
        action: "change",
        fields,
        id: Number(now.id),
        target: wanted,
      });
    }
  }
  return changes;
}

/** A user's folder privileges by lower-case folder (GetUserInfo's privilegesOnFolders). */
function foldersOf(
  user: Fields | undefined,
): Map<string, { folder: string; privileges: string[] }> {
  const folders = new Map<string, { folder: string; privileges: string[] }>();
  const list = Array.isArray(user?.privilegesOnFolders) ? user.privilegesOnFolders as Fields[] : [];
  for (const entry of list) {
    const privileges = (Array.isArray(entry.privileges) ? entry.privileges as string[] : [])
      .filter((item) => item !== "none").sort();
    if (privileges.length > 0) {
      folders.set(String(entry.folder).toLowerCase(), { folder: String(entry.folder), privileges });
    }
  }
  return folders;
}

/**
 * The changes of the users' folder privileges (after every user is made: a folder may be another
 * user's archive). A new user's list is made whole: the server gives a new user privileges on
 * its own folder, which the file may not want.
 */
export function planFolderPrivileges(
  instanceID: string,
  users: readonly UserSettings[],
  current: Map<string, Fields>,
): PlannedChange[] {
  const changes: PlannedChange[] = [];
  for (const user of users) {
    if (user.folderPrivileges === undefined) continue;
    const now = current.get(user.userName.toLowerCase()) ??
      (user.renamedFrom === undefined ? undefined : current.get(user.renamedFrom.toLowerCase()));
    const wanted = new Map(
      Object.entries(user.folderPrivileges).map((
        [folder, privileges],
      ) => [folder.toLowerCase(), { folder, privileges: [...privileges].sort() }]),
    );
    const fields: FieldChange[] = [];
    if (now === undefined) {
      for (const { folder, privileges } of wanted.values()) {
        if (privileges.length > 0) fields.push({ field: folder, old: undefined, new: privileges });
      }
      changes.push({
        instanceID,
        kind: "folderPrivileges",
        resource: user.userName,
        action: "create",
        fields,
      });
      continue;
    }
    const had = foldersOf(now);
    for (const key of new Set([...wanted.keys(), ...had.keys()])) {
      const want = wanted.get(key)?.privileges ?? [];
      const old = had.get(key)?.privileges ?? [];
      if (!sameValue(want, old)) {
        const folder = wanted.get(key)?.folder ?? had.get(key)?.folder ?? key;
        fields.push({ field: folder, old, new: want });
      }
    }
    if (fields.length > 0) {
      changes.push({
        instanceID,
        kind: "folderPrivileges",
        resource: user.userName,
        action: "change",
        fields,
      });
    }
  }
  return changes;
}
