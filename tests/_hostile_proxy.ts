/**
 * A hostile server in front of the simulator (issue 18): it passes every request on to a mock and
 * rewrites what comes back, the way a tenant's data reaches mspe-run: instance IDs and names with
 * escape sequences, line breaks, bidi overrides, formulas or the admin's credentials in them, error
 * texts that echo the request. Requests are mapped back, so the mock sees its own names.
 *
 * @module
 */

import type { MockServer } from "../lib/mock/mod.ts";
import { type HostileServer, type SeenRequest, serveHostile } from "./_trust_helpers.ts";
import { CA_PEM_PATH } from "./cli_helpers.ts";

/** What the proxy changes. */
export interface Rewrites {
  /** Names shown instead of the mock's: every string in a reply equal to a key becomes its value. */
  readonly rename?: Readonly<Record<string, string>>;
  /**
   * Changes a reply envelope (after renaming) of `/api/invoke/<fn>` with the arguments as the client
   * sent them, and the request's headers (to echo).
   */
  readonly reply?: (
    fn: string,
    args: URLSearchParams,
    envelope: Record<string, unknown>,
    request: SeenRequest,
  ) => Record<string, unknown>;
}

/** A running proxy. */
export interface HostileProxy extends AsyncDisposable {
  /** The proxy itself (requests, connections). */
  readonly server: HostileServer;
  /** mspe-run's connection flags for the proxy (host, port, the test CA). */
  readonly flags: readonly string[];
}

function mapStrings(value: unknown, map: Readonly<Record<string, string>>): unknown {
  if (typeof value === "string") return Object.hasOwn(map, value) ? map[value] : value;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, mapStrings(inner, map)]),
    );
  }
  return value;
}

/**
 * Starts a proxy for `mock` with these rewrites.
 *
 * @example
 * ```ts ignore
 * await using mock = await serveMock({ instances: 3 });
 * await using proxy = serveHostileProxy(mock, { rename: { acme: "acme\x1b[2J" } });
 * await runCli(["call", "GetInstances", ...proxy.flags], { env: USER });
 * ```
 */
export function serveHostileProxy(mock: MockServer, rewrites: Rewrites): HostileProxy {
  const http = Deno.createHttpClient({ caCerts: [mock.certificate!.caPem] });
  const rename = rewrites.rename ?? {};
  const back = Object.fromEntries(Object.entries(rename).map(([from, to]) => [to, from]));
  const server = serveHostile(async (request) => {
    const args = new URLSearchParams(request.body);
    const forwarded = new URLSearchParams(
      [...args].map(([name, value]) => [name, back[value] ?? value]),
    );
    const headers: Record<string, string> = {};
    for (const name of ["authorization", "content-type"]) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    const response = await fetch(`${mock.url}${request.path}`, {
      method: request.method,
      headers,
      body: request.method === "POST" ? forwarded.toString() : null,
      client: http,
    });
    const text = await response.text();
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    let body = text;
    try {
      let envelope = mapStrings(JSON.parse(text.slice(bom.length)), rename) as Record<
        string,
        unknown
      >;
      const fn = request.path.match(/^\/api\/invoke\/(\w+)/)?.[1];
      if (fn !== undefined && rewrites.reply) {
        envelope = rewrites.reply(fn, args, envelope, request);
      }
      body = bom + JSON.stringify(envelope);
    } catch {
      // Not JSON: passed on as it is.
    }
    return {
      status: response.status,
      headers: { "content-type": response.headers.get("content-type") ?? "application/json" },
      body,
    };
  });
  return {
    server,
    flags: ["--host", server.hostname, "--port", String(server.port), "--ca-cert", CA_PEM_PATH],
    async [Symbol.asyncDispose]() {
      await server[Symbol.asyncDispose]();
      http.close();
    },
  };
}

/** A failed envelope with this error message, for {@linkcode Rewrites.reply}. */
export function failed(message: string): Record<string, unknown> {
  return {
    error: { message, details: null },
    token: null,
    statusVersion: 2,
    statusCode: "failed",
    percentProgress: null,
    statusText: null,
    result: null,
    logOutput: null,
  };
}
