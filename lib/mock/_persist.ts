/**
 * State that survives a restart (`--state <file>`): a generic tagged codec for whatever the
 * simulated state holds, the file format, and a saver that writes within a second of a change.
 *
 * The codec knows no field of the state: plain objects, arrays, `Map`, `Set`, `Date`, byte arrays
 * and primitives (`undefined`, `NaN`, `Infinity`, `-0` and bigint included) round-trip, and an object
 * reached twice (or in a cycle) comes back as one object. So whatever the function simulations add
 * to the state later is saved with no change here, as long as it is plain data; a class instance or
 * a function is refused by name, so that nothing is silently lost.
 *
 * Encoding: JSON values stand for themselves, except that an object with a `$` key and every value
 * JSON cannot hold is written as `{"$": tag, ...}`: `obj` (`v`: the members), `map` (`v`: entries),
 * `set`, `date` (`v`: epoch ms), `bytes` (`v`: base64), `num` (`v`: "NaN", "Infinity", "-Infinity",
 * "-0"), `big`, `undef`, and for shared objects `id` on the first occurrence and `ref` afterwards.
 *
 * @module
 */

import type { Product } from "../metadata.ts";
import type { MockApp } from "./_app.ts";
import { LIMITS, overLimit, SEED_COUNTS } from "./_limits.ts";
import type { MockOptions } from "./_options.ts";

/** The marker of a state file (`format`), and its version. */
export const STATE_FORMAT = "mspe-mock-state";
/** The version of the file layout; another version is refused. */
export const STATE_VERSION = 1;
/** How long after a change the state is saved (changes in between are saved together). */
export const SAVE_DELAY_MS = 250;

type Tagged = { $: string; v?: unknown; id?: number };

/** Encodes a value into JSON-safe data (see the module documentation). */
export function encodeValue(value: unknown): unknown {
  // First pass: which objects are reached more than once (they get an `id`).
  const seen = new Set<object>();
  const shared = new Set<object>();
  const visit = (item: unknown): void => {
    if (typeof item !== "object" || item === null) return;
    if (seen.has(item)) {
      shared.add(item);
      return;
    }
    seen.add(item);
    if (item instanceof Map) {
      for (const [key, entry] of item) {
        visit(key);
        visit(entry);
      }
    } else if (item instanceof Set || Array.isArray(item)) {
      for (const entry of item) visit(entry);
    } else if (isPlain(item)) {
      for (const entry of Object.values(item)) visit(entry);
    }
  };
  visit(value);

  const ids = new Map<object, number>();
  const encode = (item: unknown, path: string): unknown => {
    switch (typeof item) {
      case "string":
      case "boolean":
        return item;
      case "number":
        if (Object.is(item, -0)) return { $: "num", v: "-0" };
        return Number.isFinite(item) ? item : { $: "num", v: String(item) };
      case "undefined":
        return { $: "undef" };
      case "bigint":
        return { $: "big", v: item.toString() };
      case "object":
        break;
      default:
        throw new TypeError(`Cannot save ${path}: a ${typeof item} is not data.`);
    }
    if (item === null) return null;
    const known = ids.get(item);
    if (known !== undefined) return { $: "ref", v: known };
    let id: number | undefined;
    if (shared.has(item)) {
      id = ids.size;
      ids.set(item, id);
    }
    const tagged = (tag: string, v: unknown): Tagged =>
      id === undefined ? { $: tag, v } : { $: tag, id, v };
    if (item instanceof Date) return tagged("date", item.getTime());
    if (item instanceof Uint8Array) return tagged("bytes", toBase64(item));
    if (item instanceof Map) {
      return tagged(
        "map",
        [...item].map(([key, entry], i) => [
          encode(key, `${path}<key ${i}>`),
          encode(entry, `${path}.get(${typeof key === "string" ? JSON.stringify(key) : i})`),
        ]),
      );
    }
    if (item instanceof Set) {
      return tagged("set", [...item].map((entry, i) => encode(entry, `${path}<item ${i}>`)));
    }
    if (Array.isArray(item)) {
      const array = Array.from(item, (entry, i) => encode(entry, `${path}[${i}]`));
      return id === undefined ? array : { $: "arr", id, v: array };
    }
    if (!isPlain(item)) {
      throw new TypeError(
        `Cannot save ${path}: a ${item.constructor?.name ?? "class"} instance is not plain data.`,
      );
    }
    const members: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(item)) {
      members[key] = encode(entry, `${path}.${key}`);
    }
    return id === undefined && !("$" in item) ? members : tagged("obj", members);
  };
  return encode(value, "state");
}

/**
 * Decodes what {@linkcode encodeValue} made; throws a TypeError on anything it would not make. The
 * key `__proto__` is refused wherever it is: set on an object it would replace the object's
 * prototype (what its missing fields and its methods come from) instead of adding data.
 */
export function decodeValue(encoded: unknown): unknown {
  const ids = new Map<number, unknown>();
  const register = <T>(id: unknown, target: T): T => {
    if (typeof id === "number") ids.set(id, target);
    return target;
  };
  const members = (
    target: Record<string, unknown>,
    source: object,
    path: string,
  ): Record<string, unknown> => {
    for (const [key, entry] of Object.entries(source)) {
      if (key === "__proto__") {
        throw new TypeError(`${path} has the key "__proto__", which is reserved`);
      }
      target[key] = decode(entry, `${path}.${key}`);
    }
    return target;
  };
  const decode = (item: unknown, path: string): unknown => {
    if (typeof item !== "object" || item === null) return item;
    if (Array.isArray(item)) return item.map((entry, i) => decode(entry, `${path}[${i}]`));
    const record = item as Record<string, unknown>;
    if (!Object.hasOwn(record, "$")) return members({}, record, path);
    const { $: tag, v, id } = record as Tagged;
    switch (tag) {
      case "undef":
        return undefined;
      case "num":
        if (v === "-0") return -0;
        if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
        break;
      case "big":
        if (typeof v === "string" && /^-?\d+$/.test(v)) return BigInt(v);
        break;
      case "ref":
        if (typeof v === "number" && ids.has(v)) return ids.get(v);
        break;
      case "date":
        if (typeof v === "number") return register(id, new Date(v));
        break;
      case "bytes":
        if (typeof v === "string") return register(id, fromBase64(v));
        break;
      case "arr":
        if (Array.isArray(v)) {
          const array = register(id, [] as unknown[]);
          for (const [i, entry] of v.entries()) array.push(decode(entry, `${path}[${i}]`));
          return array;
        }
        break;
      case "map":
        if (Array.isArray(v)) {
          const map = register(id, new Map<unknown, unknown>());
          for (const [i, entry] of v.entries()) {
            if (!Array.isArray(entry) || entry.length !== 2) {
              throw new TypeError(`${path} has a Map entry that is not a [key, value] pair`);
            }
            const key = decode(entry[0], `${path}<key ${i}>`);
            map.set(key, decode(entry[1], `${path}.get(${JSON.stringify(key) ?? i})`));
          }
          return map;
        }
        break;
      case "set":
        if (Array.isArray(v)) {
          const set = register(id, new Set<unknown>());
          for (const [i, entry] of v.entries()) set.add(decode(entry, `${path}<item ${i}>`));
          return set;
        }
        break;
      case "obj":
        if (typeof v === "object" && v !== null && !Array.isArray(v)) {
          return members(register(id, {} as Record<string, unknown>), v, path);
        }
        break;
    }
    throw new TypeError(`${path} has a bad tag or payload: ${JSON.stringify(tag)}`);
  };
  return decode(encoded, "state");
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

/** The options that made a state, kept in its file: a restart seeds nothing and uses these. */
export type SeedOptions = Pick<
  MockOptions,
  "product" | "seed" | "instances" | "usersPerInstance" | "storesPerInstance" | "problems"
>;

/** A state file, read and checked. */
export interface StateFile {
  /** The options the state was seeded with. */
  options: SeedOptions;
  /** The state's snapshot (see `MockState.snapshot`). */
  state: Record<string, unknown>;
}

/** A state file that is not ours, or damaged; the message is one line that says what to do. */
export class StateFileError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "StateFileError";
  }
}

/** The text of a state file for an app. */
export function stateFileText(app: MockApp, options: SeedOptions): string {
  return JSON.stringify({
    format: STATE_FORMAT,
    version: STATE_VERSION,
    product: app.product,
    savedAt: new Date().toISOString(),
    options,
    state: encodeValue(app.state.snapshot()),
  });
}

/** The offset where JSON.parse stops on `text`, when its message says (V8 does not always). */
function statedOffset(text: string, error: unknown): number | null {
  const message = error instanceof Error ? error.message : "";
  if (/end of JSON input|Unterminated string/.test(message)) return text.length;
  const position = /at position (\d+)/.exec(message);
  return position === null ? null : Number(position[1]);
}

/**
 * Where a text stops being JSON, as "line L, column C" (1-based). From V8's message when it names
 * a position; otherwise ("Unexpected token 'x'") by halving: the longest prefix that is JSON so
 * far (it parses, or fails only at its end) ends where the error is.
 */
function errorPlace(text: string, error: unknown): string {
  let offset = statedOffset(text, error);
  if (offset === null) {
    const fine = (length: number): boolean => {
      try {
        JSON.parse(text.slice(0, length));
        return true;
      } catch (inner) {
        const stated = statedOffset(text.slice(0, length), inner);
        return stated !== null && stated >= length;
      }
    };
    let [low, high] = [0, text.length];
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if (fine(middle)) low = middle;
      else high = middle - 1;
    }
    offset = low;
  }
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

/** Checks and decodes the text of a state file; throws {@linkcode StateFileError} if it is not one. */
export function parseStateFile(path: string, text: string, product: Product): StateFile {
  const refuse = (why: string): never => {
    throw new StateFileError(
      `The state file '${path}' ${why}; it was left as it is. Move it away or name another file.`,
    );
  };
  // Editors on Windows save UTF-8 with a byte order mark; it is not part of the JSON.
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  if (text.trim() === "") {
    return refuse("is empty (a crash while it was first written, or made by hand)");
  }
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch (error) {
    refuse(`is not JSON at ${errorPlace(text, error)} (damaged, or not a mock state file)`);
  }
  if (typeof file !== "object" || file === null || Array.isArray(file)) {
    return refuse("is not a mock state file");
  }
  const record = file as Record<string, unknown>;
  if (record.format !== STATE_FORMAT) {
    return refuse(`is not a mock state file (no "format": "${STATE_FORMAT}")`);
  }
  if (record.version !== STATE_VERSION) {
    return refuse(
      `has version ${
        JSON.stringify(record.version) ?? "(none)"
      }, this mock reads version ${STATE_VERSION} ` +
        "(written by another release of mspe)",
    );
  }
  if (record.product !== product) {
    return refuse(
      `holds a simulated ${String(record.product)}, not ${product} (start with --product ${
        String(record.product)
      })`,
    );
  }
  const options = record.options;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    return refuse("is damaged (no options)");
  }
  // The seeding options size what is made at start: checked before anything is allocated.
  const seeding = options as Record<string, unknown>;
  for (const name of SEED_COUNTS) {
    const why = overLimit(name, seeding[name]);
    if (why !== null) return refuse(`is damaged (options.${why})`);
  }
  if (!["none", "some", "many"].includes(String(seeding.problems))) {
    return refuse(`is damaged (options.problems is ${JSON.stringify(seeding.problems)})`);
  }
  let state: unknown;
  try {
    state = decodeValue(record.state);
  } catch (error) {
    return refuse(`is damaged (${error instanceof Error ? error.message : error})`);
  }
  if (typeof state !== "object" || state === null || Array.isArray(state)) {
    return refuse("is damaged (no state)");
  }
  return {
    options: { ...(options as SeedOptions), product },
    state: state as Record<string, unknown>,
  };
}

/**
 * Reads a state file: the file checked and decoded, or null when there is none (then the state is
 * seeded and saved there). A file over {@linkcode LIMITS}.stateFileBytes is refused unread.
 */
export async function readStateFile(path: string, product: Product): Promise<StateFile | null> {
  let bytes: Uint8Array;
  try {
    using file = await Deno.open(path, { read: true });
    const { size } = await file.stat();
    if (size > LIMITS.stateFileBytes) {
      throw new StateFileError(
        `The state file '${path}' has ${size} bytes, over the ${LIMITS.stateFileBytes} the ` +
          "simulator reads; it was left as it is. Move it away or name another file.",
      );
    }
    // At most one byte over the limit is read, should the file grow after the size was taken.
    const buffer = new Uint8Array(Math.min(size, LIMITS.stateFileBytes) + 1);
    let length = 0;
    for (;;) {
      const n = await file.read(buffer.subarray(length));
      if (n === null || length + n >= buffer.length) {
        length += n ?? 0;
        break;
      }
      length += n;
    }
    bytes = buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    if (error instanceof Deno.errors.NotFound) return null;
    throw new StateFileError(
      `Cannot read the state file '${path}': ${error instanceof Error ? error.message : error}.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new StateFileError(
      `The state file '${path}' is not UTF-8 text; it was left as it is. Move it away or name ` +
        "another file.",
    );
  }
  return parseStateFile(path, text, product);
}

const encoder = new TextEncoder();

/** The directory a file is in (`.` for a bare name), for the permission check and the temp file. */
function directoryOf(path: string): string {
  const cut = Math.max(
    path.lastIndexOf("/"),
    Deno.build.os === "windows" ? path.lastIndexOf("\\") : -1,
  );
  return cut < 0 ? "." : cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

/** The state file in use by another simulator; the message says which process, when it can. */
export class StateFileInUseError extends StateFileError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "StateFileInUseError";
  }
}

/**
 * The exclusive hold of one simulator on a state file: an advisory lock (`Deno.FsFile.tryLock`,
 * flock on Unix, LockFileEx on Windows) on `FILE.lock` beside it, which holds the PID of the
 * holder for the message of a second simulator.
 *
 * Why a lock held by the operating system and not a lock file that exists while the simulator
 * runs: the system drops the lock when the process ends, however it ends (kill -9, a crash, a
 * power cut), so a stale lock cannot block the next start, and no PID has to be checked for life
 * (a reused PID would look alive). Why a separate file: a save renames a new file over the state
 * file, and a lock on the old file would not hold the new one. The lock file is left in place on
 * exit: deleting it would let a simulator that opened it just before lock a file no one else sees.
 */
export class StateLock {
  readonly #file: Deno.FsFile;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Takes the lock of `path`, or throws {@linkcode StateFileInUseError} when another simulator
   * (this process or another) holds it, and {@linkcode StateFileError} when it cannot be made.
   */
  static async acquire(path: string): Promise<StateLock> {
    const lockPath = `${path}.lock`;
    const failed = (error: unknown): never => {
      throw new StateFileError(
        `Cannot lock the state file '${path}' (${lockPath}): ${
          error instanceof Error ? error.message : error
        }.`,
      );
    };
    try {
      // Never through a link planted there: the PID written below would land in its target.
      const info = await Deno.lstat(lockPath);
      if (!info.isFile) failed(new Error("it is not a regular file; remove it"));
    } catch (error) {
      if (error instanceof StateFileError) throw error;
      if (!(error instanceof Deno.errors.NotFound)) failed(error);
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(lockPath, { read: true, write: true, create: true, mode: 0o600 });
    } catch (error) {
      return failed(error);
    }
    let locked = false;
    try {
      locked = await file.tryLock(true);
    } catch (error) {
      file.close();
      failed(error);
    }
    if (!locked) {
      file.close();
      let holder = "";
      try {
        const pid = (await Deno.readTextFile(lockPath)).trim();
        if (/^\d+$/.test(pid)) holder = ` (process ${pid})`;
      } catch {
        // Windows keeps a locked file from being read; the message goes without the PID.
      }
      throw new StateFileInUseError(
        `The state file '${path}' is in use by another simulator${holder}; stop that one or name ` +
          "another file.",
      );
    }
    try {
      await file.truncate(0);
      await file.write(encoder.encode(`${Deno.pid}\n`));
    } catch {
      // The PID is only for the message of a second simulator; the lock holds without it.
    }
    return new StateLock(file);
  }

  /**
   * Releases the lock: unlocked first, since closing the file releases it only once no operation
   * holds the file any more (under load, after the next simulator already tried it).
   */
  async release(): Promise<void> {
    try {
      await this.#file.unlock();
    } catch {
      // Closed already: the lock went with it.
    }
    try {
      this.#file.close();
    } catch {
      // Closed already.
    }
  }
}

/** A random name for a temporary file beside `path`: `FILE.<16 hex digits>.tmp`. */
function temporaryName(path: string): string {
  const random = crypto.getRandomValues(new Uint8Array(8));
  return `${path}.${[...random].map((byte) => byte.toString(16).padStart(2, "0")).join("")}.tmp`;
}

/**
 * Saves an app's state to a file: {@linkcode StateSaver.changed} schedules a save within
 * {@linkcode SAVE_DELAY_MS}; a save writes a new temporary file with a random name in the same
 * directory (created exclusively, so a planted file or link of that name is never followed),
 * flushes it to disk and renames it over the file, so a kill at any moment leaves the old file or
 * the new one.
 */
export class StateSaver {
  readonly #path: string;
  readonly #app: MockApp;
  readonly #options: SeedOptions;
  readonly #onError: (error: Error) => void;
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();

  /** A saver for `app` to `path`; `onError` hears of a save that failed (the next one retries). */
  constructor(
    path: string,
    app: MockApp,
    options: SeedOptions,
    onError: (error: Error) => void,
  ) {
    this.#path = path;
    this.#app = app;
    this.#options = options;
    this.#onError = onError;
  }

  /** Checks up front that the file, its lock and its temporary siblings may be written. */
  static checkPermission(path: string): void {
    for (const target of [path, directoryOf(path)]) {
      if (Deno.permissions.querySync({ name: "write", path: target }).state !== "granted") {
        throw new StateFileError(
          `Saving the state to '${path}' needs write access to its directory: run with ` +
            "--allow-write (the mspe-run permission set has it).",
        );
      }
    }
  }

  /** Marks the state changed: it is saved within {@linkcode SAVE_DELAY_MS}. */
  changed(): void {
    this.#dirty = true;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
  }

  /** Saves now if anything changed since the last save (or `always`); one save at a time. */
  save(always = false): Promise<void> {
    this.#chain = this.#chain.then(async () => {
      if (!this.#dirty && !always) return;
      this.#dirty = false;
      try {
        await this.#write();
      } catch (error) {
        this.#dirty = true;
        this.#onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
    return this.#chain;
  }

  /** Writes the file now (the first time, at start); throws {@linkcode StateFileError} if it cannot. */
  async create(): Promise<void> {
    try {
      await this.#write();
    } catch (error) {
      throw new StateFileError(
        `Cannot write the state file '${this.#path}': ${
          error instanceof Error ? error.message : error
        }.`,
      );
    }
  }

  /** Stops the timer and saves a last time. */
  close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    return this.save(true);
  }

  async #write(): Promise<void> {
    const bytes = encoder.encode(stateFileText(this.#app, this.#options));
    const temporary = temporaryName(this.#path);
    const file = await Deno.open(temporary, { write: true, createNew: true, mode: 0o600 });
    try {
      try {
        for (let offset = 0; offset < bytes.byteLength;) {
          offset += await file.write(bytes.subarray(offset));
        }
        await file.syncData();
      } finally {
        file.close();
      }
      await Deno.rename(temporary, this.#path);
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      throw error;
    }
  }
}
