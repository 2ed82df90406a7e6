/**
 * Close-name suggestions for unknown function and argument names.
 *
 * @module
 */

/** The Levenshtein edit distance between two strings (insert, delete, substitute). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length] ?? 0;
}

/**
 * The known names closest to `name`, best first: a case-insensitive match, then names within an edit
 * distance that grows with the length of the name (a third of it, at least 2), then names that contain
 * the given one or are contained in it.
 */
export function suggest(name: string, known: Iterable<string>, limit = 3): string[] {
  const lower = name.toLowerCase();
  const threshold = Math.max(2, Math.floor(name.length / 3));
  const scored: { candidate: string; score: number }[] = [];
  for (const candidate of known) {
    const candidateLower = candidate.toLowerCase();
    let score: number;
    if (candidateLower === lower) {
      score = 0;
    } else {
      const distance = editDistance(lower, candidateLower);
      if (distance <= threshold) {
        score = distance;
      } else if (
        lower.length >= 4 && (candidateLower.includes(lower) || lower.includes(candidateLower))
      ) {
        score = threshold + 1;
      } else {
        continue;
      }
    }
    scored.push({ candidate, score });
  }
  scored.sort((x, y) => x.score - y.score || x.candidate.localeCompare(y.candidate));
  return scored.slice(0, limit).map((entry) => entry.candidate);
}

/** " Did you mean X, Y or Z?" for the suggestions, or "" when there are none. */
export function didYouMean(suggestions: readonly string[]): string {
  if (suggestions.length === 0) return "";
  if (suggestions.length === 1) return ` Did you mean ${suggestions[0]}?`;
  return ` Did you mean ${suggestions.slice(0, -1).join(", ")} or ${suggestions.at(-1)}?`;
}

/**
 * The one known name closest to `name`, or `undefined` when none is close enough: the first of
 * {@linkcode suggest}. For "did you mean" messages that offer one name (commands, flags).
 */
export function closest(name: string, known: Iterable<string>): string | undefined {
  return suggest(name, known, 1)[0];
}
