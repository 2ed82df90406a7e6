// CA certificates given as PEM: the cheap shape check made before connecting, the full parse made
// after a refused server certificate, and how each reaches the user (library and mspe-run).
import assert from "node:assert/strict";
import { inspectCaCertificates } from "../lib/ca_certificates.ts";
import { serveMock } from "../lib/mock/mod.ts";
import { invokeCall, newClient, TlsError } from "../mod.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { PASSWORD, pem, USERNAME } from "./_helpers.ts";

const CA = pem("ca.pem");

function derOf(text: string): Uint8Array {
  const body = text.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("");
  return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
}

function pemOf(der: Uint8Array): string {
  const lines = btoa(String.fromCharCode(...der)).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

/** The header length of the DER element at `at` (tag and length bytes). */
function headerLength(der: Uint8Array, at: number): number {
  const first = der[at + 1]!;
  return first & 0x80 ? 2 + (first & 0x7f) : 2;
}

/**
 * The CA with one byte of its public key changed so that every length still adds up (the shape is a
 * certificate's) but node:crypto cannot parse it; the signature of the mock's certificate then does
 * not verify with it, so the handshake is refused. The first such change is taken, so the result
 * depends only on the fixture.
 */
function caDamagedInside(): string {
  const der = derOf(CA);
  // Certificate > tbsCertificate > [version], serial, algorithm, issuer, validity, subject.
  let at = headerLength(der, 0);
  at += headerLength(der, at); // into the tbsCertificate
  const end = (): number => {
    const header = headerLength(der, at);
    const first = der[at + 1]!;
    let length = first;
    if (first & 0x80) {
      length = 0;
      for (let i = 2; i < header; i++) length = length * 256 + der[at + i]!;
    }
    return at + header + length;
  };
  if (der[at] === 0xa0) at = end();
  for (let i = 0; i < 5; i++) at = end(); // serial, algorithm, issuer, validity, subject
  assert.equal(der[at], 0x30, "the public key is a SEQUENCE");
  for (let i = at + headerLength(der, at); i < end(); i++) {
    for (const flip of [0x01, 0x10, 0x80, 0xff]) {
      const changed = der.slice();
      changed[i]! ^= flip;
      const text = pemOf(changed);
      if (
        inspectCaCertificates(text).damaged === undefined &&
        inspectCaCertificates(text, "parse").damaged === 1
      ) {
        return text;
      }
    }
  }
  throw new Error("No change of the public key passes the shape check and fails the parse.");
}

Deno.test("CA certificates: the shape check passes the system's CA bundle and every fixture", async () => {
  const bundle = "/etc/ssl/certs/ca-certificates.crt";
  const texts = [CA, pem("server.pem"), pem("expired.pem"), pem("self-signed.pem")];
  try {
    texts.push(await Deno.readTextFile(bundle));
  } catch {
    console.log(`${bundle} is not on this machine: checked the fixtures only`);
  }
  for (const text of texts) {
    const found = inspectCaCertificates(text);
    assert.ok(found.count > 0);
    assert.equal(found.damaged, undefined);
    assert.equal(inspectCaCertificates(text, "parse").damaged, undefined);
  }
});

Deno.test("CA certificates: the shape check never refuses what node:crypto parses (every byte of the CA, four flips each)", () => {
  const der = derOf(CA);
  let refusedByShape = 0;
  let refusedOnlyByParse = 0;
  for (let i = 0; i < der.length; i++) {
    for (const flip of [0x01, 0x10, 0x80, 0xff]) {
      const changed = der.slice();
      changed[i]! ^= flip;
      const text = pemOf(changed);
      const shape = inspectCaCertificates(text).damaged !== undefined;
      const parse = inspectCaCertificates(text, "parse").damaged !== undefined;
      assert.ok(!shape || parse, `byte ${i} ^ ${flip}: the shape check refused a certificate`);
      if (shape) refusedByShape++;
      else if (parse) refusedOnlyByParse++;
    }
  }
  // Both kinds occur, so the assertion above was tested on both sides.
  assert.ok(refusedByShape > 100, `${refusedByShape}`);
  assert.ok(refusedOnlyByParse > 0, `${refusedOnlyByParse}`);
});

Deno.test("CA certificates: damaged inside, it passes the shape check and fails the parse", () => {
  const damaged = caDamagedInside();
  assert.equal(inspectCaCertificates(damaged).damaged, undefined);
  assert.equal(inspectCaCertificates(damaged, "parse").damaged, 1);
  assert.equal(inspectCaCertificates(CA + damaged, "parse").damaged, 2);
});

Deno.test("CA certificates: a server certificate refused with a CA damaged inside names the entry (library)", async () => {
  await using mock = await serveMock();
  const connect = (caCerts: string[]) =>
    newClient({
      username: USERNAME,
      password: PASSWORD,
      host: "localhost",
      port: mock.port,
      tls: { caCerts },
    });
  await assert.rejects(
    connect([pem("self-signed.pem"), caDamagedInside()]),
    (error: unknown) => {
      assert.ok(error instanceof TlsError, String(error));
      assert.match(
        error.message,
        new RegExp(
          `^The certificate of localhost:${mock.port} was refused, and caCerts\\[1\\] has a ` +
            "damaged certificate: .*copied whole\\.$",
        ),
      );
      // The entry as a field too, so that a caller can name its file without reading the message.
      assert.equal(error.caCertIndex, 1);
      return true;
    },
  );
  // Whole, the same CA works; refused for another reason, the message is the usual one.
  await using client = await connect([CA]);
  assert.equal((await invokeCall(client, "GetEnvironmentInfo")).statusCode, "succeeded");
  await assert.rejects(
    connect([pem("self-signed.pem")]),
    (error: unknown) =>
      error instanceof TlsError && /signed by a CA that is not trusted/.test(error.message) &&
      !/damaged/.test(error.message) && error.caCertIndex === undefined,
  );
});

Deno.test("CA certificates: mspe-run names the --ca-cert file damaged inside, with the TLS exit code", async () => {
  await using mock = await serveMock();
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/company-ca.pem`;
    await Deno.writeTextFile(file, caDamagedInside());
    const run = await runCliInProcess(
      [
        "call",
        "GetEnvironmentInfo",
        "--host",
        "localhost",
        "--port",
        String(mock.port),
        "--ca-cert",
        file,
      ],
      { env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" } },
    );
    assert.equal(run.code, 8, run.stderr);
    // includes, not a RegExp of the path: a Windows path's backslashes are escapes in one.
    assert.ok(
      run.stderr.includes(`the --ca-cert file ${file} has a damaged certificate`),
      run.stderr,
    );
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
