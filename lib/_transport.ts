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
 * The options, the transport's interface and the error mapping are in `_tls_options.ts`,
 * `_transport_api.ts` and `_transport_errors.ts`, which both paths import: the `node:https` path
 * is loaded from here on first use and imports nothing back, so the modules form no cycle.
 *
 * @module
 */

import { serverName } from "./_server_name.ts";
import { ArgumentError, ConnectionError, MspeError, ProtocolError, TlsError } from "./errors.ts";
import { joinBytes, type OnceReply, type OnceRequest, tooLarge } from "./_one_shot.ts";
import { brokenAfterSending } from "./_how_to_check.ts";
import { readCaCert, type ResolvedTls, resolveTls, type TlsOptions } from "./_tls_options.ts";
import { closedError, type Transport } from "./_transport_api.ts";
import { certificateProblem, detail, errorTexts, TLS_ADVICE } from "./_transport_errors.ts";

// What the client and the tests take from here; they live in modules that both paths share.
export type { TlsOptions } from "./_tls_options.ts";
export type { Transport } from "./_transport_api.ts";

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
      const transport = createNodeFetch(tls, toTransportError);
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
        // "May or may not have run" only when the server may have: failures while connecting (TCP,
        // TLS handshake, certificate) come before any request byte, and too large a reply is an
        // answer; anything else may have followed the request. Mapped here, once.
        const known = request.signal.aborted ||
          (response === undefined
            ? failure instanceof TlsError || /client error \(Connect\)/.test(errorTexts(error))
            : error instanceof ProtocolError);
        throw known ? failure : brokenAfterSending(request.url, request.functionName, error);
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
  for (const [index, pem] of caCerts.entries()) {
    try {
      readCaCert(pem, index, "parse");
    } catch (damaged) {
      if (!(damaged instanceof ArgumentError)) throw damaged;
      return new TlsError(
        `The certificate of ${serverName(url)} was refused, and ${damaged.message}`,
        { cause: failure.cause, caCertIndex: index },
      );
    }
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

function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

/** Connection errors that trying again soon cannot mend: a local limit, a name, a blocked port. */
const lastingErrors = new WeakSet<object>();

function lasting(error: ConnectionError): ConnectionError {
  lastingErrors.add(error);
  return error;
}

/**
 * Whether a connection error is one that sending again soon cannot mend (too many open files here,
 * a host name that does not resolve, a port Deno blocks), so that a read or poll is not retried
 * after it: a retry would only hold more sockets and time.
 */
export function isLastingConnectionError(error: unknown): boolean {
  return typeof error === "object" && error !== null && lastingErrors.has(error);
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
    return lasting(
      new ConnectionError(
        `Could not open a connection to ${where}: the operating system refused another socket ` +
          `because this process (or the system) has too many open files. This is a local limit, ` +
          `not the server: raise it (ulimit -n, or the service's LimitNOFILE) or run fewer calls ` +
          `at once.`,
        { cause: error },
      ),
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
    return lasting(
      new ConnectionError(
        `Could not find the host ${where}: the name did not resolve. Check the host name and DNS.`,
        { cause: error },
      ),
    );
  }
  if (/Requests to port \d+ are blocked/i.test(text)) {
    return lasting(
      new ConnectionError(
        `Could not connect to ${where}: Deno refuses this port (browsers block it too). Check the port.`,
        { cause: error },
      ),
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
