/**
 * The simulated system functions (group `system` of both products, and `licensing`): environment,
 * service status with the warnings a health check looks for, client access servers, system
 * administrators' MFA and passwords, system SMTP, status reports, pairing, branding, licenses, and
 * MailStore Server's backup, master key, sessions and service configuration.
 *
 * Functions that would reach the outside world record what they would have done in
 * `state.system.outbox` and answer as the server would.
 *
 * @module
 */

import { workerResultLists } from "./_history.ts";
import { type CallContext, Deferred, inst, objectArg, type Simulation } from "./_simulation.ts";
import type { MockSystemAdministrator } from "./_model.ts";
import type { MockState } from "./_state.ts";
import type { MockClientAccessServer, MockOutboxEntry } from "./_system_state.ts";
import { DAY, formatLocal, formatUtc, localToUtc, TIME_ZONES, zoneOf } from "./_time.ts";
import { ApiFault } from "./_wire.ts";

/** The version the mock reports. */
export const VERSION = "25.3.1.23021";

const MANAGEMENT_THUMBPRINT = "5A4B3C2D1E0F5A4B3C2D1E0F5A4B3C2D1E0F5A4B";

function environmentInfo(ctx: CallContext): Record<string, unknown> {
  return {
    version: VERSION,
    webClientVersion: VERSION,
    copyright: "Copyright (c) 2005-2025 MailStore Software GmbH",
    licenseeName: ctx.state.system.license.licenseeName,
    licenseeID: ctx.state.system.license.licenseeID,
    serverName: "spe.mock.test",
    userName: ctx.username,
    systemProperties: {
      processors: ["Mock CPU @ 2.00GHz", "Mock CPU @ 2.00GHz"],
      totalPhysicalMemory: 8589398016,
      operatingSystem: "Microsoft Windows Server 2022 Standard",
    },
  };
}

/** One GetServiceStatus message. */
interface ServiceMessage {
  type: "information" | "warning" | "error";
  text: string;
  isSubItem: boolean;
  tag: null;
  flags: null;
}

function message(type: ServiceMessage["type"], text: string): ServiceMessage {
  return { type, text, isSubItem: false, tag: null, flags: null };
}

/**
 * The messages of GetServiceStatus, derived from the state: instances that should run and do not,
 * start/stop errors, archive store errors, stores that need an upgrade, indexes that need a
 * rebuild, client access servers that do not answer. Only instances whose content exists (or has
 * planned problems) are looked into, so 1,000 untouched instances cost nothing.
 */
export function serviceMessages(state: MockState): ServiceMessage[] {
  const messages: ServiceMessage[] = [];
  for (const server of state.system.clientAccessServers) {
    if (!server.active) {
      messages.push(
        message("error", `Client access server ${server.serverName}: The server is not reachable.`),
      );
    }
  }
  for (const instance of state.instanceList()) {
    const where = `Instance ${instance.instanceID} on ${instance.instanceHost}`;
    if (instance.startStopError !== null) {
      messages.push(message("error", `${where}: ${instance.startStopError}`));
    } else if (instance.status === "stopped" && instance.startMode === "automatic") {
      messages.push(message("warning", `${where}: The instance is not running.`));
    } else if (instance.status === "frozen") {
      messages.push(message("information", `${where}: The instance is frozen.`));
    }
    if (instance.status !== "running") continue;
    if (!state.hasContent(instance) && !state.problemPlan.has(instance.seedIndex)) continue;
    const stores = state.stores(instance);
    for (const store of stores) {
      if (store.error !== null) {
        messages.push(message("error", `${where}: Archive store '${store.name}': ${store.error}`));
      }
    }
    if (stores.some((store) => store.needsUpgrade)) {
      messages.push(
        message("warning", `${where}: One or more archive stores have to be upgraded.`),
      );
    }
    if (stores.some((store) => store.searchIndexesNeedRebuild)) {
      messages.push(message("warning", `${where}: One or more search indexes have to be rebuilt.`));
    }
  }
  return messages;
}

function casOf(state: MockState, serverName: string): MockClientAccessServer {
  const server = state.system.clientAccessServers.find((candidate) =>
    candidate.serverName.toLowerCase() === serverName.toLowerCase()
  );
  if (server === undefined) {
    throw new ApiFault(`Client access server '${serverName}' does not exist.`);
  }
  return server;
}

function adminOf(state: MockState, userName: string): MockSystemAdministrator {
  const admin = state.systemAdministrators.get(userName.toLowerCase());
  if (admin === undefined) throw new ApiFault(`System administrator '${userName}' does not exist.`);
  return admin;
}

/** `serverName`, `port` and `serverCertificate.thumbprint` of a server config object. */
function serverConfig(
  ctx: CallContext,
): { serverName: string; port: number | undefined; thumbprint: string | undefined } {
  const config = objectArg(ctx, "config");
  const serverName = config.serverName;
  if (typeof serverName !== "string" || serverName.trim() === "") {
    throw new ApiFault("The configuration is missing 'serverName'.");
  }
  const port = config.port;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port <= 0)) {
    throw new ApiFault("The configuration's 'port' must be a port number.");
  }
  const certificate = config.serverCertificate;
  const thumbprint = certificate !== null && typeof certificate === "object"
    ? (certificate as Record<string, unknown>).thumbprint
    : undefined;
  if (thumbprint !== undefined && !isThumbprint(thumbprint)) {
    throw new ApiFault("The configuration's 'serverCertificate.thumbprint' must be 40 hex digits.");
  }
  return {
    serverName,
    port: port as number | undefined,
    thumbprint: (thumbprint as string | undefined)?.toUpperCase(),
  };
}

/** Whether a value is a SHA-1 thumbprint (40 hex digits). */
export function isThumbprint(value: unknown): value is string {
  return typeof value === "string" && /^[0-9A-Fa-f]{40}$/.test(value);
}

/** Records an outside action in the outbox. */
export function record(
  ctx: CallContext,
  kind: string,
  details: Record<string, unknown>,
): MockOutboxEntry {
  const entry = { timeUtc: formatUtc(Date.now()), kind, fn: ctx.fn, details };
  ctx.state.system.outbox.push(entry);
  return entry;
}

function recipientsOf(text: string): string[] {
  const recipients = text.split(/[,;]/).map((item) => item.trim()).filter((item) => item !== "");
  if (recipients.length === 0) throw new ApiFault("Missing API argument recipients.");
  for (const recipient of recipients) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(recipient)) {
      throw new ApiFault(`'${recipient}' is not a valid e-mail address.`);
    }
  }
  return recipients;
}

/** The [from, to) range of a status report's timespan in `zone` (weeks start on Monday). */
function timespanRange(timespan: string, zone: string, now: number): [number, number] {
  const today = Date.parse(`${formatLocal(now, zone).slice(0, 10)}T00:00:00Z`);
  const date = new Date(today);
  const weekStart = today - ((date.getUTCDay() + 6) % 7) * DAY;
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const lastMonthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() - 1, 1);
  const local: Record<string, [number, number]> = {
    today: [today, today + DAY],
    yesterday: [today - DAY, today],
    thisweek: [weekStart, weekStart + 7 * DAY],
    lastweek: [weekStart - 7 * DAY, weekStart],
    thismonth: [monthStart, Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)],
    lastmonth: [lastMonthStart, monthStart],
  };
  const [from, to] = local[timespan] ?? local.today!;
  const utc = (ms: number): number => localToUtc(new Date(ms).toISOString().slice(0, 19), zone)!;
  return [utc(from), utc(to)];
}

function smtpServer(settings: Record<string, unknown>): string {
  const serverName = settings.serverName;
  if (typeof serverName !== "string" || serverName === "") {
    throw new ApiFault("The SMTP settings are incomplete: set serverName first.");
  }
  return serverName;
}

function sendStatusReport(ctx: CallContext): null {
  const instance = inst(ctx);
  const zone = zoneOf(ctx.args.str("timeZoneId"));
  const recipients = recipientsOf(ctx.args.str("recipients"));
  const timespan = ctx.args.str("timespan");
  // The instance's own SMTP settings send its report (set with SetSmtpSettings).
  const settings = ctx.state.instanceData(instance).smtpSettings;
  const serverName = smtpServer(settings);
  const [from, to] = timespanRange(timespan, zone, Date.now());
  const results: Record<string, number> = {};
  for (const list of workerResultLists(ctx.state.activity(instance))) {
    for (const row of list) {
      if (row.startTime >= from && row.startTime < to) {
        results[row.result] = (results[row.result] ?? 0) + 1;
      }
    }
  }
  record(ctx, "statusReport", {
    instanceID: instance.instanceID,
    timespan,
    timeZoneId: ctx.args.str("timeZoneId"),
    from: formatLocal(from, zone),
    to: formatLocal(to, zone),
    recipients,
    serverName,
    workerResults: results,
  });
  return null;
}

function randomText(length: number): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((byte) => alphabet[byte % alphabet.length]).join("");
}

function mergeSmtp(ctx: CallContext): void {
  const config = objectArg(ctx, "config");
  const system = ctx.state.system;
  for (const [key, value] of Object.entries(config)) {
    if (key === "password") {
      if (typeof value === "string" && value !== "") system.smtpPassword = value;
      continue;
    }
    if (key === "port" && (typeof value !== "number" || !Number.isInteger(value))) {
      throw new ApiFault("The SMTP configuration's 'port' must be a port number.");
    }
    system.smtp[key] = structuredClone(value);
  }
  system.smtp.password = null;
}

/** The system and licensing simulations of SPE. */
export const SPE_SYSTEM_SIMULATIONS: Record<string, Simulation> = {
  GetEnvironmentInfo: { handle: environmentInfo },
  GetServiceStatus: {
    handle: (ctx) => ({
      environmentInfo: environmentInfo(ctx),
      serverInfos: [
        ...ctx.state.system.clientAccessServers.map((server) => ({
          serverName: server.serverName,
          port: server.port,
          serverCertificate: { thumbprint: server.thumbprint },
          serverType: "clientAccessServer",
          active: server.active,
          systemProperties: null,
          numberOfInstances: null,
          numberOfRunningInstances: null,
        })),
        {
          serverName: "spe.mock.test",
          port: 8471,
          serverCertificate: { thumbprint: MANAGEMENT_THUMBPRINT },
          serverType: "managementServer",
          active: true,
          systemProperties: null,
          numberOfInstances: null,
          numberOfRunningInstances: null,
        },
        ...hostInfos(ctx.state),
      ],
      messages: serviceMessages(ctx.state),
    }),
  },
  GetClientAccessServers: {
    handle: (ctx) => {
      const filter = ctx.args.optStr("serverNameFilter");
      const withStatus = ctx.args.bool("withServiceStatus");
      return ctx.state.system.clientAccessServers.filter((server) =>
        filter === null || filter === "" ||
        server.serverName.toLowerCase() === filter.toLowerCase()
      ).map((server) => {
        const row: Record<string, unknown> = {
          serverName: server.serverName,
          port: server.port,
          serverCertificate: { thumbprint: server.thumbprint },
        };
        if (withStatus) {
          row.active = server.active;
          row.systemProperties = null;
        }
        return row;
      });
    },
  },
  CreateClientAccessServer: {
    handle: (ctx) => {
      const { serverName, port, thumbprint } = serverConfig(ctx);
      if (
        ctx.state.system.clientAccessServers.some((server) =>
          server.serverName.toLowerCase() === serverName.toLowerCase()
        )
      ) {
        throw new ApiFault(`Client access server '${serverName}' already exists.`);
      }
      if (thumbprint === undefined) {
        throw new ApiFault("The configuration is missing 'serverCertificate.thumbprint'.");
      }
      ctx.state.system.clientAccessServers.push({
        serverName,
        port: port ?? 8473,
        thumbprint,
        active: true,
      });
      return null;
    },
  },
  SetClientAccessServerConfiguration: {
    handle: (ctx) => {
      const { serverName, port, thumbprint } = serverConfig(ctx);
      const server = casOf(ctx.state, serverName);
      if (port !== undefined) server.port = port;
      if (thumbprint !== undefined) server.thumbprint = thumbprint;
      return null;
    },
  },
  DeleteClientAccessServer: {
    handle: (ctx) => {
      const server = casOf(ctx.state, ctx.args.str("serverName"));
      const list = ctx.state.system.clientAccessServers;
      list.splice(list.indexOf(server), 1);
      return null;
    },
  },
  SetSystemAdministratorConfiguration: {
    handle: (ctx) => {
      const config = objectArg(ctx, "config");
      if (typeof config.userName !== "string") {
        throw new ApiFault("The system administrator configuration is missing 'userName'.");
      }
      const admin = adminOf(ctx.state, config.userName);
      for (const field of ["fullName", "emailAddress"] as const) {
        const value = config[field];
        if (value === null || typeof value === "string") admin[field] = value;
        else if (value !== undefined) throw new ApiFault(`'${field}' must be a string or null.`);
      }
      return null;
    },
  },
  SetSystemAdministratorPassword: {
    handle: (ctx) => {
      const password = ctx.args.str("password");
      if (password.length < 8) {
        throw new ApiFault(
          "The password does not meet the requirements: use at least 8 characters.",
        );
      }
      adminOf(ctx.state, ctx.args.str("userName")).password = password;
      return null;
    },
  },
  InitializeSystemAdministratorMFA: {
    handle: (ctx) => {
      // As InitializeMFA for users: the administrator sets MFA up at the next login.
      adminOf(ctx.state, ctx.args.str("userName")).mfaStatus = "Pending";
      return null;
    },
  },
  DeactivateSystemAdministratorMFA: {
    handle: (ctx) => {
      adminOf(ctx.state, ctx.args.str("userName")).mfaStatus = "Disabled";
      ctx.state.system.apiPasswords.delete(ctx.args.str("userName").toLowerCase());
      return null;
    },
  },
  CreateSystemAdministratorAPIPassword: {
    handle: (ctx) => {
      const password = randomText(24);
      ctx.state.system.apiPasswords.set(ctx.username.toLowerCase(), password);
      // The one place the password is shown, as on the real server.
      return password;
    },
  },
  GetSystemSmtpConfiguration: {
    handle: (ctx) => ({ ...structuredClone(ctx.state.system.smtp), password: null }),
  },
  SetSystemSmtpConfiguration: {
    handle: (ctx) => {
      mergeSmtp(ctx);
      return null;
    },
  },
  TestSystemSmtpConfiguration: {
    handle: (ctx) => {
      const smtp = ctx.state.system.smtp;
      const serverName = smtpServer(smtp);
      const to = smtp.recipientEmailAddress;
      if (typeof to !== "string" || to === "") {
        throw new ApiFault("The SMTP settings are incomplete: set recipientEmailAddress first.");
      }
      record(ctx, "smtpTest", {
        serverName,
        port: smtp.port,
        from: smtp.fromEmailAddress,
        to,
      });
      return null;
    },
  },
  SendStatusReport: { handle: sendStatusReport },
  PairWithManagementServer: {
    handle: (ctx) => {
      const serverType = ctx.args.str("serverType");
      const serverName = ctx.args.str("serverName");
      const port = ctx.args.num("port");
      const thumbprint = ctx.args.str("thumbprint");
      if (!isThumbprint(thumbprint)) {
        throw new ApiFault("Invalid value for API argument thumbprint: use the 40 hex digits.");
      }
      if (serverType !== "clientAccessServer" && serverType !== "instanceHost") {
        throw new ApiFault(
          `Invalid value for API argument serverType: '${serverType}'. Use clientAccessServer or instanceHost.`,
        );
      }
      // Pairing trusts the server's certificate: an unknown server is registered, a known one updated.
      if (serverType === "clientAccessServer") {
        const known = ctx.state.system.clientAccessServers.find((server) =>
          server.serverName.toLowerCase() === serverName.toLowerCase()
        );
        if (known === undefined) {
          ctx.state.system.clientAccessServers.push({
            serverName,
            port,
            thumbprint: thumbprint.toUpperCase(),
            active: true,
          });
        } else {
          Object.assign(known, { port, thumbprint: thumbprint.toUpperCase(), active: true });
        }
      } else {
        const known = ctx.state.instanceHosts.find((host) =>
          host.serverName.toLowerCase() === serverName.toLowerCase()
        );
        if (known === undefined) {
          ctx.state.instanceHosts.push({
            serverName,
            port,
            thumbprint: thumbprint.toUpperCase(),
            baseDirectory: null,
          });
        } else {
          Object.assign(known, { port, thumbprint: thumbprint.toUpperCase() });
        }
      }
      record(ctx, "pairing", {
        serverType,
        serverName,
        port,
        thumbprint: thumbprint.toUpperCase(),
      });
      return null;
    },
  },
  ReloadBranding: {
    handle: (ctx) => {
      record(ctx, "brandingReload", {});
      return null;
    },
  },
  CanRunArchiveProfiles: {
    handle: (ctx) => {
      inst(ctx);
      return ctx.state.system.license.canRunArchiveProfiles;
    },
  },
  CreateLicenseRequest: {
    handle: (ctx) => {
      const license = ctx.state.system.license;
      const request = btoa(JSON.stringify({
        licenseeID: license.licenseeID,
        serverName: "spe.mock.test",
        version: VERSION,
        instances: ctx.state.instanceList().length,
        requested: formatUtc(Date.now()),
      }));
      record(ctx, "licenseRequest", { licenseeID: license.licenseeID, length: request.length });
      return request;
    },
  },
};

function hostInfos(state: MockState): Record<string, unknown>[] {
  // One pass over the instances, not one per host.
  const counts = new Map<string, { all: number; running: number }>();
  for (const instance of state.instanceList()) {
    const key = instance.instanceHost.toLowerCase();
    const count = counts.get(key) ?? { all: 0, running: 0 };
    count.all++;
    if (instance.status === "running") count.running++;
    counts.set(key, count);
  }
  return state.instanceHosts.map((host) => {
    const count = counts.get(host.serverName.toLowerCase()) ?? { all: 0, running: 0 };
    return {
      serverName: host.serverName,
      port: host.port,
      serverCertificate: { thumbprint: host.thumbprint },
      serverType: "instanceHost",
      active: true,
      systemProperties: null,
      numberOfInstances: count.all,
      numberOfRunningInstances: count.running,
    };
  });
}

/** The system and licensing simulations of MailStore Server. */
export const SERVER_SYSTEM_SIMULATIONS: Record<string, Simulation> = {
  GetServerInfo: { handle: () => ({ version: VERSION, machineName: "MAILSTORE" }) },
  SendStatusReport: { handle: sendStatusReport },
  GetActiveSessions: {
    handle: (ctx) =>
      [
        ...ctx.state.system.sessions,
        {
          userName: ctx.username,
          clientApplication: "Administration API",
          ipAddress: "127.0.0.1",
          logonTimeUtc: formatUtc(Date.now()),
        },
      ].map((session) => ({ ...session })),
  },
  GetServiceConfiguration: {
    handle: (ctx) => ({
      serverName: "MAILSTORE",
      certificateThumbprint: ctx.state.system.serviceCertificateThumbprint,
      clientPort: 8460,
      outlookAddInPort: 8461,
      webAccessHttpsPort: 8462,
      apiPort: 8463,
      imapPort: 143,
      imapsPort: 993,
    }),
  },
  SetServiceCertificate: {
    handle: (ctx) => {
      const thumbprint = ctx.args.str("thumbprint");
      if (!isThumbprint(thumbprint)) {
        throw new ApiFault(
          `No certificate with the thumbprint '${thumbprint}' was found. Give its 40 hex digits.`,
        );
      }
      ctx.state.system.serviceCertificateThumbprint = thumbprint.toUpperCase();
      return null;
    },
  },
  RenewMasterKey: {
    handle: (ctx) => {
      ctx.state.system.masterKeyRenewedUtc = formatUtc(Date.now());
      return null;
    },
  },
  CompactMasterDatabase: {
    job: () => "Compacting master database",
    handle: (ctx) =>
      new Deferred(() => {
        ctx.state.system.masterDatabaseCompactedUtc = formatUtc(Date.now());
        return null;
      }),
  },
  CreateBackup: {
    job: () => "Creating backup",
    handle: (ctx) => {
      const path = ctx.args.str("path");
      if (!/^([A-Za-z]:\\|\\\\)/.test(path)) {
        throw new ApiFault(`The backup path '${path}' is not an absolute path.`);
      }
      const excludeSearchIndexes = ctx.args.optBool("excludeSearchIndexes") ?? false;
      return new Deferred(() => {
        const stores = ctx.state.stores(inst(ctx));
        record(ctx, "backup", {
          path,
          excludeSearchIndexes,
          stores: stores.length,
          bytes: stores.reduce((sum, store) => sum + store.statisticsSize, 0),
        });
        return null;
      });
    },
  },
  GetLicenseInformation: {
    // namedUsers and maxNamedUsers are what clients read (a public Checkmk check and an HTML
    // documentation script; without them the check fails with KeyError: 'namedUsers'). The
    // older names stay for the clients that were written against them. Every user but the
    // built-in administrator takes a named user license.
    handle: (ctx) => {
      const license = ctx.state.system.license;
      const namedUsers = ctx.state.users(inst(ctx)).size - 1;
      return {
        licenseeName: license.licenseeName,
        licenseeID: license.licenseeID,
        licenseType: license.licenseType,
        namedUsers,
        maxNamedUsers: license.numberOfLicenses,
        numberOfLicenses: license.numberOfLicenses,
        numberOfUsedLicenses: namedUsers,
        validUntil: license.validUntilUtc,
      };
    },
  },
};

/** GetTimeZones of both products. */
export const TIME_ZONE_SIMULATIONS: Record<string, Simulation> = {
  GetTimeZones: {
    handle: () => TIME_ZONES.map((zone) => ({ id: zone.id, displayName: zone.displayName })),
  },
};
