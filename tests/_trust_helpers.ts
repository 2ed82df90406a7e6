/**
 * Helpers of the trust tests (issue 7): Windows text encodings, and raw hostile TLS servers.
 *
 * @module
 */

import {
  TEST_CA_PEM,
  TEST_SERVER_CERT_PEM,
  TEST_SERVER_KEY_PEM,
} from "../lib/mock/_test_certificate.ts";
import { type RawServer, succeeded } from "./_helpers.ts";

/** What Windows PowerShell 5.1's `>` / `Out-File -Encoding Unicode` writes: FF FE, then UTF-16 LE. */
export function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 + 2 * i] = unit & 0xff;
    bytes[3 + 2 * i] = unit >> 8;
  }
  return bytes;
}

/** `Out-File -Encoding BigEndianUnicode`: FE FF, then UTF-16 BE. */
export function utf16be(text: string): Uint8Array {
  const le = utf16le(text);
  const be = new Uint8Array(le.length);
  for (let i = 0; i < le.length; i += 2) {
    be[i] = le[i + 1]!;
    be[i + 1] = le[i]!;
  }
  return be;
}

/** `Out-File -Encoding UTF8` in PowerShell 5.1: EF BB BF, then UTF-8. */
export function utf8bom(text: string): Uint8Array {
  return new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
}

// ---- a raw, hostile HTTPS server ----

/** One request as the hostile server read it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Headers;
  readonly body: string;
  /** Which connection it came on (0, 1, ...), and its position on that connection. */
  readonly connection: number;
  readonly onConnection: number;
}

/** What the hostile server does with a request. */
export type HostileAction =
  | {
    readonly status: number;
    readonly body?: string | Uint8Array;
    readonly headers?: Readonly<Record<string, string>>;
    /** Send the body chunked instead of with a Content-Length. */
    readonly chunked?: boolean;
    /** Close the connection after this reply (else it is kept alive). */
    readonly close?: boolean;
  }
  | "close";

/** A raw HTTPS server over `Deno.listenTls` (the test certificate) whose replies a test writes. */
export interface HostileServer extends AsyncDisposable {
  readonly hostname: string;
  readonly port: number;
  /** Every request read, in order. */
  readonly requests: SeenRequest[];
  /** How many connections were accepted. */
  readonly connections: number;
  /** Client options that reach it (its CA, no metadata request). */
  readonly options: RawServer["options"];
}

const encoder = new TextEncoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function headEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.length; i++) {
    if (
      bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13
    ) return i + 1;
  }
  return -1;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let rest = bytes;
  while (rest.length > 0) rest = rest.subarray(await conn.write(rest));
}

/** Serialises a reply. */
export function replyBytes(action: Exclude<HostileAction, "close">): Uint8Array {
  const body = typeof action.body === "string"
    ? encoder.encode(action.body)
    : action.body ?? new Uint8Array();
  const lines = [`HTTP/1.1 ${action.status} X`];
  for (const [name, value] of Object.entries(action.headers ?? {})) lines.push(`${name}: ${value}`);
  if (!Object.keys(action.headers ?? {}).some((name) => /^content-type$/i.test(name))) {
    lines.push("content-type: application/json; charset=utf-8");
  }
  const given = Object.keys(action.headers ?? {}).some((name) => /^content-length$/i.test(name));
  if (action.chunked) lines.push("transfer-encoding: chunked");
  // A length the test gives (a lie, for an oversized reply) replaces the real one.
  else if (!given) lines.push(`content-length: ${body.length}`);
  lines.push(action.close ? "connection: close" : "connection: keep-alive", "", "");
  let payload = body;
  if (action.chunked) {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < body.length; i += 65536) {
      const chunk = body.subarray(i, i + 65536);
      parts.push(encoder.encode(`${chunk.length.toString(16)}\r\n`), chunk, encoder.encode("\r\n"));
    }
    parts.push(encoder.encode("0\r\n\r\n"));
    payload = parts.reduce(concat, new Uint8Array());
  }
  return concat(encoder.encode(lines.join("\r\n")), payload);
}

/**
 * Starts a hostile server: it reads each request (head and Content-Length body) on kept-alive
 * connections and does what `handler` says, which may be to close the connection without a reply.
 */
export function serveHostile(
  handler: (request: SeenRequest) => HostileAction | Promise<HostileAction>,
  credentials: { username?: string; password?: string; cert?: string; key?: string } = {},
): HostileServer {
  const listener = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: credentials.cert ?? TEST_SERVER_CERT_PEM,
    key: credentials.key ?? TEST_SERVER_KEY_PEM,
  });
  const requests: SeenRequest[] = [];
  const open = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let connections = 0;
  const serveConnection = async (conn: Deno.Conn, index: number): Promise<void> => {
    let buffer: Uint8Array = new Uint8Array();
    const chunk = new Uint8Array(65536);
    const more = async (): Promise<boolean> => {
      const n = await conn.read(chunk);
      if (n === null) return false;
      buffer = concat(buffer, chunk.subarray(0, n));
      return true;
    };
    try {
      for (let onConnection = 0;; onConnection++) {
        let end = headEnd(buffer);
        while (end < 0) {
          if (!(await more())) return;
          end = headEnd(buffer);
        }
        const head = new TextDecoder().decode(buffer.subarray(0, end)).split("\r\n");
        buffer = buffer.subarray(end);
        const [method = "", path = ""] = (head[0] ?? "").split(" ");
        const headers = new Headers();
        for (const line of head.slice(1)) {
          const colon = line.indexOf(":");
          if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        }
        const length = Number(headers.get("content-length") ?? "0");
        while (buffer.length < length) if (!(await more())) return;
        const body = new TextDecoder().decode(buffer.subarray(0, length));
        buffer = buffer.subarray(length);
        const request = { method, path, headers, body, connection: index, onConnection };
        requests.push(request);
        const action = await handler(request);
        if (action === "close") return;
        await writeAll(conn, replyBytes(action));
        if (action.close) return;
      }
    } catch {
      // The client went away.
    } finally {
      open.delete(conn);
      try {
        conn.close();
      } catch { /* closed */ }
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        open.add(conn);
        tasks.push(serveConnection(conn, connections++));
      }
    } catch { /* closed */ }
  })();
  const { hostname, port } = listener.addr;
  return {
    hostname,
    port,
    requests,
    get connections() {
      return connections;
    },
    options: {
      username: credentials.username ?? "admin",
      password: credentials.password ?? "admin",
      host: hostname,
      port,
      tls: { caCerts: [TEST_CA_PEM] },
      metadata: "bundled",
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await Promise.all(tasks);
    },
  };
}

/** A status envelope (BOM-less JSON), with `fields` over a synchronous success. */
export function envelope(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...succeeded(null), ...fields });
}

/** The envelope of a call still running: its token, `statusVersion` and as much percent done. */
export function running(version = 1, token = "t1"): string {
  return envelope({
    token,
    statusVersion: version,
    statusCode: "running",
    percentProgress: version,
  });
}
