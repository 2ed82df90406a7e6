// Fault injection of the mock server, each mode over HTTPS (issue 2, point 7).
import assert from "node:assert/strict";
import { AUTH, FORM, withMock } from "./testdata/mock/helpers.ts";

const USERS = { instanceID: "acme" };

Deno.test("mock fault: latency delays matching requests only", async () => {
  await withMock(
    { faults: [{ kind: "latency", function: "GetUsers", latencyMs: 200 }] },
    async ({ invoke }) => {
      let start = performance.now();
      await invoke("GetUsers", USERS);
      assert.ok(performance.now() - start >= 195);
      start = performance.now();
      await invoke("Ping");
      assert.ok(performance.now() - start < 195);
    },
  );
});

Deno.test("mock fault: http500 and http503 answer an HTML page, `times` limits the hits", async () => {
  await withMock({}, async ({ server, invoke }) => {
    server.faults.add({ kind: "http500", function: "GetUsers", times: 1 });
    server.faults.add({ kind: "http503", path: "/api/invoke/Ping", times: 2 });
    const failed = await invoke("GetUsers", USERS);
    assert.equal(failed.status, 500);
    assert.match(failed.headers.get("content-type")!, /^text\/html/);
    assert.match(failed.text, /<HTML>/);
    assert.equal((await invoke("GetUsers", USERS)).status, 200);
    assert.equal((await invoke("Ping")).status, 503);
    assert.equal((await invoke("Ping")).status, 503);
    assert.equal((await invoke("Ping")).status, 200);
    server.faults.add({ kind: "http500" });
    assert.equal((await invoke("Ping")).status, 500);
    server.faults.clear();
    assert.equal((await invoke("Ping")).status, 200);
  });
});

Deno.test("mock fault: drop-before-body and drop-mid-body break the connection while reading the body", async () => {
  for (const kind of ["drop-before-body", "drop-mid-body"] as const) {
    await withMock(
      { faults: [{ kind, function: "GetUsers", times: 1 }] },
      async ({ server, client, invoke }) => {
        const response = await fetch(server.url + "/api/invoke/GetUsers", {
          method: "POST",
          headers: { Authorization: AUTH, "Content-Type": FORM },
          body: "instanceID=acme",
          client,
        });
        assert.equal(response.status, 200);
        await assert.rejects(response.arrayBuffer(), kind);
        assert.equal((await invoke("GetUsers", USERS)).json.statusCode, "succeeded");
      },
    );
  }
});

Deno.test("mock fault: malformed-json, no-bom and truncated bodies", async () => {
  await withMock({}, async ({ server, invoke }) => {
    server.faults.add({ kind: "malformed-json", function: "GetUsers", times: 1 });
    server.faults.add({ kind: "no-bom", function: "GetUsers", times: 1 });
    server.faults.add({ kind: "truncated", function: "GetUsers", times: 1 });
    const malformed = await invoke("GetUsers", USERS);
    assert.deepEqual([...malformed.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(malformed.json, undefined);
    const noBom = await invoke("GetUsers", USERS);
    assert.equal(noBom.bytes[0], "{".charCodeAt(0));
    assert.equal(noBom.json.statusCode, "succeeded");
    const truncated = await invoke("GetUsers", USERS);
    const full = await invoke("GetUsers", USERS);
    assert.equal(truncated.bytes.byteLength, Math.floor(full.bytes.byteLength / 2));
    assert.equal(truncated.headers.get("content-length"), String(truncated.bytes.byteLength));
    assert.equal(truncated.json, undefined);
  });
});

Deno.test("mock fault: unauthorized answers 401 for the next N requests even with good credentials", async () => {
  await withMock({ faults: [{ kind: "unauthorized", times: 2 }] }, async ({ server, invoke }) => {
    const first = await invoke("Ping");
    assert.equal(first.status, 401);
    assert.equal(first.headers.get("www-authenticate"), 'Basic realm="MailStore"');
    assert.equal((await invoke("Ping")).status, 401);
    assert.equal((await invoke("Ping")).status, 200);
    assert.equal(server.stats.authFailures, 2);
  });
});

Deno.test("mock fault: expire-token makes get-status answer 404 now", async () => {
  await withMock({ jobs: { stepMs: Infinity } }, async ({ server, invoke, call }) => {
    const { token } =
      (await invoke("VerifyStore", { instanceID: "acme", id: "1", includeIndexes: "false" })).json;
    server.faults.add({ kind: "expire-token", path: "/api/get-status", times: 1 });
    assert.equal(
      (await call("/api/get-status", { token, lastKnownStatusVersion: "1" })).status,
      404,
    );
    assert.equal(server.app.jobs.has(token), false);
    assert.equal(server.stats.runningJobs, 0);
  });
});

Deno.test("mock fault: early-return makes a long poll answer at once with the unchanged status", async () => {
  await withMock(
    { jobs: { stepMs: Infinity }, faults: [{ kind: "early-return", times: 1 }] },
    async ({ invoke, call }) => {
      const { token } =
        (await invoke("VerifyStore", { instanceID: "acme", id: "1", includeIndexes: "false" }))
          .json;
      const start = performance.now();
      const reply = await call("/api/get-status", {
        token,
        lastKnownStatusVersion: "1",
        millisecondsTimeout: "5000",
      });
      assert.ok(performance.now() - start < 2000);
      assert.equal(reply.json.statusVersion, 1);
      assert.equal(reply.json.statusCode, "running");
    },
  );
});

Deno.test("mock fault: latencyMs option delays every request", async () => {
  await withMock({ latencyMs: 100 }, async ({ invoke }) => {
    const start = performance.now();
    await invoke("Ping");
    assert.ok(performance.now() - start >= 95);
  });
});
