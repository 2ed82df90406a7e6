// getCertificateInfo (what `mspe-run tls-info` shows) and the node:https transport judge a server
// certificate with one verdict (lib/_certificate_verdict.ts): for each fixture the reason tls-info
// gives is the reason the transport refuses with, word for word, and what tls-info accepts (or the
// pin it shows) the transport accepts. The default path (fetch) agrees on accept or refuse.

import assert from "node:assert/strict";
import { getCertificateInfo } from "../lib/tls_info.ts";
import { createTransport, type TlsOptions } from "../lib/_transport.ts";
import { TlsError } from "../lib/errors.ts";
import { fingerprintOf, pem, serveFixture } from "./_helpers.ts";

const CA = pem("ca.pem");

/** What a transport with these options makes of the server: "ok", or the TlsError's message. */
async function outcome(port: number, tls: TlsOptions): Promise<string> {
  using transport = createTransport({ tls });
  try {
    const response = await transport.fetch(`https://localhost:${port}/`, {});
    return await response.text();
  } catch (error) {
    assert.ok(error instanceof TlsError, `got ${String(error)}`);
    return error.message;
  }
}

const REFUSED: { fixture: string; caCerts: string[]; reason: RegExp; facts: Partial<Facts> }[] = [
  { fixture: "server", caCerts: [], reason: /not trusted/, facts: { selfSigned: false } },
  {
    fixture: "self-signed",
    caCerts: [],
    reason: /^is self-signed \(CA:TRUE\), so nothing vouches for it; pin it$/,
    facts: { selfSigned: true, isCA: true },
  },
  {
    fixture: "expired",
    caCerts: [CA],
    reason: /^has expired \(valid until 2021-01-01T00:00:00\.000Z\); renew it on the server$/,
    facts: { expired: true, selfSigned: false },
  },
  {
    fixture: "wrong-host",
    caCerts: [CA],
    reason: /^was issued for another host name; .*\(.*wrong\.example.*\)$/,
    facts: { hostNameMatches: false, selfSigned: false },
  },
];

interface Facts {
  selfSigned: boolean;
  expired: boolean;
  hostNameMatches: boolean;
  isCA: boolean | null;
}

for (const { fixture, caCerts, reason, facts } of REFUSED) {
  Deno.test(
    `certificate verdict: ${fixture}${
      caCerts.length ? " (CA given)" : ""
    } is refused by tls-info and both transport paths, for the same reason`,
    async () => {
      await using server = serveFixture(fixture);
      const port = server.addr.port;
      const info = await getCertificateInfo("localhost", port, { caCerts });
      assert.equal(info.authorized, false);
      assert.match(info.authorizationError ?? "", reason);
      for (const [name, value] of Object.entries(facts)) {
        assert.equal(info[name as keyof Facts], value, name);
      }
      const node = await outcome(port, { caCerts, minTlsVersion: "1.2" });
      assert.ok(
        node.includes(`localhost:${port} was refused: it ${info.authorizationError}. `),
        `node path: ${node}`,
      );
      const fetchPath = await outcome(port, { caCerts });
      assert.notEqual(fetchPath, "ok", "default path");
    },
  );
}

Deno.test("certificate verdict: a CA-signed leaf with its CA is accepted by tls-info and both paths", async () => {
  await using server = serveFixture("server");
  const port = server.addr.port;
  const info = await getCertificateInfo("localhost", port, { caCerts: [CA] });
  assert.equal(info.authorized, true);
  assert.equal(info.selfSigned, false);
  assert.equal(await outcome(port, { caCerts: [CA], minTlsVersion: "1.2" }), "ok");
  assert.equal(await outcome(port, { caCerts: [CA] }), "ok");
});

Deno.test("certificate verdict: the pin tls-info shows for a self-signed certificate is the one the transport accepts", async () => {
  await using server = serveFixture("self-signed");
  const port = server.addr.port;
  const info = await getCertificateInfo("localhost", port);
  assert.equal(info.selfSigned, true);
  assert.equal(info.sha256, await fingerprintOf(pem("self-signed.pem")));
  assert.equal(await outcome(port, { pinnedSha256: info.sha256 }), "ok");
  const other = await fingerprintOf(pem("server.pem"));
  assert.match(await outcome(port, { pinnedSha256: other }), /does not match the pinned/);
});
