/**
 * One HTTP/1.1 exchange on a connection of its own, for calls that change state: the request is
 * written once, the reply read, and the connection closed. Nothing here ever sends a request again,
 * and no connection is reused, so a server (or proxy) that closes a kept-alive connection after
 * reading the request cannot make the client replay it, as `fetch`'s pool and `node:http` do (they
 * resend a request whose reused connection closed before a reply).
 *
 * The caller opens the TLS connection (with the same certificate checks as the pooled path) and
 * hands it over as a {@linkcode ByteStream}. The `node:https` path does; the default path sends its
 * one request through a `fetch` client of its own instead (see `_transport.ts`: Deno releases the
 * socket of a `Deno.startTls` connection only well after close()), and uses the size limit from
 * here.
 *
 * Internal module, used by `_transport.ts` and `_transport_node.ts`.
 *
 * @module
 */

import { serverName } from "./_server_name.ts";
import { ConnectionError, ProtocolError } from "./errors.ts";
import { brokenAfterSending } from "./_how_to_check.ts";

/** A connected, verified byte stream. */
export interface ByteStream {
  /** Writes all the bytes. */
  write(bytes: Uint8Array): Promise<void>;
  /** The bytes the peer sends, chunk by chunk, until it closes. */
  readonly readable: AsyncIterable<Uint8Array>;
  /** Closes the connection (idempotent); a pending read ends or fails. */
  close(): void;
}

/** One request sent by {@linkcode exchangeOnce}. */
export interface OnceRequest {
  /** The full URL (https). */
  readonly url: string;
  /** The request headers (names in lower case). */
  readonly headers: Readonly<Record<string, string>>;
  /** The form body. */
  readonly body: string;
  /** Aborts the exchange; it then rejects with the signal's reason. */
  readonly signal: AbortSignal;
  /** The largest reply body accepted, in bytes. */
  readonly maxBytes: number;
  /**
   * The function the request calls. When the connection breaks after the request was written, the
   * {@linkcode ConnectionError} names it and says how to check whether it ran.
   */
  readonly functionName: string;
}

/** The reply of {@linkcode exchangeOnce}. */
export interface OnceReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

/** The largest reply head accepted (status line and headers). */
const MAX_HEAD_BYTES = 64 * 1024;

/** Too big a reply: a ProtocolError with a fixed message (the body is not shown). */
export function tooLarge(url: string, limit: number, status: number): ProtocolError {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch { /* keep the URL */ }
  return new ProtocolError(
    `The reply to ${path} is larger than maxResponseBytes (${limit} bytes), so it was not read. ` +
      `Raise maxResponseBytes if the server really sends that much, or narrow the call ` +
      `(a filter, fewer items).`,
    status,
    "",
  );
}

/** The parts one after another in one array; a single non-empty part is returned as it is. */
export function joinBytes(parts: readonly Uint8Array[]): Uint8Array {
  const filled = parts.filter((part) => part.byteLength > 0);
  if (filled.length === 1) return filled[0]!;
  let total = 0;
  for (const part of filled) total += part.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of filled) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function indexOfHeadEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (
      bytes[i] === 0x0a && bytes[i - 1] === 0x0d && bytes[i - 2] === 0x0a && bytes[i - 3] === 0x0d
    ) {
      return i + 1;
    }
  }
  return -1;
}

/** Reads from an iterator with a buffer of what was read ahead. */
class Reader {
  #buffer: Uint8Array = new Uint8Array();
  #done = false;
  readonly #iterator: AsyncIterator<Uint8Array>;

  constructor(readable: AsyncIterable<Uint8Array>) {
    this.#iterator = readable[Symbol.asyncIterator]();
  }

  /** Reads one more chunk into the buffer; false at the end of the stream. */
  async more(): Promise<boolean> {
    if (this.#done) return false;
    const next = await this.#iterator.next();
    if (next.done) {
      this.#done = true;
      return false;
    }
    this.#buffer = joinBytes([this.#buffer, next.value]);
    return true;
  }

  get buffered(): Uint8Array {
    return this.#buffer;
  }

  take(n: number): Uint8Array {
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** The buffer up to and including the next CRLF, or null before the end of the stream. */
  async line(limit: number): Promise<string | null> {
    for (;;) {
      const at = this.#buffer.indexOf(0x0a);
      if (at >= 0) return new TextDecoder().decode(this.take(at + 1)).replace(/\r?\n$/, "");
      if (this.#buffer.length > limit) return null;
      if (!(await this.more())) return null;
    }
  }
}

/** The reply broke off: the connection closed or the framing is wrong. */
class Truncated extends Error {
  constructor(what: string) {
    super(what);
    this.name = "Truncated";
  }
}

interface Head {
  status: number;
  headers: Headers;
}

async function readHead(reader: Reader): Promise<Head> {
  for (;;) {
    let end = indexOfHeadEnd(reader.buffered);
    while (end < 0) {
      if (reader.buffered.length > MAX_HEAD_BYTES) throw new Truncated("reply head too large");
      if (!(await reader.more())) {
        throw new Truncated(
          reader.buffered.length === 0 ? "no reply before the connection closed" : "reply cut off",
        );
      }
      end = indexOfHeadEnd(reader.buffered);
    }
    const lines = new TextDecoder().decode(reader.take(end)).split("\r\n");
    const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? "");
    if (!match) throw new Truncated("not an HTTP/1.1 reply");
    const status = Number(match[1]);
    const headers = new Headers();
    for (const line of lines.slice(1)) {
      if (line === "") continue;
      const colon = line.indexOf(":");
      if (colon <= 0) throw new Truncated("a malformed header line");
      try {
        headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      } catch {
        throw new Truncated("a malformed header line");
      }
    }
    // 1xx replies (100 Continue) precede the real one.
    if (status >= 100 && status < 200) continue;
    return { status, headers };
  }
}

async function readBody(
  reader: Reader,
  head: Head,
  maxBytes: number,
  url: string,
): Promise<Uint8Array> {
  if (head.status === 204 || head.status === 304) return new Uint8Array();
  const encoding = head.headers.get("transfer-encoding");
  if (encoding !== null && /chunked/i.test(encoding)) {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const sizeLine = await reader.line(4096);
      if (sizeLine === null) throw new Truncated("chunked reply cut off");
      const size = parseInt(sizeLine.split(";", 1)[0] ?? "", 16);
      if (!Number.isFinite(size) || size < 0) throw new Truncated("a malformed chunk size");
      if (size === 0) {
        // Trailers, up to the empty line.
        for (;;) {
          const trailer = await reader.line(MAX_HEAD_BYTES);
          if (trailer === null || trailer === "") break;
        }
        break;
      }
      total += size;
      if (total > maxBytes) throw tooLarge(url, maxBytes, head.status);
      while (reader.buffered.length < size + 2) {
        if (!(await reader.more())) throw new Truncated("chunked reply cut off");
      }
      parts.push(reader.take(size).slice());
      reader.take(2);
    }
    return joinBytes(parts);
  }
  const lengthText = head.headers.get("content-length");
  if (lengthText !== null) {
    const length = Number(lengthText.split(",", 1)[0]);
    if (!Number.isInteger(length) || length < 0) throw new Truncated("a malformed Content-Length");
    if (length > maxBytes) throw tooLarge(url, maxBytes, head.status);
    while (reader.buffered.length < length) {
      if (!(await reader.more())) throw new Truncated("reply cut off");
    }
    return reader.take(length).slice();
  }
  // No length: the body runs to the end of the connection.
  while (await reader.more()) {
    if (reader.buffered.length > maxBytes) throw tooLarge(url, maxBytes, head.status);
  }
  return reader.take(reader.buffered.length).slice();
}

function requestBytes(request: OnceRequest): Uint8Array {
  const url = new URL(request.url);
  const body = new TextEncoder().encode(request.body);
  const lines = [`POST ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === "host" || lower === "content-length" || lower === "connection") continue;
    lines.push(`${lower}: ${value}`);
  }
  lines.push(`content-length: ${body.byteLength}`, "connection: close", "", "");
  return joinBytes([new TextEncoder().encode(lines.join("\r\n")), body]);
}

/**
 * Sends one request on `stream` (connected and verified by the caller), reads the reply and closes
 * the stream. Never sends anything twice. A failure after the first byte was handed to the network
 * is the "may or may not have run" {@linkcode ConnectionError}; an abort rejects with the signal's
 * reason.
 */
export async function exchangeOnce(stream: ByteStream, request: OnceRequest): Promise<OnceReply> {
  const { signal, url } = request;
  const where = serverName(url);
  const onAbort = (): void => stream.close();
  signal.addEventListener("abort", onAbort, { once: true });
  let written = false;
  try {
    signal.throwIfAborted();
    const bytes = requestBytes(request);
    written = true;
    await stream.write(bytes);
    const reader = new Reader(stream.readable);
    const head = await readHead(reader);
    const body = await readBody(reader, head, request.maxBytes, url);
    return { status: head.status, headers: head.headers, body };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof ProtocolError) throw error;
    // Mapped once, here: after the first byte was handed over the server may have run the call.
    if (written) throw brokenAfterSending(url, request.functionName, error);
    throw error instanceof ConnectionError ? error : new ConnectionError(
      `The connection to ${where} broke before the reply was complete (${
        error instanceof Error ? error.message.split("\n", 1)[0] : String(error)
      }).`,
      { cause: error },
    );
  } finally {
    signal.removeEventListener("abort", onAbort);
    stream.close();
  }
}
