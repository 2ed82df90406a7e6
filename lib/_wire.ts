/**
 * One HTTP exchange with the API: POST with pre-emptive Basic auth and a form body, then the reply
 * checked and turned into a status envelope (or the get-metadata array), or into a typed error.
 *
 * @module
 */

import { serverName } from "./_server_name.ts";
import type { Deadlines } from "./_deadlines.ts";
import type { Transport } from "./_transport_api.ts";
import { limitedBytes, toTransportError } from "./_transport.ts";
import { howToCheck } from "./_how_to_check.ts";
import { withPlainHttp } from "./_plain_http.ts";
import type { Redactor } from "./_redact.ts";
import { type TraceEvent, traceEvent } from "./_trace.ts";
import type { ApiErrorInfo, Status } from "./status.ts";
import type { ArgumentType, FunctionMetadata } from "./metadata.ts";
import {
  AuthenticationError,
  ConnectionError,
  HttpError,
  MspeError,
  ProtocolError,
  TokenExpiredError,
} from "./errors.ts";

/** What every request of one client shares. */
export interface WireContext {
  readonly transport: Transport;
  /** `https://host:port`, no trailing slash. */
  readonly baseUrl: string;
  /** The request headers, Authorization included; never put into an error or log. */
  readonly headers: Readonly<Record<string, string>>;
  /** The per-request time limit in milliseconds (ClientOptions.requestTimeoutMs). */
  readonly requestTimeoutMs: number;
  /** Times the requests in flight (one timer per client). */
  readonly deadlines: Deadlines;
  /**
   * Aborts when the client is closed or its `signal` option aborts; requests in flight are then
   * aborted through {@linkcode Deadlines.abortAll}, which newClient wires to it.
   */
  readonly signal: AbortSignal;
  /** Redacts the client's secrets (password, Basic value). */
  readonly redactor: Redactor;
  /** The largest reply body read, in bytes (ClientOptions.maxResponseBytes). */
  readonly maxResponseBytes: number;
  /** ClientOptions.onTrace. */
  readonly onTrace: ((event: TraceEvent) => void) | undefined;
}

/** Options of one request. */
export interface RequestOptions {
  /** The call's signal, if any (combined with the client's). */
  readonly signal?: AbortSignal | undefined;
  /** Added to the per-request limit (the time a long poll may be held by the server). */
  readonly extraTimeoutMs?: number | undefined;
  /** The token asked about, for a 404 from get-status / cancel-async. */
  readonly token?: string | undefined;
  /** The call's redactor (the client's plus the call's secret arguments); the client's when left out. */
  readonly redactor?: Redactor | undefined;
  /**
   * Set, to the function's name, for a call that may change state: it is sent at most once, on a
   * connection of its own ({@linkcode Transport.once}), never on the pool that may resend.
   */
  readonly once?: string | undefined;
  /** Which retry of a read or poll this request is (1 for the first); 0 or left out for the first try. */
  readonly retry?: number | undefined;
}

const EXCERPT_LENGTH = 200;

/**
 * The first characters of a body, for error messages. Redact the whole text first: a cut could
 * leave part of a secret that would no longer match.
 */
export function excerpt(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > EXCERPT_LENGTH ? `${trimmed.slice(0, EXCERPT_LENGTH)}…` : trimmed;
}

const requestTimeouts = new WeakSet<object>();

/** The longest delay setTimeout takes; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

function timeoutError(
  path: string,
  ms: number,
  poll: boolean,
  once: string | undefined,
): DOMException {
  const error = new DOMException(
    `The request to ${path} got no complete reply within ${ms} ms (requestTimeoutMs${
      poll ? " plus the poll's statusTimeoutMs" : ""
    }). ${
      once === undefined
        ? "Check that the server is up and answering, or raise requestTimeoutMs."
        : `The server may or may not have run ${once}: ${howToCheck(once)}`
    }`,
    "TimeoutError",
  );
  requestTimeouts.add(error);
  return error;
}

/** Whether an error is the per-request time limit running out (not the caller's abort or deadline). */
export function isRequestTimeout(error: unknown): boolean {
  return typeof error === "object" && error !== null && requestTimeouts.has(error);
}

/** The host a redirect points at, for the message (never the path or query, which may hold data). */
function redirectTarget(location: string | null, url: string): string {
  if (location === null) return "no location given";
  try {
    return new URL(location, url).host || "an unreadable location";
  } catch {
    return "an unreadable location";
  }
}

const decoder = new TextDecoder();

/** Reads a fetch reply's text, at most `limit` bytes; more is a ProtocolError, not a crash. */
async function limitedText(
  response: Response,
  limit: number,
  url: string,
): Promise<{ text: string; bytes: number }> {
  const declared = response.headers.get("content-length");
  // Number("") is 0 and Number("12x") NaN: neither passes as a length.
  const length = declared === null || declared === "" ? NaN : Number(declared);
  if (length >= 0 && length <= limit) {
    // text() decodes UTF-8 and drops the BOM, as the server's replies need, and costs less than
    // reading the stream here.
    return { text: await response.text(), bytes: length };
  }
  // Too long a declared length, or none: limitedBytes refuses the first, counts the second.
  const body = await limitedBytes(response, limit, url);
  return { text: decoder.decode(body), bytes: body.byteLength };
}

/**
 * Sends one POST and reads the whole reply. Maps 401 to {@linkcode AuthenticationError}, a 404 for a
 * token to {@linkcode TokenExpiredError}, a redirect and any other non-200 to {@linkcode HttpError};
 * aborts reject with the signal's reason. With `options.once` the request goes on a connection of
 * its own and is written at most once.
 */
export async function post(
  context: WireContext,
  path: string,
  body: string,
  options: RequestOptions = {},
): Promise<{ readonly status: number; readonly text: string }> {
  const url = context.baseUrl + path;
  const once = options.once;
  // Every request has a limit, so that a server that accepts the connection but never answers
  // cannot hang the caller. One controller per request, aborted by the client's deadline timer, by
  // the client when it closes (Deadlines.abortAll), or by the call's own signal.
  const limit = Math.min(MAX_TIMER_MS, context.requestTimeoutMs + (options.extraTimeoutMs ?? 0));
  const controller = new AbortController();
  const signal = controller.signal;
  if (context.signal.aborted) controller.abort(context.signal.reason);
  const callSignal = options.signal;
  const onAbort = (): void => controller.abort(callSignal?.reason);
  if (callSignal?.aborted) controller.abort(callSignal.reason);
  else callSignal?.addEventListener("abort", onAbort);
  const deadline = context.deadlines.add(
    limit,
    controller,
    () => timeoutError(path, limit, options.extraTimeoutMs !== undefined, once),
  );
  const started = context.onTrace ? performance.now() : 0;
  let status: number | undefined;
  let headers: Headers | undefined;
  let text: string;
  let bytes = 0;
  try {
    signal.throwIfAborted();
    if (once !== undefined) {
      const reply = await context.transport.once({
        url,
        headers: context.headers,
        body,
        signal,
        maxBytes: context.maxResponseBytes,
        functionName: once,
      });
      status = reply.status;
      headers = reply.headers;
      bytes = reply.body.byteLength;
      text = decoder.decode(reply.body);
    } else {
      const response = await context.transport.fetch(url, {
        method: "POST",
        headers: context.headers,
        body,
        signal,
      });
      status = response.status;
      headers = response.headers;
      try {
        ({ text, bytes } = await limitedText(response, context.maxResponseBytes, url));
      } catch (error) {
        throw toTransportError(error, url, signal);
      }
    }
  } catch (error) {
    // A handshake that met plain HTTP is named as such (one probe connection, only on failure).
    const failure = signal.aborted
      ? signal.reason
      : await withPlainHttp(asWireError(error, url), url);
    if (context.onTrace) {
      trace(context, options, { url, path, started, body, status, headers, error: failure });
    }
    throw failure;
  } finally {
    context.deadlines.delete(deadline);
    callSignal?.removeEventListener("abort", onAbort);
  }
  if (context.onTrace) {
    trace(context, options, { url, path, started, body, status, headers, text, bytes });
  }
  if (status === 200) return { status, text };
  if (status === 401) throw new AuthenticationError();
  if (status === 404 && options.token !== undefined) throw new TokenExpiredError(options.token);
  const redactor = options.redactor ?? context.redactor;
  // Redacted whole, before any cut: a cut could leave part of a secret that would no longer match.
  const details = redactor.text(text);
  if (status >= 300 && status < 400) {
    throw new HttpError(status, excerpt(details), path, {
      redirectHost: redirectTarget(headers?.get("location") ?? null, url),
      details,
    });
  }
  throw new HttpError(status, excerpt(details), path, { details });
}

function trace(
  context: WireContext,
  options: RequestOptions,
  record: {
    url: string;
    path: string;
    started: number;
    body: string;
    status: number | undefined;
    headers: Headers | undefined;
    text?: string;
    bytes?: number;
    error?: unknown;
  },
): void {
  try {
    context.onTrace?.(traceEvent({
      url: record.url,
      path: record.path,
      started: record.started,
      requestHeaders: context.headers,
      requestBody: record.body,
      status: record.status,
      responseHeaders: record.headers,
      responseBody: record.text,
      bytes: record.bytes,
      error: record.error,
      retry: options.retry,
    }, options.redactor ?? context.redactor));
  } catch {
    // A failing trace hook must not change the outcome of the call.
  }
}

/**
 * Wraps anything the transport left unmapped (for example from an injected fetch) as a
 * ConnectionError. The transport maps its own failures where they arise, including the "may or may
 * not have run" one of a state-changing call whose connection broke after it was written.
 */
function asWireError(error: unknown, url: string): unknown {
  if (error instanceof MspeError) return error;
  if (
    error instanceof DOMException && (error.name === "AbortError" || error.name === "TimeoutError")
  ) {
    return error;
  }
  return new ConnectionError(
    `The request to ${serverName(url)} failed before a reply arrived${
      error instanceof Error ? ` (${error.name})` : ""
    }. Check the host, port and network, then try again.`,
    { cause: error },
  );
}

/** Whether JSON.parse failed because the text stopped (the error is at its very end). */
function endsEarly(text: string, error: unknown): boolean {
  if (!(error instanceof SyntaxError)) return false;
  if (/end of (JSON )?input/i.test(error.message)) return true;
  const position = /at position (\d+)/.exec(error.message)?.[1];
  return position !== undefined && Number(position) >= text.trimEnd().length;
}

function parseJson(text: string, status: number, path: string, redactor: Redactor): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const trimmed = text.trimStart();
    const reason = trimmed.length === 0
      ? "it is empty"
      : trimmed.startsWith("<")
      ? "it looks like an HTML page, not JSON"
      : endsEarly(text, error)
      ? "the JSON ends early (truncated)"
      : "it is not valid JSON";
    throw new ProtocolError(
      `The reply to ${path} (HTTP ${status}) is not what the API sends: ${reason}. ` +
        `Check that host and port point at the MailStore API; if they do, try again.`,
      status,
      excerpt(redactor.text(text)),
    );
  }
}

/** The status codes the protocol knows; anything else is a ProtocolError, never a result. */
const STATUS_CODES: ReadonlySet<string> = new Set(["running", "succeeded", "failed", "cancelled"]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nullableOf(
  value: unknown,
  type: "string" | "number",
): { ok: true; value: string | number | null } | { ok: false } {
  if (value === undefined || value === null) return { ok: true, value: null };
  if (type === "string" ? typeof value === "string" : typeof value === "number") {
    return { ok: true, value: value as string | number };
  }
  return { ok: false };
}

/**
 * Checks that a parsed reply is a status envelope and returns it with the keys in the server's
 * order (members the server left out become `null`).
 */
export function toStatus(
  value: unknown,
  status: number,
  path: string,
  text: string,
  redactor: Redactor,
): Status {
  const fail = (what: string): never => {
    throw new ProtocolError(
      `The reply to ${path} (HTTP ${status}) is JSON but not a status envelope: ${what}. ` +
        `Check that host and port point at the MailStore API.`,
      status,
      excerpt(redactor.text(text)),
    );
  };
  if (!isRecord(value)) return fail(`it is ${Array.isArray(value) ? "an array" : typeof value}`);
  const { statusCode, statusVersion } = value;
  if (typeof statusCode !== "string") return fail("statusCode is missing or not a string");
  if (!STATUS_CODES.has(statusCode)) {
    return fail(
      `statusCode ${
        JSON.stringify(redactor.text(statusCode.slice(0, 60)))
      } is none of running, succeeded, failed, cancelled`,
    );
  }
  if (typeof statusVersion !== "number" || !Number.isFinite(statusVersion)) {
    return fail("statusVersion is missing or not a number");
  }
  let error: ApiErrorInfo | null = null;
  if (value.error !== undefined && value.error !== null) {
    if (!isRecord(value.error) || typeof value.error.message !== "string") {
      return fail("error is neither null nor an object with a message");
    }
    const details = value.error.details;
    error = {
      message: redactor.text(value.error.message),
      details: typeof details === "string" ? redactor.text(details) : null,
    };
  }
  const token = nullableOf(value.token, "string");
  if (!token.ok) return fail("token is not a string");
  const percentProgress = nullableOf(value.percentProgress, "number");
  if (!percentProgress.ok) return fail("percentProgress is not a number");
  const statusText = nullableOf(value.statusText, "string");
  if (!statusText.ok) return fail("statusText is not a string");
  const logOutput = nullableOf(value.logOutput, "string");
  if (!logOutput.ok) return fail("logOutput is not a string");
  return {
    error,
    token: token.value as string | null,
    statusVersion,
    statusCode,
    percentProgress: percentProgress.value as number | null,
    // Texts for people (progress, logs, errors) never show a secret a server echoes; the result is
    // returned as sent.
    statusText: statusText.value === null ? null : redactor.text(statusText.value as string),
    result: value.result ?? null,
    logOutput: logOutput.value === null ? null : redactor.text(logOutput.value as string),
  };
}

/** POSTs and returns the status envelope of the reply. */
export async function postStatus(
  context: WireContext,
  path: string,
  body: string,
  options?: RequestOptions,
): Promise<Status> {
  const { status, text } = await post(context, path, body, options);
  const redactor = options?.redactor ?? context.redactor;
  return toStatus(parseJson(text, status, path, redactor), status, path, text, redactor);
}

/** Fetches `get-metadata` (which also checks the credentials) and checks its shape. */
export async function fetchMetadata(
  context: WireContext,
  signal: AbortSignal | undefined,
  retry?: number,
): Promise<FunctionMetadata[]> {
  const path = "/api/get-metadata";
  const { status, text } = await post(context, path, "", { signal, retry });
  const value = parseJson(text, status, path, context.redactor);
  const fail = (what: string): never => {
    throw new ProtocolError(
      `The reply to ${path} is not a function list: ${what}. Check that host and port point at the ` +
        `MailStore API, or create the client with metadata: "bundled".`,
      status,
      excerpt(context.redactor.text(text)),
    );
  };
  if (!Array.isArray(value)) return fail("it is not an array");
  const functions: FunctionMetadata[] = [];
  for (const [i, entry] of value.entries()) {
    if (!isRecord(entry) || typeof entry.name !== "string") return fail(`entry ${i} has no name`);
    const args = entry.args ?? [];
    if (!Array.isArray(args)) return fail(`the args of ${entry.name} are not a list`);
    const checked = args.map((arg, j) => {
      if (!isRecord(arg) || typeof arg.name !== "string" || typeof arg.type !== "string") {
        return fail(`argument ${j} of ${entry.name} has no name or type`);
      }
      const lower = arg.type.toLowerCase();
      const known = lower === "string" || lower === "number" || lower === "bool" ||
        lower === "json";
      return {
        name: arg.name,
        // An unknown type (a newer server) is kept as sent; validation then accepts any value for it.
        type: (known ? lower : arg.type) as ArgumentType,
        nullable: arg.nullable !== false,
      };
    });
    functions.push({ name: entry.name, args: checked });
  }
  return functions;
}
