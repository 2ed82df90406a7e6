/**
 * Windows DPAPI (`CryptProtectData`/`CryptUnprotectData` in crypt32.dll), called through
 * `Deno.dlopen`: what PowerShell's `ConvertFrom-SecureString` and `Export-Clixml` use for a
 * password, encrypted for the current user on this machine, with no extra entropy. This is the only
 * use of `--allow-ffi` in mspe-run.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { AuthenticationError } from "../../errors.ts";
import { UsageError } from "../usage_error.ts";

/** DPAPI is refused elsewhere than Windows, with the line that says so. */
export class DpapiUnavailable extends UsageError {
  /** Creates the error for `file`. */
  constructor(file: string) {
    super(
      `The credential file ${file} is a PowerShell credential, encrypted with Windows DPAPI: it ` +
        "can be read only on Windows, by the user who saved it. Here use --password-file, " +
        "MSPE_PASSWORD or the prompt.",
    );
    this.name = "DpapiUnavailable";
  }
}

/**
 * A DPAPI blob that does not decrypt: saved by another user, or on another machine. The password
 * cannot be used, as a wrong one cannot: exit code 3.
 */
export class CredentialNotDecrypted extends AuthenticationError {
  /** Creates the error for `file`. */
  constructor(file: string) {
    super(
      `The credential file ${file} cannot be decrypted here: DPAPI keeps it to the Windows user ` +
        `and machine that saved it. Save it again as this user (mspe-run credential save ${file}, ` +
        "or Get-Credential | Export-Clixml), or use --password-file.",
    );
    this.name = "CredentialNotDecrypted";
  }
}

const CRYPTPROTECT_UI_FORBIDDEN = 0x1;

const SYMBOLS = {
  CryptProtectData: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "u32", "buffer"],
    result: "i32",
  },
  CryptUnprotectData: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "u32", "buffer"],
    result: "i32",
  },
} as const;

/** A DATA_BLOB for `bytes` (x64: a 32-bit length, padding, a pointer). */
function dataBlob(bytes: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const blob = new Uint8Array(16);
  const view = new DataView(blob.buffer);
  view.setUint32(0, bytes.length, true);
  view.setBigUint64(8, BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(bytes))), true);
  return blob;
}

/** Copies the bytes a DATA_BLOB filled by DPAPI points at, and frees them (LocalFree). */
function takeBlob(
  blob: Uint8Array<ArrayBuffer>,
  localFree: (p: Deno.PointerValue) => void,
): Uint8Array {
  const view = new DataView(blob.buffer);
  const length = view.getUint32(0, true);
  const pointer = Deno.UnsafePointer.create(view.getBigUint64(8, true));
  if (pointer === null) return new Uint8Array(0);
  const copy = new Uint8Array(new Deno.UnsafePointerView(pointer).getArrayBuffer(length).slice(0));
  localFree(pointer);
  return copy;
}

function withCrypt32<T>(
  file: string,
  body: (
    crypt: Deno.DynamicLibrary<typeof SYMBOLS>["symbols"],
    localFree: (p: Deno.PointerValue) => void,
  ) => T,
): T {
  if (Deno.build.os !== "windows") throw new DpapiUnavailable(file);
  const crypt32 = Deno.dlopen("crypt32.dll", SYMBOLS);
  const kernel32 = Deno.dlopen("kernel32.dll", {
    LocalFree: { parameters: ["pointer"], result: "pointer" },
  });
  try {
    return body(crypt32.symbols, (p) => void kernel32.symbols.LocalFree(p));
  } finally {
    crypt32.close();
    kernel32.close();
  }
}

/**
 * Runs one of the two DPAPI functions on `data` for the current user (no description, entropy or
 * prompt: what PowerShell does), and returns the bytes it made; `undefined` when it refused.
 */
function runDpapi(
  which: "CryptProtectData" | "CryptUnprotectData",
  data: Uint8Array,
  file: string,
): Uint8Array | undefined {
  return withCrypt32(file, (crypt, localFree) => {
    const out = new Uint8Array(16);
    const ok = crypt[which](
      dataBlob(new Uint8Array(data)),
      null,
      null,
      null,
      null,
      CRYPTPROTECT_UI_FORBIDDEN,
      out,
    );
    return ok === 0 ? undefined : takeBlob(out, localFree);
  });
}

/**
 * Decrypts a DPAPI blob for the current user; `file` names it in messages.
 *
 * @throws {DpapiUnavailable} Elsewhere than Windows.
 * @throws {CredentialNotDecrypted} When the blob belongs to another user or machine, or is damaged.
 *
 * @example
 * ```ts ignore
 * const utf16 = unprotect(blob, "cred.xml");
 * ```
 */
export function unprotect(blob: Uint8Array, file: string): Uint8Array {
  const data = runDpapi("CryptUnprotectData", blob, file);
  if (data === undefined) throw new CredentialNotDecrypted(file);
  return data;
}

/**
 * Encrypts bytes with DPAPI for the current user, as PowerShell does for a SecureString.
 *
 * @throws {DpapiUnavailable} Elsewhere than Windows.
 *
 * @example
 * ```ts ignore
 * const blob = protect(utf16le("s3cret"), "cred.xml");
 * ```
 */
export function protect(data: Uint8Array, file: string): Uint8Array {
  const blob = runDpapi("CryptProtectData", data, file);
  if (blob === undefined) {
    throw new Error("Windows could not encrypt the password (CryptProtectData).");
  }
  return blob;
}

/**
 * The UTF-16 LE bytes of a string, as a SecureString holds it.
 *
 * @example
 * ```ts
 * import { utf16le } from "./dpapi.ts";
 * utf16le("ab"); // Uint8Array [97, 0, 98, 0]
 * ```
 */
export function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[i * 2] = code & 0xff;
    bytes[i * 2 + 1] = code >> 8;
  }
  return bytes;
}

/**
 * The string of UTF-16 LE bytes.
 *
 * @example
 * ```ts
 * import { fromUtf16le } from "./dpapi.ts";
 * fromUtf16le(new Uint8Array([97, 0, 98, 0])); // "ab"
 * ```
 */
export function fromUtf16le(bytes: Uint8Array): string {
  return new TextDecoder("utf-16le").decode(bytes);
}
