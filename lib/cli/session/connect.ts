/**
 * Connecting with the connection settings (settings/resolve.ts): the CA files and the password,
 * read once per command, the client, the check of `--product`, and the server's name and errors
 * as the CLI shows them.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { joinHostPort } from "../../_server_name.ts";
import type { Client, ClientOptions, TlsOptions, TraceEvent } from "../../../mod.ts";
import { ApiError, AuthenticationError, TlsError } from "../../errors.ts";
import { newClient } from "../../client.ts";
// The library's own check of CA files, so that the CLI's messages and the library's agree on what
// is damaged; the CLI only adds the file's name.
import { inspectCaCertificates } from "../../ca_certificates.ts";
import { checkProduct } from "../help/function_lookup.ts";
import { type CliIo, whyUnreadable } from "../io/io.ts";
import { readPassword } from "./password.ts";
import { addPassword } from "../io/redacting_io.ts";
import type { ConnectionSettings } from "../settings/resolve.ts";
import type { TimeLimits } from "./timeouts.ts";
import { UsageError } from "../usage_error.ts";

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
  if (!(explained instanceof TlsError) || explained.caCertIndex === undefined) return explained;
  // The library names the damaged entry by its index (one entry per --ca-cert file).
  const file = settings.caCertFiles[explained.caCertIndex];
  if (file === undefined) return explained;
  return new TlsError(
    `The certificate of ${address(settings)} was refused, and the --ca-cert file ${file} has a ` +
      "damaged certificate: the text between its BEGIN and END lines does not parse. Export the " +
      "CA certificate again as PEM (Base64), copied whole.",
    { cause: explained.cause, caCertIndex: explained.caCertIndex },
  );
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
  const caCerts = await readCaCerts(io, settings.caCertFiles);
  const { username, password } = settings.credentialFile === undefined
    ? await readUserAndPassword(settings, io)
    : await fromCredentialFile(settings, io, settings.credentialFile);
  // From here on every line printed hides the password, even where a server echoes it.
  addPassword(io, username, password);
  return { username, password, caCerts };
}

async function readUserAndPassword(
  settings: ConnectionSettings,
  io: CliIo,
): Promise<{ username: string; password: string }> {
  const username = settings.username;
  if (username === undefined) {
    throw new UsageError("No user name given. Use --username <name> or set MSPE_USERNAME.");
  }
  const password = await readPassword(io, {
    passwordFile: settings.passwordFile,
    username,
    host: settings.host,
  });
  return { username, password };
}

/** The user name and password of `--credential-file`: the only source of both when given. */
async function fromCredentialFile(
  settings: ConnectionSettings,
  io: CliIo,
  file: string,
): Promise<{ username: string; password: string }> {
  if (settings.passwordFile !== undefined || (io.env("MSPE_PASSWORD") ?? "") !== "") {
    throw new UsageError(
      `--credential-file ${file} holds the password; leave out ${
        settings.passwordFile !== undefined ? "--password-file" : "MSPE_PASSWORD"
      } (one source of the password at a time).`,
    );
  }
  const { readCredentialFile } = await import("../credentials/credential_file.ts");
  const credential = await readCredentialFile(io, file);
  if (settings.username !== undefined && settings.username !== credential.username) {
    throw new UsageError(
      `--credential-file ${file} is for the user ${credential.username}, not ${settings.username}. ` +
        "Leave out --username (or MSPE_USERNAME), or use that user's credential file.",
    );
  }
  return credential;
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
    ...(settings.retries !== undefined ? { retries: settings.retries } : {}),
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
  if (!(cause instanceof ApiError) || !cause.unknownFunction) {
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
