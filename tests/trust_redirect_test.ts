/**
 * No redirects (issue 7): a 3xx is an HttpError naming the status and the Location host, on both
 * transport paths and for every kind of request (a read on the pool, a state-changing call on its
 * own connection, get-metadata); nothing reaches the place it points at.
 *
 * @module
 */

import { HttpError, invokeCall, newClient } from "../mod.ts";
import { TEST_SERVER_CERT_PEM } from "../lib/mock/_test_certificate.ts";
import { assertEquals, assertMatch, assertRejects } from "./_assert.ts";
import { fingerprintOf } from "./_helpers.ts";
import { envelope, type HostileServer, serveHostile } from "./_trust_helpers.ts";

const PIN = await fingerprintOf(TEST_SERVER_CERT_PEM);
const SECRET = "n3w Pässw0rd&=+";

for (const status of [301, 302, 303, 307, 308]) {
  for (const path of ["default", "node:https"] as const) {
    Deno.test(`${path} path: HTTP ${status} is an HttpError and nothing is sent to the Location`, async () => {
      await using other = serveHostile(() => ({
        status: 200,
        body: envelope({ result: "other" }),
      }));
      const location = `https://127.0.0.1:${other.port}/api/elsewhere?x=1`;
      await using server = serveHostile((request) =>
        request.path === "/api/get-metadata" && status === 301
          ? { status: 200, body: "[]" }
          : { status, headers: { location }, body: "<html>moved</html>" }
      );
      const options = (s: HostileServer) =>
        path === "default" ? s.options : { ...s.options, tls: { pinnedSha256: PIN } };
      await using client = await newClient(options(server));
      // A read (pooled), and a call that changes state carrying a secret (its own connection).
      const read = await assertRejects(
        invokeCall(client, "GetUsers", { instanceID: "acme" }),
        HttpError,
      );
      const write = await assertRejects(
        invokeCall(client, "SetUserPassword", {
          instanceID: "acme",
          userName: "bob",
          password: SECRET,
        }),
        HttpError,
      );
      for (const error of [read, write]) {
        assertEquals(error.status, status);
        assertEquals(error.redirectHost, `127.0.0.1:${other.port}`);
        assertMatch(
          error.message,
          new RegExp(`HTTP ${status}.*redirect to 127\\.0\\.0\\.1:${other.port}`),
        );
        assertMatch(error.message, /follows no redirects/);
      }
      // get-metadata at creation.
      if (status !== 301) {
        const metadata = await assertRejects(
          newClient({ ...options(server), metadata: "fetch" }),
          HttpError,
        );
        assertEquals(metadata.status, status);
      }
      assertEquals(other.requests.length, 0);
      assertEquals(
        server.requests.filter((r) => r.path === "/api/invoke/SetUserPassword").length,
        1,
      );
    });
  }
}

Deno.test("a redirect without a Location says so", async () => {
  await using server = serveHostile(() => ({ status: 307, body: "" }));
  await using client = await newClient(server.options);
  const error = await assertRejects(
    invokeCall(client, "GetUsers", { instanceID: "acme" }),
    HttpError,
  );
  assertMatch(error.message, /HTTP 307 .*no location given/);
});
