/**
 * The archive content and settings of an instance beyond its users, stores and jobs: folders and
 * messages, detached and locked stores, search index marks, and the configuration objects (store
 * auto-create, index, compliance, directory services, retention, SMTP, credentials), plus what the
 * functions that talk to the outside world would have done.
 *
 * Everything here is plain data (objects, arrays, Map, Set, primitives) so that a generic codec can
 * save it. It is generated with the rest of an instance's content, from the state's seed.
 *
 * @module
 */

import type { MockStore, MockUser } from "./_model.ts";

/** A folder of the archive. Paths use `/`; the first segment is a user archive (`jdoe/Inbox`). */
export interface MockFolder {
  /** The full path. */
  path: string;
  /** Messages directly in this folder. */
  count: number;
  /** Their size in bytes. */
  size: number;
  /** A stable number, the seed of its messages (kept when the folder moves). */
  seq: number;
}

/** An archived message (what MailStore Server's GetMessages lists). */
export interface MockMessage {
  /** `<storeId>:<messageNumber>`, what DeleteMessage takes. */
  id: string;
  /** The store it is in. */
  storeId: number;
  /** The folder path. */
  folder: string;
  /** Subject. */
  subject: string;
  /** Sender address. */
  from: string;
  /** Date (local, no zone suffix, as the API writes times). */
  date: string;
  /** Size in bytes. */
  size: number;
}

/** A user as the simulated directory service knows it (what SyncUsersWithDirectoryServices reads). */
export interface MockDirectoryUser {
  /** User name. */
  userName: string;
  /** Full name. */
  fullName: string | null;
  /** Distinguished name. */
  distinguishedName: string;
  /** E-mail addresses. */
  emailAddresses: string[];
}

/** What the last SyncUsersWithDirectoryServices found (and, unless a dry run, did). */
export interface MockDirectorySync {
  /** Whether it was a dry run (nothing changed). */
  dryRun: boolean;
  /** Users created. */
  added: string[];
  /** Users whose name, DN or addresses changed. */
  updated: string[];
  /** Users deleted (only with `deleteUsers` in the configuration). */
  deleted: string[];
}

/** A test message TestSmtpSettings would have sent. */
export interface MockSmtpTest {
  /** SMTP server. */
  serverName: string;
  /** Its port. */
  port: number;
  /** Sender. */
  from: string;
  /** Recipient. */
  to: string;
  /** When (UTC, no zone suffix). */
  sentUtc: string;
}

/** A message deleted through DeleteMessage, as an audit record. */
export interface MockDeletedMessage {
  /** The message ID. */
  id: string;
  /** Its folder. */
  folder: string;
  /** The reason given. */
  reason: string;
  /** Who deleted it. */
  deletedBy: string;
}

/** The SQL side of a MailStore Server store (CreateStore, AttachStore, SetStoreProperties). */
export interface MockStoreProperties {
  /** `FileSystemInternal`, `SQLServer` or `PostgreSQL`. */
  type: string;
  /** Database name (SQL stores). */
  databaseName: string | null;
  /** Database server (SQL stores). */
  serverName: string | null;
  /** Database user (SQL stores). */
  userName: string | null;
  /** Database password; never sent in any reply. */
  password: string | null;
}

/** The per-instance data of this module. Change fields directly in tests. */
export interface MockInstanceData {
  /** Folders by lower-case path. */
  folders: Map<string, MockFolder>;
  /** The next folder `seq`. */
  nextFolderSeq: number;
  /** Messages by lower-case folder path, made on first use (at most 20 per folder). */
  messages: Map<string, MockMessage[]>;
  /** Messages deleted through DeleteMessage. */
  deletedMessages: MockDeletedMessage[];
  /** Stores detached with DetachStore (AttachStore of the same database path brings one back). */
  detachedStores: MockStore[];
  /** IDs of stores from a foreign installation that need UnlockStore. */
  lockedStores: Set<number>;
  /** Store type and SQL connection by store ID (MailStore Server). */
  storeProperties: Map<number, MockStoreProperties>;
  /** Get/SetStoreAutoCreateConfiguration. */
  storeAutoCreate: Record<string, unknown>;
  /** Get/SetIndexConfiguration (SPE). */
  indexConfiguration: Record<string, unknown>;
  /** Per store ID, the user archives whose index RebuildStoreIndex rebuilt since the store was marked. */
  rebuiltIndexes: Map<number, Set<string>>;
  /** Get/SetComplianceConfiguration. */
  compliance: Record<string, unknown>;
  /** Get/SetDirectoryServicesConfiguration, with `password` always null. */
  directoryServices: Record<string, unknown>;
  /** The directory services password set through the API; never sent in any reply. */
  directoryServicesPassword: string | null;
  /** What the simulated directory service holds. */
  directory: MockDirectoryUser[];
  /** The last directory synchronisation, or null. */
  lastDirectorySync: MockDirectorySync | null;
  /** Get/SetRetentionPolicies. */
  retentionPolicies: Record<string, unknown>;
  /** Messages deleted by the last ProcessRetentionPolicies, or null if it never ran. */
  lastRetentionDeleted: number | null;
  /** Get/SetSmtpSettings, with `password` always null. */
  smtpSettings: Record<string, unknown>;
  /** The SMTP password set through the API; never sent in any reply. */
  smtpPassword: string | null;
  /** The test messages TestSmtpSettings would have sent. */
  smtpTests: MockSmtpTest[];
  /** GetCredentials (PascalCase, as the server writes them). */
  credentials: Record<string, unknown>[];
  /** How often MaintainFileSystemDatabases ran. */
  fileSystemMaintenanceRuns: number;
}

const SUBJECTS = [
  "Quarterly report",
  "Invoice",
  "Meeting minutes",
  "Re: Project plan",
  "Contract draft",
  "Holiday schedule",
  "Fw: Customer feedback",
  "Order confirmation",
  "Budget review",
  "Welcome aboard",
];

/** Most messages a folder's list holds (GetMessages, retention); the folder's count stays exact. */
export const MESSAGES_PER_FOLDER = 20;

/** A string hash (FNV-1a), to seed per-folder content independent of the order of access. */
export function hashString(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  }
  return h >>> 0;
}

function addFolder(data: MockInstanceData, path: string, count: number, size: number): void {
  data.folders.set(path.toLowerCase(), { path, count, size, seq: data.nextFolderSeq++ });
}

/** Generates the data of an instance whose users and stores were just generated. */
export function generateInstanceData(
  random: () => number,
  instanceID: string,
  baseDirectory: string,
  users: Iterable<MockUser>,
  stores: readonly MockStore[],
): MockInstanceData {
  const domain = instanceID === "" ? "example.com" : `${instanceID}.example.com`;
  const dc = instanceID === "" ? "example" : instanceID;
  const data: MockInstanceData = {
    folders: new Map(),
    nextFolderSeq: 1,
    messages: new Map(),
    deletedMessages: [],
    detachedStores: [],
    lockedStores: new Set(),
    storeProperties: new Map(),
    storeAutoCreate: {
      enabled: true,
      maximumNumberOfMessages: 5_000_000,
      baseDirectory: `${baseDirectory}\\Data`,
    },
    indexConfiguration: { attachmentExtensions: null, includeAttachmentsOfPDFs: false },
    rebuiltIndexes: new Map(),
    compliance: {
      legalHoldEnabled: false,
      logSuccessfulUserActivities: ["SessionLogin", "SessionLogout", "UserAdd", "UserDelete"],
    },
    directoryServices: {
      type: "activeDirectory",
      serverName: `dc01.${dc}.local`,
      protocol: "LDAP",
      authenticationType: "standardAuthentication",
      userName: `svc-mailstore@${dc}.local`,
      password: null,
      baseDN: `OU=Users,DC=${dc},DC=local`,
      microsoftExchangeUsersOnly: false,
      enabledUsersOnly: true,
      usersVisibleInAddressListsOnly: false,
      groups: ["MailStore Archive"],
      userNameFormat: "samAccountName",
      authenticationProtocol: "networkAuthentication",
      openIdDiscoveryUrl: null,
      openIdClientID: null,
      openIdRedirectUrl: null,
      openIdForceAdfsLogin: false,
      deleteUsers: true,
    },
    directoryServicesPassword: null,
    directory: [],
    lastDirectorySync: null,
    retentionPolicies: {
      policies: [{
        name: "Delete after 10 years",
        enabled: true,
        retentionPeriod: 10,
        retentionPeriodUnit: "years",
        folders: [],
      }],
    },
    lastRetentionDeleted: null,
    smtpSettings: {
      serverName: `smtp.${domain}`,
      port: 587,
      protocol: "SMTP-TLS",
      ignoreSslPolicyErrors: false,
      authenticationRequired: true,
      userName: `mailstore@${domain}`,
      password: null,
      fromEmailAddress: `mailstore@${domain}`,
      fromDisplayName: "MailStore",
      recipientEmailAddress: `admin@${domain}`,
    },
    smtpPassword: null,
    smtpTests: [],
    credentials: [{
      ID: 1,
      Type: "Office365_Modern",
      Description: "Microsoft 365",
      Settings: {
        ApplicationId: guid(random),
        TenantId: guid(random),
        CertificateThumbprint: hex(random, 40),
        CertificateExpirationDate: "2027-07-15T10:58:01Z",
      },
    }],
    fileSystemMaintenanceRuns: 0,
  };
  // Folders: each user archive with its usual subfolders, sharing the stores' messages.
  const total = stores.reduce((sum, store) => sum + store.statisticsCount, 0);
  const bytes = stores.reduce((sum, store) => sum + store.statisticsSize, 0);
  const average = total === 0 ? 60_000 : bytes / total;
  const leaves: { path: string; weight: number }[] = [];
  let seenDirectoryUser = false;
  for (const user of users) {
    if (user.userName === "$archiveadmin") continue;
    // Users who set up MFA made an app password for their mail client.
    if (user.mfaStatus === "Active") user.appPasswords = 1;
    leaves.push({ path: `${user.userName}/Inbox`, weight: 2 + random() * 6 });
    leaves.push({ path: `${user.userName}/Sent Items`, weight: 1 + random() * 3 });
    leaves.push({ path: `${user.userName}/Deleted Items`, weight: random() < 0.3 ? 0 : random() });
    if (random() < 0.4) leaves.push({ path: `${user.userName}/Inbox/Projects`, weight: random() });
    if (user.authentication === "directoryServices" && user.distinguishedName !== null) {
      // The directory knows every directory user; the first one has left the company since.
      if (!seenDirectoryUser) {
        seenDirectoryUser = true;
        continue;
      }
      // The directory has one alias the archive does not know yet (a sync updates that user).
      const alias = data.directory.length === 0 ? [`${user.userName}.alias@${domain}`] : [];
      data.directory.push({
        userName: user.userName,
        fullName: user.fullName,
        distinguishedName: user.distinguishedName,
        emailAddresses: [...user.emailAddresses, ...alias],
      });
    }
  }
  for (const [i, userName] of ["new.hire", "new.trainee"].entries()) {
    const fullName = i === 0 ? "New Hire" : "New Trainee";
    data.directory.push({
      userName,
      fullName,
      distinguishedName: `CN=${fullName},OU=Users,DC=${dc},DC=local`,
      emailAddresses: [`${userName}@${domain}`],
    });
  }
  const weights = leaves.reduce((sum, leaf) => sum + leaf.weight, 0);
  // The folders share out exactly what the stores hold (the last leaf takes what rounding left),
  // so that GetFolderStatistics' user totals add up to GetStores and GetInstanceStatistics.
  let countLeft = total;
  let bytesLeft = bytes;
  for (const [i, leaf] of leaves.entries()) {
    const top = leaf.path.slice(0, leaf.path.indexOf("/"));
    if (!data.folders.has(top.toLowerCase())) addFolder(data, top, 0, 0);
    const parent = leaf.path.slice(0, leaf.path.lastIndexOf("/"));
    if (!data.folders.has(parent.toLowerCase())) addFolder(data, parent, 0, 0);
    const last = i === leaves.length - 1;
    const count = last
      ? countLeft
      : Math.min(countLeft, weights === 0 ? 0 : Math.floor((total * leaf.weight) / weights));
    const size = last ? bytesLeft : Math.min(bytesLeft, Math.round(count * average));
    countLeft -= count;
    bytesLeft -= size;
    addFolder(data, leaf.path, count, size);
  }
  return data;
}

function hex(random: () => number, length: number): string {
  let text = "";
  for (let i = 0; i < length; i++) text += "0123456789ABCDEF"[Math.floor(random() * 16)];
  return text;
}

function guid(random: () => number): string {
  const text = hex(random, 32).toLowerCase();
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${
    text.slice(20)
  }`;
}

/**
 * The messages of a folder, made on first use from the folder's `seq`: at most
 * {@linkcode MESSAGES_PER_FOLDER}, dated between 2018 and 2025, in the instance's stores.
 */
export function folderMessages(
  data: MockInstanceData,
  folder: MockFolder,
  stores: readonly MockStore[],
  seed: number,
): MockMessage[] {
  const key = folder.path.toLowerCase();
  let messages = data.messages.get(key);
  if (messages === undefined) {
    messages = [];
    let state = (seed ^ Math.imul(folder.seq, 2654435761)) >>> 0;
    const random = (): number => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = Math.imul(state ^ (state >>> 15), state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const count = Math.min(folder.count, MESSAGES_PER_FOLDER);
    for (let i = 0; i < count && stores.length > 0; i++) {
      const store = stores[Math.floor(random() * stores.length)]!;
      const day = Math.floor(random() * 8 * 365);
      const date = new Date(
        Date.UTC(2018, 0, 1) + day * 86_400_000 + Math.floor(random() * 86_400) * 1000,
      );
      messages.push({
        id: `${store.id}:${folder.seq * 1000 + i + 1}`,
        storeId: store.id,
        folder: folder.path,
        subject: SUBJECTS[Math.floor(random() * SUBJECTS.length)]!,
        from: `sender${Math.floor(random() * 90) + 10}@partner.example.net`,
        date: date.toISOString().slice(0, 19),
        size: 20_000 + Math.floor(random() * 180_000),
      });
    }
    data.messages.set(key, messages);
  }
  return messages;
}

/** The user archives: the folders at the top of the tree. */
export function userArchives(data: MockInstanceData): MockFolder[] {
  const list: MockFolder[] = [];
  for (const folder of data.folders.values()) if (!folder.path.includes("/")) list.push(folder);
  return list;
}
