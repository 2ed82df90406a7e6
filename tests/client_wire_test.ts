import {
  ApiError,
  ArgumentError,
  AuthenticationError,
  ConnectionError,
  HttpError,
  invokeCall,
  newClient,
  ProtocolError,
  startCall,
  uncheckedFunction,
} from "../mod.ts";
import { assertEquals, assertMatch, assertRejects } from "./_assert.ts";
import {
  apiReply,
  clientFor,
  ENVELOPE_KEYS,
  getUsersWithFault,
  PASSWORD,
  serveRaw,
  startMock,
  succeeded,
  USERNAME,
} from "./_helpers.ts";

Deno.test("a synchronous call is exactly one HTTP request, authenticated pre-emptively", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  server.stats.reset();
  const status = await invokeCall(client, "GetUsers", { instanceID: "acme" });
  assertEquals(status.statusCode, "succeeded");
  assertEquals(server.stats.requests, 1);
  assertEquals(server.stats.byFunction, { GetUsers: 1 });
  assertEquals(server.stats.authFailures, 0);
  for (let i = 0; i < 5; i++) await invokeCall(client, "GetEnvironmentInfo");
  assertEquals(server.stats.requests, 6);
  assertEquals(server.stats.authFailures, 0);
});

Deno.test("the whole envelope comes back, keys in the server's order", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  const status = await invokeCall(client, "GetEnvironmentInfo");
  assertEquals(Object.keys(status), ENVELOPE_KEYS);
  assertEquals(status.error, null);
  assertEquals(status.token, null);
  assertEquals(typeof status.result?.version, "string");
  assertEquals(typeof status.result?.systemProperties.totalPhysicalMemory, "number");
});

Deno.test("newClient fetches get-metadata once; bundled and none make no request", async () => {
  await using server = await startMock();
  {
    await using client = await clientFor(server);
    assertEquals(server.stats.byPath["/api/get-metadata"], 1);
    assertEquals(client.metadata?.length, 122);
    assertEquals(client.metadata?.find((fn) => fn.name === "GetUsers")?.args, [
      { name: "instanceID", type: "string", nullable: false },
    ]);
  }
  server.stats.reset();
  {
    await using bundled = await clientFor(server, { metadata: "bundled" });
    await using none = await clientFor(server, { metadata: "none" });
    assertEquals(server.stats.requests, 0);
    assertEquals(bundled.metadata?.length, 122);
    assertEquals(none.metadata, null);
    // Without metadata the call still goes out (the server checks it).
    const status = await invokeCall(none, "GetUsers", { instanceID: "acme" });
    assertEquals(status.statusCode, "succeeded");
    assertEquals(server.stats.requests, 1);
  }
});

Deno.test("on the wire: POST, form body with Content-Length, Basic header, encoded values", async () => {
  const seen: { method: string; path: string; headers: Headers; body: string }[] = [];
  await using server = serveRaw(async (request) => {
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      headers: new Headers(request.headers),
      body: await request.text(),
    });
    return apiReply(succeeded(null));
  });
  await using client = await newClient(server.options);
  await invokeCall(client, "GetEnvironmentInfo");
  await invokeCall(client, "CreateUser", {
    instanceID: "acme",
    userName: "Zoë Smith",
    privileges: ["login", "archive"],
    fullName: "",
    distinguishedName: null,
    authentication: undefined,
  });
  await invokeCall(client, "RenameStore", { instanceID: "acme", id: 0, name: "a&b=c" });
  await invokeCall(client, "GetStores", { instanceID: "acme", includeSize: false });
  await invokeCall(client, "CreateInstanceHost", { config: { serverName: "h", port: 8472 } });
  await invokeCall(client, "CreateInstanceHost", { config: '{"serverName":"h2"}' });
  await invokeCall(client, "GetStores", { instanceID: "acme", includeSize: true });
  await invokeCall(client, "RenameStore", { instanceID: "acme", id: 1e21, name: "big" });
  const expectedAuthorization = `Basic ${btoa(`${USERNAME}:${PASSWORD}`)}`;
  for (const request of seen) {
    assertEquals(request.method, "POST");
    assertEquals(request.headers.get("authorization"), expectedAuthorization);
    assertMatch(request.headers.get("content-type") ?? "", /^application\/x-www-form-urlencoded/);
    assertEquals(
      request.headers.get("content-length"),
      String(new TextEncoder().encode(request.body).length),
    );
    assertEquals(request.headers.get("transfer-encoding"), null);
  }
  assertEquals(seen.map((r) => r.path), [
    "/api/invoke/GetEnvironmentInfo",
    "/api/invoke/CreateUser",
    "/api/invoke/RenameStore",
    "/api/invoke/GetStores",
    "/api/invoke/CreateInstanceHost",
    "/api/invoke/CreateInstanceHost",
    "/api/invoke/GetStores",
    "/api/invoke/RenameStore",
  ]);
  assertEquals(seen[0]?.body, "");
  assertEquals(seen[0]?.headers.get("content-length"), "0");
  const forms = seen.map((r) => Object.fromEntries(new URLSearchParams(r.body)));
  assertEquals(forms[1], {
    instanceID: "acme",
    userName: "Zoë Smith",
    privileges: "login,archive",
    fullName: "",
  });
  assertEquals(forms[2]?.id, "0");
  assertEquals(forms[2]?.name, "a&b=c");
  assertEquals(forms[3], { instanceID: "acme", includeSize: "false" });
  assertEquals(forms[4], { config: '{"serverName":"h","port":8472}' });
  assertEquals(forms[5], { config: '{"serverName":"h2"}' }); // JSON text goes as it is
  assertEquals(forms[6]?.includeSize, "true");
  assertEquals(forms[7]?.id, "1000000000000000000000"); // decimal, never 1e+21
});

Deno.test("a call the metadata refuses costs no request; names that could alter the URL are refused", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  await using unchecked = await clientFor(server, { metadata: "none" });
  server.stats.reset();
  const refused: [() => Promise<unknown>, string][] = [
    [
      () => invokeCall(client, "GetUser" as "GetUsers", { instanceID: "acme" }),
      "Did you mean GetUsers",
    ],
    [
      () => invokeCall(client, "GetUsers", { instanceId: "acme" } as never),
      "did you mean instanceID",
    ],
    [
      () => invokeCall(client, "GetUserInfo", { instanceID: "acme" } as never),
      "missing mandatory argument userName",
    ],
    [() => invokeCall(client, "CompactStore", { instanceID: "acme", id: NaN }), "not NaN"],
    [
      () => invokeCall(client, "CompactStore", { instanceID: "acme", id: Infinity }),
      "not Infinity",
    ],
    [() => invokeCall(unchecked, "../get-metadata" as "Ping"), "not a valid function name"],
    [() => invokeCall(unchecked, "GetUsers?instanceID=x" as "Ping"), "not a valid function name"],
    [() => invokeCall(unchecked, uncheckedFunction("Get%2FUsers")), "not a valid function name"],
    [
      () => Promise.resolve().then(() => startCall(unchecked, "a/b" as "Ping")),
      "not a valid function name",
    ],
  ];
  for (const [call, message] of refused) await assertRejects(call, ArgumentError, message);
  assertEquals(server.stats.requests, 0);
});

Deno.test("connections are kept alive and reused", async () => {
  const clientPorts: number[] = [];
  await using server = serveRaw((_request, info) => {
    clientPorts.push(info.remoteAddr.port);
    return apiReply(succeeded(null));
  });
  await using client = await newClient(server.options);
  for (let i = 0; i < 5; i++) await invokeCall(client, "Ping");
  assertEquals(clientPorts.length, 5);
  assertEquals(new Set(clientPorts).size, 1, `one connection expected, ports: ${clientPorts}`);
});

Deno.test("replies with or without BOM, with CRLF or LF, are read", async () => {
  let variant = 0;
  await using raw = serveRaw(() => {
    variant++;
    if (variant === 1) return apiReply(succeeded({ n: 1 }), { bom: true });
    if (variant === 2) return apiReply(succeeded({ n: 2 }), { bom: false });
    return new Response(JSON.stringify(succeeded({ n: 3 }), null, 2), { status: 200 });
  });
  await using client = await newClient(raw.options);
  for (const n of [1, 2, 3]) {
    const status = await invokeCall(client, uncheckedFunction("Anything"));
    assertEquals(status.result, { n });
  }
  await using server = await startMock();
  await using mockClient = await clientFor(server);
  server.faults.add({ kind: "no-bom", function: "GetUsers", times: 1 });
  const first = await invokeCall(mockClient, "GetUsers", { instanceID: "acme" });
  const second = await invokeCall(mockClient, "GetUsers", { instanceID: "acme" });
  assertEquals(first.result, second.result);
});

Deno.test("a reply that is not JSON is a ProtocolError with the HTTP status and an excerpt", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  const malformed = await assertRejects(
    getUsersWithFault(server, client, "malformed-json"),
    ProtocolError,
  );
  assertEquals(malformed.status, 200);
  assertEquals(malformed.excerpt.length > 0, true);
  assertMatch(malformed.message, /\/api\/invoke\/GetUsers \(HTTP 200\).*not valid JSON|ends early/);

  const truncated = await assertRejects(
    getUsersWithFault(server, client, "truncated"),
    ProtocolError,
    "truncated",
  );
  assertEquals(truncated.status, 200);
  assertMatch(truncated.excerpt, /^\{/);

  await using raw = serveRaw(() =>
    new Response("<html><body><h1>Bad Gateway Page</h1></body></html>", {
      status: 200,
      headers: { "content-type": "text/html" },
    })
  );
  await using rawClient = await newClient(raw.options);
  const html = await assertRejects(invokeCall(rawClient, "Ping"), ProtocolError, "HTML page");
  assertEquals(html.excerpt, "<html><body><h1>Bad Gateway Page</h1></body></html>");
});

Deno.test("JSON that is not a status envelope is a ProtocolError naming what is wrong", async () => {
  const bodies: [unknown, string][] = [
    [[1, 2], "it is an array"],
    [{ result: 1 }, "statusCode is missing"],
    [{ ...succeeded(1), statusVersion: "2" }, "statusVersion"],
    [{ ...succeeded(1), error: "boom" }, "error is neither null nor an object"],
    [{ ...succeeded(1), token: 5 }, "token is not a string"],
    [{ ...succeeded(1), percentProgress: "5%" }, "percentProgress"],
  ];
  let index = 0;
  await using raw = serveRaw(() => apiReply(bodies[index++]?.[0]));
  await using client = await newClient(raw.options);
  for (const [, what] of bodies) {
    const error = await assertRejects(invokeCall(client, "Ping"), ProtocolError, what);
    assertEquals(error.status, 200);
  }
});

Deno.test("HTTP statuses: 401 AuthenticationError, 500/503 HttpError with excerpt", async () => {
  await using server = await startMock();
  // retries: 0, so that the one-time 503 is the error (a read is otherwise sent again after it).
  await using client = await clientFor(server, { retries: 0 });
  const auth = await assertRejects(
    getUsersWithFault(server, client, "unauthorized"),
    AuthenticationError,
  );
  assertMatch(auth.message, /Check the user name and password/);
  for (const [kind, status] of [["http500", 500], ["http503", 503]] as const) {
    const error = await assertRejects(getUsersWithFault(server, client, kind), HttpError);
    assertEquals(error.status, status);
    assertMatch(error.message, new RegExp(`HTTP ${status} [A-Za-z ]+ to /api/invoke/GetUsers\\.`));
    assertEquals(error.excerpt.length > 0, true);
  }
  // With retries: 0 a read is sent once; a 401 or 500 is never retried anyway.
  assertEquals(server.stats.byFunction["GetUsers"], 3);
});

Deno.test("a connection that breaks during a read is a ConnectionError; with retries: 0 it is sent once", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { retries: 0 });
  server.stats.reset();
  for (const kind of ["drop-before-body", "drop-mid-body"] as const) {
    await assertRejects(getUsersWithFault(server, client, kind), ConnectionError);
  }
  assertEquals(server.stats.byFunction["GetUsers"], 2);
  // The client still works afterwards.
  assertEquals(
    (await invokeCall(client, "GetUsers", { instanceID: "acme" })).statusCode,
    "succeeded",
  );
});

Deno.test("a failed call is an ApiError carrying the server's message, details and status", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  const error = await assertRejects(
    invokeCall(client, "GetUserInfo", { instanceID: "acme", userName: "nobody-here" }),
    ApiError,
  );
  assertEquals(error.status.statusCode, "failed");
  assertEquals(error.status.error?.message !== undefined, true);
  assertMatch(error.message, /^GetUserInfo failed on the server: /);
  assertEquals(error.details, error.status.error?.details ?? null);

  server.app.state.instance("acme")!.serviceProviderAccess = false;
  const denied = await assertRejects(
    invokeCall(client, "GetUsers", { instanceID: "acme" }),
    ApiError,
  );
  assertMatch(denied.message, /Service provider access/);
});

Deno.test("the escape hatch reaches functions the catalogue does not know", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { metadata: "bundled" });
  server.stats.reset();
  const error = await assertRejects(
    invokeCall(client, uncheckedFunction("GetSomethingNew"), { flag: true }),
    ApiError,
    "Unknown API function GetSomethingNew",
  );
  assertEquals(error.status.statusCode, "failed");
  assertEquals(server.stats.byFunction["GetSomethingNew"], 1);
  // Known functions through the escape hatch are still validated by the metadata.
  await assertRejects(
    invokeCall(client, uncheckedFunction("GetUsers"), { instanceId: "acme" }),
    Error,
    "did you mean instanceID",
  );
  assertEquals(server.stats.requests, 1);
});
