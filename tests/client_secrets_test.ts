// No message, stack, string form, JSON form or cause of any error may contain the password or the
// Authorization header. This test drives every error path and looks for both.

import {
  ApiError,
  ArgumentError,
  AuthenticationError,
  CancelledError,
  ConnectionError,
  HttpError,
  invokeCall,
  newClient,
  ProtocolError,
  resumeCall,
  startCall,
  stopCall,
  TlsError,
  TokenExpiredError,
} from "../mod.ts";
import type { MockServer } from "../lib/mock/mod.ts";
import { assertEquals } from "./_assert.ts";
import {
  apiReply,
  getUsersWithFault,
  serveRaw,
  serveSilent,
  startMock,
  succeeded,
  waitFor,
} from "./_helpers.ts";

const USER = "admin";
const SECRET = "Xq7-Secret-Pa55!";
const WRONG = "Wrong-Secret-77";

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

const FORBIDDEN = [
  SECRET,
  WRONG,
  base64(`${USER}:${SECRET}`),
  base64(`${USER}:${WRONG}`),
  base64(SECRET),
  encodeURIComponent(SECRET),
  "Basic ",
  "authorization",
  "Authorization",
];

/** Every text an error can be shown as: message, stack, String(), JSON, inspect, each cause too. */
function texts(error: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    out.push(String(current));
    out.push(Deno.inspect(current, { depth: Infinity, showHidden: true, getters: true }));
    try {
      out.push(JSON.stringify(current) ?? "");
    } catch {
      // A cyclic structure cannot be shown as JSON either.
    }
    if (current instanceof Error) {
      out.push(current.message, current.stack ?? "");
      out.push(JSON.stringify(
        Object.getOwnPropertyNames(current).map((key) => {
          try {
            return String((current as unknown as Record<string, unknown>)[key]);
          } catch {
            return "";
          }
        }),
      ));
      current = current.cause;
    } else {
      break;
    }
  }
  return out;
}

function assertClean(label: string, error: unknown): void {
  if (error === undefined) throw new Error(`${label}: expected an error`);
  for (const text of texts(error)) {
    for (const secret of FORBIDDEN) {
      if (text.includes(secret)) {
        throw new Error(`${label}: ${JSON.stringify(secret)} appears in ${text.slice(0, 300)}`);
      }
    }
  }
}

async function caught(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return error;
  }
  return undefined;
}

function options(server: MockServer) {
  return {
    username: USER,
    password: SECRET,
    host: server.hostname,
    port: server.port,
    tls: { caCerts: [server.certificate!.caPem] },
  };
}

type ErrorType = abstract new (...args: never[]) => unknown;

Deno.test("no error path reveals the password or the Authorization header", async () => {
  await using server = await startMock({ password: SECRET, jobs: { stepMs: Infinity } });
  await using serverProduct = await startMock({
    product: "server",
    password: SECRET,
    metadataWithoutAuth: true,
  });
  await using client = await newClient({
    ...options(server),
    requestTimeoutMs: 200,
    pollRetries: 0,
    // Each fault below hits once: a read sent again would succeed and hide the error path.
    retries: 0,
  });
  const results: [string, unknown, ErrorType][] = [];
  const check = async (label: string, type: ErrorType, run: Promise<unknown> | (() => unknown)) => {
    results.push([label, await caught(run), type]);
  };
  const verify = { instanceID: "acme", id: 1, includeIndexes: false } as const;

  await check(
    "401 at creation",
    AuthenticationError,
    newClient({ ...options(server), password: WRONG }),
  );
  await check(
    "401 at creation (MailStore Server)",
    AuthenticationError,
    newClient({ ...options(serverProduct), product: "server", password: WRONG }),
  );
  // A plain GetUsers call, broken on the mock's side in each way.
  const faults: [string, ErrorType, Parameters<typeof getUsersWithFault>[2], number?][] = [
    ["401 on a call", AuthenticationError, "unauthorized"],
    ["500", HttpError, "http500"],
    ["malformed JSON", ProtocolError, "malformed-json"],
    ["truncated", ProtocolError, "truncated"],
    ["connection dropped", ConnectionError, "drop-mid-body"],
    ["request timeout", DOMException, "latency", 1000],
  ];
  for (const [label, type, kind, latencyMs] of faults) {
    await check(label, type, getUsersWithFault(server, client, kind, latencyMs));
  }
  await check("404 on get-status", TokenExpiredError, resumeCall(client, "s-unknown").final);
  await check("404 on cancel-async", TokenExpiredError, stopCall(client, "s-unknown"));
  server.faults.add({ kind: "http503", path: "/api/get-status", times: 1 });
  await check("503 on a poll", HttpError, invokeCall(client, "VerifyStore", verify));
  await check(
    "API error",
    ApiError,
    invokeCall(client, "GetUserInfo", { instanceID: "acme", userName: "nobody-here" }),
  );
  await check(
    "argument error",
    ArgumentError,
    invokeCall(client, "GetUsers", { instanceId: "acme" } as never),
  );
  await check(
    "unknown function",
    ArgumentError,
    () => startCall(client, "GetUser" as "GetUsers", { instanceID: "a" }),
  );
  await check(
    "abort",
    DOMException,
    invokeCall(client, "GetUsers", { instanceID: "acme" }, { signal: AbortSignal.abort() }),
  );
  await check(
    "call timeout",
    DOMException,
    invokeCall(client, "VerifyStore", verify, { timeoutMs: 50 }),
  );
  const operation = startCall(client, "VerifyStore", { ...verify, id: 2 });
  await waitFor(() => server.stats.openLongPolls >= 1, "the long poll");
  await stopCall(client, operation);
  await check("cancelled", CancelledError, operation.final);
  const { tls: _, ...untrusted } = options(server);
  await check("untrusted certificate", TlsError, newClient(untrusted));
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = listener.addr.port;
  listener.close();
  await check(
    "connection refused",
    ConnectionError,
    newClient({ ...options(server), port: closedPort }),
  );
  {
    await using silent = serveSilent();
    await check(
      "silent server",
      DOMException,
      newClient({ ...options(server), port: silent.port, requestTimeoutMs: 100 }),
    );
  }
  {
    await using raw = serveRaw(() => apiReply(succeeded(null), { status: 404 }));
    await using rawClient = await newClient({ ...raw.options, password: SECRET });
    await check("404 on invoke", HttpError, invokeCall(rawClient, "Ping"));
  }
  const closed = await newClient({ ...options(server), metadata: "bundled" });
  await closed.close();
  await check("closed client", DOMException, invokeCall(closed, "Ping"));

  for (const [label, error, type] of results) {
    if (!(error instanceof type)) {
      throw new Error(`${label}: expected ${type.name}, got ${String(error)}`);
    }
    assertClean(label, error);
  }
  assertEquals(results.length, 22);
  // Nor does the client itself show it.
  assertClean("client", new Error("client", { cause: client }));
  assertEquals(JSON.stringify(client).includes(SECRET), false);
  assertEquals(Deno.inspect(client, { depth: Infinity, showHidden: true }).includes(SECRET), false);
});

Deno.test("the secrets check itself finds a leaked password", () => {
  const leaky = new Error("outer", { cause: new Error(`inner ${base64(`${USER}:${SECRET}`)}`) });
  let failed = false;
  try {
    assertClean("leaky", leaky);
  } catch {
    failed = true;
  }
  assertEquals(failed, true);
});
