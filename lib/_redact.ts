/**
 * Redaction: secrets are replaced by {@linkcode REDACTED} in everything the library shows (error
 * messages, excerpts, details, statuses, causes, stacks, traces), even when a server or proxy echoes
 * them back encoded. Rather than a list of forms, a text is searched as it is and with its escapes
 * decoded, on top of each other where they nest: HTML entities (named and numeric), URL-encoding
 * (`%XX` as UTF-8 or Latin-1, `%uXXXX`, `+` for a space), JSON and JavaScript string escapes, and
 * CSV quote doubling; a run of Base64 or Base64url characters that holds a piece of a secret (at
 * any of the three byte alignments) is decoded and replaced whole when the secret is in it. A text
 * with no escape and no piece of a secret is settled by plain searches.
 *
 * A client has a redactor for its password (and its Basic `Authorization` value); each call adds the
 * values of its secret arguments: those the catalogue marks `secret`, arguments with a password-like
 * name, and password-like fields inside `json` arguments.
 *
 * Internal module.
 *
 * @module
 */

/** What a secret is replaced with. */
export const REDACTED = "***";

/** Names of arguments and JSON fields whose values are secrets, whatever the catalogue says. */
const SECRET_NAME: RegExp =
  /pass(word|phrase)?|secret|api.?key|encryption.?key|private.?key|credential|token.?secret/i;

/** Replaces the secrets a client or call knows of in text and in errors. */
export interface Redactor {
  /** The text with every occurrence of every secret, however encoded, replaced by {@linkcode REDACTED}. */
  text(text: string): string;
  /** Whether there is anything to redact. */
  readonly empty: boolean;
  /** This redactor plus more secrets (the values as sent, before any encoding). */
  with(secrets: readonly string[]): Redactor;
}

/** The Base64 of the UTF-8 bytes of `text` (as in a Basic `Authorization` value). */
export function base64Utf8(text: string): string {
  return base64Bytes(new TextEncoder().encode(text));
}

function base64Bytes(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// ---- decoded views of a text ----
//
// A secret is found however it was encoded by searching, besides the text itself, the text with
// one kind of escape decoded, and that decoded again (double URL-encoding, HTML of JSON, ...). Each
// decoded view remembers where its decoded pieces came from, so that a secret found in a view is
// replaced in the text as it was, escapes and all. Decoders are separate rather than one that
// decodes everything at once: a password ending in `\` inside a quoted CSV field (`...\"`) would
// lose its backslash to a JSON decoder run over the CSV quoting.

/** One decoded piece of a view: `[outStart, outEnd)` of the view came from `[inStart, inEnd)`. */
interface Edit {
  readonly outStart: number;
  readonly outEnd: number;
  readonly inStart: number;
  readonly inEnd: number;
}

/** A text, or a decoding of its parent, with the pieces it decoded (in order). */
class View {
  readonly text: string;
  readonly depth: number;
  readonly #parent: View | undefined;
  readonly #edits: readonly Edit[];

  constructor(text: string, parent?: View, edits: readonly Edit[] = []) {
    this.text = text;
    this.#parent = parent;
    this.#edits = edits;
    this.depth = parent === undefined ? 0 : parent.depth + 1;
  }

  /** The span of the original text that `[start, end)` of this view came from. */
  original(start: number, end: number): [number, number] {
    if (this.#parent === undefined) return [start, end];
    return this.#parent.original(this.#map(start, false), this.#map(end, true));
  }

  /** A position of this view in its parent's text; inside a decoded piece, its start (or end). */
  #map(at: number, isEnd: boolean): number {
    const edits = this.#edits;
    // The last edit that starts before `at` (at or before it, for a start).
    let low = 0;
    let high = edits.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const outStart = edits[middle]!.outStart;
      if (isEnd ? outStart < at : outStart <= at) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0) return at;
    const edit = edits[found]!;
    if (isEnd ? at <= edit.outEnd : at < edit.outEnd) return isEnd ? edit.inEnd : edit.inStart;
    return edit.inEnd + (at - edit.outEnd);
  }
}

/** The decoded text of one match: `[from, to, text]` pieces relative to the match, or nothing. */
type Pieces = readonly (readonly [number, number, string])[] | undefined;

/** One kind of escape. */
interface Decoder {
  /** Whether a text may hold this escape (a cheap test before decoding). */
  readonly introducer: RegExp;
  /** The escapes (global). */
  readonly pattern: RegExp;
  /** A match decoded, or undefined to leave it as it is. */
  decode(match: RegExpExecArray): Pieces;
}

function whole(match: RegExpExecArray, text: string | undefined): Pieces {
  return text === undefined ? undefined : [[0, match[0].length, text]];
}

function codePoint(code: number): string | undefined {
  return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/**
 * The HTML5 names of the ASCII punctuation, then the Latin-1 letters and signs (U+00A0 on, in order,
 * as PHP's `htmlentities` writes them) and the Greek letters; numeric references cover the rest.
 */
const ENTITIES: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>(
    Object.entries({
      excl: "!",
      quot: '"',
      QUOT: '"',
      num: "#",
      dollar: "$",
      percnt: "%",
      amp: "&",
      AMP: "&",
      apos: "'",
      lpar: "(",
      rpar: ")",
      ast: "*",
      midast: "*",
      plus: "+",
      comma: ",",
      period: ".",
      sol: "/",
      colon: ":",
      semi: ";",
      lt: "<",
      LT: "<",
      equals: "=",
      gt: ">",
      GT: ">",
      quest: "?",
      commat: "@",
      lsqb: "[",
      lbrack: "[",
      bsol: "\\",
      rsqb: "]",
      rbrack: "]",
      Hat: "^",
      lowbar: "_",
      UnderBar: "_",
      grave: "`",
      lcub: "{",
      lbrace: "{",
      verbar: "|",
      vert: "|",
      rcub: "}",
      rbrace: "}",
      Tab: "\t",
      NewLine: "\n",
    }),
  );
  const latin1 =
    "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr " +
    "deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 " +
    "iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave " +
    "Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute " +
    "Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave " +
    "eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide " +
    "oslash ugrave uacute ucirc uuml yacute thorn yuml";
  latin1.split(" ").forEach((name, i) => map.set(name, String.fromCharCode(0xa0 + i)));
  const greek =
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi " +
    "rho sigmaf sigma tau upsilon phi chi psi omega";
  greek.split(" ").forEach((name, i) => {
    map.set(name, String.fromCharCode(0x3b1 + i));
    // The capitals have no final sigma; U+03A2 is unassigned.
    if (name !== "sigmaf") {
      map.set(name[0]!.toUpperCase() + name.slice(1), String.fromCharCode(0x391 + i));
    }
  });
  return map;
})();

/** Names browsers decode without their semicolon too. */
const LEGACY_ENTITIES = new Set(["amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT"]);

const HTML: Decoder = {
  introducer: /&/,
  pattern: /&(?:#[xX]([0-9a-fA-F]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9]{1,31}))(;?)/g,
  decode(match) {
    const [, hex, decimal, name, semicolon] = match;
    if (hex !== undefined) return whole(match, codePoint(parseInt(hex, 16)));
    if (decimal !== undefined) return whole(match, codePoint(parseInt(decimal, 10)));
    if (semicolon === "" && !LEGACY_ENTITIES.has(name!)) return undefined;
    return whole(match, ENTITIES.get(name!));
  },
};

/** The length of the UTF-8 sequence a lead byte starts, 0 for a byte that cannot lead one. */
function utf8Length(byte: number): number {
  return byte < 0x80
    ? 1
    : byte < 0xc2
    ? 0
    : byte < 0xe0
    ? 2
    : byte < 0xf0
    ? 3
    : byte < 0xf5
    ? 4
    : 0;
}

const URL_ENCODED: Decoder = {
  introducer: /%/,
  pattern: /(?:%[0-9A-Fa-f]{2})+|%u[0-9A-Fa-f]{4}/g,
  decode(match) {
    const text = match[0];
    if (text[1] === "u" || text[1] === "U") {
      return whole(match, String.fromCharCode(parseInt(text.slice(2), 16)));
    }
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i += 3) bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
    const pieces: [number, number, string][] = [];
    for (let i = 0; i < bytes.length;) {
      const lead = bytes[i]!;
      const length = utf8Length(lead);
      let code = length === 1 ? lead : lead & (0xff >> (length + 1));
      let valid = length > 0 && i + length <= bytes.length;
      for (let j = 1; valid && j < length; j++) {
        const next = bytes[i + j]!;
        valid = (next & 0xc0) === 0x80;
        code = (code << 6) | (next & 0x3f);
      }
      valid &&= length === 1 ||
        (code >= [0, 0, 0x80, 0x800, 0x10000][length]! && code <= 0x10ffff &&
          (code < 0xd800 || code > 0xdfff));
      // A byte that does not start valid UTF-8 is read as Latin-1 (`%E4` for "ä", as old forms send).
      const used = valid ? length : 1;
      pieces.push([
        i * 3,
        (i + used) * 3,
        valid ? String.fromCodePoint(code) : String.fromCharCode(lead),
      ]);
      i += used;
    }
    return pieces;
  },
};

const JSON_SHORT: Readonly<Record<string, string>> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  "'": "'",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

const JSON_ESCAPED: Decoder = {
  introducer: /\\/,
  // JSON's escapes, and the `\'` and `\xHH` of JavaScript string literals.
  pattern: /\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|(["\\/'bfnrt]))/g,
  decode(match) {
    const [, unit, byte, short] = match;
    if (unit !== undefined) return whole(match, String.fromCharCode(parseInt(unit, 16)));
    if (byte !== undefined) return whole(match, String.fromCharCode(parseInt(byte, 16)));
    return whole(match, JSON_SHORT[short!]);
  },
};

const CSV_QUOTED: Decoder = {
  introducer: /""/,
  pattern: /""/g,
  decode: (match) => whole(match, '"'),
};

/** The view of `view` with one kind of escape decoded, or undefined when it has none. */
function decodeView(view: View, decoder: Decoder): View | undefined {
  const text = view.text;
  const pattern = decoder.pattern;
  pattern.lastIndex = 0;
  const out: string[] = [];
  const edits: Edit[] = [];
  let copied = 0;
  let length = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const pieces = decoder.decode(match);
    if (pieces === undefined) continue;
    out.push(text.slice(copied, match.index));
    length += match.index - copied;
    for (const [from, to, decoded] of pieces) {
      edits.push({
        outStart: length,
        outEnd: length + decoded.length,
        inStart: match.index + from,
        inEnd: match.index + to,
      });
      out.push(decoded);
      length += decoded.length;
    }
    copied = match.index + match[0].length;
  }
  if (edits.length === 0) return undefined;
  out.push(text.slice(copied));
  return new View(out.join(""), view, edits);
}

/** How many times escapes are decoded on top of each other (`%252541` is three). */
const MAX_DEPTH = 4;
/** The most views of one text: a bound on the work for a text full of escapes of every kind. */
const MAX_VIEWS = 16;

// ---- Base64 ----

/** Characters of Base64 and Base64url. */
const BASE64_CHAR = /[A-Za-z0-9+/_-]/;

/**
 * The Base64 characters that stand for `bytes` wherever they sit in a longer Base64 text: for each
 * of the three alignments (0, 1 or 2 bytes before them in their group of three), the characters
 * that depend on these bytes alone. Too short a piece (under 4 characters) would be found
 * everywhere, and is left out.
 */
function base64Cores(bytes: Uint8Array): string[] {
  const cores: string[] = [];
  for (let before = 0; before < 3; before++) {
    const padded = new Uint8Array(before + bytes.length);
    padded.set(bytes, before);
    const encoded = base64Bytes(padded);
    const core = encoded.slice(
      Math.ceil((8 * before) / 6),
      Math.floor((8 * (before + bytes.length)) / 6),
    );
    if (core.length >= 4) cores.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  return cores;
}

/**
 * The texts a run of Base64 (or Base64url) characters may stand for: decoded from each of its
 * first four characters, since the run may start inside a group (a cut excerpt, a letter before it).
 */
function base64Texts(run: string): string[] {
  const standard = run.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  const texts: string[] = [];
  for (let skip = 0; skip < 4 && standard.length - skip >= 2; skip++) {
    let body = standard.slice(skip);
    if (body.length % 4 === 1) body = body.slice(0, -1);
    try {
      const binary = atob(body + "=".repeat((4 - (body.length % 4)) % 4));
      const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
      texts.push(new TextDecoder().decode(bytes), binary);
    } catch {
      // Not Base64 from here.
    }
  }
  return texts;
}

/** The run of Base64 characters (with its `=` padding) around `[start, end)` of `text`. */
function base64Run(text: string, start: number, end: number): [number, number] {
  while (start > 0 && BASE64_CHAR.test(text[start - 1]!)) start--;
  while (end < text.length && BASE64_CHAR.test(text[end]!)) end++;
  for (let pad = 0; pad < 2 && text[end] === "="; pad++) end++;
  return [start, end];
}

// ---- matching ----

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How a redactor matches. */
export interface RedactorOptions {
  /**
   * Match a secret only where it is not part of a longer word: not right after or before a letter or
   * digit where the secret itself starts or ends with one. For printed results, where a short
   * password ("admin") must not turn "$archiveadmin" into "$archive***"; an echoed secret is set
   * apart by quotes, spaces, `=` or `&`. Errors and traces redact every occurrence.
   */
  readonly wholeWords?: boolean;
}

const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

/** A secret as a pattern: a space also matches `+` (form encoding, decoded or not). */
function secretPattern(secret: string, wholeWords: boolean): string {
  const escaped = escapeRegExp(secret).replace(/ /g, "[ +]");
  if (!wholeWords) return escaped;
  const before = WORD_CHAR.test(secret[0] ?? "") ? "(?<![\\p{L}\\p{N}_])" : "";
  const after = WORD_CHAR.test(secret.at(-1) ?? "") ? "(?![\\p{L}\\p{N}_])" : "";
  return `${before}${escaped}${after}`;
}

/** What a redactor searches for, built when it first meets a text. */
interface Search {
  /** Every secret, longest first (so that "Basic <base64>" wins over the Base64 alone). */
  readonly pattern: RegExp;
  /** A piece of each secret that every match holds (the longest between spaces). */
  readonly pieces: readonly string[];
  /** The Base64 cores of each secret (and of its form encoding). */
  readonly cores: readonly string[];
  /** The kinds of escape worth decoding for these secrets. */
  readonly decoders: readonly Decoder[];
  /** Whether a text holds an escape of one of them. */
  readonly escapes: RegExp;
}

function buildSearch(secrets: readonly string[], wholeWords: boolean): Search {
  const sorted = [...secrets].sort((a, b) => b.length - a.length);
  const pieces = sorted.map((secret) =>
    secret.split(" ").reduce(
      (longest, piece) => piece.length > longest.length ? piece : longest,
      "",
    )
  ).map((piece, i) => piece === "" ? sorted[i]! : piece);
  const cores = new Set<string>();
  const encoder = new TextEncoder();
  for (const secret of sorted) {
    const form = new URLSearchParams({ x: secret }).toString().slice(2);
    for (const variant of new Set([secret, form])) {
      for (const core of base64Cores(encoder.encode(variant))) cores.add(core);
    }
  }
  // Quote doubling changes nothing but quotes: not worth a view unless a secret has one.
  const decoders = [HTML, URL_ENCODED, JSON_ESCAPED];
  if (sorted.some((secret) => secret.includes('"'))) decoders.push(CSV_QUOTED);
  return {
    pattern: new RegExp(
      sorted.map((secret) => secretPattern(secret, wholeWords)).join("|"),
      wholeWords ? "gu" : "g",
    ),
    pieces,
    cores: [...cores],
    decoders,
    escapes: new RegExp(decoders.map((decoder) => decoder.introducer.source).join("|")),
  };
}

class SecretRedactor implements Redactor {
  readonly #secrets: readonly string[];
  readonly #options: RedactorOptions;
  #search: Search | undefined;

  constructor(secrets: readonly string[], options: RedactorOptions = {}) {
    this.#secrets = secrets;
    this.#options = options;
  }

  get empty(): boolean {
    return this.#secrets.length === 0;
  }

  text(text: string): string {
    if (this.#secrets.length === 0 || typeof text !== "string") return text;
    // Built on first use: a client or call that never meets a text pays nothing. The pattern's
    // Unicode classes cost milliseconds to compile.
    const search = this.#search ??= buildSearch(this.#secrets, this.#options.wholeWords === true);
    // Almost every text holds no secret and no escape: plain searches settle that without
    // decoding anything or running the pattern.
    if (
      !search.escapes.test(text) && !search.pieces.some((piece) => text.includes(piece)) &&
      !search.cores.some((core) => text.includes(core))
    ) return text;
    const spans = this.#spans(text, search, true);
    if (spans.length === 0) return text;
    spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    let out = "";
    let copied = 0;
    for (const [start, end] of spans) {
      if (end <= copied) continue;
      // Overlapping finds (one in the text, one in a decoded view) are one secret.
      if (start < copied) {
        copied = end;
        continue;
      }
      out += text.slice(copied, start) + REDACTED;
      copied = end;
    }
    return out + text.slice(copied);
  }

  /** The spans of `text` that hold a secret, in the text and in its decoded views. */
  #spans(text: string, search: Search, base64: boolean): [number, number][] {
    const views = [new View(text)];
    const seen = new Set([text]);
    for (let i = 0; i < views.length && views.length < MAX_VIEWS; i++) {
      const view = views[i]!;
      if (view.depth >= MAX_DEPTH) continue;
      for (const decoder of search.decoders) {
        if (!decoder.introducer.test(view.text)) continue;
        const decoded = decodeView(view, decoder);
        if (decoded === undefined || seen.has(decoded.text)) continue;
        seen.add(decoded.text);
        views.push(decoded);
      }
    }
    const spans: [number, number][] = [];
    for (const view of views) {
      const viewText = view.text;
      if (search.pieces.some((piece) => viewText.includes(piece))) {
        for (const match of viewText.matchAll(search.pattern)) {
          spans.push(view.original(match.index, match.index + match[0].length));
        }
      }
      if (!base64) continue;
      // A Base64 run that holds a secret is replaced whole: what is left of it would still decode.
      const checked = new Set<number>();
      for (const core of search.cores) {
        for (let at = viewText.indexOf(core); at >= 0; at = viewText.indexOf(core, at + 1)) {
          const [start, end] = base64Run(viewText, at, at + core.length);
          if (checked.has(start)) continue;
          checked.add(start);
          const run = viewText.slice(start, end);
          if (base64Texts(run).some((decoded) => this.#spans(decoded, search, false).length > 0)) {
            spans.push(view.original(start, end));
          }
        }
      }
    }
    return spans;
  }

  with(secrets: readonly string[]): Redactor {
    const added = secrets.filter((secret) => secret !== "" && !this.#secrets.includes(secret));
    return added.length === 0
      ? this
      : new SecretRedactor([...this.#secrets, ...added], this.#options);
  }
}

/**
 * A redactor for these secrets (empty ones are ignored).
 *
 * @example
 * ```ts
 * import { createRedactor } from "./_redact.ts";
 * const redactor = createRedactor(["hunter 2"]);
 * console.log(redactor.text("password=hunter+2")); // password=***
 * ```
 */
export function createRedactor(
  secrets: readonly string[],
  options: RedactorOptions = {},
): Redactor {
  return new SecretRedactor(secrets.filter((secret) => secret !== ""), options);
}

/**
 * The secrets of a login: the password and the Base64 of `user:password`, which the Basic
 * `Authorization` value holds.
 *
 * @example
 * ```ts
 * import { loginSecrets } from "./_redact.ts";
 * loginSecrets("admin", "s3cret"); // ["YWRtaW46czNjcmV0", "s3cret"]
 * ```
 */
export function loginSecrets(username: string, password: string): string[] {
  return [base64Utf8(`${username}:${password}`), password];
}

/** The redactor of a client: its {@linkcode loginSecrets} and the Authorization value. */
export function clientRedactor(
  username: string,
  password: string,
  authorization: string,
): Redactor {
  return createRedactor([authorization, ...loginSecrets(username, password)]);
}

/**
 * A redactor for `base` plus secrets found only when first needed (on an error or a trace), so that
 * a call that succeeds pays nothing for looking for them.
 */
export function deferredRedactor(base: Redactor, secrets: () => readonly string[]): Redactor {
  return new DeferredRedactor(base, secrets);
}

// A class rather than closures: one is made per call, on the hot path.
class DeferredRedactor implements Redactor {
  readonly #base: Redactor;
  readonly #secrets: () => readonly string[];
  #built: Redactor | undefined;

  constructor(base: Redactor, secrets: () => readonly string[]) {
    this.#base = base;
    this.#secrets = secrets;
  }

  #get(): Redactor {
    return (this.#built ??= this.#base.with(this.#secrets()));
  }

  text(text: string): string {
    return this.#get().text(text);
  }

  get empty(): boolean {
    return this.#get().empty;
  }

  with(secrets: readonly string[]): Redactor {
    return this.#get().with(secrets);
  }
}

/** The string values of password-like fields anywhere in a JSON value. */
function secretFields(value: unknown, out: string[], depth = 0): void {
  if (depth > 32 || typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) secretFields(item, out, depth + 1);
    return;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_NAME.test(key) && (typeof inner === "string" || typeof inner === "number")) {
      out.push(String(inner));
    } else {
      secretFields(inner, out, depth + 1);
    }
  }
}

/**
 * The secret values of a call, read from its form body: arguments named in `secretArgs` (the
 * catalogue's `secret` marks) or with a password-like name, and password-like fields of arguments
 * that hold JSON.
 *
 * @example
 * ```ts
 * import { callSecrets } from "./_redact.ts";
 * callSecrets("userName=bob&password=s3cret", new Set(["password"])); // ["s3cret"]
 * ```
 */
export function callSecrets(body: string, secretArgs: ReadonlySet<string> | undefined): string[] {
  const secrets: string[] = [];
  for (const [name, value] of new URLSearchParams(body)) {
    if (value === "") continue;
    if (secretArgs?.has(name) || SECRET_NAME.test(name)) {
      secrets.push(value);
      continue;
    }
    const first = value.trimStart()[0];
    if (first === "{" || first === "[") {
      try {
        secretFields(JSON.parse(value), secrets);
      } catch {
        // Not JSON after all: nothing inside to find.
      }
    }
  }
  return secrets;
}

/**
 * Why a login password is too weak to be hidden inside result data, or `undefined` when it is not:
 * the same as the user name, or shorter than 8 characters. Such a password is a word results hold
 * as data (the mock's admin/admin: a user `admin`, the privilege `admin`), so hiding every
 * occurrence would change the data, not protect the password.
 *
 * @example
 * ```ts
 * import { weakPasswordReason } from "./_redact.ts";
 * weakPasswordReason("admin", "admin"); // "it is the same as the user name"
 * weakPasswordReason("admin", "c0rrect-h0rse"); // undefined
 * ```
 */
export function weakPasswordReason(username: string, password: string): string | undefined {
  if (password.toLowerCase() === username.toLowerCase()) return "it is the same as the user name";
  if ([...password].length < 8) return "it is shorter than 8 characters";
  return undefined;
}

/**
 * A deep copy of a JSON-like value in which a password-like field (`password`, `secret`, …) whose
 * whole value is `secret` holds {@linkcode REDACTED}; every other value is left as it is. The one
 * place a weak password ({@linkcode weakPasswordReason}) is still hidden in results.
 *
 * @example
 * ```ts
 * import { redactExactFields } from "./_redact.ts";
 * redactExactFields({ userName: "admin", password: "admin" }, "admin"); // { userName: "admin", password: "***" }
 * ```
 */
export function redactExactFields<T>(value: T, secret: string, depth = 0): T {
  if (depth > 64 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    return value.map((item) => redactExactFields(item, secret, depth + 1)) as T;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = inner === secret && SECRET_NAME.test(key)
      ? REDACTED
      : redactExactFields(inner, secret, depth + 1);
  }
  return copy as T;
}

/** A deep copy of a JSON-like value with every string, keys included, redacted. */
export function redactValue<T>(value: T, redactor: Redactor, depth = 0): T {
  if (typeof value === "string") return redactor.text(value) as T;
  if (depth > 64 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactor, depth + 1)) as T;
  // Only plain objects (parsed JSON, statuses) are copied; anything else is left as it is.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    // Keys are data too (an instance ID, a folder named like a user): written out, they would
    // show the secret as much as a value.
    copy[redactor.text(key)] = redactValue(inner, redactor, depth + 1);
  }
  return copy as T;
}

const redactedErrors = new WeakMap<object, Redactor>();

function setProperty(target: object, key: string, value: unknown): void {
  try {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    Object.defineProperty(target, key, {
      value,
      writable: descriptor?.writable ?? true,
      enumerable: descriptor?.enumerable ?? false,
      configurable: true,
    });
  } catch {
    // A frozen or exotic object (a DOMException's message): it was made by us or the runtime from
    // texts without secrets.
  }
}

/**
 * Redacts an error in place, and its `cause` chain: `message`, `stack`, and every own property
 * (`excerpt`, `details`, `status`, ...), so that `message`, `JSON.stringify(error)` and
 * `Deno.inspect(error)` show no secret. Returns the same error.
 */
export function redactError<E>(error: E, redactor: Redactor): E {
  if (redactor.empty) return error;
  let current: unknown = error;
  for (let depth = 0; depth < 16; depth++) {
    if (typeof current !== "object" || current === null) break;
    if (redactedErrors.get(current) === redactor) break;
    redactedErrors.set(current, redactor);
    for (const key of Reflect.ownKeys(current)) {
      if (typeof key !== "string" || key === "cause") continue;
      const value = (current as Record<string, unknown>)[key];
      if (typeof value === "string" || (typeof value === "object" && value !== null)) {
        const redacted = redactValue(value, redactor);
        if (redacted !== value || typeof value === "object") setProperty(current, key, redacted);
      }
    }
    if (current instanceof Error) {
      // message and stack may live on the prototype chain (DOMException) or be own accessors.
      const message = current.message;
      if (typeof message === "string" && redactor.text(message) !== message) {
        setProperty(current, "message", redactor.text(message));
      }
      const stack = current.stack;
      if (typeof stack === "string" && redactor.text(stack) !== stack) {
        setProperty(current, "stack", redactor.text(stack));
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return error;
}
