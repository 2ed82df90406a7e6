/**
 * What each tenant uses, for billing: users, archive size, messages and stores per instance, with
 * totals. See {@linkcode usageReport}.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { type FleetProgress, forEachInstance } from "./fleet.ts";
import { invokeCall } from "./invoke_call.ts";
import { errorLine, isStop } from "./_reports.ts";
import { listInstances } from "./list_instances.ts";

/**
 * One instance's usage in a {@linkcode UsageReport}. The figures are `null` when they could not be
 * read; `error` says why.
 *
 * @example
 * ```ts
 * import type { InstanceUsage } from "@mspe/mspe";
 * function line(row: InstanceUsage): string {
 *   return row.error ?? `${row.instanceID}: ${row.users} users, ${row.archiveSizeMB} MB`;
 * }
 * ```
 */
export interface InstanceUsage {
  /** The instance ID. */
  readonly instanceID: string;
  /** Its display name. */
  readonly displayName: string;
  /** Its state (`running`, `stopped`, ...). */
  readonly status: string;
  /** Users, not counting the built-in `$archiveadmin`. */
  readonly users: number | null;
  /** The size of the archive in MB (`totalSizeMB` of GetInstanceStatistics: content, database, indexes). */
  readonly archiveSizeMB: number | null;
  /** Archived messages. */
  readonly messages: number | null;
  /** Archive stores. */
  readonly stores: number | null;
  /** Why figures are missing, or `null`. */
  readonly error: string | null;
}

/**
 * The sums over the instances of a {@linkcode UsageReport}; instances without figures count as 0.
 *
 * @example
 * ```ts
 * import type { UsageTotals } from "@mspe/mspe";
 * const totals: UsageTotals = {
 *   instances: 2, failed: 0, users: 40, archiveSizeMB: 1024, messages: 90_000, stores: 6,
 * };
 * console.log(totals.users);
 * ```
 */
export interface UsageTotals {
  /** Instances in the report. */
  readonly instances: number;
  /** Of those, how many have no figures (see their `error`). */
  readonly failed: number;
  /** Users, `$archiveadmin` not counted. */
  readonly users: number;
  /** Archive size in MB. */
  readonly archiveSizeMB: number;
  /** Archived messages. */
  readonly messages: number;
  /** Archive stores. */
  readonly stores: number;
}

/**
 * The result of {@linkcode usageReport}.
 *
 * @example
 * ```ts
 * import type { UsageReport } from "@mspe/mspe";
 * function biggest(report: UsageReport): string | undefined {
 *   return [...report.instances].sort((a, b) => (b.archiveSizeMB ?? 0) - (a.archiveSizeMB ?? 0))[0]
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
export interface UsageReportOptions {
  /** An `instanceFilter` (`*`, `acme*`) or a list of instance IDs. Default `*`. */
  readonly instances?: string | readonly string[] | undefined;
  /** Instances read at once (each makes one call at a time). Default 8. */
  readonly concurrency?: number | undefined;
  /** Aborts the report; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Progress over the instances (done, failed, total). */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
}

const ARCHIVE_ADMIN = "$archiveadmin";

interface Figures {
  readonly users: number;
  readonly archiveSizeMB: number;
  readonly messages: number;
  readonly stores: number;
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
    archiveSizeMB: statistics?.totalSizeMB ?? 0,
    messages: statistics?.numberOfMessages ?? 0,
    stores: stores.length,
  };
}

/**
 * Reads what each instance uses, for billing: users (not counting `$archiveadmin`), archive size
 * in MB and messages (`GetInstanceStatistics`), and archive stores, with totals. The instances are
 * read through {@linkcode forEachInstance}, `concurrency` at a time; an instance whose figures
 * cannot be read (stopped, service provider access disabled) gets a row with `null` figures and the
 * `error`, and the others go on. An error that stops the whole report (wrong password, unreachable
 * server, abort) rejects the promise.
 *
 * @param client An SPE client from {@linkcode newClient}.
 * @param options Which instances, the bound, a signal.
 * @returns One row per instance, sorted by ID, and the totals.
 * @throws {ArgumentError} For a bad `instances` or `concurrency`, or a MailStore Server client.
 *
 * @example Users and gigabytes per tenant
 * ```ts
 * import { newClient, usageReport } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "secret" });
 * const report = await usageReport(client, { concurrency: 16 });
 * for (const row of report.instances) {
 *   console.log(row.instanceID, row.users, ((row.archiveSizeMB ?? 0) / 1024).toFixed(1), "GB");
 * }
 * console.log("total", report.totals.users, "users", report.totals.archiveSizeMB, "MB");
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
  const empty = { users: null, archiveSizeMB: null, messages: null, stores: null };
  for (const id of missing) {
    rows.set(id, {
      instanceID: id,
      displayName: "",
      status: "unknown",
      ...empty,
      error: "No instance has this ID.",
    });
  }
  const byID = new Map(found.map((instance) => [instance.instanceID, instance]));
  if (found.length > 0) {
    const outcomes = forEachInstance(
      client,
      (id, context) => readFigures(client, id, context.signal),
      {
        instances: found.map((instance) => instance.instanceID),
        concurrency: options.concurrency,
        signal,
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
        rows.set(outcome.instanceID, { ...base, ...outcome.value, error: null });
      } else if (isStop(outcome.error) && signal?.aborted) {
        throw signal.reason;
      } else {
        rows.set(outcome.instanceID, { ...base, ...empty, error: errorLine(outcome.error) });
      }
    }
  }
  signal?.throwIfAborted();
  const instances = [...rows.values()].sort((a, b) =>
    a.instanceID.localeCompare(b.instanceID, "en")
  );
  const sum = (pick: (row: InstanceUsage) => number | null) =>
    instances.reduce((total, row) => total + (pick(row) ?? 0), 0);
  return {
    generatedAt,
    instances,
    totals: {
      instances: instances.length,
      failed: instances.filter((row) => row.error !== null).length,
      users: sum((row) => row.users),
      archiveSizeMB: sum((row) => row.archiveSizeMB),
      messages: sum((row) => row.messages),
      stores: sum((row) => row.stores),
    },
  };
}
