/**
 * Reading CA certificates given as PEM text (`tls.caCerts`, `mspe-run --ca-cert`): finding the
 * CERTIFICATE blocks, re-wrapping them as canonical PEM, and telling a damaged one apart, so that a
 * damaged CA file is reported where it is given rather than as a refused server certificate later.
 *
 * Two depths of check:
 * - `"shape"` (what a client does before it connects): the body is Base64 of DER whose framing is
 *   that of a certificate (a SEQUENCE of the to-be-signed part, an algorithm and a BIT STRING, with
 *   the parts a certificate has, every length adding up). A cut body, a lost or doubled line, a
 *   missing END line or a key in place of a certificate all fail it. It costs microseconds.
 * - `"parse"`: the shape, and node:crypto's `X509Certificate` parses it. Loading node:crypto sets up
 *   Deno's Node compatibility layer (some 30 to 45 ms of start-up), so this is for when a server's
 *   certificate was refused and the given CAs may be why, and for paths that load node modules
 *   anyway (the `node:https` transport, `tls-info`).
 *
 * @example
 * ```ts
 * import { inspectCaCertificates } from "./ca_certificates.ts";
 * const damaged = "-----BEGIN CERTIFICATE-----\nnotbase64!!\n-----END CERTIFICATE-----\n";
 * const { count, damaged: which } = inspectCaCertificates(damaged);
 * console.log(count, which); // 1 1
 * ```
 *
 * @module
 */

import type * as NodeCrypto from "node:crypto";

/** How deep {@linkcode inspectCaCertificates} looks: see the module's documentation. */
export type CertificateCheck = "shape" | "parse";

/** What {@linkcode inspectCaCertificates} found in a PEM text. */
export interface PemCertificates {
  /** How many `-----BEGIN CERTIFICATE-----` blocks the text has. */
  count: number;
  /** The position (1-based) of the first block that is not a whole certificate, or undefined. */
  damaged: number | undefined;
  /**
   * Each block as canonical PEM (the Base64 re-wrapped at 64 characters, nothing around it), or
   * undefined for a damaged one.
   */
  certificates: (string | undefined)[];
}

// As Deno's own PEM reader has them: the BEGIN and END lines start a line, and the BEGIN line has
// nothing after it. A block without its END line runs to the end of the text, and counts as damaged.
const PEM_BLOCK =
  /^-----BEGIN CERTIFICATE-----[ \t\r]*$([\s\S]*?)(^-----END CERTIFICATE-----|(?![\s\S]))/gm;

/** One DER element: its tag and where its contents start and end. */
interface DerElement {
  tag: number;
  start: number;
  end: number;
}

/** The DER element at `at`, which must end by `limit`; undefined when its header or length is bad. */
function derElement(der: Uint8Array, at: number, limit: number): DerElement | undefined {
  if (at + 2 > limit) return undefined;
  const tag = der[at]!;
  // Multi-byte tags do not occur in the parts of a certificate looked at here.
  if ((tag & 0x1f) === 0x1f) return undefined;
  const first = der[at + 1]!;
  let start = at + 2;
  let length = first;
  if (first & 0x80) {
    const bytes = first & 0x7f;
    // DER has no indefinite length (0x80), and a certificate is far below 2^32 bytes.
    if (bytes === 0 || bytes > 4 || start + bytes > limit) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, start, end };
}

/** The elements that fill `parent`'s contents exactly, or undefined when they do not. */
function derChildren(der: Uint8Array, parent: DerElement): DerElement[] | undefined {
  const children: DerElement[] = [];
  for (let at = parent.start; at < parent.end;) {
    const child = derElement(der, at, parent.end);
    if (child === undefined) return undefined;
    children.push(child);
    at = child.end;
  }
  return children;
}

const SEQUENCE = 0x30;
const SET = 0x31;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

/** Whether `element` is a SEQUENCE whose children have these tags (undefined: any tag). */
function sequenceOf(
  der: Uint8Array,
  element: DerElement | undefined,
  tags: readonly (number | undefined)[],
): DerElement[] | undefined {
  if (element?.tag !== SEQUENCE) return undefined;
  const children = derChildren(der, element);
  if (children?.length !== tags.length) return undefined;
  return children.every((child, i) => tags[i] === undefined || child.tag === tags[i])
    ? children
    : undefined;
}

/** A Name: a SEQUENCE of SETs, each of SEQUENCEs. */
function isName(der: Uint8Array, element: DerElement | undefined): boolean {
  if (element?.tag !== SEQUENCE) return false;
  return derChildren(der, element)?.every((set) =>
    set.tag === SET && derChildren(der, set)?.every((pair) => pair.tag === SEQUENCE) === true
  ) === true;
}

/**
 * Whether `der` is framed as an X.509 certificate (RFC 5280, 4.1): Certificate ::= SEQUENCE {
 * tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }, the to-be-signed part with its
 * optional version, serial number, algorithm, issuer, validity, subject, public key and optional
 * unique IDs and extensions, in that order. The contents of strings, numbers and times are not
 * looked at.
 */
function hasCertificateShape(der: Uint8Array): boolean {
  const outer = derElement(der, 0, der.length);
  if (outer === undefined || outer.end !== der.length) return false;
  const parts = sequenceOf(der, outer, [SEQUENCE, SEQUENCE, BIT_STRING]);
  if (parts === undefined) return false;
  const tbs = derChildren(der, parts[0]!);
  if (tbs === undefined) return false;
  let at = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, algorithm, issuer, validity, subject, publicKey] = tbs.slice(at, at + 6);
  if (serial?.tag !== INTEGER || algorithm?.tag !== SEQUENCE) return false;
  if (!isName(der, issuer) || !isName(der, subject)) return false;
  const times = sequenceOf(der, validity, [undefined, undefined]);
  if (!times?.every((time) => time.tag === UTC_TIME || time.tag === GENERALIZED_TIME)) return false;
  if (sequenceOf(der, publicKey, [SEQUENCE, BIT_STRING]) === undefined) return false;
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: each at most once, in order.
  let last = 0;
  for (at += 6; at < tbs.length; at++) {
    const tag = tbs[at]!.tag;
    const number = tag === 0x81 || tag === 0xa1 ? 1 : tag === 0x82 || tag === 0xa2 ? 2 : 0;
    const extensions = tag === 0xa3 ? 3 : 0;
    const position = number || extensions;
    if (position <= last) return false;
    last = position;
  }
  return true;
}

/** Whether node:crypto's X509Certificate parses `der`. */
function parsesAsCertificate(der: Uint8Array): boolean {
  // Loaded here, not when the module loads: see the module's documentation.
  const { X509Certificate } = globalThis.process.getBuiltinModule(
    "node:crypto",
  ) as typeof NodeCrypto;
  try {
    new X509Certificate(der);
    return true;
  } catch {
    return false;
  }
}

/** A PEM block's body as canonical PEM when it is the Base64 of a certificate that passes `check`. */
function canonicalCertificate(body: string, check: CertificateCheck): string | undefined {
  // Decoded by hand rather than handing the PEM text to X509Certificate, which refuses indented
  // lines that Deno's own PEM reader accepts.
  const base64 = body.replace(/\s/g, "");
  let der: Uint8Array;
  try {
    der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  if (!hasCertificateShape(der)) return undefined;
  if (check === "parse" && !parsesAsCertificate(der)) return undefined;
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/**
 * Reads the CERTIFICATE blocks of a PEM text and finds the first one that is not a whole
 * certificate: a body that is not Base64, was cut short, lost a line or its END line, or is not a
 * certificate at all; with `check: "parse"` also one that node:crypto cannot parse (a changed
 * character inside). A byte order mark in front is ignored.
 *
 * @param pem The text of a PEM file.
 * @param check `"shape"` (the default, cheap) or `"parse"` (loads node:crypto).
 * @returns The number of blocks, the first damaged one, and each as canonical PEM.
 *
 * @example
 * ```ts
 * import { inspectCaCertificates } from "./ca_certificates.ts";
 * const damaged = "-----BEGIN CERTIFICATE-----\nnotbase64!!\n-----END CERTIFICATE-----\n";
 * const { count, damaged: which } = inspectCaCertificates(damaged);
 * console.log(count, which); // 1 1
 * ```
 */
export function inspectCaCertificates(
  pem: string,
  check: CertificateCheck = "shape",
): PemCertificates {
  const text = pem.replace(/^\uFEFF/, "");
  const certificates = [...text.matchAll(PEM_BLOCK)].map((match) =>
    match[2] ? canonicalCertificate(match[1] ?? "", check) : undefined
  );
  const index = certificates.indexOf(undefined);
  return {
    count: certificates.length,
    damaged: index < 0 ? undefined : index + 1,
    certificates,
  };
}
