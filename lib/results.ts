/**
 * Result types of the commonly scripted functions, from the shapes recorded on live servers
 * (functions.md §7). Fields that older versions leave out are optional. Functions not listed here
 * have the result type `unknown`.
 *
 * @module
 */

import type { Product } from "./metadata.ts";

/**
 * The hardware and operating system of a server, as part of {@linkcode EnvironmentInfo} and
 * {@linkcode ServiceServerInfo}.
 *
 * @example
 * ```ts
 * import type { SystemProperties } from "@mspe/mspe";
 * const properties: SystemProperties = {
 *   processors: ["Intel(R) Xeon(R) CPU"],
 *   totalPhysicalMemory: 8589398016,
 *   operatingSystem: "Microsoft Windows Server 2022 Standard",
 * };
 * console.log(properties.operatingSystem);
 * ```
 */
export interface SystemProperties {
  /** One entry per processor. */
  readonly processors: readonly string[];
  /** Physical memory in bytes. */
  readonly totalPhysicalMemory: number;
  /** The operating system's name. */
  readonly operatingSystem: string;
}

/**
 * The result of `GetEnvironmentInfo` (SPE).
 *
 * @example
 * ```ts
 * import type { EnvironmentInfo } from "@mspe/mspe";
 * function describe(info: EnvironmentInfo): string {
 *   return `${info.serverName} runs SPE ${info.version}, licensed to ${info.licenseeName}`;
 * }
 * ```
 */
export interface EnvironmentInfo {
  /** The SPE version, e.g. `25.3.1.23021`. */
  readonly version: string;
  /** The web client's version; absent on old versions. */
  readonly webClientVersion?: string;
  /** The copyright notice. */
  readonly copyright: string;
  /** The licensee's name. */
  readonly licenseeName: string;
  /** The licensee's number. */
  readonly licenseeID: number;
  /** The management server's name. */
  readonly serverName: string;
  /** The user name of the caller. */
  readonly userName: string;
  /** The management server's hardware and operating system. */
  readonly systemProperties: SystemProperties;
}

/**
 * One server in {@linkcode ServiceStatus}: a client access server, the management server or an
 * instance host.
 *
 * @example
 * ```ts
 * import type { ServiceServerInfo } from "@mspe/mspe";
 * function label(server: ServiceServerInfo): string {
 *   return `${server.serverType} ${server.serverName}:${server.port} ${server.active ? "up" : "down"}`;
 * }
 * ```
 */
export interface ServiceServerInfo {
  /** The server's host name. */
  readonly serverName: string;
  /** The port it listens on. */
  readonly port: number;
  /** The thumbprint of its certificate. */
  readonly serverCertificate?: { readonly thumbprint: string } | null;
  /** What kind of server it is. */
  readonly serverType:
    | "clientAccessServer"
    | "managementServer"
    | "instanceHost"
    | (string & Record<never, never>);
  /** Whether it is reachable and running. */
  readonly active: boolean;
  /** Its hardware and operating system, when known. */
  readonly systemProperties: SystemProperties | null;
  /** Instances on an instance host; `null` for other server types. */
  readonly numberOfInstances: number | null;
  /** Running instances on an instance host; `null` for other server types. */
  readonly numberOfRunningInstances: number | null;
}

/**
 * One message in {@linkcode ServiceStatus}.
 *
 * @example
 * ```ts
 * import type { ServiceMessage } from "@mspe/mspe";
 * const message: ServiceMessage = {
 *   type: "warning",
 *   text: "One or more search indexes have to be rebuilt.",
 *   isSubItem: false,
 *   tag: null,
 *   flags: null,
 * };
 * console.log(message.text);
 * ```
 */
export interface ServiceMessage {
  /** How serious it is. */
  readonly type: "information" | "warning" | "error" | (string & Record<never, never>);
  /** The message text. */
  readonly text: string;
  /** Whether it belongs to the message before it. */
  readonly isSubItem: boolean;
  /** A tag, or `null`. */
  readonly tag: string | null;
  /** Flags, or `null`. */
  readonly flags: string | number | null;
}

/**
 * The result of `GetServiceStatus` (SPE).
 *
 * @example
 * ```ts
 * import type { ServiceStatus } from "@mspe/mspe";
 * function problems(status: ServiceStatus): string[] {
 *   return status.messages.filter((m) => m.type !== "information").map((m) => m.text);
 * }
 * ```
 */
export interface ServiceStatus {
  /** The same object as `GetEnvironmentInfo` returns. */
  readonly environmentInfo: EnvironmentInfo;
  /** Every server of the installation. */
  readonly serverInfos: readonly ServiceServerInfo[];
  /** Warnings and notices. */
  readonly messages: readonly ServiceMessage[];
}

/**
 * One item of the `GetInstances` result (SPE).
 *
 * @example
 * ```ts
 * import type { Instance } from "@mspe/mspe";
 * function isRunning(instance: Instance): boolean {
 *   return instance.status === "running";
 * }
 * ```
 */
export interface Instance {
  /** The instance ID, the `instanceID` argument of instance functions. */
  readonly instanceID: string;
  /** The alias. */
  readonly alias: string;
  /** The display name. */
  readonly displayName: string;
  /** The instance host it runs on. */
  readonly instanceHost: string;
  /** How it starts, e.g. `automatic`. */
  readonly startMode: string;
  /** The process ID while it runs, else `null` or 0. */
  readonly processID: number | null;
  /** `running` when healthy. */
  readonly status: "running" | (string & Record<never, never>);
  /** Why the last start or stop failed, or `null`. */
  readonly startStopError: string | null;
}

/**
 * The result of `GetInstanceStatistics` (SPE). Sizes are in MB.
 *
 * @example
 * ```ts
 * import type { InstanceStatistics } from "@mspe/mspe";
 * function summary(stats: InstanceStatistics): string {
 *   return `${stats.numberOfMessages} messages, ${stats.totalSizeMB} MB`;
 * }
 * ```
 */
export interface InstanceStatistics {
  /** The whole archive, in MB. */
  readonly totalSizeMB: number;
  /** The database files, in MB. */
  readonly databaseFileSizeMB: number;
  /** The content files, in MB. */
  readonly contentFileSizeMB: number;
  /** The search indexes, in MB. */
  readonly indexFileSizeMB: number;
  /** The number of archived messages. */
  readonly numberOfMessages: number;
}

/**
 * One item of the `GetUsers` result.
 *
 * @example
 * ```ts
 * import type { User } from "@mspe/mspe";
 * const user: User = { userName: "jdoe", fullName: "John Doe", distinguishedName: null };
 * console.log(user.fullName ?? user.userName);
 * ```
 */
export interface User {
  /** The user name. */
  readonly userName: string;
  /** The full name, or `null`. */
  readonly fullName: string | null;
  /** The directory's distinguished name, or `null`. */
  readonly distinguishedName: string | null;
  /** MFA state, e.g. `Disabled`; absent on older MailStore Server versions. */
  readonly mfaStatus?: string;
}

/**
 * A user's privileges on one archive folder, as part of {@linkcode UserInfo}.
 *
 * @example
 * ```ts
 * import type { FolderPrivileges } from "@mspe/mspe";
 * const entry: FolderPrivileges = { folder: "jdoe", privileges: ["read"] };
 * console.log(entry.privileges.join(","));
 * ```
 */
export interface FolderPrivileges {
  /** The folder, e.g. the user's own archive `jdoe`. */
  readonly folder: string;
  /** `read`, `write`, `delete` or `none`. */
  readonly privileges: readonly string[];
}

/**
 * The result of `GetUserInfo`.
 *
 * @example
 * ```ts
 * import type { UserInfo } from "@mspe/mspe";
 * function canLogIn(user: UserInfo): boolean {
 *   return user.privileges.includes("login") || user.privileges.includes("admin");
 * }
 * ```
 */
export interface UserInfo extends User {
  /** How the user logs in, e.g. `integrated` or `directoryServices`. */
  readonly authentication: string;
  /** The user's e-mail addresses. */
  readonly emailAddresses: readonly string[];
  /** POP3 user names. */
  readonly pop3UserNames: readonly string[];
  /** Global privileges, e.g. `login`, `admin`. */
  readonly privileges: readonly string[];
  /** The clients the user may log in with; absent on MailStore Server. */
  readonly loginPrivileges?: readonly string[];
  /** Privileges on folders; absent when the user has none. */
  readonly privilegesOnFolders?: readonly FolderPrivileges[];
}

/**
 * One item of the `GetStores` result. `statisticsCount`/`statisticsSize` are filled in with
 * `includeSize: true`.
 *
 * @example
 * ```ts
 * import type { Store } from "@mspe/mspe";
 * function needsWork(store: Store): boolean {
 *   return store.needsUpgrade || store.searchIndexesNeedRebuild || store.error !== null;
 * }
 * ```
 */
export interface Store {
  /** The store's number, the `id` argument of store functions. */
  readonly id: number;
  /** The store's name. */
  readonly name: string;
  /** `current`, `normal`, `writeProtected` or `disabled`. */
  readonly requestedState:
    | "current"
    | "normal"
    | "writeProtected"
    | "disabled"
    | (string & Record<never, never>);
  /** Why the store cannot be opened, or `null`. */
  readonly error: string | null;
  /** The number of messages, or `null` without `includeSize`. */
  readonly statisticsCount: number | null;
  /** The size in bytes, or `null` without `includeSize`. */
  readonly statisticsSize: number | null;
  /** Whether the store needs an upgrade. */
  readonly needsUpgrade: boolean;
  /** Whether its search indexes must be rebuilt. */
  readonly searchIndexesNeedRebuild: boolean;
  /** Where the database lives. */
  readonly databasePath: string | null;
  /** Where the content files live. */
  readonly contentPath: string | null;
  /** Where the search indexes live. */
  readonly indexPath: string | null;
}

/**
 * One item of the `GetJobs` result. Date-times are UTC without a zone suffix.
 *
 * @example
 * ```ts
 * import type { Job } from "@mspe/mspe";
 * function nextRun(job: Job): string {
 *   return job.enabled ? job.nextStartDateTimeUtc ?? "not scheduled" : "disabled";
 * }
 * ```
 */
export interface Job {
  /** The job's number. */
  readonly id: number;
  /** The job's name. */
  readonly name: string;
  /** The function it runs, e.g. `ProcessRetentionPolicies`. */
  readonly action: string;
  /** Who created it. */
  readonly owner: string;
  /** When it was created (UTC). */
  readonly creationDateTimeUtc: string;
  /** When it last started (UTC), or `null`. */
  readonly lastStartDateTimeUtc: string | null;
  /** When it last completed (UTC), or `null`. */
  readonly lastCompleteDateTimeUtc: string | null;
  /** When it starts next (UTC), or `null`. */
  readonly nextStartDateTimeUtc: string | null;
  /** Whether it runs on its schedule. */
  readonly enabled: boolean;
  /** Its schedule. */
  readonly schedule: { readonly timeZoneId: string; readonly [key: string]: unknown };
}

/**
 * The result of `GetServerInfo` (MailStore Server).
 *
 * @example
 * ```ts
 * import type { ServerInfo } from "@mspe/mspe";
 * const info: ServerInfo = { version: "9.0.0.9702", machineName: "MAILSTORE" };
 * console.log(`${info.machineName} runs ${info.version}`);
 * ```
 */
export interface ServerInfo {
  /** The MailStore Server version. */
  readonly version: string;
  /** The machine's name. */
  readonly machineName: string;
}

/**
 * The result types of SPE functions, by function name (the others are `unknown`).
 *
 * @example
 * ```ts
 * import type { SpeResults } from "@mspe/mspe";
 * type Users = SpeResults["GetUsers"];
 * const users: Users = [];
 * console.log(users.length);
 * ```
 */
export interface SpeResults {
  /** `GetEnvironmentInfo` */
  GetEnvironmentInfo: EnvironmentInfo;
  /** `GetServiceStatus` */
  GetServiceStatus: ServiceStatus;
  /** `GetInstances` */
  GetInstances: readonly Instance[];
  /** `GetInstanceStatistics` */
  GetInstanceStatistics: InstanceStatistics;
  /** `GetUsers` */
  GetUsers: readonly User[];
  /** `GetUserInfo` */
  GetUserInfo: UserInfo;
  /** `GetStores` */
  GetStores: readonly Store[];
  /** `GetJobs` */
  GetJobs: readonly Job[];
}

/**
 * The result types of MailStore Server functions, by function name (the others are `unknown`).
 *
 * @example
 * ```ts
 * import type { ServerResults } from "@mspe/mspe";
 * const info: ServerResults["GetServerInfo"] = { version: "24.3.0", machineName: "MS01" };
 * console.log(info.version);
 * ```
 */
export interface ServerResults {
  /** `GetServerInfo` */
  GetServerInfo: ServerInfo;
  /** `GetUsers` */
  GetUsers: readonly User[];
  /** `GetUserInfo` */
  GetUserInfo: UserInfo;
  /** `GetStores` */
  GetStores: readonly Store[];
  /** `GetJobs` */
  GetJobs: readonly Job[];
}

/**
 * The result type of function `F` of product `P`: the typed shape for the functions in
 * {@linkcode SpeResults} / {@linkcode ServerResults}, `unknown` for the rest.
 *
 * @example
 * ```ts
 * import type { ResultOf } from "@mspe/mspe";
 * type Info = ResultOf<"server", "GetServerInfo">; // ServerInfo
 * type Other = ResultOf<"spe", "Ping">; // unknown
 * const info: Info = { version: "24.3.0", machineName: "MS01" };
 * const other: Other = null;
 * console.log(info, other);
 * ```
 */
export type ResultOf<P extends Product, F extends string> = P extends "server"
  ? F extends keyof ServerResults ? ServerResults[F] : unknown
  : F extends keyof SpeResults ? SpeResults[F]
  : unknown;
