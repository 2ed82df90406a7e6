/**
 * What the health and usage reports share: the API's date format, and one line of text for an
 * error. Which instances a report covers is {@linkcode listInstances}'s business.
 *
 * @module
 */

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
