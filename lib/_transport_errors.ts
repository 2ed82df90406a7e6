/**
 * Errors of the transport mapped to mspe's: a refused certificate or a failed handshake to
 * {@linkcode TlsError}, anything else about the connection to {@linkcode ConnectionError}. Used by
 * both transport paths and by `tls_info.ts`.
 *
 * @module
 */

import { serverName } from "./_server_name.ts";
import { ConnectionError, MspeError, TlsError } from "./errors.ts";

/** The texts of an error and its causes, for matching. */
export function errorTexts(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.name, current.message);
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string") parts.push(code);
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(" | ");
}

/** What to do about a refused certificate (shared by both paths). */
export const TLS_ADVICE: string =
  "If it is the right server, give its CA with caCerts (--ca-cert), or pin its certificate with " +
  "pinnedSha256 (--pin-sha256; `mspe-run tls-info` shows the fingerprint), or as a last resort set " +
  "ignoreInvalidCerts (--insecure).";

/** The reason a certificate was refused, in words, or undefined when the error is not about one. */
export function certificateProblem(text: string): string | undefined {
  if (/CaUsedAsEndEntity/i.test(text)) {
    return "is a CA certificate (CA:TRUE) used as the server's own certificate, which standard " +
      "verification refuses even when it is trusted as a CA; pin it instead";
  }
  if (/CERT_NOT_YET_VALID|NotValidYet|not valid yet|not yet valid/i.test(text)) {
    return "is not valid yet; check the clocks of server and client";
  }
  if (/CERT_HAS_EXPIRED|certificate (has )?expired|\bExpired\b/i.test(text)) {
    return "has expired; renew it on the server";
  }
  if (
    /ERR_TLS_CERT_ALTNAME_INVALID|NotValidForName|Hostname\/IP does not match|not valid for name/i
      .test(text)
  ) {
    return "was issued for another host name; connect with a name it lists, or renew it with this one";
  }
  if (/DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|self[- ]signed/i.test(text)) {
    return "is self-signed, so nothing vouches for it; pin it, or give it with caCerts";
  }
  if (
    /UnknownIssuer|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|unknown issuer/i.test(
      text,
    )
  ) {
    return "is signed by a CA that is not trusted";
  }
  if (
    /invalid peer certificate|InvalidCertificate|BadSignature|CERT_[A-Z_]+|certificate verify failed|UnsupportedCertVersion/
      .test(text)
  ) {
    return "could not be verified";
  }
  return undefined;
}

/** The low-level reason from the innermost cause, without the URL prefix Deno puts first. */
function detail(error: unknown): string {
  let current: unknown = error;
  let last = "";
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    last = current.message;
    current = current.cause;
  }
  const line = last.split("\n")[0] ?? "";
  const peer = /invalid peer certificate: (.*)$/.exec(line);
  const reason = peer?.[1] ?? line.replace(/^error sending request for url \([^)]*\): /, "")
    .replace(/^client error \(Connect\): /, "");
  // A URL with user info must not leak it.
  return reason.replace(/\/\/[^/@\s]*@/g, "//").slice(0, 300);
}

/**
 * Maps an error from fetch (or the node adapter, or reading a body) to {@linkcode TlsError} or
 * {@linkcode ConnectionError}. Aborts (the signal's reason, `AbortError`, `TimeoutError`) and
 * mspe's own errors pass through unchanged; anything unrecognised is returned as it is.
 * The message never contains request headers.
 */
export function toTransportError(error: unknown, url: string, signal?: AbortSignal): unknown {
  if (signal?.aborted && (error === signal.reason || isAbortLike(error))) return signal.reason;
  if (error instanceof MspeError) return error;
  if (isAbortLike(error)) return error;
  const text = errorTexts(error);
  const where = serverName(url);
  const problem = certificateProblem(text);
  if (problem !== undefined) {
    const why = /another host name|could not be verified/.test(problem)
      ? ` (${detail(error)})`
      : "";
    return new TlsError(
      `The certificate of ${where} was refused: it ${problem}${why}. ${TLS_ADVICE}`,
      { cause: error },
    );
  }
  if (
    /EMFILE|ENFILE|Too many open files|os error 24\b|os error 23\b|os error 10024\b/i.test(text)
  ) {
    return new ConnectionError(
      `Could not open a connection to ${where}: the operating system refused another socket because ` +
        `this process (or the system) has too many open files. This is a local limit, not the ` +
        `server: raise it (ulimit -n, or the service's LimitNOFILE) or run fewer calls at once.`,
      { cause: error },
    );
  }
  if (/ECONNREFUSED|Connection refused|ConnectionRefused|os error 111|os error 10061/i.test(text)) {
    return new ConnectionError(
      `Could not connect to ${where}: the connection was refused. Check the host name and port, and ` +
        `that the Management API is running and reachable from here.`,
      { cause: error },
    );
  }
  if (
    /ENOTFOUND|EAI_AGAIN|EAI_NONAME|dns error|failed to lookup|Name or service not known|No address associated|nodename nor servname|getaddrinfo/i
      .test(text)
  ) {
    return new ConnectionError(
      `Could not find the host ${where}: the name did not resolve. Check the host name and DNS.`,
      { cause: error },
    );
  }
  if (/Requests to port \d+ are blocked/i.test(text)) {
    return new ConnectionError(
      `Could not connect to ${where}: Deno refuses this port (browsers block it too). Check the port.`,
      { cause: error },
    );
  }
  if (/ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|timed out|unreachable/i.test(text)) {
    return new ConnectionError(
      `Could not reach ${where}: the connection timed out or the network is unreachable. ` +
        `Check the host name, port and firewalls.`,
      { cause: error },
    );
  }
  if (
    /handshake|corrupt message|InvalidContentType|wrong version number|protocol version|no protocols available|unsupported protocol|PeerIncompatible|alert/i
      .test(text)
  ) {
    return new TlsError(
      `The TLS handshake with ${where} failed (${detail(error)}). Check that the port speaks ` +
        `HTTPS (not plain HTTP) and that the server supports the TLS version asked for (1.2 or 1.3).`,
      { cause: error },
    );
  }
  if (
    /ECONNRESET|EPIPE|socket hang up|Connection reset|ConnectionReset|connection closed|connection error|broken pipe|unexpected end|UnexpectedEof|IncompleteMessage|error reading a body|error sending request|client error|os error/i
      .test(text)
  ) {
    return new ConnectionError(
      `The connection to ${where} broke before the reply was complete. Check the network and the ` +
        `server's state, then try again.`,
      { cause: error },
    );
  }
  return error;
}

function isAbortLike(error: unknown): boolean {
  return error instanceof DOMException &&
    (error.name === "AbortError" || error.name === "TimeoutError");
}
