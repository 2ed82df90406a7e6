/**
 * "Did you mean" suggestions for misspelt commands, flags and function names. Internal to the CLI.
 *
 * @module
 */

/**
 * The candidate closest to `name` (case-insensitive edit distance), when it is close enough to be a
 * likely typo; otherwise `undefined`.
 *
 * @example
 * ```ts
 * import { closest } from "./suggest.ts";
 * console.log(closest("hots", ["host", "port"])); // "host"
 * ```
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    if (lower === wanted) return candidate;
    const distance = editDistance(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // Allow about one typo per four characters, at least one and at most three.
  const allowed = Math.min(3, Math.max(1, Math.floor(wanted.length / 4)));
  return bestDistance <= allowed ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
