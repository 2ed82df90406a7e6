/**
 * Tracing: the `onTrace` client option receives one {@linkcode TraceEvent} per HTTP exchange, after
 * it ended (also when it failed), with every secret already redacted.
 *
 * @module
 */

import { REDACTED, type Redactor } from "./_redact.ts";

/**
 * One HTTP exchange of a client, as `onTrace` receives it: what was sent and what came back, with
 * the `Authorization` header, the password and the call's secret arguments replaced by `***`
 * (also where the server echoed them).
 *
 * @example Logging every request of a client
 * ```ts
 * import { newClient, type TraceEvent } from "@mspe/mspe";
 * const log = (event: TraceEvent): void =>
 *   console.error(`${event.method} ${event.url} -> ${event.status ?? event.error} (${event.durationMs} ms)`);
 * await using client = await newClient({ username: "admin", password: "admin", onTrace: log });
 * console.log(client.url);
 * ```
 */
export interface TraceEvent {
  /** Which endpoint: a function call, a status poll, a cancel request, or the metadata request. */
  readonly kind: "invoke" | "get-status" | "cancel-async" | "get-metadata";
  /** The HTTP method, `"POST"`. */
  readonly method: string;
  /** The full URL, e.g. `https://host:8474/api/invoke/GetUsers`. */
  readonly url: string;
  /** The HTTP status of the reply; absent when there was none. */
  readonly status?: number;
  /** The size of the reply body in bytes (0 when there was none). */
  readonly bytes: number;
  /** How long the exchange took, in milliseconds. */
  readonly durationMs: number;
  /** The request headers, redacted (`authorization` is `***`). */
  readonly requestHeaders: Readonly<Record<string, string>>;
  /** The form body sent, redacted. */
  readonly requestBody: string;
  /** The reply headers, redacted. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The reply body, redacted (`""` when there was none). */
  readonly responseBody: string;
  /** One line saying why the exchange failed, redacted; absent when a reply arrived. */
  readonly error?: string;
  /**
   * Set when this exchange sends a read or a poll again after a transient failure (connection
   * reset, HTTP 502/503/504, request timeout): 1 for the first retry. Absent on a first try.
   */
  readonly retry?: number;
}

/** The kind of exchange a request path is. */
function traceKind(path: string): TraceEvent["kind"] {
  if (path.startsWith("/api/invoke/")) return "invoke";
  if (path === "/api/get-status") return "get-status";
  if (path === "/api/cancel-async") return "cancel-async";
  return "get-metadata";
}

const SENSITIVE_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$/i;

function redactHeaders(
  headers: Readonly<Record<string, string>> | Headers | undefined,
  redactor: Redactor,
): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (value: string, name: string): void => {
    out[name.toLowerCase()] = SENSITIVE_HEADER.test(name) ? REDACTED : redactor.text(value);
  };
  if (headers instanceof Headers) headers.forEach(add);
  else if (headers) { for (const [name, value] of Object.entries(headers)) add(value, name); }
  return out;
}

/** What an ended exchange gives {@linkcode traceEvent}. */
export interface TraceRecord {
  readonly url: string;
  readonly path: string;
  readonly started: number;
  readonly requestHeaders: Readonly<Record<string, string>>;
  readonly requestBody: string;
  readonly status?: number | undefined;
  readonly responseHeaders?: Headers | Readonly<Record<string, string>> | undefined;
  readonly responseBody?: string | undefined;
  readonly bytes?: number | undefined;
  readonly error?: unknown;
  readonly retry?: number | undefined;
}

/** Builds the redacted event of one exchange. */
export function traceEvent(record: TraceRecord, redactor: Redactor): TraceEvent {
  const body = record.responseBody ?? "";
  const event: {
    -readonly [K in keyof TraceEvent]: TraceEvent[K];
  } = {
    kind: traceKind(record.path),
    method: "POST",
    url: record.url,
    bytes: record.bytes ?? new TextEncoder().encode(body).byteLength,
    durationMs: Math.round((performance.now() - record.started) * 1000) / 1000,
    requestHeaders: redactHeaders(record.requestHeaders, redactor),
    requestBody: redactor.text(record.requestBody),
    responseHeaders: redactHeaders(record.responseHeaders, redactor),
    responseBody: redactor.text(body),
  };
  if (record.status !== undefined) event.status = record.status;
  if (record.retry !== undefined && record.retry > 0) event.retry = record.retry;
  if (record.error !== undefined) {
    const error = record.error;
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    event.error = redactor.text(text.split("\n", 1)[0] ?? "");
  }
  return event;
}
