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
      args.set(arg.name, {
        name: arg.name,
        type: ARGUMENT_TYPES.has(type) ? type as ArgumentType : "any",
        nullable: arg.nullable !== false,
        list: known?.args.get(arg.name)?.list ??
          ("list" in arg && typeof arg.list === "boolean" ? arg.list : undefined),
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
 *
 * @throws {ArgumentError} Listing every problem at once, with suggestions, before anything is sent.
 */
export function prepareCall(
  preparation: CallPreparation,
  fn: string,
  unchecked: boolean,
  args: unknown,
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
    if (typeof encoded === "string") params.append(name, encoded);
    else problems.push(`argument ${name} ${encoded.problem}`);
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
      `${fn} was not sent: ${problems.join("; ")}. ${info ? signature(info) + "." : ""}`.trimEnd(),
    );
  }
  return params.toString();
}
