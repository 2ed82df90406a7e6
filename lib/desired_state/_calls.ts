/**
 * The calls that make one planned change, in order: each is sent once by apply. Reading what a
 * change needs (a configuration's current object, a secret) happens here, before any of its
 * state-changing calls.
 *
 * @module
 */

import type { Client } from "../client.ts";
import type { UncheckedArgs } from "../function_names.ts";
import { call, type Fields, instanceStatus } from "./_read.ts";
import type { PlannedChange } from "./change.ts";
import { CONFIG_KINDS, type ConfigKind, type SecretSource, type UserSettings } from "./types.ts";

/**
 * One call of a change: the function and its arguments, or a function of the result of the call
 * before it (a new job's ID).
 */
export type PlannedCall = [string, UncheckedArgs | ((previous: unknown) => UncheckedArgs)];

/** Reads a secret where the file says; `where` names it for a prompt or a message. */
export type SecretReader = (source: SecretSource, where: string) => Promise<string>;

/** A list argument as the server takes it: comma separated, `none` for an empty list. */
function listArg(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(",") : "none";
}

/** The new values of a change's fields, by field. */
function newValues(change: PlannedChange): Record<string, unknown> {
  return Object.fromEntries(change.fields.map((field) => [field.field, field.new]));
}

/** The calls that make a job as the change says. */
function jobCalls(change: PlannedChange): PlannedCall[] {
  const { instanceID } = change;
  const fields = newValues(change);
  const schedule = (fields.schedule ?? {}) as UncheckedArgs;
  if (change.action === "delete") {
    return [["DeleteJob", { instanceID, id: String(change.id) }]];
  }
  if (change.action === "create") {
    const calls: PlannedCall[] = [["CreateJob", {
      instanceID,
      name: change.resource,
      action: fields.action as string,
      ...schedule,
    }]];
    if (fields.enabled === false) {
      calls.push(["SetJobEnabled", (id) => ({ instanceID, id: Number(id), enabled: false })]);
    }
    return calls;
  }
  const calls: PlannedCall[] = [];
  const id = change.id ?? 0;
  if (fields.name !== undefined) {
    calls.push(["RenameJob", { instanceID, id, name: String(fields.name) }]);
  }
  if (fields.schedule !== undefined) {
    calls.push(["SetJobSchedule", { instanceID, id, ...schedule }]);
  }
  if (fields.enabled !== undefined) {
    calls.push(["SetJobEnabled", { instanceID, id, enabled: fields.enabled as boolean }]);
  }
  return calls;
}

/** The calls that make an archive store as the change says (detach for a delete). */
function storeCalls(change: PlannedChange): PlannedCall[] {
  const { instanceID } = change;
  const fields = newValues(change);
  if (change.action === "delete") return [["DetachStore", { instanceID, id: change.id ?? 0 }]];
  if (change.action === "create") {
    return [["CreateStore", { instanceID, name: change.resource, ...fields } as UncheckedArgs]];
  }
  const id = change.id ?? 0;
  const calls: PlannedCall[] = [];
  if (fields.name !== undefined) {
    calls.push(["RenameStore", { instanceID, id, name: String(fields.name) }]);
  }
  if (fields.requestedState !== undefined) {
    calls.push(["SetStoreRequestedState", {
      instanceID,
      id,
      requestedState: String(fields.requestedState),
    }]);
  }
  return calls;
}

/** The call that sets a profile's server-side execution, whole. */
function profileCalls(change: PlannedChange): PlannedCall[] {
  const target = change.target ?? {};
  const args: Record<string, unknown> = {
    instanceID: change.instanceID,
    id: change.id ?? 0,
    automatic: target.automatic === true,
  };
  if (target.automatic === true) {
    args.automaticPauseBetweenExecutions = target.automaticPauseBetweenExecutions;
    if (target.automaticMaintenanceWindows !== null) {
      args.automaticMaintenanceWindows = target.automaticMaintenanceWindows;
    }
  }
  return [["SetProfileServerSideExecution", args as UncheckedArgs]];
}

/**
 * The calls that make a user's folder privileges as the change says: a new user's list is made
 * whole (cleared first, since the server gives a new user privileges on its own folder).
 */
function folderCalls(change: PlannedChange): PlannedCall[] {
  const { instanceID } = change;
  const userName = change.resource;
  const calls: PlannedCall[] = change.action === "create"
    ? [["ClearUserPrivilegesOnFolders", { instanceID, userName }]]
    : [];
  for (const field of change.fields) {
    calls.push(["SetUserPrivilegesOnFolder", {
      instanceID,
      userName,
      folder: field.field,
      privileges: listArg(field.new),
    }]);
  }
  return calls;
}

/**
 * The calls that make the instance as the change says: stop (to stop it, or to move it to another
 * host), create or set its configuration, start, freeze or thaw, and open or close service
 * provider access; a delete stops it first, as the server wants.
 */
async function instanceCalls(
  client: Client,
  change: PlannedChange,
  signal: AbortSignal,
): Promise<PlannedCall[]> {
  const { instanceID } = change;
  const instanceFilter = instanceID;
  const statusNow = async () => (await instanceStatus(client, instanceID, signal))?.status;
  if (change.action === "delete") {
    return [
      ...(await statusNow() === "stopped" ? [] : [["StopInstances", { instanceFilter }]]),
      ["DeleteInstances", { instanceFilter }],
    ] as PlannedCall[];
  }
  const { status, archiveAdminEnabled, ...config } = newValues(change);
  // What it is now: the plan's old status, else (only a move needs it) the server's.
  const planned = change.fields.find((field) => field.field === "status");
  const before = change.action === "create"
    ? "stopped"
    : planned !== undefined
    ? String(planned.old)
    : config.instanceHost !== undefined
    ? String(await statusNow())
    : undefined;
  const calls: PlannedCall[] = [];
  // The server moves only a stopped instance to another host: a running (or frozen) one is
  // stopped for the move and brought back as it was (unless the file wants another status).
  const moving = change.action === "change" && config.instanceHost !== undefined &&
    before !== undefined && before !== "stopped";
  const after = status ?? before;
  if (moving || (after === "stopped" && before !== "stopped" && before !== undefined)) {
    calls.push(["StopInstances", { instanceFilter }]);
  }
  if (change.action === "create") {
    calls.push(["CreateInstance", { config: { instanceID, ...config } as UncheckedArgs }]);
  } else if (Object.keys(config).length > 0) {
    // Whether the server keeps the fields an object leaves out is not documented: the current
    // configuration (read-only) is the template, as for the configuration kinds.
    const current = await call(client, "GetInstanceConfiguration", { instanceID }, signal);
    calls.push(["SetInstanceConfiguration", {
      config: { ...current as Fields, ...config, instanceID } as UncheckedArgs,
    }]);
  }
  const stoppedNow = moving || before === "stopped";
  if (after !== undefined && after !== "stopped" && stoppedNow) {
    calls.push(["StartInstances", { instanceFilter }]);
  }
  if (after === "frozen" && (stoppedNow || before === "running")) {
    calls.push(["FreezeInstances", { instanceFilter }]);
  }
  if (after === "running" && before === "frozen" && !moving) {
    calls.push(["ThawInstances", { instanceFilter }]);
  }
  if (archiveAdminEnabled !== undefined) {
    calls.push(["SetArchiveAdminEnabled", { instanceID, enabled: archiveAdminEnabled as boolean }]);
  }
  return calls;
}

/** The calls that make a user as the change says. */
async function userCalls(change: PlannedChange, readSecret?: SecretReader): Promise<PlannedCall[]> {
  const { instanceID } = change;
  const userName = change.resource;
  if (change.action === "delete") return [["DeleteUser", { instanceID, userName }]];
  const user = newValues(change) as Partial<UserSettings>;
  if (change.action === "create") {
    const args: Record<string, unknown> = {
      instanceID,
      userName,
      privileges: listArg(user.privileges),
      fullName: user.fullName ?? undefined,
      distinguishedName: user.distinguishedName ?? undefined,
      authentication: user.authentication,
      loginPrivileges: user.loginPrivileges === undefined
        ? undefined
        : listArg(user.loginPrivileges),
    };
    if (change.secret !== undefined) {
      args.password = await secretOf(
        change.secret,
        `the initial password of user ${userName} of instance ${instanceID}`,
        readSecret,
      );
    }
    const calls: PlannedCall[] = [["CreateUser", args as UncheckedArgs]];
    if (user.emailAddresses !== undefined && user.emailAddresses.length > 0) {
      calls.push(["SetUserEmailAddresses", {
        instanceID,
        userName,
        emailAddresses: user.emailAddresses.join(","),
      }]);
    }
    return calls;
  }
  const calls: PlannedCall[] = [];
  const on = { instanceID, userName };
  const renamed = change.fields.find((field) => field.field === "userName");
  if (renamed !== undefined) {
    // First: the other calls name the user by the new name.
    calls.push(["RenameUser", {
      instanceID,
      oldUserName: String(renamed.old),
      newUserName: userName,
    }]);
  }
  for (const [field, value] of Object.entries(user)) {
    if (field === "fullName") calls.push(["SetUserFullName", { ...on, fullName: value as string }]);
    if (field === "distinguishedName") {
      calls.push(["SetUserDistinguishedName", { ...on, distinguishedName: value as string }]);
    }
    if (field === "authentication") {
      calls.push(["SetUserAuthentication", { ...on, authentication: value as string }]);
    }
    if (field === "emailAddresses") {
      // The server clears the list when the argument is left out.
      const addresses = (value as string[]).join(",");
      calls.push(["SetUserEmailAddresses", {
        ...on,
        ...(addresses === "" ? {} : { emailAddresses: addresses }),
      }]);
    }
    if (field === "privileges") {
      calls.push(["SetUserPrivileges", { ...on, privileges: listArg(value) }]);
    }
    if (field === "loginPrivileges") {
      calls.push(["SetUserLoginPrivileges", { ...on, loginPrivileges: listArg(value) }]);
    }
  }
  return calls;
}

async function secretOf(
  source: SecretSource,
  where: string,
  readSecret: SecretReader | undefined,
): Promise<string> {
  if (readSecret === undefined) {
    throw new Error(`no way to read ${where} was given (readSecret)`);
  }
  return await readSecret(source, where);
}

/**
 * The call that sets a configuration kind. The Set functions replace the whole object: the
 * current one (read-only) is the template, the password (which Get never returns) from the file.
 */
async function configCalls(
  client: Client,
  change: PlannedChange,
  signal: AbortSignal,
  readSecret: SecretReader | undefined,
): Promise<PlannedCall[]> {
  const { instanceID } = change;
  const kind = CONFIG_KINDS[change.kind as ConfigKind];
  const { password: _shown, ...fields } = newValues(change);
  const current = await call(client, kind.get, { instanceID }, signal) as Fields | null;
  const config: Record<string, unknown> = { ...current, ...fields };
  if (change.secret !== undefined) {
    config.password = await secretOf(
      change.secret,
      `the password of ${change.kind} of instance ${instanceID}`,
      readSecret,
    );
  }
  return [[kind.set, { instanceID, [kind.arg]: config as UncheckedArgs }]];
}

/** The calls of one change, in order; each is sent once. */
export async function callsOf(
  client: Client,
  change: PlannedChange,
  readSecret: SecretReader | undefined,
  signal: AbortSignal,
): Promise<PlannedCall[]> {
  switch (change.kind) {
    case "job":
      return jobCalls(change);
    case "store":
      return storeCalls(change);
    case "profile":
      return profileCalls(change);
    case "folderPrivileges":
      return folderCalls(change);
    case "instance":
      return await instanceCalls(client, change, signal);
    case "user":
      return await userCalls(change, readSecret);
    default:
      return await configCalls(client, change, signal, readSecret);
  }
}
