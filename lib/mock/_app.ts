/**
 * The Hono app: routing, Basic auth, request limits, stats, faults, and the API endpoints.
 *
 * @module
 */

import { Hono } from "hono";
import type { CatalogFunction, Product } from "../metadata.ts";
import { SERVER_CATALOG } from "../_catalog/server.ts";
import { SPE_CATALOG } from "../_catalog/spe.ts";
import { checkArguments } from "./_args.ts";
import { Faults } from "./_faults.ts";
import { type CallContext, Deferred, SIMULATIONS } from "./_functions.ts";
import { JobEngine, type MockJobs } from "./_jobs.ts";
import type { FaultController, FaultRule, MockOptions, MockStats } from "./_options.ts";
import { MockState } from "./_state.ts";
import { Stats } from "./_stats.ts";
import { quirkFailure } from "./_quirks.ts";
import { maskedArguments, type MockRequestLogEntry } from "./_request_log.ts";
import {
  ApiFault,
  bytesResponse,
  encodeBody,
  envelope,
  errorEnvelope,
  htmlResponse,
  jsonResponse,
  requestBytes,
  type WireEnvelope,
} from "./_wire.ts";

/** Request bodies above this many bytes get 413. */
export const MAX_BODY_BYTES = 1_048_576;

/** Longest long poll we hold, whatever millisecondsTimeout says (our choice; the real maximum is unknown). */
export const MAX_POLL_MS = 300_000;

/** Groups whose instanceID functions run without service provider access (protocol.md §5), plus instance management. */
const SPA_EXEMPT_GROUPS = new Set(["archiveStores", "searchIndexes", "instances"]);
/** Instance functions that also work on an instance that is not running. */
const NOT_RUNNING_ALLOWED = new Set([
  "GetInstanceConfiguration",
  "GetArchiveAdminEnabled",
  "SetArchiveAdminEnabled",
]);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The mock app: a Hono app (use `fetch` or `request`) plus the controls tests need.
 *
 * @example In-process call without a socket
 * ```ts
 * import { createMockApp } from "@mspe/mspe/mock";
 * const app = createMockApp();
 * const response = await app.request("/api/invoke/Ping", {
 *   method: "POST",
 *   headers: { Authorization: "Basic " + btoa("admin:admin"), "Content-Length": "0" },
 *   body: "",
 * });
 * console.log(response.status);
 * await response.body?.cancel();
 * app.close();
 * ```
 */
export interface MockApp {
  /** Answers one request (the Hono app's `fetch`; pass it to `Deno.serve`). */
  fetch(request: Request): Response | Promise<Response>;
  /** Answers a request built from a path or URL (the Hono app's `request`), without a socket. */
  request(input: string | URL | Request, init?: RequestInit): Response | Promise<Response>;
  /** The simulated server's state; change it directly in tests. */
  readonly state: MockState;
  /** Live request counters. */
  readonly stats: MockStats;
  /** Fault rules. */
  readonly faults: FaultController;
  /** The long-running call engine (settings, `step`, `expire`, `tokens`). */
  readonly jobs: MockJobs;
  /** The product simulated. */
  readonly product: Product;
  /**
   * Called after every change of the state through the API: a call of a function that is not
   * read-only, the end of a job (when its work is done), a cancel. Saving to a `--state` file
   * listens here; null by default.
   */
  onChange: (() => void) | null;
  /**
   * Called once per request, when its reply is ready, with its time, function, arguments (secrets
   * masked), HTTP status and milliseconds; `mock --log-requests` listens here. Null by default.
   */
  onRequest: ((entry: MockRequestLogEntry) => void) | null;
  /** Stops job timers, releases long polls and pending delays. Call it when done with the app. */
  close(): void;
}

const metadataCache = new Map<Product, Uint8Array>();

function metadataBody(product: Product): Uint8Array {
  let body = metadataCache.get(product);
  if (body === undefined) {
    const catalog = product === "spe" ? SPE_CATALOG : SERVER_CATALOG;
    body = encodeBody(catalog.map((fn) => ({
      name: fn.name,
      args: fn.args.map((arg) => ({ name: arg.name, type: arg.type, nullable: arg.nullable })),
    })));
    metadataCache.set(product, body);
  }
  return body;
}

/** How late a timer fires, at least, under Deno 2.9.6 (measured; see `sleep`). */
const TIMER_LATE_MS = 1;

function collapse(pathname: string): string {
  return pathname.replace(/\/{2,}/g, "/");
}

function pathOf(request: Request): string {
  return pathOfUrl(request.url);
}

function pathOfUrl(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  let end = url.length;
  const query = url.indexOf("?", start);
  if (query >= 0) end = query;
  const hash = url.indexOf("#", start);
  if (hash >= 0 && hash < end) end = hash;
  const path = collapse(url.slice(start, end));
  // A public RMM script posts to /api/invoke/GetWorkerResults/ and real servers accept it: one
  // trailing slash after an API path is the path without it.
  return path.length > 5 && path.startsWith("/api/") && path.endsWith("/")
    ? path.slice(0, -1)
    : path;
}

function functionOf(path: string): string | null {
  const prefix = "/api/invoke/";
  if (!path.startsWith(prefix)) return null;
  const rest = path.slice(prefix.length);
  if (rest === "" || rest.includes("/")) return null;
  try {
    return decodeURIComponent(rest);
  } catch {
    return rest;
  }
}

/**
 * Counts a request that the server layer refused before the app saw it (413 for a body over
 * {@linkcode MAX_BODY_BYTES}), as the app counts the requests it refuses itself.
 */
export function countRefused(app: MockApp, url: string): void {
  if (!(app.stats instanceof Stats)) return;
  const path = pathOfUrl(url);
  app.stats.count(path, functionOf(path));
}

/** Compares two byte strings in time that depends only on their lengths, not on where they differ. */
function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  const length = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < length; i++) {
    diff |= (a[i % (a.length || 1)] ?? 0) ^ (b[i % (b.length || 1)] ?? 0);
  }
  return diff === 0;
}

function credentialsOf(header: string | null): { user: string; bytes: Uint8Array } | null {
  if (header === null) return null;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return null;
  let binary: string;
  try {
    binary = atob(match[1]!);
  } catch {
    return null;
  }
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  const text = decoder.decode(bytes);
  const colon = text.indexOf(":");
  if (colon < 0) return null;
  return { user: text.slice(0, colon), bytes };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  // Deno 2.9.6 fires a timer about 1.2 to 1.5 ms after its delay (setTimeout(20) takes 21.5 ms
  // at the median here); asking for 1 ms less makes `--latency-ms 20` a 20 ms delay rather than
  // a 21.5 ms one, which is what a fan-out measured against it needs.
  ms -= TIMER_LATE_MS;
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Applies a body-level fault to a finished reply. */
async function applyBodyFault(response: Response, kind: FaultRule["kind"]): Promise<Response> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers = new Headers(response.headers);
  const half = Math.floor(body.byteLength / 2);
  const withBody = (bytes: Uint8Array): Response => {
    headers.set("Content-Length", String(bytes.byteLength));
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status: response.status, headers });
  };
  switch (kind) {
    case "no-bom":
      return withBody(
        body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body,
      );
    case "truncated":
      return withBody(body.subarray(0, half));
    case "malformed-json":
      return withBody(
        encoder.encode(
          '\uFEFF{\r\n  "error": null,,\r\n  "statusCode": "succeeded"\r\n  "result": }',
        ),
      );
    case "drop-before-body":
    case "drop-mid-body": {
      // The headers go out with the full Content-Length; the body stream then fails, so the server
      // closes the connection (HTTP/1.1) or resets the stream (HTTP/2) before the body is complete.
      const sent = kind === "drop-mid-body"
        ? body.subarray(0, Math.max(1, half))
        : new Uint8Array(0);
      // The pause's timer goes with the stream when the client goes first (it aborted the request):
      // no timer of the simulator outlives the request it was for.
      let pause: ReturnType<typeof setTimeout> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          if (sent.byteLength > 0) controller.enqueue(sent);
        },
        async pull(controller) {
          // A short pause lets the headers (and the first half) reach the client before the failure.
          await new Promise((resolve) => pause = setTimeout(resolve, 20));
          controller.error("mock: connection dropped by fault injection");
        },
        cancel() {
          clearTimeout(pause);
        },
      }, { highWaterMark: 0 });
      return new Response(stream, { status: response.status, headers });
    }
    default:
      return response;
  }
}

/**
 * Creates the mock app. It answers in process through `app.request(...)` / `app.fetch(...)`, or over
 * a socket through {@linkcode serveMock}. Call `close()` when done.
 *
 * @example
 * ```ts
 * import { createMockApp } from "@mspe/mspe/mock";
 * const app = createMockApp({ product: "server" });
 * const response = await app.request("/api/get-metadata", {
 *   headers: { Authorization: "Basic " + btoa("admin:admin") },
 * });
 * const metadata = JSON.parse((await response.text()).replace(/^\uFEFF/, ""));
 * console.log(metadata.length); // 89
 * app.close();
 * ```
 */
export function createMockApp(options: MockOptions = {}): MockApp {
  const product: Product = options.product ?? "spe";
  const username = options.username ?? "admin";
  const password = options.password ?? "admin";
  const realm = (options.realm ?? "MailStore").replace(/["\\]/g, "");
  const catalog: ReadonlyMap<string, CatalogFunction> = new Map(
    (product === "spe" ? SPE_CATALOG : SERVER_CATALOG).map((fn) => [fn.name, fn]),
  );
  const simulations = SIMULATIONS[product];
  const state = new MockState({
    product,
    seed: options.seed ?? 1,
    instances: options.instances ?? 3,
    usersPerInstance: options.usersPerInstance ?? 5,
    storesPerInstance: options.storesPerInstance ?? 3,
    username,
    password,
    problems: options.problems ?? "some",
  });
  const jobs = new JobEngine(options.jobs, options.seed ?? 1);
  const stats = new Stats(() => jobs.running);
  const faults = new Faults();
  for (const rule of options.faults ?? []) faults.add(rule);
  const closing = new AbortController();
  const latencyMs = options.latencyMs ?? 0;
  const metadataWithoutAuth = options.metadataWithoutAuth ?? false;
  const quirks = options.quirks ?? "none";

  const unauthorized = (): Response => {
    stats.authFailures++;
    return htmlResponse(401, { "WWW-Authenticate": `Basic realm="${realm}"` });
  };

  const authenticate = (header: string | null): string | null => {
    const credentials = credentialsOf(header);
    if (credentials === null) return null;
    // Every known administrator is compared, so the time does not tell which user name exists.
    let accepted: string | null = null;
    for (const admin of state.systemAdministrators.values()) {
      const expected = encoder.encode(`${admin.userName}:${admin.password}`);
      if (timingSafeEqual(credentials.bytes, expected)) accepted = admin.userName;
    }
    return accepted;
  };

  const hono = new Hono<
    { Variables: { form: URLSearchParams; fault: FaultRule | null; user: string } }
  >({
    getPath: (request) => pathOf(request),
  });

  // The request log (onRequest) sees every request, also those refused on the way in.
  hono.use("*", async (c, next) => {
    const log = app.onRequest;
    if (log === null) return await next();
    const arrived = performance.now();
    await next();
    const path = pathOf(c.req.raw);
    const name = functionOf(path);
    const form: URLSearchParams | undefined = c.get("form");
    log({
      time: new Date().toISOString(),
      function: name ?? path,
      arguments: form === undefined
        ? {}
        : maskedArguments(name === null ? undefined : catalog.get(name), form, {
          username,
          password,
        }),
      status: c.res.status,
      ms: Math.round(performance.now() - arrived),
    });
  });

  hono.use("*", async (c, next) => {
    // The latency counts from here: the mock's own work before the delay is part of it.
    const arrived = performance.now();
    const path = pathOf(c.req.raw);
    const fn = functionOf(path);
    stats.count(path, fn);
    const method = c.req.method;
    // http.sys checks the length before anything else.
    const lengthHeader = c.req.header("content-length");
    if (method === "POST" && lengthHeader === undefined) return htmlResponse(411);
    if (lengthHeader !== undefined) {
      const length = Number(lengthHeader);
      if (!Number.isSafeInteger(length) || length < 0) return htmlResponse(400);
      if (length > MAX_BODY_BYTES) return htmlResponse(413, { Connection: "close" });
    }
    let raw: Uint8Array;
    try {
      raw = await requestBytes(c.req.raw);
    } catch {
      return htmlResponse(400);
    }
    if (raw.byteLength > MAX_BODY_BYTES) return htmlResponse(413);
    const user = authenticate(c.req.header("authorization") ?? null);
    if (user === null && !(metadataWithoutAuth && path === "/api/get-metadata")) {
      return unauthorized();
    }
    const match = faults.match(path, fn);
    const delay = latencyMs + match.latencyMs;
    // Only the long poll touches request.signal: reading it makes Deno print a one-time notice.
    if (delay > 0) await sleep(arrived + delay - performance.now(), closing.signal);
    const fault = match.fault;
    if (fault !== null) {
      if (fault.kind === "unauthorized") return unauthorized();
      if (fault.kind === "http500") return htmlResponse(500);
      if (fault.kind === "http503") return htmlResponse(503, { "Retry-After": "1" });
    }
    c.set("form", new URLSearchParams(decoder.decode(raw)));
    c.set("fault", fault);
    c.set("user", user ?? "");
    await next();
    if (
      fault !== null &&
      ["no-bom", "truncated", "malformed-json", "drop-before-body", "drop-mid-body"].includes(
        fault.kind,
      )
    ) {
      const changed = await applyBodyFault(c.res, fault.kind);
      // Hono copies the old reply's headers (Content-Length included) onto a new one assigned to
      // c.res; clearing it first keeps the new reply's own headers.
      c.res = undefined as unknown as Response;
      c.res = changed;
    }
  });

  hono.on(
    ["GET", "POST"],
    "/api/get-metadata",
    () => bytesResponse(200, "application/json", metadataBody(product)),
  );

  const tokenOf = (form: URLSearchParams): string | null => form.get("token");
  const numberField = (form: URLSearchParams, name: string, fallback: number): number => {
    const value = form.get(name);
    if (value === null || value === "") return fallback;
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : fallback;
  };

  hono.post("/api/get-status", async (c) => {
    const form = c.get("form");
    const token = tokenOf(form);
    if (token === null) return jsonResponse(errorEnvelope("Missing API argument token."));
    if (c.get("fault")?.kind === "expire-token") jobs.expire(token);
    if (!jobs.has(token)) return htmlResponse(404);
    const last = numberField(form, "lastKnownStatusVersion", -1);
    // millisecondsTimeout is optional (a third-party client leaves it out): then answer at once.
    const timeout = Math.min(MAX_POLL_MS, Math.max(0, numberField(form, "millisecondsTimeout", 0)));
    if (c.get("fault")?.kind !== "early-return") {
      stats.openLongPolls++;
      try {
        await jobs.wait(token, last, timeout, AbortSignal.any([closing.signal, c.req.raw.signal]));
      } finally {
        stats.openLongPolls--;
      }
    }
    const status = jobs.status(token, last);
    return status === undefined ? htmlResponse(404) : jsonResponse(status);
  });

  hono.post("/api/cancel-async", (c) => {
    const form = c.get("form");
    const token = tokenOf(form);
    if (token === null) return jsonResponse(errorEnvelope("Missing API argument token."));
    if (c.get("fault")?.kind === "expire-token") jobs.expire(token);
    const status = jobs.cancel(token);
    changed();
    return status === undefined ? htmlResponse(404) : jsonResponse(status);
  });

  hono.post("/api/invoke/:fn", (c) => {
    const name = functionOf(pathOf(c.req.raw)) ?? "";
    return jsonResponse(invoke(name, c.get("form"), c.get("user")));
  });

  hono.all("/api/invoke/:fn", () => htmlResponse(405, { Allow: "POST" }));
  hono.all("/api/get-status", () => htmlResponse(405, { Allow: "POST" }));
  hono.all("/api/cancel-async", () => htmlResponse(405, { Allow: "POST" }));
  hono.all("*", () => htmlResponse(404));
  hono.onError(() => jsonResponse(errorEnvelope("Internal error of the mock server.")));

  function invoke(name: string, form: URLSearchParams, user: string): WireEnvelope {
    const fn = catalog.get(name);
    // Our choice (protocol.md §10.7): an unknown function is an API-level error, HTTP 200.
    if (fn === undefined) return errorEnvelope(`Unknown API function ${name}.`);
    try {
      const args = checkArguments(fn, form);
      const simulation = simulations[name];
      if (simulation === undefined) {
        return errorEnvelope(`${name} is not simulated by the mock server.`);
      }
      let instance = null;
      if (product === "server") {
        instance = state.instance("")!;
      } else if (fn.args.some((arg) => arg.name === "instanceID")) {
        const instanceID = args.str("instanceID");
        instance = state.instance(instanceID);
        if (instance === undefined) throw new ApiFault(`Instance '${instanceID}' does not exist.`);
        if (instance.status !== "running" && !NOT_RUNNING_ALLOWED.has(name)) {
          throw new ApiFault(
            `Instance '${instance.instanceID}' is not running (status: ${instance.status}).`,
          );
        }
        if (!instance.serviceProviderAccess && !SPA_EXEMPT_GROUPS.has(fn.group)) {
          throw new ApiFault(
            `Service provider access is disabled for instance '${instance.instanceID}'. ` +
              "Enable it (SetArchiveAdminEnabled) to run this function.",
            "System.UnauthorizedAccessException",
          );
        }
      }
      const ctx: CallContext = {
        fn: name,
        args,
        state,
        instance,
        username: user,
        jobs: jobs.config,
      };
      const label = simulation.job?.(ctx) ??
        (jobs.config.forceAsync.has(name) ? `Running ${name}` : null);
      // A recorded failure of a real server, when asked for: a bad argument is refused at once,
      // the others fail where the real server failed, at the end of the call (in its job).
      const quirk = quirkFailure(quirks, fn, form);
      if (quirk !== null && !quirk.asResult) throw quirk.fault;
      const outcome = quirk === null ? simulation.handle(ctx) : new Deferred(() => {
        throw quirk.fault;
      });
      if (!fn.readOnly) changed();
      if (label !== null) {
        return jobs.start(name, label, () => {
          const result = outcome instanceof Deferred ? outcome.run() : outcome;
          changed();
          return result;
        });
      }
      return envelope({ result: outcome instanceof Deferred ? outcome.run() : outcome });
    } catch (error) {
      if (error instanceof ApiFault) return errorEnvelope(error.message, error.exceptionType);
      throw error;
    }
  }

  // The app is the Hono instance itself, with the controls added.
  const app = Object.assign(hono, {
    state,
    stats,
    faults,
    jobs,
    product,
    onChange: null as (() => void) | null,
    onRequest: null as ((entry: MockRequestLogEntry) => void) | null,
    close(): void {
      closing.abort();
      jobs.dispose();
    },
  });
  function changed(): void {
    app.onChange?.();
  }
  return app as unknown as MockApp;
}
