/**
 * What each tenant uses, for billing: users, archive size, messages and stores per instance, with
 * totals, and the change since a previous report. See {@linkcode usageReport}.
 *
 * Units: archive sizes are in MiB (1 MiB = 1024 × 1024 = 1,048,576 bytes), the unit of SPE's
 * `totalSizeMB`, which calls it MB; every field and column that holds one says `MiB`.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { type FleetReportOptions, forEachInstance } from "./fleet.ts";
import { invokeCall } from "./invoke_call.ts";
import { instanceErrorLine, instanceSignal, isStop } from "./_reports.ts";
import { listInstances } from "./list_instances.ts";
import type { Instance } from "./results.ts";

/**
 * One instance's usage in a {@linkcode UsageReport}. The figures are `null` when they could not be
 * read; `error` says why.
 *
 * @example
 * ```ts
 * import type { InstanceUsage } from "@mspe/mspe";
 * function line(row: InstanceUsage): string {
 *   return row.error ?? `${row.instanceID}: ${row.users} users, ${row.archiveSizeMiB} MiB`;
 * }
 * ```
 */
export interface InstanceUsage extends UsageFigures {
  /** The instance ID. */
  readonly instanceID: string;
  /** Its display name. */
  readonly displayName: string;
  /**
   * Its state (`running`, `stopped`, ...); `gone` for an instance of the previous report that no
   * longer exists, `unknown` for an ID asked for that does not exist.
   */
  readonly status: string;
  /**
   * True when the figures are the previous report's (its last known ones): the instance could not
   * be read now (it is stopped, say), and is billed as it was.
   */
  readonly lastKnown: boolean;
  /**
   * Against the previous report (see {@linkcode UsageReportOptions.previous}): `new` (not in it),
   * `gone` (only in it), `present` (in both); `null` without a previous report.
   */
  readonly compared: "new" | "gone" | "present" | null;
  /**
   * Each figure minus the previous report's (a `new` instance counts from 0, a `gone` one to 0);
   * `null` without a previous report.
   */
  readonly change: UsageFigures | null;
  /** Why figures are missing, or `null`. */
  readonly error: string | null;
}

/**
 * The figures of one instance: the four billed quantities, `null` when unknown.
 *
 * @example
 * ```ts
 * import type { UsageFigures } from "@mspe/mspe";
 * const figures: UsageFigures = { users: 40, archiveSizeMiB: 2048, messages: 90_000, stores: 3 };
 * console.log((figures.archiveSizeMiB ?? 0) / 1024, "GiB");
 * ```
 */
export interface UsageFigures {
  /** Users, not counting the built-in `$archiveadmin`. */
  readonly users: number | null;
  /**
   * The size of the archive in MiB (1,048,576 bytes): `totalSizeMB` of GetInstanceStatistics
   * (content, database and indexes), which SPE counts in units of 1024 × 1024 bytes.
   */
  readonly archiveSizeMiB: number | null;
  /** Archived messages. */
  readonly messages: number | null;
  /** Archive stores. */
  readonly stores: number | null;
}

/**
 * One instance of a previous report, for {@linkcode UsageReportOptions.previous}: its ID, its
 * display name when known, and its figures.
 *
 * @example
 * ```ts
 * import type { PreviousUsage } from "@mspe/mspe";
 * const row: PreviousUsage = {
 *   instanceID: "acme", users: 38, archiveSizeMiB: 1900, messages: 85_000, stores: 3,
 * };
 * console.log(row.instanceID);
 * ```
 */
export interface PreviousUsage extends UsageFigures {
  /** The instance ID. */
  readonly instanceID: string;
  /** Its display name, when the previous report has it. */
  readonly displayName?: string | undefined;
}

/**
 * The sums over the instances of a {@linkcode UsageReport}; instances without figures count as 0.
 *
 * @example
 * ```ts
 * import type { UsageTotals } from "@mspe/mspe";
 * const totals: UsageTotals = {
 *   instances: 2, failed: 0, users: 40, archiveSizeMiB: 1024, messages: 90_000, stores: 6,
 * };
 * console.log(totals.users);
 * ```
 */
export interface UsageTotals {
  /** Instances in the report (`gone` ones included). */
  readonly instances: number;
  /** Of those, how many have no figures (see their `error`). */
  readonly failed: number;
  /** Of those, how many are counted with their last known figures (see `lastKnown`). */
  readonly lastKnown?: number;
  /** Users, `$archiveadmin` not counted. */
  readonly users: number;
  /** Archive size in MiB (1,048,576 bytes). */
  readonly archiveSizeMiB: number;
  /** Archived messages. */
  readonly messages: number;
  /** Archive stores. */
  readonly stores: number;
  /** The totals minus the previous report's; absent without a previous report. */
  readonly change?: {
    readonly users: number;
    readonly archiveSizeMiB: number;
    readonly messages: number;
    readonly stores: number;
  };
}

/**
 * The result of {@linkcode usageReport}.
 *
 * @example
 * ```ts
 * import type { UsageReport } from "@mspe/mspe";
 * function biggest(report: UsageReport): string | undefined {
 *   return [...report.instances].sort((a, b) => (b.archiveSizeMiB ?? 0) - (a.archiveSizeMiB ?? 0))[0]
 *     ?.instanceID;
 * }
 * ```
 */
export interface UsageReport {
  /** When the figures were read (ISO 8601, UTC). */
  readonly generatedAt: string;
  /** One row per instance, sorted by instance ID. */
  readonly instances: readonly InstanceUsage[];
  /** The sums. */
  readonly totals: UsageTotals;
  /** `true` when {@linkcode UsageReportOptions.stop} ended the report before every instance. */
  readonly incomplete: boolean;
}

/**
 * Options of {@linkcode usageReport}.
 *
 * @example
 * ```ts
 * import type { UsageReportOptions } from "@mspe/mspe";
 * const options: UsageReportOptions = { instances: "*", concurrency: 16 };
 * console.log(options.concurrency);
 * ```
 */
export interface UsageReportOptions extends FleetReportOptions {
  /**
   * The rows of a previous report (last month's), to compare with: each row gets its `change` and
   * whether it is `new`; an instance of the previous report that no longer exists gets a row of
   * its own, marked `gone` (only when every instance is reported: with a filter or a list, the
   * previous rows outside it are left out); and an instance that cannot be read now (stopped) is
   * counted with its previous, last known figures.
   */
  readonly previous?: readonly PreviousUsage[] | undefined;
}

const ARCHIVE_ADMIN = "$archiveadmin";

type Figures = { readonly [K in keyof UsageFigures]: number };

const FIGURES: readonly (keyof UsageFigures)[] = ["users", "archiveSizeMiB", "messages", "stores"];

/** `now - before` per figure; a side without figures counts as 0 (a new or a gone instance). */
function difference(now: UsageFigures | null, before: UsageFigures | null): Figures {
  return Object.fromEntries(
    FIGURES.map((key) => [key, (now?.[key] ?? 0) - (before?.[key] ?? 0)]),
  ) as Figures;
}

async function readFigures(
  client: Client<"spe">,
  instanceID: string,
  signal: AbortSignal,
): Promise<Figures> {
  // One call at a time, so that the fan-out's bound is also the bound on connections.
  const users = (await invokeCall(client, "GetUsers", { instanceID }, { signal })).result ?? [];
  const statistics =
    (await invokeCall(client, "GetInstanceStatistics", { instanceID }, { signal })).result;
  const stores = (await invokeCall(client, "GetStores", { instanceID }, { signal })).result ?? [];
  return {
    users: users.filter((user) => user.userName.toLowerCase() !== ARCHIVE_ADMIN).length,
    archiveSizeMiB: statistics?.totalSizeMB ?? 0,
    messages: statistics?.numberOfMessages ?? 0,
    stores: stores.length,
  };
}

/**
 * Reads what each instance uses, for billing: users (not counting `$archiveadmin`), archive size
 * in MiB (1,048,576 bytes) and messages (`GetInstanceStatistics`), and archive stores, with totals.
 * The instances are read through {@linkcode forEachInstance}, `concurrency` at a time; an instance
 * whose figures cannot be read (stopped, service provider access disabled) gets a row with `null`
 * figures and the `error`, and the others go on. With `previous` (last month's rows) each row gets
 * its change, new and gone instances are marked, and an instance that cannot be read now is
 * counted with its last known figures (`lastKnown`). An error that stops the whole report (wrong password, unreachable
 * server, abort) rejects the promise.
 *
 * @param client An SPE client from {@linkcode newClient}.
 * @param options Which instances, the bound, a signal, a previous report to compare with.
 * @returns One row per instance, sorted by ID, and the totals.
 * @throws {ArgumentError} For a bad `instances` or `concurrency`, or a MailStore Server client.
 *
 * @example Users and gibibytes per tenant
 * ```ts
 * import { newClient, usageReport } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const report = await usageReport(client, { concurrency: 16 });
 * for (const row of report.instances) {
 *   console.log(row.instanceID, row.users, ((row.archiveSizeMiB ?? 0) / 1024).toFixed(1), "GiB");
 * }
 * console.log("total", report.totals.users, "users", report.totals.archiveSizeMiB, "MiB");
 * ```
 */
export async function usageReport(
  client: Client<"spe">,
  options: UsageReportOptions = {},
): Promise<UsageReport> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const generatedAt = new Date().toISOString();
  const { found, missing } = await listInstances(client, options.instances, { signal });
  const rows = new Map<string, InstanceUsage>();
  const empty = { users: null, archiveSizeMiB: null, messages: null, stores: null };
  const unmarked = { lastKnown: false, compared: null, change: null } as const;
  for (const id of missing) {
    rows.set(id, {
      instanceID: id,
      displayName: "",
      status: "unknown",
      ...empty,
      ...unmarked,
      error: "No instance has this ID.",
    });
  }
  // An instance the server lists with a blank ID cannot be read (or named): a row that says so,
  // never the end of the report.
  // A row without figures, for an instance that was not read, and why.
  const unread = (instance: Instance, error: string): InstanceUsage => ({
    instanceID: instance.instanceID,
    displayName: instance.displayName ?? "",
    status: instance.status ?? "unknown",
    ...empty,
    ...unmarked,
    error,
  });
  for (const instance of found.filter((instance) => instance.instanceID.trim() === "")) {
    rows.set(
      instance.instanceID,
      unread(instance, "The server lists this instance with an empty ID; it was skipped."),
    );
  }
  const readable = found.filter((instance) => instance.instanceID.trim() !== "");
  const byID = new Map(readable.map((instance) => [instance.instanceID, instance]));
  if (readable.length > 0) {
    const outcomes = forEachInstance(
      client,
      (id, context) =>
        readFigures(client, id, instanceSignal(context.signal, options.instanceTimeoutMs)),
      {
        instances: readable.map((instance) => instance.instanceID),
        concurrency: options.concurrency,
        signal,
        stop: options.stop,
        onProgress: options.onProgress,
      },
    );
    for await (const outcome of outcomes) {
      const instance = byID.get(outcome.instanceID);
      const base = {
        instanceID: outcome.instanceID,
        displayName: instance?.displayName ?? "",
        status: instance?.status ?? "unknown",
      };
      if (outcome.ok) {
        rows.set(outcome.instanceID, { ...base, ...outcome.value, ...unmarked, error: null });
      } else if (isStop(outcome.error) && signal?.aborted) {
        throw signal.reason;
      } else {
        const stopped = instance !== undefined && instance.status !== "running";
        rows.set(outcome.instanceID, {
          ...base,
          ...empty,
          ...unmarked,
          error: stopped
            ? `The instance is ${instance.status}: its figures cannot be read until it runs ` +
              "(a previous report gives its last known ones)."
            : instanceErrorLine(outcome.error, options.instanceTimeoutMs),
        });
      }
    }
  }
  // Stopped early: the instances not read are rows too, so that the file says what is missing.
  let incomplete = false;
  for (const instance of found) {
    if (rows.has(instance.instanceID)) continue;
    incomplete = true;
    rows.set(
      instance.instanceID,
      unread(instance, "Not read: the report was stopped before this instance."),
    );
  }
  signal?.throwIfAborted();
  const previous = options.previous;
  const everything = options.instances === undefined || options.instances === "*";
  const compared = previous === undefined
    ? [...rows.values()]
    : compareRows([...rows.values()], previous, everything);
  const instances = compared.sort((a, b) => a.instanceID.localeCompare(b.instanceID, "en"));
  const totals = sumFigures(instances);
  return {
    generatedAt,
    instances,
    totals: {
      instances: instances.length,
      failed: instances.filter((row) => row.error !== null && !row.lastKnown).length,
      lastKnown: instances.filter((row) => row.lastKnown).length,
      ...totals,
      ...(previous === undefined ? {} : {
        change: difference(
          totals,
          sumFigures(
            previous.filter((row) =>
              instances.some((now) => now.instanceID.toLowerCase() === row.instanceID.toLowerCase())
            ),
          ),
        ),
      }),
    },
    incomplete,
  };
}

/** The sums of the figures; rows without figures count as 0. */
function sumFigures(rows: readonly UsageFigures[]): Figures {
  return Object.fromEntries(
    FIGURES.map((key) => [key, rows.reduce((total, row) => total + (row[key] ?? 0), 0)]),
  ) as Figures;
}

/**
 * The rows compared with the previous report's: the change of each, `new` and `gone` marked, and
 * the last known figures for an instance that has none now.
 */
function compareRows(
  rows: readonly InstanceUsage[],
  previous: readonly PreviousUsage[],
  everything: boolean,
): InstanceUsage[] {
  const before = new Map(previous.map((row) => [row.instanceID.toLowerCase(), row]));
  const result = rows.map((row): InstanceUsage => {
    const old = before.get(row.instanceID.toLowerCase());
    before.delete(row.instanceID.toLowerCase());
    if (old === undefined) {
      return { ...row, compared: "new", change: difference(row, null) };
    }
    // A stopped instance cannot be read; it is billed with what it had when it last could be.
    const lastKnown = row.users === null && row.status !== "unknown" &&
      FIGURES.some((key) => old[key] !== null);
    const figures: UsageFigures = lastKnown
      ? {
        users: old.users,
        archiveSizeMiB: old.archiveSizeMiB,
        messages: old.messages,
        stores: old.stores,
      }
      : row;
    return {
      ...row,
      ...figures,
      error: lastKnown
        ? `The instance is ${row.status}: these are its last known figures, from the previous report.`
        : row.error,
      lastKnown,
      compared: "present",
      change: difference(figures, old),
    };
  });
  if (everything) {
    for (const old of before.values()) {
      result.push({
        instanceID: old.instanceID,
        displayName: old.displayName ?? "",
        status: "gone",
        users: null,
        archiveSizeMiB: null,
        messages: null,
        stores: null,
        lastKnown: false,
        compared: "gone",
        change: difference(null, old),
        error: null,
      });
    }
  }
  return result;
}
