/**
 * Comparing what the file says with what the server has: the comparable form of a value and the
 * fields that differ.
 *
 * @module
 */

import type { Fields } from "./_read.ts";
import type { FieldChange } from "./change.ts";

/** Fields whose order does not matter. */
const SET_FIELDS = new Set(["privileges", "loginPrivileges"]);

/**
 * Fields the server compares without regard to case: host names, and Windows paths (a trailing
 * separator aside). The server keeps its own spelling, so a file that spells them otherwise would
 * plan a change (and a restart, for a host) on every run.
 */
const CASELESS = new Set(["instanceHost", "baseDirectory"]);

/** A host name or Windows path as the server compares it: without case or a trailing separator. */
export function caseless(text: string): string {
  return text.replace(/[\\/]+$/, "").toLowerCase();
}

/** The comparable form of a value: lists without `none`, sets sorted, empty texts as null. */
function normal(field: string, value: unknown): unknown {
  if (value === "" || value === undefined) return null;
  if (CASELESS.has(field) && typeof value === "string") return caseless(value);
  if (Array.isArray(value)) {
    const list = value.filter((item) => item !== "none");
    return SET_FIELDS.has(field) ? [...list].sort() : list;
  }
  return value;
}

/** Whether two JSON values are the same, objects without regard to the order of their keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length &&
      a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length &&
      ka.every((key) =>
        sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])
      );
  }
  return false;
}

/** The fields of `desired` whose values differ from `current`'s (all of them for a create). */
export function differences(
  desired: Readonly<Record<string, unknown>>,
  current: Fields | undefined,
  skip: readonly string[] = [],
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(desired)) {
    if (skip.includes(field) || value === undefined) continue;
    const old = current?.[field];
    if (current === undefined || !sameValue(normal(field, value), normal(field, old))) {
      changes.push({ field, old, new: value });
    }
  }
  return changes;
}
