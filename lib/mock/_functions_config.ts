/**
 * The simulated configuration functions (group `configuration`): compliance, directory services,
 * retention policies, SMTP settings, credentials. Passwords set through them are kept but never
 * sent back (`password: null`, as the real server answers).
 *
 * @module
 */

import { removeMessages } from "./_functions_folders.ts";
import type { MockInstanceData } from "./_instance_data.ts";
import { type CallContext, Deferred, inst, objectArg, type Simulation } from "./_simulation.ts";
import { ApiFault } from "./_wire.ts";

function dataOf(ctx: CallContext): MockInstanceData {
  return ctx.state.instanceData(inst(ctx));
}

function checkType(
  config: Record<string, unknown>,
  field: string,
  type: "boolean" | "string" | "number",
): void {
  const value = config[field];
  if (value !== undefined && value !== null && typeof value !== type) {
    throw new ApiFault(`Invalid value for '${field}': a ${type} is expected.`);
  }
}

function checkStrings(config: Record<string, unknown>, field: string): void {
  const value = config[field];
  if (
    value !== undefined && value !== null &&
    !(Array.isArray(value) && value.every((item) => typeof item === "string"))
  ) {
    throw new ApiFault(`Invalid value for '${field}': a list of strings is expected.`);
  }
}

/**
 * The fields sent replace those stored; fields left out keep their values, so the Get result works
 * as a template. A password sent (not null, not empty) is kept aside; null keeps the old one.
 */
function merge(
  current: Record<string, unknown>,
  config: Record<string, unknown>,
): { config: Record<string, unknown>; password: string | null } {
  const password = typeof config.password === "string" && config.password !== ""
    ? config.password
    : null;
  const merged = { ...current, ...structuredClone(config) };
  if ("password" in current) merged.password = null;
  return { config: merged, password };
}

function retentionCutoff(policy: Record<string, unknown>, now: Date): string | null {
  const period = policy.retentionPeriod;
  if (policy.enabled === false || typeof period !== "number" || period <= 0) return null;
  const cutoff = new Date(now);
  switch (policy.retentionPeriodUnit) {
    case "days":
      cutoff.setUTCDate(cutoff.getUTCDate() - period);
      break;
    case "months":
      cutoff.setUTCMonth(cutoff.getUTCMonth() - period);
      break;
    default:
      cutoff.setUTCFullYear(cutoff.getUTCFullYear() - period);
  }
  return cutoff.toISOString().slice(0, 19);
}

/** Deletes the messages past their retention period; returns how many. Nothing under legal hold. */
function processRetention(ctx: CallContext): number {
  const data = dataOf(ctx);
  if (data.compliance.legalHoldEnabled === true) return 0;
  const policies = Array.isArray(data.retentionPolicies.policies)
    ? data.retentionPolicies.policies as Record<string, unknown>[]
    : [];
  const now = new Date();
  let deleted = 0;
  for (const policy of policies) {
    const cutoff = retentionCutoff(policy, now);
    if (cutoff === null) continue;
    const scope = Array.isArray(policy.folders)
      ? policy.folders.filter((item): item is string => typeof item === "string")
        .map((item) => item.toLowerCase())
      : [];
    for (const [key, folder] of data.folders) {
      if (folder.count === 0) continue;
      if (scope.length > 0 && !scope.some((top) => key === top || key.startsWith(top + "/"))) {
        continue;
      }
      deleted += removeMessages(ctx, folder, (message) => message.date < cutoff, true);
    }
  }
  return deleted;
}

type ConfigField = "compliance" | "directoryServices" | "retentionPolicies" | "smtpSettings";

/** Get*: a copy of the stored object (whose `password`, if it has one, is always null). */
function configGetter(field: ConfigField): Simulation {
  return { handle: (ctx) => structuredClone(dataOf(ctx)[field]) };
}

/** Set*: checks the object, merges it into the stored one, and keeps a password sent aside. */
function configSetter(
  argument: "config" | "settings",
  field: ConfigField,
  check: (config: Record<string, unknown>) => void,
  passwordField?: "directoryServicesPassword" | "smtpPassword",
): Simulation {
  return {
    handle: (ctx) => {
      const config = objectArg(ctx, argument);
      check(config);
      const data = dataOf(ctx);
      const { config: merged, password } = merge(data[field], config);
      data[field] = merged;
      if (passwordField !== undefined && password !== null) data[passwordField] = password;
      return null;
    },
  };
}

function checkRetention(config: Record<string, unknown>): void {
  const policies = config.policies;
  if (
    policies !== undefined &&
    !(Array.isArray(policies) &&
      policies.every((item) => item !== null && typeof item === "object"))
  ) {
    throw new ApiFault("Invalid value for 'policies': a list of policy objects is expected.");
  }
  for (const policy of (policies ?? []) as Record<string, unknown>[]) {
    checkType(policy, "retentionPeriod", "number");
    checkType(policy, "enabled", "boolean");
    checkStrings(policy, "folders");
  }
}

/** The configuration simulations, the same for both products. */
export const CONFIG_SIMULATIONS: Readonly<Record<string, Simulation>> = {
  GetComplianceConfiguration: configGetter("compliance"),
  SetComplianceConfiguration: configSetter("config", "compliance", (config) => {
    checkType(config, "legalHoldEnabled", "boolean");
    checkStrings(config, "logSuccessfulUserActivities");
  }),
  GetDirectoryServicesConfiguration: configGetter("directoryServices"),
  SetDirectoryServicesConfiguration: configSetter("config", "directoryServices", (config) => {
    for (const field of ["type", "serverName", "userName", "baseDN", "password"]) {
      checkType(config, field, "string");
    }
    for (const field of ["enabledUsersOnly", "deleteUsers", "microsoftExchangeUsersOnly"]) {
      checkType(config, field, "boolean");
    }
    checkStrings(config, "groups");
  }, "directoryServicesPassword"),
  GetRetentionPolicies: configGetter("retentionPolicies"),
  SetRetentionPolicies: configSetter("config", "retentionPolicies", checkRetention),
  ProcessRetentionPolicies: {
    job: () => "Processing retention policies",
    handle: (ctx) =>
      new Deferred(() => {
        dataOf(ctx).lastRetentionDeleted = processRetention(ctx);
        return null;
      }),
  },
  GetSmtpSettings: configGetter("smtpSettings"),
  SetSmtpSettings: configSetter("settings", "smtpSettings", (settings) => {
    checkType(settings, "port", "number");
    for (const field of ["serverName", "userName", "password", "fromEmailAddress"]) {
      checkType(settings, field, "string");
    }
  }, "smtpPassword"),
  TestSmtpSettings: {
    handle: (ctx) => {
      const data = dataOf(ctx);
      const settings = data.smtpSettings;
      const serverName = typeof settings.serverName === "string" ? settings.serverName : "";
      const to = typeof settings.recipientEmailAddress === "string"
        ? settings.recipientEmailAddress
        : "";
      if (serverName === "" || to === "") {
        throw new ApiFault(
          "The SMTP settings are incomplete: set serverName and recipientEmailAddress (SetSmtpSettings).",
        );
      }
      // Nothing leaves the mock: the message it would have sent is recorded in the state.
      data.smtpTests.push({
        serverName,
        port: typeof settings.port === "number" ? settings.port : 25,
        from: typeof settings.fromEmailAddress === "string" ? settings.fromEmailAddress : "",
        to,
        sentUtc: new Date().toISOString().slice(0, 19),
      });
      return null;
    },
  },
  GetCredentials: { handle: (ctx) => structuredClone(dataOf(ctx).credentials) },
};
