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
    const value = this.values.get(name);
    if (typeof value !== "string") throw new ApiFault(`Missing API argument ${name}.`);
    return value;
  }

  /** An optional string argument. */
  optStr(name: string): string | null {
    const value = this.values.get(name);
    return typeof value === "string" ? value : null;
  }

  /** A mandatory number argument. */
  num(name: string): number {
    const value = this.values.get(name);
    if (typeof value !== "number") throw new ApiFault(`Missing API argument ${name}.`);
    return value;
  }

  /** An optional bool argument. */
  optBool(name: string): boolean | null {
    const value = this.values.get(name);
    return typeof value === "boolean" ? value : null;
  }

  /** A mandatory bool argument. */
  bool(name: string): boolean {
    const value = this.values.get(name);
    if (typeof value !== "boolean") throw new ApiFault(`Missing API argument ${name}.`);
    return value;
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
