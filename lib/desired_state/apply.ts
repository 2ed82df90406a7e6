/**
 * Applying a plan: the changes of {@linkcode planState}, in dependency order, each
 * state-changing call sent at most once.
 *
 * @module
 */

import type { Client } from "../client.ts";
import { ConnectionError, HttpError } from "../errors.ts";
import type { FleetProgress } from "../fleet.ts";
import { callsOf } from "./_calls.ts";
import { call, eachInstance, instanceStatus } from "./_read.ts";
import {
  closesAccess,
  isTrailing,
  type PlannedChange,
  planOne,
  type StatePlan,
  type TenantPlan,
} from "./plan.ts";
import type { SecretSource } from "./types.ts";

/**
 * How a change ended: `done`; `failed` (the server refused it); `not-sent` (nothing was sent: an
 * earlier change of the instance failed, the connection failed before the request, or a delete
 * without `prune`); `may-have-run` (the connection broke after the request was written: look at
 * the resource before running apply again).
 */
export type ChangeOutcome = "done" | "failed" | "not-sent" | "may-have-run";

/**
 * One row of an apply: the change and how it ended.
 *
 * @example
 * ```ts
 * import type { ChangeResult } from "@mspe/mspe";
 * const row: ChangeResult = {
 *   instanceID: "acme",
 *   kind: "user",
 *   resource: "jdoe",
 *   action: "create",
 *   outcome: "done",
 * };
 * console.log(`${row.instanceID} ${row.resource} ${row.action}: ${row.outcome}`);
 * ```
 */
export interface ChangeResult {
  /** The instance. */
  readonly instanceID: string;
  /** The kind of resource. */
  readonly kind: PlannedChange["kind"];
  /** The resource. */
  readonly resource: string;
  /** What was to happen to it. */
  readonly action: PlannedChange["action"];
  /** How it ended. */
  readonly outcome: ChangeOutcome;
  /** Why it did not end `done`: one line that names the resource to look at. */
  readonly error?: string | undefined;
}

/** Options of {@linkcode applyPlan}. */
export interface ApplyPlanOptions {
  /**
   * Reads a secret (a new user's initial password) from where the file says; `where` names the
   * user, for a prompt. Without it, creating a user with an initial password fails.
   */
  readonly readSecret?: ((source: SecretSource, where: string) => Promise<string>) | undefined;
  /**
   * Make the deletes (the users, jobs and stores the file does not list, and instances, for
   * `prune: true`). Without it they end `not-sent`: deleting needs a yes of its own.
   */
  readonly prune?: boolean | undefined;
  /**
   * As planState's `sendSecrets`, for the instances planned only once apply has
   * started them (new, stopped or closed ones).
   */
  readonly sendSecrets?: boolean | undefined;
  /** At most this many instances are changed at once (default 8). */
  readonly concurrency?: number | undefined;
  /** Aborts: no further change starts, and the calls in flight are aborted (they may have run). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Stops gently (the CLI's Ctrl-C): no further change starts (its row says `not-sent`), the calls
   * in flight run to their end.
   */
  readonly stop?: AbortSignal | undefined;
  /** Called with each result as it comes. */
  readonly onResult?: ((result: ChangeResult) => void) | undefined;
  /** Called as instances finish. */
  readonly onProgress?: ((progress: FleetProgress) => void) | undefined;
}

/**
 * What an apply did: one row per change and a count per outcome.
 *
 * @example
 * ```ts
 * import type { ApplyResult } from "@mspe/mspe";
 * const result: ApplyResult = { results: [], summary: { done: 0, failed: 0, "not-sent": 0, "may-have-run": 0 } };
 * console.log(result.summary.failed === 0);
 * ```
 */
export interface ApplyResult {
  /** One row per change, by instance in the plan's order. */
  readonly results: readonly ChangeResult[];
  /** How many changes ended each way. */
  readonly summary: { readonly [O in ChangeOutcome]: number };
}

/** The resource of a change in words, such as `user jdoe of instance acme`. */
function resourceName(change: PlannedChange): string {
  const of = `of instance ${change.instanceID}`;
  switch (change.kind) {
    case "instance":
      return `instance ${change.instanceID}`;
    case "user":
    case "job":
    case "store":
    case "profile":
      return `${change.kind} ${change.resource} ${of}`;
    case "folderPrivileges":
      return `the folder privileges of user ${change.resource} ${of}`;
    default:
      return `the configuration ${change.resource} ${of}`;
  }
}

/** How a call that threw ended, and the line that says what to look at. */
function failure(error: unknown, change: PlannedChange, fn: string): ChangeResult {
  const what = resourceName(change);
  const message = (error instanceof Error ? error.message : String(error)).split(/\r?\n/, 1)[0];
  const uncertain = (error instanceof ConnectionError && error.mayHaveRun) ||
    (error instanceof HttpError && (error.status === 502 || error.status === 504)) ||
    (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"));
  const notSent = error instanceof ConnectionError && !error.mayHaveRun;
  const outcome: ChangeOutcome = uncertain ? "may-have-run" : notSent ? "not-sent" : "failed";
  return {
    ...rowOf(change),
    outcome,
    error: uncertain
      ? `${fn} may or may not have run (${message}): look at ${what}, or run plan, before apply again.`
      : `${fn} failed for ${what}: ${message}`,
  };
}

function rowOf(change: PlannedChange): Omit<ChangeResult, "outcome"> {
  return {
    instanceID: change.instanceID,
    kind: change.kind,
    resource: change.resource,
    action: change.action,
  };
}

/** Makes the changes of one instance in order; after a failure the rest are not sent. */
async function applyTenant(
  client: Client,
  tenant: TenantPlan,
  options: ApplyPlanOptions,
  signal: AbortSignal,
): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  const report = (result: ChangeResult): void => {
    results.push(result);
    options.onResult?.(result);
  };
  let changes = [...tenant.changes];
  let stopped: string | undefined;
  let failed = false;
  let replanned = tenant.deferred !== true;
  // Deletes planned only after the instance started: the prune question never named them.
  const unconfirmed = new Set<PlannedChange>();
  while (changes.length > 0) {
    const change = changes.shift()!;
    if (stopped === undefined && options.stop?.aborted) {
      stopped = "Not sent: apply was stopped before this change started.";
    }
    // Closing service provider access is made even after a failure: left open, the instance
    // would stay open to the provider's administrators until the next apply.
    const closeAnyway = failed && closesAccess(change) && options.stop?.aborted !== true;
    if (stopped !== undefined && !closeAnyway) {
      report({ ...rowOf(change), outcome: "not-sent", error: stopped });
      continue;
    }
    if (change.action === "delete" && (options.prune !== true || unconfirmed.has(change))) {
      report({
        ...rowOf(change),
        outcome: "not-sent",
        error: unconfirmed.has(change)
          ? `Not deleted: ${resourceName(change)} was planned for deletion only once the ` +
            "instance ran, after the prune question; run apply again to see and confirm it."
          : `Not deleted: deleting ${resourceName(change)} needs the prune confirmation.`,
      });
      continue;
    }
    let fn = "";
    try {
      let previous: unknown;
      for (const [name, args] of await callsOf(client, change, options.readSecret, signal)) {
        fn = name;
        previous = await call(
          client,
          name,
          typeof args === "function" ? args(previous) : args,
          signal,
        );
      }
    } catch (error) {
      report(failure(error, change, fn || "Preparing the change"));
      stopped ??= `Not sent: an earlier change of instance ${change.instanceID} did not succeed.`;
      failed = true;
      continue;
    }
    // A stopped, new or closed instance answers no user or configuration call: once it runs
    // with service provider access, they are read and planned (read-only) and made in the same
    // run; stopping and closing access again stay last. The instance's row waits for that read,
    // so that a change whose rest could not be planned is one row that says so.
    if (replanned || change.kind !== "instance" || isTrailing(change)) {
      report({ ...rowOf(change), outcome: "done" });
      continue;
    }
    replanned = true;
    const unread = (why: string): ChangeResult => ({
      ...rowOf(change),
      outcome: "failed",
      error: `Instance ${tenant.instanceID} was changed, but ${why}: its users, stores, jobs, ` +
        "profiles and configuration were not planned. Run plan, then apply again.",
    });
    try {
      const listed = await instanceStatus(client, tenant.instanceID, signal);
      if (listed?.status !== "running") {
        report(unread(`it is ${String(listed?.status ?? "gone")} after it`));
        stopped ??= `Not sent: instance ${tenant.instanceID} does not run.`;
        failed = true;
        continue;
      }
      const again = await planOne(client, tenant.desired, listed, signal, options);
      report({ ...rowOf(change), outcome: "done" });
      changes = [];
      for (const next of again.changes) {
        if (next.action === "delete") unconfirmed.add(next);
        if (next.kind !== "instance" || isTrailing(next)) changes.push(next);
        // What the instance change should have set and the server did not take: sending the
        // same call again would be a second try of a state-changing call.
        else report(untaken(next));
      }
    } catch (error) {
      report(unread(
        `reading it afterwards failed (${
          error instanceof Error ? error.message.split(/\r?\n/, 1)[0] : String(error)
        })`,
      ));
      stopped ??= `Not sent: instance ${tenant.instanceID} could not be read after its change.`;
      failed = true;
    }
  }
  return results;
}

/** The row of an instance change the server did not take (the plan after it still shows it). */
function untaken(change: PlannedChange): ChangeResult {
  return {
    ...rowOf(change),
    outcome: "failed",
    error: `Instance ${change.instanceID} still differs after its change (${
      change.fields.map((field) => field.field).join(", ")
    }): the server did not take it. Look at the instance, then run plan.`,
  };
}

/**
 * Makes the changes of a plan: per instance in dependency order (the instance before its
 * configuration, users before their privileges), instances side by side (at most `concurrency`).
 * Each state-changing call is sent at most once; after a change that did not succeed, the rest of
 * that instance's changes are not sent. An interrupted apply is safe to run again: plan again and
 * apply what is left. A new or stopped instance's users and configuration are read and made once
 * apply has started it.
 *
 * @example
 * ```ts
 * import { applyPlan, newClient, parseStateFile, planState } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const desired = await parseStateFile(await Deno.readTextFile("tenants.json"), {
 *   file: "tenants.json",
 *   readTextFile: Deno.readTextFile,
 * });
 * const plan = await planState(client, desired);
 * const applied = await applyPlan(client, plan, {
 *   readSecret: async (source) => "file" in source ? (await Deno.readTextFile(source.file)).trim() : "",
 *   onResult: (row) => console.log(row.instanceID, row.resource, row.action, row.outcome),
 * });
 * console.log(applied.summary); // { done: 3, failed: 0, "not-sent": 0, "may-have-run": 0 }
 * ```
 */
export async function applyPlan(
  client: Client,
  plan: StatePlan,
  options: ApplyPlanOptions = {},
): Promise<ApplyResult> {
  const busy = plan.tenants.filter((tenant) => tenant.changes.length > 0);
  const byID = new Map(busy.map((tenant) => [tenant.instanceID, tenant]));
  const done = await eachInstance(
    client,
    busy.map((tenant) => tenant.instanceID),
    (instanceID, signal) => applyTenant(client, byID.get(instanceID)!, options, signal),
    options,
  );
  // A stopped run never starts some instances: their changes are rows too, not sent.
  const results = busy.flatMap((tenant) => {
    const rows = done.get(tenant.instanceID);
    if (rows !== undefined) return rows;
    return tenant.changes.map((change): ChangeResult => {
      const row: ChangeResult = {
        ...rowOf(change),
        outcome: "not-sent",
        error: "Not sent: apply was stopped before this instance started.",
      };
      options.onResult?.(row);
      return row;
    });
  });
  const summary = { done: 0, failed: 0, "not-sent": 0, "may-have-run": 0 };
  for (const result of results) summary[result.outcome]++;
  return { results, summary };
}
