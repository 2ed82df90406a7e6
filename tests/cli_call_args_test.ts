/**
 * `mspe-run call` as PowerShell users type it: function names in any case, and secrets never
 * taken from the command line unless asked for.
 */

import assert from "node:assert/strict";
import { startMock } from "./_helpers.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess as runCli } from "./_cli_in_process.ts";

const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("a function name in another case is the one function it names", async () => {
  await using mock = await startMock();
  const run = await runCli(
    ["call", "getusers", "instanceID=acme", ...mockFlags(mock.port), "--format", "json"],
    { env: ENV },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.ok(Array.isArray(JSON.parse(run.stdout)));
  assert.equal(mock.stats.byPath["/api/invoke/GetUsers"], 1);
  // Not a function in any case: the suggestion, exit 2.
  const wrong = await runCli(["call", "getuserz", ...mockFlags(mock.port)], { env: ENV });
  assert.equal(wrong.code, 2, wrong.stderr);
  assert.match(wrong.stderr, /Did you mean GetUsers\?/);
});

Deno.test("a secret argument given literally is refused before anything is sent", async () => {
  await using mock = await startMock();
  const call = [
    "call",
    "SetUserPassword",
    "instanceID=acme",
    "userName=john.doe",
    ...mockFlags(mock.port),
  ];
  mock.stats.reset();
  const refused = await runCli([...call, "password=N3w-s3cret"], { env: ENV });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /^error: password= is a secret, .* Use password=@file, or password=@- /m,
  );
  assert.ok(!refused.stderr.includes("N3w-s3cret"));
  assert.equal(mock.stats.byPath["/api/invoke/SetUserPassword"], undefined);
  // From stdin it is sent; with --allow-secret-arg the literal is too.
  const piped = await runCli([...call, "password=@-"], { env: ENV, stdin: "N3w-s3cret\n" });
  assert.equal(piped.code, 0, piped.stderr);
  const allowed = await runCli([...call, "password=N3w-s3cret", "--allow-secret-arg"], {
    env: ENV,
  });
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(mock.stats.byPath["/api/invoke/SetUserPassword"], 2);
});
