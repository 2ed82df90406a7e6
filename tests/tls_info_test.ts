// Tests of getCertificateInfo (lib/tls_info.ts) against real TLS servers on 127.0.0.1.

import assert from "node:assert/strict";
import { getCertificateInfo } from "../lib/tls_info.ts";
import { newClient } from "../lib/client.ts";
import { ArgumentError, ConnectionError, TlsError } from "../lib/errors.ts";
import { fingerprintOf, pem, serveFixture } from "./_helpers.ts";

const CA = pem("ca.pem");

Deno.test("tls-info: describes a CA-signed leaf and trusts it with caCerts", async () => {
  await using server = serveFixture("server");
  const info = await getCertificateInfo("localhost", server.addr.port, { caCerts: [CA] });
  assert.equal(info.host, "localhost");
  assert.equal(info.port, server.addr.port);
  assert.equal(info.subject, "CN=server");
  assert.equal(info.issuer, "CN=mspe test CA");
  assert.equal(info.sha256, await fingerprintOf(pem("server.pem")));
  assert.deepEqual(info.subjectAltNames, ["DNS:localhost", "IP:127.0.0.1"]);
  assert.equal(info.selfSigned, false);
  assert.equal(info.isCA, false);
  assert.equal(info.expired, false);
  assert.equal(info.hostNameMatches, true);
  assert.match(info.protocol ?? "", /^TLSv1\.[23]$/);
  assert.ok(info.cipher);
  assert.ok(Date.parse(info.validFrom) < Date.now() && Date.now() < Date.parse(info.validTo));
  assert.match(info.validTo, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(info.authorized, true);
  assert.equal(info.authorizationError, null);

  // The same over the address, and without the CA: described the same, but not trusted.
  const byAddress = await getCertificateInfo("127.0.0.1", server.addr.port, { caCerts: [CA] });
  assert.equal(byAddress.authorized, true);
  const untrusted = await getCertificateInfo("localhost", server.addr.port);
  assert.equal(untrusted.sha256, info.sha256);
  assert.equal(untrusted.authorized, false);
  assert.match(untrusted.authorizationError ?? "", /not trusted/);
});

Deno.test("tls-info: a self-signed CA:TRUE certificate is described, with the pin to use", async () => {
  await using server = serveFixture("self-signed");
  const info = await getCertificateInfo("127.0.0.1", server.addr.port);
  assert.equal(info.selfSigned, true);
  assert.equal(info.isCA, true);
  assert.equal(info.subject, info.issuer);
  assert.equal(info.sha256, await fingerprintOf(pem("self-signed.pem")));
  assert.equal(info.authorized, false);
  assert.match(info.authorizationError ?? "", /self-signed \(CA:TRUE\).*pin it/);
  // Even trusted as a CA, the default verification would refuse it as a server certificate.
  const asCa = await getCertificateInfo("localhost", server.addr.port, {
    caCerts: [pem("self-signed.pem")],
  });
  assert.equal(asCa.authorized, false);
  assert.match(asCa.authorizationError ?? "", /CA:TRUE/);
});

Deno.test("tls-info: an expired certificate is described as expired", async () => {
  await using server = serveFixture("expired");
  const info = await getCertificateInfo("localhost", server.addr.port, { caCerts: [CA] });
  assert.equal(info.expired, true);
  assert.equal(info.validTo, "2021-01-01T00:00:00.000Z");
  assert.equal(info.authorized, false);
  assert.match(info.authorizationError ?? "", /has expired/);
});

Deno.test("tls-info: a certificate for another host name does not match", async () => {
  await using server = serveFixture("wrong-host");
  const info = await getCertificateInfo("localhost", server.addr.port, { caCerts: [CA] });
  assert.deepEqual(info.subjectAltNames, ["DNS:wrong.example"]);
  assert.equal(info.hostNameMatches, false);
  assert.equal(info.authorized, false);
  assert.match(info.authorizationError ?? "", /another host name/);
  // With the name it was issued for (SNI and check), it matches and is trusted.
  const named = await getCertificateInfo("127.0.0.1", server.addr.port, {
    caCerts: [CA],
    servername: "wrong.example",
  });
  assert.equal(named.hostNameMatches, true);
  assert.equal(named.authorized, true);
});

Deno.test("tls-info: a closed port is a ConnectionError, a plain HTTP port a TlsError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assert.rejects(
    getCertificateInfo("127.0.0.1", port),
    (error: unknown) =>
      error instanceof ConnectionError && error.message.includes(`127.0.0.1:${port}`),
  );
  await using http = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  await assert.rejects(
    getCertificateInfo("127.0.0.1", http.addr.port),
    (error: unknown) => error instanceof TlsError && /speaks HTTPS/.test(error.message),
  );
});

Deno.test("tls-info: an abort rejects with the signal's reason", async () => {
  // A TCP listener that never answers the handshake.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  try {
    const controller = new AbortController();
    const pending = getCertificateInfo("127.0.0.1", (listener.addr as Deno.NetAddr).port, {
      signal: controller.signal,
    });
    const conn = await accepted;
    const reason = new DOMException("Gave up.", "TimeoutError");
    controller.abort(reason);
    await assert.rejects(pending, (error: unknown) => error === reason);
    conn.close();
    await assert.rejects(
      getCertificateInfo("127.0.0.1", 1, { signal: AbortSignal.abort() }),
      (error: unknown) => error instanceof DOMException && error.name === "AbortError",
    );
  } finally {
    listener.close();
  }
});

Deno.test("tls-info: bad arguments are ArgumentErrors", async () => {
  await assert.rejects(getCertificateInfo("", 8474), ArgumentError);
  await assert.rejects(getCertificateInfo("localhost", 0), ArgumentError);
  await assert.rejects(getCertificateInfo("localhost", 70000), ArgumentError);
});

Deno.test("tls-info: caCerts are read like the client reads them (indented PEM works, damaged PEM is refused)", async () => {
  await using server = serveFixture("server");
  // A CA file with indented lines, as some exports and hand edits leave them.
  const indented = CA.split("\n").map((line) => (line.startsWith("-----") ? line : `  ${line}`))
    .join("\n");
  const info = await getCertificateInfo("localhost", server.addr.port, { caCerts: [indented] });
  assert.equal(info.authorized, true);
  const damaged = "-----BEGIN CERTIFICATE-----\nnotbase64!!\n-----END CERTIFICATE-----\n";
  await assert.rejects(
    getCertificateInfo("localhost", server.addr.port, { caCerts: [CA, damaged] }),
    (error: unknown) => error instanceof ArgumentError && /caCerts\[1\]/.test(error.message),
  );
});

Deno.test("messages name an IPv6 server as [::1]:port, on the fetch path, the node:https path and in tls-info", async () => {
  let port: number;
  try {
    const listener = Deno.listen({ hostname: "::1", port: 0 });
    port = listener.addr.port;
    listener.close();
  } catch {
    console.log("IPv6 loopback (::1) is not available here: checked nothing");
    return;
  }
  const refused = new RegExp(`^Could not connect to \\[::1\\]:${port}: the connection was refused`);
  const client = (tls: { tlsVersion?: "1.3" }) =>
    newClient({ username: "admin", password: "Pa55-w0rd", host: "::1", port, tls });
  const isRefused = (error: unknown) =>
    error instanceof ConnectionError && refused.test(error.message);
  await assert.rejects(getCertificateInfo("::1", port), isRefused);
  await assert.rejects(client({ tlsVersion: "1.3" }), isRefused);
  await assert.rejects(client({}), isRefused);
});
