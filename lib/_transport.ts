/**
 * The transport under the client: a fetch-compatible function with a keep-alive connection pool per
 * client, TLS options (extra CAs, a pinned certificate, "ignore invalid certificates", TLS versions),
 * and errors mapped to {@linkcode TlsError} and {@linkcode ConnectionError}.
 *
 * Two paths:
 * - the default: `fetch` with a `Deno.HttpClient` (its own pool, and the extra CAs when given);
 * - `node:https` with a keep-alive `Agent` when a pin, `ignoreInvalidCerts` or a TLS version is asked
 *   for, because Deno's `fetch` can neither pin a certificate nor accept a CA:TRUE self-signed one, and
 *   the only way to switch its checks off (`--unsafely-ignore-certificate-errors`) is process-wide.
 *
 * Internal module: the client re-exports {@linkcode TlsOptions}.
 *
 * @module
 */

import { serverName } from "./_server_name.ts";
import { ArgumentError, ConnectionError, MspeError, ProtocolError, TlsError } from "./errors.ts";
import { joinBytes, markWritten, type OnceReply, type OnceRequest, tooLarge } from "./_one_shot.ts";
import { type CertificateCheck, inspectCaCertificates } from "./ca_certificates.ts";

/**
 * How the client checks the server's certificate and which TLS versions it speaks.
 *
 * @example A private CA
 * ```ts
 * import type { TlsOptions } from "@mspe/mspe";
 * const tls: TlsOptions = { caCerts: [await Deno.readTextFile("ca.pem")] };
 * ```
 *
 * @example Trusting exactly one self-signed certificate
 * ```ts
 * import type { TlsOptions } from "@mspe/mspe";
 * const tls: TlsOptions = {
 *   pinnedSha256: "19:E4:70:83:F0:E5:2D:DC:E6:E1:0A:FF:A7:AF:99:52:C6:CF:0D:A9:8F:D3:5A:BD:A0:CA:C0:48:98:CA:4E:35",
 * };
 * ```
 */
export interface TlsOptions {
  /**
   * Extra trusted CA certificates (PEM), for a private CA. The system's CAs stay trusted. An entry
   * whose certificate is cut short, lost a line or is not a certificate is an `ArgumentError`
   * before anything is sent; one damaged inside is named by the `TlsError` of a refused server
   * certificate.
   */
  caCerts?: readonly string[];
  /**
   * Trust exactly the server certificate with this SHA-256 fingerprint ("AB:CD:..." or "abcd...";
   * colons, spaces and case are ignored). Works for self-signed CA:TRUE certificates. The pin
   * identifies the certificate exactly, so the CA chain, validity dates and host name are not checked.
   */
  pinnedSha256?: string;
  /**
   * Accept any certificate (like the PowerShell `-IgnoreInvalidSSLCerts`). Applies to this client
   * only, never to the process, and says so once through `warn`. Prefer `pinnedSha256`.
   */
  ignoreInvalidCerts?: boolean;
  /** The lowest TLS version to speak: "1.2" (the default) or "1.3". */
  minTlsVersion?: "1.2" | "1.3";
  /** Speak exactly this TLS version: "1.2" or "1.3". */
  tlsVersion?: "1.2" | "1.3";
}

/** What {@linkcode createTransport} takes. */
export interface TransportOptions {
  /** TLS options; verification against the system's CAs when left out. */
  tls?: TlsOptions | undefined;
  /**
   * The fetch to use on the default path (tests inject one). It is given `client` (a
   * `Deno.HttpClient`) in its init. Not used on the `node:https` path.
   */
  fetch?: typeof fetch | undefined;
  /**
   * Where the `ignoreInvalidCerts` warning goes (the text, without any prefix); by default one line
   * on stderr, prefixed with "mspe: ".
   */
  warn?: ((message: string) => void) | undefined;
}

/**
 * A fetch-compatible function with its own connection pool, for requests that may be sent twice
 * (reads, polls), and {@linkcode Transport.once} for those that must not; close it to release the
 * connections.
 */
export interface Transport extends Disposable {
  /**
   * Sends one request on a pooled, kept-alive connection; redirects are not followed. The pool may
   * send a request again when a reused connection closes, so use it only for requests that change
   * nothing. Rejects with {@linkcode TlsError}, {@linkcode ConnectionError}, or the signal's reason
   * (the `AbortError` / `TimeoutError` `DOMException`) when `init.signal` aborts.
   */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /**
   * Sends one request on a new connection of its own, with the same certificate checks, and closes
   * it after the reply: the request is written at most once. A failure after it was written is
   * marked (`wasWritten` in `_one_shot.ts`).
   */
  once(request: OnceRequest): Promise<OnceReply>;
  /** Closes the pooled connections. Idempotent. */
  close(): void;
}

/** The fingerprint in canonical form: 64 upper-case hex digits, no separators. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[\s:]/g, "").toUpperCase();
}

/** The fingerprint as "AB:CD:..." for messages. */
export function formatFingerprint(fingerprint: string): string {
  return normalizeFingerprint(fingerprint).replace(/(..)(?!$)/g, "$1:");
}

const TLS_VERSIONS = ["1.2", "1.3"] as const;

function checkVersion(name: string, value: unknown): "1.2" | "1.3" | undefined {
  if (value === undefined) return undefined;
  if (value === "1.2" || value === "1.3") return value;
  const old = value === "1.0" || value === "1.1" || value === "1" || value === 1 || value === 1.1;
  throw new ArgumentError(
    old
      ? `TLS ${
        String(value)
      } is not supported (${name}): it is obsolete and insecure. Use "1.2" or "1.3"; ` +
        `if the server speaks nothing newer, enable TLS 1.2 on it.`
      : `${name} must be one of ${TLS_VERSIONS.map((v) => `"${v}"`).join(", ")}, not ${
        JSON.stringify(value) ?? String(value)
      }.`,
  );
}

const CA_CERT_ADVICE = "Give the PEM file of the CA certificate as it was exported, and check " +
  "that it was copied whole.";

/**
 * The certificates of one `caCerts` entry as canonical PEM blocks; throws {@linkcode ArgumentError}
 * naming the entry when it holds none or a damaged one (`check`: see lib/ca_certificates.ts).
 */
function readCaCert(pem: unknown, index: number, check: CertificateCheck): string[] {
  if (typeof pem !== "string") {
    throw new ArgumentError(
      `caCerts[${index}] is not a string. Give each CA certificate as PEM text.`,
    );
  }
  // A byte order mark in front (a PEM file saved by a Windows tool) is dropped there.
  const found = inspectCaCertificates(pem, check);
  if (found.count === 0) {
    throw new ArgumentError(
      `caCerts[${index}] holds no PEM certificate (text starting with ` +
        `-----BEGIN CERTIFICATE-----). ${CA_CERT_ADVICE}`,
    );
  }
  if (found.damaged !== undefined) {
    const which = found.count > 1 ? ` (certificate ${found.damaged} of ${found.count})` : "";
    throw new ArgumentError(
      `caCerts[${index}] has a damaged certificate${which}: the text between the BEGIN and END ` +
        `lines is not a whole Base64 certificate. ${CA_CERT_ADVICE}`,
    );
  }
  return found.certificates.filter((certificate) => certificate !== undefined);
}

/** The checked, normalised TLS options. */
export interface ResolvedTls {
  /** Extra CA certificates, one canonical PEM block each, or undefined for none. */
  caCerts: readonly string[] | undefined;
  /** The pinned fingerprint: 64 upper-case hex digits. */
  pin: string | undefined;
  /** Accept any certificate. */
  ignoreInvalidCerts: boolean;
  /** The lowest TLS version to negotiate. */
  minVersion: "TLSv1.2" | "TLSv1.3";
  /** The highest TLS version to negotiate. */
  maxVersion: "TLSv1.2" | "TLSv1.3";
  /** Whether a version was asked for explicitly. */
  versionGiven: boolean;
}

/**
 * Checks the TLS options; throws {@linkcode ArgumentError} on anything wrong. `check` is how deep
 * the `caCerts` are looked at (lib/ca_certificates.ts).
 */
export function resolveTls(
  tls: TlsOptions | undefined,
  check: CertificateCheck = "shape",
): ResolvedTls {
  const options = tls ?? {};
  const exact = checkVersion("tlsVersion", options.tlsVersion);
  const floor = checkVersion("minTlsVersion", options.minTlsVersion);
  if (exact && floor && exact < floor) {
    throw new ArgumentError(
      `tlsVersion "${exact}" is below minTlsVersion "${floor}". Give only one of them.`,
    );
  }
  let pin: string | undefined;
  if (options.pinnedSha256 !== undefined) {
    if (typeof options.pinnedSha256 !== "string") {
      throw new ArgumentError("pinnedSha256 must be a string of 64 hex digits.");
    }
    pin = normalizeFingerprint(options.pinnedSha256);
    if (!/^[0-9A-F]{64}$/.test(pin)) {
      throw new ArgumentError(
        "pinnedSha256 must be a SHA-256 fingerprint: 64 hex digits, optionally separated by colons " +
          "(`mspe-run tls-info` shows the server's).",
      );
    }
  }
  let caCerts: string[] | undefined;
  if (options.caCerts !== undefined) {
    if (!Array.isArray(options.caCerts)) {
      throw new ArgumentError("caCerts must be a list of PEM certificates.");
    }
    // Canonical blocks for both paths: node:tls in Deno parses `ca` itself and throws, uncaught,
    // on an indented line or text around a block that Deno.createHttpClient accepts.
    caCerts = options.caCerts.flatMap((pem, index) => readCaCert(pem, index, check));
  }
  if (pin !== undefined && options.ignoreInvalidCerts === true) {
    throw new ArgumentError(
      "pinnedSha256 and ignoreInvalidCerts contradict each other: give only one (the pin is the safe one).",
    );
  }
  const min = exact ?? floor ?? "1.2";
  const max = exact ?? "1.3";
  return {
    caCerts: caCerts && caCerts.length > 0 ? caCerts : undefined,
    pin,
    ignoreInvalidCerts: options.ignoreInvalidCerts === true,
    minVersion: `TLSv${min}`,
    maxVersion: `TLSv${max}`,
    versionGiven: exact !== undefined || floor !== undefined,
  };
}

function defaultWarn(message: string): void {
  // One line on stderr; never stdout, which a script's output goes to.
  console.error(`mspe: ${message}`);
}

/**
 * Creates the transport for one client.
 *
 * @example
 * ```ts
 * const caPem = await Deno.readTextFile("ca.pem");
 * using transport = createTransport({ tls: { caCerts: [caPem] } });
 * const response = await transport.fetch("https://localhost:8474/api/get-metadata", {
 *   method: "POST",
 *   headers: { authorization: "Basic ..." },
 * });
 * console.log(await response.text());
 * ```
 */
export function createTransport(options: TransportOptions = {}): Transport {
  const tls = resolveTls(options.tls);
  const warn = options.warn ?? defaultWarn;
  if (tls.pin !== undefined || tls.ignoreInvalidCerts || tls.versionGiven) {
    // This path loads node modules anyway, so the CAs get the full parse before anything is sent.
    if (tls.caCerts) resolveTls(options.tls, "parse");
    if (tls.ignoreInvalidCerts && tls.pin === undefined) warn(INSECURE_WARNING);
    return createLazyNodeTransport(tls);
  }
  return createDefaultTransport(tls, options.fetch, options.tls?.caCerts);
}

/** What a closed transport's requests reject with (both paths). */
export function closedError(): MspeError {
  return new MspeError("The client is closed. Create a new one.");
}

/** Said once per client when `ignoreInvalidCerts` switches the certificate checks off. */
const INSECURE_WARNING =
  "Certificate checks are off for this client (ignoreInvalidCerts / --insecure): anyone on the " +
  "network path can read and change the traffic, including the password. Pin the server's " +
  "certificate instead (pinnedSha256 / --pin-sha256; `mspe-run tls-info` shows its fingerprint).";

/**
 * The `node:https` transport, loaded on first use: `node:https`, `node:tls` and `node:net` take a
 * while to load, and the default path (every mspe-run call without a pin, --insecure or a TLS
 * version) needs none of them. The literal `import()` keeps the module in `deno compile`'s graph.
 */
function createLazyNodeTransport(tls: ResolvedTls): Transport {
  let loaded: Promise<Transport> | undefined;
  let closed = false;
  const load = (): Promise<Transport> => {
    loaded ??= import("./_transport_node.ts").then(({ createNodeFetch }) => {
      const transport = createNodeFetch(tls);
      if (closed) transport.close();
      return transport;
    });
    return loaded;
  };
  const close = (): void => {
    if (closed) return;
    closed = true;
    // Nothing to release when the transport was never used.
    void loaded?.then((transport) => transport.close());
  };
  return {
    async fetch(url: string, init: RequestInit): Promise<Response> {
      if (closed) throw closedError();
      return await (await load()).fetch(url, init);
    },
    async once(request: OnceRequest): Promise<OnceReply> {
      if (closed) throw closedError();
      return await (await load()).once(request);
    },
    close,
    [Symbol.dispose]: close,
  };
}

function createDefaultTransport(
  tls: ResolvedTls,
  injected: typeof fetch | undefined,
  givenCaCerts: readonly string[] | undefined,
): Transport {
  const baseFetch = injected ?? globalThis.fetch;
  // Created on first use, so that a client that never sends anything holds no resource.
  let client: Deno.HttpClient | undefined;
  let closed = false;
  const clientOptions = (): Deno.CreateHttpClientOptions =>
    tls.caCerts ? { caCerts: [...tls.caCerts] } : {};
  const getClient = (): Deno.HttpClient => {
    client ??= Deno.createHttpClient(clientOptions());
    return client;
  };
  // The one-shot clients of the state-changing calls in flight, closed with the transport.
  const oneShots = new Set<Deno.HttpClient>();
  const close = (): void => {
    if (closed) return;
    closed = true;
    client?.close();
    client = undefined;
    for (const oneShot of oneShots) closeQuietly(oneShot);
    oneShots.clear();
  };
  return {
    async fetch(url: string, init: RequestInit): Promise<Response> {
      if (closed) throw closedError();
      const signal = init.signal ?? undefined;
      try {
        return await baseFetch(url, { ...init, redirect: "manual", client: getClient() });
      } catch (error) {
        throw withDamagedCa(toTransportError(error, url, signal), url, givenCaCerts);
      }
    },
    async once(request: OnceRequest): Promise<OnceReply> {
      if (closed) throw closedError();
      // A client of its own for this one request, closed after the reply: its only connection is
      // fresh, and hyper (under fetch) resends a request only on a reused connection ("a fresh
      // connection means we definitely can't retry"), so the request is written at most once; the
      // witness test in tests/trust_at_most_once_test.ts checks it. The same trust as the pooled
      // client. Not a Deno.startTls connection of our own: Deno releases such a socket only some
      // 100 ms to 2 s after close() (it sends close_notify from a background task, then closes the
      // socket with SO_LINGER on a blocking thread), so a fan-out of state-changing calls held far
      // more sockets than calls in flight; a fetch client's socket is gone when close() returns.
      const oneShot = Deno.createHttpClient({
        ...clientOptions(),
        http2: false,
        poolMaxIdlePerHost: 0,
      });
      oneShots.add(oneShot);
      let response: Response | undefined;
      try {
        response = await globalThis.fetch(request.url, {
          method: "POST",
          headers: { ...request.headers, connection: "close" },
          body: request.body,
          signal: request.signal,
          redirect: "manual",
          client: oneShot,
        });
        const body = await limitedBytes(response, request.maxBytes, request.url);
        return { status: response.status, headers: response.headers, body };
      } catch (error) {
        const failure = withDamagedCa(
          toTransportError(error, request.url, request.signal),
          request.url,
          givenCaCerts,
        );
        // Marked only when the server may have run the call: failures while connecting (TCP, TLS
        // handshake, certificate) come before any request byte, and too large a reply is an
        // answer; anything else may have followed the request.
        const known = request.signal.aborted ||
          (response === undefined
            ? failure instanceof TlsError || /client error \(Connect\)/.test(errorTexts(error))
            : error instanceof ProtocolError);
        throw known ? failure : markWritten(failure);
      } finally {
        oneShots.delete(oneShot);
        closeQuietly(oneShot);
      }
    },
    close,
    [Symbol.dispose]: close,
  };
}

/**
 * A refused server certificate, when CAs were given, may be the fault of a CA certificate damaged
 * inside (a changed character): the check before connecting looks only at its shape, to keep
 * node:crypto off the start-up path. The full parse runs now, and names the damaged entry.
 */
function withDamagedCa(
  failure: unknown,
  url: string,
  caCerts: readonly string[] | undefined,
): unknown {
  if (!(failure instanceof TlsError) || caCerts === undefined) return failure;
  if (certificateProblem(errorTexts(failure.cause)) === undefined) return failure;
  try {
    caCerts.forEach((pem, index) => readCaCert(pem, index, "parse"));
  } catch (damaged) {
    if (!(damaged instanceof ArgumentError)) throw damaged;
    return new TlsError(
      `The certificate of ${serverName(url)} was refused, and ${damaged.message}`,
      { cause: failure.cause },
    );
  }
  return failure;
}

/** The whole body of `response`, or a ProtocolError when it is larger than `maxBytes`. */
export async function limitedBytes(
  response: Response,
  maxBytes: number,
  url: string,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge(url, maxBytes, response.status);
  }
  if (response.body === null) return new Uint8Array();
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of response.body) {
    total += part.byteLength;
    if (total > maxBytes) {
      await response.body.cancel().catch(() => {});
      throw tooLarge(url, maxBytes, response.status);
    }
    parts.push(part);
  }
  return joinBytes(parts);
}

/** Resolves like `promise`, or rejects with the signal's reason when it aborts first. */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  discard?: (late: T) => void,
): Promise<T> {
  if (signal.aborted) {
    promise.then((late) => discard?.(late), () => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (aborted) discard?.(value);
        else resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

// ---- error mapping ----

/** The texts of an error and its causes, for matching. */
function errorTexts(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.name, current.message);
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string") parts.push(code);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(" | ");
}

/** What to do about a refused certificate (shared by both paths). */
export const TLS_ADVICE: string =
  "If it is the right server, give its CA with caCerts (--ca-cert), or pin its certificate with " +
  "pinnedSha256 (--pin-sha256; `mspe-run tls-info` shows the fingerprint), or as a last resort set " +
  "ignoreInvalidCerts (--insecure).";

/** The reason a certificate was refused, in words, or undefined when the error is not about one. */
export function certificateProblem(text: string): string | undefined {
  if (/CaUsedAsEndEntity/i.test(text)) {
    return "is a CA certificate (CA:TRUE) used as the server's own certificate, which standard " +
      "verification refuses even when it is trusted as a CA; pin it instead";
  }
  if (/CERT_NOT_YET_VALID|NotValidYet|not valid yet|not yet valid/i.test(text)) {
    return "is not valid yet; check the clocks of server and client";
  }
  if (/CERT_HAS_EXPIRED|certificate (has )?expired|\bExpired\b/i.test(text)) {
    return "has expired; renew it on the server";
  }
  if (
    /ERR_TLS_CERT_ALTNAME_INVALID|NotValidForName|Hostname\/IP does not match|not valid for name/i
      .test(text)
  ) {
    return "was issued for another host name; connect with a name it lists, or renew it with this one";
  }
  if (/DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed/i.test(text)) {
    return "is self-signed, so nothing vouches for it; pin it, or give it with caCerts";
  }
  if (
    /UnknownIssuer|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unknown issuer/i.test(
      text,
    )
  ) {
    return "is signed by a CA that is not trusted";
  }
  if (
    /invalid peer certificate|InvalidCertificate|BadSignature|CERT_[A-Z_]+|certificate verify failed|UnsupportedCertVersion/
      .test(text)
  ) {
    return "could not be verified";
  }
  return undefined;
}

/** The low-level reason from the innermost cause, without the URL prefix Deno puts first. */
function detail(error: unknown): string {
  let current: unknown = error;
  let last = "";
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    last = current.message;
    current = current.cause;
  }
  const line = last.split("\n")[0] ?? "";
  const peer = /invalid peer certificate: (.*)$/.exec(line);
  const reason = peer?.[1] ?? line.replace(/^error sending request for url \([^)]*\): /, "")
    .replace(/^client error \(Connect\): /, "");
  // A URL with user info must not leak it.
  return reason.replace(/\/\/[^/@\s]*@/g, "//").slice(0, 300);
}

/**
 * Maps an error from fetch (or the node adapter, or reading a body) to {@linkcode TlsError} or
 * {@linkcode ConnectionError}. Aborts (the signal's reason, `AbortError`, `TimeoutError`) and
 * mspe's own errors pass through unchanged; anything unrecognised is returned as it is.
 * The message never contains request headers.
 */
export function toTransportError(error: unknown, url: string, signal?: AbortSignal): unknown {
  if (signal?.aborted && (error === signal.reason || isAbortLike(error))) return signal.reason;
  if (error instanceof MspeError) return error;
  if (isAbortLike(error)) return error;
  const text = errorTexts(error);
  const where = serverName(url);
  const problem = certificateProblem(text);
  if (problem !== undefined) {
    const why = /another host name|could not be verified/.test(problem)
      ? ` (${detail(error)})`
      : "";
    return new TlsError(
      `The certificate of ${where} was refused: it ${problem}${why}. ${TLS_ADVICE}`,
      { cause: error },
    );
  }
  if (
    /EMFILE|ENFILE|Too many open files|os error 24\b|os error 23\b|os error 10024\b/i.test(text)
  ) {
    return new ConnectionError(
      `Could not open a connection to ${where}: the operating system refused another socket because ` +
        `this process (or the system) has too many open files. This is a local limit, not the ` +
        `server: raise it (ulimit -n, or the service's LimitNOFILE) or run fewer calls at once.`,
      { cause: error },
    );
  }
  if (/ECONNREFUSED|Connection refused|ConnectionRefused|os error 111|os error 10061/i.test(text)) {
    return new ConnectionError(
      `Could not connect to ${where}: the connection was refused. Check the host name and port, and ` +
        `that the Management API is running and reachable from here.`,
      { cause: error },
    );
  }
  if (
    /ENOTFOUND|EAI_AGAIN|EAI_NONAME|dns error|failed to lookup|Name or service not known|No address associated|nodename nor servname|getaddrinfo/i
      .test(text)
  ) {
    return new ConnectionError(
      `Could not find the host ${where}: the name did not resolve. Check the host name and DNS.`,
      { cause: error },
    );
  }
  if (/Requests to port \d+ are blocked/i.test(text)) {
    return new ConnectionError(
      `Could not connect to ${where}: Deno refuses this port (browsers block it too). Check the port.`,
      { cause: error },
    );
  }
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out|unreachable/i.test(text)) {
    return new ConnectionError(
      `Could not reach ${where}: the connection timed out or the network is unreachable. ` +
        `Check the host name, port and firewalls.`,
      { cause: error },
    );
  }
  if (
    /handshake|corrupt message|InvalidContentType|wrong version number|protocol version|no protocols available|unsupported protocol|PeerIncompatible|alert/i
      .test(text)
  ) {
    return new TlsError(
      `The TLS handshake with ${where} failed (${detail(error)}). Check that the port speaks ` +
        `HTTPS (not plain HTTP) and that the server supports the TLS version asked for (1.2 or 1.3).`,
      { cause: error },
    );
  }
  if (
    /ECONNRESET|EPIPE|socket hang up|Connection reset|ConnectionReset|connection closed|connection error|broken pipe|unexpected end|UnexpectedEof|IncompleteMessage|error reading a body|error sending request|client error|os error/i
      .test(text)
  ) {
    return new ConnectionError(
      `The connection to ${where} broke before the reply was complete. Check the network and the ` +
        `server's state, then try again.`,
      { cause: error },
    );
  }
  return error;
}

function isAbortLike(error: unknown): boolean {
  return error instanceof DOMException &&
    (error.name === "AbortError" || error.name === "TimeoutError");
}
