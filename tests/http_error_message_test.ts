/**
 * An HTTP error says what happened in one short line: the status line and the page's title or
 * first line of text, never a proxy's whole error page; the page stays in `details`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { HttpError, invokeCall, newClient } from "../mod.ts";
import { serveRaw, startMock } from "./_helpers.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

/** A reverse proxy's 503 page: some 300 characters of HTML before any text. */
const PROXY_PAGE = '<!DOCTYPE html>\n<html><head><meta charset="utf-8">' +
  `<style>${"body { font-family: sans-serif; } ".repeat(6)}</style>` +
  "<title>503 Service Temporarily Unavailable</title></head>\n" +
  "<body><center><h1>503 Service Temporarily Unavailable</h1></center><hr>" +
  "<center>nginx</center></body></html>\n";

Deno.test("a proxy's 503 page: the message has the status line and the title, details the page", async () => {
  await using raw = serveRaw(() =>
    new Response(PROXY_PAGE, { status: 503, headers: { "content-type": "text/html" } })
  );
  await using client = await newClient({ ...raw.options, retries: 0 });
  const error = await invokeCall(client, "GetUsers", { instanceID: "acme" }).catch((e) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(
    error.message.split(". Check")[0],
    'The server answered HTTP 503 Service Unavailable to /api/invoke/GetUsers: "503 Service Temporarily Unavailable"',
  );
  assert.ok(error.message.length < 200, error.message);
  assert.equal(error.details, PROXY_PAGE);
  assert.equal(error.excerpt, PROXY_PAGE.trim().slice(0, 200) + "…");
});

Deno.test("plain text: the first line, cut; no title that repeats the status line", () => {
  const long = `Backend fault: ${"x".repeat(300)}\nsecond line`;
  const text = new HttpError(500, long.slice(0, 200), "/api/x", { details: long });
  assert.match(
    text.message,
    /^The server answered HTTP 500 Internal Server Error to \/api\/x: "Backend fault: x+…"\. /,
  );
  assert.ok(!text.message.includes("second line"));
  const plain = new HttpError(503, "<html><title>Service Unavailable</title></html>", "/api/x");
  assert.equal(
    plain.message,
    "The server answered HTTP 503 Service Unavailable to /api/x. Check the server's state and logs, then try again.",
  );
});

Deno.test("a fleet row and the summary carry the short message", async () => {
  await using mock = await startMock({ instances: 2, usersPerInstance: 1, problems: "none" });
  mock.faults.add({ kind: "http503", function: "GetUsers" });
  const run = await runCliInProcess(
    ["call", "GetUsers", "--instances", "*", "--format", "json", "--retries", "0"].concat(
      mockFlags(mock.port),
    ),
    { env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" } },
  );
  assert.equal(run.code, 4, run.stderr);
  const rows = JSON.parse(run.stdout) as { callError?: string }[];
  for (const row of rows) {
    assert.equal(
      row.callError,
      "The server answered HTTP 503 Service Unavailable to /api/invoke/GetUsers. Check the server's state and logs, then try again.",
    );
  }
  assert.ok(!run.stderr.includes("<"), run.stderr);
});
