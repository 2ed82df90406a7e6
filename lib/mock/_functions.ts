/**
 * The simulated API functions, run against {@linkcode MockState}. This file is the one place that
 * lists what the mock simulates ({@linkcode SIMULATED_FUNCTIONS}); every other catalogued function
 * answers "<Fn> is not simulated by the mock server."
 *
 * @module
 */

import { catalog } from "../catalog.ts";
import type { Product } from "../metadata.ts";
import type { MockInstance } from "./_model.ts";
import type { MockState } from "./_state.ts";
import { type CallContext, Deferred, inst, objectArg, type Simulation } from "./_simulation.ts";
import { ApiFault } from "./_wire.ts";
import { CONFIG_SIMULATIONS } from "./_functions_config.ts";
import { FOLDER_SIMULATIONS } from "./_functions_folders.ts";
import { STORE_SIMULATIONS } from "./_functions_stores.ts";
import { USER_SIMULATIONS } from "./_functions_users.ts";
import { JOB_SIMULATIONS } from "./_functions_jobs.ts";
import {
  SERVER_SYSTEM_SIMULATIONS,
  SPE_SYSTEM_SIMULATIONS,
  TIME_ZONE_SIMULATIONS,
} from "./_functions_system.ts";
import { INSTANCE_FLAGS, INSTANCE_SIMULATIONS, instanceIdentity } from "./_functions_instances.ts";
import { wildcardPattern } from "../_wildcard.ts";

export { type CallContext, Deferred, type Simulation } from "./_simulation.ts";

function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

function matchInstances(ctx: CallContext, filter: string): MockInstance[] {
  if (!hasWildcard(filter)) {
    const instance = ctx.state.instance(filter);
    if (instance === undefined) throw new ApiFault(`Instance '${filter}' does not exist.`);
    return [instance];
  }
  const pattern = wildcardPattern(filter);
  return ctx.state.instanceList().filter((instance) => pattern.test(instance.instanceID));
}

function instanceSummary(instance: MockInstance): Record<string, unknown> {
  return {
    ...instanceIdentity(instance),
    processID: instance.processID,
    status: instance.status,
    startStopError: instance.startStopError,
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

// SPE's instance management; the groups shared with MailStore Server are in the _functions_*.ts
// files (users, stores, folders, configuration, jobs and profiles, system).
const SPE_ONLY: Record<string, Simulation> = {
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
        const pattern = wildcardPattern(filter);
        return ctx.state.instanceList().filter((instance) => pattern.test(instance.instanceID)).map(
          instanceSummary,
        );
      });
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
    // Long-running on the real server (the function list marks it): a job that adds the instance
    // at its end. The configuration is checked at the call, and the ID again at the end, so that
    // two calls for the same new ID cannot both create it.
    job: (ctx) => `Creating instance '${String(objectArg(ctx, "config").instanceID)}'`,
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
      // The log and VSS settings of the configuration object, as SetInstanceConfiguration takes them.
      const flags: Partial<Record<typeof INSTANCE_FLAGS[number], boolean>> = {};
      for (const field of INSTANCE_FLAGS) {
        if (config[field] === undefined) continue;
        if (typeof config[field] !== "boolean") {
          throw new ApiFault(`The instance configuration's '${field}' must be true or false.`);
        }
        flags[field] = config[field] as boolean;
      }
      return new Deferred(() => {
        if (ctx.state.instance(instanceID) !== undefined) {
          throw new ApiFault(`Instance '${instanceID}' already exists.`);
        }
        Object.assign(ctx.state.createInstance(created), flags);
        return null;
      });
    },
  },
  StartInstances: {
    handle: (ctx) =>
      lifecycle(ctx, () => {}, (instance) => {
        if (instance.status === "stopped") {
          instance.status = "running";
          instance.processID = ctx.state.newProcessID();
          // A start that works clears the last start/stop error.
          instance.startStopError = null;
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
        instance.startStopError = null;
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
      const pattern = filter === null || filter === "" ? null : wildcardPattern(filter);
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

const SERVER_ONLY: Record<string, Simulation> = {};

/** Keeps the simulations of the functions the product's catalogue has (the tables hold both products'). */
function productOnly(
  product: Product,
  table: Record<string, Simulation>,
): Record<string, Simulation> {
  const names = new Set(catalog(product).map((fn) => fn.name));
  return Object.fromEntries(Object.entries(table).filter(([name]) => names.has(name)));
}

/** The simulations both products share (the groups that act on one instance's content). */
const SHARED_SIMULATIONS: Record<string, Simulation> = {
  ...USER_SIMULATIONS,
  ...STORE_SIMULATIONS,
  ...FOLDER_SIMULATIONS,
  ...CONFIG_SIMULATIONS,
  ...JOB_SIMULATIONS,
  ...TIME_ZONE_SIMULATIONS,
};

/** The simulations per product. */
export const SIMULATIONS: Readonly<Record<Product, Readonly<Record<string, Simulation>>>> = {
  spe: productOnly("spe", {
    ...SPE_ONLY,
    ...SHARED_SIMULATIONS,
    ...SPE_SYSTEM_SIMULATIONS,
    ...INSTANCE_SIMULATIONS,
  }),
  server: productOnly("server", {
    ...SERVER_ONLY,
    ...SHARED_SIMULATIONS,
    ...SERVER_SYSTEM_SIMULATIONS,
  }),
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
