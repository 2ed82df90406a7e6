/**
 * A snapshot of a real SPE as a simulator state file: {@linkcode snapshotServer} reads a server
 * with read-only calls only and returns the text of a file that `mspe-run mock --state <file>`
 * serves, with the same instances, names, counts and shapes, and no secret.
 *
 * @module
 */

import type { Client } from "../client.ts";
import { ArgumentError } from "../errors.ts";
import { forEachInstance, type ForEachInstanceOptions } from "../fleet.ts";
import { invokeCall } from "../invoke_call.ts";
import { SPE_CATALOG } from "../_catalog/spe.ts";
import type { InstanceStatus, MockJob, MockStore, MockUser } from "./_model.ts";
import type { MockJobResult, MockProfile, MockWorkerResult } from "./_history.ts";
import type { MockFolder } from "./_instance_data.ts";
import type { SeedOptions } from "./_persist.ts";
import type { MockState } from "./_state.ts";

/**
 * The version of the `snapshot` section of a state file made by {@linkcode snapshotServer} (the
 * state itself is the simulator's state format, `mspe-mock-state` version 1).
 */
export const SNAPSHOT_VERSION = 1;

/** Days of worker and job results a snapshot holds. */
export const SNAPSHOT_HISTORY_DAYS = 30;

/**
 * What {@linkcode snapshotServer} reads and how.
 *
 * @example The instances of one customer, anonymised, 4 at a time
 * ```ts
 * import type { SnapshotOptions } from "@mspe/mspe/mock";
 * const options: SnapshotOptions = { instances: "acme*", anonymize: true, concurrency: 4 };
 * console.log(options.instances);
 * ```
 */
export interface SnapshotOptions
  extends Pick<ForEachInstanceOptions, "instances" | "concurrency" | "signal" | "onProgress"> {
  /**
   * Replace names, e-mail addresses, domains and paths, consistently: the same input gives the
   * same output, in the whole file and in every snapshot. Default false.
   */
  readonly anonymize?: boolean | undefined;
}

/** A function a snapshot could not read. */
export interface SnapshotGap {
  /** The function. */
  readonly function: string;
  /** The instance it was called for, or null for a system-wide function. */
  readonly instanceID: string | null;
  /** Why it could not be read (the server's message, secrets redacted by the client). */
  readonly error: string;
}

/**
 * What {@linkcode snapshotServer} made.
 *
 * @example Save it, and say what could not be read
 * ```ts ignore
 * import { newClient } from "@mspe/mspe";
 * import { snapshotServer } from "@mspe/mspe/mock";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const snapshot = await snapshotServer(client);
 * await Deno.writeTextFile("fleet.json", snapshot.text);
 * for (const gap of snapshot.unread) console.error(gap.instanceID, gap.function, gap.error);
 * ```
 */
export interface ServerSnapshot {
  /** The state file's text (JSON), for `mspe-run mock --state <file>`. */
  readonly text: string;
  /** Instances in the snapshot. */
  readonly instances: number;
  /** API calls made. */
  readonly calls: number;
  /** The functions that could not be read (also listed in the file's `snapshot.unread`). */
  readonly unread: readonly SnapshotGap[];
}

/** Field names whose values are secrets whatever the catalogue says. */
const SECRET_FIELD =
  /pass(word|phrase|wd)?|secret|token|(api|access|private|encryption|recovery|shared|signing)[-_ ]?key|^key$|keyvalue|certificate[-_ ]?(data|blob|pfx)|^pfx|credentialvalue/i;

/** Argument names the catalogue marks secret, lower-case: the same names in results are secrets. */
const MARKED_SECRET: ReadonlySet<string> = new Set(
  SPE_CATALOG.flatMap((fn) => fn.args.filter((arg) => arg.secret === true)).map((arg) =>
    arg.name.toLowerCase()
  ),
);

/**
 * Whether a field of a result holds a secret: a name the catalogue marks secret as an argument
 * (`password`, `encryptionKey`, ...) or one of the deny-list (passwords, API passwords, keys,
 * client secrets, tokens, credential values). A snapshot writes such fields as null.
 *
 * @example
 * ```ts
 * import { isSecretField } from "@mspe/mspe/mock";
 * console.log(isSecretField("ClientSecret"), isSecretField("userName")); // true false
 * ```
 */
export function isSecretField(name: string): boolean {
  return MARKED_SECRET.has(name.toLowerCase()) || SECRET_FIELD.test(name);
}

/** A deep copy of a JSON value with every secret field's value replaced by null. */
function scrub(value: unknown, depth = 0): unknown {
  if (depth > 32 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretField(key) ? null : scrub(inner, depth + 1);
  }
  return out;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function strOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function num(value: unknown, fallback = 0): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
}

/** A time the API wrote in UTC ("YYYY-MM-DDThh:mm:ss"), as epoch ms. */
function utc(value: unknown): number {
  const ms = Date.parse(`${str(value)}Z`);
  return Number.isFinite(ms) ? ms : 0;
}

function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** FNV-1a of a text, as 8 hex digits: the same input always gives the same name. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** Folder and path parts that say nothing about a customer: kept when anonymising. */
const KEPT_PARTS = new Set(
  [
    "inbox",
    "sent items",
    "deleted items",
    "drafts",
    "outbox",
    "junk e-mail",
    "archive",
    "data",
    "content",
    "mailstore",
    "mailstore spe",
    "$archiveadmin",
  ],
);

/**
 * Consistent replacements (the same input, the same output): names, e-mail addresses, domains,
 * paths. Every replacement is remembered, so that what is left in free text is replaced too.
 */
class Anonymizer {
  readonly seen = new Map<string, string>();
  /** One pattern of every original seen, longest first; made again after a new one. */
  #pattern: RegExp | null = null;

  constructor(readonly enabled: boolean) {}

  #keep(original: string, replaced: string): string {
    if (original.length >= 3 && original !== replaced && !this.seen.has(original)) {
      this.seen.set(original, replaced);
      this.#pattern = null;
    }
    return replaced;
  }

  name(value: string, prefix = "n"): string {
    if (!this.enabled || value === "" || KEPT_PARTS.has(value.toLowerCase())) return value;
    return this.#keep(value, `${prefix}-${hash(value.toLowerCase())}`);
  }

  nullableName(value: string | null, prefix = "n"): string | null {
    return value === null ? null : this.name(value, prefix);
  }

  user(value: string): string {
    return this.name(value, "user");
  }

  domain(value: string): string {
    if (!this.enabled || value === "") return value;
    return this.#keep(value, `d-${hash(value.toLowerCase())}.example`);
  }

  email(value: string): string {
    if (!this.enabled) return value;
    const at = value.lastIndexOf("@");
    if (at < 0) return this.name(value, "user");
    return this.#keep(
      value,
      `${this.user(value.slice(0, at))}@${this.domain(value.slice(at + 1))}`,
    );
  }

  host(value: string): string {
    if (!this.enabled || value === "") return value;
    return this.#keep(value, `host-${hash(value.toLowerCase())}.example`);
  }

  /** A Windows path: the drive or share start stays, every other part is replaced. */
  path(value: string): string {
    if (!this.enabled || value === "") return value;
    const start = /^([A-Za-z]:\\|\\\\)/.exec(value)?.[0] ?? "";
    const parts = value.slice(start.length).split("\\").map((part) =>
      part === "" || KEPT_PARTS.has(part.toLowerCase()) || /^\d{4}-\d\d$/.test(part)
        ? part
        : `p-${hash(part.toLowerCase())}`
    );
    return `${start}${parts.join("\\")}`;
  }

  /** An archive folder: the user archive (the first part) as a user, the others as names. */
  folder(value: string): string {
    if (!this.enabled) return value;
    const [top, ...rest] = value.split("/");
    return [this.user(top ?? ""), ...rest.map((part) => this.name(part, "f"))].join("/");
  }

  dn(value: string | null): string | null {
    if (!this.enabled || value === null) return value;
    return `CN=${this.name(value, "n")},DC=example,DC=local`;
  }

  /** Replaces, in free text, every whole word that was replaced elsewhere. */
  text(value: string): string {
    if (!this.enabled || value === "" || this.seen.size === 0) return value;
    // One pass with one pattern: a fleet has thousands of names and rows of free text.
    this.#pattern ??= new RegExp(
      [...this.seen.keys()].sort((a, b) => b.length - a.length).map((original) =>
        original.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
      ).join("|"),
      "g",
    );
    return value.replace(this.#pattern, (match) => this.seen.get(match) ?? match);
  }

  /** A deep copy of a JSON value with every string passed through {@linkcode text}. */
  deep(value: unknown, depth = 0): unknown {
    if (!this.enabled) return value;
    if (typeof value === "string") return this.text(value);
    if (depth > 32 || typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => this.deep(item, depth + 1));
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, this.deep(inner, depth + 1)]),
    );
  }
}

/** What was read of one instance (undefined: could not be read). */
interface InstanceRead {
  configuration?: Record<string, unknown>;
  archiveAdminEnabled?: boolean;
  users?: Record<string, unknown>[];
  stores?: Record<string, unknown>[];
  jobs?: Record<string, unknown>[];
  profiles?: Record<string, unknown>[];
  folders?: Record<string, unknown>[];
  compliance?: Record<string, unknown>;
  directoryServices?: Record<string, unknown>;
  retentionPolicies?: Record<string, unknown>;
  smtpSettings?: Record<string, unknown>;
  indexConfiguration?: Record<string, unknown>;
  storeAutoCreate?: Record<string, unknown>;
  credentials?: Record<string, unknown>[];
  workerResults?: Record<string, unknown>[];
  jobResults?: Record<string, unknown>[];
}

/**
 * Reads an SPE with read-only calls only and returns a simulator state file of it: the same
 * instances (configuration, status, service provider access), instance hosts, system
 * administrators, client access servers, system SMTP configuration, and per instance its users
 * (with their details and folder privileges), stores with their sizes, scheduled jobs, profiles,
 * folders with their sizes, compliance, directory services, retention, index, store auto-create
 * and SMTP configuration, credentials (their names and types), and the last 30 days of worker and
 * job results. `mspe-run mock --state <file>` serves it.
 *
 * No secret is written: fields the catalogue marks secret and fields with secret-like names
 * (passwords, API passwords, keys, client secrets, tokens, credential values) are written as null,
 * and the system administrators get passwords no one knows (the simulator lets in the user it is
 * started with). What could not be read (a stopped instance, a function the server refuses) is
 * listed in `unread` and in the file; the rest goes on.
 *
 * The file is the simulator's state format (`format: "mspe-mock-state"`, `version: 1`) with a
 * `snapshot` section: `version` ({@linkcode SNAPSHOT_VERSION}), `server`, `takenAt`,
 * `anonymized`, `calls` and `unread`.
 *
 * @param client An SPE client from {@linkcode newClient}.
 * @param options Which instances, anonymisation, the bound on instances read at once.
 * @returns The file's text, how many instances and calls, and what could not be read.
 * @throws {ArgumentError} For a MailStore Server client.
 *
 * @example Snapshot every instance into fleet.json
 * ```ts ignore
 * import { newClient } from "@mspe/mspe";
 * import { snapshotServer } from "@mspe/mspe/mock";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const snapshot = await snapshotServer(client, { concurrency: 4, anonymize: true });
 * await Deno.writeTextFile("fleet.json", snapshot.text);
 * // Then: mspe-run mock --state fleet.json
 * ```
 */
export async function snapshotServer(
  client: Client,
  options: SnapshotOptions = {},
): Promise<ServerSnapshot> {
  if (client.product !== "spe") {
    throw new ArgumentError(
      "A snapshot reads an SPE; this client is for MailStore Server. Connect to an SPE.",
    );
  }
  const signal = options.signal;
  const unread: SnapshotGap[] = [];
  let calls = 0;
  const read = async (
    fn: string,
    args: Record<string, unknown>,
    instanceID: string | null,
    callSignal: AbortSignal | undefined = signal,
  ): Promise<unknown> => {
    calls++;
    try {
      const status = await invokeCall(
        client as Client<"spe">,
        fn as never,
        args as never,
        { signal: callSignal } as never,
      );
      // Secrets are dropped as soon as a reply arrives, so that no later step can copy one.
      return scrub((status as { result: unknown }).result);
    } catch (error) {
      if (callSignal?.aborted) throw error;
      unread.push({
        function: fn,
        instanceID,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  };

  const now = Date.now();
  const window = {
    fromIncluding: formatUtc(now - SNAPSHOT_HISTORY_DAYS * 86_400_000),
    toExcluding: formatUtc(now + 60_000),
  };
  const environment = record(await read("GetEnvironmentInfo", {}, null));
  const wanted = options.instances ?? "*";
  const instances = list(
    await read("GetInstances", { instanceFilter: typeof wanted === "string" ? wanted : "*" }, null),
  );
  const chosen = typeof wanted === "string"
    ? instances
    : instances.filter((instance) => wanted.includes(str(instance.instanceID)));
  const hosts = list(await read("GetInstanceHosts", {}, null));
  const admins = list(await read("GetSystemAdministrators", {}, null));
  const accessServers = list(
    await read("GetClientAccessServers", { withServiceStatus: true }, null),
  );
  const systemSmtp = await read("GetSystemSmtpConfiguration", {}, null);

  const reads = new Map<string, InstanceRead>();
  const stopped = new Set<string>();
  for (const instance of chosen) {
    if (instance.status !== "running") {
      stopped.add(str(instance.instanceID));
      unread.push({
        function: "*",
        instanceID: str(instance.instanceID),
        error: `The instance is ${
          str(instance.status, "not running")
        }: its content cannot be read until it runs (its settings were read).`,
      });
    }
  }
  if (chosen.length > 0) {
    const outcomes = forEachInstance(
      client as Client<"spe">,
      (instanceID, context) => readInstance(instanceID, context.signal),
      {
        instances: chosen.map((instance) => str(instance.instanceID)),
        concurrency: options.concurrency,
        signal,
        onProgress: options.onProgress,
      },
    );
    for await (const outcome of outcomes) {
      if (outcome.ok) reads.set(outcome.instanceID, outcome.value);
      else if (signal?.aborted) throw signal.reason;
      else {
        unread.push({
          function: "*",
          instanceID: outcome.instanceID,
          error: outcome.error.message,
        });
      }
    }
  } else options.onProgress?.({ done: 0, failed: 0, total: 0 });

  async function readInstance(instanceID: string, callSignal: AbortSignal): Promise<InstanceRead> {
    const one = (fn: string, args: Record<string, unknown> = {}) =>
      read(fn, { instanceID, ...args }, instanceID, callSignal);
    const out: InstanceRead = {};
    const configuration = await one("GetInstanceConfiguration");
    if (configuration !== undefined) out.configuration = record(configuration);
    const enabled = await one("GetArchiveAdminEnabled");
    if (typeof enabled === "boolean") out.archiveAdminEnabled = enabled;
    // A stopped or frozen instance answers these two only; its settings are the replica's too.
    if (stopped.has(instanceID)) return out;
    const users = await one("GetUsers");
    if (users !== undefined) {
      out.users = [];
      for (const user of list(users)) {
        const info = await one("GetUserInfo", { userName: str(user.userName) });
        out.users.push({ ...user, ...record(info) });
      }
    }
    const assign = async <K extends keyof InstanceRead>(
      key: K,
      fn: string,
      args: Record<string, unknown> = {},
    ): Promise<void> => {
      const value = await one(fn, args);
      if (value === undefined) return;
      out[key] = (Array.isArray(value) ? list(value) : record(value)) as InstanceRead[K];
    };
    await assign("stores", "GetStores", { includeSize: true });
    await assign("jobs", "GetJobs");
    await assign("profiles", "GetProfiles", { raw: true });
    await assign("folders", "GetFolderStatistics");
    await assign("compliance", "GetComplianceConfiguration");
    await assign("directoryServices", "GetDirectoryServicesConfiguration");
    await assign("retentionPolicies", "GetRetentionPolicies");
    await assign("smtpSettings", "GetSmtpSettings");
    await assign("indexConfiguration", "GetIndexConfiguration");
    await assign("storeAutoCreate", "GetStoreAutoCreateConfiguration");
    await assign("credentials", "GetCredentials");
    await assign("workerResults", "GetWorkerResults", { ...window, timeZoneID: "UTC" });
    await assign("jobResults", "GetJobResults", { ...window, timeZoneId: "UTC" });
    // GetWorkerResults has no message field: what went wrong is in the run's report, after the
    // counts. Read for the runs that did not simply succeed.
    for (const row of out.workerResults ?? []) {
      if (row.result === "succeeded" || typeof row.id !== "number") continue;
      const report = await one("GetWorkerResultReport", { id: row.id });
      if (typeof report !== "string") continue;
      const lines = report.split(/\r?\n/);
      const counted = lines.findIndex((line) => line.startsWith("Messages archived:"));
      const message = counted < 0 ? [] : lines.slice(counted + 1);
      row.message = message.length === 0 ? null : message.join("\r\n");
    }
    return out;
  }

  const anon = new Anonymizer(options.anonymize === true);
  // The simulator's state code is loaded only here: importing the library does not load it.
  const [{ MockState }, { encodeValue, STATE_FORMAT, STATE_VERSION }] = await Promise.all([
    import("./_state.ts"),
    import("./_persist.ts"),
  ]);
  const state = buildState(MockState, {
    anon,
    environment,
    instances: chosen,
    hosts,
    admins,
    accessServers,
    systemSmtp: systemSmtp === undefined ? undefined : record(systemSmtp),
    reads,
    now,
  });
  const seeding: SeedOptions = {
    product: "spe",
    seed: 1,
    instances: chosen.length,
    usersPerInstance: 0,
    storesPerInstance: 0,
    problems: "none",
  };
  const gaps = unread.map((gap) => ({
    function: gap.function,
    instanceID: gap.instanceID === null ? null : anon.text(gap.instanceID),
    error: anon.text(gap.error),
  }));
  const text = JSON.stringify({
    format: STATE_FORMAT,
    version: STATE_VERSION,
    product: "spe",
    savedAt: new Date(now).toISOString(),
    options: seeding,
    snapshot: {
      version: SNAPSHOT_VERSION,
      server: anon.host(str(environment.serverName)),
      serverVersion: str(environment.version),
      takenAt: new Date(now).toISOString(),
      anonymized: anon.enabled,
      calls,
      unread: gaps,
    },
    state: encodeValue(state.snapshot()),
  });
  return { text, instances: chosen.length, calls, unread: gaps };
}

interface BuildInput {
  anon: Anonymizer;
  environment: Record<string, unknown>;
  instances: Record<string, unknown>[];
  hosts: Record<string, unknown>[];
  admins: Record<string, unknown>[];
  accessServers: Record<string, unknown>[];
  systemSmtp: Record<string, unknown> | undefined;
  reads: Map<string, InstanceRead>;
  now: number;
}

/** A password no one knows, for the administrators of a snapshot. */
function unknowable(): string {
  return `unknown-${crypto.randomUUID()}`;
}

function buildState(State: typeof MockState, input: BuildInput): MockState {
  const { anon } = input;
  const state = new State({
    product: "spe",
    seed: 1,
    instances: 0,
    usersPerInstance: 0,
    storesPerInstance: 0,
    username: "admin",
    password: unknowable(),
    problems: "none",
    now: input.now,
  });
  state.systemAdministrators.clear();
  for (const admin of input.admins) {
    const userName = anon.user(str(admin.userName));
    state.systemAdministrators.set(userName.toLowerCase(), {
      userName,
      fullName: anon.nullableName(strOrNull(admin.fullName)),
      emailAddress: admin.emailAddress == null ? null : anon.email(str(admin.emailAddress)),
      mfaStatus: str(admin.mfaStatus, "Disabled"),
      password: unknowable(),
    });
  }
  state.instanceHosts.length = 0;
  for (const host of input.hosts) {
    state.instanceHosts.push({
      serverName: anon.host(str(host.serverName)),
      port: num(host.port, 8472),
      thumbprint: str(record(host.serverCertificate).thumbprint),
      baseDirectory: host.baseDirectory == null ? null : anon.path(str(host.baseDirectory)),
    });
  }
  const system = state.system;
  system.clientAccessServers = input.accessServers.map((server) => ({
    serverName: anon.host(str(server.serverName)),
    port: num(server.port, 8473),
    thumbprint: str(record(server.serverCertificate).thumbprint),
    active: server.active !== false,
  }));
  if (input.systemSmtp !== undefined) {
    system.smtp = anon.deep(scrub(input.systemSmtp)) as Record<string, unknown>;
    system.smtpPassword = null;
  }
  system.apiPasswords.clear();
  system.outbox.length = 0;
  system.sessions.length = 0;
  if (typeof input.environment.licenseeName === "string") {
    system.license.licenseeName = anon.name(input.environment.licenseeName, "licensee");
  }
  if (typeof input.environment.licenseeID === "number") {
    system.license.licenseeID = input.environment.licenseeID;
  }

  const snapshot = state.snapshot();
  const contents = snapshot["#content"] as Map<string, { nextStoreId: number }>;
  for (const source of input.instances) {
    const read = input.reads.get(str(source.instanceID)) ?? {};
    const config = read.configuration ?? {};
    const instanceID = anon.name(str(source.instanceID), "instance");
    const instance = state.createInstance({
      instanceID,
      instanceHost: anon.host(str(source.instanceHost)),
      alias: anon.name(str(source.alias), "alias"),
      displayName: anon.name(str(source.displayName), "instance"),
      startMode: str(source.startMode, "automatic"),
      baseDirectory: anon.path(str(config.baseDirectory, `E:\\MailStore\\${source.instanceID}`)),
    });
    instance.status = (["running", "stopped", "frozen"].includes(str(source.status))
      ? source.status
      : "stopped") as InstanceStatus;
    instance.processID = typeof source.processID === "number" ? source.processID : null;
    instance.startStopError = strOrNull(source.startStopError);
    instance.serviceProviderAccess = read.archiveAdminEnabled ?? true;
    instance.debugLogEnabled = config.debugLogEnabled === true;
    if (typeof config.imapServerConnectionLogEnabled === "boolean") {
      instance.imapServerConnectionLogEnabled = config.imapServerConnectionLogEnabled;
    }
    if (typeof config.vssWriterEnabled === "boolean") {
      instance.vssWriterEnabled = config.vssWriterEnabled;
    }
    if (typeof config.vssWriterExcludeIndexes === "boolean") {
      instance.vssWriterExcludeIndexes = config.vssWriterExcludeIndexes;
    }

    const users = state.users(instance);
    users.clear();
    for (const user of read.users ?? [{ userName: "$archiveadmin", privileges: ["admin"] }]) {
      const userName = anon.user(str(user.userName));
      const folders = list(user.privilegesOnFolders);
      const mock: MockUser = {
        userName,
        fullName: anon.nullableName(strOrNull(user.fullName)),
        distinguishedName: anon.dn(strOrNull(user.distinguishedName)),
        authentication: str(user.authentication, "integrated"),
        mfaStatus: str(user.mfaStatus, "Disabled"),
        emailAddresses: strings(user.emailAddresses).map((address) =>
          anon.email(address)
        ),
        pop3UserNames: strings(user.pop3UserNames).map((name) => anon.user(name)),
        privileges: strings(user.privileges),
        loginPrivileges: strings(user.loginPrivileges),
        privilegesOnFolders: new Map(
          folders.map((entry) => [anon.folder(str(entry.folder)), strings(entry.privileges)]),
        ),
        password: null,
      };
      users.set(userName.toLowerCase(), mock);
    }

    const stores = state.stores(instance);
    stores.length = 0;
    for (const store of read.stores ?? []) {
      const mock: MockStore = {
        id: num(store.id),
        name: anon.name(str(store.name), "store"),
        requestedState: str(store.requestedState, "normal"),
        error: strOrNull(store.error),
        statisticsCount: num(store.statisticsCount),
        statisticsSize: num(store.statisticsSize),
        needsUpgrade: store.needsUpgrade === true,
        searchIndexesNeedRebuild: store.searchIndexesNeedRebuild === true,
        databasePath: anon.path(str(store.databasePath)),
        contentPath: anon.path(str(store.contentPath)),
        indexPath: anon.path(str(store.indexPath)),
      };
      if (mock.error !== null) mock.error = anon.text(mock.error);
      stores.push(mock);
    }
    contents.get(instanceID.toLowerCase())!.nextStoreId = stores.reduce(
      (max, store) => Math.max(max, store.id),
      0,
    ) + 1;

    const jobs = state.jobs(instance);
    jobs.length = 0;
    for (const job of read.jobs ?? []) {
      const mock: MockJob = {
        id: num(job.id),
        name: anon.text(str(job.name)),
        action: str(job.action),
        owner: anon.user(str(job.owner)),
        creationDateTimeUtc: str(job.creationDateTimeUtc),
        enabled: job.enabled === true,
        schedule: { timeZoneId: "$Local", ...record(job.schedule) } as MockJob["schedule"],
      };
      jobs.push(mock);
    }

    const activity = state.activity(instance);
    activity.seed = null;
    activity.profiles = (read.profiles ?? []).map((profile): MockProfile => {
      const details = record(scrub(profile.details));
      const anonymised: Record<string, string> = {};
      for (const [key, value] of Object.entries(details)) {
        if (value === null) continue;
        const text = String(value);
        anonymised[key] = /mail/i.test(key) && text.includes("@")
          ? anon.email(text)
          : /host|server/i.test(key)
          ? anon.host(text)
          : /user/i.test(key)
          ? anon.user(text)
          : anon.text(text);
      }
      const execution = record(profile.serverSideExecution);
      return {
        id: num(profile.id),
        name: anon.text(str(profile.name)),
        owner: anon.user(str(profile.owner)),
        type: str(profile.type),
        connector: str(profile.connector),
        details: anonymised,
        serverSideExecution: execution as MockProfile["serverSideExecution"],
        version: num(profile.version, 1),
      };
    });
    activity.nextProfileId = activity.profiles.reduce((max, p) => Math.max(max, p.id), 0) + 1;
    activity.workerResults = (read.workerResults ?? []).map((row): MockWorkerResult => ({
      id: num(row.id),
      userName: anon.user(str(row.userName)),
      profileId: typeof row.profileId === "number" ? row.profileId : null,
      profileName: anon.text(str(row.profileName)),
      result: str(row.result, "succeeded") as MockWorkerResult["result"],
      itemsArchived: num(row.itemsArchived),
      startTime: utc(row.startTime),
      completeTime: utc(row.completeTime),
      machineName: anon.name(str(row.machineName), "machine"),
      message: row.message == null ? null : anon.text(str(row.message)),
    })).sort((a, b) => a.startTime - b.startTime);
    activity.jobResults = (read.jobResults ?? []).map((row): MockJobResult => ({
      jobResultId: num(row.jobResultId),
      jobId: num(row.jobId),
      action: str(row.action),
      startTime: utc(row.startTime),
      completeTime: utc(row.completeTime),
      result: str(row.result, "succeeded") as MockJobResult["result"],
    })).sort((a, b) => a.startTime - b.startTime);
    activity.jobRuns = [];
    activity.oneTimeUrls = [];
    activity.process = {
      processID: instance.processID,
      startedAt: input.now,
      archived: 0,
      checked: 0,
    };

    const data = state.instanceData(instance);
    data.folders = foldersFrom(read.folders ?? [], anon);
    data.nextFolderSeq = data.folders.size;
    data.messages = new Map();
    data.deletedMessages = [];
    data.detachedStores = [];
    data.lockedStores = new Set();
    data.storeProperties = new Map();
    data.rebuiltIndexes = new Map();
    data.directory = [];
    data.lastDirectorySync = null;
    data.lastRetentionDeleted = null;
    data.smtpTests = [];
    data.fileSystemMaintenanceRuns = 0;
    data.directoryServicesPassword = null;
    data.smtpPassword = null;
    const chosen = (
      value: Record<string, unknown> | undefined,
      fallback: Record<string, unknown>,
    ) => value === undefined ? fallback : anon.deep(scrub(value)) as Record<string, unknown>;
    data.compliance = chosen(read.compliance, data.compliance);
    data.directoryServices = chosen(read.directoryServices, data.directoryServices);
    data.retentionPolicies = chosen(read.retentionPolicies, data.retentionPolicies);
    data.smtpSettings = chosen(read.smtpSettings, data.smtpSettings);
    data.indexConfiguration = chosen(read.indexConfiguration, data.indexConfiguration);
    data.storeAutoCreate = chosen(read.storeAutoCreate, data.storeAutoCreate);
    data.credentials = read.credentials === undefined
      ? []
      : (anon.deep(scrub(read.credentials)) as Record<string, unknown>[]);
  }
  return state;
}

/**
 * The folders of GetFolderStatistics as the simulator holds them: each folder's own messages. A
 * user's top-level entry carries the totals of its children, so its own share is what is left.
 */
function foldersFrom(rows: Record<string, unknown>[], anon: Anonymizer): Map<string, MockFolder> {
  const folders = new Map<string, MockFolder>();
  const below = new Map<string, { count: number; size: number }>();
  for (const row of rows) {
    const path = str(row.folder);
    if (!path.includes("/")) continue;
    const top = path.slice(0, path.indexOf("/")).toLowerCase();
    const sum = below.get(top) ?? { count: 0, size: 0 };
    sum.count += num(row.count);
    sum.size += num(row.size);
    below.set(top, sum);
  }
  let seq = 0;
  for (const row of rows) {
    const path = str(row.folder);
    if (path === "") continue;
    let count = num(row.count);
    let size = num(row.size);
    if (!path.includes("/")) {
      const sum = below.get(path.toLowerCase()) ?? { count: 0, size: 0 };
      count = Math.max(0, count - sum.count);
      size = Math.max(0, size - sum.size);
    }
    const name = anon.folder(path);
    folders.set(name.toLowerCase(), { path: name, count, size, seq: seq++ });
  }
  return folders;
}
