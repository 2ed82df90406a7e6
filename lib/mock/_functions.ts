/**
 * The simulated API functions, run against {@linkcode MockState}. This file is the one place that
 * lists what the mock simulates ({@linkcode SIMULATED_FUNCTIONS}); every other catalogued function
 * answers "<Fn> is not simulated by the mock server."
 *
 * @module
 */

import type { Product } from "../metadata.ts";
import type { Args } from "./_args.ts";
import type { MockInstance, MockState, MockUser } from "./_state.ts";
import {
  type CallContext,
  Deferred,
  inst,
  objectArg,
  type Simulation,
  storeOf,
  userOf,
} from "./_simulation.ts";
import { ApiFault } from "./_wire.ts";

export { type CallContext, Deferred, type Simulation } from "./_simulation.ts";

const VERSION = "25.3.1.23021";

function glob(pattern: string): RegExp {
  const source = pattern.split("*").map((part) =>
    part.split("?").map((piece) => piece.replace(/[.+^${}()|[\]\\]/g, "\\$&")).join(".")
  ).join(".*");
  return new RegExp(`^${source}$`, "i");
}

function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/** A job on one store (named by `id`) that changes nothing the API shows and returns nothing. */
function storeCheck(label: string): Simulation {
  return {
    job: storeJob(label),
    handle: (ctx) => {
      storeOf(ctx, ctx.args.num("id"));
      return new Deferred(() => null);
    },
  };
}

/** A function that changes one user (named by `userName`) and returns nothing, as the setters do. */
function userSetter(apply: (user: MockUser, args: Args) => void): Simulation {
  return {
    handle: (ctx) => {
      apply(userOf(ctx, ctx.args.str("userName")), ctx.args);
      return null;
    },
  };
}

function matchInstances(ctx: CallContext, filter: string): MockInstance[] {
  if (!hasWildcard(filter)) {
    const instance = ctx.state.instance(filter);
    if (instance === undefined) throw new ApiFault(`Instance '${filter}' does not exist.`);
    return [instance];
  }
  const pattern = glob(filter);
  return ctx.state.instanceList().filter((instance) => pattern.test(instance.instanceID));
}

/** The fields GetInstances and GetInstanceConfiguration both start with, in the server's order. */
function instanceIdentity(instance: MockInstance): Record<string, unknown> {
  return {
    instanceID: instance.instanceID,
    alias: instance.alias,
    displayName: instance.displayName,
    instanceHost: instance.instanceHost,
    startMode: instance.startMode,
  };
}

function instanceSummary(instance: MockInstance): Record<string, unknown> {
  return {
    ...instanceIdentity(instance),
    processID: instance.processID,
    status: instance.status,
    startStopError: instance.startStopError,
  };
}

function environmentInfo(ctx: CallContext): Record<string, unknown> {
  return {
    version: VERSION,
    webClientVersion: VERSION,
    copyright: "Copyright (c) 2005-2025 MailStore Software GmbH",
    licenseeName: "Mock Hosting Inc.",
    licenseeID: 1234,
    serverName: "spe.mock.test",
    userName: ctx.username,
    systemProperties: {
      processors: ["Mock CPU @ 2.00GHz", "Mock CPU @ 2.00GHz"],
      totalPhysicalMemory: 8589398016,
      operatingSystem: "Microsoft Windows Server 2022 Standard",
    },
  };
}

function stringField(config: Record<string, unknown>, field: string, what: string): string {
  const value = config[field];
  if (typeof value !== "string" || value === "") {
    throw new ApiFault(`${what} is missing '${field}'.`);
  }
  return value;
}

function optionalString(config: Record<string, unknown>, field: string): string | undefined {
  const value = config[field];
  return typeof value === "string" ? value : undefined;
}

function lifecycle(
  ctx: CallContext,
  check: (instance: MockInstance) => void,
  apply: (instance: MockInstance) => void,
): null {
  const matched = matchInstances(ctx, ctx.args.str("instanceFilter"));
  for (const instance of matched) check(instance);
  for (const instance of matched) apply(instance);
  return null;
}

function setPrivileges(user: MockUser, privileges: string[]): void {
  user.privileges = privileges.filter((privilege) => privilege !== "none");
}

function storeJob(label: string): (ctx: CallContext) => string {
  return (ctx) => {
    const id = ctx.args.has("id") ? ctx.args.num("id") : null;
    return id === null ? label : `${label} '${storeOf(ctx, id).name}'`;
  };
}

const TIME_ZONES = [
  { id: "$Local", displayName: "(Local time of the server)" },
  { id: "UTC", displayName: "(UTC) Coordinated Universal Time" },
  { id: "GMT Standard Time", displayName: "(UTC+00:00) Dublin, Edinburgh, Lisbon, London" },
  {
    id: "W. Europe Standard Time",
    displayName: "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
  },
  { id: "Eastern Standard Time", displayName: "(UTC-05:00) Eastern Time (US & Canada)" },
  { id: "Pacific Standard Time", displayName: "(UTC-08:00) Pacific Time (US & Canada)" },
];

// Functions shared by SPE and MailStore Server: users, stores, jobs, time zones.
const SHARED: Record<string, Simulation> = {
  GetUsers: {
    handle: (ctx) => {
      const users = ctx.state.users(inst(ctx));
      const server = ctx.state.product === "server";
      const list = new Array<Record<string, unknown>>(users.size);
      let i = 0;
      for (const user of users.values()) {
        list[i++] = server
          ? {
            userName: user.userName,
            fullName: user.fullName,
            distinguishedName: user.distinguishedName,
          }
          : {
            userName: user.userName,
            fullName: user.fullName,
            distinguishedName: user.distinguishedName,
            mfaStatus: user.mfaStatus,
          };
      }
      return list;
    },
  },
  GetUserInfo: {
    handle: (ctx) => {
      const user = userOf(ctx, ctx.args.str("userName"));
      const info: Record<string, unknown> = {
        userName: user.userName,
        fullName: user.fullName,
        distinguishedName: user.distinguishedName,
        authentication: user.authentication,
      };
      if (ctx.state.product === "spe") info.mfaStatus = user.mfaStatus;
      info.emailAddresses = user.emailAddresses;
      info.pop3UserNames = user.pop3UserNames;
      info.privileges = user.privileges;
      if (ctx.state.product === "spe") info.loginPrivileges = user.loginPrivileges;
      if (user.privilegesOnFolders.size > 0) {
        info.privilegesOnFolders = [...user.privilegesOnFolders].map(([folder, privileges]) => ({
          folder,
          privileges,
        }));
      }
      return info;
    },
  },
  CreateUser: {
    handle: (ctx) => {
      const userName = ctx.args.str("userName");
      const users = ctx.state.users(inst(ctx));
      if (users.has(userName.toLowerCase())) {
        throw new ApiFault(`User '${userName}' already exists.`);
      }
      users.set(userName.toLowerCase(), {
        userName,
        fullName: ctx.args.optStr("fullName"),
        distinguishedName: ctx.args.optStr("distinguishedName"),
        authentication: ctx.args.optStr("authentication") ?? "integrated",
        mfaStatus: "Disabled",
        emailAddresses: [],
        pop3UserNames: [],
        privileges: ctx.args.list("privileges").filter((privilege) => privilege !== "none"),
        loginPrivileges: ctx.args.has("loginPrivileges")
          ? ctx.args.list("loginPrivileges").filter((privilege) => privilege !== "none")
          : ["windows", "web", "outlook", "windowsCmd", "imap"],
        privilegesOnFolders: new Map(),
        password: ctx.args.optStr("password"),
      });
      return null;
    },
  },
  DeleteUser: {
    handle: (ctx) => {
      const user = userOf(ctx, ctx.args.str("userName"));
      if (user.userName === "$archiveadmin") {
        throw new ApiFault("The user '$archiveadmin' cannot be deleted.");
      }
      ctx.state.users(inst(ctx)).delete(user.userName.toLowerCase());
      return null;
    },
  },
  RenameUser: {
    handle: (ctx) => {
      const user = userOf(ctx, ctx.args.str("oldUserName"));
      const newUserName = ctx.args.str("newUserName");
      const users = ctx.state.users(inst(ctx));
      if (user.userName === "$archiveadmin") {
        throw new ApiFault("The user '$archiveadmin' cannot be renamed.");
      }
      if (
        users.has(newUserName.toLowerCase()) &&
        newUserName.toLowerCase() !== user.userName.toLowerCase()
      ) {
        throw new ApiFault(`User '${newUserName}' already exists.`);
      }
      users.delete(user.userName.toLowerCase());
      const folders = user.privilegesOnFolders.get(user.userName);
      if (folders !== undefined) {
        user.privilegesOnFolders.delete(user.userName);
        user.privilegesOnFolders.set(newUserName, folders);
      }
      user.userName = newUserName;
      users.set(newUserName.toLowerCase(), user);
      return null;
    },
  },
  SetUserPassword: userSetter((user, args) => {
    user.password = args.str("password");
  }),
  SetUserPrivileges: userSetter((user, args) => setPrivileges(user, args.list("privileges"))),
  SetUserFullName: userSetter((user, args) => {
    user.fullName = args.optStr("fullName");
  }),
  SetUserEmailAddresses: userSetter((user, args) => {
    user.emailAddresses = args.list("emailAddresses");
  }),
  SetUserLoginPrivileges: userSetter((user, args) => {
    user.loginPrivileges = args.list("loginPrivileges").filter((privilege) => privilege !== "none");
  }),
  SetUserPrivilegesOnFolder: userSetter((user, args) => {
    const folder = args.str("folder");
    const privileges = args.list("privileges").filter((privilege) => privilege !== "none");
    if (privileges.length === 0) user.privilegesOnFolders.delete(folder);
    else user.privilegesOnFolders.set(folder, privileges);
  }),
  ClearUserPrivilegesOnFolders: userSetter((user) => user.privilegesOnFolders.clear()),
  GetStores: {
    handle: (ctx) => {
      const includeSize = ctx.args.optBool("includeSize") === true;
      return ctx.state.stores(inst(ctx)).map((store) => ({
        id: store.id,
        name: store.name,
        requestedState: store.requestedState,
        error: store.error,
        statisticsCount: includeSize ? store.statisticsCount : null,
        statisticsSize: includeSize ? store.statisticsSize : null,
        needsUpgrade: store.needsUpgrade,
        searchIndexesNeedRebuild: store.searchIndexesNeedRebuild,
        databasePath: store.databasePath,
        contentPath: store.contentPath,
        indexPath: store.indexPath,
      }));
    },
  },
  CreateStore: {
    handle: (ctx) => {
      const instance = inst(ctx);
      const name = ctx.args.str("name");
      const stores = ctx.state.stores(instance);
      if (stores.some((store) => store.name.toLowerCase() === name.toLowerCase())) {
        throw new ApiFault(`An archive store named '${name}' already exists.`);
      }
      const databasePath = ctx.args.optStr("databasePath") ?? `C:\\MailStore\\Data\\${name}`;
      const requestedState = ctx.args.optStr("requestedState") ?? "normal";
      if (requestedState === "current") {
        for (const store of stores) {
          if (store.requestedState === "current") store.requestedState = "normal";
        }
      }
      stores.push({
        id: ctx.state.nextStoreId(instance),
        name,
        requestedState,
        error: null,
        statisticsCount: 0,
        statisticsSize: 0,
        needsUpgrade: false,
        searchIndexesNeedRebuild: false,
        databasePath,
        contentPath: ctx.args.optStr("contentPath") ?? `${databasePath}\\Content`,
        indexPath: ctx.args.optStr("indexPath") ?? databasePath,
      });
      return null;
    },
  },
  RenameStore: {
    handle: (ctx) => {
      storeOf(ctx, ctx.args.num("id")).name = ctx.args.str("name");
      return null;
    },
  },
  SetStoreRequestedState: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const requestedState = ctx.args.optStr("requestedState") ?? "normal";
      if (requestedState === "current") {
        for (const other of ctx.state.stores(inst(ctx))) {
          if (other.requestedState === "current") other.requestedState = "normal";
        }
      }
      store.requestedState = requestedState;
      return null;
    },
  },
  VerifyStore: storeCheck("Verifying archive store"),
  VerifyStores: { job: () => "Verifying archive stores", handle: () => new Deferred(() => null) },
  CompactStore: {
    job: storeJob("Compacting archive store"),
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      return new Deferred(() => {
        store.statisticsSize = Math.floor(store.statisticsSize * 0.97);
        return null;
      });
    },
  },
  RecreateRecoveryRecords: storeCheck("Recreating recovery records of archive store"),
  RefreshAllStoreStatistics: {
    job: () => "Refreshing archive store statistics",
    handle: () => new Deferred(() => null),
  },
  GetJobs: {
    handle: (ctx) =>
      ctx.state.jobs(inst(ctx)).map((job) => ({
        id: job.id,
        name: job.name,
        action: job.action,
        owner: job.owner,
        creationDateTimeUtc: job.creationDateTimeUtc,
        lastStartDateTimeUtc: "2026-01-02T02:30:04",
        lastCompleteDateTimeUtc: "2026-01-02T02:30:09",
        nextStartDateTimeUtc: job.enabled ? "2026-01-03T02:30:00" : null,
        enabled: job.enabled,
        schedule: job.schedule,
      })),
  },
  GetTimeZones: { handle: () => TIME_ZONES },
};

const SPE_ONLY: Record<string, Simulation> = {
  GetEnvironmentInfo: { handle: environmentInfo },
  GetServiceStatus: {
    handle: (ctx) => ({
      environmentInfo: environmentInfo(ctx),
      serverInfos: [
        {
          serverName: "spe.mock.test",
          port: 8473,
          serverCertificate: { thumbprint: "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C" },
          serverType: "clientAccessServer",
          active: true,
          systemProperties: null,
          numberOfInstances: null,
          numberOfRunningInstances: null,
        },
        ...ctx.state.instanceHosts.map((host) => {
          const instances = ctx.state.instanceList().filter((instance) =>
            instance.instanceHost === host.serverName
          );
          return {
            serverName: host.serverName,
            port: host.port,
            serverCertificate: { thumbprint: host.thumbprint },
            serverType: "instanceHost",
            active: true,
            systemProperties: null,
            numberOfInstances: instances.length,
            numberOfRunningInstances: instances.filter((instance) =>
              instance.status === "running"
            ).length,
          };
        }),
      ],
      messages: [],
    }),
  },
  Ping: { handle: () => null },
  GetInstances: {
    job: (ctx) => {
      const filter = ctx.args.str("instanceFilter");
      const count = hasWildcard(filter) ? matchInstances(ctx, filter).length : 1;
      return count > ctx.jobs.getInstancesAsyncThreshold ? "Listing instances" : null;
    },
    handle: (ctx) => {
      const filter = ctx.args.str("instanceFilter");
      if (!hasWildcard(filter)) matchInstances(ctx, filter);
      return new Deferred(() => {
        const pattern = glob(filter);
        return ctx.state.instanceList().filter((instance) => pattern.test(instance.instanceID)).map(
          instanceSummary,
        );
      });
    },
  },
  GetInstanceConfiguration: {
    handle: (ctx) => {
      const instance = inst(ctx);
      return {
        ...instanceIdentity(instance),
        baseDirectory: instance.baseDirectory,
        debugLogEnabled: instance.debugLogEnabled,
        imapServerConnectionLogEnabled: false,
        vssWriterEnabled: true,
        vssWriterExcludeIndexes: false,
      };
    },
  },
  GetArchiveAdminEnabled: { handle: (ctx) => inst(ctx).serviceProviderAccess },
  SetArchiveAdminEnabled: {
    handle: (ctx) => {
      inst(ctx).serviceProviderAccess = ctx.args.bool("enabled");
      return null;
    },
  },
  CreateInstance: {
    handle: (ctx) => {
      const config = objectArg(ctx, "config");
      const instanceID = stringField(config, "instanceID", "The instance configuration");
      if (!/^[A-Za-z0-9_-]+$/.test(instanceID)) {
        throw new ApiFault(`The instance ID '${instanceID}' is not valid.`);
      }
      if (ctx.state.instance(instanceID) !== undefined) {
        throw new ApiFault(`Instance '${instanceID}' already exists.`);
      }
      const hostName = stringField(config, "instanceHost", "The instance configuration");
      const host = ctx.state.instanceHosts.find((candidate) =>
        candidate.serverName.toLowerCase() === hostName.toLowerCase()
      );
      if (host === undefined) throw new ApiFault(`Instance host '${hostName}' does not exist.`);
      const created: Parameters<MockState["createInstance"]>[0] = {
        instanceID,
        instanceHost: host.serverName,
      };
      const alias = optionalString(config, "alias");
      if (alias !== undefined) created.alias = alias;
      const displayName = optionalString(config, "displayName");
      if (displayName !== undefined) created.displayName = displayName;
      const startMode = optionalString(config, "startMode");
      if (startMode !== undefined) created.startMode = startMode;
      const baseDirectory = optionalString(config, "baseDirectory");
      if (baseDirectory !== undefined) created.baseDirectory = baseDirectory;
      ctx.state.createInstance(created);
      return null;
    },
  },
  StartInstances: {
    handle: (ctx) =>
      lifecycle(ctx, () => {}, (instance) => {
        if (instance.status === "stopped") {
          instance.status = "running";
          instance.processID = ctx.state.newProcessID();
        }
      }),
  },
  StopInstances: {
    handle: (ctx) =>
      lifecycle(ctx, () => {}, (instance) => {
        instance.status = "stopped";
        instance.processID = null;
      }),
  },
  RestartInstances: {
    handle: (ctx) =>
      lifecycle(ctx, () => {}, (instance) => {
        instance.status = "running";
        instance.processID = ctx.state.newProcessID();
      }),
  },
  FreezeInstances: {
    handle: (ctx) =>
      lifecycle(ctx, (instance) => {
        if (instance.status === "stopped") {
          throw new ApiFault(`Instance '${instance.instanceID}' is not running.`);
        }
      }, (instance) => {
        instance.status = "frozen";
      }),
  },
  ThawInstances: {
    handle: (ctx) =>
      lifecycle(ctx, () => {}, (instance) => {
        if (instance.status === "frozen") instance.status = "running";
      }),
  },
  DeleteInstances: {
    handle: (ctx) =>
      lifecycle(ctx, (instance) => {
        if (instance.status !== "stopped") {
          throw new ApiFault(
            `Instance '${instance.instanceID}' must be stopped before it can be deleted.`,
          );
        }
      }, (instance) => ctx.state.deleteInstance(instance.instanceID)),
  },
  GetInstanceStatistics: {
    handle: (ctx) => {
      const stores = ctx.state.stores(inst(ctx));
      const bytes = stores.reduce((sum, store) => sum + store.statisticsSize, 0);
      const messages = stores.reduce((sum, store) => sum + store.statisticsCount, 0);
      const contentFileSizeMB = Math.round(bytes / 1_048_576);
      const databaseFileSizeMB = Math.round(contentFileSizeMB * 0.015);
      const indexFileSizeMB = Math.round(contentFileSizeMB * 0.016);
      return {
        totalSizeMB: contentFileSizeMB + databaseFileSizeMB + indexFileSizeMB,
        databaseFileSizeMB,
        contentFileSizeMB,
        indexFileSizeMB,
        numberOfMessages: messages,
      };
    },
  },
  GetInstanceHosts: {
    handle: (ctx) => {
      const filter = ctx.args.optStr("serverNameFilter");
      const pattern = filter === null || filter === "" ? null : glob(filter);
      return ctx.state.instanceHosts.filter((host) =>
        pattern === null || pattern.test(host.serverName)
      ).map((host) => ({
        serverName: host.serverName,
        port: host.port,
        serverCertificate: { thumbprint: host.thumbprint },
        baseDirectory: host.baseDirectory,
      }));
    },
  },
  GetSystemAdministrators: {
    handle: (ctx) =>
      [...ctx.state.systemAdministrators.values()].map((admin) => ({
        userName: admin.userName,
        fullName: admin.fullName,
        emailAddress: admin.emailAddress,
        mfaStatus: admin.mfaStatus,
      })),
  },
  CreateSystemAdministrator: {
    handle: (ctx) => {
      const config = objectArg(ctx, "config");
      const userName = stringField(config, "userName", "The system administrator configuration");
      if (ctx.state.systemAdministrators.has(userName.toLowerCase())) {
        throw new ApiFault(`System administrator '${userName}' already exists.`);
      }
      ctx.state.systemAdministrators.set(userName.toLowerCase(), {
        userName,
        fullName: optionalString(config, "fullName") ?? null,
        emailAddress: optionalString(config, "emailAddress") ?? null,
        mfaStatus: "Disabled",
        password: ctx.args.str("password"),
      });
      return null;
    },
  },
  DeleteSystemAdministrator: {
    handle: (ctx) => {
      const userName = ctx.args.str("userName");
      if (!ctx.state.systemAdministrators.has(userName.toLowerCase())) {
        throw new ApiFault(`System administrator '${userName}' does not exist.`);
      }
      if (userName.toLowerCase() === ctx.username.toLowerCase()) {
        throw new ApiFault("You cannot delete the system administrator you are logged in as.");
      }
      ctx.state.systemAdministrators.delete(userName.toLowerCase());
      return null;
    },
  },
};

const SERVER_ONLY: Record<string, Simulation> = {
  GetServerInfo: { handle: () => ({ version: VERSION, machineName: "MAILSTORE" }) },
};

/** The simulations per product. */
export const SIMULATIONS: Readonly<Record<Product, Readonly<Record<string, Simulation>>>> = {
  spe: { ...SPE_ONLY, ...SHARED },
  server: { ...SERVER_ONLY, ...SHARED },
};

/**
 * The functions the mock simulates against its state, per product, sorted by name. Every other
 * catalogued function answers an error envelope "<Fn> is not simulated by the mock server."
 *
 * @example Print the list
 * ```ts
 * import { SIMULATED_FUNCTIONS } from "@mspe/mspe/mock";
 * console.log(SIMULATED_FUNCTIONS.spe.join(", "));
 * ```
 */
export const SIMULATED_FUNCTIONS: Readonly<Record<Product, readonly string[]>> = {
  spe: Object.keys(SIMULATIONS.spe).sort(),
  server: Object.keys(SIMULATIONS.server).sort(),
};
