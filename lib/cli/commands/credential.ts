/**
 * `mspe-run credential save <path>`: writes a PowerShell credential file (CLIXML, the password
 * encrypted with DPAPI for the current Windows user), the same file `Get-Credential | Export-Clixml`
 * writes, for `--credential-file` and for PowerShell's `Import-Clixml`. Internal to the CLI.
 *
 * @module
 */

import { defineCommand } from "../command.ts";
import { writeCredentialFile } from "../credentials/credential_file.ts";
import { ExitCode } from "../exit_codes.ts";
import type { CliIo } from "../io/io.ts";
import { PromptCancelled } from "../session/password.ts";
import { HELP_FLAGS } from "../settings/flags.ts";
import { SETTINGS } from "../settings/table.ts";
import { UsageError } from "../usage_error.ts";
import { withoutFinalLineBreak } from "../../_text_file.ts";

async function askPassword(io: CliIo, username: string): Promise<string> {
  if (!io.stdin.isTerminal) {
    // A script pipes it: Get-Content pw.txt | mspe-run credential save cred.xml --username admin
    const piped = withoutFinalLineBreak(await io.stdin.readAll());
    if (piped === "") {
      throw new UsageError(
        "No password on stdin. Run on a terminal to be asked, or pipe it in: " +
          "Get-Content pw.txt | mspe-run credential save <path> --username <name>.",
      );
    }
    return piped;
  }
  const first = await io.stdin.readSecretLine(() => io.stderr.write(`Password for ${username}: `));
  io.stderr.write("\n");
  if (first === null) throw new PromptCancelled();
  const again = await io.stdin.readSecretLine(() => io.stderr.write("Again, to check: "));
  io.stderr.write("\n");
  if (again === null) throw new PromptCancelled();
  if (first !== again) throw new UsageError("The two passwords differ; nothing was saved.");
  if (first === "") throw new UsageError("The password is empty; nothing was saved.");
  return first;
}

/** `mspe-run credential`. */
export const credentialCommand = defineCommand({
  name: "credential",
  summary: "Save a user name and password as a PowerShell credential file (Windows).",
  usage: "mspe-run credential save <path> [--username <name>]",
  description:
    `save asks for the password (twice, without echo; or reads it from stdin) and writes a
PowerShell credential file: the password is encrypted with Windows DPAPI for the current user on
this machine, as Get-Credential | Export-Clixml does, so PowerShell's Import-Clixml reads it back
and nobody else can decrypt it. Use it with --credential-file <path> (or MSPE_CREDENTIAL_FILE, or
a profile's credentialFile), for example in a scheduled task that runs as the same user.
Credential files are Windows-only; elsewhere use --password-file or MSPE_PASSWORD.`,
  flags: {
    ...HELP_FLAGS,
    username: { ...SETTINGS.username.flag, help: "The user name to keep (else asked)." },
  },
  examples: [
    "mspe-run credential save C:\\ops\\spe-cred.xml --username admin",
    "mspe-run call GetInstances instanceFilter=* --credential-file C:\\ops\\spe-cred.xml",
    "# The same file in PowerShell",
    "$cred = Import-Clixml C:\\ops\\spe-cred.xml",
  ],
  async run(parsed, io) {
    const [action, path, ...extra] = parsed.positionals;
    if (action !== "save" || path === undefined || extra.length > 0) {
      throw new UsageError("Give the file to write: mspe-run credential save <path>.");
    }
    let username = parsed.string("username") ?? io.env("MSPE_USERNAME");
    if (username === undefined || username === "") {
      if (!io.stdin.isTerminal || io.stdin.readLine === undefined) {
        throw new UsageError(
          "Give the user name: mspe-run credential save <path> --username <name>.",
        );
      }
      io.stderr.write("User name: ");
      const line = await io.stdin.readLine();
      if (line === null || line.trim() === "") {
        throw new UsageError("No user name; nothing was saved.");
      }
      username = line.trim();
    }
    const password = await askPassword(io, username);
    await writeCredentialFile(io, path, { username, password });
    io.stderr.write(
      `Saved the credential of ${username} in ${path} (for this Windows user only).\n`,
    );
    return ExitCode.Ok;
  },
});
