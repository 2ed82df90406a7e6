/**
 * What the health and usage reports share: listing the instances a report covers, the API's date
 * format, and one line of text for an error.
 *
 * @module
 */

import type { Client } from "./client.ts";
import { ArgumentError } from "./errors.ts";
import { invokeCall } from "./invoke_call.ts";
import type { Instance } from "./results.ts";

/** The instances a report covers: those found, and the IDs asked for that the server does not know. */
export interface ReportInstances {
  /** The instances found, in the server's order. */
  readonly found: readonly Instance[];
  /** IDs from an explicit list that `GetInstances` did not return. */
  readonly missing: readonly string[];
}

/**
 * Lists the instances a report covers: those matching an `instanceFilter` (default `*`), or the
 * instances of an explicit list of IDs (compared case-insensitively, as SPE does).
 */
export async function listReportInstances(
  client: Client<"spe">,
  selection: string | readonly string[] | undefined,
  signal: AbortSignal | undefined,
): Promise<ReportInstances> {
  if (client.product !== "spe") {
    throw new ArgumentError(
      "The fleet reports need an SPE client: MailStore Server has no instances.",
    );
  }
  const filter = typeof selection === "string" ? selection : "*";
  if (filter.trim() === "") {
    throw new ArgumentError('The instance filter is empty. Give "*" for every instance.');
  }
  const status = await invokeCall(client, "GetInstances", { instanceFilter: filter }, { signal });
  const all = status.result ?? [];
  if (typeof selection === "string" || selection === undefined) return { found: all, missing: [] };
  const byID = new Map(all.map((instance) => [instance.instanceID.toLowerCase(), instance]));
  const found: Instance[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const id of selection) {
    const key = id.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const instance = byID.get(key);
    if (instance) found.push(instance);
    else missing.push(id);
  }
  return { found, missing };
}

/** A date as the API takes it: `YYYY-MM-DDThh:mm:ss`, here in UTC (with `timeZoneID` "UTC"). */
export function apiDate(date: Date): string {
  return date.toISOString().slice(0, 19);
}

/** A date the API returned in UTC (no zone suffix), as a `Date`; `null` when it is not one. */
export function fromApiDate(text: unknown): Date | null {
  if (typeof text !== "string" || text === "") return null;
  const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The one line an error adds to a report: its message, first line only. */
export function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split(/\r?\n/, 1)[0] ?? "").trim();
}

/** True for the errors that stop a whole report: an abort or a timeout. */
export function isStop(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
