// A hostile client over a raw TLS socket (issue 18 item 9): every request the server cannot parse
// gets an HTTP reply (400, or 431 for an oversized head) and the connection closes, instead of the
// connection dropping without a word; a client that offers only ALPN http/1.0 is served.
import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { prng } from "../lib/mock/_random.ts";
import { TEST_CA_PEM } from "../lib/mock/_test_certificate.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends `bytes` on a new TLS connection and reads until the server closes it; rejects when the
 * server neither answers nor closes within 5 s.
 */
async function exchange(
  port: number,
  bytes: Uint8Array,
  alpnProtocols?: string[],
): Promise<{ text: string; alpn: string | null }> {
  const conn = await Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [TEST_CA_PEM],
    ...(alpnProtocols === undefined ? {} : { alpnProtocols }),
  });
  const timer = setTimeout(() => conn.close(), 5_000);
  let text = "";
  let timedOut = false;
  try {
    const { alpnProtocol } = await conn.handshake();
    for (let offset = 0; offset < bytes.byteLength;) {
      offset += await conn.write(bytes.subarray(offset));
    }
    const buffer = new Uint8Array(16384);
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += decoder.decode(buffer.subarray(0, n), { stream: true });
      }
    } catch (error) {
      // Closed by the timer (BadResource), or reset by the server after its reply.
      timedOut = error instanceof Deno.errors.BadResource;
    }
    assert.ok(!timedOut, `no reply and no close within 5 s: ${JSON.stringify(text)}`);
    return { text, alpn: alpnProtocol };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // Closed by the timer.
    }
  }
}

/** Request heads node's parser refuses: a bad request line, bad headers, bad framing. */
const MALFORMED = [
  "GARBAGE\r\n\r\n",
  "GET / HTTP/9.9\r\n\r\n",
  "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
  "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
  "GET / HTTP/1.1\r\n: empty name\r\n\r\n",
  "POST /api/invoke/Ping HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
  "POST /api/invoke/Ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
  "POST /api/invoke/Ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "G\tET / HTTP/1.1\r\n\r\n",
  "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
];

Deno.test("mock wire: a request the server cannot parse gets 400 and the connection closes", async () => {
  await using server = await serveMock();
  const random = prng(18);
  const garbage = Array.from({ length: 60 }, () => {
    // Random bytes that no request line starts with (a letter would start a method).
    const bytes = Array.from(
      { length: 1 + Math.floor(random() * 200) },
      () => Math.floor(random() * 256),
    );
    bytes[0] = 0x80 | bytes[0]!;
    return new Uint8Array([...bytes, 13, 10, 13, 10]);
  });
  const heads = [...MALFORMED.map((head) => encoder.encode(head)), ...garbage];
  for (const head of heads) {
    const { text } = await exchange(server.port, head);
    const shown = JSON.stringify(decoder.decode(head).slice(0, 60));
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/, shown);
    assert.match(text, /\r\nConnection: close\r\n/i, shown);
    assert.match(text, /HTTP Error 400\. Bad Request\./, shown);
  }
  // A head over node's limit gets 431.
  const long = `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${"a".repeat(100_000)}\r\n\r\n`;
  assert.match(
    (await exchange(server.port, encoder.encode(long))).text,
    /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/,
  );
  // The server still serves afterwards.
  const ok = await exchange(
    server.port,
    encoder.encode(
      `POST /api/invoke/Ping HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${
        btoa("admin:admin")
      }\r\n` +
        "Content-Length: 0\r\nConnection: close\r\n\r\n",
    ),
  );
  assert.match(ok.text, /^HTTP\/1\.1 200 /);
});

Deno.test("mock wire: a client that offers only ALPN http/1.0 is served", async () => {
  await using server = await serveMock();
  const { text, alpn } = await exchange(
    server.port,
    encoder.encode(
      `POST /api/invoke/GetEnvironmentInfo HTTP/1.0\r\nAuthorization: Basic ${
        btoa("admin:admin")
      }\r\nContent-Length: 0\r\n\r\n`,
    ),
    ["http/1.0"],
  );
  assert.equal(alpn, "http/1.0");
  assert.match(text, /^HTTP\/1\.[01] 200 /);
  assert.equal(JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 5)).statusCode, "succeeded");
  // Clients that offer both still get http/1.1.
  const both = await exchange(server.port, encoder.encode("GARBAGE\r\n\r\n"), [
    "http/1.1",
    "http/1.0",
  ]);
  assert.equal(both.alpn, "http/1.1");
});
