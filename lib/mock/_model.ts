/**
 * The records the simulated server is made of (instances, instance hosts, users, stores, scheduled
 * jobs, system administrators): types only. Every other module of the simulator imports them from
 * here, so that the state (`_state.ts`) depends on the generators of its parts (`_history.ts`,
 * `_instance_data.ts`, `_system_state.ts`) and not the other way round.
 *
 * @module
 */

/** How many problems the seeded SPE has (see `MockOptions.problems`). */
export type ProblemLevel = "none" | "some" | "many";

/** An instance status. The real server was only seen to say `running`; the others are our choice. */
export type InstanceStatus = "running" | "stopped" | "frozen";

/** An SPE instance host. */
export interface MockInstanceHost {
  /** Host name. */
  serverName: string;
  /** Port of the instance host service. */
  port: number;
  /** SHA-1 thumbprint of its certificate. */
  thumbprint: string;
  /** Base directory for new instances, or null. */
  baseDirectory: string | null;
}

/** An SPE instance. Change fields directly in tests (for example `serviceProviderAccess = false`). */
export interface MockInstance {
  /** The instance ID. */
  instanceID: string;
  /** Short alias. */
  alias: string;
  /** Display name. */
  displayName: string;
  /** The instance host's server name. */
  instanceHost: string;
  /** `automatic` or `manual`. */
  startMode: string;
  /** Process ID while running, else null. */
  processID: number | null;
  /** `running`, `stopped` or `frozen`. */
  status: InstanceStatus;
  /** The last start/stop error, or null. */
  startStopError: string | null;
  /** Whether service provider access is enabled (what Get/SetArchiveAdminEnabled read and write). */
  serviceProviderAccess: boolean;
  /** Base directory of the instance. */
  baseDirectory: string;
  /** Debug log flag of the configuration. */
  debugLogEnabled: boolean;
  /** IMAP server connection log flag (SetInstanceConfiguration; default false). */
  imapServerConnectionLogEnabled?: boolean;
  /** VSS writer flag (SetInstanceConfiguration; default true). */
  vssWriterEnabled?: boolean;
  /** Whether the VSS writer leaves out the indexes (SetInstanceConfiguration; default false). */
  vssWriterExcludeIndexes?: boolean;
  /** Position in the seeded list, used to seed its content. */
  readonly seedIndex: number;
}

/** A user of an instance. */
export interface MockUser {
  /** User name (unique per instance, compared case-insensitively). */
  userName: string;
  /** Full name or null. */
  fullName: string | null;
  /** LDAP distinguished name or null. */
  distinguishedName: string | null;
  /** `integrated` or `directoryServices`. */
  authentication: string;
  /** MFA status (`Disabled`, `Pending`, `Active`). */
  mfaStatus: string;
  /** E-mail addresses. */
  emailAddresses: string[];
  /** POP3 user names. */
  pop3UserNames: string[];
  /** Privileges (`admin`, `login`, ...). */
  privileges: string[];
  /** Login privileges (`windows`, `web`, ...). */
  loginPrivileges: string[];
  /** Folder -> privileges. */
  privilegesOnFolders: Map<string, string[]>;
  /** The password set through the API, or null. Never sent in any reply. */
  password: string | null;
  /** App passwords the user made in the web client (DeleteAppPasswords removes them); 0 if absent. */
  appPasswords?: number;
}

/** An archive store. */
export interface MockStore {
  /** Store ID (number, unique per instance). */
  id: number;
  /** Store name. */
  name: string;
  /** `current`, `normal`, `writeProtected` or `disabled`. */
  requestedState: string;
  /** Error text or null. */
  error: string | null;
  /** Number of messages. */
  statisticsCount: number;
  /** Size in bytes. */
  statisticsSize: number;
  /** Whether the store needs an upgrade. */
  needsUpgrade: boolean;
  /** Whether its search indexes need a rebuild. */
  searchIndexesNeedRebuild: boolean;
  /** Database path. */
  databasePath: string;
  /** Content path. */
  contentPath: string;
  /** Index path. */
  indexPath: string;
}

/** A scheduled job of an instance (GetJobs). */
export interface MockJob {
  /** Job ID. */
  id: number;
  /** Job name. */
  name: string;
  /** The action it runs. */
  action: string;
  /** Owner. */
  owner: string;
  /** Creation time (UTC, no zone suffix). */
  creationDateTimeUtc: string;
  /** Whether it is enabled. */
  enabled: boolean;
  /** Schedule. */
  /**
   * Schedule (GetJobs): `timeZoneId` and what CreateJob/SetJobSchedule set: `date` (once),
   * `interval` (minutes), `time`, `dayOfWeek` (weekly), `dayOfMonth` (monthly).
   */
  schedule: {
    timeZoneId: string;
    date?: string;
    interval?: number;
    time?: string;
    dayOfWeek?: string;
    dayOfMonth?: string;
  };
}

/** A system administrator of the SPE. */
export interface MockSystemAdministrator {
  /** User name. */
  userName: string;
  /** Full name or null. */
  fullName: string | null;
  /** E-mail address or null. */
  emailAddress: string | null;
  /** MFA status. */
  mfaStatus: string;
  /** Password (for authentication); never sent in any reply. */
  password: string;
}
