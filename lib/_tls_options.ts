/**
 * The TLS options of a client ({@linkcode TlsOptions}) and their checks: CA certificates read into
 * canonical PEM blocks, the pin normalised, the TLS versions resolved. Shared by both transport
 * paths and by `tls_info.ts`, which is why it is a module of its own (it used to live in
 * `_transport.ts`, which the `node:https` path then had to import back).
 *
 * Internal module: the client re-exports {@linkcode TlsOptions}.
 *
 * @module
 */

import { ArgumentError } from "./errors.ts";
import { type CertificateCheck, inspectCaCertificates } from "./ca_certificates.ts";

/**
 * How the client checks the server's certificate and which TLS versions it speaks.
 *
 * @example A private CA
 * ```ts
 * import type { TlsOptions } from "@mspe/mspe";
 * const tls: TlsOptions = { caCerts: [await Deno.readTextFile("ca.pem")] };
 * ```
 *
 * @example Trusting exactly one self-signed certificate
 * ```ts
 * import type { TlsOptions } from "@mspe/mspe";
 * const tls: TlsOptions = {
 *   pinnedSha256: "19:E4:70:83:F0:E5:2D:DC:E6:E1:0A:FF:A7:AF:99:52:C6:CF:0D:A9:8F:D3:5A:BD:A0:CA:C0:48:98:CA:4E:35",
 * };
 * ```
 */
export interface TlsOptions {
  /**
   * Extra trusted CA certificates (PEM), for a private CA. The system's CAs stay trusted. An entry
   * whose certificate is cut short, lost a line or is not a certificate is an `ArgumentError`
   * before anything is sent; one damaged inside is named by the `TlsError` of a refused server
   * certificate.
   */
  caCerts?: readonly string[];
  /**
   * Trust exactly the server certificate with this SHA-256 fingerprint ("AB:CD:..." or "abcd...";
   * colons, spaces and case are ignored). Works for self-signed CA:TRUE certificates. The pin
   * identifies the certificate exactly, so the CA chain, validity dates and host name are not checked.
   */
  pinnedSha256?: string;
  /**
   * Accept any certificate (like the PowerShell `-IgnoreInvalidSSLCerts`). Applies to this client
   * only, never to the process, and says so once through `warn`. Prefer `pinnedSha256`.
   */
  ignoreInvalidCerts?: boolean;
  /** The lowest TLS version to speak: "1.2" (the default) or "1.3". */
  minTlsVersion?: "1.2" | "1.3";
  /** Speak exactly this TLS version: "1.2" or "1.3". */
  tlsVersion?: "1.2" | "1.3";
}

/** The fingerprint in canonical form: 64 upper-case hex digits, no separators. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/[\s:]/g, "").toUpperCase();
}

/** The fingerprint as "AB:CD:..." for messages. */
export function formatFingerprint(fingerprint: string): string {
  return normalizeFingerprint(fingerprint).replace(/(..)(?!$)/g, "$1:");
}

const TLS_VERSIONS = ["1.2", "1.3"] as const;

function checkVersion(name: string, value: unknown): "1.2" | "1.3" | undefined {
  if (value === undefined) return undefined;
  if (value === "1.2" || value === "1.3") return value;
  const old = value === "1.0" || value === "1.1" || value === "1" || value === 1 || value === 1.1;
  throw new ArgumentError(
    old
      ? `TLS ${
        String(value)
      } is not supported (${name}): it is obsolete and insecure. Use "1.2" or "1.3"; ` +
        `if the server speaks nothing newer, enable TLS 1.2 on it.`
      : `${name} must be one of ${TLS_VERSIONS.map((v) => `"${v}"`).join(", ")}, not ${
        JSON.stringify(value) ?? String(value)
      }.`,
  );
}

const CA_CERT_ADVICE = "Give the PEM file of the CA certificate as it was exported, and check " +
  "that it was copied whole.";

/**
 * The certificates of one `caCerts` entry as canonical PEM blocks; throws {@linkcode ArgumentError}
 * naming the entry when it holds none or a damaged one (`check`: see lib/ca_certificates.ts).
 */
export function readCaCert(pem: unknown, index: number, check: CertificateCheck): string[] {
  if (typeof pem !== "string") {
    throw new ArgumentError(
      `caCerts[${index}] is not a string. Give each CA certificate as PEM text.`,
    );
  }
  // A byte order mark in front (a PEM file saved by a Windows tool) is dropped there.
  const found = inspectCaCertificates(pem, check);
  if (found.count === 0) {
    throw new ArgumentError(
      `caCerts[${index}] holds no PEM certificate (text starting with ` +
        `-----BEGIN CERTIFICATE-----). ${CA_CERT_ADVICE}`,
    );
  }
  if (found.damaged !== undefined) {
    const which = found.count > 1 ? ` (certificate ${found.damaged} of ${found.count})` : "";
    throw new ArgumentError(
      `caCerts[${index}] has a damaged certificate${which}: the text between the BEGIN and END ` +
        `lines is not a whole Base64 certificate. ${CA_CERT_ADVICE}`,
    );
  }
  return found.certificates.filter((certificate) => certificate !== undefined);
}

/** The checked, normalised TLS options. */
export interface ResolvedTls {
  /** Extra CA certificates, one canonical PEM block each, or undefined for none. */
  caCerts: readonly string[] | undefined;
  /** The pinned fingerprint: 64 upper-case hex digits. */
  pin: string | undefined;
  /** Accept any certificate. */
  ignoreInvalidCerts: boolean;
  /** The lowest TLS version to negotiate. */
  minVersion: "TLSv1.2" | "TLSv1.3";
  /** The highest TLS version to negotiate. */
  maxVersion: "TLSv1.2" | "TLSv1.3";
  /** Whether a version was asked for explicitly. */
  versionGiven: boolean;
}

/**
 * Checks the TLS options; throws {@linkcode ArgumentError} on anything wrong. `check` is how deep
 * the `caCerts` are looked at (lib/ca_certificates.ts).
 */
export function resolveTls(
  tls: TlsOptions | undefined,
  check: CertificateCheck = "shape",
): ResolvedTls {
  const options = tls ?? {};
  const exact = checkVersion("tlsVersion", options.tlsVersion);
  const floor = checkVersion("minTlsVersion", options.minTlsVersion);
  if (exact && floor && exact < floor) {
    throw new ArgumentError(
      `tlsVersion "${exact}" is below minTlsVersion "${floor}". Give only one of them.`,
    );
  }
  let pin: string | undefined;
  if (options.pinnedSha256 !== undefined) {
    if (typeof options.pinnedSha256 !== "string") {
      throw new ArgumentError("pinnedSha256 must be a string of 64 hex digits.");
    }
    pin = normalizeFingerprint(options.pinnedSha256);
    if (!/^[0-9A-F]{64}$/.test(pin)) {
      throw new ArgumentError(
        "pinnedSha256 must be a SHA-256 fingerprint: 64 hex digits, optionally separated by colons " +
          "(`mspe-run tls-info` shows the server's).",
      );
    }
  }
  let caCerts: string[] | undefined;
  if (options.caCerts !== undefined) {
    if (!Array.isArray(options.caCerts)) {
      throw new ArgumentError("caCerts must be a list of PEM certificates.");
    }
    // Canonical blocks for both paths: node:tls in Deno parses `ca` itself and throws, uncaught,
    // on an indented line or text around a block that Deno.createHttpClient accepts.
    caCerts = options.caCerts.flatMap((pem, index) => readCaCert(pem, index, check));
  }
  if (pin !== undefined && options.ignoreInvalidCerts === true) {
    throw new ArgumentError(
      "pinnedSha256 and ignoreInvalidCerts contradict each other: give only one (the pin is the safe one).",
    );
  }
  const min = exact ?? floor ?? "1.2";
  const max = exact ?? "1.3";
  return {
    caCerts: caCerts && caCerts.length > 0 ? caCerts : undefined,
    pin,
    ignoreInvalidCerts: options.ignoreInvalidCerts === true,
    minVersion: `TLSv${min}`,
    maxVersion: `TLSv${max}`,
    versionGiven: exact !== undefined || floor !== undefined,
  };
}
