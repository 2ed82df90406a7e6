/**
 * A TLS connection to a port that speaks plain HTTP says so, on both transports (fetch, and
 * node:https with --insecure or a pin), for reads and state-changing calls alike.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runCliInProcess } from "./_cli_in_process.ts";
import { startMock } from "./_helpers.ts";

const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("a plain-HTTP port: the error says the port speaks plain HTTP and to check --port", async () => {
  await using mock = await startMock({ http: true });
  const port = ["--host", "127.0.0.1", "--port", String(mock.port)];
  const runs = [
    ["call", "GetUsers", "instanceID=acme", ...port],
    ["call", "GetUsers", "instanceID=acme", "--insecure", ...port],
    ["call", "GetUsers", "instanceID=acme", "--pin-sha256", "ab".repeat(32), ...port],
    ["call", "CreateUser", "instanceID=acme", "userName=plain.http", "--yes", ...port],
  ];
  for (const args of runs) {
    const run = await runCliInProcess(args, { env: ENV });
    assert.notEqual(run.code, 0, args.join(" "));
    assert.match(
      run.stderr,
      /127\.0\.0\.1:\d+ speaks plain HTTP, not HTTPS, .*MailStore's API port speaks HTTPS \(8474 for SPE, 8463 for MailStore Server\): check the port \(--port/,
      args.join(" "),
    );
  }
  // Nothing reached the API: the handshake failed before any request.
  assert.equal(mock.stats.byFunction["CreateUser"] ?? 0, 0);
});
