/**
 * Checks a call against the function metadata before anything is sent (as the PowerShell wrapper
 * does), fills in the default instanceID, and builds the form body in one pass.
 *
 * @module
 */

import type { ArgumentType, FunctionMetadata, Product } from "./metadata.ts";
import { ArgumentError } from "./errors.ts";
import { encodeValue, type EncodingType } from "./_encode.ts";
import { didYouMean, suggest } from "./_suggest.ts";
import { catalog } from "./catalog.ts";

interface ArgumentInfo {
  readonly name: string;
  readonly type: EncodingType;
  readonly nullable: boolean;
  /** From the bundled catalogue: `true` list, `false` single value, `undefined` unknown. */
  readonly list: boolean | undefined;
  /** From the bundled catalogue: the documented values, when the argument takes one of a set. */
  readonly enums: readonly (string | number)[] | undefined;
  /** From the bundled catalogue: the documented fields of a `json` argument. */
  readonly fields: { readonly [field: string]: unknown } | undefined;
}

/** One function, indexed for fast checks. */
export interface FunctionInfo {
  readonly name: string;
  readonly args: ReadonlyMap<string, ArgumentInfo>;
  readonly mandatory: readonly ArgumentInfo[];
  readonly hasInstanceID: boolean;
}

/** Function metadata indexed by name. */
export interface MetadataIndex {
  readonly product: Product;
  readonly functions: ReadonlyMap<string, FunctionInfo>;
}

const ARGUMENT_TYPES: ReadonlySet<string> = new Set<ArgumentType>([
  "string",
  "number",
  "bool",
  "json",
]);

/** Indexes metadata; list flags come from the bundled catalogue where it knows the argument. */
export function indexMetadata(
  metadata: readonly FunctionMetadata[],
  product: Product,
): MetadataIndex {
  const bundled = product === "server" ? bundledServer() : bundledSpe();
  const functions = new Map<string, FunctionInfo>();
  for (const fn of metadata) {
    const known = bundled.functions.get(fn.name);
    const args = new Map<string, ArgumentInfo>();
    for (const arg of fn.args) {
      const type = String(arg.type).toLowerCase();
      const bundledArg = known?.args.get(arg.name);
      args.set(arg.name, {
        name: arg.name,
        type: ARGUMENT_TYPES.has(type) ? type as ArgumentType : "any",
        nullable: arg.nullable !== false,
        list: bundledArg?.list ??
          ("list" in arg && typeof arg.list === "boolean" ? arg.list : undefined),
        enums: bundledArg?.enums,
        fields: bundledArg?.fields,
      });
    }
    functions.set(fn.name, makeFunctionInfo(fn.name, args));
  }
  return { product, functions };
}

function makeFunctionInfo(name: string, args: Map<string, ArgumentInfo>): FunctionInfo {
  const mandatory = [...args.values()].filter((arg) => !arg.nullable);
  return { name, args, mandatory, hasInstanceID: args.has("instanceID") };
}

function indexCatalog(product: Product): MetadataIndex {
  const functions = new Map<string, FunctionInfo>();
  for (const fn of catalog(product)) {
    const args = new Map<string, ArgumentInfo>();
    for (const arg of fn.args) {
      args.set(arg.name, {
        name: arg.name,
        type: arg.type,
        nullable: arg.nullable,
        list: arg.list,
        enums: arg.enums,
        fields: arg.fields,
      });
    }
    functions.set(fn.name, makeFunctionInfo(fn.name, args));
  }
  return { product, functions };
}

let speIndex: MetadataIndex | undefined;
let serverIndex: MetadataIndex | undefined;

/** The bundled SPE catalogue, indexed once. */
export function bundledSpe(): MetadataIndex {
  return speIndex ??= indexCatalog("spe");
}

/** The bundled MailStore Server catalogue, indexed once. */
export function bundledServer(): MetadataIndex {
  return serverIndex ??= indexCatalog("server");
}

/** The bundled catalogue of a product, indexed once. */
export function bundledIndex(product: Product): MetadataIndex {
  return product === "server" ? bundledServer() : bundledSpe();
}

function productLabel(product: Product): string {
  return product === "server" ? "MailStore Server" : "MailStore SPE";
}

function signature(fn: FunctionInfo): string {
  if (fn.args.size === 0) return `${fn.name} takes no arguments`;
  const parts = [...fn.args.values()].map((arg) =>
    `${arg.name}${arg.nullable ? "?" : ""}: ${arg.type}`
  );
  return `${fn.name} takes ${parts.join(", ")}`;
}

/** How to send a value the catalogue does not document, in both the library's and the CLI's terms. */
const VALUE_CHECK_OFF = "If the server is newer and accepts the value, send it unchecked with " +
  "the call option checkValues: false (mspe-run: --no-value-check).";

/**
 * Checks an encoded value against what the catalogue documents: one of the documented values (each
 * element of a list), or for a `json` argument only the documented fields. Values differing only in
 * case pass, since the server reads enums and JSON fields without regard to case (.NET). Returns
 * the problem, or `undefined`. Arguments with documented values are never secrets, so the value may
 * be named.
 */
function checkDocumentedValue(arg: ArgumentInfo, encoded: string): string | undefined {
  if (arg.enums && arg.enums.length > 0) {
    const allowed = arg.enums.map(String);
    const lower = new Set(allowed.map((value) => value.toLowerCase()));
    const elements = arg.list ? encoded.split(",").map((part) => part.trim()) : [encoded];
    const wrong = elements.filter((element) => !lower.has(element.toLowerCase()));
    if (wrong.length === 0) return undefined;
    const details = wrong.map((element) => {
      const close = suggest(element, allowed, 1);
      return `${JSON.stringify(element)}${close.length ? ` (did you mean ${close[0]}?)` : ""}`;
    });
    return `argument ${arg.name} has ${
      wrong.length === 1 ? "a value" : "values"
    } outside the documented set: ${details.join(", ")}; it takes ${
      arg.list ? "a comma-separated list of " : "one of "
    }${allowed.join(", ")}`;
  }
  if (arg.type === "json" && arg.fields) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(encoded);
    } catch {
      return `argument ${arg.name} is not valid JSON text`;
    }
    const unknown = unknownFields(parsed, arg.fields, arg.name);
    if (unknown.length === 0) return undefined;
    return `argument ${arg.name} has ${
      unknown.length === 1 ? "an unknown field" : "unknown fields"
    }: ${unknown.join(", ")}`;
  }
  return undefined;
}

/** The fields of `value` (an object, or an array of objects) that `fields` does not document. */
function unknownFields(
  value: unknown,
  fields: { readonly [field: string]: unknown },
  path: string,
): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((element, i) => unknownFields(element, fields, `${path}[${i}]`));
  }
  if (typeof value !== "object" || value === null) return [];
  const known = Object.keys(fields);
  const byLower = new Map(known.map((name) => [name.toLowerCase(), name]));
  const problems: string[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const documented = byLower.get(key.toLowerCase());
    if (documented === undefined) {
      const close = suggest(key, known, 1);
      problems.push(`${path}.${key}${close.length ? ` (did you mean ${close[0]}?)` : ""}`);
      continue;
    }
    const shape = fields[documented];
    if (typeof shape === "object" && shape !== null && !Array.isArray(shape)) {
      problems.push(
        ...unknownFields(inner, shape as { readonly [field: string]: unknown }, `${path}.${key}`),
      );
    }
  }
  return problems;
}

/** What {@linkcode prepareCall} needs to know about the client. */
export interface CallPreparation {
  /** The client's metadata, or `null` for `metadata: "none"`. */
  readonly index: MetadataIndex | null;
  readonly product: Product;
  readonly defaultInstanceID: string | null;
}

/**
 * Validates the call and returns the form body. `unchecked` calls (the escape hatch) skip the
 * unknown-function check; if the metadata still describes the function, it is validated as usual.
 * With `checkValues` false (the call option `checkValues: false`, mspe-run's `--no-value-check`)
 * values outside the documented sets are sent as given: a newer server may accept new ones.
 *
 * @throws {ArgumentError} Listing every problem at once, with suggestions, before anything is sent.
 */
export function prepareCall(
  preparation: CallPreparation,
  fn: string,
  unchecked: boolean,
  args: unknown,
  checkValues: boolean | undefined = true,
): string {
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    throw new ArgumentError(
      `The arguments of ${fn} must be an object of argument names and values, not ${
        Array.isArray(args) ? "an array" : `a ${typeof args}`
      }.`,
    );
  }
  const given = (args ?? {}) as Readonly<Record<string, unknown>>;
  const { index, defaultInstanceID } = preparation;
  let info = index?.functions.get(fn);
  if (index && !info && !unchecked) {
    const suggestions = suggest(fn, index.functions.keys());
    throw new ArgumentError(
      `Unknown function ${fn} for ${productLabel(index.product)}.${
        didYouMean(suggestions)
      } Function names are case-sensitive; for a function this library does not know, use uncheckedFunction().`,
    );
  }
  // Without metadata, the bundled catalogue still says whether the function takes an instanceID.
  const instanceKnowledge = info ?? bundledIndex(preparation.product).functions.get(fn);
  const params = new URLSearchParams();
  const problems: string[] = [];
  let valueProblem = false;
  let instanceFilled = false;
  if (
    defaultInstanceID !== null && instanceKnowledge?.hasInstanceID &&
    (given.instanceID === undefined || given.instanceID === null)
  ) {
    params.append("instanceID", defaultInstanceID);
    instanceFilled = true;
  }
  if (!index) info = undefined;
  for (const name in given) {
    if (!Object.hasOwn(given, name)) continue;
    const value = given[name];
    if (value === undefined || value === null) continue;
    let type: EncodingType = "any";
    let list: boolean | undefined;
    if (info) {
      const arg = info.args.get(name);
      if (!arg) {
        const close = suggest(name, info.args.keys());
        problems.push(
          `unknown argument ${name}${close.length ? ` (did you mean ${close.join(" or ")}?)` : ""}`,
        );
        continue;
      }
      type = arg.type;
      list = arg.list;
    }
    const encoded = encodeValue(value, type, list);
    if (typeof encoded !== "string") {
      problems.push(`argument ${name} ${encoded.problem}`);
      continue;
    }
    const arg = info?.args.get(name);
    const problem = arg && checkValues !== false ? checkDocumentedValue(arg, encoded) : undefined;
    if (problem !== undefined) {
      problems.push(problem);
      valueProblem = true;
    } else params.append(name, encoded);
  }
  if (info) {
    for (const arg of info.mandatory) {
      const value = given[arg.name];
      if (
        (value === undefined || value === null) && !(arg.name === "instanceID" && instanceFilled)
      ) {
        problems.push(`missing mandatory argument ${arg.name}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new ArgumentError(
      `${fn} was not sent: ${problems.join("; ")}. ${info ? signature(info) + "." : ""}${
        valueProblem ? ` ${VALUE_CHECK_OFF}` : ""
      }`.trim(),
    );
  }
  return params.toString();
}
