/**
 * Telling "this port speaks plain HTTP" from other failed TLS handshakes. A TLS client that gets
 * an HTTP reply to its hello sees garbage ("InvalidContentType", "wrong version number") or, when
 * the server just closes, an early end; neither says what is wrong. When a handshake failed that
 * way, one more connection to the same port sends the first bytes of a TLS record and reads what
 * comes back: a reply that starts with `HTTP/1.` is a plain-HTTP server, and the error says so.
 * Only after a failure, so a working connection costs nothing.
 *
 * Internal module.
 *
 * @module
 */

import { ConnectionError, TlsError } from "./errors.ts";
import { serverName } from "./_server_name.ts";
import { errorTexts } from "./_transport_errors.ts";

/** How the TLS libraries of both transports word a handshake answered by something other than TLS. */
const NOT_TLS =
  /InvalidContentType|wrong version number|WRONG_VERSION_NUMBER|tls handshake eof|disconnected before secure TLS connection/i;

/** How long the probe waits for the port to answer, in milliseconds. */
const PROBE_MS = 2000;

/**
 * The start of a TLS record (handshake, TLS 1.0 header, a short body), then an empty line: an HTTP
 * server reads it as a broken request line and answers `HTTP/1.1 400` at once; a TLS server
 * answers with an alert or closes, never with `HTTP/1.`.
 */
const PROBE = new Uint8Array([
  0x16,
  0x03,
  0x01,
  0x00,
  0x05,
  0x01,
  0x00,
  0x00,
  0x01,
  0x03,
  13,
  10,
  13,
  10,
]);

/** Whether a transport error is a TLS handshake that got something that is not TLS. */
function maybePlainHttp(error: unknown): boolean {
  return (error instanceof TlsError || error instanceof ConnectionError) &&
    !(error instanceof ConnectionError && error.mayHaveRun) && NOT_TLS.test(errorTexts(error));
}

/** Whether the server at `url`'s host and port answers with `HTTP/1.` bytes to a TLS record. */
async function speaksPlainHttp(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  let conn: Deno.TcpConn | undefined;
  const timer = setTimeout(() => conn?.close(), PROBE_MS);
  try {
    conn = await Deno.connect({
      hostname: hostname.replace(/^\[(.*)\]$/, "$1"),
      port: Number(port || 443),
    });
    await conn.write(PROBE);
    const reply = new Uint8Array(8);
    let read = 0;
    while (read < reply.length) {
      const n = await conn.read(reply.subarray(read));
      if (n === null) break;
      read += n;
    }
    return new TextDecoder().decode(reply.subarray(0, read)).startsWith("HTTP/1.");
  } catch {
    // The probe only adds words to an error there already is; its own failure changes nothing.
    return false;
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch {
      // Closed by the timer.
    }
  }
}

/**
 * The error to report for a failed request: when `failure` is a TLS handshake that got no TLS and
 * the port answers plain HTTP, a {@linkcode TlsError} that says so; else `failure` as it is.
 */
export async function withPlainHttp(failure: unknown, url: string): Promise<unknown> {
  if (!maybePlainHttp(failure) || !(await speaksPlainHttp(url))) return failure;
  const where = serverName(url);
  return new TlsError(
    `${where} speaks plain HTTP, not HTTPS, so the TLS handshake failed. MailStore's API port ` +
      `speaks HTTPS (8474 for SPE, 8463 for MailStore Server): check the port (--port, the ` +
      `port option), and that it is the API's and not a plain-HTTP service's.`,
    { cause: failure },
  );
}
