/**
 * Redaction: secrets are replaced by {@linkcode REDACTED} in everything the library shows (error
 * messages, excerpts, details, statuses, causes, stacks, traces), even when a server or proxy echoes
 * them back verbatim, URL-encoded, JSON-escaped, HTML-escaped or in Base64.
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
  /** The text with every known form of every secret replaced by {@linkcode REDACTED}. */
  text(text: string): string;
  /** Whether there is anything to redact. */
  readonly empty: boolean;
  /** This redactor plus more secrets (the values as sent, before any encoding). */
  with(secrets: readonly string[]): Redactor;
}

/** The Base64 of the UTF-8 bytes of `text` (as in a Basic `Authorization` value). */
export function base64Utf8(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function htmlEscaped(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * The forms a secret may come back in: verbatim, URL-encoded (form encoding with `+` for a space,
 * and percent-encoding with `%20`, upper- and lower-case hex), JSON-escaped (also with every
 * non-ASCII character as `\uXXXX`), HTML-escaped, and Base64 (with and without padding; the Basic
 * `user:password` value is a secret of its own, added by the client).
 */
function secretForms(secret: string): string[] {
  if (secret === "") return [];
  const forms = new Set<string>([secret]);
  const form = new URLSearchParams({ x: secret }).toString().slice(2);
  forms.add(form);
  forms.add(form.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  const percent = encodeURIComponent(secret);
  forms.add(percent);
  forms.add(percent.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()));
  const json = JSON.stringify(secret).slice(1, -1);
  forms.add(json);
  forms.add(
    json.replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
  );
  forms.add(json.replace(/\//g, "\\/"));
  forms.add(htmlEscaped(secret));
  const encoded = base64Utf8(secret);
  forms.add(encoded);
  // A Base64 value without its padding, as some echo it.
  forms.add(encoded.replace(/=+$/, ""));
  forms.delete("");
  return [...forms];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** How a redactor matches. */
export interface RedactorOptions {
  /**
   * Match a form only where it is not part of a longer word: not right after or before a letter or
   * digit where the form itself starts or ends with one. For printed results, where a short password
   * ("admin") must not turn "$archiveadmin" into "$archive***"; an echoed secret is set apart by
   * quotes, spaces, `=` or `&`. Errors and traces redact every occurrence.
   */
  readonly wholeWords?: boolean;
}

const WORD_CHAR = /^[\p{L}\p{N}_]$/u;

function formPattern(form: string, wholeWords: boolean): string {
  const escaped = escapeRegExp(form);
  if (!wholeWords) return escaped;
  const before = WORD_CHAR.test(form[0] ?? "") ? "(?<![\\p{L}\\p{N}_])" : "";
  const after = WORD_CHAR.test(form.at(-1) ?? "") ? "(?![\\p{L}\\p{N}_])" : "";
  return `${before}${escaped}${after}`;
}

class SecretRedactor implements Redactor {
  readonly #secrets: readonly string[];
  readonly #forms: readonly string[];
  readonly #options: RedactorOptions;
  #pattern: RegExp | undefined;

  constructor(secrets: readonly string[], options: RedactorOptions = {}) {
    this.#secrets = secrets;
    this.#options = options;
    const forms = new Set<string>();
    for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
    // Longest first, so that "Basic <base64>" wins over the Base64 alone and a secret that contains
    // another is replaced whole.
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
  }

  get empty(): boolean {
    return this.#forms.length === 0;
  }

  text(text: string): string {
    if (this.#forms.length === 0 || typeof text !== "string") return text;
    // Almost every text holds no secret: finding none by plain search is cheaper than compiling
    // (on first use) and running the pattern, whose Unicode classes cost milliseconds to build.
    if (!this.#forms.some((form) => text.includes(form))) return text;
    this.#pattern ??= new RegExp(
      this.#forms.map((form) => formPattern(form, this.#options.wholeWords === true)).join("|"),
      this.#options.wholeWords ? "gu" : "g",
    );
    return text.replace(this.#pattern, REDACTED);
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

/** A deep copy of a JSON-like value with every string redacted. */
export function redactValue<T>(value: T, redactor: Redactor, depth = 0): T {
  if (typeof value === "string") return redactor.text(value) as T;
  if (depth > 64 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redactor, depth + 1)) as T;
  // Only plain objects (parsed JSON, statuses) are copied; anything else is left as it is.
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = redactValue(inner, redactor, depth + 1);
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
