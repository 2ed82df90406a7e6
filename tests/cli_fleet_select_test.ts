/**
 * Which instances a fleet run covers, as scheduled tasks give them: a selection that matches
 * nothing is noticed, and a CSV (Export-Csv, --format csv) is read by its instanceID column.
 */

import assert from "node:assert/strict";
import { instanceList } from "../lib/cli/fleet/selection.ts";
import { startMock } from "./_helpers.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess as runCli } from "./_cli_in_process.ts";

const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("an instance list is one ID a line, or a CSV with an instanceID column", () => {
  assert.deepEqual(instanceList("acme\n# a comment\n\nglobex\nacme\n"), ["acme", "globex"]);
  // Export-Csv: every field quoted, CRLF; the column need not be first.
  const exported = '"alias","instanceID","note"\r\n"Acme","acme","a, b"\r\n"G","globex",""\r\n';
  assert.deepEqual(instanceList(exported), ["acme", "globex"]);
  // mspe-run's own --format csv: instanceID first, unquoted.
  assert.deepEqual(instanceList("instanceID,userName\nacme,bob\nacme,eve\n"), ["acme"]);
});

Deno.test("a selection that matches no instance: exit 9, or 0 with --allow-empty", async () => {
  await using mock = await startMock();
  const call = ["call", "GetUsers", ...mockFlags(mock.port), "--format", "json"];
  const none = await runCli([...call, "--instances", "a*,g*"], { env: ENV });
  assert.equal(none.code, 9, none.stderr);
  assert.match(none.stderr, /^error: No instances matching a\*,g\*; nothing was called\./m);
  const allowed = await runCli([...call, "--instances", "zz*", "--allow-empty"], { env: ENV });
  assert.equal(allowed.code, 0, allowed.stderr);
  // A CSV on stdin: its header is not taken for an instance.
  const csv = await runCli([...call, "--instances", "-"], {
    env: ENV,
    stdin: "instanceID,alias\r\nacme,Acme\r\n",
  });
  assert.equal(csv.code, 0, csv.stderr);
  const rows = JSON.parse(csv.stdout) as { instanceID: string }[];
  assert.ok(rows.length > 0 && rows.every((row) => row.instanceID === "acme"));
});
