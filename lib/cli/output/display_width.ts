/**
 * How many terminal columns text takes, so that tables line up with CJK text and emoji: East Asian
 * Wide and Fullwidth characters and emoji take 2 columns, combining marks and other zero-width
 * characters 0, everything else 1. Counted per grapheme cluster (what the terminal draws as one
 * character: an emoji ZWJ sequence, a letter with its accents). Internal to the CLI.
 *
 * @module
 */

/**
 * The East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15 (EastAsianWidth.txt), merged where
 * they touch; emoji are found by their Emoji_Presentation property instead.
 */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
  [0x3400, 0x4dbf], // CJK Unified Ideographs Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cd5], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x3fffd], // CJK Unified Ideographs Extensions B and later
];

function isWide(codePoint: number): boolean {
  if (codePoint < 0x1100) return false;
  for (const [from, to] of WIDE) {
    if (codePoint < from) return false;
    if (codePoint <= to) return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200b\u1160-\u11ff]$/u;
const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f/u;

let segmenter: Intl.Segmenter | undefined;

/** The width of one grapheme cluster: 0, 1 or 2. */
function clusterWidth(cluster: string): number {
  if (EMOJI.test(cluster)) return 2;
  for (const char of cluster) {
    if (ZERO_WIDTH.test(char)) continue;
    const codePoint = char.codePointAt(0) ?? 0;
    // Control characters draw nothing (the table replaces line breaks before measuring).
    if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
    return isWide(codePoint) ? 2 : 1;
  }
  return 0;
}

/**
 * The number of terminal columns `text` takes.
 *
 * @example
 * ```ts
 * import { displayWidth } from "./display_width.ts";
 * console.log(displayWidth("abc"), displayWidth("日本"), displayWidth("e\u0301"), displayWidth("👍")); // 3 4 1 2
 * ```
 */
export function displayWidth(text: string): number {
  // Plain ASCII (almost every cell) needs no segmenting.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += clusterWidth(segment);
  return width;
}

/**
 * `text` padded with spaces to `width` columns.
 *
 * @example
 * ```ts
 * import { padDisplay } from "./display_width.ts";
 * console.log(`[${padDisplay("日本", 6)}]`); // [日本  ]
 * ```
 */
export function padDisplay(text: string, width: number): string {
  const missing = width - displayWidth(text);
  return missing > 0 ? text + " ".repeat(missing) : text;
}

/**
 * `text` cut to at most `width` columns, ending in `…` when something was cut; a wide character
 * that would straddle the edge is left out whole.
 *
 * @example
 * ```ts
 * import { cutDisplay } from "./display_width.ts";
 * console.log(cutDisplay("日本語テキスト", 7)); // 日本語…
 * ```
 */
export function cutDisplay(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return "";
  segmenter ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  let out = "";
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = clusterWidth(segment);
    if (used + w > width - 1) break;
    out += segment;
    used += w;
  }
  return `${out}…`;
}
