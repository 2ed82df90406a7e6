/**
 * The connection flags every server command shares (`--host`, `--port`, `--product`, `--username`,
 * `--password-file`, `--ca-cert`, `--pin-sha256`, `--insecure`, `--tls-version`, `--instance`,
 * `--timeout`), the output flags, and building a client from them.
 *
 * Internal to the CLI.
 *
 * @module
 */

import {
  ApiError,
  AuthenticationError,
  type Client,
  type ClientOptions,
  newClient,
  type TlsOptions,
} from "../../mod.ts";
import type { Product } from "../metadata.ts";
// The library's own check of CA files, so that the CLI's messages and the library's agree on what
// is damaged; the CLI only adds the file's name.
import { inspectPemCertificates } from "../_transport.ts";
import type { FlagSpecs, ParsedArgs } from "./args.ts";
import { chooseFormat, type Format } from "./format.ts";
import { checkProduct } from "./function_lookup.ts";
import { type CliIo, whyUnreadable } from "./io.ts";
import { Output } from "./output.ts";
import { readPassword } from "./password.ts";
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, type TimeLimits } from "./timeouts.ts";
import { UsageError } from "./usage_error.ts";

/** `--help`, accepted by every command. */
export const HELP_FLAGS: FlagSpecs = {
  help: { type: "boolean", short: "h", help: "Show this help." },
};

/** The output flags of every command that prints data. */
export const OUTPUT_FLAGS: FlagSpecs = {
  format: {
    type: "string",
    value: "<list|table|json|ndjson>",
    help: "Output format (default: list on a terminal, json when piped).",
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

/** The connection settings read from the flags and the MSPE_ variables. */
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
}

/** A host as the client wants it: a name or address, no scheme, port or path. */
function readHost(host: string): string {
  // What people paste: a URL, or host:port (an IPv6 address has more than one colon).
  const url = /^(?:https?:\/\/)?([^\s/?#@:]+|\[[0-9a-f:.]+\])(?::(\d+))?\/?$/i.exec(host);
  if (url && host !== url[1]) {
    const port = url[2] ? ` --port ${url[2]}` : "";
    throw new UsageError(
      `--host takes the host name only, without scheme or port: --host ${url[1]}${port}.`,
    );
  }
  if (host.trim() === "" || /[\s/?#@]/.test(host)) {
    throw new UsageError(
      `--host ${
        JSON.stringify(host)
      } is not a host name. Give a name or address, such as --host spe1.example.com.`,
    );
  }
  return host;
}

/**
 * Reads and checks the connection flags. Mistakes are {@linkcode UsageError}s.
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
  const host = readHost(parsed.string("host") ?? io.env("MSPE_HOST") ?? "localhost");
  const portText = parsed.string("port") ?? io.env("MSPE_PORT");
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
      throw new UsageError(
        `The port ${
          JSON.stringify(portText)
        } is not a port number. Give 1 to 65535, such as --port 8474.`,
      );
    }
  }
  const productText = parsed.string("product") ?? "spe";
  if (productText !== "spe" && productText !== "server") {
    throw new UsageError(
      `Unknown product ${
        JSON.stringify(productText)
      }. Use --product spe (MailStore SPE) or --product server (MailStore Server).`,
    );
  }
  const tlsVersion = parsed.string("tls-version");
  if (tlsVersion !== undefined && tlsVersion !== "1.2" && tlsVersion !== "1.3") {
    throw new UsageError(
      `TLS ${tlsVersion} is not supported. Use --tls-version 1.2 or 1.3; older versions are insecure.`,
    );
  }
  const timeoutText = parsed.string("timeout");
  let timeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    const seconds = Number(timeoutText);
    if (!Number.isFinite(seconds) || seconds <= 0 || timeoutText.trim() === "") {
      throw new UsageError(
        `--timeout ${
          JSON.stringify(timeoutText)
        } is not a number of seconds. Give a positive number, such as --timeout 30.`,
      );
    }
    timeoutMs = Math.round(seconds * 1000);
  }
  const username = parsed.string("username") ?? io.env("MSPE_USERNAME");
  const pinSha256 = parsed.string("pin-sha256");
  if (pinSha256 !== undefined && !/^[0-9a-f]{64}$/i.test(pinSha256.replace(/[:\s]/g, ""))) {
    throw new UsageError(
      "--pin-sha256 takes the certificate's SHA-256 fingerprint: 64 hex digits, colons allowed " +
        "(AB:CD:...). `mspe-run tls-info` shows the server's.",
    );
  }
  return {
    host,
    port,
    product: productText,
    username: username === "" ? undefined : username,
    passwordFile: parsed.string("password-file"),
    caCertFiles: parsed.strings("ca-cert"),
    pinSha256,
    insecure: parsed.bool("insecure"),
    tlsVersion,
    instance: parsed.string("instance"),
    timeoutMs,
  };
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
  return new Output(io, {
    format: chooseFormat(parsed.string("format"), io.stdout.isTerminal, terminalFormat),
    color: !parsed.bool("no-color"),
    quiet: parsed.bool("quiet"),
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
    const found = inspectPemCertificates(text);
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

/** The TLS options for the settings. */
export function tlsOptions(settings: ConnectionSettings, caCerts: readonly string[]): TlsOptions {
  return {
    ...(caCerts.length > 0 ? { caCerts } : {}),
    ...(settings.pinSha256 !== undefined ? { pinnedSha256: settings.pinSha256 } : {}),
    ...(settings.insecure ? { ignoreInvalidCerts: true } : {}),
    ...(settings.tlsVersion !== undefined ? { tlsVersion: settings.tlsVersion } : {}),
  };
}

/**
 * Reads the password and the CA files and connects. `newClient` fetches the server's metadata, which
 * also checks the user name and password, and shows whether `--product` matches the server. The
 * client's warnings (`--insecure`) go to `onWarning`, by default a plain `warning: ...` line on
 * stderr.
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
  onWarning: (message: string) => void = (message) => io.stderr.write(`warning: ${message}\n`),
): Promise<Client> {
  if (settings.username === undefined) {
    throw new UsageError("No user name given. Use --username <name> or set MSPE_USERNAME.");
  }
  const caCerts = await readCaCerts(io, settings.caCertFiles);
  const password = await readPassword(io, {
    passwordFile: settings.passwordFile,
    username: settings.username,
    host: settings.host,
  });
  const options: ClientOptions = {
    username: settings.username,
    password,
    host: settings.host,
    product: settings.product,
    tls: tlsOptions(settings, caCerts),
    requestTimeoutMs: limits.requestTimeoutMs,
    onWarning,
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

/**
 * `host:port` of the server the settings name, the product's default port included.
 *
 * @example
 * ```ts ignore
 * console.log(address(settings)); // localhost:8474
 * ```
 */
export function address(settings: ConnectionSettings): string {
  const port = settings.port ?? (settings.product === "server" ? 8463 : 8474);
  const host = settings.host.includes(":") && !settings.host.startsWith("[")
    ? `[${settings.host}]`
    : settings.host;
  return `${host}:${port}`;
}

/** Quotes an argument for a shell when it needs it (POSIX sh and PowerShell both read '...'). */
export function shellQuote(arg: string): string {
  if (/^[\w@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
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
  if (settings.host !== "localhost") args.push("--host", settings.host);
  if (settings.port !== undefined) args.push("--port", String(settings.port));
  if (settings.product !== "spe") args.push("--product", settings.product);
  if (settings.username !== undefined) args.push("--username", settings.username);
  if (settings.passwordFile !== undefined) args.push("--password-file", settings.passwordFile);
  for (const file of settings.caCertFiles) args.push("--ca-cert", file);
  if (settings.pinSha256 !== undefined) args.push("--pin-sha256", settings.pinSha256);
  if (settings.insecure) args.push("--insecure");
  if (settings.tlsVersion !== undefined) args.push("--tls-version", settings.tlsVersion);
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
export function resumeCommandFor(settings: ConnectionSettings): (token: string) => string {
  return (token) =>
    ["mspe-run", "watch", token, ...connectionArgs(settings)].map(shellQuote).join(" ");
}
