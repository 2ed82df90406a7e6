/**
 * Reading the settings of {@linkcode SETTINGS} for one command: each from its flag, else its MSPE_
 * variable, else the profile, else the default; checked by the table's check, with messages that
 * say where a wrong value came from. Also the way back: the flags that reach the same server again
 * (the resume command).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Product } from "../../metadata.ts";
import type { ParsedArgs } from "../args.ts";
import type { CliIo } from "../io/io.ts";
import { shellQuote } from "../output/shell_quote.ts";
import { chooseProfile, type ChosenProfile, loadConfig } from "./config.ts";
import {
  type MspeVariable,
  type Setting,
  type SettingName,
  SETTINGS,
  type SettingValue,
} from "./table.ts";

/** Where a setting came from: a flag, an MSPE_ variable, the profile, or the built-in default. */
export type SettingSource = "flag" | "env" | "profile" | "default";

/** One setting as found and checked, with where it came from. */
export interface Found<T = SettingValue> {
  /** The value, checked by the table's check. */
  readonly value: T;
  /** Where it came from. */
  readonly source: SettingSource;
  /** For messages: "" for a flag, else " It comes from MSPE_PORT." or the profile. */
  readonly from: string;
}

/** The connection settings read from the flags, the MSPE_ variables and the profile. */
export interface ConnectionSettings {
  /** The server's host name or address. */
  readonly host: string;
  /** The port, or `undefined` for the product's default. */
  readonly port: number | undefined;
  /** `spe` or `server`. */
  readonly product: Product;
  /** The API user. */
  readonly username: string | undefined;
  /** `--password-file`. */
  readonly passwordFile: string | undefined;
  /** `--credential-file`: a PowerShell credential (CLIXML with a DPAPI password). */
  readonly credentialFile?: string | undefined;
  /** `--ca-cert` paths. */
  readonly caCertFiles: readonly string[];
  /** `--pin-sha256`. */
  readonly pinSha256: string | undefined;
  /** `--insecure`. */
  readonly insecure: boolean;
  /** `--tls-version`. */
  readonly tlsVersion: "1.2" | "1.3" | undefined;
  /** `--instance`. */
  readonly instance: string | undefined;
  /** `--timeout` in milliseconds. */
  readonly timeoutMs: number | undefined;
  /** `--retries`: how often a read is sent again after a blip; the client's default when left out. */
  readonly retries?: number | undefined;
  /** How many instances a fleet run works on at once (`--concurrency`, MSPE_ or the profile). */
  readonly concurrency?: number | undefined;
  /** The profile the settings were completed from, if any. */
  readonly profile?: ChosenProfile | undefined;
  /** Each setting found, by flag name, for the resume command. */
  readonly found?: Readonly<Partial<Record<SettingName, Found>>>;
}

function profileWhere(profile: ChosenProfile): string {
  return `profile ${profile.name} in ${profile.path}`;
}

/** A setting's text from the flag, its variable or the profile (an empty variable is not set). */
function lookupText(
  parsed: ParsedArgs,
  io: CliIo,
  name: SettingName,
  profile: ChosenProfile | undefined,
): Found<string> | undefined {
  const row: Setting = SETTINGS[name];
  const fromFlag = parsed.string(name);
  if (fromFlag !== undefined) return { value: fromFlag, source: "flag", from: "" };
  const fromEnv = row.env === undefined ? undefined : io.env(row.env as MspeVariable);
  if (row.env !== undefined && fromEnv !== undefined && fromEnv !== "") {
    return { value: fromEnv, source: "env", from: ` It comes from ${row.env}.` };
  }
  const key = row.profile?.key;
  const saved = key === undefined || profile === undefined
    ? undefined
    : (profile.profile as Readonly<Record<string, unknown>>)[key];
  if (saved === undefined) return undefined;
  return {
    value: Array.isArray(saved) ? String(saved[0] ?? "") : String(saved),
    source: "profile",
    from: ` It comes from ${profileWhere(profile!)}.`,
  };
}

/**
 * Looks a setting up by the precedence (flag, MSPE_ variable, profile) and checks it with the
 * table's check; `undefined` when none of them sets it.
 *
 * @example
 * ```ts ignore
 * const port = readSetting(parsed, io, "port", parsed.profile)?.value; // 8474
 * ```
 */
export function readSetting(
  parsed: ParsedArgs,
  io: CliIo,
  name: SettingName,
  profile: ChosenProfile | undefined,
): Found | undefined {
  const found = lookupText(parsed, io, name, profile);
  if (found === undefined) return undefined;
  const check = (SETTINGS[name] as Setting).check;
  return check === undefined ? found : { ...found, value: check(found.value, found.from) };
}

/**
 * The trust settings (`--ca-cert`, `--pin-sha256`, `--insecure`) come as a group from the first
 * layer that has any of them, so that a pin in a profile never mixes with a CA given on the command
 * line for another server.
 */
function readTrust(
  parsed: ParsedArgs,
  io: CliIo,
  profile: ChosenProfile | undefined,
): Partial<Record<"ca-cert" | "pin-sha256" | "insecure", Found>> {
  const flagCa = parsed.strings("ca-cert");
  const flagPin = parsed.string("pin-sha256");
  if (flagCa.length > 0 || flagPin !== undefined || parsed.bool("insecure")) {
    return {
      "ca-cert": { value: flagCa, source: "flag", from: "" },
      ...(flagPin === undefined ? {} : {
        "pin-sha256": {
          value: SETTINGS["pin-sha256"].check(flagPin, ""),
          source: "flag",
          from: "",
        },
      }),
      insecure: { value: parsed.bool("insecure"), source: "flag", from: "" },
    };
  }
  const layer = (source: "env" | "profile") => {
    const ca = source === "env" ? io.env(SETTINGS["ca-cert"].env) : profile?.profile.caCert;
    const pinText = source === "env"
      ? io.env(SETTINGS["pin-sha256"].env)
      : profile?.profile.pinSha256;
    if ((ca ?? "") === "" && (pinText ?? "") === "") return undefined;
    const from = source === "env"
      ? ` It comes from ${SETTINGS["pin-sha256"].env}.`
      : ` It comes from ${profileWhere(profile!)}.`;
    const files = ca === undefined || ca === "" ? [] : typeof ca === "string" ? [ca] : [...ca];
    return {
      "ca-cert": { value: files, source, from },
      ...(pinText === undefined || pinText === "" ? {} : {
        "pin-sha256": { value: SETTINGS["pin-sha256"].check(pinText, from), source, from },
      }),
    };
  };
  return layer("env") ?? layer("profile") ?? {};
}

/**
 * Reads and checks the connection settings: each from its flag, else its MSPE_ variable, else the
 * profile attached to `parsed` (see {@linkcode attachProfile}), else the default. Mistakes are
 * {@linkcode UsageError}s that say where the wrong value came from.
 *
 * @example
 * ```ts
 * import { parseCommand } from "../args.ts";
 * import { readConnection } from "./resolve.ts";
 * import { CONNECTION_FLAGS } from "./flags.ts";
 * import { denoIo } from "../io/io.ts";
 * const parsed = parseCommand("call", ["--host", "spe1", "--port", "8474"], CONNECTION_FLAGS);
 * console.log(readConnection(parsed, denoIo()).port); // 8474
 * ```
 */
export function readConnection(parsed: ParsedArgs, io: CliIo): ConnectionSettings {
  const profile = parsed.profile;
  const found: Partial<Record<SettingName, Found>> = {};
  const get = (name: SettingName): SettingValue | undefined => {
    const setting = readSetting(parsed, io, name, profile);
    if (setting !== undefined) found[name] = setting;
    return setting?.value;
  };
  const host = (get("host") ?? SETTINGS.host.check("localhost", "")) as string;
  const port = get("port") as number | undefined;
  const product = (get("product") ?? "spe") as Product;
  const tlsVersion = get("tls-version") as "1.2" | "1.3" | undefined;
  const timeoutMs = get("timeout") as number | undefined;
  const username = get("username") as string | undefined;
  Object.assign(found, readTrust(parsed, io, profile));
  // MSPE_PASSWORD is the environment's password: it wins over a password file of the profile.
  const passwordFromEnv = (io.env("MSPE_PASSWORD") ?? "") !== "";
  const passwordFile = passwordFromEnv &&
      lookupText(parsed, io, "password-file", undefined) === undefined
    ? undefined
    : get("password-file") as string | undefined;
  return {
    host,
    port,
    product,
    username: username === "" ? undefined : username,
    passwordFile,
    credentialFile: get("credential-file") as string | undefined,
    caCertFiles: (found["ca-cert"]?.value ?? []) as readonly string[],
    pinSha256: found["pin-sha256"]?.value as string | undefined,
    insecure: found.insecure?.value === true,
    tlsVersion,
    instance: get("instance") as string | undefined,
    timeoutMs,
    retries: get("retries") as number | undefined,
    concurrency: get("concurrency") as number | undefined,
    profile,
    found,
  };
}

/**
 * The output format asked for by `--format`, `MSPE_FORMAT` or the profile; `undefined` when the
 * default applies (list on a terminal, json when piped).
 *
 * @example
 * ```ts ignore
 * const whole = askedFormat(parsed, io) === "json";
 * ```
 */
export function askedFormat(parsed: ParsedArgs, io: CliIo): string | undefined {
  return readSetting(parsed, io, "format", parsed.profile)?.value as string | undefined;
}

/**
 * Reads the config file once and attaches the profile that applies (`--profile`, else
 * `MSPE_PROFILE`, else `default`) to the parsed arguments, for {@linkcode readConnection}.
 *
 * @example
 * ```ts ignore
 * parsed = await attachProfile(parsed, io);
 * console.log(parsed.profile?.name);
 * ```
 */
export async function attachProfile<P extends ParsedArgs>(parsed: P, io: CliIo): Promise<P> {
  if (parsed.profileResolved) return parsed;
  const name = parsed.string("profile") ?? io.env(SETTINGS.profile.env);
  const named = name !== undefined && name !== "";
  // Without a named profile a config file that cannot be located is no profile at all.
  const loaded = await loadConfig(io);
  return parsed.withProfile(chooseProfile(loaded, named ? name : undefined)) as P;
}

/**
 * The connection flags as given, to build a command that reaches the same server (the resume
 * command after Ctrl-C): the table's `resume` settings that a flag or a variable gave, and the
 * profile by name when it was named. Never the password: only where it came from.
 *
 * @example
 * ```ts ignore
 * connectionArgs(settings); // ["--host", "spe1", "--port", "8474", "--username", "admin"]
 * ```
 */
export function connectionArgs(settings: ConnectionSettings): string[] {
  const args: string[] = [];
  if (settings.profile?.named) args.push("--profile", settings.profile.name);
  for (const [name, row] of Object.entries(SETTINGS) as [SettingName, Setting][]) {
    const setting = settings.found?.[name];
    if (!row.resume || setting === undefined) continue;
    if (setting.source !== "flag" && setting.source !== "env") continue;
    const value = setting.value;
    if (value === true) args.push(`--${name}`);
    else if (Array.isArray(value)) { for (const item of value) args.push(`--${name}`, item); }
    else if (value !== false) args.push(`--${name}`, String(value));
  }
  return args;
}

/**
 * The exact `mspe-run watch <token>` command that reaches the same server, for the messages after
 * `--no-wait` and Ctrl-C.
 *
 * @example
 * ```ts ignore
 * console.log(resumeCommandFor(settings)("s0123")); // mspe-run watch s0123 --host spe1 --username admin
 * ```
 */
export function resumeCommandFor(
  settings: ConnectionSettings,
): (token: string, label?: string) => string {
  return (token, label) =>
    [
      "mspe-run",
      "watch",
      token,
      ...connectionArgs(settings),
      ...(label === undefined ? [] : ["--label", label]),
    ].map(shellQuote).join(" ");
}
