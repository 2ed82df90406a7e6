/**
 * Files written on Windows: UTF-8 with and without a byte order mark, UTF-16 LE and BE with one, CRLF.
 * The byte order mark never becomes part of the text.
 *
 * @module
 */

import { assertEquals, assertThrows } from "./_assert.ts";
import {
  decodeText,
  readTextFileAnyEncoding,
  TextEncodingError,
  withoutFinalLineBreak,
} from "../lib/_text_file.ts";
import { utf16be, utf16le, utf8bom } from "./_trust_helpers.ts";

const TEXT = "pässwörd €1\r\nsecond line\r\n";

Deno.test("decodeText reads UTF-8 with and without a BOM and UTF-16 LE/BE with one", () => {
  assertEquals(decodeText(new TextEncoder().encode(TEXT)), TEXT);
  assertEquals(decodeText(utf8bom(TEXT)), TEXT);
  assertEquals(decodeText(utf16le(TEXT)), TEXT);
  assertEquals(decodeText(utf16be(TEXT)), TEXT);
  // An emoji is a surrogate pair in UTF-16.
  assertEquals(decodeText(utf16le("a😀b")), "a😀b");
  assertEquals(decodeText(new Uint8Array()), "");
  assertEquals(decodeText(new Uint8Array([0xef, 0xbb, 0xbf])), "");
  assertEquals(decodeText(new Uint8Array([0xff, 0xfe])), "");
});

Deno.test("decodeText refuses bytes that are no text rather than changing a password", () => {
  // Windows-1252 "pässwort" (ANSI), not UTF-8.
  const ansi = new Uint8Array([0x70, 0xe4, 0x73, 0x73]);
  assertThrows(() => decodeText(ansi), TextEncodingError, "save it as UTF-8");
  assertThrows(() => decodeText(new Uint8Array([0xff, 0xfe, 0x41])), TextEncodingError, "odd");
});

Deno.test("withoutFinalLineBreak drops one CRLF or LF, nothing else", () => {
  assertEquals(withoutFinalLineBreak("secret\r\n"), "secret");
  assertEquals(withoutFinalLineBreak("secret\n"), "secret");
  assertEquals(withoutFinalLineBreak("secret\n\n"), "secret\n");
  assertEquals(withoutFinalLineBreak("sec\r\nret"), "sec\r\nret");
});

Deno.test("readTextFileAnyEncoding reads each encoding from disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (
      const [name, bytes] of Object.entries({
        le: utf16le(TEXT),
        be: utf16be(TEXT),
        bom: utf8bom(TEXT),
      })
    ) {
      await Deno.writeFile(`${dir}/${name}.txt`, bytes);
      assertEquals(await readTextFileAnyEncoding(`${dir}/${name}.txt`), TEXT);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
