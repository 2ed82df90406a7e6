/**
 * The `node:https` path of the transport: a fetch-compatible adapter over a keep-alive `https.Agent`,
 * for what Deno's `fetch` cannot do per client: pin a certificate (also a self-signed CA:TRUE one),
 * accept any certificate, or choose the TLS version.
 *
 * Every new connection is made by our own `createConnection`, which completes the TLS handshake and
 * checks the certificate (pin, or chain plus host name) before handing the socket to the agent, so no
 * request byte is ever written to a server that failed the check.
 *
 * Internal module, loaded by `_transport.ts` on first use (and by `tls_info.ts`).
 *
 * @module
 */

import { joinHostPort } from "./_server_name.ts";
import http from "node:http";
import https from "node:https";
import tls from "node:tls";
import net from "node:net";
import type { Socket } from "node:net";
import { ConnectionError, MspeError, TlsError } from "./errors.ts";
import { type ByteStream, exchangeOnce, type OnceReply, type OnceRequest } from "./_one_shot.ts";
import { formatFingerprint, normalizeFingerprint, type ResolvedTls } from "./_tls_options.ts";
import { closedError, type Transport, untilAborted } from "./_transport_api.ts";
import { TLS_ADVICE } from "./_transport_errors.ts";
import { certificateVerdict } from "./_certificate_verdict.ts";

type CreateConnection = (
  options: { host?: string | null; port?: number | string | null; servername?: string | null },
  callback: (error: Error | null, socket?: Socket) => void,
) => Socket | undefined;

function stripBrackets(hostname: string): string {
  return hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
}

/** Maps a low-level error to mspe's ({@linkcode TlsError}, {@linkcode ConnectionError}). */
export type ErrorMapper = (error: unknown, url: string, signal?: AbortSignal) => unknown;

/**
 * Creates the `node:https` transport for one client. `toTransportError` is `_transport.ts`'s, passed
 * in by the loader rather than imported: this module is loaded from there, and importing it back
 * would make the two modules a cycle.
 */
export function createNodeFetch(tlsOptions: ResolvedTls, toTransportError: ErrorMapper): Transport {
  const pin = tlsOptions.pin;
  const sockets = new Set<Socket>();
  let closed = false;

  // The ignoreInvalidCerts warning is said by createTransport, when the client is made.

  const createConnection: CreateConnection = (options, callback) => {
    const host = stripBrackets(String(options.host ?? "localhost"));
    const port = Number(options.port ?? 443);
    const where = joinHostPort(host, port);
    const connectOptions: tls.ConnectionOptions = {
      host,
      port,
      // We check the certificate ourselves below, before the socket is used, so that a pin can accept
      // what standard verification refuses and the errors can say exactly what is wrong.
      rejectUnauthorized: false,
      minVersion: tlsOptions.minVersion,
      maxVersion: tlsOptions.maxVersion,
      ALPNProtocols: ["http/1.1"],
    };
    // SNI must not carry an IP address.
    if (net.isIP(host) === 0) connectOptions.servername = host;
    // Extra CAs add to the built-in ones, as with Deno.createHttpClient (node's `ca` replaces them).
    if (tlsOptions.caCerts) connectOptions.ca = [...tls.rootCertificates, ...tlsOptions.caCerts];
    const socket = tls.connect(connectOptions);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      callback(error);
    };
    // Kept for the socket's whole life: an idle pooled socket the server resets must not become an
    // uncaught 'error' event (after the handshake, fail() does nothing; the request sees the error).
    socket.on(
      "error",
      (error: Error) => fail(toTransportError(error, `https://${where}/`) as Error),
    );
    socket.once("secureConnect", () => {
      if (settled) return;
      const problem = checkPeer(socket, host, where);
      if (problem) return fail(problem);
      settled = true;
      // From here on the agent and the request own the socket's errors.
      callback(null, socket);
    });
    return undefined;
  };

  const checkPeer = (socket: tls.TLSSocket, host: string, where: string): Error | undefined => {
    const cert = socket.getPeerCertificate();
    if (pin !== undefined) {
      const actual = normalizeFingerprint(cert.fingerprint256 ?? "");
      if (actual !== pin) {
        return new TlsError(
          `The certificate of ${where} does not match the pinned fingerprint: the server presented ` +
            `${actual ? formatFingerprint(actual) : "no certificate"}, the pin is ${
              formatFingerprint(pin)
            }. If the server's certificate was renewed, check the new one (\`mspe-run tls-info\`) and ` +
            `update the pin (pinnedSha256 / --pin-sha256); otherwise you may be talking to another server.`,
        );
      }
      // The pin identifies the certificate exactly; chain, dates and host name are not checked.
      return undefined;
    }
    if (tlsOptions.ignoreInvalidCerts) return undefined;
    // The same verdict getCertificateInfo reports (lib/_certificate_verdict.ts).
    const { problem } = certificateVerdict({
      authorized: socket.authorized,
      authorizationError: socket.authorizationError,
      cert,
      host,
    });
    if (problem !== undefined) {
      return new TlsError(`The certificate of ${where} was refused: it ${problem}. ${TLS_ADVICE}`);
    }
    return undefined;
  };

  const agent = new https.Agent({ keepAlive: true, maxCachedSessions: 0 });
  (agent as unknown as { createConnection: CreateConnection }).createConnection = createConnection;
  // Plain http (a mock run with --http) keeps the same pooling; TLS options do not apply there.
  const httpAgent = new http.Agent({ keepAlive: true });

  const close = (): void => {
    if (closed) return;
    closed = true;
    agent.destroy();
    httpAgent.destroy();
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  return {
    fetch(url: string, init: RequestInit): Promise<Response> {
      if (closed) return Promise.reject(closedError());
      return nodeFetch(url, init, agent, httpAgent, toTransportError);
    },
    async once(request: OnceRequest): Promise<OnceReply> {
      if (closed) throw closedError();
      const target = new URL(request.url);
      // The same connection (TLS versions, and the pin or chain and host name checked before any
      // byte is written) as the pooled agent's, but never pooled.
      const connected = new Promise<Socket>((resolve, reject) => {
        createConnection(
          { host: target.hostname, port: target.port || 443 },
          (error, socket) => error || !socket ? reject(error) : resolve(socket),
        );
      });
      let socket: Socket;
      try {
        socket = await untilAborted(connected, request.signal, (late) => late.destroy());
      } catch (error) {
        throw toTransportError(error, request.url, request.signal);
      }
      return await exchangeOnce(nodeStream(socket), request);
    },
    close,
    [Symbol.dispose]: close,
  };
}

/** A connected node socket as a {@linkcode ByteStream}. */
function nodeStream(socket: Socket): ByteStream {
  // The request goes out at once rather than after the server's delayed ACK of the handshake.
  socket.setNoDelay(true);
  // Errors after the handshake reach the reader through the iterator; this keeps them from being
  // unhandled 'error' events meanwhile.
  socket.on("error", () => {});
  return {
    write: (bytes) =>
      new Promise<void>((resolve, reject) => {
        socket.write(bytes, (error) => error ? reject(error) : resolve());
      }),
    readable: {
      async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
        for await (const chunk of socket) {
          const bytes = chunk as Uint8Array;
          yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        }
      },
    },
    close: () => {
      socket.destroy();
    },
  };
}

async function bodyBytes(
  body: BodyInit | null | undefined,
  headers: Headers,
): Promise<Uint8Array | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === "string") {
    if (!headers.has("content-type")) headers.set("content-type", "text/plain;charset=UTF-8");
    return new TextEncoder().encode(body);
  }
  if (body instanceof URLSearchParams) {
    if (!headers.has("content-type")) {
      headers.set("content-type", "application/x-www-form-urlencoded;charset=UTF-8");
    }
    return new TextEncoder().encode(body.toString());
  }
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  }
  // Anything else (Blob, FormData, a stream): let Request serialise it as fetch would.
  const request = new Request("http://localhost/", { method: "POST", body, headers });
  const type = request.headers.get("content-type");
  if (type !== null && !headers.has("content-type")) headers.set("content-type", type);
  return new Uint8Array(await request.arrayBuffer());
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

async function nodeFetch(
  url: string,
  init: RequestInit,
  agent: https.Agent,
  httpAgent: http.Agent,
  toTransportError: ErrorMapper,
): Promise<Response> {
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const target = new URL(url);
  if (target.protocol !== "https:" && target.protocol !== "http:") {
    throw new MspeError(`Only https and http URLs are supported, not ${target.protocol}.`);
  }
  const headers = new Headers(init.headers);
  const payload = await bodyBytes(init.body, headers);
  signal?.throwIfAborted();
  const method = (init.method ?? "GET").toUpperCase();
  if (payload !== undefined) headers.set("content-length", String(payload.byteLength));
  else if (method !== "GET" && method !== "HEAD") headers.set("content-length", "0");
  const outgoing: Record<string, string> = {};
  headers.forEach((value, name) => {
    outgoing[name] = value;
  });
  const secure = target.protocol === "https:";
  const port = Number(target.port || (secure ? 443 : 80));
  const host = stripBrackets(target.hostname);

  return await new Promise<Response>((resolve, reject) => {
    let responded = false;
    // One listener for the whole exchange; what an abort does depends on the phase.
    let abortPhase: () => void = () => {};
    const onAbort = (): void => abortPhase();
    const removeAbort = (): void => signal?.removeEventListener("abort", onAbort);

    const request = (secure ? https : http).request({
      host,
      port,
      method,
      path: `${target.pathname}${target.search}`,
      headers: outgoing,
      agent: secure ? agent : httpAgent,
    }, (incoming) => {
      responded = true;
      const status = incoming.statusCode ?? 0;
      const responseHeaders = new Headers();
      const raw = incoming.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) {
        responseHeaders.append(raw[i] as string, raw[i + 1] as string);
      }
      if (NULL_BODY_STATUSES.has(status) || method === "HEAD") {
        removeAbort();
        incoming.resume();
        resolve(
          new Response(null, {
            status,
            statusText: incoming.statusMessage ?? "",
            headers: responseHeaders,
          }),
        );
        return;
      }
      let finished = false;
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const finish = (error?: unknown): void => {
        if (finished) return;
        finished = true;
        removeAbort();
        if (error === undefined) controller.close();
        else controller.error(error);
      };
      abortPhase = () => {
        incoming.destroy();
        finish(signal?.reason);
      };
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
          incoming.on("data", (chunk: Uint8Array) => {
            if (finished) return;
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            if ((controller.desiredSize ?? 1) <= 0) incoming.pause();
          });
          incoming.once("end", () => finish());
          incoming.once("error", (error: Error) => finish(toTransportError(error, url, signal)));
          incoming.once("close", () => {
            if (!incoming.complete) {
              finish(
                new ConnectionError(
                  `The connection to ${host}:${port} broke before the reply was complete. Check the ` +
                    `network and the server's state, then try again.`,
                ),
              );
            }
          });
        },
        pull() {
          incoming.resume();
        },
        cancel() {
          finished = true;
          removeAbort();
          incoming.destroy();
        },
      }, { highWaterMark: 4 });
      incoming.pause();
      resolve(
        new Response(stream, {
          status,
          statusText: incoming.statusMessage ?? "",
          headers: responseHeaders,
        }),
      );
    });

    abortPhase = () => {
      if (responded) return;
      request.destroy();
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });

    request.once("error", (error: Error) => {
      if (responded) return;
      removeAbort();
      if (signal?.aborted) reject(signal.reason);
      else reject(toTransportError(error, url, signal));
    });
    if (payload !== undefined) request.end(payload);
    else request.end();
  });
}
