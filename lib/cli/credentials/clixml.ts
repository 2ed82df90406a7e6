/**
 * PowerShell credential files: what `Get-Credential | Export-Clixml cred.xml` writes, and
 * `Import-Clixml` reads back. The file is CLIXML (UTF-16 LE with a BOM from Windows PowerShell 5.1,
 * UTF-8 from PowerShell 7) holding one PSCredential: the user name in `<S N="UserName">` and the
 * password in `<SS N="Password">`, the hex of a DPAPI blob of the UTF-16 LE password (see
 * dpapi.ts). Reading and writing the XML is plain string work; only the blob needs Windows.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { UsageError } from "../usage_error.ts";

/** A PSCredential as the file holds it: the user name, and the password still encrypted. */
export interface PsCredential {
  /** The user name, as typed into Get-Credential. */
  readonly username: string;
  /** The DPAPI blob of the password (UTF-16 LE), as the file's hex gives it. */
  readonly passwordBlob: Uint8Array;
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * A CLIXML string as text: XML entities, then PowerShell's own escape `_xHHHH_` for characters XML
 * cannot carry (control characters, and `_x` itself as `_x005F_`).
 */
function unescapeClixml(text: string): string {
  const xml = text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
  return xml.replace(
    /_x([0-9A-Fa-f]{4})_/g,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/** Text as CLIXML writes it: control characters and `_x` escaped as PowerShell does, then XML. */
function escapeClixml(text: string): string {
  // Control characters cannot be in XML 1.0: PowerShell writes them as _xHHHH_.
  // deno-lint-ignore no-control-regex
  const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;
  const ps = text.replace(/_x(?=[0-9A-Fa-f]{4}_)/g, "_x005F_x").replace(
    controls,
    (char) => `_x${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}_`,
  );
  return ps.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function hexBytes(hex: string): Uint8Array | undefined {
  const clean = hex.replace(/\s+/g, "");
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(clean)) return undefined;
  const bytes = new Uint8Array(clean.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * Reads the PSCredential of a CLIXML file's text. Every problem is one {@linkcode UsageError} that
 * names the file and says how to make a good one.
 *
 * @example
 * ```ts
 * import { parsePsCredential } from "./clixml.ts";
 * const xml = '<Objs><Obj><TN><T>System.Management.Automation.PSCredential</T></TN><Props>' +
 *   '<S N="UserName">admin</S><SS N="Password">01000000d08c</SS></Props></Obj></Objs>';
 * console.log(parsePsCredential(xml, "cred.xml").username); // admin
 * ```
 */
export function parsePsCredential(text: string, file: string): PsCredential {
  const remake = `Make it again in PowerShell: Get-Credential | Export-Clixml ${file}, or with ` +
    `mspe-run credential save ${file}.`;
  if (!/<Objs\b/.test(text) || !/PSCredential/.test(text)) {
    throw new UsageError(
      `The credential file ${file} is not a PowerShell credential (Export-Clixml of a PSCredential). ${remake}`,
    );
  }
  const user = /<S\s+N="UserName"\s*>([^<]*)<\/S>|<S\s+N="UserName"\s*\/>/.exec(text);
  const password = /<SS\s+N="Password"\s*>([^<]*)<\/SS>/.exec(text);
  if (user === null || password === null) {
    throw new UsageError(
      `The credential file ${file} has no ${user === null ? "UserName" : "Password"}. ${remake}`,
    );
  }
  const username = unescapeClixml(user[1] ?? "");
  const blob = hexBytes(password[1] ?? "");
  if (username === "") {
    throw new UsageError(`The credential file ${file} has an empty UserName. ${remake}`);
  }
  if (blob === undefined) {
    throw new UsageError(
      `The credential file ${file} has a Password that is not the hex of an encrypted password. ${remake}`,
    );
  }
  return { username, passwordBlob: blob };
}

/**
 * The CLIXML text of a PSCredential, as `Export-Clixml` writes it, so that `Import-Clixml` reads it
 * back in Windows PowerShell 5.1 and PowerShell 7.
 *
 * @example
 * ```ts
 * import { formatPsCredential } from "./clixml.ts";
 * console.log(formatPsCredential({ username: "admin", passwordBlob: new Uint8Array([1, 0]) }));
 * ```
 */
export function formatPsCredential(credential: PsCredential): string {
  const hex = Array.from(credential.passwordBlob, (b) => b.toString(16).padStart(2, "0")).join("");
  return [
    '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">',
    '  <Obj RefId="0">',
    '    <TN RefId="0">',
    "      <T>System.Management.Automation.PSCredential</T>",
    "      <T>System.Object</T>",
    "    </TN>",
    "    <ToString>System.Management.Automation.PSCredential</ToString>",
    "    <Props>",
    `      <S N="UserName">${escapeClixml(credential.username)}</S>`,
    `      <SS N="Password">${hex}</SS>`,
    "    </Props>",
    "  </Obj>",
    "</Objs>",
  ].join("\r\n");
}
