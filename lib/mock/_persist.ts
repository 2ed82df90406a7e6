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

/** Decodes what {@linkcode encodeValue} made; throws a TypeError on anything it would not make. */
export function decodeValue(encoded: unknown): unknown {
  const ids = new Map<number, unknown>();
  const register = <T>(id: unknown, target: T): T => {
    if (typeof id === "number") ids.set(id, target);
    return target;
  };
  const decode = (item: unknown): unknown => {
    if (typeof item !== "object" || item === null) return item;
    if (Array.isArray(item)) return item.map(decode);
    const record = item as Record<string, unknown>;
    if (!("$" in record)) {
      const result: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(record)) result[key] = decode(entry);
      return result;
    }
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
          for (const entry of v) array.push(decode(entry));
          return array;
        }
        break;
      case "map":
        if (Array.isArray(v)) {
          const map = register(id, new Map<unknown, unknown>());
          for (const entry of v) {
            if (!Array.isArray(entry) || entry.length !== 2) {
              throw new TypeError("An encoded Map entry is not a [key, value] pair.");
            }
            map.set(decode(entry[0]), decode(entry[1]));
          }
          return map;
        }
        break;
      case "set":
        if (Array.isArray(v)) {
          const set = register(id, new Set<unknown>());
          for (const entry of v) set.add(decode(entry));
          return set;
        }
        break;
      case "obj":
        if (typeof v === "object" && v !== null && !Array.isArray(v)) {
          const result = register(id, {} as Record<string, unknown>);
          for (const [key, entry] of Object.entries(v)) result[key] = decode(entry);
          return result;
        }
        break;
    }
    throw new TypeError(`An encoded value has a bad tag or payload: ${JSON.stringify(tag)}.`);
  };
  return decode(encoded);
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

/** Checks and decodes the text of a state file; throws {@linkcode StateFileError} if it is not one. */
export function parseStateFile(path: string, text: string, product: Product): StateFile {
  const refuse = (why: string): never => {
    throw new StateFileError(
      `The state file '${path}' ${why}; it was left as it is. Move it away or name another file.`,
    );
  };
  let file: unknown;
  try {
    file = JSON.parse(text);
  } catch {
    refuse("is not JSON (damaged, or not a mock state file)");
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
      `has version ${JSON.stringify(record.version)}, this mock reads version ${STATE_VERSION}`,
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
  let state: unknown;
  try {
    state = decodeValue(record.state);
  } catch (error) {
    return refuse(`is damaged (${error instanceof Error ? error.message : error})`);
  }
  if (typeof options !== "object" || options === null || typeof state !== "object" || !state) {
    return refuse("is damaged (no options or no state)");
  }
  return { options: options as SeedOptions, state: state as Record<string, unknown> };
}

/**
 * Reads a state file: the file checked and decoded, or null when there is none (then the state is
 * seeded and saved there).
 */
export async function readStateFile(path: string, product: Product): Promise<StateFile | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new StateFileError(
      `Cannot read the state file '${path}': ${error instanceof Error ? error.message : error}.`,
    );
  }
  return parseStateFile(path, text, product);
}

const encoder = new TextEncoder();

/**
 * Saves an app's state to a file: {@linkcode StateSaver.changed} schedules a save within
 * {@linkcode SAVE_DELAY_MS}; a save writes a temporary file in the same directory, flushes it to
 * disk and renames it over the file, so a kill at any moment leaves the old file or the new one.
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

  /** Checks up front that the file and its temporary sibling may be written. */
  static checkPermission(path: string): void {
    for (const target of [path, `${path}.tmp`]) {
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
    const temporary = `${this.#path}.tmp`;
    const file = await Deno.open(temporary, {
      write: true,
      create: true,
      truncate: true,
      mode: 0o600,
    });
    try {
      for (let offset = 0; offset < bytes.byteLength;) {
        offset += await file.write(bytes.subarray(offset));
      }
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, this.#path);
  }
}
