import {
  ApiError,
  ArgumentError,
  CancelledError,
  ConnectionError,
  HttpError,
  invokeCall,
  newClient,
  resumeCall,
  startCall,
  type Status,
  stopCall,
  TokenExpiredError,
} from "../mod.ts";
import { assertEquals, assertMatch, assertRejects, assertRejectsWith } from "./_assert.ts";
import { apiReply, clientFor, serveRaw, startMock, succeeded, waitFor } from "./_helpers.ts";
import { isRetryablePollError, retryDelay } from "../lib/_retry.ts";

const VERIFY = { instanceID: "acme", id: 1, includeIndexes: false } as const;

function versions(statuses: readonly Status[]): number[] {
  return statuses.map((status) => status.statusVersion);
}

Deno.test("startCall yields the first reply, one status per new version, then the final one", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  server.stats.reset();
  const operation = startCall(client, "VerifyStore", VERIFY);
  const seen: Status[] = [];
  for await (const status of operation) seen.push(status);
  assertEquals(seen[0]?.statusCode, "running");
  assertEquals(seen[0]?.statusVersion, 1);
  assertEquals(seen.at(-1)?.statusCode, "succeeded");
  assertEquals(seen.at(-1)?.percentProgress, 100);
  assertEquals(seen.slice(0, -1).every((status) => status.statusCode === "running"), true);
  const list = versions(seen);
  assertEquals(
    list.every((version, i) => i === 0 || version > (list[i - 1] ?? 0)),
    true,
    `${list}`,
  );
  const token = await operation.token;
  assertMatch(token ?? "", /^s[0-9a-f]{32}$/);
  assertEquals(seen.every((status) => status.token === token), true);
  assertEquals(await operation.final, seen.at(-1));
  assertEquals(operation.latest, seen.at(-1));
  assertEquals(operation.done, true);
  assertEquals(operation.functionName, "VerifyStore");
  // One get-status per status after the first: the server held each poll until there was news.
  assertEquals(server.stats.byPath["/api/get-status"], seen.length - 1);
  // A second loop over the same operation replays every status.
  const again: Status[] = [];
  for await (const status of operation) again.push(status);
  assertEquals(again, seen);
});

Deno.test("the long poll sends token, lastKnownStatusVersion and millisecondsTimeout", async () => {
  const polls: Record<string, string>[] = [];
  await using server = serveRaw(async (request) => {
    const path = new URL(request.url).pathname;
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    if (path === "/api/invoke/VerifyStore") {
      return apiReply({ ...succeeded(null), token: "t1", statusVersion: 1, statusCode: "running" });
    }
    polls.push(form);
    const version = Number(form.lastKnownStatusVersion) + 1;
    return apiReply({
      ...succeeded(version === 3 ? "done" : null),
      token: "t1",
      statusVersion: version,
      statusCode: version === 3 ? "succeeded" : "running",
    });
  });
  await using client = await newClient({ ...server.options, statusTimeoutMs: 1234 });
  const final = await invokeCall(client, "VerifyStore", VERIFY);
  assertEquals(final.result, "done");
  assertEquals(polls, [
    { token: "t1", lastKnownStatusVersion: "1", millisecondsTimeout: "1234" },
    { token: "t1", lastKnownStatusVersion: "2", millisecondsTimeout: "1234" },
  ]);
  polls.length = 0;
  await invokeCall(client, "VerifyStore", VERIFY, { statusTimeoutMs: 0 });
  assertEquals(polls.map((form) => form.millisecondsTimeout), ["0", "0"]);
  // By default the server may hold each poll 5000 ms, as in the PowerShell wrapper.
  polls.length = 0;
  await using byDefault = await newClient(server.options);
  await invokeCall(byDefault, "VerifyStore", VERIFY);
  assertEquals(polls.map((form) => form.millisecondsTimeout), ["5000", "5000"]);
});

Deno.test("invokeCall follows a long-running call to its end and calls onStatus on every status", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  const seen: Status[] = [];
  const final = await invokeCall(client, "VerifyStore", VERIFY, { onStatus: (s) => seen.push(s) });
  assertEquals(final.statusCode, "succeeded");
  assertEquals(final.percentProgress, 100);
  assertEquals(seen[0]?.statusCode, "running");
  assertEquals(seen.at(-1), final);
  assertEquals(seen.length >= 2, true);
  // startCall's onStatus: the same, while nobody iterates.
  const statuses: number[] = [];
  const operation = startCall(client, "VerifyStore", VERIFY, {
    onStatus: (status) => statuses.push(status.statusVersion),
  });
  const last = await operation.final;
  assertEquals(statuses[0], 1);
  assertEquals(statuses.at(-1), last.statusVersion);
});

Deno.test("an error thrown by onStatus stops the call and rejects with it", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  const boom = new Error("callback failed");
  const operation = startCall(client, "VerifyStore", VERIFY, {
    onStatus: () => {
      throw boom;
    },
  });
  assertEquals(await operation.final.catch((error) => error), boom);
  assertEquals(server.stats.byPath["/api/get-status"] ?? 0, 0);
});

Deno.test("polls wait on the server: no client-side sleeping and no extra polls", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  server.stats.reset();
  const operation = startCall(client, "VerifyStore", VERIFY);
  const iterator = operation[Symbol.asyncIterator]();
  assertEquals((await iterator.next()).value?.statusVersion, 1);
  const token = (await operation.token)!;
  await waitFor(() => server.stats.openLongPolls === 1, "the first long poll");
  // Nothing happens on the server: the single poll stays open, and no other one is sent.
  await new Promise((resolve) => setTimeout(resolve, 150));
  assertEquals(server.stats.byPath["/api/get-status"], 1);
  // News on the server answers the held poll at once.
  server.app.jobs.step(token);
  assertEquals((await iterator.next()).value?.statusVersion, 2);
  for (let version = 3; server.app.jobs.step(token); version++) {
    await waitFor(() => (operation.latest?.statusVersion ?? 0) >= version, `status ${version}`);
  }
  const rest: Status[] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    rest.push(next.value);
  }
  assertEquals(versions(rest), [3, 4, 5]);
  assertEquals(rest.at(-1)?.statusCode, "succeeded");
  // One poll per new status: each was held by the server until the status changed.
  assertEquals(server.stats.byPath["/api/get-status"], 4);
});

Deno.test("a server that answers polls at once with an unchanged status cannot make the client spin", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  server.faults.add({ kind: "early-return", path: "/api/get-status" });
  const operation = startCall(client, "VerifyStore", VERIFY);
  const token = (await operation.token)!;
  await new Promise((resolve) => setTimeout(resolve, 400));
  const polls = server.stats.byPath["/api/get-status"] ?? 0;
  // With the backoff (25, 50, 100, 200 ms ...) that is a handful; spinning would be hundreds.
  assertEquals(polls >= 2 && polls <= 10, true, `${polls} polls in 400 ms`);
  while (server.app.jobs.step(token)) { /* finish the job */ }
  assertEquals((await operation.final).statusCode, "succeeded");
});

Deno.test("break stops watching and aborts the poll in flight; the server's work goes on", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  const operation = startCall(client, "VerifyStore", VERIFY);
  for await (const status of operation) {
    assertEquals(status.statusVersion, 1);
    await waitFor(() => server.stats.openLongPolls === 1, "the long poll");
    break;
  }
  await assertRejectsWith(operation.final, "AbortError", "server's work goes on");
  await waitFor(() => server.stats.openLongPolls === 0, "the aborted poll to close");
  assertEquals(server.stats.runningJobs, 1);
  assertEquals(server.app.jobs.has((await operation.token)!), true);
  assertEquals(operation.done, true);
});

Deno.test("aborting the call's signal stops it with the signal's reason", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  const controller = new AbortController();
  const operation = startCall(client, "VerifyStore", VERIFY, { signal: controller.signal });
  await waitFor(() => server.stats.openLongPolls === 1, "the long poll");
  controller.abort();
  const seen: Status[] = [];
  await assertRejectsWith(
    (async () => {
      for await (const status of operation) seen.push(status);
    })(),
    "AbortError",
  );
  assertEquals(versions(seen), [1]);
  await assertRejectsWith(operation.final, "AbortError");
  await waitFor(() => server.stats.openLongPolls === 0, "the aborted poll to close");
  // invokeCall: the same, and a signal aborted before the call sends nothing.
  server.stats.reset();
  const reason = new Error("no longer needed");
  await assertRejects(
    invokeCall(client, "GetUsers", { instanceID: "acme" }, { signal: AbortSignal.abort(reason) }),
    Error,
    "no longer needed",
  );
  assertEquals(server.stats.requests, 0);
});

Deno.test("timeoutMs limits the whole call, requestTimeoutMs each request: TimeoutError", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  await assertRejectsWith(
    invokeCall(client, "VerifyStore", VERIFY, { timeoutMs: 100 }),
    "TimeoutError",
    "VerifyStore did not finish within 100 ms",
  );

  // retries: 0, since a read is otherwise sent again after a timeout (and the fault hits once).
  await using quick = await clientFor(server, {
    requestTimeoutMs: 100,
    metadata: "bundled",
    retries: 0,
  });
  server.faults.add({ kind: "latency", function: "GetUsers", latencyMs: 1000, times: 1 });
  await assertRejectsWith(
    invokeCall(quick, "GetUsers", { instanceID: "acme" }),
    "TimeoutError",
    "requestTimeoutMs",
  );
  // A long poll may take statusTimeoutMs longer than requestTimeoutMs: a held poll is no timeout.
  await using polling = await clientFor(server, {
    requestTimeoutMs: 100,
    statusTimeoutMs: 250,
    metadata: "bundled",
  });
  const operation = startCall(polling, "VerifyStore", VERIFY);
  const token = (await operation.token)!;
  await new Promise((resolve) => setTimeout(resolve, 400));
  while (server.app.jobs.step(token)) { /* finish */ }
  assertEquals((await operation.final).statusCode, "succeeded");
});

for (const cancelledStatusCode of ["failed", "cancelled"] as const) {
  Deno.test(`stopCall cancels: the operation ends with CancelledError (server says "${cancelledStatusCode}")`, async () => {
    await using server = await startMock({ jobs: { stepMs: Infinity, cancelledStatusCode } });
    await using client = await clientFor(server);
    const operation = startCall(client, "VerifyStore", VERIFY);
    const seen: Status[] = [];
    const reading = (async () => {
      for await (const status of operation) seen.push(status);
    })();
    await waitFor(() => server.stats.openLongPolls === 1, "the long poll");
    const reply = await stopCall(client, operation);
    assertEquals(typeof reply.statusCode, "string");
    assertEquals(reply.token, await operation.token);
    await reading;
    assertEquals(seen.at(-1)?.statusCode, cancelledStatusCode);
    const error = await assertRejects(operation.final, CancelledError);
    assertEquals(error.status, seen.at(-1));
    assertEquals(server.stats.byPath["/api/cancel-async"], 1);
  });
}

Deno.test("stopCall takes a token or a status, and invokeCall rejects with CancelledError", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  let first: Status | undefined;
  const call = invokeCall(client, "VerifyStore", VERIFY, { onStatus: (s) => first ??= s });
  await waitFor(() => first !== undefined, "the first status");
  await stopCall(client, first!);
  await assertRejects(call, CancelledError, "VerifyStore was cancelled");
  const operation = startCall(client, "VerifyStore", { ...VERIFY, id: 2 });
  await stopCall(client, (await operation.token)!);
  await assertRejects(operation.final, CancelledError);
  // A synchronous call has no token: nothing to cancel.
  const sync = await invokeCall(client, "GetUsers", { instanceID: "acme" });
  await assertRejects(stopCall(client, sync), ArgumentError, "no token");
  await assertRejects(
    stopCall(client, startCall(client, "GetUsers", { instanceID: "acme" })),
    ArgumentError,
  );
  await assertRejects(stopCall(client, "s0000000000unknown"), TokenExpiredError);
});

Deno.test('after stopCall a final "failed" is a CancelledError, whatever its message', async () => {
  // A server that ends every call as "failed" with a message that does not say "cancel".
  const cancelled = new Set<string>();
  await using server = serveRaw(async (request) => {
    const path = new URL(request.url).pathname;
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    const token = form.token ?? `t${Math.random()}`;
    if (path === "/api/cancel-async") cancelled.add(token);
    const final = path === "/api/get-status" && cancelled.has(token);
    return apiReply({
      ...succeeded(null),
      error: final ? { message: "The operation was aborted by the user.", details: null } : null,
      token,
      statusVersion: final ? 3 : 1,
      statusCode: final ? "failed" : "running",
    });
  });
  await using client = await newClient({ ...server.options, statusTimeoutMs: 0 });
  const operation = startCall(client, "VerifyStore", VERIFY);
  await stopCall(client, operation);
  const error = await assertRejects(operation.final, CancelledError, "was cancelled");
  assertEquals(error.status.error?.message, "The operation was aborted by the user.");
  // The same answer to a call this client did not cancel is an ApiError.
  const other = startCall(client, "VerifyStore", VERIFY);
  cancelled.add((await other.token)!);
  await assertRejects(other.final, ApiError, "aborted by the user");
});

Deno.test("resumeCall picks up a running call by its token from another client", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  const token = await (async () => {
    await using first = await clientFor(server);
    const operation = startCall(first, "VerifyStore", VERIFY);
    const token = (await operation.token)!;
    server.app.jobs.step(token);
    server.app.jobs.step(token);
    return token; // the first client is closed: the "script" ends, the server's work goes on
  })();
  await using client = await clientFor(server);
  // The script saw version 3 (the first reply and two steps): the first status is the next one.
  const resumed = resumeCall(client, token, { lastKnownStatusVersion: 3 });
  const iterator = resumed[Symbol.asyncIterator]();
  const first = iterator.next();
  await waitFor(() => server.stats.openLongPolls === 1, "the long poll");
  server.app.jobs.step(token);
  assertEquals((await first).value?.statusVersion, 4);
  assertEquals(resumed.functionName, null);
  assertEquals(await resumed.token, token);
  while (server.app.jobs.step(token)) { /* finish */ }
  assertEquals((await resumed.final).statusCode, "succeeded");
  await iterator.return?.();
  // Without lastKnownStatusVersion the first status is the current one.
  const again = resumeCall(client, token);
  assertEquals((await again.final).statusCode, "succeeded");
  for await (const status of again) assertEquals(status.statusCode, "succeeded");
});

Deno.test("an unknown or expired token is a TokenExpiredError, never a hang", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  const unknown = await assertRejects(
    resumeCall(client, "s0123456789abcdef0123456789abcdef").final,
    TokenExpiredError,
  );
  assertEquals(unknown.token, "s0123456789abcdef0123456789abcdef");
  const operation = startCall(client, "VerifyStore", VERIFY);
  const token = (await operation.token)!;
  await waitFor(() => server.stats.openLongPolls === 1, "the long poll");
  server.app.jobs.expire(token);
  const expired = await assertRejects(operation.final, TokenExpiredError);
  assertEquals(expired.token, token);
  // The iterator ends with the same error after the statuses it had.
  const error = await (async () => {
    for await (const _ of operation) { /* statuses before the error */ }
  })().catch((e) => e);
  assertEquals(error, expired);
});

Deno.test("failed polls are retried with backoff, the call itself never", async () => {
  await using server = await startMock();
  await using client = await clientFor(server);
  server.stats.reset();
  server.faults.add({ kind: "http503", path: "/api/get-status", times: 2 });
  server.faults.add({ kind: "drop-mid-body", path: "/api/get-status", times: 1 });
  const final = await invokeCall(client, "VerifyStore", VERIFY);
  assertEquals(final.statusCode, "succeeded");
  assertEquals(server.stats.byFunction["VerifyStore"], 1);
  assertEquals((server.stats.byPath["/api/get-status"] ?? 0) >= 4, true);
});

Deno.test("poll retries are bounded: the last failure surfaces", async () => {
  await using server = await startMock();
  await using client = await clientFor(server, { pollRetries: 2 });
  server.stats.reset();
  server.faults.add({ kind: "http503", path: "/api/get-status" });
  const error = await assertRejects(invokeCall(client, "VerifyStore", VERIFY), HttpError);
  assertEquals(error.status, 503);
  assertEquals(server.stats.byPath["/api/get-status"], 3);
  // Not retried: a 500 (not transient) fails at once.
  server.faults.clear();
  server.stats.reset();
  server.faults.add({ kind: "http500", path: "/api/get-status" });
  await assertRejects(invokeCall(client, "VerifyStore", VERIFY), HttpError);
  assertEquals(server.stats.byPath["/api/get-status"], 1);
});

Deno.test("a long-running call that fails rejects with ApiError carrying the final status", async () => {
  await using server = serveRaw(async (request) => {
    await request.body?.cancel();
    if (new URL(request.url).pathname.startsWith("/api/invoke/")) {
      return apiReply({ ...succeeded(null), token: "t9", statusVersion: 1, statusCode: "running" });
    }
    return apiReply({
      ...succeeded(null),
      error: { message: "The archive store is damaged.", details: "System.Exception: damaged" },
      token: "t9",
      statusVersion: 2,
      statusCode: "failed",
    });
  });
  await using client = await newClient(server.options);
  const operation = startCall(client, "VerifyStore", VERIFY);
  const seen: Status[] = [];
  for await (const status of operation) seen.push(status);
  assertEquals(seen.map((status) => status.statusCode), ["running", "failed"]);
  const error = await assertRejects(operation.final, ApiError);
  assertEquals(error.status, seen.at(-1));
  assertEquals(error.details, "System.Exception: damaged");
  assertEquals(error.message, "VerifyStore failed on the server: The archive store is damaged.");
  await assertRejects(invokeCall(client, "VerifyStore", VERIFY), ApiError, "damaged");
});

Deno.test("several operations run at once, independently", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  const held = startCall(client, "VerifyStore", { ...VERIFY, id: 3 });
  const cancelled = startCall(client, "VerifyStore", { ...VERIFY, id: 2 });
  const left = startCall(client, "VerifyStore", { ...VERIFY, instanceID: "globex" });
  const quick = [1, 2, 3].map((id) => startCall(client, "VerifyStore", { ...VERIFY, id }));
  const tokens = await Promise.all([held, cancelled, left, ...quick].map((op) => op.token));
  assertEquals(new Set(tokens).size, 6);
  await waitFor(() => server.stats.openLongPolls === 6, "six long polls");
  await stopCall(client, cancelled);
  for await (const _ of left) break;
  // Synchronous calls go on meanwhile.
  assertEquals(
    (await invokeCall(client, "GetUsers", { instanceID: "acme" })).statusCode,
    "succeeded",
  );
  for (const token of tokens.slice(3)) while (server.app.jobs.step(token!)) { /* finish */ }
  const finals = await Promise.all(quick.map((op) => op.final));
  assertEquals(finals.map((status) => status.statusCode), ["succeeded", "succeeded", "succeeded"]);
  await assertRejects(cancelled.final, CancelledError);
  await assertRejectsWith(left.final, "AbortError");
  assertEquals(held.done, false);
  assertEquals(held.latest?.statusCode, "running");
  while (server.app.jobs.step(tokens[0]!)) { /* finish the held one */ }
  assertEquals((await held.final).statusCode, "succeeded");
});

Deno.test("an unobserved failure of an operation never crashes the process", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  await using client = await clientFor(server);
  // Neither `final` nor `token` nor the iterator is ever looked at.
  startCall(client, "VerifyStore", VERIFY, { signal: AbortSignal.abort() });
  startCall(client, "CompactStore", { instanceID: "acme", id: 99 });
  resumeCall(client, "s-unknown");
  await waitFor(() => server.stats.requests >= 3, "the requests");
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Closing the client stops the rest; Deno's test runner fails on any unhandled rejection.
});

Deno.test("closing the client stops its operations and waits for them", async () => {
  await using server = await startMock({ jobs: { stepMs: Infinity } });
  const client = await clientFor(server);
  const operation = startCall(client, "VerifyStore", VERIFY);
  await waitFor(() => server.stats.openLongPolls === 1, "the long poll");
  await client.close();
  assertEquals(client.closed, true);
  assertEquals(operation.done, true);
  await assertRejectsWith(operation.final, "AbortError", "The client was closed");
  await waitFor(() => server.stats.openLongPolls === 0, "the poll to close");
  await assertRejectsWith(
    invokeCall(client, "GetUsers", { instanceID: "acme" }),
    "AbortError",
    "closed",
  );
  await client.close(); // idempotent
});

Deno.test("poll retry policy: transient failures only, jittered exponential backoff with a cap", () => {
  assertEquals(isRetryablePollError(new ConnectionError("reset")), true);
  assertEquals(isRetryablePollError(new HttpError(502, "", "/api/get-status")), true);
  assertEquals(isRetryablePollError(new HttpError(503, "", "/api/get-status")), true);
  assertEquals(isRetryablePollError(new HttpError(500, "", "/api/get-status")), false);
  assertEquals(isRetryablePollError(new TokenExpiredError("t")), false);
  assertEquals(isRetryablePollError(new DOMException("stop", "AbortError")), false);
  // A caller's TimeoutError is not retried; only the per-request limit is (tested over the wire).
  assertEquals(isRetryablePollError(new DOMException("late", "TimeoutError")), false);
  for (let attempt = 0; attempt < 10; attempt++) {
    const ceiling = Math.min(4000, 250 * 2 ** attempt);
    for (let i = 0; i < 20; i++) {
      const delay = retryDelay(attempt);
      assertEquals(delay >= ceiling / 2 && delay <= ceiling, true, `${attempt}: ${delay}`);
    }
  }
});

Deno.test("a poll that hits the per-request limit is retried", async () => {
  // The limit leaves the first request (a TLS handshake, slow under Wine on a busy machine) ample
  // time; the poll's latency is well over the limit plus statusTimeoutMs.
  await using server = await startMock();
  await using client = await clientFor(server, { requestTimeoutMs: 600, statusTimeoutMs: 50 });
  server.stats.reset();
  server.faults.add({ kind: "latency", path: "/api/get-status", latencyMs: 2500, times: 1 });
  const final = await invokeCall(client, "VerifyStore", VERIFY);
  assertEquals(final.statusCode, "succeeded");
  assertEquals(server.stats.byFunction["VerifyStore"], 1);
  // Without retries the same poll fails with the TimeoutError.
  await using strict = await clientFor(server, {
    requestTimeoutMs: 600,
    statusTimeoutMs: 50,
    pollRetries: 0,
  });
  server.faults.add({ kind: "latency", path: "/api/get-status", latencyMs: 2500, times: 1 });
  await assertRejectsWith(
    invokeCall(strict, "VerifyStore", VERIFY),
    "TimeoutError",
    "plus the poll's statusTimeoutMs",
  );
});
