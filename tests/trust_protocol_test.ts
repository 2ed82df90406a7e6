/**
 * A sane view of the protocol (issue 7), against a raw hostile TLS server: statusVersion only goes
 * up (no replayed status, no hot loop), a reply about another token or with an unknown statusCode is
 * a ProtocolError, a call counts as cancelled only after an accepted cancel-async, a reply larger
 * than maxResponseBytes is a ProtocolError, and a refused socket (too many open files) says it is a
 * local limit.
 *
 * @module
 */

import {
  ApiError,
  ArgumentError,
  CancelledError,
  ConnectionError,
  HttpError,
  invokeCall,
  newClient,
  ProtocolError,
  startCall,
  type Status,
  stopCall,
} from "../mod.ts";
import { toTransportError } from "../lib/_transport.ts";
import { assertEquals, assertMatch, assertRejects } from "./_assert.ts";
import { envelope, running, serveHostile } from "./_trust_helpers.ts";

const VERIFY = { instanceID: "acme", id: 1, includeIndexes: false } as const;

Deno.test("statusVersion only goes up: lower or equal replies are not yielded and the next poll backs off", async () => {
  // The server flips between versions 3 and 2 at once, 7 times, then ends with version 4 (7 polls).
  const pollTimes: number[] = [];
  await using server = serveHostile((request) => {
    if (request.path === "/api/invoke/VerifyStore") return { status: 200, body: running(2) };
    pollTimes.push(performance.now());
    const n = pollTimes.length;
    if (n > 7) return { status: 200, body: envelope({ token: "t1", statusVersion: 4 }) };
    return { status: 200, body: running(n % 2 === 1 ? 3 : 2) };
  });
  await using client = await newClient({ ...server.options, statusTimeoutMs: 5000 });
  const seen: Status[] = [];
  const final = await invokeCall(client, "VerifyStore", VERIFY, {
    onStatus: (status) => seen.push(status),
  });
  assertEquals(final.statusVersion, 4);
  assertEquals(seen.map((status) => status.statusVersion), [2, 3, 4]);
  // After each unchanged immediate reply the client waited (25 ms, doubling) before polling again:
  // a lower bound, so it cannot flake on a slow machine.
  const gaps = pollTimes.slice(1).map((time, i) => time - pollTimes[i]!);
  for (const [i, gap] of gaps.entries()) {
    if (i >= 1) assertEquals(gap >= 20, true, `gap ${i} after an unchanged reply was ${gap} ms`);
  }
  assertEquals(gaps.at(-1)! >= 200, true, `the backoff grew: ${gaps.map(Math.round)}`);
});

Deno.test("a get-status reply about another token is a ProtocolError", async () => {
  await using server = serveHostile((request) =>
    request.path === "/api/invoke/VerifyStore"
      ? { status: 200, body: running(1) }
      : { status: 200, body: envelope({ token: "someone-else", statusVersion: 5 }) }
  );
  await using client = await newClient(server.options);
  const error = await assertRejects(invokeCall(client, "VerifyStore", VERIFY), ProtocolError);
  assertMatch(error.message, /token t1 is about another call \(token someone-else\)/);
});

Deno.test("an unknown statusCode is a ProtocolError naming it, never a resolved call", async () => {
  for (const where of ["invoke", "poll"] as const) {
    await using server = serveHostile((request) =>
      where === "poll" && request.path === "/api/invoke/VerifyStore"
        ? { status: 200, body: running(1) }
        : { status: 200, body: envelope({ token: "t1", statusVersion: 5, statusCode: "paused" }) }
    );
    await using client = await newClient(server.options);
    const error = await assertRejects(invokeCall(client, "VerifyStore", VERIFY), ProtocolError);
    assertMatch(
      error.message,
      /statusCode "paused" is none of running, succeeded, failed, cancelled/,
    );
  }
});

Deno.test("cancelled only when cancel-async succeeded: a failed stopCall leaves a later failure an ApiError", async () => {
  let cancelFails = true;
  let polls = 0;
  const cancelDetails = "System.OperationCanceledException: canceled";
  await using server = serveHostile((request) => {
    if (request.path === "/api/invoke/VerifyStore") return { status: 200, body: running(1) };
    if (request.path === "/api/cancel-async") {
      return cancelFails
        ? { status: 500, headers: { "content-type": "text/plain" }, body: "cannot cancel" }
        : { status: 200, body: running(2) };
    }
    polls++;
    // The first polls answer "running", then the call fails.
    return polls < 3 ? { status: 200, body: running(1 + polls) } : {
      status: 200,
      body: envelope({
        token: "t1",
        statusVersion: 10,
        statusCode: "failed",
        error: { message: "The operation was canceled.", details: cancelDetails },
      }),
    };
  });
  await using client = await newClient({ ...server.options, statusTimeoutMs: 0 });
  const first = startCall(client, "VerifyStore", VERIFY);
  await first.token;
  await assertRejects(stopCall(client, first), HttpError);
  // The message mentions a cancel, but this client's cancel failed: the call failed.
  await assertRejects(first.final, ApiError);

  cancelFails = false;
  polls = 0;
  const second = startCall(client, "VerifyStore", VERIFY, {});
  await second.token;
  await stopCall(client, second);
  await assertRejects(second.final, CancelledError);
});

Deno.test("a call cancelled elsewhere is cancelled when the server says so by its exception, not by its message", async () => {
  let details: string | null = "System.OperationCanceledException: The operation was canceled.";
  await using server = serveHostile((request) =>
    request.path === "/api/invoke/VerifyStore" ? { status: 200, body: running(1) } : {
      status: 200,
      body: envelope({
        token: "t1",
        statusVersion: 10,
        statusCode: "failed",
        error: { message: "The operation was canceled.", details },
      }),
    }
  );
  await using client = await newClient({ ...server.options, statusTimeoutMs: 0 });
  // Another process sent cancel-async; the server names its cancellation exception.
  await assertRejects(invokeCall(client, "VerifyStore", VERIFY), CancelledError);
  // A message that only mentions a cancel is a failure.
  details = null;
  await assertRejects(invokeCall(client, "VerifyStore", VERIFY), ApiError);
});

for (const chunked of [false, true]) {
  for (const fn of ["GetUsers", "CreateUser"] as const) {
    Deno.test(`a reply larger than maxResponseBytes is a ProtocolError (${fn}, ${chunked ? "chunked" : "Content-Length"})`, async () => {
      const big = envelope({ result: "x".repeat(300_000) });
      await using server = serveHostile(() => ({ status: 200, body: big, chunked }));
      await using client = await newClient({ ...server.options, maxResponseBytes: 100_000 });
      const args = fn === "GetUsers"
        ? { instanceID: "acme" }
        : { instanceID: "acme", userName: "bob", privileges: "none" };
      const error = await assertRejects(
        invokeCall(client, fn as "GetUsers", args as { instanceID: string }),
        ProtocolError,
      );
      assertMatch(error.message, /larger than maxResponseBytes \(100000 bytes\)/);
      // Within the limit it is read as usual.
      await using roomy = await newClient({ ...server.options, maxResponseBytes: 1_000_000 });
      assertEquals(
        (await invokeCall(roomy, fn as "GetUsers", args as { instanceID: string })).statusCode,
        "succeeded",
      );
    });
  }
}

Deno.test("maxResponseBytes is checked, and its default is generous", async () => {
  await assertRejects(
    newClient({ username: "a", password: "b", maxResponseBytes: 10 }),
    ArgumentError,
    "maxResponseBytes",
  );
  // 256 MiB by default: a reply of 20 MB (about 100,000 users) is read.
  const big = envelope({ result: "x".repeat(20_000_000) });
  await using server = serveHostile(() => ({ status: 200, body: big }));
  await using client = await newClient(server.options);
  const status = await invokeCall(client, "GetUsers", { instanceID: "acme" });
  assertEquals((status.result as unknown as string).length, 20_000_000);
});

Deno.test("too many open files is a ConnectionError that says it is a local limit", () => {
  const inputs = [
    new Error("Too many open files (os error 24)"),
    Object.assign(new Error("connect EMFILE 127.0.0.1:8474"), { code: "EMFILE" }),
    new TypeError("error sending request", {
      cause: new Error("Too many open files (os error 23)"),
    }),
    // Windows: WSAEMFILE.
    new Error("An operation on a socket could not be performed (os error 10024)"),
  ];
  for (const input of inputs) {
    const error = toTransportError(input, "https://spe.example.com:8474/api/invoke/GetUsers");
    if (!(error instanceof ConnectionError)) throw new Error(`not mapped: ${String(error)}`);
    assertMatch(error.message, /too many open files.*local limit.*ulimit -n.*fewer calls at once/s);
  }
});
