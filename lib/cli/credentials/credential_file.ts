/**
 * `--credential-file`: the user name and password of a PowerShell credential file, as scheduled
 * PowerShell scripts keep them (`Get-Credential | Export-Clixml cred.xml`), and writing one
 * (`mspe-run credential save`).
 *
 * Internal to the CLI.
 *
 * @module
 */

import { type CliIo, whyUnreadable } from "../io/io.ts";
import { UsageError } from "../usage_error.ts";
import { formatPsCredential, parsePsCredential } from "./clixml.ts";
import { DpapiUnavailable, fromUtf16le, protect, unprotect, utf16le } from "./dpapi.ts";

/** The user name and password of a credential file. */
export interface FileCredential {
  /** The user name the file holds. */
  readonly username: string;
  /** The password, decrypted. */
  readonly password: string;
}

/**
 * Reads and decrypts a credential file. Elsewhere than Windows the file is still read and checked,
 * so that a wrong path or a file that is no credential is named before the line that says DPAPI is
 * Windows-only.
 *
 * @example
 * ```ts ignore
 * const { username, password } = await readCredentialFile(io, "C:\\ops\\spe-cred.xml");
 * ```
 */
export async function readCredentialFile(io: CliIo, file: string): Promise<FileCredential> {
  let text: string;
  try {
    // UTF-16 LE with a BOM from Windows PowerShell 5.1, UTF-8 from PowerShell 7: both are read.
    text = await io.readTextFile(file);
  } catch (error) {
    throw new UsageError(
      `Cannot read the credential file ${file}: ${whyUnreadable(error)}. Check the path.`,
    );
  }
  const credential = parsePsCredential(text, file);
  const password = fromUtf16le(unprotect(credential.passwordBlob, file));
  return { username: credential.username, password };
}

/**
 * Encrypts the password for the current Windows user and writes the credential file, in the form
 * `Import-Clixml` reads back.
 *
 * @example
 * ```ts ignore
 * await writeCredentialFile(io, "cred.xml", { username: "admin", password });
 * ```
 */
export async function writeCredentialFile(
  io: CliIo,
  file: string,
  credential: FileCredential,
): Promise<void> {
  if (Deno.build.os !== "windows") throw new DpapiUnavailable(file);
  const text = formatPsCredential({
    username: credential.username,
    passwordBlob: protect(utf16le(credential.password), file),
  });
  if (io.writeTextFile === undefined) throw new UsageError(`Cannot write ${file} here.`);
  try {
    // A BOM, so that Windows PowerShell 5.1 reads it as UTF-8 whatever the system's code page.
    await io.writeTextFile(file, `\ufeff${text}`);
  } catch (error) {
    throw new UsageError(`Cannot write the credential file ${file}: ${whyUnreadable(error)}.`);
  }
}
