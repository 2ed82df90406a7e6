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

/** The `Date` and `Expires` values of the current second: formatting dates is per second, not per reply. */
let dates = { second: NaN, date: "", expires: "" };

/** The documented reply headers; `Expires` is one day before `Date`, as in the doc example. */
export function replyHeaders(contentType: string, length: number, now = Date.now()): Headers {
  const second = Math.floor(now / 1000);
  if (second !== dates.second) {
    dates = {
      second,
      date: new Date(now).toUTCString(),
      expires: new Date(now - 86_400_000).toUTCString(),
    };
  }
  return new Headers([
    [
      "Cache-Control",
      "no-cache,private,no-store,must-revalidate,max-stale=0,post-check=0,pre-check=0",
    ],
    ["Pragma", "no-cache"],
    ["Content-Type", contentType],
    ["Content-Length", String(length)],
    ["Expires", dates.expires],
    ["Server", "Microsoft-HTTPAPI/2.0"],
    ["Date", dates.date],
  ]);
}

/** The bytes of the replies made by {@linkcode bytesResponse}, for {@linkcode replyBytes}. */
const replies = new WeakMap<Response, Uint8Array>();

/** A 200 JSON reply with exact bytes. */
export function jsonResponse(value: unknown): Response {
  return bytesResponse(200, "application/json", encodeBody(value));
}

/** A reply of given bytes with the documented headers. */
export function bytesResponse(status: number, contentType: string, body: Uint8Array): Response {
  const response = new Response(body.byteLength === 0 ? null : body as Uint8Array<ArrayBuffer>, {
    status,
    headers: replyHeaders(contentType, body.byteLength),
  });
  replies.set(response, body);
  return response;
}

/**
 * The whole body of a reply made by {@linkcode bytesResponse} whose body nobody has read, so that
 * the server writes it in one piece without reading it back through the body's stream; undefined
 * for any other reply (the body faults build theirs, and those go through the stream).
 */
export function replyBytes(response: Response): Uint8Array | undefined {
  return response.bodyUsed ? undefined : replies.get(response);
}

/** Request bodies that the server has read already, for {@linkcode requestBytes}. */
const requests = new WeakMap<Request, Uint8Array>();

/**
 * A request whose body the server has already read into `body`: the Request carries no body
 * stream (making one and reading it back cost more than the app's own work on a small call) and
 * {@linkcode requestBytes} gives the bytes.
 */
export function requestWithBody(url: string, init: RequestInit, body: Uint8Array): Request {
  const request = new Request(url, init);
  requests.set(request, body);
  return request;
}

/** The body of a request: the bytes the server read, else the request's own body, read whole. */
export async function requestBytes(request: Request): Promise<Uint8Array> {
  return requests.get(request) ?? new Uint8Array(await request.arrayBuffer());
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  411: "Length Required",
  413: "Request Entity Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** The reason phrase of an HTTP status the mock answers with. */
export function reasonOf(status: number): string {
  return REASONS[status] ?? "Error";
}

/** An HTML error page in the style of http.sys (used for 4xx/5xx replies outside the API layer). */
export function htmlResponse(status: number, extraHeaders: Record<string, string> = {}): Response {
  const reason = reasonOf(status);
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
