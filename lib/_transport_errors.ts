/**
 * The words of the transport's errors, shared by both paths and the certificate verdict: the texts
 * of an error and its causes, a refused certificate's reason, what to do about it. The errors
 * themselves are made by `toTransportError` in `_transport.ts`.
 *
 * @module
 */

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
export function detail(error: unknown): string {
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
