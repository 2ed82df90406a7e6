/**
 * Acknowledgements of health findings: a tenant stopped on purpose, a known problem until a date.
 * An acknowledged finding is still reported, with who acknowledged it and why, but does not raise
 * the status of a {@linkcode healthReport}; after its `until` it counts again, and says that its
 * acknowledgement expired. See {@linkcode parseAcknowledgements}.
 *
 * @module
 */

import { ArgumentError } from "./errors.ts";
import { HEALTH_FINDING_KINDS, type HealthFindingKind } from "./_health_kinds.ts";

/**
 * One acknowledgement: the findings of one kind (or `*`, every kind) on one instance (or `*`,
 * every instance and the service) are known and need no alert until `until`.
 *
 * @example
 * ```ts
 * import type { HealthAcknowledgement } from "@mspe/mspe";
 * const ack: HealthAcknowledgement = {
 *   instanceID: "umbrella",
 *   kind: "instanceNotRunning",
 *   until: "2026-12-31",
 *   reason: "Contract ended; data kept until the end of the year.",
 *   who: "j.doe",
 * };
 * console.log(ack.until);
 * ```
 */
export interface HealthAcknowledgement {
  /** The instance (compared case-insensitively, as SPE does), or `*` for every one. */
  readonly instanceID: string;
  /** The kind of finding, or `*` for every kind. */
  readonly kind: HealthFindingKind | "*";
  /**
   * The last day (`2026-12-31`: to the end of that day, UTC) or the moment
   * (`2026-12-31T18:00:00Z`) the acknowledgement holds; after it the finding counts again.
   */
  readonly until: string;
  /** Why the finding needs no alert. */
  readonly reason: string;
  /** Who acknowledged it. */
  readonly who: string;
}

/**
 * The acknowledgement a finding matched, as the report shows it.
 *
 * @example
 * ```ts
 * import type { HealthFindingAcknowledgement } from "@mspe/mspe";
 * function note(ack: HealthFindingAcknowledgement): string {
 *   return `${ack.expired ? "acknowledgement expired" : "acknowledged"} until ${ack.until} by ${ack.who}: ${ack.reason}`;
 * }
 * ```
 */
export interface HealthFindingAcknowledgement {
  /** As in the acknowledgement. */
  readonly until: string;
  /** As in the acknowledgement. */
  readonly reason: string;
  /** As in the acknowledgement. */
  readonly who: string;
  /** True when `until` has passed: the finding counts as if it had no acknowledgement. */
  readonly expired: boolean;
}

const DATE = /^\d{4}-\d\d-\d\d$/;
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/;

/**
 * When an acknowledgement's `until` ends: the end of the day (UTC) for a date, the moment itself
 * for a date-time with a zone; `null` when it is neither.
 */
function endOf(until: string): Date | null {
  const end = DATE.test(until)
    ? new Date(Date.parse(`${until}T00:00:00Z`) + 86_400_000)
    : DATE_TIME.test(until)
    ? new Date(until)
    : null;
  return end === null || Number.isNaN(end.getTime()) ? null : end;
}

/**
 * Checks an acknowledgement's `until`: an ISO date (`2026-12-31`) or a date-time with a zone
 * (`2026-12-31T18:00:00Z`).
 *
 * @throws {ArgumentError} When it is neither.
 *
 * @example
 * ```ts
 * import { checkAcknowledgementUntil } from "@mspe/mspe";
 * console.log(checkAcknowledgementUntil("2026-12-31")); // 2026-12-31
 * ```
 */
export function checkAcknowledgementUntil(until: string): string {
  const text = until.trim();
  if (endOf(text) === null) {
    throw new ArgumentError(
      `"until" ${JSON.stringify(until)} is not a date. Give an ISO date such as 2026-12-31 ` +
        "(to the end of that day, UTC) or a date-time such as 2026-12-31T18:00:00Z.",
    );
  }
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads acknowledgements from the text of an acknowledgement file: a JSON array of entries
 * `{"instanceID", "kind", "until", "reason", "who"}` (or an object whose `acknowledgements` is
 * that array). `source` names the file in messages.
 *
 * @throws {ArgumentError} With one line that names the file, the entry and what is wrong with it.
 *
 * @example
 * ```ts
 * import { parseAcknowledgements } from "@mspe/mspe";
 * const acks = parseAcknowledgements(
 *   '[{"instanceID":"umbrella","kind":"instanceNotRunning","until":"2026-12-31",' +
 *     '"reason":"Contract ended","who":"j.doe"}]',
 * );
 * console.log(acks[0]?.kind); // instanceNotRunning
 * ```
 */
export function parseAcknowledgements(
  text: string,
  source = "The acknowledgement file",
): HealthAcknowledgement[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new ArgumentError(
      `${source} is not valid JSON (${
        error instanceof Error ? error.message.split("\n")[0] : error
      }). Fix it, or move it away and add entries with report health --ack-add.`,
    );
  }
  const list = isRecord(data) ? data.acknowledgements : data;
  if (!Array.isArray(list)) {
    throw new ArgumentError(
      `${source} is not a list of acknowledgements. It must be a JSON array of ` +
        '{"instanceID", "kind", "until", "reason", "who"} entries.',
    );
  }
  return list.map((entry, i) => {
    const where = `${source}, entry ${i + 1}`;
    if (!isRecord(entry)) {
      throw new ArgumentError(
        `${where} is not an object. Each entry is {"instanceID", "kind", "until", "reason", "who"}.`,
      );
    }
    const field = (name: string): string => {
      const value = entry[name];
      if (typeof value !== "string" || value.trim() === "") {
        throw new ArgumentError(`${where} has no "${name}". Give it as a non-empty string.`);
      }
      return value.trim();
    };
    const kind = field("kind");
    if (kind !== "*" && !(HEALTH_FINDING_KINDS as readonly string[]).includes(kind)) {
      throw new ArgumentError(
        `${where}: "kind" ${JSON.stringify(kind)} is not a finding kind. Use "*" or one of ${
          HEALTH_FINDING_KINDS.join(", ")
        }.`,
      );
    }
    let until: string;
    try {
      until = checkAcknowledgementUntil(field("until"));
    } catch (error) {
      throw new ArgumentError(`${where}: ${(error as Error).message}`);
    }
    return {
      instanceID: field("instanceID"),
      kind: kind as HealthFindingKind | "*",
      until,
      reason: field("reason"),
      who: field("who"),
    };
  });
}

/**
 * The acknowledgement of a finding: the one among `acks` that matches its instance and kind and
 * holds the longest (one that holds wins over expired ones), or `null` when none matches.
 */
export function acknowledgementOf(
  finding: { readonly kind: HealthFindingKind; readonly instanceID: string | null },
  acks: readonly HealthAcknowledgement[],
  now: Date,
): HealthFindingAcknowledgement | null {
  let best: { ack: HealthAcknowledgement; end: number } | null = null;
  const id = finding.instanceID?.toLowerCase();
  for (const ack of acks) {
    if (ack.kind !== "*" && ack.kind !== finding.kind) continue;
    if (ack.instanceID !== "*" && ack.instanceID.toLowerCase() !== id) continue;
    const end = endOf(ack.until)?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (best === null || end > best.end) best = { ack, end };
  }
  if (best === null) return null;
  const { until, reason, who } = best.ack;
  return { until, reason, who, expired: now.getTime() >= best.end };
}
