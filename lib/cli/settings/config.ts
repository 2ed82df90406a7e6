/**
 * The profiles file of `mspe-run`: where it lives on each system, reading and checking it, and
 * writing it back for `mspe-run profile add|remove`.
 *
 * The file is JSON, `{ "profiles": { "<name>": { "host": ..., ... } } }`. It never holds a password:
 * a `password` key is refused with a line saying what to use instead (`passwordFile`,
 * `MSPE_PASSWORD`, the prompt).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { CliIo } from "../io/io.ts";
import { whyUnreadable } from "../io/io.ts";
import { closest } from "../../_suggest.ts";
import { UsageError } from "../usage_error.ts";
import { type MspeVariable, type Profile, PROFILE_KEYS } from "./table.ts";

export type { Profile };

/** The whole config file. */
export interface Config {
  /** The profiles by name. */
  readonly profiles: Readonly<Record<string, Profile>>;
}

/**
 * Joins path segments with one separator between them. Plain string work rather than `node:path`:
 * the first `node:` import starts Deno's Node compatibility layer (about 60 ms of CPU), which
 * every `mspe-run` command would pay for here.
 */
function joinPath(separator: "/" | "\\", base: string, ...parts: string[]): string {
  const trimmed = base.replace(separator === "/" ? /\/+$/ : /[\\/]+$/, "");
  return [trimmed === "" ? separator : trimmed, ...parts].join(separator).replace(/^\/\//, "/");
}

/** The profile that applies when none is named. */
export const DEFAULT_PROFILE = "default";

/**
 * Where the config file is: `MSPE_CONFIG` when set; on Windows `%APPDATA%\mspe\config.json`
 * (`%USERPROFILE%\AppData\Roaming\...` without APPDATA); elsewhere
 * `$XDG_CONFIG_HOME/mspe/config.json`, else `~/.config/mspe/config.json`. `undefined` when none of
 * the variables is set. Pure, so that the Windows rules are tested on any system.
 *
 * @example
 * ```ts
 * import { configPath } from "./config.ts";
 * const env: Record<string, string> = { APPDATA: "C:\\Users\\ops\\AppData\\Roaming" };
 * console.log(configPath("windows", (name) => env[name])); // C:\Users\ops\AppData\Roaming\mspe\config.json
 * ```
 */
export function configPath(
  os: string,
  env: (name: MspeVariable) => string | undefined,
): string | undefined {
  const set = (name: MspeVariable) => {
    const value = env(name);
    return value === undefined || value.trim() === "" ? undefined : value;
  };
  const explicit = set("MSPE_CONFIG");
  if (explicit !== undefined) return explicit;
  if (os === "windows") {
    const appData = set("APPDATA");
    if (appData !== undefined) return joinPath("\\", appData, "mspe", "config.json");
    const profile = set("USERPROFILE");
    return profile === undefined
      ? undefined
      : joinPath("\\", profile, "AppData", "Roaming", "mspe", "config.json");
  }
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const xdg = set("XDG_CONFIG_HOME");
  if (xdg !== undefined && xdg.startsWith("/")) return joinPath("/", xdg, "mspe", "config.json");
  const home = set("HOME");
  return home === undefined ? undefined : joinPath("/", home, ".config", "mspe", "config.json");
}

function damaged(file: string, problem: string): UsageError {
  return new UsageError(`The config file ${file} ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkProfile(file: string, name: string, raw: unknown): Profile {
  const where = `profile ${JSON.stringify(name)}`;
  if (!isRecord(raw)) {
    throw damaged(file, `has a ${where} that is not an object: give { "host": "...", ... }.`);
  }
  const profile: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (/^password$/i.test(key)) {
      throw damaged(
        file,
        `has a password in ${where}: passwords are never kept in the config file. Remove it and ` +
          `use "passwordFile": "<path>", MSPE_PASSWORD or the prompt.`,
      );
    }
    const kind = Object.hasOwn(PROFILE_KEYS, key) ? PROFILE_KEYS[key] : undefined;
    if (kind === undefined) {
      const suggestion = closest(key, Object.keys(PROFILE_KEYS));
      throw damaged(
        file,
        `has an unknown key ${JSON.stringify(key)} in ${where}.${
          suggestion ? ` Did you mean ${suggestion}?` : ""
        } Known keys: ${Object.keys(PROFILE_KEYS).join(", ")}.`,
      );
    }
    const ok = kind === "number"
      ? typeof value === "number" && Number.isInteger(value) && value > 0
      : kind === "strings"
      ? typeof value === "string" ||
        (Array.isArray(value) && value.every((item) => typeof item === "string"))
      : typeof value === "string";
    if (!ok) {
      const wanted = kind === "number"
        ? "a positive whole number"
        : kind === "strings"
        ? "a path or a list of paths"
        : "a string";
      throw damaged(file, `has ${key} in ${where} that is not ${wanted}.`);
    }
    profile[key] = value;
  }
  return profile as Profile;
}

/**
 * Reads and checks the text of a config file. Every problem is one {@linkcode UsageError} line that
 * names the file and the problem.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./config.ts";
 * const config = parseConfig('{"profiles":{"prod":{"host":"spe1"}}}', "config.json");
 * console.log(config.profiles.prod?.host); // spe1
 * ```
 */
export function parseConfig(text: string, file: string): Config {
  if (text.trim() === "") return { profiles: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    throw damaged(file, `is not valid JSON (${why}). Fix it, or move it away and start again.`);
  }
  if (!isRecord(raw)) {
    throw damaged(file, `is not a JSON object. It holds { "profiles": { "<name>": { ... } } }.`);
  }
  for (const key of Object.keys(raw)) {
    if (key !== "profiles") {
      throw damaged(
        file,
        `has an unknown top-level key ${
          JSON.stringify(key)
        }. It holds { "profiles": { "<name>": { ... } } }.`,
      );
    }
  }
  const profilesRaw = raw.profiles ?? {};
  if (!isRecord(profilesRaw)) {
    throw damaged(file, `has "profiles" that is not an object of named profiles.`);
  }
  const profiles: Record<string, Profile> = {};
  for (const [name, value] of Object.entries(profilesRaw)) {
    profiles[name] = checkProfile(file, name, value);
  }
  return { profiles };
}

/** The config file as read: its path, and `exists: false` when there is no file yet. */
export interface LoadedConfig {
  /** Where the file is (or would be). */
  readonly path: string;
  /** Whether the file exists. */
  readonly exists: boolean;
  /** Its profiles (none when it does not exist). */
  readonly config: Config;
}

/**
 * Finds and reads the config file. A missing file is no profiles; a file that cannot be read or is
 * damaged is a {@linkcode UsageError}. `undefined` when no path can be worked out (no HOME).
 *
 * @example
 * ```ts ignore
 * const loaded = await loadConfig(io);
 * console.log(Object.keys(loaded?.config.profiles ?? {}));
 * ```
 */
export async function loadConfig(io: CliIo): Promise<LoadedConfig | undefined> {
  const path = configPath(Deno.build.os, (name) => io.env(name));
  if (path === undefined) return undefined;
  let text: string;
  try {
    // Windows editors save with a BOM, Windows PowerShell 5.1 in UTF-16: all are read. Through
    // the CLI's I/O, as it is written, so that both take a relative MSPE_CONFIG from one folder.
    text = await io.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      return { path, exists: false, config: { profiles: {} } };
    }
    throw damaged(path, `cannot be read: ${whyUnreadable(error)}.`);
  }
  return { path, exists: true, config: parseConfig(text, path) };
}

/** The profile chosen for a command, and where it came from. */
export interface ChosenProfile {
  /** The profile's name. */
  readonly name: string;
  /** `true` when named by `--profile` or `MSPE_PROFILE`, `false` for the `default` profile. */
  readonly named: boolean;
  /** The config file it is in. */
  readonly path: string;
  /** Its settings. */
  readonly profile: Profile;
}

/**
 * Picks the profile: the one named (by `--profile` or `MSPE_PROFILE`), else `default` when the file
 * has one, else none. A named profile that does not exist is a {@linkcode UsageError} with the list.
 *
 * @example
 * ```ts ignore
 * const chosen = chooseProfile(await loadConfig(io), parsed.string("profile") ?? io.env("MSPE_PROFILE"));
 * ```
 */
export function chooseProfile(
  loaded: LoadedConfig | undefined,
  name: string | undefined,
): ChosenProfile | undefined {
  const wanted = name === undefined || name === "" ? undefined : name;
  if (loaded === undefined) {
    if (wanted === undefined) return undefined;
    throw new UsageError(
      `No profile ${
        JSON.stringify(wanted)
      }: the config file cannot be located (set HOME, or MSPE_CONFIG to its path).`,
    );
  }
  const { profiles } = loaded.config;
  const lookup = wanted ?? DEFAULT_PROFILE;
  const profile = Object.hasOwn(profiles, lookup) ? profiles[lookup] : undefined;
  if (profile !== undefined) {
    return { name: lookup, named: wanted !== undefined, path: loaded.path, profile };
  }
  if (wanted === undefined) return undefined;
  throw noSuchProfile(
    loaded,
    wanted,
    ` Add one with \`mspe-run profile add ${wanted} --host <host> ...\`.`,
  );
}

/**
 * The error for a profile the config file does not have: the names it has, and the closest one.
 *
 * @example
 * ```ts ignore
 * throw noSuchProfile(loaded, "prdo"); // No profile "prdo" in ... Did you mean prod? ...
 * ```
 */
export function noSuchProfile(loaded: LoadedConfig, name: string, hint = ""): UsageError {
  const names = Object.keys(loaded.config.profiles);
  const suggestion = closest(name, names);
  return new UsageError(
    `No profile ${JSON.stringify(name)} in ${loaded.path}.${
      suggestion ? ` Did you mean ${suggestion}?` : ""
    } ${names.length > 0 ? `Profiles: ${names.join(", ")}.` : "It has no profiles yet."}${hint}`,
  );
}

/**
 * The text of a config file: two-space JSON with a final newline, so that people can edit it.
 *
 * @example
 * ```ts
 * import { formatConfig } from "./config.ts";
 * console.log(formatConfig({ profiles: { prod: { host: "spe1" } } }));
 * ```
 */
export function formatConfig(config: Config): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
