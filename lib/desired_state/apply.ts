/**
 * Applying a plan: the changes of {@linkcode planState}, in dependency order, each
 * state-changing call sent at most once.
 *
 * @module
 */

import type { Client } from "../client.ts";
import { ConnectionError, HttpError } from "../errors.ts";
import type { FleetProgress } from "../fleet.ts";
import type { UncheckedArgs } from "../function_names.ts";
import { call, eachInstance, type Fields, instanceStatuses } from "./_read.ts";
import { type PlannedChange, planOne, type StatePlan, type TenantPlan } from "./plan.ts";
import { CONFIG_KINDS, type ConfigKind, type SecretSource, type UserSettings } from "./types.ts";

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
   * Make the deletes (users the file does not list, for `prune: true`). Without it they end
   * `not-sent`: deleting needs a yes of its own.
   */
  readonly prune?: boolean | undefined;
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

/** How a call that threw ended, and the line that says what to look at. */
function failure(error: unknown, change: PlannedChange, fn: string): ChangeResult {
  const what = change.kind === "instance"
    ? `instance ${change.instanceID}`
    : `${
      change.kind === "user" || change.kind === "job" ? change.kind : "the configuration"
    } ${change.resource} of instance ${change.instanceID}`;
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

/** A list argument as the server takes it: comma separated, `none` for an empty list. */
function listArg(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(",") : "none";
}

/**
 * One call of a change: the function and its arguments, or a function of the result of the call
 * before it (a new job's ID).
 */
type PlannedCall = [string, UncheckedArgs | ((previous: unknown) => UncheckedArgs)];

/** The calls that make a job as the change says. */
function jobCalls(change: PlannedChange): PlannedCall[] {
  const { instanceID } = change;
  const fields = Object.fromEntries(change.fields.map((field) => [field.field, field.new]));
  const schedule = (fields.schedule ?? {}) as UncheckedArgs;
  if (change.action === "delete") {
    return [["DeleteJob", { instanceID, id: String(change.jobID) }]];
  }
  if (change.action === "create") {
    const calls: PlannedCall[] = [["CreateJob", {
      instanceID,
      name: change.resource,
      action: fields.action as string,
      ...schedule,
    }]];
    if (fields.enabled === false) {
      calls.push(["SetJobEnabled", (id) => ({ instanceID, id: Number(id), enabled: false })]);
    }
    return calls;
  }
  const calls: PlannedCall[] = [];
  const id = change.jobID ?? 0;
  if (fields.schedule !== undefined) {
    calls.push(["SetJobSchedule", { instanceID, id, ...schedule }]);
  }
  if (fields.enabled !== undefined) {
    calls.push(["SetJobEnabled", { instanceID, id, enabled: fields.enabled as boolean }]);
  }
  return calls;
}

/** The calls of one change, in order; each is sent once. */
async function callsOf(
  client: Client,
  change: PlannedChange,
  options: ApplyPlanOptions,
  signal: AbortSignal,
): Promise<PlannedCall[]> {
  const { instanceID } = change;
  if (change.kind === "job") return jobCalls(change);
  const fields = Object.fromEntries(change.fields.map((field) => [field.field, field.new]));
  if (change.kind === "instance") {
    const { status, ...config } = fields;
    const calls: PlannedCall[] = [];
    // The server moves only a stopped instance to another host: a running one is stopped for the
    // move and started again (unless the file wants it stopped).
    const restart = change.action === "change" && config.instanceHost !== undefined &&
      status === undefined &&
      (await instanceStatuses(client, signal)).get(instanceID.toLowerCase())?.status ===
        "running";
    if ((status === "stopped" && change.action === "change") || restart) {
      calls.push(["StopInstances", { instanceFilter: instanceID }]);
    }
    if (change.action === "create") {
      calls.push(["CreateInstance", { config: { instanceID, ...config } as UncheckedArgs }]);
    } else if (Object.keys(config).length > 0) {
      calls.push(["SetInstanceConfiguration", {
        config: { instanceID, ...config } as UncheckedArgs,
      }]);
    }
    if (restart) calls.push(["StartInstances", { instanceFilter: instanceID }]);
    if (status === "running") calls.push(["StartInstances", { instanceFilter: instanceID }]);
    return calls;
  }
  if (change.kind !== "user") {
    const kind = CONFIG_KINDS[change.kind as ConfigKind];
    // The Set functions replace the whole object: the current one is the template (read-only).
    const current = await call(client, kind.get, { instanceID }, signal) as Fields | null;
    return [[kind.set, { instanceID, [kind.arg]: { ...current, ...fields } as UncheckedArgs }]];
  }
  const userName = change.resource;
  if (change.action === "delete") return [["DeleteUser", { instanceID, userName }]];
  const user = fields as Partial<UserSettings>;
  if (change.action === "create") {
    const args: Record<string, unknown> = {
      instanceID,
      userName,
      privileges: listArg(user.privileges),
      fullName: user.fullName ?? undefined,
      distinguishedName: user.distinguishedName ?? undefined,
      authentication: user.authentication,
      loginPrivileges: user.loginPrivileges === undefined
        ? undefined
        : listArg(user.loginPrivileges),
    };
    if (change.secret !== undefined) {
      if (options.readSecret === undefined) {
        throw new Error("no way to read the initial password was given (readSecret)");
      }
      args.password = await options.readSecret(
        change.secret,
        `user ${userName} of instance ${instanceID}`,
      );
    }
    const calls: PlannedCall[] = [["CreateUser", args as UncheckedArgs]];
    if (user.emailAddresses !== undefined && user.emailAddresses.length > 0) {
      calls.push(["SetUserEmailAddresses", {
        instanceID,
        userName,
        emailAddresses: user.emailAddresses.join(","),
      }]);
    }
    return calls;
  }
  const calls: PlannedCall[] = [];
  const on = { instanceID, userName };
  for (const [field, value] of Object.entries(user)) {
    if (field === "fullName") calls.push(["SetUserFullName", { ...on, fullName: value as string }]);
    if (field === "distinguishedName") {
      calls.push(["SetUserDistinguishedName", { ...on, distinguishedName: value as string }]);
    }
    if (field === "authentication") {
      calls.push(["SetUserAuthentication", { ...on, authentication: value as string }]);
    }
    if (field === "emailAddresses") {
      // The server clears the list when the argument is left out.
      const addresses = (value as string[]).join(",");
      calls.push(["SetUserEmailAddresses", {
        ...on,
        ...(addresses === "" ? {} : { emailAddresses: addresses }),
      }]);
    }
    if (field === "privileges") {
      calls.push(["SetUserPrivileges", { ...on, privileges: listArg(value) }]);
    }
    if (field === "loginPrivileges") {
      calls.push(["SetUserLoginPrivileges", { ...on, loginPrivileges: listArg(value) }]);
    }
  }
  return calls;
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
  let replanned = tenant.notes.length === 0;
  while (changes.length > 0) {
    const change = changes.shift()!;
    if (stopped === undefined && options.stop?.aborted) {
      stopped = "Not sent: apply was stopped before this change started.";
    }
    if (stopped !== undefined) {
      report({ ...rowOf(change), outcome: "not-sent", error: stopped });
      continue;
    }
    if (change.action === "delete" && options.prune !== true) {
      report({
        ...rowOf(change),
        outcome: "not-sent",
        error:
          `Not deleted: deleting ${change.kind} ${change.resource} needs the prune confirmation.`,
      });
      continue;
    }
    let fn = "";
    try {
      let previous: unknown;
      for (const [name, args] of await callsOf(client, change, options, signal)) {
        fn = name;
        previous = await call(
          client,
          name,
          typeof args === "function" ? args(previous) : args,
          signal,
        );
      }
      report({ ...rowOf(change), outcome: "done" });
    } catch (error) {
      report(failure(error, change, fn || "Preparing the change"));
      stopped = `Not sent: an earlier change of instance ${change.instanceID} did not succeed.`;
      continue;
    }
    // A stopped or new instance answers no user or configuration call: once it runs, they are
    // read and planned (read-only) and made in the same run.
    if (!replanned && change.kind === "instance" && changes.length === 0) {
      replanned = true;
      try {
        const listed = (await instanceStatuses(client, signal)).get(
          tenant.instanceID.toLowerCase(),
        );
        if (listed?.status === "running") {
          const again = await planOne(client, tenant.desired, listed, signal);
          changes = again.changes.filter((next) => next.kind !== "instance");
        }
      } catch (error) {
        // The instance change is done; what follows it is for the next plan to show.
        report({
          ...rowOf(change),
          outcome: "failed",
          error: `Reading instance ${tenant.instanceID} after its start failed (${
            error instanceof Error ? error.message.split(/\r?\n/, 1)[0] : String(error)
          }): run plan to see its users, jobs and configuration, then apply again.`,
        });
      }
    }
  }
  return results;
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
  const results = busy.flatMap((tenant) =>
    done.get(tenant.instanceID) ??
      tenant.changes.map((change): ChangeResult => ({
        ...rowOf(change),
        outcome: "not-sent",
        error: "Not sent: apply was stopped before this instance started.",
      }))
  );
  const summary = { done: 0, failed: 0, "not-sent": 0, "may-have-run": 0 };
  for (const result of results) summary[result.outcome]++;
  return { results, summary };
}
