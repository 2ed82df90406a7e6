/**
 * Reads survive a blip, calls do not repeat: a read the catalogue marks `readOnly` is sent again
 * after a 503 (`--retries`, `MSPE_RETRIES`, the client's `retries`), a state-changing call never is.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess as runCli } from "./_cli_in_process.ts";
import { clientFor, startMock } from "./_helpers.ts";
import { ConnectionError, HttpError, invokeCall, type TraceEvent } from "../mod.ts";
import { toTransportError } from "../lib/_transport.ts";
import { isRetryablePollError } from "../lib/_retry.ts";

const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("a fleet read survives one 503 with exactly one retry, shown by --verbose", async () => {
  await using mock = await startMock({ instances: 4, usersPerInstance: 2, problems: "none" });
  mock.faults.add({ kind: "http503", function: "GetUsers", times: 1 });
  mock.stats.reset();
  const run = await runCli(
    ["call", "GetUsers", "--instances", "*", "--format", "ndjson", "--verbose"].concat(
      mockFlags(mock.port),
    ),
    { env: ENV },
  );
  assert.equal(run.code, 0, run.stderr);
  // One GetUsers per instance, and one more: the retry of the one that met the 503.
  assert.equal(mock.stats.byPath["/api/invoke/GetUsers"], 5);
  assert.equal(run.stderr.match(/\(retry 1\) -> 200/g)?.length, 1, run.stderr);
  assert.match(run.stderr, /GetUsers -> 503/);
});

Deno.test("a state-changing call with the same fault is sent once and fails", async () => {
  await using mock = await startMock();
  mock.faults.add({ kind: "http503", function: "SetUserPassword", times: 1 });
  mock.stats.reset();
  const run = await runCli(
    ["call", "SetUserPassword", "instanceID=acme", "userName=john.doe", "password=@-"].concat(
      mockFlags(mock.port),
    ),
    { env: ENV, stdin: "N3w-s3cret-long\n" },
  );
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /503/);
  assert.equal(mock.stats.byPath["/api/invoke/SetUserPassword"], 1);
});

Deno.test("--retries 0 and MSPE_RETRIES turn retries off; a bad value names its source", async () => {
  await using mock = await startMock({ problems: "none" });
  const call = ["call", "GetUsers", "instanceID=acme", "--format", "json"].concat(
    mockFlags(mock.port),
  );
  for (
    const extra of [{ args: ["--retries", "0"], env: {} }, { args: [], env: { MSPE_RETRIES: "0" } }]
  ) {
    mock.faults.add({ kind: "http503", function: "GetUsers", times: 1 });
    mock.stats.reset();
    const run = await runCli(call.concat(extra.args), { env: { ...ENV, ...extra.env } });
    assert.notEqual(run.code, 0, run.stdout);
    assert.equal(mock.stats.byPath["/api/invoke/GetUsers"], 1);
  }
  const bad = await runCli(call, { env: { ...ENV, MSPE_RETRIES: "11" } });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(
    bad.stderr,
    /--retries "11" is not a number of retries\. .* It comes from MSPE_RETRIES/,
  );
});

Deno.test("the library: retries (default 2) for reads, onTrace marks the retry", async () => {
  await using mock = await startMock({ problems: "none" });
  const events: TraceEvent[] = [];
  await using client = await clientFor(mock, { onTrace: (event) => events.push(event) });
  mock.faults.add({ kind: "http503", function: "GetUsers", times: 2 });
  const status = await invokeCall(client, "GetUsers", { instanceID: "acme" });
  assert.equal(status.statusCode, "succeeded");
  const users = events.filter((event) => event.url.endsWith("/GetUsers"));
  assert.deepEqual(users.map((event) => [event.status, event.retry]), [
    [503, undefined],
    [503, 1],
    [200, 2],
  ]);
  // Three 503s in a row are more than two retries: the error is the last one.
  mock.faults.add({ kind: "http503", function: "GetUsers", times: 3 });
  await assert.rejects(invokeCall(client, "GetUsers", { instanceID: "acme" }), HttpError);
});

Deno.test("get-metadata at newClient is a read: a 503 there is retried too", async () => {
  await using mock = await startMock({ problems: "none" });
  mock.faults.add({ kind: "http503", path: "/api/get-metadata", times: 1 });
  mock.stats.reset();
  await using client = await clientFor(mock);
  assert.ok(client.metadata !== null);
  assert.equal(mock.stats.byPath["/api/get-metadata"], 2);
});

Deno.test("a connection error that a retry cannot mend is not retried; a reset is", () => {
  const url = "https://spe.example:8474/api/invoke/GetUsers";
  for (const text of ["Too many open files (os error 24)", "dns error: failed to lookup"]) {
    const error = toTransportError(new TypeError(text), url);
    assert.ok(error instanceof ConnectionError, text);
    assert.equal(isRetryablePollError(error), false, text);
  }
  const reset = toTransportError(new TypeError("connection reset (os error 104)"), url);
  assert.ok(reset instanceof ConnectionError);
  assert.equal(isRetryablePollError(reset), true);
});
