/**
 * Data as the server sent it: redaction never changes result data that is not a secret. With the
 * simulator's admin/admin, a user `admin`, the privilege `admin`, the resume command's
 * `--username admin` and the list of allowed values stay as they are (one warning says why); a
 * long password echoed in a result is still `***`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess as runCli } from "./_cli_in_process.ts";
import { startMock } from "./_helpers.ts";
import { redactExactFields, weakPasswordReason } from "../lib/_redact.ts";

const ADMIN = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("admin/admin: results, the resume command and allowed values keep the word admin", async () => {
  await using mock = await startMock();
  const flags = mockFlags(mock.port);
  const created = await runCli(
    ["call", "CreateUser", "instanceID=acme", "userName=admin", "privileges=admin", ...flags],
    { env: ADMIN },
  );
  assert.equal(created.code, 0, created.stderr);
  const info = await runCli(
    ["call", "GetUserInfo", "instanceID=acme", "userName=admin", "--format", "json", ...flags],
    { env: ADMIN },
  );
  assert.equal(info.code, 0, info.stderr);
  const user = JSON.parse(info.stdout) as { userName: string; privileges: string[] };
  assert.equal(user.userName, "admin");
  assert.deepEqual(user.privileges, ["admin"]);
  // Said once, on stderr: why the password is not masked inside results.
  assert.equal(
    info.stderr.match(/^warning: The password is weak \(it is the same as the user name\)/gm)
      ?.length,
    1,
    info.stderr,
  );
  assert.ok(!info.stderr.replace(/^warning: .*\n/m, "").includes("***"), info.stderr);

  const started = await runCli(
    [
      "call",
      "VerifyStore",
      "instanceID=acme",
      "id=1",
      "includeIndexes=false",
      "--no-wait",
      ...flags,
      "--username",
      "admin",
    ],
    { env: { MSPE_PASSWORD: "admin" } },
  );
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stderr, /mspe-run watch \S+ .*--username admin/);

  const refused = await runCli(
    [
      "call",
      "SetUserPrivileges",
      "instanceID=acme",
      "userName=admin",
      "privileges=bogus",
      ...flags,
    ],
    { env: ADMIN },
  );
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /none, admin, login/);
});

Deno.test("a long password echoed in a result is still ***, and no warning is given", async () => {
  const secret = "L0ng-and-own-Pa55";
  await using mock = await startMock({ password: secret });
  const flags = mockFlags(mock.port);
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: secret };
  const created = await runCli(
    [
      "call",
      "CreateUser",
      "instanceID=acme",
      "userName=echo",
      "privileges=login",
      `fullName=Echo ${secret}`,
      ...flags,
    ],
    { env },
  );
  assert.equal(created.code, 0, created.stderr);
  const info = await runCli(
    ["call", "GetUserInfo", "instanceID=acme", "userName=echo", "--format", "json", ...flags],
    { env },
  );
  assert.equal(info.code, 0, info.stderr);
  assert.equal((JSON.parse(info.stdout) as { fullName: string }).fullName, "Echo ***");
  assert.ok(!info.stdout.includes(secret));
  assert.doesNotMatch(info.stderr, /warning/);
});

Deno.test("weak passwords, and the one place results still hide them", () => {
  assert.equal(weakPasswordReason("admin", "Admin"), "it is the same as the user name");
  assert.equal(weakPasswordReason("bob", "s3cret"), "it is shorter than 8 characters");
  assert.equal(weakPasswordReason("bob", "s3cret-enough"), undefined);
  assert.deepEqual(
    redactExactFields(
      { userName: "admin", privileges: ["admin"], settings: { password: "admin", note: "admin!" } },
      "admin",
    ),
    { userName: "admin", privileges: ["admin"], settings: { password: "***", note: "admin!" } },
  );
});
