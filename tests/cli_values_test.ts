/**
 * Values checked before sending: a value outside a documented set, and an unknown field of a json
 * argument, are refused by the library with "did you mean" (an ArgumentError, nothing sent), and by
 * `mspe-run` with exit code 2 (the mock's stats prove that nothing reached the server).
 */

import assert from "node:assert/strict";
import { ArgumentError, type Client, invokeCall, newClient, uncheckedFunction } from "../mod.ts";
import { type MockServer, serveMock } from "../lib/mock/mod.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

/** A client of the mock, with its metadata. */
function clientOf(mock: MockServer): Promise<Client<"spe">> {
  return newClient({
    username: "admin",
    password: "admin",
    port: mock.port,
    tls: { caCerts: [mock.certificate!.caPem] },
  });
}

Deno.test("the library refuses undocumented values before sending", async () => {
  await using mock = await serveMock({});
  await using client = await clientOf(mock);
  mock.app.stats.reset();
  await assert.rejects(
    () =>
      // The types refuse it already; the run-time check is for callers without them.
      invokeCall(client, uncheckedFunction("CreateUser"), {
        instanceID: "acme",
        userName: "bob",
        privileges: "login,changePasword",
      }),
    (error: Error) =>
      error instanceof ArgumentError &&
      /privileges .*"changePasword" \(did you mean changePassword\?\)/.test(error.message),
  );
  await assert.rejects(
    () =>
      invokeCall(client, uncheckedFunction("CreateInstance"), {
        config: { instanceID: "new1", instanceHost: "host01", startmode: "automatic", x: 1 },
      }),
    (error: Error) =>
      error instanceof ArgumentError &&
      /config has an unknown field: config\.x\./.test(error.message) &&
      // .NET reads JSON fields without regard to case: startmode is startMode.
      !error.message.includes("startmode"),
  );
  await assert.rejects(
    () =>
      invokeCall(client, "CreateInstanceHost", {
        config: '{"serverName":"h","serverCertificate":{"thumbprnt":"AB"}}',
      }),
    /config\.serverCertificate\.thumbprnt \(did you mean thumbprint\?\)/,
  );
  assert.equal(mock.app.stats.requests, 0, "nothing was sent");
  // Values that differ only in case, and documented ones, go through.
  const users = await invokeCall(client, "GetUsers", { instanceID: "acme" });
  assert.ok(Array.isArray(users.result));
});

Deno.test("checkValues: false sends an undocumented value (a newer server may take it); names and types are still checked", async () => {
  await using mock = await serveMock({});
  await using client = await clientOf(mock);
  const args = { instanceID: "acme", userName: "bob", privileges: "login,readAuditLog" };
  await assert.rejects(
    () => invokeCall(client, uncheckedFunction("CreateUser"), args),
    /send it unchecked with the call option checkValues: false \(mspe-run: --no-value-check\)/,
  );
  assert.equal(mock.app.stats.byFunction.CreateUser, undefined);
  // The mock is today's server: it refuses the value, which proves it was sent.
  await assert.rejects(
    () => invokeCall(client, uncheckedFunction("CreateUser"), args, { checkValues: false }),
    (error: Error) => error.name === "ApiError" && /readAuditLog/.test(error.message),
  );
  assert.equal(mock.app.stats.byFunction.CreateUser, 1);
  await assert.rejects(
    () =>
      invokeCall(client, uncheckedFunction("CreateUser"), { ...args, userNme: "x" }, {
        checkValues: false,
      }),
    (error: Error) =>
      error instanceof ArgumentError && /did you mean userName\?/.test(error.message),
  );
  assert.equal(mock.app.stats.byFunction.CreateUser, 1);
});

Deno.test("mspe-run: value typos are exit code 2 with did you mean, nothing sent", async (t) => {
  await using mock = await serveMock({});
  const flags = mockFlags(mock.port);
  const stats = mock.app.stats;

  await t.step("a privilege typo", async () => {
    stats.reset();
    const { code, stdout, stderr } = await runCliInProcess(
      ["call", "CreateUser", "instanceID=acme", "userName=bob", "privileges=login,changePasword"]
        .concat(flags),
      { env: USER },
    );
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, /^error: .*did you mean changePassword\?/);
    assert.equal(stderr.trimEnd().split("\n").length, 1);
    assert.equal(stats.byFunction.CreateUser, undefined);
  });

  await t.step("a login privilege and an authentication kind", async () => {
    for (
      const [args, hint] of [
        [["SetUserLoginPrivileges", "userName=admin", "loginPrivileges=imap,outlok"], "outlook"],
        [
          ["CreateUser", "userName=x", "privileges=login", "authentication=integrate"],
          "integrated",
        ],
      ] as const
    ) {
      const { code, stderr } = await runCliInProcess(
        ["call", args[0], "instanceID=acme", ...args.slice(1), ...flags],
        { env: USER },
      );
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`did you mean ${hint}\\?`));
    }
  });

  await t.step("an unknown field of a json argument, also with --what-if", async () => {
    stats.reset();
    for (const extra of [[], ["--what-if"]]) {
      const { code, stderr } = await runCliInProcess(
        ["call", "CreateInstance", `config={"instanceID":"n1","instanceHst":"host01"}`, ...extra]
          .concat(flags),
        { env: USER },
      );
      assert.equal(code, 2, stderr);
      assert.match(stderr, /unknown field: config\.instanceHst \(did you mean instanceHost\?\)/);
    }
    assert.equal(stats.byFunction.CreateInstance, undefined);
  });

  await t.step(
    "--no-value-check sends the value as given, in a single call and a fleet run",
    async () => {
      stats.reset();
      const typo = ["SetUserLoginPrivileges", "userName=admin", "loginPrivileges=imap,outlok"];
      const refused = await runCliInProcess(["call", ...typo, "instanceID=acme", ...flags], {
        env: USER,
      });
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /\(mspe-run: --no-value-check\)\.$/m);
      for (
        const args of [
          ["call", ...typo, "instanceID=acme", "--no-value-check"],
          ["call", ...typo, "--instances", "acme", "--no-value-check"],
        ]
      ) {
        const sent = await runCliInProcess([...args, ...flags], { env: USER });
        // Today's server (the mock) refuses it: exit 4, its own message.
        assert.equal(sent.code, 4, sent.stderr);
        assert.match(sent.stderr, /outlok/);
      }
      assert.equal(stats.byFunction.SetUserLoginPrivileges, 2);
    },
  );
});
