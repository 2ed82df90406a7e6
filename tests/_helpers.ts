/**
 * Test helpers of the client tests: a mock server over HTTPS and a client trusting its CA.
 *
 * @module
 */

import { type MockServer, serveMock, type ServeMockOptions } from "../lib/mock/mod.ts";
import { type Client, type ClientOptions, newClient } from "../mod.ts";
import {
  TEST_CA_PEM,
  TEST_SERVER_CERT_PEM,
  TEST_SERVER_KEY_PEM,
} from "../lib/mock/_test_certificate.ts";

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

// ---- assertions (node:assert/strict underneath; these return the error for further checks) ----

import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

/** The text matches the pattern. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  assert.match(actual, pattern, message);
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E> = abstract new (...args: any[]) => E;

function checkError<E>(error: unknown, type: ErrorClass<E>, includes?: string): E {
  if (!(error instanceof type)) {
    assert.fail(
      `expected ${type.name}, got ${
        error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      }`,
    );
  }
  if (includes !== undefined && !(error as Error).message.includes(includes)) {
    assert.fail(
      `expected the message to include ${JSON.stringify(includes)}: ${(error as Error).message}`,
    );
  }
  return error;
}

/** `fn` throws an instance of `type` (whose message includes `includes`); returns the error. */
export function assertThrows<E>(fn: () => unknown, type: ErrorClass<E>, includes?: string): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, type, includes);
  }
  return assert.fail(`expected ${type.name} to be thrown`);
}

/** The promise rejects with an instance of `type` (whose message includes `includes`); returns the error. */
export async function assertRejects<E>(
  promise: Promise<unknown> | (() => Promise<unknown>),
  type: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return checkError(error, type, includes);
  }
  return assert.fail(`expected a rejection with ${type.name}`);
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
