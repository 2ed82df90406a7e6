/**
 * Which instances a selection covers: a filter with `*` and `?` wildcards, or several separated
 * by commas, without regard to case (as `--instances` and GetInstances' instanceFilter).
 *
 * @module
 */

/** Whether `id` matches the selection `filter`. */
export function selects(filter: string, id: string): boolean {
  return filter.split(",").map((part) => part.trim()).filter((part) => part !== "").some(
    (part) => {
      const pattern = part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(
        /\?/g,
        ".",
      );
      return new RegExp(`^${pattern}$`, "i").test(id);
    },
  );
}
