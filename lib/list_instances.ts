/**
 * {@linkcode listInstances}: which tenant instances a selection names, with one `GetInstances`.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { ArgumentError } from "./errors.ts";
import { invokeCall } from "./invoke_call.ts";
import type { Instance } from "./results.ts";

/**
 * What {@linkcode listInstances} found.
 *
 * @example
 * ```ts
 * import type { InstanceList } from "@mspe/mspe";
 * function summary(list: InstanceList): string {
 *   return `${list.found.length} found, unknown: ${list.missing.join(", ") || "none"}`;
 * }
 * console.log(summary({ found: [], missing: ["acme"] }));
 * ```
 */
export interface InstanceList {
  /** The instances found, in the server's order, as `GetInstances` returns them. */
  readonly found: readonly Instance[];
  /**
   * The IDs of an explicit list that the server does not know, as they were given (duplicates left
   * out). Always empty for a filter.
   */
  readonly missing: readonly string[];
}

/**
 * Options of {@linkcode listInstances}.
 *
 * @example
 * ```ts
 * import type { ListInstancesOptions } from "@mspe/mspe";
 * const options: ListInstancesOptions = { signal: AbortSignal.timeout(30_000) };
 * console.log(options.signal?.aborted);
 * ```
 */
export interface ListInstancesOptions {
  /** Aborts the `GetInstances` call; the promise then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Checks a selection: a non-empty filter, or a list of non-empty IDs (also for forEachInstance). */
export function checkSelection(selection: unknown): string | readonly string[] {
  if (typeof selection === "string") {
    if (selection.trim() === "") {
      throw new ArgumentError(
        'The instance filter is empty. Give "*" for every instance, or a filter such as "acme*".',
      );
    }
    return selection;
  }
  if (!Array.isArray(selection)) {
    throw new ArgumentError(
      'The instances must be an instance filter ("*", "acme*") or a list of instance IDs.',
    );
  }
  for (const [index, id] of selection.entries()) {
    if (typeof id !== "string" || id.trim() === "") {
      throw new ArgumentError(
        `instances[${index}] is not an instance ID: ${JSON.stringify(id) ?? String(id)}.`,
      );
    }
  }
  return selection as readonly string[];
}

/**
 * Lists the instances a selection names, with one `GetInstances` call (read-only): those matching an
 * `instanceFilter` such as `"*"` or `"acme*"`, or those of an explicit list of IDs, compared without
 * regard to case as SPE compares them, plus the listed IDs the server does not know. The one place
 * where the library (fleet runs, reports) decides "which instances".
 *
 * @param client An SPE client from {@linkcode newClient}.
 * @param selection An instance filter (default `"*"`, every instance) or a list of instance IDs.
 * @param options A signal.
 * @returns The instances found in the server's order, and the IDs asked for that it does not know.
 * @throws {ArgumentError} For a MailStore Server client (it has no instances), an empty filter, or
 * a list entry that is not an ID; nothing is sent then.
 *
 * @example Every instance whose ID starts with "acme"
 * ```ts
 * import { listInstances, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const { found } = await listInstances(client, "acme*");
 * console.log(found.map((instance) => `${instance.instanceID} (${instance.status})`));
 * ```
 *
 * @example Instances named in a file, one ID a line
 * ```ts
 * import { listInstances, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const ids = (await Deno.readTextFile("instances.txt")).split("\n").filter((line) => line.trim());
 * const { found, missing } = await listInstances(client, ids, { signal: AbortSignal.timeout(30_000) });
 * if (missing.length > 0) console.error(`Unknown instances: ${missing.join(", ")}`);
 * console.log(found.length, "instances");
 * ```
 */
export async function listInstances(
  client: Client,
  selection: string | readonly string[] = "*",
  options: ListInstancesOptions = {},
): Promise<InstanceList> {
  if (client.product !== "spe") {
    throw new ArgumentError(
      "Listing instances needs an SPE client: MailStore Server has no instances.",
    );
  }
  const checked = checkSelection(selection);
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ArgumentError("signal must be an AbortSignal.");
  }
  if (typeof checked !== "string" && checked.length === 0) return { found: [], missing: [] };
  const spe = client as Client<"spe">;
  // A list is matched against every instance: one request, whatever the list's length.
  const filter = typeof checked === "string" ? checked : "*";
  const status = await invokeCall(spe, "GetInstances", { instanceFilter: filter }, { signal });
  const all = status.result ?? [];
  if (typeof checked === "string") return { found: all, missing: [] };
  const wanted = new Map<string, string>();
  for (const id of checked) {
    const key = id.toLowerCase();
    if (!wanted.has(key)) wanted.set(key, id);
  }
  const found = all.filter((instance) => wanted.delete(instance.instanceID.toLowerCase()));
  return { found, missing: [...wanted.values()] };
}
