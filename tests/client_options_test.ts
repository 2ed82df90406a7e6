import {
  ApiError,
  ArgumentError,
  AuthenticationError,
  CancelledError,
  type Client,
  type ClientOptions,
  ConnectionError,
  type FunctionMetadata,
  invokeCall,
  newClient,
  ProtocolError,
  resumeCall,
  startCall,
  stopCall,
  TlsError,
} from "../mod.ts";
import { TEST_CA_PEM } from "../lib/mock/_test_certificate.ts";
import { Deadlines } from "../lib/_deadlines.ts";
import { assertEquals, assertMatch, assertRejects, assertRejectsWith } from "./_assert.ts";
import {
  apiReply,
  clientFor,
  optionsFor,
  serveRaw,
  serveSilent,
  startMock,
  succeeded,
} from "./_helpers.ts";

const BASE = { username: "admin", password: "admin", metadata: "bundled" } as const;

Deno.test("newClient refuses bad options with an ArgumentError before connecting", async () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ password: "x" }, "username is missing"],
    [{ username: "", password: "x" }, "username is missing"],
    [{ username: "a:b", password: "x" }, "colon"],
    [{ username: "admin" }, "password is missing"],
    [{ username: "admin", password: "" }, "password is missing"],
    [{ ...BASE, port: 0 }, "port must be a whole number from 1 to 65535, not 0."],
    [{ ...BASE, port: 65536 }, "port must be"],
    [{ ...BASE, port: 80.5 }, "port must be"],
    [{ ...BASE, port: "8474" }, "port must be"],
    [{ ...BASE, host: "" }, "host must be"],
    [{ ...BASE, host: "https://spe.example.com" }, "without scheme"],
    [{ ...BASE, host: "spe.example.com:8474" }, "not a host name"],
    [{ ...BASE, host: "spe.example.com/api" }, "not a host name"],
    [{ ...BASE, host: "user@spe.example.com" }, "not a host name"],
    [{ ...BASE, host: "spe example" }, "not a host name"],
    [{ ...BASE, product: "exchange" }, 'product must be "spe"'],
    [{ ...BASE, statusTimeoutMs: -1 }, "statusTimeoutMs"],
    [{ ...BASE, statusTimeoutMs: 1.5 }, "statusTimeoutMs"],
    [{ ...BASE, requestTimeoutMs: 0 }, "requestTimeoutMs"],
    [{ ...BASE, requestTimeoutMs: NaN }, "requestTimeoutMs"],
    [{ ...BASE, requestTimeoutMs: 2 ** 31 }, "requestTimeoutMs must be a positive number"],
    [{ ...BASE, pollRetries: -1 }, "pollRetries"],
    [{ ...BASE, instanceID: "" }, "instanceID"],
    [{ ...BASE, metadata: "remote" }, "metadata must be"],
    [{ ...BASE, signal: "stop" }, "signal must be an AbortSignal"],
    [{ ...BASE, fetch: "fetch" }, "fetch must be a function"],
    [{ ...BASE, tls: { minTlsVersion: "1.0" } }, "TLS 1.0 is not supported"],
    [{ ...BASE, tls: { tlsVersion: "1.1" } }, "TLS 1.1 is not supported"],
  ];
  for (const [options, message] of cases) {
    await assertRejects(newClient(options as unknown as ClientOptions), ArgumentError, message);
  }
  await assertRejects(newClient(undefined as unknown as ClientOptions), ArgumentError);
});

Deno.test("newClient defaults: localhost, port 8474 for SPE and 8463 for MailStore Server", async () => {
  await using spe = await newClient(BASE);
  await using server = await newClient({ ...BASE, product: "server" });
  await using custom = await newClient({ ...BASE, host: "spe.example.com", port: 9443 });
  await using ipv6 = await newClient({ ...BASE, host: "::1" });
  await using bracketed = await newClient({ ...BASE, host: "[::1]", port: 8474 });
  assertEquals(spe.url, "https://localhost:8474");
  assertEquals(spe.product, "spe");
  assertEquals(server.url, "https://localhost:8463");
  assertEquals(server.product, "server");
  assertEquals(custom.url, "https://spe.example.com:9443");
  assertEquals(ipv6.url, "https://[::1]:8474");
  assertEquals(bracketed.url, "https://[::1]:8474");
  assertEquals(spe.username, "admin");
  assertEquals(spe.instanceID, null);
  assertEquals(server.metadata?.length, 89);
});

Deno.test("newClient checks the credentials by fetching get-metadata: 401 is an AuthenticationError", async () => {
  await using server = await startMock();
  const error = await assertRejects(
    newClient({ ...optionsFor(server), password: "wrong" }),
    AuthenticationError,
  );
  assertMatch(error.message, /Check the user name and password/);
  assertEquals(server.stats.authFailures, 1);
  // With bundled metadata nothing is sent at creation; the first call finds out.
  await using lazy = await newClient({
    ...optionsFor(server),
    password: "wrong",
    metadata: "bundled",
  });
  await assertRejects(invokeCall(lazy, "GetEnvironmentInfo"), AuthenticationError);
});

Deno.test("metadata given as a list is what calls are checked against", async () => {
  await using server = await startMock();
  const metadata: FunctionMetadata[] = [{
    name: "GetUsers",
    args: [{ name: "instanceID", type: "string", nullable: false }],
  }];
  await using client = await clientFor(server, { metadata });
  assertEquals(client.metadata, metadata);
  assertEquals(server.stats.requests, 0);
  assertEquals(
    (await invokeCall(client, "GetUsers", { instanceID: "acme" })).statusCode,
    "succeeded",
  );
  await assertRejects(invokeCall(client, "GetEnvironmentInfo"), ArgumentError, "Unknown function");
  await assertRejects(
    newClient({ ...optionsFor(server), metadata: [{ name: 5 }] as unknown as FunctionMetadata[] }),
    ArgumentError,
    "metadata",
  );
});

Deno.test("a get-metadata reply that is not a function list is a ProtocolError", async () => {
  let reply: unknown = succeeded(null);
  await using server = serveRaw(() => apiReply(reply));
  const options = { ...server.options, metadata: "fetch" } as const;
  await assertRejects(newClient(options), ProtocolError, "not an array");
  reply = [{ name: "GetUsers", args: [{ name: "instanceID" }] }];
  await assertRejects(newClient(options), ProtocolError, "no name or type");
  reply = [{ name: "GetUsers", args: [{ name: "instanceID", type: "String", nullable: false }] }];
  await using client = await newClient(options);
  assertEquals(client.metadata, [{
    name: "GetUsers",
    args: [{ name: "instanceID", type: "string", nullable: false }],
  }]);
});

Deno.test("the default instanceID is filled in for functions that take one", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { instanceID: "globex" });
  assertEquals(client.instanceID, "globex");
  const users = await invokeCall(client, "GetUsers");
  const direct = await invokeCall(client, "GetUsers", { instanceID: "globex" });
  assertEquals(users.result, direct.result);
  const other = await invokeCall(client, "GetUsers", { instanceID: "acme" });
  assertEquals(other.result?.length, users.result?.length);
  assertEquals((await invokeCall(client, "GetEnvironmentInfo")).statusCode, "succeeded");
  assertEquals(
    (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result?.length,
    3,
  );
});

Deno.test("await using closes the client and its connections", async () => {
  await using server = await startMock();
  let outside: Client<"spe", null>;
  {
    await using client = await clientFor(server);
    outside = client;
    await invokeCall(client, "GetEnvironmentInfo");
    assertEquals(client.closed, false);
  }
  assertEquals(outside.closed, true);
  await assertRejectsWith(
    invokeCall(outside, "GetEnvironmentInfo"),
    "AbortError",
    "client was closed",
  );
  // The sanitizers would fail this test if the connection pool were still open.
});

Deno.test("the client's signal aborts everything it does", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  const controller = new AbortController();
  await using client = await clientFor(server, { signal: controller.signal });
  assertEquals((await invokeCall(client, "GetEnvironmentInfo")).statusCode, "succeeded");
  controller.abort(new Error("shutting down"));
  await assertRejects(invokeCall(client, "GetEnvironmentInfo"), Error, "shutting down");
  await assertRejectsWith(
    newClient({ ...optionsFor(server), signal: AbortSignal.abort() }),
    "AbortError",
  );
});

Deno.test("an injected fetch carries every request", async () => {
  await using server = await startMock();
  const urls: string[] = [];
  const counting: typeof fetch = (input, init) => {
    urls.push(String(input));
    return fetch(input, init);
  };
  await using client = await clientFor(server, { fetch: counting });
  await invokeCall(client, "GetEnvironmentInfo");
  assertEquals(urls, [
    `https://${server.hostname}:${server.port}/api/get-metadata`,
    `https://${server.hostname}:${server.port}/api/invoke/GetEnvironmentInfo`,
  ]);
});

Deno.test("an untrusted certificate is a TlsError, a closed port a ConnectionError", async () => {
  await using server = await startMock();
  const { tls: _tls, ...untrusted } = optionsFor(server);
  const tls = await assertRejects(newClient(untrusted), TlsError);
  assertMatch(tls.message, /caCerts|pinnedSha256/);
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  await assertRejects(newClient({ ...optionsFor(server), port }), ConnectionError, "refused");
});

Deno.test("MailStore Server works with the same functions", async () => {
  // No seeded problems: the mock's planned store error would fail the VerifyStore below.
  await using server = await startMock({ product: "server", problems: "none" });
  await using client = await clientFor(server, { product: "server" });
  assertEquals(client.product, "server");
  assertEquals(client.metadata?.length, 89);
  const info = await invokeCall(client, "GetServerInfo");
  assertEquals(typeof info.result?.version, "string");
  assertEquals(typeof info.result?.machineName, "string");
  const users = await invokeCall(client, "GetUsers");
  assertEquals((users.result?.length ?? 0) > 0, true);
  const first = users.result?.[0];
  const userInfo = await invokeCall(client, "GetUserInfo", { userName: first!.userName });
  assertEquals(userInfo.result?.userName, first!.userName);
  const verify = await invokeCall(client, "VerifyStore", { id: 1, includeIndexes: false });
  assertEquals(verify.statusCode, "succeeded");
  assertEquals(verify.percentProgress, 100);
  server.app.jobs.config.stepMs = Infinity;
  const operation = startCall(client, "VerifyStore", { id: 1, includeIndexes: true });
  const token = (await operation.token)!;
  server.app.jobs.step(token);
  const resumed = resumeCall(client, token, { lastKnownStatusVersion: 1 });
  assertEquals((await resumed[Symbol.asyncIterator]().next()).value?.statusVersion, 2);
  await stopCall(client, operation);
  await assertRejects(operation.final, CancelledError);
  await assertRejects(resumed.final, CancelledError);
  await assertRejects(
    invokeCall(client, "GetEnvironmentInfo" as "GetServerInfo"),
    ArgumentError,
    "MailStore Server",
  );
});

Deno.test("TLS options reach the transport: a pinned certificate is trusted without its CA", async () => {
  await using server = await startMock();
  const { tls: _, ...withoutCa } = optionsFor(server);
  await using client = await newClient({
    ...withoutCa,
    tls: { pinnedSha256: server.certificate!.sha256 },
  });
  assertEquals(
    (await invokeCall(client, "GetUsers", { instanceID: "acme" })).statusCode,
    "succeeded",
  );
  await assertRejects(
    newClient({ ...withoutCa, tls: { pinnedSha256: "00".repeat(32) } }),
    TlsError,
    "pinned",
  );
});

/** The time limits given to the requests sent while `run` runs. */
async function longTimers(run: () => Promise<unknown>): Promise<number[]> {
  const original = Deadlines.prototype.add;
  const delays: number[] = [];
  Deadlines.prototype.add = function (this: Deadlines, limitMs, controller, timeout) {
    delays.push(limitMs);
    return original.call(this, limitMs, controller, timeout);
  };
  try {
    await run();
  } finally {
    Deadlines.prototype.add = original;
  }
  return delays;
}

Deno.test("every request has a limit: requestTimeoutMs, 120 s by default, plus statusTimeoutMs for a poll", async () => {
  await using server = await startMock();
  const verify = { instanceID: "acme", id: 1, includeIndexes: false } as const;
  {
    await using client = await clientFor(server, { statusTimeoutMs: 300 });
    assertEquals(await longTimers(() => invokeCall(client, "GetUsers", { instanceID: "acme" })), [
      120_000,
    ]);
    const delays = await longTimers(() => invokeCall(client, "VerifyStore", verify));
    assertEquals(delays[0], 120_000); // the call
    assertEquals(delays.length >= 2, true);
    assertEquals(delays.slice(1).every((ms) => ms === 120_300), true, `${delays}`); // the polls
  }
  // The largest limit a timer takes: a poll's limit is capped there instead of overflowing (which
  // would make a timer fire at once).
  await using patient = await clientFor(server, { requestTimeoutMs: 2 ** 31 - 1 });
  const delays = await longTimers(async () => {
    assertEquals((await invokeCall(patient, "VerifyStore", verify)).statusCode, "succeeded");
  });
  assertEquals(delays.every((ms) => ms === 2 ** 31 - 1), true, `${delays}`);
});

for (
  const [path, tls] of [
    ["verified fetch", { caCerts: [TEST_CA_PEM] }],
    ["node:https", { pinnedSha256: "AB".repeat(32) }],
  ] as const
) {
  Deno.test(`a server that accepts the connection but never answers cannot hang newClient or a call (${path})`, async () => {
    await using silent = serveSilent();
    const options = {
      username: "admin",
      password: "admin",
      host: silent.hostname,
      port: silent.port,
      tls,
      requestTimeoutMs: 150,
      pollRetries: 0,
    } as const;
    await assertRejectsWith(newClient(options), "TimeoutError", "/api/get-metadata");
    await assertRejectsWith(
      newClient({ ...options, product: "server" }),
      "TimeoutError",
      "/api/invoke/GetServerInfo",
    );
    await using client = await newClient({ ...options, metadata: "bundled" });
    await assertRejectsWith(invokeCall(client, "Ping"), "TimeoutError", "within 150 ms");
    await assertRejectsWith(
      resumeCall(client, "s-token", { statusTimeoutMs: 100 }).final,
      "TimeoutError",
      "within 250 ms (requestTimeoutMs plus the poll's statusTimeoutMs)",
    );
    assertEquals(silent.accepted >= 1, true);
  });
}

Deno.test("MailStore Server may answer get-metadata without credentials: newClient proves them with GetServerInfo", async () => {
  await using server = await startMock({ product: "server", metadataWithoutAuth: true });
  // The mock really answers get-metadata to anyone now, but nothing else.
  {
    using http = Deno.createHttpClient({ caCerts: [server.certificate!.caPem] });
    const open = await fetch(`${server.url}/api/get-metadata`, { method: "POST", client: http });
    assertEquals(open.status, 200);
    await open.body?.cancel();
    const closed = await fetch(`${server.url}/api/invoke/GetServerInfo`, {
      method: "POST",
      client: http,
    });
    assertEquals(closed.status, 401);
    await closed.body?.cancel();
  }
  server.stats.reset();
  await assertRejects(
    newClient({ ...optionsFor(server), product: "server", password: "wrong" }),
    AuthenticationError,
    "Check the user name and password",
  );
  assertEquals(server.stats.byPath, { "/api/invoke/GetServerInfo": 1 });
  assertEquals(server.stats.authFailures, 1);
  // The right password: exactly two requests, the check and the metadata.
  server.stats.reset();
  await using client = await newClient({ ...optionsFor(server), product: "server" });
  assertEquals(server.stats.byPath, { "/api/invoke/GetServerInfo": 1, "/api/get-metadata": 1 });
  assertEquals(server.stats.authFailures, 0);
  assertEquals(client.metadata?.length, 89);
  // Bundled metadata: nothing at creation (the first call finds a wrong password out).
  server.stats.reset();
  await using lazy = await newClient({
    ...optionsFor(server),
    product: "server",
    metadata: "bundled",
  });
  assertEquals(server.stats.requests, 0);
  assertEquals(lazy.product, "server");
});

Deno.test("SPE refuses get-metadata without credentials, so newClient costs that one request", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  assertEquals(server.stats.byPath, { "/api/get-metadata": 1 });
  assertEquals(client.metadata?.length, 122);
});

Deno.test("a failed GetServerInfo at creation is an AuthenticationError carrying the server's answer", async () => {
  await using raw = serveRaw(async (request) => {
    await request.body?.cancel();
    return apiReply({
      ...succeeded(null),
      error: { message: "Access denied: the user lacks the api privilege.", details: null },
      statusCode: "failed",
    });
  });
  const error = await assertRejects(
    newClient({ ...raw.options, product: "server", metadata: "fetch" }),
    AuthenticationError,
    'GetServerInfo answered "Access denied: the user lacks the api privilege."',
  );
  assertEquals(error.cause instanceof ApiError, true);
  assertEquals((error.cause as ApiError).unknownFunction, false);
});

Deno.test('product: "server" against SPE says the product is wrong, not the password', async () => {
  await using server = await startMock();
  const error = await assertRejects(
    newClient({ ...optionsFor(server), product: "server" }),
    AuthenticationError,
    "does not know GetServerInfo, so it is not MailStore Server",
  );
  assertEquals(error.cause instanceof ApiError, true);
  assertMatch((error.cause as ApiError).message, /Unknown API function GetServerInfo/);
  assertEquals((error.cause as ApiError).unknownFunction, true);
  assertEquals(server.stats.byPath, { "/api/invoke/GetServerInfo": 1 });
});
