/**
 * The connection flags every server command shares (`--host`, `--port`, `--product`, `--username`,
 * `--password-file`, `--ca-cert`, `--pin-sha256`, `--insecure`, `--tls-version`, `--instance`,
 * `--timeout`), the output flags, and building a client from them.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { joinHostPort } from "../_server_name.ts";
import type { Client, ClientOptions, TlsOptions, TraceEvent } from "../../mod.ts";
import { ApiError, AuthenticationError, TlsError } from "../errors.ts";
import { newClient } from "../client.ts";
import type { Product } from "../metadata.ts";
// The library's own check of CA files, so that the CLI's messages and the library's agree on what
// is damaged; the CLI only adds the file's name.
import { inspectCaCertificates } from "../ca_certificates.ts";
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import { chooseFormat, type Format, parseSelect } from "./format.ts";
import { checkProduct } from "./function_lookup.ts";
import type { ChosenProfile, Profile } from "./config.ts";
import { type CliIo, type MspeVariable, whyUnreadable } from "./io.ts";
import { Output } from "./output.ts";
import { readPassword } from "./password.ts";
import { addPassword } from "./redacting_io.ts";
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, type TimeLimits } from "./timeouts.ts";
import { MAX_CONCURRENCY } from "../fleet.ts";
import { shellQuote } from "./shell_quote.ts";
import { UsageError } from "./usage_error.ts";

/** `--help`, accepted by every command. */
export const HELP_FLAGS: FlagSpecs = {
  help: { type: "boolean", short: "h", help: "Show this help." },
};

/** The output flags of every command that prints data. */
export const OUTPUT_FLAGS: FlagSpecs = {
  format: {
    type: "string",
    value: "<list|table|json|ndjson|csv>",
    help: "Output format (default: list on a terminal, json when piped).",
  },
  select: {
    type: "string",
    value: "<name,name>",
    help: "Only these properties, in this order (like Select-Object -Property).",
  },
  "no-color": { type: "boolean", help: "No colours (NO_COLOR is respected too)." },
  quiet: {
    type: "boolean",
    short: "q",
    help: "No progress and no messages; data and errors only.",
  },
};

/** The flags that say which server to talk to and how. */
export const CONNECTION_FLAGS: FlagSpecs = {
  profile: {
    type: "string",
    value: "<name>",
    help: "Take the settings not given otherwise from this profile of the config file " +
      "(default: MSPE_PROFILE, else the profile named default). See `mspe-run profile`.",
  },
  host: { type: "string", value: "<host>", help: "The server (default: MSPE_HOST or localhost)." },
  port: {
    type: "string",
    value: "<port>",
    help: "The API port (default: MSPE_PORT, or 8474 for spe and 8463 for server).",
  },
  product: {
    type: "string",
    value: "<spe|server>",
    help: "spe: MailStore SPE (default); server: MailStore Server.",
  },
  username: { type: "string", value: "<name>", help: "The API user (default: MSPE_USERNAME)." },
  "password-file": {
    type: "string",
    value: "<path|->",
    help: "Read the password from a file, or from stdin with -. Else MSPE_PASSWORD, else a prompt.",
  },
  "ca-cert": {
    type: "string",
    multiple: true,
    value: "<pem file>",
    help: "Also trust this CA certificate (PEM); may be given more than once.",
  },
  "pin-sha256": {
    type: "string",
    value: "<fingerprint>",
    help: "Trust exactly the certificate with this SHA-256 fingerprint (see `mspe-run tls-info`).",
  },
  insecure: {
    type: "boolean",
    help: "Accept any certificate, like -IgnoreInvalidSSLCerts. Prefer --pin-sha256.",
  },
  "tls-version": { type: "string", value: "<1.2|1.3>", help: "Speak exactly this TLS version." },
  instance: {
    type: "string",
    value: "<instanceID>",
    help: "The default instanceID for functions that take one.",
  },
  timeout: {
    type: "string",
    value: "<seconds>",
    help: `Give up after this many seconds (exit code 6). Without it, a request that gets no ` +
      `reply within ${DEFAULT_REQUEST_TIMEOUT_SECONDS} s is given up; a long-running call is ` +
      "followed for as long as it runs.",
  },
};

/** Where a setting came from: a flag, an MSPE_ variable, the profile, or the built-in default. */
export type SettingSource = "flag" | "env" | "profile" | "default";

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
  /**
   * How many instances a fleet run works on at once, from `MSPE_CONCURRENCY` or the profile
   * (`--concurrency` is the fleet command's own flag and wins over both).
   */
  readonly concurrency?: number | undefined;
  /** The profile the settings were completed from, if any. */
  readonly profile?: ChosenProfile | undefined;
  /** Where each setting came from, by flag name (`host`, `port`, ...), for the resume command. */
  readonly sources?: Readonly<Record<string, SettingSource>>;
}

/** A host as the client wants it: a name or address, no scheme, port or path. */
function readHost(host: string, from: string): string {
  // What people paste: a URL, or host:port (an IPv6 address has more than one colon).
  const url = /^(?:https?:\/\/)?([^\s/?#@:]+|\[[0-9a-f:.]+\])(?::(\d+))?\/?$/i.exec(host);
  if (url && host !== url[1]) {
    const port = url[2] ? ` --port ${url[2]}` : "";
    throw new UsageError(
      `--host takes the host name only, without scheme or port: --host ${url[1]}${port}.${from}`,
    );
  }
  if (host.trim() === "" || /[\s/?#@]/.test(host)) {
    throw new UsageError(
      `--host ${
        JSON.stringify(host)
      } is not a host name. Give a name or address, such as --host spe1.example.com.${from}`,
    );
  }
  return host;
}

/** One setting as found, with where it came from. */
interface Found<T> {
  readonly value: T;
  readonly source: SettingSource;
  /** For messages: "" for a flag, else " It comes from MSPE_PORT." or the profile. */
  readonly from: string;
}

/** The MSPE_ variable of each connection flag (there is none for --insecure, on purpose). */
export const ENV_OF_FLAG: Readonly<Record<string, MspeVariable>> = {
  host: "MSPE_HOST",
  port: "MSPE_PORT",
  product: "MSPE_PRODUCT",
  username: "MSPE_USERNAME",
  "password-file": "MSPE_PASSWORD_FILE",
  "ca-cert": "MSPE_CA_CERT",
  "pin-sha256": "MSPE_PIN_SHA256",
  "tls-version": "MSPE_TLS_VERSION",
  instance: "MSPE_INSTANCE",
  timeout: "MSPE_TIMEOUT",
  format: "MSPE_FORMAT",
};

/** The profile key of each flag that a profile can set. */
const PROFILE_KEY_OF_FLAG: Readonly<Record<string, keyof Profile>> = {
  host: "host",
  port: "port",
  product: "product",
  username: "username",
  "password-file": "passwordFile",
  "ca-cert": "caCert",
  "pin-sha256": "pinSha256",
  "tls-version": "tlsVersion",
  instance: "instance",
  format: "format",
};

/**
 * Looks a setting up by the precedence: the flag, then its MSPE_ variable, then the profile.
 * An empty variable counts as not set.
 */
function lookup(
  parsed: ParsedArgs,
  io: CliIo,
  flag: string,
  profile: ChosenProfile | undefined,
): Found<string> | undefined {
  const fromFlag = parsed.string(flag);
  if (fromFlag !== undefined) return { value: fromFlag, source: "flag", from: "" };
  const variable = ENV_OF_FLAG[flag];
  const fromEnv = variable === undefined ? undefined : io.env(variable);
  if (variable !== undefined && fromEnv !== undefined && fromEnv !== "") {
    return { value: fromEnv, source: "env", from: ` It comes from ${variable}.` };
  }
  const key = PROFILE_KEY_OF_FLAG[flag];
  const fromProfile = key === undefined || profile === undefined ? undefined : profile.profile[key];
  if (fromProfile === undefined) return undefined;
  return {
    value: Array.isArray(fromProfile) ? String(fromProfile[0] ?? "") : String(fromProfile),
    source: "profile",
    from: ` It comes from ${profileWhere(profile)}.`,
  };
}

function profileWhere(profile: ChosenProfile | undefined): string {
  return profile === undefined ? "" : `profile ${profile.name} in ${profile.path}`;
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
): {
  caCertFiles: string[];
  pin: Found<string> | undefined;
  insecure: boolean;
  source: SettingSource;
} {
  const flagCa = parsed.strings("ca-cert");
  const flagPin = parsed.string("pin-sha256");
  const insecure = parsed.bool("insecure");
  if (flagCa.length > 0 || flagPin !== undefined || insecure) {
    return {
      caCertFiles: flagCa,
      pin: flagPin === undefined ? undefined : { value: flagPin, source: "flag", from: "" },
      insecure,
      source: "flag",
    };
  }
  const envCa = io.env("MSPE_CA_CERT");
  const envPin = io.env("MSPE_PIN_SHA256");
  if ((envCa ?? "") !== "" || (envPin ?? "") !== "") {
    return {
      caCertFiles: envCa ? [envCa] : [],
      pin: envPin
        ? { value: envPin, source: "env", from: " It comes from MSPE_PIN_SHA256." }
        : undefined,
      insecure: false,
      source: "env",
    };
  }
  const fromProfile = profile?.profile;
  if (fromProfile?.caCert !== undefined || fromProfile?.pinSha256 !== undefined) {
    const ca = fromProfile.caCert;
    return {
      caCertFiles: ca === undefined ? [] : typeof ca === "string" ? [ca] : [...ca],
      pin: fromProfile.pinSha256 === undefined ? undefined : {
        value: fromProfile.pinSha256,
        source: "profile",
        from: ` It comes from ${profileWhere(profile)}.`,
      },
      insecure: false,
      source: "profile",
    };
  }
  return { caCertFiles: [], pin: undefined, insecure: false, source: "default" };
}

/**
 * `--timeout` in milliseconds; `from` says where the text came from (empty for the flag).
 *
 * @throws {UsageError} For anything but a positive number of seconds.
 */
export function readTimeoutMs(text: string, from = ""): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || text.trim() === "") {
    throw new UsageError(
      `--timeout ${
        JSON.stringify(text)
      } is not a number of seconds. Give a positive number, such as --timeout 30.${from}`,
    );
  }
  return Math.round(seconds * 1000);
}

/**
 * Reads and checks the connection settings: each from its flag, else its MSPE_ variable, else the
 * profile attached to `parsed` (see `attachProfile` in config.ts), else the default. Mistakes are
 * {@linkcode UsageError}s that say where the wrong value came from.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./args.ts";
 * import { CONNECTION_FLAGS, readConnection } from "./connection.ts";
 * import { denoIo } from "./io.ts";
 * const parsed = parseCommand("call", ["--host", "spe1", "--port", "8474"], CONNECTION_FLAGS);
 * console.log(readConnection(parsed, denoIo()).port); // 8474
 * ```
 */
export function readConnection(parsed: ParsedArgs, io: CliIo): ConnectionSettings {
  const profile = parsed.profile;
  const sources: Record<string, SettingSource> = {};
  const get = (flag: string): Found<string> | undefined => {
    const found = lookup(parsed, io, flag, profile);
    sources[flag] = found?.source ?? "default";
    return found;
  };
  const hostFound = get("host");
  const host = readHost(hostFound?.value ?? "localhost", hostFound?.from ?? "");
  const portFound = get("port");
  let port: number | undefined;
  if (portFound !== undefined) {
    const portText = portFound.value;
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      throw new UsageError(
        `The port ${
          JSON.stringify(portText)
        } is not a port number. Give 1 to 65535, such as --port 8474.${portFound.from}`,
      );
    }
  }
  const productFound = get("product");
  const productText = productFound?.value ?? "spe";
  if (productText !== "spe" && productText !== "server") {
    throw new UsageError(
      `Unknown product ${
        JSON.stringify(productText)
      }. Use --product spe (MailStore SPE) or --product server (MailStore Server).${
        productFound?.from ?? ""
      }`,
    );
  }
  const tlsFound = get("tls-version");
  const tlsVersion = tlsFound?.value;
  if (tlsVersion !== undefined && tlsVersion !== "1.2" && tlsVersion !== "1.3") {
    throw new UsageError(
      `TLS ${tlsVersion} is not supported. Use --tls-version 1.2 or 1.3; older versions are insecure.${
        tlsFound?.from ?? ""
      }`,
    );
  }
  const timeoutFound = get("timeout");
  const timeoutMs = timeoutFound && readTimeoutMs(timeoutFound.value, timeoutFound.from);
  const username = get("username")?.value;
  const trust = readTrust(parsed, io, profile);
  sources["ca-cert"] = sources["pin-sha256"] = sources.insecure = trust.source;
  const pinSha256 = trust.pin?.value;
  if (pinSha256 !== undefined && !/^[0-9a-f]{64}$/i.test(pinSha256.replace(/[:\s]/g, ""))) {
    throw new UsageError(
      "--pin-sha256 takes the certificate's SHA-256 fingerprint: 64 hex digits, colons allowed " +
        `(AB:CD:...). \`mspe-run tls-info\` shows the server's.${trust.pin?.from ?? ""}`,
    );
  }
  // MSPE_PASSWORD is the environment's password: it wins over a password file of the profile.
  const passwordFromEnv = (io.env("MSPE_PASSWORD") ?? "") !== "";
  const passwordFile = parsed.string("password-file") ?? (
    (io.env("MSPE_PASSWORD_FILE") ?? "") !== ""
      ? io.env("MSPE_PASSWORD_FILE")
      : passwordFromEnv
      ? undefined
      : profile?.profile.passwordFile
  );
  return {
    host,
    port,
    product: productText,
    username: username === "" ? undefined : username,
    passwordFile,
    caCertFiles: trust.caCertFiles,
    pinSha256,
    insecure: trust.insecure,
    tlsVersion,
    instance: get("instance")?.value,
    timeoutMs,
    concurrency: readConcurrency(io, profile),
    profile,
    sources,
  };
}

/** What a fleet bound must be, for messages. */
export const CONCURRENCY_RULE = `a whole number from 1 to ${MAX_CONCURRENCY}`;

/**
 * A fleet bound (`--concurrency`, `MSPE_CONCURRENCY`, a profile's `concurrency`): the number when
 * `value` is {@linkcode CONCURRENCY_RULE}, as text or as a number, else undefined. The one check
 * of the bound, so that every place says the same and names where the value came from.
 *
 * @example
 * ```ts
 * import { parseConcurrency } from "./connection.ts";
 * parseConcurrency("16"); // 16
 * parseConcurrency("5000"); // undefined
 * ```
 */
export function parseConcurrency(value: string | number): number | undefined {
  const n = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY ? n : undefined;
}

function readConcurrency(io: CliIo, profile: ChosenProfile | undefined): number | undefined {
  const text = io.env("MSPE_CONCURRENCY");
  if (text === undefined || text === "") {
    const saved = profile?.profile.concurrency;
    if (saved !== undefined && parseConcurrency(saved) === undefined) {
      throw new UsageError(
        `The concurrency ${JSON.stringify(saved)} is not ${CONCURRENCY_RULE}. It comes from ` +
          `${profileWhere(profile)}; set it again with mspe-run profile add.`,
      );
    }
    return saved;
  }
  const value = parseConcurrency(text);
  if (value === undefined) {
    throw new UsageError(`MSPE_CONCURRENCY ${JSON.stringify(text)} is not ${CONCURRENCY_RULE}.`);
  }
  return value;
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
  return lookup(parsed, io, "format", parsed.profile)?.value;
}

/**
 * Reads and checks the output flags into a printer. Without `--format`: `terminalFormat` (`list`)
 * on a terminal, `json` when piped.
 *
 * @example
 * ```ts
 * import { parseCommand } from "./args.ts";
 * import { OUTPUT_FLAGS, readOutput } from "./connection.ts";
 * import { denoIo } from "./io.ts";
 * const out = readOutput(parseCommand("call", ["--format", "json"], OUTPUT_FLAGS), denoIo());
 * out.show({ ok: true });
 * ```
 */
export function readOutput(
  parsed: ParsedArgs,
  io: CliIo,
  terminalFormat: Format = "list",
): Output {
  const format = askedFormat(parsed, io);
  return new Output(io, {
    format: chooseFormat(format, io.stdout.isTerminal, terminalFormat),
    color: !parsed.bool("no-color"),
    quiet: parsed.bool("quiet"),
    select: parseSelect(parsed.string("select")),
  });
}

/**
 * Reads the `--ca-cert` files and checks that each holds PEM certificates, so that a wrong file is
 * a usage error that names it rather than a failed connection.
 *
 * @example
 * ```ts ignore
 * const pems = await readCaCerts(io, ["company-ca.pem"]);
 * ```
 */
export async function readCaCerts(io: CliIo, files: readonly string[]): Promise<string[]> {
  const pems: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await io.readTextFile(file);
    } catch (error) {
      throw new UsageError(
        `Cannot read the --ca-cert file ${file}: ${whyUnreadable(error)}. Check the path.`,
      );
    }
    const found = inspectCaCertificates(text);
    if (found.count === 0) {
      throw new UsageError(
        `The --ca-cert file ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----). ` +
          "Export the CA certificate as PEM (Base64).",
      );
    }
    if (found.damaged !== undefined) {
      throw new UsageError(
        `The --ca-cert file ${file} has a damaged certificate: the text between the BEGIN and END ` +
          "lines is not a Base64 certificate. Export the CA certificate again as PEM (Base64).",
      );
    }
    pems.push(text);
  }
  return pems;
}

/**
 * An error of a session as the CLI shows it: a timeout names the limit that ran out
 * ({@linkcode TimeLimits.explain}), and a CA certificate found damaged after the server's
 * certificate was refused (the library then names it `caCerts[n]`, one entry per file) is named
 * by its `--ca-cert` file.
 *
 * @example
 * ```ts ignore
 * } catch (error) {
 *   throw sessionError(error, settings, limits);
 * }
 * ```
 */
export function sessionError(
  error: unknown,
  settings: ConnectionSettings,
  limits: TimeLimits,
): unknown {
  const explained = limits.explain(error, address(settings));
  if (!(explained instanceof TlsError)) return explained;
  const entry = /\bcaCerts\[(\d+)\]/.exec(explained.message);
  const file = entry && settings.caCertFiles[Number(entry[1])];
  if (!entry || file === undefined) return explained;
  return new TlsError(explained.message.replace(entry[0], `the --ca-cert file ${file}`), {
    cause: explained.cause,
  });
}

/** The TLS options for the settings. */
export function tlsOptions(settings: ConnectionSettings, caCerts: readonly string[]): TlsOptions {
  return {
    ...(caCerts.length > 0 ? { caCerts } : {}),
    ...(settings.pinSha256 !== undefined ? { pinnedSha256: settings.pinSha256 } : {}),
    ...(settings.insecure ? { ignoreInvalidCerts: true } : {}),
    ...(settings.tlsVersion !== undefined ? { tlsVersion: settings.tlsVersion } : {}),
  };
}

/** What a connection needs from files, stdin or a prompt: read once, however often it connects. */
export interface Credentials {
  /** The user name (`--username`, `MSPE_USERNAME` or the profile's). */
  readonly username: string;
  /** The password, from `MSPE_PASSWORD`, `--password-file` or the prompt. */
  readonly password: string;
  /** The texts of the `--ca-cert` files, checked. */
  readonly caCerts: readonly string[];
}

/**
 * Reads the CA files and the password (from a file, stdin or a prompt: which can be read only once)
 * and adds the password to what the process redacts.
 *
 * @example
 * ```ts ignore
 * const credentials = await readCredentials(settings, io);
 * ```
 */
export async function readCredentials(
  settings: ConnectionSettings,
  io: CliIo,
): Promise<Credentials> {
  const username = settings.username;
  if (username === undefined) {
    throw new UsageError("No user name given. Use --username <name> or set MSPE_USERNAME.");
  }
  const caCerts = await readCaCerts(io, settings.caCertFiles);
  const password = await readPassword(io, {
    passwordFile: settings.passwordFile,
    username,
    host: settings.host,
  });
  // From here on every line printed hides the password, even where a server echoes it.
  addPassword(io, username, password);
  return { username, password, caCerts };
}

/** Options of {@linkcode openClient}. */
export interface OpenOptions {
  /** The client's warnings (`--insecure`); by default a plain `warning: ...` line on stderr. */
  readonly onWarning?: (message: string) => void;
  /** Every HTTP exchange, for `--verbose` and `--debug`. */
  readonly onTrace?: ((event: TraceEvent) => void) | undefined;
  /** `"fetch"` (the default) or `"bundled"`: see {@linkcode openClient}. */
  readonly metadata?: "fetch" | "bundled";
  /** Credentials already read (a second connection); read now when left out. */
  readonly credentials?: Credentials;
}

/**
 * Connects with the settings, reading the credentials first unless given. With `metadata:
 * "fetch"` (the default) `newClient` fetches the server's metadata, which also checks the user
 * name and password, and shows whether `--product` matches the server; with `"bundled"` it sends
 * nothing and trusts the catalogue.
 *
 * @example
 * ```ts ignore
 * await using client = await openClient(settings, io, new TimeLimits(settings.timeoutMs));
 * ```
 */
export async function openClient(
  settings: ConnectionSettings,
  io: CliIo,
  limits: TimeLimits,
  open: OpenOptions = {},
): Promise<Client> {
  const { username, password, caCerts } = open.credentials ??
    await readCredentials(settings, io);
  const onTrace = open.onTrace;
  const options: ClientOptions = {
    username,
    password,
    host: settings.host,
    product: settings.product,
    metadata: open.metadata ?? "fetch",
    tls: tlsOptions(settings, caCerts),
    requestTimeoutMs: limits.requestTimeoutMs,
    onWarning: open.onWarning ?? ((message) => io.stderr.write(`warning: ${message}\n`)),
    ...(onTrace !== undefined ? { onTrace } : {}),
    ...(settings.port !== undefined ? { port: settings.port } : {}),
    ...(settings.instance !== undefined ? { instanceID: settings.instance } : {}),
    ...(limits.deadline !== undefined ? { signal: limits.deadline } : {}),
  };
  let client: Client;
  try {
    client = await newClient(options);
  } catch (error) {
    throw wrongProduct(error, settings) ?? error;
  }
  try {
    checkProduct(client.metadata, settings.product, address(settings));
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/**
 * A client for MailStore Server checks the credentials with GetServerInfo; SPE answers that it does
 * not know the function, which the client reports as failed credentials. It is `--product` that is
 * wrong, so say that.
 */
function wrongProduct(error: unknown, settings: ConnectionSettings): UsageError | undefined {
  if (settings.product !== "server" || !(error instanceof AuthenticationError)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApiError) || !/unknown api function/i.test(cause.message)) {
    return undefined;
  }
  return new UsageError(
    `${
      address(settings)
    } is not MailStore Server (it does not know GetServerInfo); for MailStore ` +
      "SPE leave out --product server (its API port is 8474 by default), or check --port.",
  );
}

/** The port the settings name, else the product's default (8474 for SPE, 8463 for Server). */
export function serverPort(settings: Pick<ConnectionSettings, "port" | "product">): number {
  return settings.port ?? (settings.product === "server" ? 8463 : 8474);
}

/**
 * `host:port` of the server the settings name, the product's default port included.
 *
 * @example
 * ```ts ignore
 * console.log(address(settings)); // localhost:8474
 * ```
 */
export function address(settings: Pick<ConnectionSettings, "host" | "port" | "product">): string {
  return joinHostPort(settings.host, serverPort(settings));
}

/**
 * The connection flags as given, to build a command that reaches the same server (the resume
 * command after Ctrl-C). Never the password: only where it came from.
 *
 * @example
 * ```ts
 * import { connectionArgs } from "./connection.ts";
 * // connectionArgs(settings) -> ["--host", "spe1", "--port", "8474", "--username", "admin"]
 * ```
 */
export function connectionArgs(settings: ConnectionSettings): string[] {
  const args: string[] = [];
  // What the profile gave comes back with the profile (by name when it was named).
  const given = (flag: string) => settings.sources?.[flag] !== "profile";
  if (settings.profile?.named) args.push("--profile", settings.profile.name);
  if (settings.host !== "localhost" && given("host")) args.push("--host", settings.host);
  if (settings.port !== undefined && given("port")) args.push("--port", String(settings.port));
  if (settings.product !== "spe" && given("product")) args.push("--product", settings.product);
  if (settings.username !== undefined && given("username")) {
    args.push("--username", settings.username);
  }
  if (
    settings.passwordFile !== undefined &&
    settings.passwordFile !== settings.profile?.profile.passwordFile
  ) {
    args.push("--password-file", settings.passwordFile);
  }
  if (given("ca-cert")) {
    for (const file of settings.caCertFiles) args.push("--ca-cert", file);
    if (settings.pinSha256 !== undefined) args.push("--pin-sha256", settings.pinSha256);
  }
  if (settings.insecure) args.push("--insecure");
  if (settings.tlsVersion !== undefined && given("tls-version")) {
    args.push("--tls-version", settings.tlsVersion);
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
