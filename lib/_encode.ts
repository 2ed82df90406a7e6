/**
 * Encoding of argument values for the form body (protocol.md §2): booleans lowercase, numbers as plain
 * decimal text, `json` arguments as JSON text unless already a string, lists comma-joined.
 *
 * Each encoder returns the wire text, or a {@linkcode Problem} saying why the value does not fit.
 *
 * @module
 */

import type { ArgumentType } from "./metadata.ts";

/** Why a value cannot be encoded; becomes part of an ArgumentError message. */
export interface Problem {
  readonly problem: string;
}

/** The type an argument is encoded by: a metadata type, or "any" when nothing describes it. */
export type EncodingType = ArgumentType | "any";

/** A short description of a value's JavaScript type for error messages (never the value itself). */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  switch (typeof value) {
    case "object":
      return "an object";
    case "undefined":
      return "undefined";
    default:
      return `a ${typeof value}`;
  }
}

/**
 * A finite number as plain decimal text, never in exponent form (`1e+21` becomes
 * `1000000000000000000000`, `1e-7` becomes `0.0000001`), as .NET's number parser expects.
 */
export function decimal(value: number): string {
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign = "", first = "", rest = "", exponentText = "0"] = match;
  const digits = first + rest;
  const exponent = Number(exponentText);
  // The decimal point sits after `first`; move it by `exponent` places.
  const point = 1 + exponent;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function encodeNumber(value: unknown): string | Problem {
  if (typeof value !== "number") return { problem: `must be a number, not ${describeType(value)}` };
  if (!Number.isFinite(value)) {
    return { problem: `must be a finite number, not ${describeType(value)}` };
  }
  return decimal(value);
}

function encodeListElement(value: unknown, index: number): string | Problem {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" && Number.isFinite(value)) text = decimal(value);
  else {
    return {
      problem: `must be a list of strings, but element ${index} is ${describeType(value)}`,
    };
  }
  if (text.includes(",")) {
    return {
      problem:
        `must be a list whose elements have no comma (the server splits at commas), but element ${index} has one`,
    };
  }
  return text;
}

function encodeList(values: readonly unknown[]): string | Problem {
  const parts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const part = encodeListElement(values[i], i);
    if (typeof part !== "string") return part;
    parts.push(part);
  }
  return parts.join(",");
}

function encodeJson(value: unknown): string | Problem {
  if (typeof value === "string") return value;
  if (typeof value !== "object" || value === null) {
    return { problem: `must be an object, an array or JSON text, not ${describeType(value)}` };
  }
  try {
    return JSON.stringify(value);
  } catch (error) {
    return {
      problem: `cannot be turned into JSON (${
        error instanceof Error ? error.message : "unknown reason"
      })`,
    };
  }
}

/**
 * Encodes one value by the metadata type. `list` is `true` for a documented list argument, `false`
 * for a documented single value, `undefined` when the catalogue does not say (then arrays are joined).
 */
export function encodeValue(
  value: unknown,
  type: EncodingType,
  list: boolean | undefined,
): string | Problem {
  switch (type) {
    case "string":
      if (typeof value === "string") return value;
      if (Array.isArray(value)) {
        if (list === false) return { problem: "takes one string, not a list" };
        return encodeList(value);
      }
      return { problem: `must be a string, not ${describeType(value)}` };
    case "number":
      return encodeNumber(value);
    case "bool":
      if (typeof value === "boolean") return value ? "true" : "false";
      return { problem: `must be a boolean, not ${describeType(value)}` };
    case "json":
      return encodeJson(value);
    case "any":
      return encodeByJsType(value);
  }
}

/** Encodes a value nothing describes, by its JavaScript type. */
function encodeByJsType(value: unknown): string | Problem {
  switch (typeof value) {
    case "string":
      return value;
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return encodeNumber(value);
    case "object":
      if (
        Array.isArray(value) &&
        value.every((element) => typeof element === "string" || typeof element === "number")
      ) {
        return encodeList(value);
      }
      return encodeJson(value);
    default:
      return { problem: `cannot be sent: ${describeType(value)} has no wire form` };
  }
}
