/**
 * Looks at a server's TLS certificate without trusting it: who it is for, who issued it, when it is
 * valid, its SHA-256 fingerprint (what `pinnedSha256` / `--pin-sha256` takes), and whether the client
 * would accept it as it is. Behind `mspe-run tls-info`.
 *
 * @example
 * ```ts
 * import { getCertificateInfo } from "@mspe/mspe";
 * const info = await getCertificateInfo("spe.example.com", 8474);
 * console.log(info.sha256, info.authorized ? "trusted" : info.authorizationError);
 * ```
 *
 * @module
 */

import { joinHostPort } from "./_server_name.ts";
import type * as NodeTls from "node:tls";
import { ArgumentError, TlsError } from "./errors.ts";
import { resolveTls } from "./_tls_options.ts";
import { toTransportError } from "./_transport.ts";

/**
 * What {@linkcode getCertificateInfo} found out about a server's certificate.
 *
 * @example
 * ```ts
 * import { getCertificateInfo, type CertificateInfo } from "@mspe/mspe";
 * const info: CertificateInfo = await getCertificateInfo("localhost", 8474);
 * if (info.selfSigned) console.log(`Pin it: --pin-sha256 ${info.sha256}`);
 * ```
 */
export interface CertificateInfo {
  /** The host name or address connected to. */
  host: string;
  /** The port connected to. */
  port: number;
  /** The subject's distinguished name, e.g. "CN=spe.example.com, O=Example". */
  subject: string;
  /** The issuer's distinguished name; the same as `subject` for a self-signed certificate. */
  issuer: string;
  /** Start of validity (ISO 8601). */
  validFrom: string;
  /** End of validity (ISO 8601). */
  validTo: string;
  /** SHA-256 fingerprint, "AB:CD:..." upper-case hex: the value for `pinnedSha256` / `--pin-sha256`. */
  sha256: string;
  /** The subject alternative names, e.g. ["DNS:localhost", "IP:127.0.0.1"]. */
  subjectAltNames: string[];
  /** The serial number (hex). */
  serialNumber: string;
  /** Whether subject and issuer are the same: nobody but the server itself vouches for it. */
  selfSigned: boolean;
  /** Whether it is a CA certificate (basic constraints CA:TRUE), or null when unknown. */
  isCA: boolean | null;
  /** Whether the validity period has ended (or not begun) now. */
  expired: boolean;
  /** Whether the certificate lists `host` (or `servername` when given). */
  hostNameMatches: boolean;
  /** The negotiated TLS version, e.g. "TLSv1.3", or null when unknown. */
  protocol: string | null;
  /** The negotiated cipher suite, or null when unknown. */
  cipher: string | null;
  /**
   * Whether the client would accept the certificate with default settings (and the given `caCerts`):
   * a trusted chain, valid now, for this host name, and not a CA:TRUE certificate used as a server
   * certificate (which Deno's default verification refuses).
   */
  authorized: boolean;
  /** Why it would not be accepted, in words ("has expired (valid until ...)"), or null. */
  authorizationError: string | null;
}

/**
 * Options of {@linkcode getCertificateInfo}.
 *
 * @example
 * ```ts
 * import { getCertificateInfo } from "@mspe/mspe";
 * await getCertificateInfo("10.0.0.5", 8474, { servername: "spe.example.com", signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface CertificateInfoOptions {
  /** Aborts the connection; the promise then rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The name to ask for (SNI) and to check the certificate against, when it differs from `host`. */
  servername?: string | undefined;
  /** Extra trusted CA certificates (PEM) for the `authorized` verdict, as in the client's options. */
  caCerts?: readonly string[] | undefined;
}

function isoDate(text: string | undefined): string {
  const time = text ? Date.parse(text) : NaN;
  return Number.isNaN(time) ? (text ?? "") : new Date(time).toISOString();
}

/**
 * Connects to `host:port`, completes a TLS handshake without trusting the certificate, and describes
 * the certificate. Nothing is sent over the connection; it is closed at once.
 *
 * Rejects with {@linkcode ConnectionError} when the server cannot be reached, {@linkcode TlsError}
 * when no TLS handshake is possible (for example a plain HTTP port), and the signal's reason when
 * `options.signal` aborts.
 *
 * @example
 * ```ts
 * import { getCertificateInfo } from "@mspe/mspe";
 * const info = await getCertificateInfo("localhost", 8474, { signal: AbortSignal.timeout(5000) });
 * console.log(`${info.subject}, valid until ${info.validTo}`);
 * console.log(info.authorized ? "trusted" : `not trusted: it ${info.authorizationError}`);
 * console.log(`--pin-sha256 ${info.sha256}`);
 * ```
 */
export function getCertificateInfo(
  host: string,
  port: number,
  options: CertificateInfoOptions = {},
): Promise<CertificateInfo> {
  const { signal, servername, caCerts } = options;
  if (typeof host !== "string" || host === "") {
    return Promise.reject(new ArgumentError("The host must be a non-empty name or address."));
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return Promise.reject(new ArgumentError(`The port must be 1 to 65535, not ${String(port)}.`));
  }
  if (signal?.aborted) return Promise.reject(signal.reason);
  // The same checks and canonical PEM as the client's transport: a damaged CA file is an
  // ArgumentError here too, and node:tls never sees the indented layouts it cannot read.
  let trusted: readonly string[] | undefined;
  try {
    trusted = caCerts && caCerts.length > 0 ? resolveTls({ caCerts }, "parse").caCerts : undefined;
  } catch (error) {
    return Promise.reject(error);
  }
  const address = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const name = servername ?? address;
  const where = joinHostPort(address, port);
  return loadNodeTls().then(({ net, tls, certificateVerdict, distinguishedName }) => {
    if (signal?.aborted) throw signal.reason;
    return new Promise<CertificateInfo>((resolve, reject) => {
      const connectOptions: NodeTls.ConnectionOptions = {
        host: address,
        port,
        // We only look; the verdict is computed below and reported, never acted on.
        rejectUnauthorized: false,
        minVersion: "TLSv1.2",
      };
      if (net.isIP(name) === 0) connectOptions.servername = name;
      if (trusted && trusted.length > 0) connectOptions.ca = [...tls.rootCertificates, ...trusted];
      const socket = tls.connect(connectOptions);
      let settled = false;
      const finish = (error: unknown, info?: CertificateInfo): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        socket.destroy();
        if (info) resolve(info);
        else reject(error);
      };
      const onAbort = (): void => finish(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      socket.once("error", (error: Error) => {
        finish(toTransportError(error, `https://${where}/`, signal));
      });
      socket.once("secureConnect", () => {
        try {
          const cert = socket.getPeerCertificate();
          if (!cert || !cert.fingerprint256) {
            finish(
              new TlsError(`${where} did not present a certificate. Check the host and port.`),
            );
            return;
          }
          const subject = distinguishedName(cert.subject);
          const issuer = distinguishedName(cert.issuer);
          // The verdict the node:https transport acts on; on top of it, a CA:TRUE server
          // certificate is refused, as the default path (fetch, webpki) refuses it.
          const verdict = certificateVerdict({
            authorized: socket.authorized,
            authorizationError: socket.authorizationError,
            cert,
            host: name,
          });
          const { selfSigned, expired, hostNameMatches, isCA } = verdict;
          let authorized = verdict.problem === undefined;
          let authorizationError = verdict.problem ?? null;
          if (authorized && isCA === true) {
            // node:tls accepts a trusted CA:TRUE server certificate; Deno's fetch (webpki) does not.
            authorized = false;
            authorizationError =
              "is a CA certificate (CA:TRUE) used as the server's own certificate, " +
              "which the default verification refuses; pin it";
          }
          const protocol = socket.getProtocol();
          finish(undefined, {
            host: address,
            port,
            subject,
            issuer,
            validFrom: isoDate(cert.valid_from),
            validTo: isoDate(cert.valid_to),
            sha256: cert.fingerprint256.toUpperCase(),
            subjectAltNames: (cert.subjectaltname ?? "").split(",").map((s) => s.trim())
              .filter((s) => s !== "").map((s) => s.replace(/^IP Address:/, "IP:")),
            serialNumber: cert.serialNumber ?? "",
            selfSigned,
            isCA,
            expired,
            hostNameMatches,
            protocol: protocol ?? null,
            cipher: socket.getCipher()?.name ?? null,
            authorized,
            authorizationError,
          });
        } catch (error) {
          finish(error);
        }
      });
    });
  });
}

/**
 * node:net, node:tls and the certificate verdict, loaded when a certificate is looked at rather than
 * when this module loads: mod.ts re-exports it, so every program using the library loads it, and
 * the node modules (with Deno's Node layer) take a while to load. Literal `import()`s, so that
 * `deno compile` keeps them.
 */
// deno-lint-ignore explicit-function-return-type
async function loadNodeTls() {
  const [net, tls, verdict] = await Promise.all([
    import("node:net"),
    import("node:tls"),
    import("./_certificate_verdict.ts"),
  ]);
  return {
    net,
    tls,
    certificateVerdict: verdict.certificateVerdict,
    distinguishedName: verdict.distinguishedName,
  };
}
