/**
 * The one table of mspe-run's settings: for each, its flag, its MSPE_ variable, its profile key, the
 * check of its value, its help line and its completion. Flag parsing, the environment, profiles,
 * `profile add|show`, help, completion and the resume command all derive from it, and deno.json's
 * env permission list is checked against {@linkcode MSPE_VARIABLES} by a test. A new setting is one
 * row here plus its use.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { MAX_CONCURRENCY } from "../../fleet.ts";
import type { FlagSpec } from "../flag_spec.ts";
import { FORMATS } from "../output/format.ts";
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from "../session/timeouts.ts";
import {
  checkConcurrency,
  checkHost,
  checkHours,
  checkPin,
  checkPort,
  checkProduct,
  checkRetries,
  checkRuns,
  checkTlsVersion,
  readTimeoutMs,
} from "./checks.ts";

/** The JSON type a profile key takes in the config file. */
export type ProfileKind = "string" | "number" | "strings";

/** A value as a setting's check returns it. */
export type SettingValue = string | number | boolean | readonly string[];

/** One setting of the table. */
export interface Setting {
  /** The flag, as parsed and shown in help. */
  readonly flag: FlagSpec;
  /** The MSPE_ variable that sets it when the flag is not given. */
  readonly env?: string;
  /** The key of a profile in the config file that sets it, and the JSON type the key takes. */
  readonly profile?: {
    readonly key: string;
    readonly kind: ProfileKind;
    /** The help line of `profile add` when it says more than the flag's. */
    readonly help?: string;
  };
  /**
   * Checks a value as given (a flag's text, a variable, a profile's value as text) and returns it
   * as the command uses it. `from` is "" for a flag, else " It comes from MSPE_PORT." or the
   * profile, to end the message of a {@linkcode UsageError}.
   */
  readonly check?: (text: string, from: string) => SettingValue;
  /** The values completion offers (and `check` accepts), when they are a fixed few. */
  readonly values?: readonly string[];
  /** Completion offers the config file's profile names. */
  readonly completeProfiles?: boolean;
  /**
   * The resume command (after `--no-wait` or Ctrl-C) repeats it when it was given by a flag or a
   * variable; what a profile gave comes back with the profile.
   */
  readonly resume?: boolean;
}

function checkFormat(text: string): string {
  // Which formats a command takes is the command's to say (report has more): see chooseFormat.
  return text;
}

/**
 * Every setting, by flag name, in the order of the help text. The connection settings come as a
 * group (see {@linkcode CONNECTION_SETTINGS}); `format` and `concurrency` belong to the commands
 * that print data and run on fleets.
 */
export const SETTINGS = {
  profile: {
    flag: {
      type: "string",
      value: "<name>",
      help: "Take the settings not given otherwise from this profile of the config file " +
        "(default: MSPE_PROFILE, else the profile named default). See `mspe-run profile`.",
    },
    env: "MSPE_PROFILE",
    completeProfiles: true,
  },
  host: {
    resume: true,
    flag: {
      type: "string",
      value: "<host>",
      help: "The server (default: MSPE_HOST or localhost).",
    },
    env: "MSPE_HOST",
    profile: { key: "host", kind: "string" },
    check: checkHost,
  },
  port: {
    resume: true,
    flag: {
      type: "string",
      value: "<port>",
      help: "The API port (default: MSPE_PORT, or 8474 for spe and 8463 for server).",
    },
    env: "MSPE_PORT",
    profile: { key: "port", kind: "number" },
    check: checkPort,
  },
  product: {
    resume: true,
    flag: {
      type: "string",
      value: "<spe|server>",
      help: "spe: MailStore SPE (default); server: MailStore Server.",
    },
    env: "MSPE_PRODUCT",
    profile: { key: "product", kind: "string" },
    check: checkProduct,
    values: ["spe", "server"],
  },
  username: {
    resume: true,
    flag: { type: "string", value: "<name>", help: "The API user (default: MSPE_USERNAME)." },
    env: "MSPE_USERNAME",
    profile: { key: "username", kind: "string" },
  },
  "password-file": {
    resume: true,
    flag: {
      type: "string",
      value: "<path|->",
      help:
        "Read the password from a file, or from stdin with -. Else MSPE_PASSWORD, else a prompt.",
    },
    env: "MSPE_PASSWORD_FILE",
    profile: {
      key: "passwordFile",
      kind: "string",
      help: "The file the password is read from (a path is kept, never a password).",
    },
  },
  "credential-file": {
    resume: true,
    flag: {
      type: "string",
      value: "<cred.xml>",
      help: "User name and password from a PowerShell credential file (Get-Credential | " +
        "Export-Clixml, or mspe-run credential save); Windows only.",
    },
    env: "MSPE_CREDENTIAL_FILE",
    profile: { key: "credentialFile", kind: "string" },
  },
  "ca-cert": {
    resume: true,
    flag: {
      type: "string",
      multiple: true,
      value: "<pem file>",
      help: "Also trust this CA certificate (PEM); may be given more than once.",
    },
    env: "MSPE_CA_CERT",
    profile: { key: "caCert", kind: "strings" },
  },
  "pin-sha256": {
    resume: true,
    flag: {
      type: "string",
      value: "<fingerprint>",
      help:
        "Trust exactly the certificate with this SHA-256 fingerprint (see `mspe-run tls-info`).",
    },
    env: "MSPE_PIN_SHA256",
    profile: { key: "pinSha256", kind: "string" },
    check: checkPin,
  },
  // No MSPE_ variable and no profile key, on purpose: trusting any certificate is typed each time.
  insecure: {
    resume: true,
    flag: {
      type: "boolean",
      help: "Accept any certificate, like -IgnoreInvalidSSLCerts. Prefer --pin-sha256.",
    },
  },
  "tls-version": {
    resume: true,
    flag: { type: "string", value: "<1.2|1.3>", help: "Speak exactly this TLS version." },
    env: "MSPE_TLS_VERSION",
    profile: { key: "tlsVersion", kind: "string" },
    check: checkTlsVersion,
    values: ["1.2", "1.3"],
  },
  instance: {
    flag: {
      type: "string",
      value: "<instanceID>",
      help: "The default instanceID for functions that take one.",
    },
    env: "MSPE_INSTANCE",
    profile: { key: "instance", kind: "string" },
  },
  timeout: {
    flag: {
      type: "string",
      value: "<seconds>",
      help: `Give up after this many seconds (exit code 6). Without it, a request that gets no ` +
        `reply within ${DEFAULT_REQUEST_TIMEOUT_SECONDS} s is given up; a long-running call is ` +
        "followed for as long as it runs.",
    },
    env: "MSPE_TIMEOUT",
    check: readTimeoutMs,
  },
  retries: {
    flag: {
      type: "string",
      value: "<N>",
      help: "Send a read (a function that changes nothing) again up to N times when a blip " +
        "(connection reset, HTTP 502/503/504, no reply in time) failed it (default 2, 0 to 10). " +
        "A call that may change state is never sent again.",
    },
    env: "MSPE_RETRIES",
    profile: {
      key: "retries",
      kind: "number",
      help: "How often a read is sent again after a blip (--retries).",
    },
    check: checkRetries,
  },
  format: {
    flag: {
      type: "string",
      value: "<list|table|json|ndjson|csv>",
      help: "Output format (default: list on a terminal, json when piped).",
    },
    env: "MSPE_FORMAT",
    profile: {
      key: "format",
      kind: "string",
      help: "The output format for commands that use this profile.",
    },
    check: checkFormat,
    values: FORMATS,
  },
  concurrency: {
    flag: {
      type: "string",
      value: "<N>",
      help: `With --instances: at most N calls at once (default 8, at most ${MAX_CONCURRENCY}).`,
    },
    env: "MSPE_CONCURRENCY",
    profile: {
      key: "concurrency",
      kind: "number",
      help: "How many instances a fleet run works on at once.",
    },
    check: checkConcurrency,
  },
  // The rules of report health. No MSPE_ variables: a monitoring check keeps its thresholds on
  // its command line or in its profile, where the next admin finds them.
  ack: {
    flag: {
      type: "string",
      value: "<file>",
      help: "health: the acknowledgement file (JSON): findings it covers are shown as " +
        "acknowledged and raise no alert until their date. A missing file acknowledges nothing.",
    },
    profile: {
      key: "ackFile",
      kind: "string",
      help: "The acknowledgement file of report health (--ack).",
    },
  },
  "profile-failed-hours": {
    flag: {
      type: "string",
      value: "<hours>",
      help: "health: an archiving profile with no successful run since a failure more than this " +
        "many hours ago is critical, else a warning (default 24).",
    },
    profile: { key: "profileFailedHours", kind: "number" },
    check: checkHours("profile-failed-hours"),
  },
  "profile-failed-runs": {
    flag: {
      type: "string",
      value: "<n>",
      help: "health: an archiving profile whose last n runs failed is critical (default 3).",
    },
    profile: { key: "profileFailedRuns", kind: "number" },
    check: checkRuns("profile-failed-runs"),
  },
  "job-failed-hours": {
    flag: {
      type: "string",
      value: "<hours>",
      help: "health: a job with no successful run since a failure more than this many hours " +
        "ago is critical, else a warning (default 24).",
    },
    profile: { key: "jobFailedHours", kind: "number" },
    check: checkHours("job-failed-hours"),
  },
  "job-failed-runs": {
    flag: {
      type: "string",
      value: "<n>",
      help: "health: a job whose last n runs failed is critical (default 3).",
    },
    profile: { key: "jobFailedRuns", kind: "number" },
    check: checkRuns("job-failed-runs"),
  },
} as const satisfies Readonly<Record<string, Setting>>;

/** The name of a setting (its flag without the dashes). */
export type SettingName = keyof typeof SETTINGS;

type SettingRow = typeof SETTINGS[SettingName];

type JsonOf<K> = K extends "number" ? number : K extends "strings" ? string | readonly string[]
: string;

/** One named profile of the config file: the settings it supplies, by profile key. */
export type Profile = {
  readonly [
    S in SettingRow as S extends { readonly profile: { readonly key: infer K extends string } } ? K
      : never
  ]?: S extends { readonly profile: { readonly kind: infer J } } ? JsonOf<J> : never;
};

/** The settings that say which server to talk to and how, in the order of the help text. */
export const CONNECTION_SETTINGS = [
  "profile",
  "host",
  "port",
  "product",
  "username",
  "password-file",
  "credential-file",
  "ca-cert",
  "pin-sha256",
  "insecure",
  "tls-version",
  "instance",
  "timeout",
  "retries",
] as const satisfies readonly SettingName[];

/** The settings a profile can keep, by flag name, in the table's order. */
export const PROFILE_SETTINGS: readonly SettingName[] = (Object.keys(SETTINGS) as SettingName[])
  .filter((name) => "profile" in SETTINGS[name]);

/** The keys a profile may have, with the JSON type each takes. */
export const PROFILE_KEYS: Readonly<Record<string, ProfileKind>> = Object.fromEntries(
  PROFILE_SETTINGS.map((name) => {
    const { key, kind } = (SETTINGS[name] as Setting).profile!;
    return [key, kind];
  }),
);

/** The setting a profile key belongs to. */
export function settingOfProfileKey(key: string): SettingName | undefined {
  return PROFILE_SETTINGS.find((name) => (SETTINGS[name] as Setting).profile?.key === key);
}

/**
 * The variables that are read but set no flag: the password itself (never a flag), the config
 * file, the folder `deno task` was started in, and the ones that locate the config folder on each
 * system.
 */
const OTHER_VARIABLES = [
  "MSPE_PASSWORD",
  "MSPE_CONFIG",
  // Where `deno task mspe-run` was started: relative paths are taken from there (io.ts).
  "INIT_CWD",
  "APPDATA",
  "USERPROFILE",
  "XDG_CONFIG_HOME",
  "HOME",
] as const;

type EnvOf<S> = S extends { readonly env: infer E extends string } ? E : never;

/** One of {@linkcode MSPE_VARIABLES}. */
export type MspeVariable = EnvOf<SettingRow> | typeof OTHER_VARIABLES[number];

/**
 * The environment variables mspe-run reads; deno.json's permission set allows exactly these: one
 * MSPE_ variable per setting that has one (never one for --insecure, see the README), the password,
 * the config file, and the variables that locate the config folder.
 */
export const MSPE_VARIABLES: readonly MspeVariable[] = [
  ...(Object.values(SETTINGS) as Setting[]).flatMap((row) =>
    row.env === undefined ? [] : [row.env as MspeVariable]
  ),
  ...OTHER_VARIABLES,
];

/** The flag of each named setting, for a command's flag list. */
export function settingFlags<const N extends readonly SettingName[]>(
  names: N,
): { readonly [K in N[number]]: typeof SETTINGS[K]["flag"] } {
  return Object.fromEntries(names.map((name) => [name, SETTINGS[name].flag])) as {
    readonly [K in N[number]]: typeof SETTINGS[K]["flag"];
  };
}
