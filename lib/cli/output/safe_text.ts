/**
 * Text that came from the server (error messages, status texts, instance IDs, user names synced from
 * a tenant's directory), made safe to print on a terminal or hand to a monitoring system: C0 and C1
 * control characters (ESC starts the sequences that move the cursor, recolour, retitle or clear the
 * terminal; BEL rings) and bidirectional controls (embeddings, overrides, isolates and marks, which
 * make text read differently from what it is) are shown escaped (`\x1b`, `\u202e`), so that an
 * escape sequence prints as harmless text; in a single-line context line breaks become a visible `⏎`,
 * so that a newline in an instance ID cannot fake lines of a prompt; and very long text is cut with
 * a note. `--format json` prints the whole text, unchanged.
 *
 * Internal to the CLI.
 *
 * @module
 */

/** The longest text printed as one message, in characters; the rest is cut with a note. */
export const MAX_MESSAGE_CHARS = 2000;

// C0 and C1 controls, DEL, and the Unicode bidirectional controls (embedding, override, isolate).
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// The same without the line feed, for text that keeps its lines.
const UNSAFE_IN_LINES =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// Whether a text needs any escaping (not global: test() keeps no state).
const NEEDS_ESCAPING =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/;

/** Every kind of line break: CRLF, a lone CR (which would let a line overwrite itself), LF, U+2028/9. */
const LINE_BREAK = /\r\n|\r|\n|\u2028|\u2029/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  if (char === "\t") return " ";
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * One line of safe text: line breaks shown as ` ⏎ `, tabs as spaces, other control characters and
 * bidirectional overrides escaped (`\x1b`, `\u202e`), cut after `max` characters with a note.
 *
 * @example
 * ```ts
 * import { safeLine } from "./safe_text.ts";
 * console.log(safeLine("Failed:\r\n\x1b[2Jdisk full")); // Failed: ⏎ \x1b[2Jdisk full
 * ```
 */
export function safeLine(text: string, max: number = MAX_MESSAGE_CHARS): string {
  let cut = text;
  let note = "";
  if (cut.length > max) {
    cut = cut.slice(0, max);
    // Never leave half a surrogate pair.
    if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
    note = ` … (${
      text.length - cut.length
    } more characters cut; --format json shows the whole text)`;
  }
  return cut.replace(LINE_BREAK, " ⏎ ").replace(UNSAFE, escape) + note;
}

/**
 * Like {@linkcode safeLine} for text that may keep its line breaks (a multi-line message the CLI
 * itself composed around server text): each line made safe on its own, the whole cut after `max`.
 *
 * @example
 * ```ts
 * import { safeLines } from "./safe_text.ts";
 * console.log(safeLines("first\nsecond\x07")); // first\nsecond\x07 (escaped bell)
 * ```
 */
export function safeLines(text: string, max: number = MAX_MESSAGE_CHARS): string {
  const lines = text.split(/\r\n|\r|\n/);
  let budget = max;
  const out: string[] = [];
  for (const line of lines) {
    if (budget <= 0) {
      out.push(
        `… (${lines.length - out.length} more lines cut; --format json shows the whole text)`,
      );
      break;
    }
    out.push(safeLine(line, budget));
    budget -= line.length;
  }
  return out.join("\n");
}

/**
 * Safe text that keeps its lines, not cut: every line break a `\n` (a lone carriage return too, which
 * would let the text overwrite what came before it), other control characters and bidirectional
 * controls escaped as in {@linkcode safeLine}. For values that a format lays out itself (a list
 * continues a multi-line value under its first line; a table shows its breaks as `⏎`).
 *
 * @example
 * ```ts
 * import { safeText } from "./safe_text.ts";
 * console.log(safeText("line 1\r\nline 2\x1b]0;owned\x07")); // line 1\nline 2\x1b]0;owned\x07 (escaped)
 * ```
 */
export function safeText(text: string): string {
  return text.replace(LINE_BREAK, "\n").replace(UNSAFE_IN_LINES, escape);
}

/**
 * A copy of a JSON-like value for `list` and `table` output with every string and property name made
 * {@linkcode safeText}; the value itself when nothing in it needs escaping (the usual case), so that
 * safe output costs one scan.
 *
 * @example
 * ```ts
 * import { safeValue } from "./safe_text.ts";
 * console.log(safeValue([{ instanceID: "acme\u202eexe.txt" }])); // [{ instanceID: "acme\\u202eexe.txt" }]
 * ```
 */
export function safeValue<T>(value: T, depth = 0): T {
  if (typeof value === "string") return (NEEDS_ESCAPING.test(value) ? safeText(value) : value) as T;
  if (depth > 64 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const items = value.map((item) => {
      const safe = safeValue(item, depth + 1);
      changed ||= safe !== item;
      return safe;
    });
    return (changed ? items : value) as T;
  }
  // Only plain objects (parsed JSON, rows) are copied; anything else is left as it is.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  let changed = false;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const safeKey = NEEDS_ESCAPING.test(key) ? safeText(key) : key;
    const safe = safeValue(inner, depth + 1);
    changed ||= safeKey !== key || safe !== inner;
    copy[safeKey] = safe;
  }
  return (changed ? copy : value) as T;
}

/**
 * A line of at most `max` characters: cut, when longer, with a note of how much was cut that counts
 * towards `max` (for monitoring systems, which take a bounded line). The text should be safe already.
 *
 * @example
 * ```ts
 * import { cutLine } from "./safe_text.ts";
 * console.log(cutLine("x".repeat(50), 40)); // xxxxxxxxxxxxxxx … (35 more characters cut)
 * ```
 */
export function cutLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const note = (count: number) => ` … (${count} more characters cut)`;
  // The note for the whole length is at least as long as the real one.
  let keep = Math.max(0, max - note(text.length).length);
  if (/[\ud800-\udbff]$/.test(text.slice(0, keep))) keep--;
  return text.slice(0, keep) + note(text.length - keep);
}
