// checkCall: the check invokeCall and startCall make before sending, on its own. It throws what
// the call would throw, returns the catalogue entry and the instanceID the call goes to, honours
// defaultInstanceID and checkValues, and sends nothing.

import { assertEquals, assertRejects, assertThrows } from "./_assert.ts";
import {
  ArgumentError,
  checkCall,
  findFunction,
  invokeCall,
  startCall,
  uncheckedFunction,
} from "../mod.ts";
import { clientFor, startMock } from "./_helpers.ts";

/** The message of the ArgumentError `fn` throws (synchronously or as a rejection). */
async function argumentError(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof ArgumentError) return error.message;
    throw error;
  }
  throw new Error("no ArgumentError");
}

Deno.test("checkCall throws exactly what invokeCall and startCall throw, and sends nothing", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { metadata: "bundled" });
  const cases: [string, Record<string, unknown>][] = [
    ["GetUsers", { instanceId: "acme" }],
    ["GetUserInfo", { instanceID: "acme" }],
    ["GetUsers", { instanceID: 7 }],
    ["AttachStore", { instanceID: "acme", name: "s", databasePath: "d", requestedState: "gone" }],
  ];
  for (const [fn, args] of cases) {
    const checked = await argumentError(() => checkCall(client, uncheckedFunction(fn), args));
    const unchecked = uncheckedFunction(fn);
    assertEquals(checked, await argumentError(() => invokeCall(client, unchecked, args as never)));
    assertEquals(checked, await argumentError(() => startCall(client, unchecked, args as never)));
  }
  // A name the types know, unknown at run time: the typed call's error.
  const typo = "GetUser" as "GetUsers";
  assertEquals(
    await argumentError(() => checkCall(client, typo, {})),
    await argumentError(() => invokeCall(client, typo, { instanceID: "acme" })),
  );
  assertEquals(server.stats.requests, 0);
});

Deno.test("checkCall returns the name, the catalogue entry and the instanceID the call goes to", async () => {
  await using server = await startMock();
  await using plain = await clientFor(server, { metadata: "bundled" });
  const given = checkCall(plain, "DeleteUser", { instanceID: "acme", userName: "alice" });
  assertEquals(given.name, "DeleteUser");
  assertEquals(given.entry, findFunction("spe", "DeleteUser"));
  assertEquals(given.instanceID, "acme");
  const none = checkCall(plain, "GetEnvironmentInfo");
  assertEquals([none.instanceID, none.entry?.readOnly], [null, true]);
  const unknown = checkCall(plain, uncheckedFunction("GetSomethingNew"), { flag: true });
  assertEquals([unknown.name, unknown.entry], ["GetSomethingNew", undefined]);
  assertEquals(server.stats.requests, 0);
});

Deno.test("checkCall: the client's default instanceID applies unless defaultInstanceID says otherwise", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { metadata: "bundled", instanceID: "acme" });
  assertEquals(checkCall(client, "GetUsers").instanceID, "acme");
  assertEquals(
    checkCall(client, "GetUsers", {}, { defaultInstanceID: "globex" }).instanceID,
    "globex",
  );
  // No default applies: a missing instanceID is a missing mandatory argument, as for a client
  // without one.
  const error = assertThrows(
    () => checkCall(client, "GetUsers", {}, { defaultInstanceID: null }),
    ArgumentError,
  );
  await using bare = await clientFor(server, { metadata: "bundled" });
  assertEquals(
    error.message,
    await argumentError(() => invokeCall(bare, uncheckedFunction("GetUsers"))),
  );
  assertThrows(() => checkCall(client, "GetUsers", {}, { defaultInstanceID: "" }), ArgumentError);
  assertEquals(server.stats.requests, 0);
});

Deno.test("checkCall: checkValues false lets a value outside the documented set pass, as the call option does", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { metadata: "bundled" });
  const args = { instanceID: "acme", name: "s", databasePath: "d", requestedState: "archived" };
  assertThrows(() => checkCall(client, "AttachStore", args), ArgumentError, "documented set");
  assertEquals(checkCall(client, "AttachStore", args, { checkValues: false }).instanceID, "acme");
  await assertRejects(() => Promise.resolve(checkCall({} as never, "GetUsers")), ArgumentError);
});
