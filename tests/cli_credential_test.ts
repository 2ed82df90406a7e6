/**
 * PowerShell credential files (`--credential-file`, `mspe-run credential save`): the CLIXML on any
 * system, DPAPI on Windows (the Windows lane runs these under Wine with deno.exe).
 */

import assert from "node:assert/strict";
import { formatPsCredential, parsePsCredential } from "../lib/cli/credentials/clixml.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { decodeText } from "../lib/_text_file.ts";
import { startMock } from "./_helpers.ts";
import { mockFlags, runCli as runProcess } from "./cli_helpers.ts";
import { runCliInProcess as runCli } from "./_cli_in_process.ts";

const WINDOWS = Deno.build.os === "windows";

/** What Windows PowerShell 5.1 writes: UTF-16 LE with a BOM, CRLF. */
function utf16leWithBom(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes[0] = 0xff;
  bytes[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    bytes[2 + i * 2] = text.charCodeAt(i) & 0xff;
    bytes[3 + i * 2] = text.charCodeAt(i) >> 8;
  }
  return bytes;
}

/** A PSCredential as Export-Clixml writes it (the blob's hex shortened). */
const EXPORTED = [
  '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">',
  '  <Obj RefId="0">',
  '    <TN RefId="0">',
  "      <T>System.Management.Automation.PSCredential</T>",
  "      <T>System.Object</T>",
  "    </TN>",
  "    <ToString>System.Management.Automation.PSCredential</ToString>",
  "    <Props>",
  '      <S N="UserName">CORP\\m&amp;ller_x000A_</S>',
  '      <SS N="Password">01000000d08c9ddf0115d1118c7a00c04fc297eb</SS>',
  "    </Props>",
  "  </Obj>",
  "</Objs>",
].join("\r\n");

Deno.test("a PowerShell 5.1 credential file is read: UTF-16 LE with BOM, XML and _xHHHH_ escapes", () => {
  const text = decodeText(utf16leWithBom(EXPORTED));
  const credential = parsePsCredential(text, "cred.xml");
  assert.equal(credential.username, "CORP\\m&ller\n");
  assert.deepEqual(
    Array.from(credential.passwordBlob.slice(0, 4)),
    [0x01, 0x00, 0x00, 0x00],
  );
  assert.equal(credential.passwordBlob.length, 20);
  // Written back, it reads the same (what Import-Clixml needs: the same element names).
  const again = parsePsCredential(formatPsCredential(credential), "cred.xml");
  assert.equal(again.username, credential.username);
  assert.deepEqual(again.passwordBlob, credential.passwordBlob);
});

Deno.test("a file that is no credential is one line naming it and how to make one", () => {
  for (
    const [text, why] of [
      ["<html></html>", /is not a PowerShell credential/],
      [EXPORTED.replace(/<SS N="Password">[^<]*<\/SS>/, ""), /has no Password/],
      [EXPORTED.replace("01000000d08c", "zz"), /not the hex of an encrypted password/],
    ] as const
  ) {
    assert.throws(
      () => parsePsCredential(text, "C:\\ops\\cred.xml"),
      (e: Error) =>
        e instanceof UsageError && why.test(e.message) &&
        e.message.includes("Export-Clixml C:\\ops\\cred.xml"),
    );
  }
});

Deno.test({
  name: "--credential-file elsewhere than Windows: read and checked, then refused as Windows-only",
  ignore: WINDOWS,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/cred.xml`;
      await Deno.writeFile(file, utf16leWithBom(EXPORTED));
      const run = await runCli(["call", "GetEnvironmentInfo", "--credential-file", file]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /^error: The credential file .*cred\.xml is a PowerShell credential, encrypted with Windows DPAPI: it can be read only on Windows/m,
      );
      const save = await runCli(["credential", "save", `${dir}/new.xml`, "--username", "admin"], {
        stdin: "s3cret\n",
      });
      assert.equal(save.code, 2, save.stderr);
      assert.match(save.stderr, /Windows/);
      // One source of the password at a time.
      const both = await runCli(
        ["call", "GetEnvironmentInfo", "--credential-file", file, "--password-file", "pw.txt"],
      );
      assert.equal(both.code, 2, both.stderr);
      assert.match(both.stderr, /leave out --password-file/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "Windows: credential save, then --credential-file calls the simulator; a foreign blob is exit 3",
  ignore: !WINDOWS,
  // A subprocess: DPAPI goes through FFI, which the mspe-run permission set grants and the
  // test process does not.
  async fn() {
    await using mock = await startMock();
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}\\cred.xml`;
      const save = await runProcess(["credential", "save", file, "--username", "admin"], {
        stdin: "admin\r\n",
      });
      assert.equal(save.code, 0, save.stderr);
      const written = parsePsCredential(decodeText(await Deno.readFile(file)), file);
      assert.equal(written.username, "admin");
      // DPAPI blobs start with the version 1 and the provider GUID df9d8cd0-1501-11d1-8c7a-...;
      // Wine's CryptProtectData (the Windows lane) writes its own format: the version, then "Wine".
      const wine = [1, 0, 0, 0, ...new TextEncoder().encode("Wine")];
      const head = Array.from(written.passwordBlob.slice(0, 8));
      if (head.join() !== wine.join()) {
        assert.deepEqual(head, [1, 0, 0, 0, 0xd0, 0x8c, 0x9d, 0xdf]);
      }
      const call = await runProcess(
        ["call", "GetEnvironmentInfo", ...mockFlags(mock.port), "--credential-file", file],
      );
      assert.equal(call.code, 0, call.stderr);
      assert.match(call.stdout, /"version"/);
      // A blob of another user or machine (here: damaged) does not decrypt: one line, exit 3.
      const foreign = `${dir}\\foreign.xml`;
      await Deno.writeTextFile(foreign, EXPORTED.replace("CORP\\m&amp;ller_x000A_", "admin"));
      const refused = await runProcess(
        ["call", "GetEnvironmentInfo", ...mockFlags(mock.port), "--credential-file", foreign],
      );
      assert.equal(refused.code, 3, refused.stderr);
      assert.match(
        refused.stderr,
        /^error: The credential file .*foreign\.xml cannot be decrypted here/m,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "POSIX: a password file others can read gets a one-line warning, as ssh gives for a key",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using mock = await startMock();
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/pw.txt`;
      await Deno.writeTextFile(file, "admin\n");
      const call = ["call", "GetEnvironmentInfo", ...mockFlags(mock.port), "--username", "admin"];
      await Deno.chmod(file, 0o644);
      const shared = await runCli([...call, "--password-file", file]);
      assert.equal(shared.code, 0, shared.stderr);
      assert.match(
        shared.stderr,
        /^warning: the password file .*pw\.txt can be read by other users \(mode 644\); restrict it with: chmod 600 /m,
      );
      await Deno.chmod(file, 0o600);
      const private_ = await runCli([...call, "--password-file", file]);
      assert.equal(private_.code, 0, private_.stderr);
      assert.doesNotMatch(private_.stderr, /password file/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
