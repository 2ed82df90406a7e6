/**
 * The shape of a desired-state file ("tenants as code"): what `mspe-run export` writes and what
 * `mspe-run plan` and `mspe-run apply` read, in JSON (see `state.schema.json`) or YAML.
 *
 * @module
 */

/**
 * Where a secret comes from: never the file itself, so that the file can be kept in version
 * control. `file` is read as text (one trailing line break dropped); `env` names an environment
 * variable (`mspe-run` may read only those that start with `MSPE_SECRET_`); `prompt` asks on the
 * terminal.
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
  /** Whether it should be running or stopped. */
  readonly status?: "running" | "stopped";
  /** Debug logging. */
  readonly debugLogEnabled?: boolean;
  /** IMAP server connection logging. */
  readonly imapServerConnectionLogEnabled?: boolean;
  /** The VSS writer. */
  readonly vssWriterEnabled?: boolean;
  /** The VSS writer leaves the indexes out. */
  readonly vssWriterExcludeIndexes?: boolean;
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
  /** What it runs (a management API command line); needed to create the job. */
  readonly action?: string;
  /** When it runs; needed to create the job. */
  readonly schedule?: JobSchedule;
  /** Whether it runs on its schedule. */
  readonly enabled?: boolean;
}

/**
 * The jobs of an instance: a list, or `{ list, prune: true }` to delete the jobs the file does not
 * list.
 */
export type JobsBlock =
  | readonly JobSettings[]
  | {
    /** The jobs. */
    readonly list?: readonly JobSettings[];
    /** Delete the jobs not listed; apply asks first. */
    readonly prune?: boolean;
  };

/**
 * A configuration object of one kind, as its Get function returns it (the fields given are
 * compared and set; the others stay as they are). Passwords are not part of it: they cannot be
 * read back to compare.
 */
export type ConfigObject = { readonly [field: string]: unknown };

/**
 * The configuration kinds besides the instance and its users, by their key in the file, each with
 * its Get and Set function.
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
  },
  retentionPolicies: { get: "GetRetentionPolicies", set: "SetRetentionPolicies", arg: "config" },
  smtpSettings: { get: "GetSmtpSettings", set: "SetSmtpSettings", arg: "settings" },
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
  /** GetDirectoryServicesConfiguration's fields (no password). */
  readonly directoryServices?: ConfigObject;
  /** GetRetentionPolicies' fields (`policies`). */
  readonly retentionPolicies?: ConfigObject;
  /** GetSmtpSettings' fields (no password). */
  readonly smtpSettings?: ConfigObject;
  /** GetIndexConfiguration's fields. */
  readonly indexConfiguration?: ConfigObject;
  /** GetStoreAutoCreateConfiguration's fields. */
  readonly storeAutoCreate?: ConfigObject;
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
  /** The configuration kinds that are managed. */
  readonly config: { readonly [K in ConfigKind]?: ConfigObject };
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
}
