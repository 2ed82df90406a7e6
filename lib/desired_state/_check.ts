/**
 * The checks every block of a desired-state file shares: each mistake is one line that names the
 * file, the place and what to do.
 *
 * @module
 */

import { ArgumentError } from "../errors.ts";
import type { SecretSource } from "./types.ts";

/** A mistake in a state file at `where` (a path such as `instances.acme.users[2].privileges`). */
export function mistake(file: string, where: string, what: string): ArgumentError {
  return new ArgumentError(`${file}: ${where === "" ? "" : `${where}: `}${what}`);
}

/** Whether a value is a plain object (not a list, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks the fields of an object against those known, naming them all. */
export function onlyKnown(
  file: string,
  where: string,
  value: Record<string, unknown>,
  known: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw mistake(file, where, `unknown field "${key}". Use one of: ${known.join(", ")}.`);
    }
  }
}

/** A text field that may be left out; when given, it must not be empty. */
export function optionalText(
  file: string,
  where: string,
  value: unknown,
  what: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "") throw mistake(file, where, what);
  return value;
}

/** A true-or-false field that may be left out. */
export function optionalFlag(file: string, where: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean") {
    throw mistake(file, where, "must be true or false.");
  }
  return value;
}

/** A field that, when given, must be one of `allowed`. */
export function oneOf(
  file: string,
  where: string,
  value: unknown,
  allowed: readonly string[],
): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw mistake(
      file,
      where,
      `must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}.`,
    );
  }
}

/** Where a secret comes from: a file, an environment variable or a prompt, never the value. */
export function checkSecret(file: string, where: string, value: unknown): SecretSource {
  if (isObject(value) && Object.keys(value).length === 1) {
    if (typeof value.file === "string" && value.file !== "") return { file: value.file };
    if (typeof value.credentialFile === "string" && value.credentialFile !== "") {
      return { credentialFile: value.credentialFile };
    }
    if (typeof value.env === "string" && value.env !== "") return { env: value.env };
    if (value.prompt === true) return { prompt: true };
  }
  throw mistake(
    file,
    where,
    'must name where the secret comes from: { file: "path" }, { credentialFile: "cred.xml" }, ' +
      '{ env: "MSPE_SECRET_NAME" } or { prompt: true }. A password is never written in the ' +
      "state file itself.",
  );
}

/** A list field: a list of texts, or (from a CSV cell) texts separated by `;` or `,`. */
export function textList(file: string, where: string, value: unknown): string[] {
  if (typeof value === "string") {
    return value.split(/[;,]/).map((item) => item.trim()).filter((item) => item !== "");
  }
  // A list in the file is taken as written (an export writes what the server has); only a CSV
  // cell's items, split above, are trimmed.
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) {
    return value.filter((item) => item !== "" && item !== "none");
  }
  throw mistake(file, where, "must be a list of texts.");
}

/**
 * A block of named resources: a list, or `{ list, prune }` (users also `from`, a CSV file), its
 * items checked by `check`.
 */
export function listBlock<T>(
  file: string,
  where: string,
  value: unknown,
  check: (file: string, where: string, item: unknown) => T,
  csv: boolean,
): readonly T[] | { from?: string; list?: T[] | undefined; prune?: boolean } {
  if (Array.isArray(value)) return value.map((item, i) => check(file, `${where}[${i}]`, item));
  const shape = csv
    ? '{ list: [...], prune: true } or { from: "users.csv" }'
    : "{ list: [...], prune: true }";
  if (!isObject(value)) throw mistake(file, where, `must be a list or ${shape}.`);
  onlyKnown(file, where, value, csv ? ["from", "list", "prune"] : ["list", "prune"]);
  optionalText(file, `${where}.from`, value.from, "must name a CSV file.");
  optionalFlag(file, `${where}.prune`, value.prune);
  if (value.list !== undefined && !Array.isArray(value.list)) {
    throw mistake(file, `${where}.list`, `must be a list, as in ${shape}.`);
  }
  return {
    ...value,
    list: (value.list as unknown[] | undefined)?.map((item, i) =>
      check(file, `${where}.list[${i}]`, item)
    ),
  };
}

/** Names are keys: each once per instance, without regard to case. */
export function checkUnique(
  file: string,
  where: string,
  names: readonly string[],
  noun: string,
): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) {
      throw mistake(file, where, `lists the ${noun} ${name} twice. Keep one.`);
    }
    seen.add(name.toLowerCase());
  }
}

/** The `name` of a named resource (a job, a store, a profile): a non-empty text, trimmed. */
export function nameOf(file: string, where: string, value: unknown, noun: string): string {
  if (!isObject(value)) throw mistake(file, where, "must be an object with at least name.");
  // Taken as written, spaces included: the server keeps them, and a trimmed name would be another.
  if (typeof value.name !== "string" || value.name === "") {
    throw mistake(file, `${where}.name`, `is missing: every ${noun} needs a name.`);
  }
  return value.name;
}

/** `renamedFrom` of a named resource: a non-empty text other than its name, trimmed. */
export function renamedFrom(
  file: string,
  where: string,
  value: unknown,
  name: string,
): { renamedFrom?: string } {
  const before = optionalText(file, `${where}.renamedFrom`, value, "must be the name before.");
  if (before === undefined) return {};
  if (before.toLowerCase() === name.toLowerCase()) {
    throw mistake(
      file,
      `${where}.renamedFrom`,
      "is the name itself, compared without regard to case as the server does: leave it out (a " +
        "rename of case alone is made with mspe-run call, not by the state file).",
    );
  }
  return { renamedFrom: before };
}

/**
 * A name renamed from must not be listed too: both entries would mean the one resource now so
 * named.
 */
export function checkRenames(
  file: string,
  where: string,
  items: readonly { readonly renamedFrom?: string | undefined }[],
  names: readonly string[],
  noun: string,
): void {
  const listed = new Set(names.map((name) => name.toLowerCase()));
  items.forEach((item, i) => {
    if (item.renamedFrom !== undefined && listed.has(item.renamedFrom.toLowerCase())) {
      throw mistake(
        file,
        where,
        `the ${noun} ${names[i]} is renamed from ${item.renamedFrom}, which is listed too. ` +
          `Rename first (apply), then list a new ${noun} of the old name.`,
      );
    }
  });
}
