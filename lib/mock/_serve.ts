/**
 * Serving the mock app over HTTPS (or HTTP) on a `node:https` (`node:http`) server.
 *
 * Why not `Deno.serve`: it leaves Nagle's algorithm on for accepted TLS sockets, so every reply
 * written in two pieces (headers, then a body over about 1 KB) waits for the client's delayed ACK,
 * about 44 ms on Linux. A `node:https` server with `noDelay: true` answers the same reply in about a
 * millisecond. Only HTTP/1.1 (and HTTP/1.0) is offered over ALPN: `node:http2` under Deno 2.9.6
 * stalls the same way on HTTP/2 (p99 44 ms for a 9 KB reply) and aborts the process in nghttp2 when
 * a session closes.
 *
 * The adapter between node's request/response and the Hono app is hand-written (about as long as
 * the options `@hono/node-server` would need): it reads at most {@linkcode MAX_BODY_BYTES} of a
 * body, answers 413 without reading further, aborts the request's signal when the client goes away,
 * and closes every connection on `close()`.
 *
 * @module
 */

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import { Buffer } from "node:buffer";
import { countRefused, createMockApp, MAX_BODY_BYTES, type MockApp } from "./_app.ts";
import type { FaultController, MockOptions, MockStats } from "./_options.ts";
import { TEST_CA_PEM, TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from "./_test_certificate.ts";
import {
  readStateFile,
  type SeedOptions,
  StateFileError,
  StateLock,
  StateSaver,
} from "./_persist.ts";
import { joinBytes } from "../_one_shot.ts";
import { htmlResponse, reasonOf, replyBytes, requestWithBody } from "./_wire.ts";

/**
 * Options of {@linkcode serveMock}.
 *
 * @example Serve with the expired test certificate
 * ```ts
 * import { serveMock, type ServeMockOptions } from "@mspe/mspe/mock";
 * const options: ServeMockOptions = {
 *   tls: {
 *     cert: await Deno.readTextFile("tests/testdata/tls/expired.pem"),
 *     key: await Deno.readTextFile("tests/testdata/tls/expired.key"),
 *   },
 * };
 * await using server = await serveMock(options);
 * console.log(server.url);
 * ```
 */
export interface ServeMockOptions extends MockOptions {
  /** The address to bind (default `127.0.0.1`). */
  hostname?: string;
  /** The port (default 0: any free port). */
  port?: number;
  /** Serve plain HTTP instead of HTTPS. */
  http?: boolean;
  /** Use this certificate and key (PEM) instead of the test certificate; `caPem` is reported as is. */
  tls?: { cert: string; key: string; caPem?: string };
  /**
   * A file that keeps the simulated state across restarts: loaded at start (the seeding options in
   * it win over these), or seeded and written when it does not exist; saved within a second of
   * every change and on `close()`. A file that is not a mock state file of this product, or is
   * damaged or over the limits, is refused (serveMock rejects) and left as it is. The file is locked
   * (on `FILE.lock`) until `close()`: a second serveMock on it rejects with "in use by another
   * simulator". Needs write access to the file's directory.
   */
  state?: string;
  /** Hears of a failed save of the `state` file (default: one line on stderr); the next save retries. */
  onStateError?: (error: Error) => void;
}

/**
 * A running mock server.
 *
 * @example
 * ```ts
 * import { serveMock } from "@mspe/mspe/mock";
 * await using server = await serveMock();
 * console.log(server.url, server.certificate?.sha256);
 * ```
 */
export interface MockServer extends AsyncDisposable {
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  url: string;
  /** The bound host name. */
  hostname: string;
  /** The bound port. */
  port: number;
  /** The served certificate (PEM), the CA PEM to trust, and the certificate's SHA-256 fingerprint
   * (`AB:CD:…`, upper case); null for plain HTTP. */
  certificate: { pem: string; caPem: string; sha256: string } | null;
  /** Live request counters. */
  stats: MockStats;
  /** Fault rules. */
  faults: FaultController;
  /** The app (state, jobs, ...). */
  app: MockApp;
  /** Stops the server: ends jobs, releases long polls, closes the listener and every connection. */
  close(): Promise<void>;
}

/** The SHA-256 fingerprint of the first certificate of a PEM text, as `AB:CD:…`. */
export async function pemFingerprint(pem: string): Promise<string> {
  const match = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (match === null) {
    throw new TypeError("The certificate PEM has no CERTIFICATE block. Pass a PEM certificate.");
  }
  const der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/** The body of a request that has none. */
const EMPTY = new Uint8Array(0);

/** Methods whose body, if a client sends one, the app never sees (as with a web Request). */
function bodyless(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/** How long close() lets requests in flight finish before it cuts their connections. */
const DRAIN_MS = 1000;

/**
 * Reads a request body into memory, at most `limit` bytes. Resolves with the bytes, or with null as
 * soon as the body goes over the limit (the rest is never read).
 */
function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("close", onClose);
      request.off("error", onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > limit) {
        cleanup();
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error("The client closed the connection before the body was complete."));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("close", onClose);
    request.on("error", onError);
  });
}

/** The response's headers as node's `writeHead` takes them (set-cookie is never sent by the app). */
function headersOf(response: Response): Record<string, string> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return headers;
}

/**
 * Writes a web Response to node's response. A body that fails mid-way (the `drop-*` faults) closes
 * the connection after what was sent, headers included, so the client sees an incomplete reply.
 */
async function send(response: Response, res: ServerResponse): Promise<void> {
  const headers = headersOf(response);
  const bytes = response.body === null ? null : replyBytes(response);
  if (bytes !== undefined) {
    // The usual case, a reply whose bytes are known: headers and body leave in one write.
    res.writeHead(response.status, headers);
    res.end(bytes);
    return;
  }
  const body = response.body!;
  const reader = body.getReader();
  let started = false;
  // A connection that ends first (the client went, or the simulator closes) cancels the body, so
  // that a fault's pending pause ends with it instead of outliving the simulator.
  const onClose = (): void => void reader.cancel().catch(() => {});
  res.once("close", onClose);
  try {
    let current = await reader.read();
    while (!current.done) {
      const next = await reader.read();
      if (next.done) {
        // A reply in one piece: headers and body leave in one write.
        if (!started) res.writeHead(response.status, headers);
        res.end(current.value);
        return;
      }
      if (!started) res.writeHead(response.status, headers);
      started = true;
      res.write(current.value);
      current = next;
    }
    if (!started) res.writeHead(response.status, headers);
    res.end();
  } catch {
    if (!res.headersSent) {
      res.writeHead(response.status, headers);
      res.flushHeaders();
    }
    // A graceful end (TLS close_notify, FIN) after what was written: the client reads the headers
    // and the part of the body that was sent, then an early end of the message.
    res.socket?.end();
  } finally {
    res.off("close", onClose);
  }
}

/**
 * Answers 413 and closes the connection after the reply, so the rest of the body is never read
 * (node does not drain a body on a connection it closes).
 */
function refuseTooLarge(app: MockApp, url: string, res: ServerResponse): void {
  countRefused(app, url);
  res.shouldKeepAlive = false;
  void send(htmlResponse(413, { Connection: "close" }), res);
}

/** A node socket with the response it carries, if one was started (node's own field). */
type SocketWithReply = Socket & { _httpMessage?: unknown };

/** The whole reply to a request that could not be parsed, with `Connection: close`. */
function badRequestBytes(status: 400 | 431): Uint8Array {
  const response = htmlResponse(status, { Connection: "close" });
  const head = [`HTTP/1.1 ${status} ${reasonOf(status)}`];
  response.headers.forEach((value, name) => head.push(`${name}: ${value}`));
  return joinBytes([
    new TextEncoder().encode(`${head.join("\r\n")}\r\n\r\n`),
    replyBytes(response) ?? new Uint8Array(0),
  ]);
}

/** The app, from the `state` file when there is one, the saver of that file and its lock. */
async function stateful(
  options: ServeMockOptions,
): Promise<{ app: MockApp; saver: StateSaver | null; lock: StateLock | null }> {
  if (options.state === undefined) {
    return { app: createMockApp(options), saver: null, lock: null };
  }
  const path = options.state;
  StateSaver.checkPermission(path);
  // Held until close(): a second simulator on the same file would read it half-written and
  // overwrite every change of this one.
  const lock = await StateLock.acquire(path);
  try {
    return { ...await loadState(options, path), lock };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** The app and saver of a locked state file (seeded and written when there is none). */
async function loadState(
  options: ServeMockOptions,
  path: string,
): Promise<{ app: MockApp; saver: StateSaver }> {
  const file = await readStateFile(path, options.product ?? "spe");
  const seeding: SeedOptions = file?.options ?? {
    product: options.product ?? "spe",
    seed: options.seed ?? 1,
    instances: options.instances ?? 3,
    usersPerInstance: options.usersPerInstance ?? 5,
    storesPerInstance: options.storesPerInstance ?? 3,
    problems: options.problems ?? "some",
  };
  const app = createMockApp({ ...options, ...seeding });
  if (file !== null) {
    try {
      app.state.restore(file.state);
    } catch (error) {
      app.close();
      throw new StateFileError(
        `The state file '${path}' is damaged (${
          error instanceof Error ? error.message : error
        }); it was left as it is. Move it away or name another file.`,
      );
    }
    // The credentials the mock was started with always log in, whatever the file says.
    app.state.admitAdministrator(options.username ?? "admin", options.password ?? "admin");
  }
  const saver = new StateSaver(
    path,
    app,
    seeding,
    options.onStateError ?? ((error) => {
      console.error(`mock: cannot save the state to '${path}': ${error.message}`);
    }),
  );
  if (file === null) {
    try {
      await saver.create();
    } catch (error) {
      app.close();
      throw error;
    }
  }
  return { app, saver };
}

/**
 * Starts the mock on a socket. HTTPS with the test certificate by default (trust
 * `server.certificate.caPem`), plain HTTP with `http: true`. HTTP/1.1 and HTTP/1.0; every socket
 * has Nagle's algorithm off, so no reply waits for a delayed ACK.
 *
 * @example Call GetEnvironmentInfo over HTTPS
 * ```ts
 * import { serveMock } from "@mspe/mspe/mock";
 * await using server = await serveMock();
 * const client = Deno.createHttpClient({ caCerts: [server.certificate!.caPem] });
 * const response = await fetch(`${server.url}/api/invoke/GetEnvironmentInfo`, {
 *   method: "POST",
 *   headers: { Authorization: "Basic " + btoa("admin:admin"), "Content-Type": "application/x-www-form-urlencoded" },
 *   body: "",
 *   client,
 * });
 * console.log(JSON.parse((await response.text()).slice(1)).result.version);
 * client.close();
 * ```
 */
export async function serveMock(options: ServeMockOptions = {}): Promise<MockServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const tls = options.http === true
    ? null
    : options.tls ?? { cert: TEST_SERVER_CERT_PEM, key: TEST_SERVER_KEY_PEM, caPem: TEST_CA_PEM };
  let certificate: MockServer["certificate"] = null;
  if (tls !== null) {
    certificate = {
      pem: tls.cert,
      caPem: tls.caPem ?? tls.cert,
      sha256: await pemFingerprint(tls.cert),
    };
  }
  const { app, saver, lock } = await stateful(options);
  const scheme = tls === null ? "http" : "https";
  // Raw TCP sockets (under TLS ones too), so that close() also ends connections mid-handshake.
  const sockets = new Set<Socket>();
  let inflight = 0;
  let drained: (() => void) | null = null;
  let closing = false;
  let origin = `${scheme}://localhost`;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    inflight++;
    res.once("close", () => {
      if (--inflight === 0) drained?.();
    });
    if (closing) res.shouldKeepAlive = false;
    const target = req.url ?? "/";
    const url = target.startsWith("/") ? origin + target : target;
    const lengthHeader = req.headers["content-length"];
    if (lengthHeader !== undefined && Number(lengthHeader) > MAX_BODY_BYTES) {
      refuseTooLarge(app, url, res);
      return;
    }
    const method = req.method ?? "GET";
    let body: Uint8Array | null = null;
    if (lengthHeader !== undefined || req.headers["transfer-encoding"] !== undefined) {
      body = await readBody(req, MAX_BODY_BYTES);
      if (body === null) {
        refuseTooLarge(app, url, res);
        return;
      }
    }
    // The client going away (not the reply's end) aborts the request: it releases a long poll.
    const aborter = new AbortController();
    res.once("close", () => {
      if (!res.writableFinished) aborter.abort();
    });
    const headers = new Headers();
    const raw = req.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
    let request: Request;
    try {
      // The body is handed over as bytes (requestWithBody): the app reads them without a stream.
      request = requestWithBody(
        url,
        { method, headers, signal: aborter.signal },
        bodyless(method) ? EMPTY : body ?? EMPTY,
      );
    } catch {
      await send(htmlResponse(400), res);
      return;
    }
    await send(await app.fetch(request), res);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => res.destroy());
  };
  const serverOptions = { noDelay: true, keepAlive: true };
  const server = tls === null ? createHttpServer(serverOptions, listener) : createHttpsServer({
    ...serverOptions,
    cert: tls.cert,
    key: tls.key,
    // http/1.0 too: a client that offers only it is served (HTTP/1.0 framing), not refused with a
    // no_application_protocol alert. The server's order wins, so both-offering clients get 1.1.
    ALPNProtocols: ["http/1.1", "http/1.0"],
  }, listener);
  server.on("connection", (socket: Socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: Socket) => socket.setNoDelay(true));
  // A client that breaks off a handshake is its own problem, not the server's.
  server.on("tlsClientError", () => {});
  // A request node cannot parse gets http.sys's answer to one, 400 (431 for a head over node's
  // limit), and the connection closes: the client learns what went wrong instead of seeing the
  // connection drop. Nothing is written on a socket that is gone or has a reply under way.
  server.on("clientError", (error: Error & { code?: string }, socket: Socket) => {
    if (
      error.code === "ECONNRESET" || !socket.writable || (socket as SocketWithReply)._httpMessage
    ) {
      socket.destroy();
      return;
    }
    countRefused(app, `${origin}/`);
    socket.end(badRequestBytes(error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    app.close();
    await lock?.release();
    throw error;
  }
  if (saver !== null) app.onChange = () => saver.changed();
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  origin = `${scheme}://${host}:${port}`;

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      // Releases long polls and job timers first, so that requests in flight answer now.
      app.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      if (inflight > 0) {
        // Replies in flight (long polls just released) go out before their connections end.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          drained = resolve;
          timer = setTimeout(resolve, DRAIN_MS);
        });
        clearTimeout(timer);
      }
      for (const socket of sockets) socket.destroy();
      await stopped;
      try {
        await saver?.close();
      } finally {
        await lock?.release();
      }
    })();
    return closed;
  };
  return {
    url: origin,
    hostname,
    port,
    certificate,
    stats: app.stats,
    faults: app.faults,
    app,
    close,
    [Symbol.asyncDispose]: close,
  };
}
