/**
 * `*` and `?` wildcards as MailStore's filters and PowerShell take them: matched against the
 * whole text, without regard to case.
 *
 * @module
 */

/** The regular expression of a wildcard pattern (`*`: any run, `?`: one character). */
export function wildcardPattern(pattern: string): RegExp {
  const source = pattern.split("").map((char) =>
    char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&")
  ).join("");
  return new RegExp(`^${source}$`, "i");
}
