/**
 * Reply bytes as the real server sends them: UTF-8 BOM, 2-space indented JSON with CRLF line breaks,
 * envelope keys in the documented order, and the documented headers (protocol.md §4).
 *
 * @module
 */

const encoder = new TextEncoder();

/** The envelope every invoke, get-status and cancel-async reply carries, keys in wire order. */
export interface WireEnvelope {
  error: { message: string; details: string } | null;
  token: string | null;
  statusVersion: number;
  statusCode: string;
  percentProgress: number | null;
  statusText: string | null;
  result: unknown;
  logOutput: string | null;
}

/** An API-level failure that a handler throws; the app turns it into an error envelope. */
export class ApiFault extends Error {
  /** Creates the fault; `message` ends up in `error.message`. */
  constructor(message: string, readonly exceptionType = "System.Exception") {
    super(message);
    this.name = "ApiFault";
  }
}

/** Builds an envelope with the keys in the order the server sends them. */
export function envelope(fields: Partial<WireEnvelope>): WireEnvelope {
  return {
    error: fields.error ?? null,
    token: fields.token ?? null,
    statusVersion: fields.statusVersion ?? 2,
    statusCode: fields.statusCode ?? "succeeded",
    percentProgress: fields.percentProgress ?? null,
    statusText: fields.statusText ?? null,
    result: fields.result === undefined ? null : fields.result,
    logOutput: fields.logOutput ?? null,
  };
}

/** The `error` member for a message, with a .NET-like `details` text as the real server sends. */
export function errorInfo(
  message: string,
  exceptionType = "System.Exception",
): { message: string; details: string } {
  return {
    message,
    details: `${exceptionType}: ${message}\r\n` +
      "   at MailStore.Mock.Api.ApiFunctionDispatcher.Invoke(String functionName, NameValueCollection arguments)",
  };
}

/** A synchronous failure envelope: statusCode "failed", result null, statusVersion 2. */
export function errorEnvelope(message: string, exceptionType?: string): WireEnvelope {
  return envelope({ error: errorInfo(message, exceptionType), statusCode: "failed" });
}

/**
 * The body bytes for a JSON value: BOM + `JSON.stringify(value, null, 2)` with CRLF line breaks and
 * no trailing newline. JSON strings never contain raw line feeds (they are escaped as `\n`), so
 * replacing every LF of the serialised text only touches the indentation.
 */
export function encodeBody(value: unknown): Uint8Array {
  return encoder.encode("\uFEFF" + JSON.stringify(value, null, 2).replaceAll("\n", "\r\n"));
}

/** The documented reply headers; `Expires` is one day before `Date`, as in the doc example. */
export function replyHeaders(contentType: string, length: number, now = Date.now()): Headers {
  return new Headers({
    "Cache-Control":
      "no-cache,private,no-store,must-revalidate,max-stale=0,post-check=0,pre-check=0",
    "Pragma": "no-cache",
    "Content-Type": contentType,
    "Content-Length": String(length),
    "Expires": new Date(now - 86_400_000).toUTCString(),
    "Server": "Microsoft-HTTPAPI/2.0",
    "Date": new Date(now).toUTCString(),
  });
}

/** A 200 JSON reply with exact bytes. */
export function jsonResponse(value: unknown): Response {
  return bytesResponse(200, "application/json", encodeBody(value));
}

/** A reply of given bytes with the documented headers. */
export function bytesResponse(status: number, contentType: string, body: Uint8Array): Response {
  return new Response(body.byteLength === 0 ? null : body as Uint8Array<ArrayBuffer>, {
    status,
    headers: replyHeaders(contentType, body.byteLength),
  });
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  411: "Length Required",
  413: "Request Entity Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** An HTML error page in the style of http.sys (used for 4xx/5xx replies outside the API layer). */
export function htmlResponse(status: number, extraHeaders: Record<string, string> = {}): Response {
  const reason = REASONS[status] ?? "Error";
  const html =
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
    `<HTML><HEAD><TITLE>${reason}</TITLE>\r\n` +
    '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
    `<BODY><h2>${reason}</h2>\r\n<hr><p>HTTP Error ${status}. ${reason}.</p>\r\n</BODY></HTML>\r\n`;
  const body = encoder.encode(html);
  const response = bytesResponse(status, "text/html; charset=us-ascii", body);
  for (const [name, value] of Object.entries(extraHeaders)) response.headers.set(name, value);
  return response;
}
