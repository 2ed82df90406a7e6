/**
 * Serving the mock app over HTTPS (or HTTP) with Deno.serve.
 *
 * @module
 */

import { createMockApp, type MockApp } from "./_app.ts";
import type { FaultController, MockOptions, MockStats } from "./_options.ts";
import { TEST_CA_PEM, TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from "./_test_certificate.ts";

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
  /** Stops the server: ends jobs, releases long polls, closes the listener. */
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

/**
 * Starts the mock on a socket. HTTPS with the test certificate by default (trust
 * `server.certificate.caPem`), plain HTTP with `http: true`.
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
  const app = createMockApp(options);
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
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port: options.port ?? 0,
      ...(tls === null ? {} : { cert: tls.cert, key: tls.key }),
      onListen() {},
    }, (request) => app.fetch(request));
  } catch (error) {
    app.close();
    throw error;
  }
  const port = server.addr.port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      app.close();
      await server.shutdown();
    })();
    return closed;
  };
  return {
    url: `${tls === null ? "http" : "https"}://${host}:${port}`,
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
