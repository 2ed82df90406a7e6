/**
 * The fields of the results that `lib/results.ts` types, for `mspe-run help <Function>`. The table
 * is checked against those types: a field that is missing, misspelt or no longer there fails
 * `deno check`. Internal to the CLI.
 *
 * @module
 */

import type { ServerResults, SpeResults } from "../../results.ts";
import type { Product } from "../../metadata.ts";

/** The element type of a list result, or the result itself. */
type Item<T> = T extends readonly (infer E)[] ? E : T;

/** Every field of a result (or of each element of a list result), with a short type note. */
type Fields<T> = { readonly [K in keyof Item<T> & string]-?: string };

const SYSTEM_PROPERTIES = "object: processors, totalPhysicalMemory, operatingSystem";

const ENVIRONMENT_INFO: Fields<SpeResults["GetEnvironmentInfo"]> = {
  version: "string",
  webClientVersion: "string (newer servers)",
  copyright: "string",
  licenseeName: "string",
  licenseeID: "number",
  serverName: "string",
  userName: "string",
  systemProperties: SYSTEM_PROPERTIES,
};

const USER: Fields<SpeResults["GetUsers"]> = {
  userName: "string",
  fullName: "string or null",
  distinguishedName: "string or null",
  mfaStatus: "string (newer servers)",
};

const USER_INFO: Fields<SpeResults["GetUserInfo"]> = {
  ...USER,
  authentication: "string",
  emailAddresses: "list of strings",
  pop3UserNames: "list of strings",
  privileges: "list of strings",
  loginPrivileges: "list of strings (newer servers)",
  privilegesOnFolders: "list of objects: folder, privileges",
};

const STORE: Fields<SpeResults["GetStores"]> = {
  id: "number",
  name: "string",
  requestedState: "string: current, normal, writeProtected or disabled",
  error: "string or null",
  statisticsCount: "number or null",
  statisticsSize: "number or null",
  needsUpgrade: "bool",
  searchIndexesNeedRebuild: "bool",
  databasePath: "string or null",
  contentPath: "string or null",
  indexPath: "string or null",
};

const JOB: Fields<SpeResults["GetJobs"]> = {
  id: "number",
  name: "string",
  action: "string",
  owner: "string",
  creationDateTimeUtc: "string (date and time, UTC)",
  lastStartDateTimeUtc: "string or null",
  lastCompleteDateTimeUtc: "string or null",
  nextStartDateTimeUtc: "string or null",
  enabled: "bool",
  schedule: "object: timeZoneId and the schedule's own fields",
};

const SPE: { readonly [F in keyof SpeResults]: Fields<SpeResults[F]> } = {
  GetEnvironmentInfo: ENVIRONMENT_INFO,
  GetServiceStatus: {
    environmentInfo: "object: as GetEnvironmentInfo returns",
    serverInfos: "list of objects: serverName, port, serverType, active, ...",
    messages: "list of objects: type, text, isSubItem, tag, flags",
  },
  GetInstances: {
    instanceID: "string",
    alias: "string",
    displayName: "string",
    instanceHost: "string",
    startMode: "string",
    processID: "number or null",
    status: "string (running, stopped, ...)",
    startStopError: "string or null",
  },
  GetInstanceStatistics: {
    totalSizeMB: "number",
    databaseFileSizeMB: "number",
    contentFileSizeMB: "number",
    indexFileSizeMB: "number",
    numberOfMessages: "number",
  },
  GetUsers: USER,
  GetUserInfo: USER_INFO,
  GetStores: STORE,
  GetJobs: JOB,
};

const SERVER: { readonly [F in keyof ServerResults]: Fields<ServerResults[F]> } = {
  GetServerInfo: { version: "string", machineName: "string" },
  GetUsers: USER,
  GetUserInfo: USER_INFO,
  GetStores: STORE,
  GetJobs: JOB,
};

/** What a function's result is known to hold. */
export interface ResultFields {
  /** The result is a list of such objects. */
  readonly list: boolean;
  /** Field name to a short type note. */
  readonly fields: Readonly<Record<string, string>>;
}

const LISTS = new Set(["GetInstances", "GetUsers", "GetStores", "GetJobs"]);

/**
 * The fields of `name`'s result on `product`, or `undefined` when they are not described.
 *
 * @example
 * ```ts
 * import { resultFields } from "./result_fields.ts";
 * console.log(Object.keys(resultFields("spe", "GetUsers")?.fields ?? {})); // userName, fullName, ...
 * ```
 */
export function resultFields(product: Product, name: string): ResultFields | undefined {
  const table: Readonly<Record<string, Readonly<Record<string, string>>>> = product === "server"
    ? SERVER
    : SPE;
  const fields = Object.hasOwn(table, name) ? table[name] : undefined;
  return fields ? { list: LISTS.has(name), fields } : undefined;
}
