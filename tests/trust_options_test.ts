/**
 * Options are checked (issue 7): an unknown option fails to compile and, at run time, is an
 * ArgumentError that suggests the right name; nothing is sent.
 *
 * @module
 */

import { ArgumentError, type ClientOptions, newClient } from "../mod.ts";
import { assertEquals, assertMatch, assertRejects } from "./_assert.ts";
import { serveHostile } from "./_trust_helpers.ts";

Deno.test("an unknown option does not compile, and at run time is an ArgumentError with a suggestion", async () => {
  await using server = serveHostile(() => "close");
  const error = await assertRejects(
    // @ts-expect-error: hots is not an option (the type check refuses it).
    newClient({ username: "admin", password: "admin", hots: "x", metadata: "fetch" }),
    ArgumentError,
  );
  assertMatch(error.message, /no option "hots"\. Did you mean host\?/);
  await assertRejects(
    // @ts-expect-error: requestTimeout is not an option.
    newClient({ ...server.options, requestTimeout: 5 }),
    ArgumentError,
    "Did you mean requestTimeoutMs?",
  );
  // Options built at run time (typed as ClientOptions) are checked the same way.
  const fromConfig = JSON.parse('{"username":"a","password":"b","prot":1}') as ClientOptions;
  await assertRejects(newClient(fromConfig), ArgumentError, "Did you mean port?");
  assertEquals(server.requests.length, 0);
  assertEquals(server.connections, 0);
});

Deno.test("every documented option is accepted", async () => {
  await using server = serveHostile(() => "close");
  await using client = await newClient({
    ...server.options,
    product: "spe",
    statusTimeoutMs: 10,
    requestTimeoutMs: 1000,
    instanceID: "acme",
    metadata: "bundled",
    signal: new AbortController().signal,
    fetch: globalThis.fetch,
    onWarning: () => {},
    pollRetries: 1,
    maxResponseBytes: 1 << 20,
    onTrace: () => {},
  });
  assertEquals(client.instanceID, "acme");
});
