// mspe-run with --ca-cert on the node:https path and in tls-info, run with the compile permission
// set: node:tls reads the system's CA store there, which needs sys access to "ca".
import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { mockFlags, runCli } from "./cli_helpers.ts";

const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("mspe-run: --ca-cert works with --tls-version (node:https path) and in tls-info", async () => {
  // A subprocess: what is tested is the permission set (-P=mspe-run), which only a process has.
  await using mock = await serveMock();
  for (const version of ["1.2", "1.3"]) {
    const call = await runCli(
      ["call", "Ping", ...mockFlags(mock.port), "--tls-version", version, "--format", "json"],
      { env: ENV },
    );
    assert.equal(call.code, 0, call.stderr);
    assert.equal(call.stderr, "");
  }
  const info = await runCli(["tls-info", ...mockFlags(mock.port), "--format", "json"], {
    env: ENV,
  });
  assert.equal(info.code, 0, info.stderr);
  const described = JSON.parse(info.stdout) as { issuer: string; authorized: boolean };
  assert.equal(described.issuer, "CN=mspe test CA");
  assert.equal(described.authorized, true);
});
