/**
 * Argument checking like the real server: mandatory arguments, strict bool/number/json parsing,
 * documented enum values, and unknown arguments rejected.
 *
 * @module
 */

import type { CatalogFunction } from "../metadata.ts";
import { ApiFault } from "./_wire.ts";

/** A parsed argument value. */
export type ArgValue = string | number | boolean | unknown;

/** The JSON types of arguments, by their `typeof`. */
interface Kinds {
  string: string;
  number: number;
  boolean: boolean;
}

/** The checked arguments of one call, with typed accessors for the handlers. */
export class Args {
  /** Creates the accessor over parsed values. */
  constructor(readonly values: ReadonlyMap<string, ArgValue>) {}

  /** Whether the argument was sent. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A mandatory string argument. */
  str(name: string): string {
    return this.#required(name, "string");
  }

  /** An optional string argument. */
  optStr(name: string): string | null {
    return this.#optional(name, "string");
  }

  /** A mandatory number argument. */
  num(name: string): number {
    return this.#required(name, "number");
  }

  /** An optional bool argument. */
  optBool(name: string): boolean | null {
    return this.#optional(name, "boolean");
  }

  /** A mandatory bool argument. */
  bool(name: string): boolean {
    return this.#required(name, "boolean");
  }

  /** The argument when it has the type, else the API's "Missing API argument" fault. */
  #required<K extends keyof Kinds>(name: string, kind: K): Kinds[K] {
    const value = this.#optional(name, kind);
    if (value === null) throw new ApiFault(`Missing API argument ${name}.`);
    return value;
  }

  /** The argument when it has the type, else null. */
  #optional<K extends keyof Kinds>(name: string, kind: K): Kinds[K] | null {
    const value = this.values.get(name);
    const type: string = typeof value;
    return type === kind ? value as Kinds[K] : null;
  }

  /** A mandatory json argument (already parsed). */
  json(name: string): unknown {
    if (!this.values.has(name)) throw new ApiFault(`Missing API argument ${name}.`);
    return this.values.get(name);
  }

  /** A comma-separated list argument, split and trimmed; empty items dropped. */
  list(name: string): string[] {
    const value = this.values.get(name);
    if (typeof value !== "string") return [];
    return value.split(",").map((item) => item.trim()).filter((item) => item !== "");
  }
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Checks the form fields against the function's metadata. Throws {@linkcode ApiFault} with the
 * real server's wording for a missing argument, and with our own wording for the rest.
 */
export function checkArguments(fn: CatalogFunction, form: URLSearchParams): Args {
  const known = new Set(fn.args.map((arg) => arg.name));
  for (const name of form.keys()) {
    if (!known.has(name)) {
      throw new ApiFault(
        `Unknown API argument ${name} for function ${fn.name}.`,
        "System.ArgumentException",
      );
    }
  }
  const values = new Map<string, ArgValue>();
  for (const arg of fn.args) {
    const raw = form.get(arg.name);
    if (raw === null) {
      if (!arg.nullable) throw new ApiFault(`Missing API argument ${arg.name}.`);
      continue;
    }
    switch (arg.type) {
      case "bool":
        if (raw !== "true" && raw !== "false") {
          throw new ApiFault(
            `Invalid value for API argument ${arg.name}: String was not recognized as a valid Boolean. Use true or false.`,
            "System.FormatException",
          );
        }
        values.set(arg.name, raw === "true");
        break;
      case "number":
        if (!NUMBER.test(raw)) {
          throw new ApiFault(
            `Invalid value for API argument ${arg.name}: Input string was not in a correct format.`,
            "System.FormatException",
          );
        }
        values.set(arg.name, Number(raw));
        break;
      case "json":
        try {
          values.set(arg.name, JSON.parse(raw));
        } catch {
          throw new ApiFault(
            `Invalid value for API argument ${arg.name}: the value is not valid JSON.`,
            "Newtonsoft.Json.JsonReaderException",
          );
        }
        break;
      default: {
        const enums = arg.enums?.filter((value): value is string => typeof value === "string");
        if (enums !== undefined && enums.length > 0) {
          const items = arg.list ? raw.split(",").map((item) => item.trim()) : [raw];
          for (const item of items) {
            if (!enums.includes(item)) {
              throw new ApiFault(
                `Invalid value for API argument ${arg.name}: '${item}' is not one of ${
                  enums.join(", ")
                }.`,
                "System.ArgumentException",
              );
            }
          }
        }
        values.set(arg.name, raw);
      }
    }
  }
  return new Args(values);
}
