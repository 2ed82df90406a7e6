/**
 * The in-memory SPE (or MailStore Server) that the mock simulates, generated from a seed.
 *
 * Users and stores of an instance are generated on first use, from a generator seeded by the state's
 * seed and the instance's position, so that seeding 1,000 instances is cheap and the content does not
 * depend on the order of access.
 *
 * @module
 */

import type { Product } from "../metadata.ts";
import { generateInstanceData, type MockInstanceData } from "./_instance_data.ts";
import {
  type InstanceActivity,
  type PlannedProblems,
  planProblems,
  seedActivity,
} from "./_history.ts";
import type {
  InstanceStatus,
  MockInstance,
  MockInstanceHost,
  MockJob,
  MockStore,
  MockSystemAdministrator,
  MockUser,
  ProblemLevel,
} from "./_model.ts";
import { overLimit, SEED_COUNTS } from "./_limits.ts";
import { mix, prng } from "./_random.ts";
import { seedSystem, type SystemState } from "./_system_state.ts";

/** Login privileges of a user created without `loginPrivileges`. */
const DEFAULT_LOGIN_PRIVILEGES = ["windows", "web", "outlook", "windowsCmd", "imap"];

/** A user with MailStore's defaults for every field not given (CreateUser, the seeded admin). */
export function newUser(fields: Pick<MockUser, "userName"> & Partial<MockUser>): MockUser {
  return {
    fullName: null,
    distinguishedName: null,
    authentication: "integrated",
    mfaStatus: "Disabled",
    emailAddresses: [],
    pop3UserNames: [],
    privileges: [],
    loginPrivileges: [...DEFAULT_LOGIN_PRIVILEGES],
    privilegesOnFolders: new Map(),
    password: null,
    ...fields,
  };
}

interface InstanceContent {
  users: Map<string, MockUser>;
  stores: MockStore[];
  jobs: MockJob[];
  nextStoreId: number;
  /** Folders, messages and configuration (see `_instance_data.ts`); null until first used. */
  data: MockInstanceData | null;
  /** Profiles, worker results and job results (see `_history.ts`). */
  activity: InstanceActivity;
}

const INSTANCE_NAMES = [
  "acme",
  "globex",
  "initech",
  "umbrella",
  "hooli",
  "stark",
  "wayne",
  "wonka",
  "tyrell",
  "cyberdyne",
];
const FIRST = [
  "john",
  "jane",
  "max",
  "erika",
  "paul",
  "anna",
  "lukas",
  "mia",
  "felix",
  "emma",
  "leon",
  "sofia",
  "noah",
  "lena",
  "elias",
  "hannah",
  "jonas",
  "lea",
  "ben",
  "marie",
];
const LAST = [
  "doe",
  "smith",
  "mueller",
  "schmidt",
  "schneider",
  "fischer",
  "weber",
  "meyer",
  "wagner",
  "becker",
  "schulz",
  "hoffmann",
  "koch",
  "richter",
  "klein",
  "wolf",
  "neumann",
  "schwarz",
  "braun",
  "zimmermann",
];

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** What kind of value a field holds, for {@linkcode MockState.restore}'s check. */
function kindOf(value: unknown): string {
  if (value instanceof Map) return "Map";
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  return typeof value === "object" ? "record" : typeof value;
}

/** Options of {@linkcode MockState}. */
export interface MockStateOptions {
  /** The product. */
  product: Product;
  /** The seed. */
  seed: number;
  /** Number of instances (SPE). */
  instances: number;
  /** Users per instance besides `$archiveadmin`. */
  usersPerInstance: number;
  /** Stores per instance. */
  storesPerInstance: number;
  /** The configured administrator. */
  username: string;
  /** Its password. */
  password: string;
  /** How many problems the seeded SPE has (default `some`, see `_history.ts`). */
  problems?: ProblemLevel;
  /** The time the seeded history ends, UTC epoch ms (default: now). */
  now?: number;
}

/**
 * What CreateInstance (and seeding) gives for a new instance; the rest takes defaults.
 *
 * @example
 * ```ts
 * import type { InstanceConfig } from "@mspe/mspe/mock";
 * const config: InstanceConfig = { instanceID: "acme", instanceHost: "host01" };
 * console.log(config.instanceID);
 * ```
 */
export interface InstanceConfig {
  /** The instance's ID. */
  instanceID: string;
  /** The instance host it runs on. */
  instanceHost: string;
  /** A short alias (default: the first three letters of the ID). */
  alias?: string;
  /** The display name (default: the ID, capitalised). */
  displayName?: string;
  /** The start mode (default "automatic"). */
  startMode?: string;
  /** The base directory (default `E:\\MailStore\\<id>`). */
  baseDirectory?: string;
}

/**
 * The simulated server's state. Tests change it directly, for example to disable service provider
 * access or stop an instance; the next API call sees the change.
 *
 * @example Disable service provider access on the first instance
 * ```ts
 * import { createMockApp } from "@mspe/mspe/mock";
 * const app = createMockApp({ instances: 2 });
 * const first = app.state.instanceList()[0]!;
 * app.state.instance(first.instanceID)!.serviceProviderAccess = false;
 * app.close();
 * ```
 */
export class MockState {
  /** The product this state simulates. */
  readonly product: Product;
  /** The seed it was made from. */
  readonly seed: number;
  /** Users per instance generated on first use. */
  usersPerInstance: number;
  /** Stores per instance generated on first use. */
  storesPerInstance: number;
  /** Instance hosts (SPE). */
  readonly instanceHosts: MockInstanceHost[] = [];
  /** System administrators, by lower-case user name (SPE). */
  readonly systemAdministrators: Map<string, MockSystemAdministrator> = new Map();
  readonly #instances = new Map<string, MockInstance>();
  readonly #content = new Map<string, InstanceContent>();
  #nextProcessID: number;
  #nextSeedIndex = 0;
  /** How many problems were seeded (`none`, `some`, `many`). */
  readonly problems: ProblemLevel;
  /** When the state was seeded (UTC epoch ms): the seeded 30 days of history end here. */
  readonly seededAt: number;
  /** Instances seeded at start (those with a lower `seedIndex` get a seeded history). */
  seededInstances = 0;
  /** Problems planned per seeded instance (`seedIndex`), applied when its content is generated. */
  readonly problemPlan: Map<number, PlannedProblems> = new Map();
  /** Client access servers, system SMTP, license, outbox (see `_system_state.ts`). */
  readonly system: SystemState;
  /** Directories made with CreateDirectoryOnInstanceHost, by lower-case host name. */
  readonly hostDirectories: Map<string, string[]> = new Map();

  /**
   * Makes `username` a system administrator who logs in with `password`: the one the mock was
   * started with, also over a state file that names other administrators or another password.
   */
  admitAdministrator(username: string, password: string): void {
    const admin = this.systemAdministrators.get(username.toLowerCase());
    if (admin !== undefined) {
      admin.password = password;
      return;
    }
    this.systemAdministrators.set(username.toLowerCase(), {
      userName: username,
      fullName: "Administrator",
      emailAddress: null,
      mfaStatus: "Disabled",
      password,
    });
  }

  /** Generates the state. For `server` there is one hidden instance with the ID `""`. */
  constructor(options: MockStateOptions) {
    // Refused before anything is allocated: a count of 1e9 would otherwise run out of memory.
    for (const name of SEED_COUNTS) {
      const why = overLimit(name, options[name]);
      if (why !== null) throw new RangeError(`The simulated state's ${why}. Choose a smaller one.`);
    }
    this.product = options.product;
    this.seed = options.seed;
    this.usersPerInstance = options.usersPerInstance;
    this.storesPerInstance = options.storesPerInstance;
    this.problems = options.problems ?? "some";
    this.seededAt = options.now ?? Date.now();
    this.system = seedSystem(prng(mix(options.seed, 31)), this.problems, this.seededAt);
    const random = prng(mix(options.seed, 1));
    this.#nextProcessID = 1000 + Math.floor(random() * 5000);
    this.admitAdministrator(options.username, options.password);
    if (options.product === "server") {
      this.#addInstance({ instanceID: "", instanceHost: "MAILSTORE" });
      this.#planProblems();
      return;
    }
    const hostCount = Math.max(1, Math.ceil(options.instances / 100));
    for (let i = 0; i < hostCount; i++) {
      let thumbprint = "";
      for (let j = 0; j < 40; j++) thumbprint += "0123456789ABCDEF"[Math.floor(random() * 16)];
      this.instanceHosts.push({
        serverName: `host${String(i + 1).padStart(2, "0")}.spe.mock.test`,
        port: 8472,
        thumbprint,
        baseDirectory: null,
      });
    }
    for (let i = 0; i < options.instances; i++) {
      const instanceID = i < INSTANCE_NAMES.length
        ? INSTANCE_NAMES[i]!
        : `tenant${String(i + 1).padStart(4, "0")}`;
      this.#addInstance({
        instanceID,
        instanceHost: this.instanceHosts[i % hostCount]!.serverName,
      });
    }
    this.#planProblems();
  }

  #planProblems(): void {
    this.seededInstances = this.#nextSeedIndex;
    const plan = planProblems(
      this.instanceList(),
      this.problems,
      this.seed,
      this.seededAt,
      this.product === "spe",
    );
    for (const [index, planned] of plan) this.problemPlan.set(index, planned);
  }

  #addInstance(config: InstanceConfig & { status?: InstanceStatus }): MockInstance {
    const id = config.instanceID;
    const status = config.status ?? "running";
    const instance: MockInstance = {
      instanceID: id,
      alias: config.alias ?? id.slice(0, 3),
      displayName: config.displayName ?? (id === "" ? "MailStore Server" : capitalise(id)),
      instanceHost: config.instanceHost,
      startMode: config.startMode ?? "automatic",
      processID: status === "stopped" ? null : this.newProcessID(),
      status,
      startStopError: null,
      serviceProviderAccess: true,
      baseDirectory: config.baseDirectory ?? `E:\\MailStore\\${id}`,
      debugLogEnabled: false,
      seedIndex: this.#nextSeedIndex++,
    };
    this.#instances.set(id.toLowerCase(), instance);
    return instance;
  }

  /** Adds an instance (CreateInstance). */
  createInstance(config: InstanceConfig): MockInstance {
    return this.#addInstance({ ...config, status: "stopped" });
  }

  /** A fresh process ID. */
  newProcessID(): number {
    this.#nextProcessID += 4 + (this.#nextProcessID % 7);
    return this.#nextProcessID;
  }

  /** The instance with this ID (case-insensitive), or undefined. */
  instance(instanceID: string): MockInstance | undefined {
    return this.#instances.get(instanceID.toLowerCase());
  }

  /** Every instance in creation order. */
  instanceList(): MockInstance[] {
    return [...this.#instances.values()];
  }

  /** Removes an instance and its content. */
  deleteInstance(instanceID: string): void {
    this.#instances.delete(instanceID.toLowerCase());
    this.#content.delete(instanceID.toLowerCase());
  }

  #contentOf(instance: MockInstance): InstanceContent {
    const key = instance.instanceID.toLowerCase();
    let content = this.#content.get(key);
    if (content === undefined) {
      content = this.#generate(instance);
      this.#content.set(key, content);
    }
    return content;
  }

  /** The users of an instance, by lower-case user name (generated on first use). */
  users(instance: MockInstance): Map<string, MockUser> {
    return this.#contentOf(instance).users;
  }

  /** The archive stores of an instance (generated on first use). */
  stores(instance: MockInstance): MockStore[] {
    return this.#contentOf(instance).stores;
  }

  /** The scheduled jobs of an instance (generated on first use). */
  jobs(instance: MockInstance): MockJob[] {
    return this.#contentOf(instance).jobs;
  }

  /** The folders, messages and configuration of an instance if they were made, else undefined. */
  madeInstanceData(instance: MockInstance): MockInstanceData | undefined {
    return this.#contentOf(instance).data ?? undefined;
  }

  /**
   * The folders, messages and configuration of an instance. Made on first use (most instances of a
   * large fleet never need them), from the instance's users and stores at that moment.
   */
  instanceData(instance: MockInstance): MockInstanceData {
    const content = this.#contentOf(instance);
    content.data ??= generateInstanceData(
      prng(mix(this.seed, 7, instance.seedIndex)),
      instance.instanceID,
      instance.instanceID === "" ? "C:\\MailStore Server" : instance.baseDirectory,
      content.users.values(),
      content.stores,
    );
    return content.data;
  }

  /** The profiles, worker results and job results of an instance (generated on first use). */
  activity(instance: MockInstance): InstanceActivity {
    return this.#contentOf(instance).activity;
  }

  /**
   * Everything the state holds, as one object for `--state` files (`_persist.ts` encodes it): its
   * public fields as they are, and its private ones under `#` names. A new private field must be
   * added here and in {@linkcode MockState.restore}; public fields are saved without changes.
   */
  snapshot(): Record<string, unknown> {
    return {
      ...Object.fromEntries(Object.entries(this)),
      "#instances": this.#instances,
      "#content": this.#content,
      "#nextProcessID": this.#nextProcessID,
      "#nextSeedIndex": this.#nextSeedIndex,
    };
  }

  /**
   * Replaces everything the state holds with a {@linkcode MockState.snapshot}. Only the state's own
   * fields are taken, each of the kind it has now (a Map for a Map, a number for a number, ...):
   * a snapshot from a file must not put data where code is (`toString`, `restore`, `__proto__`) or
   * make the next generated instance allocate more than {@linkcode MockState} accepts. Throws a
   * TypeError that names the first field refused, and changes nothing then.
   */
  restore(snapshot: Record<string, unknown>): void {
    const {
      "#instances": instances,
      "#content": content,
      "#nextProcessID": nextProcessID,
      "#nextSeedIndex": nextSeedIndex,
      ...fields
    } = snapshot;
    if (
      !(instances instanceof Map) || !(content instanceof Map) ||
      typeof nextProcessID !== "number" || typeof nextSeedIndex !== "number"
    ) {
      throw new TypeError("The snapshot lacks the instances, their content or the counters.");
    }
    const own = new Map(Object.entries(this));
    for (const [name, value] of Object.entries(fields)) {
      if (!own.has(name)) {
        throw new TypeError(`state.${name} is not a field of the simulated state`);
      }
      if (kindOf(value) !== kindOf(own.get(name))) {
        throw new TypeError(`state.${name} is a ${kindOf(value)}, not a ${kindOf(own.get(name))}`);
      }
      if (name === "usersPerInstance" || name === "storesPerInstance") {
        const why = overLimit(name, value);
        if (why !== null) throw new TypeError(`state.${why}`);
      }
    }
    for (const [name, value] of Object.entries(fields)) {
      Object.defineProperty(this, name, { value, writable: true, enumerable: true });
    }
    this.#instances.clear();
    for (const [key, value] of instances) this.#instances.set(key, value);
    this.#content.clear();
    for (const [key, value] of content) this.#content.set(key, value);
    this.#nextProcessID = nextProcessID;
    this.#nextSeedIndex = nextSeedIndex;
  }

  /** Whether the content of an instance was generated already (it is generated on first use). */
  hasContent(instance: MockInstance): boolean {
    return this.#content.has(instance.instanceID.toLowerCase());
  }

  /** The next free store ID of an instance. */
  nextStoreId(instance: MockInstance): number {
    const content = this.#contentOf(instance);
    return content.nextStoreId++;
  }

  /**
   * Replaces the users of an instance with `count` generated ones (plus `$archiveadmin`), e.g. to
   * seed 100,000 users in one instance.
   */
  seedUsers(instance: MockInstance, count: number): void {
    const content = this.#contentOf(instance);
    content.users = this.#generateUsers(instance, count);
  }

  #generateUsers(instance: MockInstance, count: number): Map<string, MockUser> {
    const random = prng(mix(this.seed, 2, instance.seedIndex));
    const users = new Map<string, MockUser>();
    const admin = newUser({
      userName: "$archiveadmin",
      privileges: ["admin"],
      loginPrivileges: ["windows", "web", "outlook", "windowsCmd", "imap", "api"],
    });
    users.set("$archiveadmin", admin);
    const domain = instance.instanceID === ""
      ? "example.com"
      : `${instance.instanceID}.example.com`;
    const pairs = FIRST.length * LAST.length;
    for (let i = 0; i < count; i++) {
      const combo = (i * 7919) % pairs;
      const first = FIRST[combo % FIRST.length]!;
      const last = LAST[Math.floor(combo / FIRST.length)]!;
      const round = Math.floor(i / pairs);
      const userName = round === 0 ? `${first}.${last}` : `${first}.${last}${round + 1}`;
      const directory = random() < 0.5;
      const fullName = `${capitalise(first)} ${capitalise(last)}`;
      users.set(userName.toLowerCase(), {
        userName,
        fullName,
        distinguishedName: directory
          ? `CN=${fullName},OU=Users,DC=${instance.instanceID || "example"},DC=local`
          : null,
        authentication: directory ? "directoryServices" : "integrated",
        mfaStatus: random() < 0.1 ? "Active" : "Disabled",
        emailAddresses: [`${userName}@${domain}`],
        pop3UserNames: [],
        privileges: ["login"],
        loginPrivileges: ["windows", "web", "outlook"],
        privilegesOnFolders: new Map([[userName, ["read"]]]),
        password: null,
      });
    }
    return users;
  }

  #generate(instance: MockInstance): InstanceContent {
    const random = prng(mix(this.seed, 3, instance.seedIndex));
    const users = this.#generateUsers(instance, this.usersPerInstance);
    const stores: MockStore[] = [];
    const base = instance.instanceID === ""
      ? "C:\\MailStore Server\\Data"
      : `${instance.baseDirectory}\\Data`;
    for (let i = 0; i < this.storesPerInstance; i++) {
      // Monthly stores counting back from 2026-01, the newest one is "current".
      const month = 2026 * 12 - (this.storesPerInstance - 1 - i);
      const name = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, "0")}`;
      const count = 1000 + Math.floor(random() * 500_000);
      stores.push({
        id: i + 1,
        name,
        requestedState: i === this.storesPerInstance - 1 ? "current" : "normal",
        error: null,
        statisticsCount: count,
        statisticsSize: count * (40_000 + Math.floor(random() * 80_000)),
        needsUpgrade: false,
        searchIndexesNeedRebuild: false,
        databasePath: `${base}\\${name}`,
        contentPath: `${base}\\${name}\\Content`,
        indexPath: `${base}\\${name}`,
      });
    }
    const jobs: MockJob[] = [{
      id: 1,
      name: "Process Retention Policies",
      action: "ProcessRetentionPolicies",
      owner: "admin",
      creationDateTimeUtc: "2024-03-19T10:42:40",
      enabled: true,
      schedule: { timeZoneId: "W. Europe Standard Time", time: "03:30:00" },
    }, {
      id: 2,
      name: "Verify Stores",
      action: "VerifyStores",
      owner: "admin",
      creationDateTimeUtc: "2024-03-19T10:43:12",
      enabled: random() < 0.5,
      schedule: { timeZoneId: "W. Europe Standard Time", time: "04:00:00" },
    }];
    const activity = seedActivity(instance, {
      seed: this.seed,
      now: this.seededAt,
      seeded: instance.seedIndex < this.seededInstances,
      userNames: [...users.values()].map((user) => user.userName),
      stores,
      jobs,
      planned: this.problemPlan.get(instance.seedIndex),
      problems: this.problems,
      machineName: instance.instanceID === ""
        ? "MAILSTORE"
        : instance.instanceHost.split(".")[0]!.toUpperCase(),
    });
    return { users, stores, jobs, nextStoreId: this.storesPerInstance + 1, data: null, activity };
  }
}
