/**
 * Helpers of the trust tests (issue 7): Windows text encodings, and raw hostile TLS servers.
 *
 * @module
 */

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
