// TLS through the client's public surface: newClient and invokeCall against the mock served with each
// fixture certificate of tests/testdata/tls (the transport's own tests are tls_transport_test.ts).

import { ArgumentError, invokeCall, newClient, TlsError, type TlsOptions } from "../mod.ts";
import type { MockServer } from "../lib/mock/mod.ts";
import { assertEquals, assertMatch, assertRejects } from "./_assert.ts";
import { fingerprintOf, PASSWORD, pem, projectPath, startMock, USERNAME } from "./_helpers.ts";
import { type ProcessResult, runToEnd } from "./_run.ts";

const CA = pem("ca.pem");

/** The mock over HTTPS with the fixture certificate `name` (server, wrong-host, expired, self-signed). */
function mockWith(name: string): Promise<MockServer> {
  return startMock({ tls: { cert: pem(`${name}.pem`), key: pem(`${name}.key`) } });
}

/** A client for the mock at `localhost` (the name the fixtures are made for) with these TLS options. */
function connect(server: MockServer, tls: TlsOptions) {
  return newClient({
    username: USERNAME,
    password: PASSWORD,
    host: "localhost",
    port: server.port,
    tls,
  });
}

/** One call works over the client, and the mock saw it. */
async function assertWorks(server: MockServer, tls: TlsOptions): Promise<void> {
  await using client = await connect(server, tls);
  server.stats.reset();
  assertEquals((await invokeCall(client, "GetEnvironmentInfo")).statusCode, "succeeded");
  assertEquals(server.stats.requests, 1);
}

/** The client refuses the certificate before any request reaches the mock. */
async function assertRefused(
  server: MockServer,
  tls: TlsOptions,
  includes: string,
): Promise<TlsError> {
  server.stats.reset();
  const error = await assertRejects(connect(server, tls), TlsError, includes);
  assertEquals(server.stats.requests, 0);
  return error;
}

Deno.test("TLS: verification is on by default; a private CA is trusted through caCerts", async () => {
  await using server = await mockWith("server");
  const error = await assertRefused(server, {}, "not trusted");
  assertMatch(error.message, /caCerts/);
  await assertWorks(server, { caCerts: [CA] });
  // Over the IP address too (the certificate names 127.0.0.1).
  await using byAddress = await newClient({
    username: USERNAME,
    password: PASSWORD,
    host: "127.0.0.1",
    port: server.port,
    tls: { caCerts: [CA] },
  });
  assertEquals(byAddress.metadata?.length, 122);
});

Deno.test("TLS: a self-signed CA:TRUE certificate (Windows tooling) is trusted by its pin", async () => {
  await using server = await mockWith("self-signed");
  const pin = await fingerprintOf(pem("self-signed.pem"));
  assertEquals(server.certificate?.sha256, pin);
  await assertRefused(server, {}, "pin it instead");
  // Given as a CA it is still refused (a CA certificate used as the server's own).
  await assertRefused(server, { caCerts: [pem("self-signed.pem")] }, "pin it instead");
  await assertWorks(server, { pinnedSha256: pin });
  await assertWorks(server, { pinnedSha256: pin.replaceAll(":", "").toLowerCase() });
});

Deno.test("TLS: a pin that does not match is refused, naming both fingerprints", async () => {
  await using server = await mockWith("server");
  const wrong = await fingerprintOf(pem("self-signed.pem"));
  const error = await assertRefused(server, { pinnedSha256: wrong }, "pinned");
  assertMatch(error.message, new RegExp(wrong));
  assertMatch(error.message, new RegExp(await fingerprintOf(pem("server.pem"))));
});

Deno.test("TLS: a certificate for another host name is refused", async () => {
  await using server = await mockWith("wrong-host");
  await assertRefused(server, { caCerts: [CA] }, "another host name");
});

Deno.test("TLS: an expired certificate is refused", async () => {
  await using server = await mockWith("expired");
  await assertRefused(server, { caCerts: [CA] }, "has expired");
});

Deno.test("TLS: ignoreInvalidCerts accepts any certificate, per client, and says so once on stderr", async () => {
  const warnings: string[] = [];
  const original = console.error;
  console.error = (...data: unknown[]) => warnings.push(data.join(" "));
  try {
    for (const name of ["wrong-host", "expired", "self-signed"]) {
      await using server = await mockWith(name);
      warnings.length = 0;
      {
        await using client = await connect(server, { ignoreInvalidCerts: true });
        await invokeCall(client, "GetEnvironmentInfo");
        await invokeCall(client, "GetEnvironmentInfo");
      }
      assertEquals(warnings.length, 1, `${name}: ${warnings}`);
      assertMatch(warnings[0] ?? "", /^mspe: Certificate checks are off for this client/);
      // Never process-wide: a client without the option in the same process still refuses it.
      await assertRefused(server, { caCerts: [CA] }, "");
    }
  } finally {
    console.error = original;
  }
});

Deno.test("TLS: a version floor or pin of 1.2 or 1.3 connects; 1.0 and 1.1 are refused", async () => {
  await using server = await mockWith("server");
  await assertWorks(server, { caCerts: [CA], tlsVersion: "1.2" });
  await assertWorks(server, { caCerts: [CA], tlsVersion: "1.3" });
  await assertWorks(server, { caCerts: [CA], minTlsVersion: "1.3" });
  for (const version of ["1.0", "1.1"] as const) {
    server.stats.reset();
    await assertRejects(
      connect(server, { caCerts: [CA], minTlsVersion: version as "1.2" }),
      ArgumentError,
      `TLS ${version} is not supported`,
    );
    assertEquals(server.stats.requests, 0);
  }
});

Deno.test("TLS: a damaged caCerts entry rejects newClient at once, naming the entry, on both paths", async () => {
  await using server = await mockWith("server");
  const damaged = "-----BEGIN CERTIFICATE-----\nnotbase64!!\n-----END CERTIFICATE-----\n";
  // The default path, and the node:https path (a TLS version, ignoreInvalidCerts).
  const variants: TlsOptions[] = [{}, { tlsVersion: "1.2" }, { ignoreInvalidCerts: true }];
  for (const variant of variants) {
    const warnings: string[] = [];
    server.stats.reset();
    const error = await assertRejects(
      newClient({
        username: USERNAME,
        password: PASSWORD,
        host: "localhost",
        port: server.port,
        tls: { ...variant, caCerts: [CA, damaged] },
        onWarning: (message) => warnings.push(message),
      }),
      ArgumentError,
    );
    const label = JSON.stringify(variant);
    assertMatch(error.message, /^caCerts\[1\] has a damaged certificate: /, label);
    assertMatch(error.message, /PEM file of the CA certificate as it was exported/, label);
    assertMatch(error.message, /copied whole/, label);
    assertEquals(server.stats.requests, 0, label);
  }
  // The same CA, whole, works.
  await assertWorks(server, { caCerts: [CA] });
});

Deno.test("TLS: onWarning receives the ignoreInvalidCerts warning once per client instead of stderr", async () => {
  await using server = await mockWith("self-signed");
  const printed: string[] = [];
  const original = console.error;
  console.error = (...data: unknown[]) => printed.push(data.join(" "));
  try {
    const first: string[] = [];
    const second: string[] = [];
    const open = (seen: string[]) =>
      newClient({
        username: USERNAME,
        password: PASSWORD,
        host: "localhost",
        port: server.port,
        tls: { ignoreInvalidCerts: true },
        onWarning: (message) => seen.push(message),
      });
    {
      await using a = await open(first);
      await using b = await open(second);
      await invokeCall(a, "GetEnvironmentInfo");
      await invokeCall(b, "GetEnvironmentInfo");
      await invokeCall(a, "GetEnvironmentInfo");
    }
    assertEquals(first.length, 1, String(first));
    assertEquals(second.length, 1, String(second));
    // The text alone, for the application to show in its own style.
    assertMatch(first[0] ?? "", /^Certificate checks are off for this client/);
    assertMatch(first[0] ?? "", /pinnedSha256/);
    assertEquals(printed, []);
    // A client with verification on does not warn.
    const none: string[] = [];
    await using checked = await newClient({
      username: USERNAME,
      password: PASSWORD,
      host: "localhost",
      port: server.port,
      tls: { pinnedSha256: server.certificate?.sha256 ?? "" },
      onWarning: (message) => none.push(message),
    });
    await invokeCall(checked, "GetEnvironmentInfo");
    assertEquals(none, []);
  } finally {
    console.error = original;
  }
  await assertRejects(
    newClient({
      username: USERNAME,
      password: PASSWORD,
      onWarning: "stderr" as unknown as () => void,
    }),
    ArgumentError,
    "onWarning must be a function",
  );
});

/** Runs `code` in a fresh Deno process (the project's config) and returns what it printed. */
function runDeno(code: string): Promise<ProcessResult> {
  return runToEnd(Deno.execPath(), {
    args: ["eval", "-q", code],
    cwd: projectPath(),
    env: { NO_COLOR: "1" },
    stdin: "null",
  });
}

Deno.test("TLS: with onWarning nothing reaches the process's stderr; without it, one line", async () => {
  const script = (hook: boolean) => `
    import { invokeCall, newClient } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
    import { serveMock } from ${
    JSON.stringify(new URL("../lib/mock/mod.ts", import.meta.url).href)
  };
    const seen = [];
    await using server = await serveMock();
    {
      await using client = await newClient({
        username: "admin",
        password: "admin",
        host: "localhost",
        port: server.port,
        tls: { ignoreInvalidCerts: true },
        ${hook ? "onWarning: (message) => seen.push(message)," : ""}
      });
      await invokeCall(client, "GetEnvironmentInfo");
      await invokeCall(client, "GetEnvironmentInfo");
    }
    console.log(JSON.stringify(seen));
  `;
  const hooked = await runDeno(script(true));
  assertEquals(hooked.code, 0, hooked.stderr);
  assertEquals(hooked.stderr, "");
  const seen = JSON.parse(hooked.stdout) as string[];
  assertEquals(seen.length, 1);
  assertMatch(seen[0] ?? "", /^Certificate checks are off/);
  // The default, so that the check above can fail: exactly one line, with the library's prefix.
  const plain = await runDeno(script(false));
  assertEquals(plain.code, 0, plain.stderr);
  assertEquals(JSON.parse(plain.stdout), []);
  const lines = plain.stderr.trimEnd().split("\n");
  assertEquals(lines.length, 1, plain.stderr);
  assertMatch(lines[0] ?? "", /^mspe: Certificate checks are off for this client/);
});
