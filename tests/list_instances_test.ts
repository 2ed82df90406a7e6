// listInstances: the one "which instances" of the library (fleet runs, reports): a filter, or a
// list of IDs matched without regard to case, with the IDs the server does not know.

import { assertEquals, assertRejects, assertRejectsWith } from "./_assert.ts";
import { ArgumentError, invokeCall, listInstances } from "../mod.ts";
import { clientFor, startMock } from "./_helpers.ts";

Deno.test("listInstances: a filter gives the matching instances in the server's order", async () => {
  await using mock = await startMock({ instances: 30, problems: "none" });
  await using client = await clientFor(mock);
  const all = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? [];
  assertEquals(await listInstances(client), { found: all, missing: [] });
  const some = await listInstances(client, "tenant002*");
  assertEquals(some.found.map((instance) => instance.instanceID), [
    ...all.map((instance) => instance.instanceID).filter((id) => id.startsWith("tenant002")),
  ]);
  assertEquals(some.found.length, 10);
  assertEquals(await listInstances(client, "nothing*"), { found: [], missing: [] });
});

Deno.test("listInstances: a list is matched without regard to case; unknown IDs come back as given", async () => {
  await using mock = await startMock({ instances: 5, problems: "none" });
  await using client = await clientFor(mock);
  const all = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? [];
  const requests = mock.stats.requests;
  const listed = await listInstances(client, ["GLOBEX", "nobody", "acme", "Acme", "Nobody"]);
  assertEquals(mock.stats.requests - requests, 1, "one GetInstances, whatever the list's length");
  // The server's order and spelling, each instance once.
  assertEquals(
    listed.found,
    all.filter((instance) => ["acme", "globex"].includes(instance.instanceID)),
  );
  assertEquals(listed.missing, ["nobody"]);
  assertEquals(await listInstances(client, []), { found: [], missing: [] });
  assertEquals(mock.stats.requests - requests, 1, "an empty list sends nothing");
});

Deno.test("listInstances: ArgumentErrors before anything is sent; the signal aborts", async () => {
  await using mock = await startMock({ instances: 3 });
  await using client = await clientFor(mock);
  await assertRejects(listInstances(client, ""), ArgumentError, "filter is empty");
  await assertRejects(listInstances(client, ["acme", " "]), ArgumentError, "instances[1]");
  await assertRejects(listInstances(client, 7 as never), ArgumentError, "instance filter");
  const signal = AbortSignal.abort(new DOMException("stop", "AbortError"));
  await assertRejectsWith(listInstances(client, "*", { signal }), "AbortError", "stop");
  await using server = await startMock({ product: "server" });
  await using serverClient = await clientFor(server, { product: "server" });
  await assertRejects(listInstances(serverClient as never), ArgumentError, "needs an SPE client");
  assertEquals(server.stats.byPath["/api/invoke/GetInstances"] ?? 0, 0);
});
