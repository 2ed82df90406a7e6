/**
 * The simulator's request log (`mock --log-requests [FILE]`, `MockApp.onRequest`): one entry per
 * request with its time, function, arguments (secrets masked), HTTP status and milliseconds, as a
 * line on standard error or as ndjson appended to a file.
 *
 * @module
 */

import type { CatalogFunction } from "../metadata.ts";
import { callSecrets, createRedactor, loginSecrets, type Redactor } from "../_redact.ts";

/**
 * One request the simulator answered.
 *
 * @example A log line of one's own
 * ```ts
 * import { createMockApp, type MockRequestLogEntry } from "@mspe/mspe/mock";
 * const app = createMockApp();
 * const seen: MockRequestLogEntry[] = [];
 * app.onRequest = (entry) => seen.push(entry);
 * app.close();
 * ```
 */
export interface MockRequestLogEntry {
  /** When the reply was ready (ISO 8601, UTC). */
  readonly time: string;
  /** The function called (`/api/invoke/<fn>`), or the path for the other paths. */
  readonly function: string;
  /**
   * The arguments as sent, with the values of secret arguments (the catalogue's secret marks and
   * password-like names, also inside JSON arguments) replaced by `***`. Empty when the request was
   * refused before its body was read (401, 411, 413).
   */
  readonly arguments: Readonly<Record<string, string>>;
  /** The HTTP status of the reply. */
  readonly status: number;
  /** Milliseconds from the request's arrival to its reply, whole. */
  readonly ms: number;
}

/**
 * The arguments of a request with every secret masked: arguments the catalogue marks secret or
 * that have a password-like name, password-like fields of JSON arguments, and the simulator's own
 * login (its password and Basic value), wherever they appear.
 */
export function maskedArguments(
  fn: CatalogFunction | undefined,
  form: URLSearchParams,
  login: { username: string; password: string },
): Record<string, string> {
  const marked = new Set(fn?.args.filter((arg) => arg.secret === true).map((arg) => arg.name));
  const redactor: Redactor = createRedactor(callSecrets(form.toString(), marked));
  // Whole words: a short password ("admin") must not mask "$archiveadmin".
  const own = createRedactor(loginSecrets(login.username, login.password), { wholeWords: true });
  const out: Record<string, string> = {};
  for (const [name, value] of form) {
    out[name] = marked.has(name) && value !== "" ? "***" : own.text(redactor.text(value));
  }
  return out;
}

/** The line of an entry on standard error: time, function, arguments, status, milliseconds. */
export function requestLogLine(entry: MockRequestLogEntry): string {
  return `${entry.time} ${entry.function} ${
    JSON.stringify(entry.arguments)
  } ${entry.status} ${entry.ms}ms`;
}

const encoder = new TextEncoder();

/**
 * A file the log is appended to, one ndjson line per entry. Opened once for appending (never
 * truncated, made with mode 0600 when missing); a symbolic link or anything but a plain file is
 * refused, so that the log cannot be pointed at another file. Each line is one write in append
 * mode, so lines of two writers do not interleave within a line.
 */
export class RequestLogFile {
  readonly #file: Deno.FsFile;
  /** The first write error; after it nothing more is written. */
  failed: Error | null = null;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /** Opens `path` for appending; throws an Error that says what to do when it cannot. */
  static open(path: string): RequestLogFile {
    let info: Deno.FileInfo | null = null;
    try {
      info = Deno.lstatSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new Error(`Cannot look at the request log '${path}': ${messageOf(error)}.`);
      }
    }
    if (info !== null && !info.isFile) {
      throw new Error(
        `The request log '${path}' is ${
          info.isSymlink ? "a symbolic link" : "not a plain file"
        }; name a plain file.`,
      );
    }
    try {
      return new RequestLogFile(
        Deno.openSync(path, { append: true, create: true, mode: 0o600 }),
      );
    } catch (error) {
      throw new Error(
        `Cannot open the request log '${path}' for appending: ${messageOf(error)}. ` +
          "Name a file in a folder you can write to.",
      );
    }
  }

  /** Appends the entry as one JSON line. Returns false (and keeps the error) when it fails. */
  append(entry: MockRequestLogEntry): boolean {
    if (this.failed !== null) return false;
    let bytes = encoder.encode(`${JSON.stringify(entry)}\n`);
    try {
      while (bytes.length > 0) bytes = bytes.subarray(this.#file.writeSync(bytes));
      return true;
    } catch (error) {
      this.failed = error instanceof Error ? error : new Error(String(error));
      return false;
    }
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // Closed already.
    }
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
}
