/**
 * Text that came from the server (error messages, status texts), made safe to print on a terminal:
 * control characters (which could move the cursor, recolour, retitle or clear the terminal) and
 * bidirectional overrides (which could make text read differently from what it is) are shown
 * escaped, line breaks become a visible `⏎` so that one message stays one line, and very long text is
 * cut with a note. `--format json` prints the whole text, unchanged.
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
  return cut.replace(/\r\n|\r|\n|\u2028|\u2029/g, " ⏎ ").replace(UNSAFE, escape) + note;
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
