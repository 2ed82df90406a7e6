/**
 * The simulated instance functions not in `_functions.ts` (GetInstanceConfiguration,
 * SetInstanceConfiguration, GetInstanceProcessLiveStatistics, CreateClientOneTimeUrlForArchiveAdmin)
 * and the instance host functions (group `instanceHosts`) besides GetInstanceHosts.
 *
 * @module
 */

import type { InstanceActivity } from "./_history.ts";
import { type CallContext, inst, objectArg, type Simulation } from "./_simulation.ts";
import type { MockInstance, MockInstanceHost } from "./_model.ts";
import { mix } from "./_random.ts";
import type { MockState } from "./_state.ts";
import { formatUtc } from "./_time.ts";
import { ApiFault } from "./_wire.ts";

/** The fields GetInstances and GetInstanceConfiguration both start with, in the server's order. */
export function instanceIdentity(instance: MockInstance): Record<string, unknown> {
  return {
    instanceID: instance.instanceID,
    alias: instance.alias,
    displayName: instance.displayName,
    instanceHost: instance.instanceHost,
    startMode: instance.startMode,
  };
}

/** The counters of the instance's current process, reset when the process changed (a restart). */
export function currentProcess(
  instance: MockInstance,
  activity: InstanceActivity,
): InstanceActivity["process"] {
  if (activity.process.processID !== instance.processID) {
    activity.process = {
      processID: instance.processID,
      startedAt: Date.now(),
      archived: 0,
      checked: 0,
    };
  }
  return activity.process;
}

function hex(value: number, digits: number): string {
  return (value >>> 0).toString(16).padStart(8, "0").slice(-digits);
}

function hostOf(state: MockState, serverName: string): MockInstanceHost {
  const host = state.instanceHosts.find((candidate) =>
    candidate.serverName.toLowerCase() === serverName.toLowerCase()
  );
  if (host === undefined) throw new ApiFault(`Instance host '${serverName}' does not exist.`);
  return host;
}

/** `serverName`, `port`, `serverCertificate.thumbprint` and `baseDirectory` of a host config. */
function hostConfig(ctx: CallContext): {
  serverName: string;
  port?: number;
  thumbprint?: string;
  baseDirectory?: string | null;
} {
  const config = objectArg(ctx, "config");
  const serverName = config.serverName;
  if (typeof serverName !== "string" || serverName.trim() === "") {
    throw new ApiFault("The instance host configuration is missing 'serverName'.");
  }
  const result: ReturnType<typeof hostConfig> = { serverName };
  if (config.port !== undefined) {
    if (typeof config.port !== "number" || !Number.isInteger(config.port) || config.port <= 0) {
      throw new ApiFault("The instance host configuration's 'port' must be a port number.");
    }
    result.port = config.port;
  }
  const certificate = config.serverCertificate;
  if (certificate !== undefined && certificate !== null) {
    const thumbprint = (certificate as Record<string, unknown>).thumbprint;
    if (typeof thumbprint !== "string" || !/^[0-9A-Fa-f]{40}$/.test(thumbprint)) {
      throw new ApiFault(
        "The instance host configuration's 'serverCertificate.thumbprint' must be 40 hex digits.",
      );
    }
    result.thumbprint = thumbprint.toUpperCase();
  }
  if (config.baseDirectory !== undefined) {
    if (config.baseDirectory !== null && typeof config.baseDirectory !== "string") {
      throw new ApiFault("The instance host configuration's 'baseDirectory' must be a string.");
    }
    result.baseDirectory = config.baseDirectory === "" ? null : config.baseDirectory;
  }
  return result;
}

/** A Windows path without a trailing backslash (except a drive root, "E:\"). */
function normalPath(path: string): string {
  const trimmed = path.trim().replace(/\//g, "\\").replace(/\\+$/, "");
  if (!/^[A-Za-z]:(\\[^\\<>:"|?*]+)*$/.test(trimmed)) {
    throw new ApiFault(`'${path}' is not an absolute path (for example E:\\MailStore).`);
  }
  return /^[A-Za-z]:$/.test(trimmed) ? `${trimmed.toUpperCase()}\\` : trimmed;
}

function parentOf(path: string): string | null {
  const at = path.lastIndexOf("\\");
  if (at < 0 || path.endsWith("\\")) return null;
  return at === 2 ? path.slice(0, 3) : path.slice(0, at);
}

const DRIVES = ["C:\\", "D:\\", "E:\\"];

/** Every directory on a host: drives, the instances' base directories, those created, and their parents. */
function directoriesOn(state: MockState, host: MockInstanceHost): Map<string, string> {
  const known = new Map<string, string>();
  const add = (path: string): void => {
    for (let at: string | null = path; at !== null; at = parentOf(at)) {
      if (known.has(at.toLowerCase())) break;
      known.set(at.toLowerCase(), at);
    }
  };
  for (const drive of DRIVES) add(drive);
  for (const directory of state.hostDirectories.get(host.serverName.toLowerCase()) ?? []) {
    add(directory);
  }
  if (host.baseDirectory !== null) add(normalPath(host.baseDirectory));
  for (const instance of state.instanceList()) {
    if (instance.instanceHost.toLowerCase() === host.serverName.toLowerCase()) {
      add(normalPath(instance.baseDirectory));
    }
  }
  return known;
}

/** The true-or-false fields of an instance's configuration object. */
export const INSTANCE_FLAGS = [
  "debugLogEnabled",
  "imapServerConnectionLogEnabled",
  "vssWriterEnabled",
  "vssWriterExcludeIndexes",
] as const;
const TEXTS = ["alias", "displayName", "startMode", "baseDirectory"] as const;

/** The instance and instance host simulations (SPE). */
export const INSTANCE_SIMULATIONS: Record<string, Simulation> = {
  GetInstanceConfiguration: {
    handle: (ctx) => {
      const instance = inst(ctx);
      return {
        ...instanceIdentity(instance),
        baseDirectory: instance.baseDirectory,
        debugLogEnabled: instance.debugLogEnabled,
        imapServerConnectionLogEnabled: instance.imapServerConnectionLogEnabled ?? false,
        vssWriterEnabled: instance.vssWriterEnabled ?? true,
        vssWriterExcludeIndexes: instance.vssWriterExcludeIndexes ?? false,
      };
    },
  },
  SetInstanceConfiguration: {
    handle: (ctx) => {
      const config = objectArg(ctx, "config");
      const instanceID = config.instanceID;
      if (typeof instanceID !== "string" || instanceID === "") {
        throw new ApiFault("The instance configuration is missing 'instanceID'.");
      }
      const instance = ctx.state.instance(instanceID);
      if (instance === undefined) throw new ApiFault(`Instance '${instanceID}' does not exist.`);
      // Check everything first, so a bad field changes nothing.
      for (const field of INSTANCE_FLAGS) {
        if (config[field] !== undefined && typeof config[field] !== "boolean") {
          throw new ApiFault(`The instance configuration's '${field}' must be true or false.`);
        }
      }
      for (const field of TEXTS) {
        if (
          config[field] !== undefined && (typeof config[field] !== "string" || config[field] === "")
        ) {
          throw new ApiFault(`The instance configuration's '${field}' must be a non-empty string.`);
        }
      }
      if (
        config.startMode !== undefined &&
        !["automatic", "manual"].includes(config.startMode as string)
      ) {
        throw new ApiFault("The instance configuration's 'startMode' must be automatic or manual.");
      }
      let host: MockInstanceHost | undefined;
      if (config.instanceHost !== undefined) {
        if (typeof config.instanceHost !== "string") {
          throw new ApiFault("The instance configuration's 'instanceHost' must be a string.");
        }
        host = hostOf(ctx.state, config.instanceHost);
        if (host.serverName !== instance.instanceHost && instance.status !== "stopped") {
          throw new ApiFault(
            `Instance '${instance.instanceID}' must be stopped before it can move to another instance host.`,
          );
        }
      }
      if (config.baseDirectory !== undefined) normalPath(config.baseDirectory as string);
      for (const field of INSTANCE_FLAGS) {
        if (typeof config[field] === "boolean") instance[field] = config[field] as boolean;
      }
      for (const field of TEXTS) {
        if (typeof config[field] === "string") instance[field] = config[field] as string;
      }
      if (host !== undefined) instance.instanceHost = host.serverName;
      return null;
    },
  },
  GetInstanceProcessLiveStatistics: {
    handle: (ctx) => {
      const instance = inst(ctx);
      const process = currentProcess(instance, ctx.state.activity(instance));
      const now = Date.now();
      const up = Math.max(0, now - process.startedAt);
      const seed = mix(ctx.state.seed, 41, instance.seedIndex, instance.processID ?? 0);
      return {
        processUniqueID: `${hex(seed, 8)}-${hex(seed >>> 7, 4)}-4${hex(seed >>> 3, 3)}-a${
          hex(seed >>> 11, 3)
        }-${hex(mix(seed, 1), 8)}${hex(mix(seed, 2), 4)}`,
        timestamp: now,
        totalProcessorMilliseconds: 40_000 + (seed % 8000) + Math.floor(up / 40) +
          process.archived * 3,
        totalIOReadBytes: 380_000_000 + (seed % 20_000_000) + process.checked * 40_000,
        totalIOWriteBytes: 20_000_000 + (seed % 1_000_000) + process.archived * 65_000,
        totalIOOtherBytes: 6_500_000 + Math.floor(up / 10),
        totalRemoteProcedureCalls: 80 + Math.floor(up / 60_000),
        totalMessagesArchived: process.archived,
        totalMessagesChecked: process.checked,
        currentPrivateMemoryBytes: 300_000_000 + (seed % 50_000_000),
      };
    },
  },
  CreateClientOneTimeUrlForArchiveAdmin: {
    handle: (ctx) => {
      const instance = inst(ctx);
      const base =
        (ctx.args.optStr("instanceUrl") ?? `https://spe.mock.test/${instance.instanceID}`)
          .replace(/\/+$/, "");
      if (!/^https?:\/\/[^\s/]+/.test(base)) {
        throw new ApiFault(`Invalid value for API argument instanceUrl: '${base}' is not a URL.`);
      }
      const token = [...crypto.getRandomValues(new Uint8Array(16))].map((byte) =>
        byte.toString(16).padStart(2, "0")
      ).join("");
      const url = `${base}/login/onetime?token=${token}`;
      ctx.state.activity(instance).oneTimeUrls.push({ url, createdUtc: formatUtc(Date.now()) });
      return url;
    },
  },
  CreateInstanceHost: {
    handle: (ctx) => {
      const config = hostConfig(ctx);
      if (
        ctx.state.instanceHosts.some((host) =>
          host.serverName.toLowerCase() === config.serverName.toLowerCase()
        )
      ) {
        throw new ApiFault(`Instance host '${config.serverName}' already exists.`);
      }
      if (config.thumbprint === undefined) {
        throw new ApiFault(
          "The instance host configuration is missing 'serverCertificate.thumbprint'.",
        );
      }
      ctx.state.instanceHosts.push({
        serverName: config.serverName,
        port: config.port ?? 8472,
        thumbprint: config.thumbprint,
        baseDirectory: config.baseDirectory ?? null,
      });
      return null;
    },
  },
  SetInstanceHostConfiguration: {
    handle: (ctx) => {
      const config = hostConfig(ctx);
      const host = hostOf(ctx.state, config.serverName);
      if (config.port !== undefined) host.port = config.port;
      if (config.thumbprint !== undefined) host.thumbprint = config.thumbprint;
      if (config.baseDirectory !== undefined) host.baseDirectory = config.baseDirectory;
      return null;
    },
  },
  DeleteInstanceHost: {
    handle: (ctx) => {
      const host = hostOf(ctx.state, ctx.args.str("serverName"));
      const used = ctx.state.instanceList().filter((instance) =>
        instance.instanceHost.toLowerCase() === host.serverName.toLowerCase()
      );
      if (used.length > 0) {
        throw new ApiFault(
          `Instance host '${host.serverName}' still has ${used.length} instance(s). Move or delete them first.`,
        );
      }
      ctx.state.instanceHosts.splice(ctx.state.instanceHosts.indexOf(host), 1);
      ctx.state.hostDirectories.delete(host.serverName.toLowerCase());
      return null;
    },
  },
  GetDirectoriesOnInstanceHost: {
    handle: (ctx) => {
      const host = hostOf(ctx.state, ctx.args.str("serverName"));
      const known = directoriesOn(ctx.state, host);
      const given = ctx.args.optStr("path");
      if (given === null || given === "") return [...DRIVES];
      const path = normalPath(given);
      if (!known.has(path.toLowerCase())) {
        throw new ApiFault(
          `The directory '${path}' does not exist on instance host '${host.serverName}'.`,
        );
      }
      return [...known.values()].filter((candidate) =>
        parentOf(candidate)?.toLowerCase() === path.toLowerCase()
      ).sort((a, b) => a.localeCompare(b));
    },
  },
  CreateDirectoryOnInstanceHost: {
    handle: (ctx) => {
      const host = hostOf(ctx.state, ctx.args.str("serverName"));
      const path = normalPath(ctx.args.str("path"));
      const key = host.serverName.toLowerCase();
      const created = ctx.state.hostDirectories.get(key) ?? [];
      if (!directoriesOn(ctx.state, host).has(path.toLowerCase())) created.push(path);
      ctx.state.hostDirectories.set(key, created);
      return null;
    },
  },
};
