/**
 * The shape of a desired-state file ("tenants as code"): what `mspe-run export` writes and what
 * `mspe-run plan` and `mspe-run apply` read, in JSON (see `state.schema.json`) or YAML.
 *
 * @module
 */

/**
 * Where a secret comes from: never the file itself, so that the file can be kept in version
 * control. `file` is read as text (one trailing line break dropped); `credentialFile` is a
 * PowerShell credential file (`Get-Credential | Export-Clixml`; its password, decrypted with
 * Windows DPAPI for the user who wrote it); `env` names an environment variable (`mspe-run` may
 * read only those that start with `MSPE_SECRET_`); `prompt` asks on the terminal.
 *
 * @example
 * ```ts
 * import type { SecretSource } from "@mspe/mspe";
 * const fromFile: SecretSource = { file: "secrets/jdoe.txt" };
 * const fromEnv: SecretSource = { env: "MSPE_SECRET_JDOE" };
 * console.log(fromFile, fromEnv);
 * ```
 */
export type SecretSource =
  | { readonly file: string }
  | { readonly credentialFile: string }
  | { readonly env: string }
  | { readonly prompt: true };

/**
 * The instance itself: its configuration (GetInstanceConfiguration's fields) and whether it runs.
 * Fields left out are not managed: the plan neither compares nor changes them.
 *
 * @example
 * ```ts
 * import type { InstanceSettings } from "@mspe/mspe";
 * const acme: InstanceSettings = { displayName: "Acme Ltd", instanceHost: "spe-host1", status: "running" };
 * console.log(acme.displayName);
 * ```
 */
export interface InstanceSettings {
  /** The alias (the name in client URLs). */
  readonly alias?: string;
  /** The name people see. */
  readonly displayName?: string;
  /** The instance host it runs on; needed to create the instance. */
  readonly instanceHost?: string;
  /** Where its data lives on the host, such as `E:\MailStore\acme`. */
  readonly baseDirectory?: string;
  /** `automatic` or `manual`. */
  readonly startMode?: "automatic" | "manual";
  /**
   * Whether it should be running, stopped or frozen (running, but answering no call inside it:
   * FreezeInstances).
   */
  readonly status?: "running" | "stopped" | "frozen";
  /** Debug logging. */
  readonly debugLogEnabled?: boolean;
  /** IMAP server connection logging. */
  readonly imapServerConnectionLogEnabled?: boolean;
  /** The VSS writer. */
  readonly vssWriterEnabled?: boolean;
  /** The VSS writer leaves the indexes out. */
  readonly vssWriterExcludeIndexes?: boolean;
  /**
   * Service provider access ($archiveadmin; GetArchiveAdminEnabled). Without it the server answers
   * no user, job, profile or configuration call for the instance: apply turns it on first and off
   * last.
   */
  readonly archiveAdminEnabled?: boolean;
}

/**
 * One user. `userName` is the key (compared without regard to case); the other fields left out
 * are not managed. `initialPassword` is used only when the user is created.
 *
 * @example
 * ```ts
 * import type { UserSettings } from "@mspe/mspe";
 * const user: UserSettings = {
 *   userName: "jdoe",
 *   fullName: "Jane Doe",
 *   emailAddresses: ["jane.doe@acme.example"],
 *   privileges: ["login", "archive"],
 *   initialPassword: { env: "MSPE_SECRET_JDOE" },
 * };
 * console.log(user.userName);
 * ```
 */
export interface UserSettings {
  /** The user name (the key). */
  readonly userName: string;
  /**
   * The user's name before a rename: a user of this name (and none of `userName`) is renamed
   * (RenameUser) instead of a new one created. Kept after the rename, it does nothing.
   */
  readonly renamedFrom?: string;
  /** The display name; `null` for none. */
  readonly fullName?: string | null;
  /** The e-mail addresses, the primary first. */
  readonly emailAddresses?: readonly string[];
  /** The LDAP distinguished name; `null` for none. */
  readonly distinguishedName?: string | null;
  /** `integrated` (a MailStore password) or `directoryServices`. */
  readonly authentication?: "integrated" | "directoryServices";
  /** How the user may log in: `windows`, `web`, `outlook`, `windowsCmd`, `imap`, `api`; `[]` for none. */
  readonly loginPrivileges?: readonly string[];
  /** The global privileges: `admin`, `login`, `changePassword`, `archive`, ...; `[]` for none. */
  readonly privileges?: readonly string[];
  /**
   * The user's privileges on archive folders (top-level folders, the user archives), by folder:
   * `read`, `write`, `delete`; `[]` for none. When given, it is the whole list: a folder not named
   * gets no privileges.
   */
  readonly folderPrivileges?: { readonly [folder: string]: readonly string[] };
  /** The password to create the user with; never read back, never compared, never shown. */
  readonly initialPassword?: SecretSource;
}

/**
 * The users of an instance: a list, or a CSV file (one row per user, the columns named as the
 * fields of {@linkcode UserSettings}; lists separated by `;`, or by `,` inside quotes), with
 * `prune: true` to delete the users the file does not list.
 *
 * @example
 * ```ts
 * import type { UsersBlock } from "@mspe/mspe";
 * const fromCsv: UsersBlock = { from: "acme-users.csv", prune: true };
 * console.log(fromCsv.from);
 * ```
 */
export type UsersBlock =
  | readonly UserSettings[]
  | {
    /** A CSV file, relative to the state file. */
    readonly from?: string;
    /** Users listed in the state file (with `from`: in addition to the CSV's). */
    readonly list?: readonly UserSettings[];
    /** Delete the users not listed (never `$archiveadmin`); apply asks first. */
    readonly prune?: boolean;
  };

/**
 * When a job runs: `time` (daily; with `date` once, with `dayOfWeek` weekly, with `dayOfMonth`
 * monthly) or `interval` (every n minutes), in the time zone `timeZoneId` (default `$Local`, the
 * server's own), as GetJobs reports it.
 *
 * @example
 * ```ts
 * import type { JobSchedule } from "@mspe/mspe";
 * const nightly: JobSchedule = { timeZoneId: "$Local", time: "02:00:00" };
 * console.log(nightly.time);
 * ```
 */
export interface JobSchedule {
  /** The time zone (GetTimeZones), default `$Local`. */
  readonly timeZoneId?: string;
  /** A one-off run's date, `YYYY-MM-DD`. */
  readonly date?: string;
  /** Every this many minutes: 5, 10, 15, 20, 30, 60, 120, 180, 240, 360 or 720. */
  readonly interval?: number;
  /** The time of day, `hh:mm:ss`. */
  readonly time?: string;
  /** Weekly on this day: `Sunday` ... `Saturday`. */
  readonly dayOfWeek?: string;
  /** Monthly on this day: `1` ... `31`, or `Last`. */
  readonly dayOfMonth?: string;
}

/**
 * One job. `name` is the key (compared without regard to case); the server cannot change a
 * job's action, so a different action is a new job under another name.
 *
 * @example
 * ```ts
 * import type { JobSettings } from "@mspe/mspe";
 * const job: JobSettings = {
 *   name: "Nightly verify",
 *   action: "VerifyStores",
 *   schedule: { time: "02:00:00" },
 *   enabled: true,
 * };
 * console.log(job.name);
 * ```
 */
export interface JobSettings {
  /** The job's name (the key). */
  readonly name: string;
  /** The job's name before a rename (RenameJob), as for a user. */
  readonly renamedFrom?: string;
  /** What it runs (a management API command line); needed to create the job. */
  readonly action?: string;
  /** When it runs; needed to create the job. */
  readonly schedule?: JobSchedule;
  /** Whether it runs on its schedule. */
  readonly enabled?: boolean;
}

/**
 * A block of named resources: a list, or `{ list, prune: true }` to delete (for stores: detach)
 * the ones the file does not list; apply asks first.
 *
 * @example
 * ```ts
 * import type { ListBlock, JobSettings } from "@mspe/mspe";
 * const jobs: ListBlock<JobSettings> = { list: [{ name: "Nightly verify" }], prune: true };
 * console.log(jobs);
 * ```
 */
export type ListBlock<T> =
  | readonly T[]
  | {
    /** The resources. */
    readonly list?: readonly T[];
    /** Delete the ones not listed; apply asks first. */
    readonly prune?: boolean;
  };

/** The jobs of an instance: a list, or `{ list, prune: true }` to delete the others. */
export type JobsBlock = ListBlock<JobSettings>;

/**
 * One archive store. `name` is the key (compared without regard to case). The paths are used to
 * create the store; the server moves no data, so a different path of an existing store is refused.
 *
 * @example
 * ```ts
 * import type { StoreSettings } from "@mspe/mspe";
 * const store: StoreSettings = {
 *   name: "Archive 2027",
 *   databasePath: "E:\\MailStore\\acme\\Archive 2027",
 *   requestedState: "current",
 * };
 * console.log(store.name);
 * ```
 */
export interface StoreSettings {
  /** The store's name (the key). */
  readonly name: string;
  /** The store's name before a rename (RenameStore), as for a user. */
  readonly renamedFrom?: string;
  /** Where its database lives; needed to create the store. */
  readonly databasePath?: string;
  /** Where its messages live (default: the database path's `Content` folder). */
  readonly contentPath?: string;
  /** Where its search indexes live (default: the database path). */
  readonly indexPath?: string;
  /** `current` (new messages go here; one store), `normal`, `writeProtected` or `disabled`. */
  readonly requestedState?: "current" | "normal" | "writeProtected" | "disabled";
}

/**
 * The archive stores of an instance: a list, or `{ list, prune: true }` to detach the stores the
 * file does not list (their files stay on disk; the current store is never detached).
 */
export type StoresBlock = ListBlock<StoreSettings>;

/**
 * Whether an archiving profile runs on the server by itself (SetProfileServerSideExecution).
 *
 * @example
 * ```ts
 * import type { ServerSideExecution } from "@mspe/mspe";
 * const everySixHours: ServerSideExecution = {
 *   automatic: true,
 *   automaticPauseBetweenExecutions: 21600,
 *   automaticMaintenanceWindows: "22:00-06:00",
 * };
 * console.log(everySixHours.automatic);
 * ```
 */
export interface ServerSideExecution {
  /** Run automatically. */
  readonly automatic: boolean;
  /** Seconds between two runs; needed when `automatic` is true. */
  readonly automaticPauseBetweenExecutions?: number | null;
  /** When not to run, `hh:mm-hh:mm` (several separated by `,`); `null` for none. */
  readonly automaticMaintenanceWindows?: string | null;
}

/**
 * One archiving profile, by its `owner` and `name` (compared without regard to case). Profiles are
 * made in MailStore (they hold the mailbox credentials); the file manages how they run on the
 * server.
 *
 * @example
 * ```ts
 * import type { ProfileSettings } from "@mspe/mspe";
 * const profile: ProfileSettings = {
 *   name: "Exchange mailboxes",
 *   serverSideExecution: { automatic: true, automaticPauseBetweenExecutions: 21600 },
 * };
 * console.log(profile.name);
 * ```
 */
export interface ProfileSettings {
  /** The profile's name (the key, with `owner`). */
  readonly name: string;
  /** The user it belongs to (default `$archiveadmin`, the service provider's profiles). */
  readonly owner?: string;
  /** Whether and when it runs on the server. */
  readonly serverSideExecution?: ServerSideExecution;
}

/**
 * A configuration object of one kind, as its Get function returns it (the fields given are
 * compared and set; the others stay as they are). A `password` (directory services, SMTP) is a
 * {@linkcode SecretSource}: the server never sends it back, so it is sent with the other changes
 * of the object and never compared.
 */
export type ConfigObject = { readonly [field: string]: unknown };

/**
 * The configuration kinds besides the instance and its users, by their key in the file, each with
 * its Get and Set function, the Set function's argument, and whether it holds a password.
 */
export const CONFIG_KINDS = {
  compliance: {
    get: "GetComplianceConfiguration",
    set: "SetComplianceConfiguration",
    arg: "config",
  },
  directoryServices: {
    get: "GetDirectoryServicesConfiguration",
    set: "SetDirectoryServicesConfiguration",
    arg: "config",
    password: true,
  },
  retentionPolicies: { get: "GetRetentionPolicies", set: "SetRetentionPolicies", arg: "config" },
  smtpSettings: { get: "GetSmtpSettings", set: "SetSmtpSettings", arg: "settings", password: true },
  indexConfiguration: { get: "GetIndexConfiguration", set: "SetIndexConfiguration", arg: "config" },
  storeAutoCreate: {
    get: "GetStoreAutoCreateConfiguration",
    set: "SetStoreAutoCreateConfiguration",
    arg: "config",
  },
} as const;

/** The key of one configuration kind in the file. */
export type ConfigKind = keyof typeof CONFIG_KINDS;

/**
 * What the file says about one instance (and what `defaults` says about every one).
 *
 * @example
 * ```ts
 * import type { TenantSpec } from "@mspe/mspe";
 * const tenant: TenantSpec = {
 *   instance: { displayName: "Acme Ltd", status: "running" },
 *   users: { from: "acme-users.csv" },
 *   compliance: { legalHoldEnabled: false },
 * };
 * console.log(tenant.instance?.displayName);
 * ```
 */
export interface TenantSpec {
  /** The instance itself. */
  readonly instance?: InstanceSettings;
  /** Its users. */
  readonly users?: UsersBlock;
  /** Its jobs. */
  readonly jobs?: JobsBlock;
  /** GetComplianceConfiguration's fields. */
  readonly compliance?: ConfigObject;
  /** GetDirectoryServicesConfiguration's fields; `password` only as a secret source. */
  readonly directoryServices?: ConfigObject;
  /** GetRetentionPolicies' fields (`policies`). */
  readonly retentionPolicies?: ConfigObject;
  /** GetSmtpSettings' fields; `password` only as a secret source. */
  readonly smtpSettings?: ConfigObject;
  /** GetIndexConfiguration's fields. */
  readonly indexConfiguration?: ConfigObject;
  /** GetStoreAutoCreateConfiguration's fields. */
  readonly storeAutoCreate?: ConfigObject;
  /** Its archive stores. */
  readonly stores?: StoresBlock;
  /** Its archiving profiles' server-side execution. */
  readonly profiles?: readonly ProfileSettings[];
  /**
   * Delete (detach, for stores) the users, jobs and stores the file does not list, for every
   * block of this instance that does not say `prune: false` itself; apply asks first.
   */
  readonly prune?: boolean;
}

/**
 * A whole desired-state file: `defaults` for every instance, then the instances by ID; an
 * instance's blocks replace those of `defaults` field by field (users: the instance's list
 * replaces the default list as a whole).
 *
 * @example
 * ```ts
 * import type { StateFile } from "@mspe/mspe";
 * const file: StateFile = {
 *   version: 1,
 *   defaults: { instance: { startMode: "automatic", status: "running" } },
 *   instances: { acme: { instance: { displayName: "Acme Ltd" } } },
 * };
 * console.log(Object.keys(file.instances));
 * ```
 */
export interface StateFile {
  /** The format version: 1. */
  readonly version: 1;
  /** What applies to every instance of the file, unless the instance says otherwise. */
  readonly defaults?: TenantSpec;
  /** The instances by ID. */
  readonly instances: { readonly [instanceID: string]: TenantSpec };
  /**
   * Delete the server's instances that the file does not list (within the instances selected);
   * apply stops them first and asks before, naming each. Their archives are gone for good.
   */
  readonly prune?: boolean;
}

/**
 * One instance after `defaults` and CSV files are applied: what {@linkcode planState} compares.
 */
export interface DesiredTenant {
  /** The instance ID. */
  readonly instanceID: string;
  /** The instance itself, if managed. */
  readonly instance?: InstanceSettings | undefined;
  /** The users, if managed. */
  readonly users?: { readonly list: readonly UserSettings[]; readonly prune: boolean } | undefined;
  /** The jobs, if managed. */
  readonly jobs?: { readonly list: readonly JobSettings[]; readonly prune: boolean } | undefined;
  /** The archive stores, if managed. */
  readonly stores?:
    | { readonly list: readonly StoreSettings[]; readonly prune: boolean }
    | undefined;
  /** The profiles whose server-side execution is managed. */
  readonly profiles?: readonly ProfileSettings[] | undefined;
  /** The configuration kinds that are managed (without their passwords). */
  readonly config: { readonly [K in ConfigKind]?: ConfigObject };
  /** Where the passwords of configuration kinds come from, by kind. */
  readonly configSecrets?: { readonly [K in ConfigKind]?: SecretSource } | undefined;
}

/**
 * A desired-state file, read and resolved (see {@linkcode parseStateFile}).
 *
 * @example
 * ```ts
 * import type { DesiredState } from "@mspe/mspe";
 * const state: DesiredState = { tenants: [{ instanceID: "acme", config: {} }] };
 * console.log(state.tenants.length);
 * ```
 */
export interface DesiredState {
  /** Every instance of the file, in its order. */
  readonly tenants: readonly DesiredTenant[];
  /** Delete the server's instances the file does not list (the file's `prune: true`). */
  readonly pruneInstances?: boolean | undefined;
}
