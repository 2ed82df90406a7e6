/**
 * Reads text files the way Windows writes them as well as the way Unix does: UTF-8 with or without a
 * byte order mark, and UTF-16 little or big endian with one (what Windows PowerShell 5.1's `>` and
 * `Out-File` write). The byte order mark is never part of the text. Line breaks are kept as they are
 * (CRLF or LF): callers that take a single line strip a final `\r\n` or `\n` with
 * {@linkcode withoutFinalLineBreak}.
 *
 * Used for the password file, CA PEM files, `name=@file` values and the CLI's configuration file.
 *
 * Internal module.
 *
 * @module
 */

/** Bytes that are neither UTF-8 nor UTF-16 with a byte order mark. */
export class TextEncodingError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "TextEncodingError";
  }
}

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.length <= bytes.length && prefix.every((byte, i) => bytes[i] === byte);
}

/**
 * Decodes a file's bytes: UTF-16 LE or BE when they start with that byte order mark, else UTF-8 (with
 * or without a byte order mark). The byte order mark is dropped. Bytes that are not valid in the
 * chosen encoding throw a {@linkcode TextEncodingError} that says how to save the file, rather than
 * turning into replacement characters that would silently change a password.
 *
 * @example
 * ```ts
 * import { decodeText } from "./_text_file.ts";
 * decodeText(new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00])); // "hi"
 * ```
 */
export function decodeText(bytes: Uint8Array): string {
  let encoding = "utf-8";
  let body = bytes;
  if (startsWith(bytes, [0xff, 0xfe])) {
    encoding = "utf-16le";
    body = bytes.subarray(2);
  } else if (startsWith(bytes, [0xfe, 0xff])) {
    encoding = "utf-16be";
    body = bytes.subarray(2);
  } else if (startsWith(bytes, UTF8_BOM)) {
    body = bytes.subarray(3);
  }
  if (encoding !== "utf-8" && body.length % 2 !== 0) {
    throw new TextEncodingError(
      "it starts like UTF-16 text but has an odd number of bytes; save it again as UTF-8",
    );
  }
  try {
    // ignoreBOM: the mark was removed above; a second one would be content, kept as is.
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new TextEncodingError(
      encoding === "utf-8"
        ? "it is not UTF-8 text (nor UTF-16 with a byte order mark); save it as UTF-8"
        : `it is not valid ${encoding.toUpperCase()} text; save it again as UTF-8`,
    );
  }
}

/**
 * Reads a text file in any of the encodings {@linkcode decodeText} accepts. File system errors
 * (`Deno.errors.NotFound`, ...) are thrown unchanged; undecodable bytes throw a
 * {@linkcode TextEncodingError}.
 *
 * @example
 * ```ts
 * import { readTextFileAnyEncoding } from "./_text_file.ts";
 * const pem = await readTextFileAnyEncoding("ca.pem");
 * ```
 */
export async function readTextFileAnyEncoding(path: string): Promise<string> {
  return decodeText(await Deno.readFile(path));
}

/**
 * The text without one final line break (`\r\n` or `\n`): the file's, not the value's, since echo,
 * editors and PowerShell add one.
 *
 * @example
 * ```ts
 * import { withoutFinalLineBreak } from "./_text_file.ts";
 * withoutFinalLineBreak("secret\r\n"); // "secret"
 * ```
 */
export function withoutFinalLineBreak(text: string): string {
  return text.replace(/\r?\n$/, "");
}
