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

/** How long one instance may take in a report, unless `instanceTimeoutMs` says otherwise. */
export const DEFAULT_INSTANCE_TIMEOUT_MS = 300_000;

/**
 * The signal of one instance's calls in a report: the run's, and the instance's own time limit, so
 * that one instance that hangs cannot hold the whole report.
 */
export function instanceSignal(run: AbortSignal, timeoutMs: number | undefined): AbortSignal {
  return AbortSignal.any([run, AbortSignal.timeout(timeoutMs ?? DEFAULT_INSTANCE_TIMEOUT_MS)]);
}

/** An instance's error in a report: its time limit named, else the error's first line. */
export function instanceErrorLine(error: unknown, timeoutMs: number | undefined): string {
  if (error instanceof Error && error.name === "TimeoutError") {
    const seconds = Math.round((timeoutMs ?? DEFAULT_INSTANCE_TIMEOUT_MS) / 1000);
    return `It did not answer within the instance time limit (${seconds} s).`;
  }
  return errorLine(error);
}
