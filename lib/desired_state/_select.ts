/**
 * Which instances a selection covers: a filter with `*` and `?` wildcards, or several separated
 * by commas, without regard to case (as `--instances` and GetInstances' instanceFilter).
 *
 * @module
 */

import { wildcardPattern } from "../_wildcard.ts";

/** Whether `id` matches the selection `filter`. */
export function selects(filter: string, id: string): boolean {
  return filter.split(",").map((part) => part.trim()).filter((part) => part !== "").some(
    (part) => wildcardPattern(part).test(id),
  );
}
