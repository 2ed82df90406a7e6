/**
 * Test set-up of the client and TLS tests: a mock server over HTTPS and a client trusting its CA,
 * hand-written and silent servers, the TLS fixtures. The assertions are in `_assert.ts`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import {
  type FaultRule,
  type MockServer,
  serveMock,
  type ServeMockOptions,
} from "../lib/mock/mod.ts";
import { type Client, type ClientOptions, invokeCall, newClient } from "../mod.ts";
import {
  TEST_CA_PEM,
  TEST_SERVER_CERT_PEM,
  TEST_SERVER_KEY_PEM,
} from "../lib/mock/_test_certificate.ts";
import type { MockWorkerResult, RunResult } from "../lib/mock/_history.ts";

/**
 * A path in the project (`relative` to its root), in this system's form: a file URL's `pathname`
 * is `/Z:/project/...` on Windows, which no Windows API opens.
 */
export function projectPath(relative = ""): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/**
 * Why the tests that stop a child process with Ctrl-C or SIGTERM do not run on Windows: there a
 * process cannot send another one a signal (Ctrl-C and Ctrl-Break go to a whole console), and
 * Deno's `kill()` ends the child at once with TerminateProcess, so what the child does when asked
 * to stop cannot be seen. Each such test has a twin that runs in process on every OS, firing the
 * command's Ctrl-C and termination listeners (`InProcessCli.interrupt()` and `terminate()`; the
 * termination listener is Ctrl-Break's, SIGBREAK, on Windows), so the behaviour is checked there.
 */
export const NO_CHILD_SIGNALS: boolean = Deno.build.os === "windows";

/** The credentials of the mock (and the secret every error-path test looks for). */
export const USERNAME = "admin";
export const PASSWORD = "admin";

/** Starts a mock server over HTTPS (the test certificate) with fast jobs by default. */
export function startMock(options: ServeMockOptions = {}): Promise<MockServer> {
  return serveMock({ ...options, jobs: { stepMs: 20, ...options.jobs } });
}

/** Client options for a mock server: its host, port, CA, and the mock's credentials. */
export function optionsFor(
  server: MockServer,
): { username: string; password: string; host: string; port: number; tls: { caCerts: string[] } } {
  return {
    username: USERNAME,
    password: PASSWORD,
    host: server.hostname,
    port: server.port,
    tls: { caCerts: [server.certificate?.caPem ?? ""] },
  };
}

/** A client for a mock server; `extra` overrides the defaults. */
export function clientFor<const O extends Partial<ClientOptions>>(
  server: MockServer,
  extra?: O,
): Promise<
  Client<
    O extends { product: "server" } ? "server" : "spe",
    O extends { instanceID: string } ? string : null
  >
> {
  return newClient({ ...optionsFor(server), ...extra }) as never;
}

/** A hand-written HTTPS server (the test certificate) for replies the mock does not make. */
export interface RawServer extends AsyncDisposable {
  readonly hostname: string;
  readonly port: number;
  /** Client options that reach it (mock credentials, its CA, no metadata request). */
  readonly options: {
    username: string;
    password: string;
    host: string;
    port: number;
    tls: { caCerts: string[] };
    metadata: "bundled";
  };
}

/** Serves `handler` over HTTPS on 127.0.0.1 with a free port. */
export function serveRaw(
  handler: (
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ) => Response | Promise<Response>,
): RawServer {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_SERVER_CERT_PEM,
    key: TEST_SERVER_KEY_PEM,
    onListen: () => {},
  }, handler);
  const { hostname, port } = server.addr;
  return {
    hostname,
    port,
    options: {
      username: USERNAME,
      password: PASSWORD,
      host: hostname,
      port,
      tls: { caCerts: [TEST_CA_PEM] },
      metadata: "bundled",
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A reply as the API makes it: BOM + 2-space, CRLF JSON. */
export function apiReply(value: unknown, init: { status?: number; bom?: boolean } = {}): Response {
  const json = JSON.stringify(value, null, 2).replaceAll("\n", "\r\n");
  return new Response((init.bom === false ? "" : "\uFEFF") + json, {
    status: init.status ?? 200,
    headers: { "content-type": "application/json" },
  });
}

/** The keys of a status envelope, in the order the server sends them (protocol.md §4). */
export const ENVELOPE_KEYS: readonly string[] = [
  "error",
  "token",
  "statusVersion",
  "statusCode",
  "percentProgress",
  "statusText",
  "result",
  "logOutput",
];

/** A synchronous success envelope. */
export function succeeded(result: unknown): Record<string, unknown> {
  return {
    error: null,
    token: null,
    statusVersion: 2,
    statusCode: "succeeded",
    percentProgress: null,
    statusText: null,
    result,
    logOutput: null,
  };
}

/** A promise that resolves after `ms` (for tests that wait on the mock's timing). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition()` holds, checking every 5 ms; fails after `limitMs`. */
export async function waitFor(
  condition: () => boolean,
  what: string,
  limitMs = 3000,
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/**
 * Makes the next GetUsers call hit a one-shot fault of the mock, and calls it: the promise of that
 * call (for the error paths of a plain synchronous call).
 */
export function getUsersWithFault(
  server: MockServer,
  client: Client<"spe">,
  kind: FaultRule["kind"],
  latencyMs?: number,
): Promise<unknown> {
  server.faults.add({
    kind,
    function: "GetUsers",
    times: 1,
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  return invokeCall(client, "GetUsers", { instanceID: "acme" });
}

/** A TCP listener on 127.0.0.1 that accepts every connection and never sends a byte. */
export interface SilentServer extends AsyncDisposable {
  readonly hostname: string;
  readonly port: number;
  /** How many connections it accepted. */
  readonly accepted: number;
}

/** Starts a {@linkcode SilentServer}; disposing it closes the listener and every connection. */
export function serveSilent(): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const connections: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const connection of listener) connections.push(connection);
  })();
  return {
    hostname: listener.addr.hostname,
    port: listener.addr.port,
    get accepted() {
      return connections.length;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
      for (const connection of connections) connection.close();
    },
  };
}

// ---- TLS fixtures (tests/testdata/tls, made by make.sh) ----

const TLS_DIR = new URL("./testdata/tls/", import.meta.url);

/** A fixture file of tests/testdata/tls, e.g. `pem("expired.pem")`. */
export function pem(name: string): string {
  return Deno.readTextFileSync(new URL(name, TLS_DIR));
}

/** The SHA-256 fingerprint of a PEM certificate, "AB:CD:...", computed from its DER. */
export async function fingerprintOf(certificate: string): Promise<string> {
  const base64 = certificate.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, "");
  const der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", der));
  return [...digest].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":");
}

/**
 * An HTTPS server on 127.0.0.1 with the fixture certificate `name` (server, wrong-host, expired,
 * self-signed) that answers "ok" (or `handler`).
 */
export function serveFixture(
  name: string,
  handler: Deno.ServeHandler<Deno.NetAddr> = () => new Response("ok"),
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    cert: pem(`${name}.pem`),
    key: pem(`${name}.key`),
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    // Handshakes a client breaks off on purpose are not test failures.
    onError: () => new Response("error", { status: 500 }),
  }, handler);
}

/** A raw TLS listener on 127.0.0.1 with the fixture certificate `name`, and its port. */
export function listenFixture(
  name: string,
  options: { alpnProtocols?: string[] } = {},
): { listener: Deno.TlsListener; port: number } {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: pem(`${name}.pem`),
    key: pem(`${name}.key`),
    ...options,
  });
  return { listener, port: (listener.addr as Deno.NetAddr).port };
}

/**
 * A worker result of profile 7 of the mock, `hoursAgo` hours before `now`, for the health report
 * tests; a failed one says it timed out.
 */
export function workerRun(
  id: number,
  result: RunResult,
  hoursAgo: number,
  run: { readonly now: number; readonly userName: string; readonly profileName: string },
): MockWorkerResult {
  const start = run.now - hoursAgo * 3_600_000;
  return {
    id,
    userName: run.userName,
    profileId: 7,
    profileName: run.profileName,
    result,
    itemsArchived: 0,
    startTime: start,
    completeTime: start + 60_000,
    machineName: "HOST01",
    message: result === "succeeded" ? null : "The operation has timed out.",
  };
}
