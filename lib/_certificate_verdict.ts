/**
 * The one verdict on a server certificate seen in a TLS handshake made without trusting it: whether
 * it is self-signed, expired, for the host asked for, a CA certificate, and why standard
 * verification refuses it, in words. The `node:https` transport acts on it and `getCertificateInfo`
 * reports it, so `mspe-run tls-info` says what the client will do.
 *
 * Internal module; it imports `node:tls`, so it is loaded only with the `node:https` path or when a
 * certificate is looked at.
 *
 * @module
 */

import tls from "node:tls";
import { certificateProblem } from "./_transport_errors.ts";

/** What the handshake gave: node's verification result and the peer's certificate. */
export interface HandshakeOutcome {
  /** `socket.authorized`: the chain verified against the trusted CAs. */
  readonly authorized: boolean;
  /** `socket.authorizationError` when not authorized. */
  readonly authorizationError: unknown;
  /** `socket.getPeerCertificate()`. */
  readonly cert: tls.PeerCertificate;
  /** The host name (or address) the certificate must be valid for. */
  readonly host: string;
  /** The moment to judge the validity dates at; now when left out. */
  readonly now?: number;
}

/** The verdict on one certificate. */
export interface CertificateVerdict {
  /**
   * Why standard verification refuses the certificate (chain, dates, host name), as the end of
   * "the certificate … was refused: it …", or `undefined` when it passes.
   */
  readonly problem: string | undefined;
  /** Subject and issuer are the same name: nobody but the server itself vouches for it. */
  readonly selfSigned: boolean;
  /** The validity period has ended, or not begun. */
  readonly expired: boolean;
  /** The certificate lists the host name (or address). */
  readonly hostNameMatches: boolean;
  /** Basic constraints CA:TRUE, or `null` when the certificate does not say. */
  readonly isCA: boolean | null;
}

/** A distinguished name as "CN=…, O=…", the form `CertificateInfo` shows and compares. */
export function distinguishedName(name: tls.Certificate | undefined): string {
  if (!name) return "";
  const parts: string[] = [];
  for (const [key, value] of Object.entries(name)) {
    for (const item of Array.isArray(value) ? value : [value]) parts.push(`${key}=${String(item)}`);
  }
  return parts.join(", ");
}

/**
 * Whether a certificate is self-signed: subject and issuer name the same (non-empty) entity. The
 * one definition for the transport's message and `CertificateInfo.selfSigned`.
 */
export function isSelfSigned(cert: tls.PeerCertificate): boolean {
  const subject = distinguishedName(cert.subject);
  return subject !== "" && subject === distinguishedName(cert.issuer);
}

/** The phrase for a certificate issued for another name, with node's explanation when it has one. */
function wrongHost(identity: Error | undefined): string {
  return "was issued for another host name; connect with a name it lists, or renew it with this " +
    `one${identity ? ` (${identity.message})` : ""}`;
}

/**
 * Judges the certificate of a handshake. Node's verification code alone says too little (Deno's
 * node:tls reports an expired leaf as UNABLE_TO_VERIFY_LEAF_SIGNATURE), so the certificate's own
 * fields explain the refusal where they can. The host name is checked whatever `authorized` says:
 * some implementations fold that check into it and some do not.
 */
export function certificateVerdict(outcome: HandshakeOutcome): CertificateVerdict {
  const { cert, host } = outcome;
  const now = outcome.now ?? Date.now();
  const to = cert.valid_to ? Date.parse(cert.valid_to) : NaN;
  const from = cert.valid_from ? Date.parse(cert.valid_from) : NaN;
  const ended = !Number.isNaN(to) && to < now;
  const notYet = !Number.isNaN(from) && from > now;
  const identity = tls.checkServerIdentity(host, cert);
  const selfSigned = isSelfSigned(cert);
  const isCA = typeof cert.ca === "boolean" ? cert.ca : null;
  const facts = {
    selfSigned,
    expired: ended || notYet,
    hostNameMatches: identity === undefined,
    isCA,
  };
  if (outcome.authorized) {
    return { ...facts, problem: identity === undefined ? undefined : wrongHost(identity) };
  }
  const code = String(outcome.authorizationError ?? "unknown error");
  let problem: string;
  if (/ALTNAME/.test(code)) problem = wrongHost(identity);
  else if (ended) {
    problem = `has expired (valid until ${new Date(to).toISOString()}); renew it on the server`;
  } else if (notYet) {
    problem = `is not valid yet (valid from ${
      new Date(from).toISOString()
    }); check the clocks of server and client`;
  } else if (selfSigned) {
    const advice = cert.ca ? "pin it" : "pin it, or give it with caCerts";
    problem = `is self-signed${cert.ca ? " (CA:TRUE)" : ""}, so nothing vouches for it; ${advice}`;
  } else problem = certificateProblem(code) ?? `could not be verified (${code})`;
  return { ...facts, problem };
}
