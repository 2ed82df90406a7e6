// Wire fidelity of the mock server over real HTTPS sockets (issue 2, point 3 and 4, 10).
import assert from "node:assert/strict";
import { createMockApp } from "../lib/mock/mod.ts";
import { SERVER_CATALOG } from "../lib/_catalog/server.ts";
import { SPE_CATALOG } from "../lib/_catalog/spe.ts";
import { AUTH, FORM, read, withMock } from "./testdata/mock/helpers.ts";
import { ENVELOPE_KEYS } from "./_helpers.ts";

const BOM = [0xef, 0xbb, 0xbf];

Deno.test("mock: sync reply bytes are BOM + 2-space CRLF JSON with the envelope keys in order", async () => {
  await withMock({}, async ({ invoke }) => {
    const reply = await invoke("GetEnvironmentInfo");
    assert.equal(reply.status, 200);
    assert.deepEqual([...reply.bytes.subarray(0, 3)], BOM);
    const raw = new TextDecoder("utf-8", { ignoreBOM: true }).decode(reply.bytes).slice(1);
    assert.ok(
      raw.startsWith('{\r\n  "error": null,\r\n  "token": null,\r\n  "statusVersion": 2,\r\n'),
    );
    assert.ok(!raw.endsWith("\n"), "no trailing newline");
    assert.ok(!/[^\r]\n/.test(raw), "every LF is preceded by CR");
    assert.equal(raw, JSON.stringify(JSON.parse(raw), null, 2).replaceAll("\n", "\r\n"));
    assert.deepEqual(Object.keys(reply.json), ENVELOPE_KEYS);
    assert.equal(reply.json.statusCode, "succeeded");
    assert.equal(reply.json.result.userName, "admin");
    assert.equal(reply.json.percentProgress, null);
  });
});

Deno.test("mock: reply headers match the documented ones", async () => {
  await withMock({}, async ({ invoke }) => {
    const reply = await invoke("Ping");
    assert.equal(reply.headers.get("content-type"), "application/json");
    assert.equal(reply.headers.get("content-length"), String(reply.bytes.byteLength));
    assert.equal(
      reply.headers.get("cache-control"),
      "no-cache,private,no-store,must-revalidate,max-stale=0,post-check=0,pre-check=0",
    );
    assert.equal(reply.headers.get("pragma"), "no-cache");
    assert.equal(reply.headers.get("server"), "Microsoft-HTTPAPI/2.0");
    const date = Date.parse(reply.headers.get("date")!);
    const expires = Date.parse(reply.headers.get("expires")!);
    assert.equal(date - expires, 86_400_000);
  });
});

Deno.test("mock: missing or wrong credentials get 401 with a Basic realm challenge on every path", async () => {
  await withMock({}, async ({ server, client }) => {
    for (
      const path of [
        "/api/invoke/Ping",
        "/api/get-status",
        "/api/cancel-async",
        "/api/get-metadata",
        "/nowhere",
      ]
    ) {
      for (
        const headers of [{}, { Authorization: "Basic " + btoa("admin:wrong") }, {
          Authorization: "Bearer x",
        }]
      ) {
        const reply = await read(
          await fetch(server.url + path, { method: "POST", headers, body: "", client }),
        );
        assert.equal(reply.status, 401, path);
        assert.equal(reply.headers.get("www-authenticate"), 'Basic realm="MailStore"');
      }
    }
    assert.equal(server.stats.authFailures, 15);
  });
});

Deno.test("mock: the realm is configurable and other credentials can be set", async () => {
  await withMock(
    { realm: "Test", username: "root", password: "pä:ss" },
    async ({ server, client }) => {
      const denied = await read(
        await fetch(server.url + "/api/invoke/Ping", { method: "POST", body: "", client }),
      );
      assert.equal(denied.headers.get("www-authenticate"), 'Basic realm="Test"');
      const bytes = new TextEncoder().encode("root:pä:ss");
      const auth = "Basic " + btoa(String.fromCharCode(...bytes));
      const ok = await read(
        await fetch(server.url + "/api/invoke/Ping", {
          method: "POST",
          headers: { Authorization: auth },
          body: "",
          client,
        }),
      );
      assert.equal(ok.status, 200);
    },
  );
});

Deno.test("mock: get-metadata answers POST and GET with a bare array of every function", async () => {
  for (const [product, catalog] of [["spe", SPE_CATALOG], ["server", SERVER_CATALOG]] as const) {
    await withMock({ product }, async ({ call, server, client }) => {
      const post = await call("/api/get-metadata");
      const get = await read(
        await fetch(server.url + "/api/get-metadata", { headers: { Authorization: AUTH }, client }),
      );
      assert.deepEqual(post.bytes, get.bytes);
      assert.deepEqual([...post.bytes.subarray(0, 3)], BOM);
      assert.ok(Array.isArray(post.json));
      assert.equal(post.json.length, catalog.length);
      assert.equal(post.json.length, product === "spe" ? 122 : 89);
      const verify = post.json.find((fn: { name: string }) => fn.name === "VerifyStore");
      assert.deepEqual(Object.keys(verify), ["name", "args"]);
      assert.deepEqual(Object.keys(verify.args[0]), ["name", "type", "nullable"]);
    });
  }
});

Deno.test("mock: double slashes in paths are collapsed", async () => {
  await withMock({}, async ({ call, server }) => {
    assert.equal((await call("//api//invoke//Ping")).json.statusCode, "succeeded");
    assert.equal((await call("/api//get-metadata")).json.length, 122);
    assert.equal(server.stats.byPath["/api/invoke/Ping"], 1);
  });
});

Deno.test("mock: a missing mandatory argument gives the documented error envelope", async () => {
  await withMock({}, async ({ invoke }) => {
    const reply = await invoke("GetUserInfo", { instanceID: "acme" });
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.json), ENVELOPE_KEYS);
    assert.equal(reply.json.statusCode, "failed");
    assert.equal(reply.json.result, null);
    assert.equal(reply.json.error.message, "Missing API argument userName.");
    assert.ok(
      reply.json.error.details.startsWith(
        "System.Exception: Missing API argument userName.\r\n   at ",
      ),
    );
    assert.equal(reply.json.statusVersion, 2);
  });
});

Deno.test("mock: bool, number, json and enum arguments are parsed strictly", async () => {
  await withMock({}, async ({ invoke }) => {
    for (const value of ["True", "1", "yes", ""]) {
      const reply = await invoke("GetStores", { instanceID: "acme", includeSize: value });
      assert.equal(reply.json.statusCode, "failed", value);
      assert.match(reply.json.error.message, /includeSize.*Boolean/);
    }
    assert.equal(
      (await invoke("GetStores", { instanceID: "acme", includeSize: "true" })).json.statusCode,
      "succeeded",
    );
    const number = await invoke("RenameStore", { instanceID: "acme", id: "one", name: "x" });
    assert.match(number.json.error.message, /API argument id/);
    const json = await invoke("CreateInstance", { config: "{not json" });
    assert.match(json.json.error.message, /API argument config.*JSON/);
    const state = await invoke("SetStoreRequestedState", {
      instanceID: "acme",
      id: "1",
      requestedState: "bogus",
    });
    assert.match(state.json.error.message, /requestedState.*'bogus'/);
  });
});

Deno.test("mock: unknown function and unknown argument get error envelopes (HTTP 200)", async () => {
  await withMock({}, async ({ invoke }) => {
    const fn = await invoke("NoSuchFunction");
    assert.equal(fn.status, 200);
    assert.equal(fn.json.error.message, "Unknown API function NoSuchFunction.");
    const lower = await invoke("getUsers", { instanceID: "acme" });
    assert.equal(lower.json.error.message, "Unknown API function getUsers.");
    const arg = await invoke("GetUsers", { instanceID: "acme", instanceId: "acme" });
    assert.equal(arg.json.error.message, "Unknown API argument instanceId for function GetUsers.");
  });
});

Deno.test("mock: unknown instance, user and store IDs give error envelopes naming them", async () => {
  await withMock({}, async ({ invoke }) => {
    assert.equal(
      (await invoke("GetUsers", { instanceID: "nope" })).json.error.message,
      "Instance 'nope' does not exist.",
    );
    assert.equal(
      (await invoke("GetUserInfo", { instanceID: "acme", userName: "ghost" })).json.error.message,
      "User 'ghost' does not exist.",
    );
    assert.equal(
      (await invoke("VerifyStore", { instanceID: "acme", id: "99", includeIndexes: "false" })).json
        .error.message,
      "Archive store with ID 99 does not exist.",
    );
    assert.equal(
      (await invoke("StartInstances", { instanceFilter: "zz" })).json.error.message,
      "Instance 'zz' does not exist.",
    );
  });
});

Deno.test("mock: POST without Content-Length gets 411, a body over 1 MiB gets 413", async () => {
  await withMock({}, async ({ server, client }) => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("instanceID=acme"));
        controller.close();
      },
    });
    const chunked = await read(
      await fetch(server.url + "/api/invoke/GetUsers", {
        method: "POST",
        headers: { Authorization: AUTH, "Content-Type": FORM },
        body: stream,
        client,
      }),
    );
    assert.equal(chunked.status, 411);
    const big = "instanceID=" + "a".repeat(1_048_577);
    const response = await fetch(server.url + "/api/invoke/GetUsers", {
      method: "POST",
      headers: { Authorization: AUTH, "Content-Type": FORM },
      body: big,
      client,
    });
    assert.equal(response.status, 413);
    await response.body?.cancel();
  });
});

Deno.test("mock: unknown paths get 404, wrong methods 405", async () => {
  await withMock({}, async ({ call, server, client }) => {
    assert.equal((await call("/api/nothing")).status, 404);
    assert.equal((await call("/")).status, 404);
    const get = await read(
      await fetch(server.url + "/api/invoke/Ping", { headers: { Authorization: AUTH }, client }),
    );
    assert.equal(get.status, 405);
  });
});

Deno.test("mock: serves plain HTTP when asked, and HTTPS with the test certificate by default", async () => {
  await withMock({ http: true }, async ({ server, invoke }) => {
    assert.ok(server.url.startsWith("http://127.0.0.1:"));
    assert.equal(server.certificate, null);
    assert.equal((await invoke("Ping")).json.statusCode, "succeeded");
  });
  await withMock({}, async ({ server }) => {
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const fingerprints = await Deno.readTextFile(
      new URL("./testdata/tls/fingerprints.txt", import.meta.url),
    );
    const line = fingerprints.split("\n").find((entry) => entry.endsWith("server.pem"))!;
    assert.equal(server.certificate?.sha256, line.split(/\s+/)[0]);
  });
});

Deno.test("mock: the tls option serves another certificate", async () => {
  const dir = new URL("./testdata/tls/", import.meta.url);
  const cert = await Deno.readTextFile(new URL("wrong-host.pem", dir));
  const key = await Deno.readTextFile(new URL("wrong-host.key", dir));
  const ca = await Deno.readTextFile(new URL("ca.pem", dir));
  await withMock({ tls: { cert, key, caPem: ca } }, async ({ server, client }) => {
    assert.equal(server.certificate?.pem, cert);
    await assert.rejects(
      fetch(server.url + "/api/invoke/Ping", { method: "POST", body: "", client }),
    );
  });
});

Deno.test("mock: product server answers GetServerInfo and user functions without instanceID", async () => {
  await withMock({ product: "server" }, async ({ invoke }) => {
    const info = await invoke("GetServerInfo");
    assert.deepEqual(Object.keys(info.json.result), ["version", "machineName"]);
    const users = await invoke("GetUsers");
    assert.equal(users.json.result[0].userName, "$archiveadmin");
    assert.equal(
      (await invoke("GetUserInfo", { userName: users.json.result[1].userName })).json.statusCode,
      "succeeded",
    );
    assert.equal(
      (await invoke("GetInstances", { instanceFilter: "*" })).json.error.message,
      "Unknown API function GetInstances.",
    );
    assert.equal(
      (await invoke("GetUsers", { instanceID: "x" })).json.error.message,
      "Unknown API argument instanceID for function GetUsers.",
    );
  });
});

Deno.test("mock: createMockApp answers in process through app.request", async () => {
  const app = createMockApp();
  try {
    const response = await app.request("//api/invoke/Ping", {
      method: "POST",
      headers: { Authorization: AUTH, "Content-Length": "0" },
      body: "",
    });
    assert.equal((await read(response)).json.statusCode, "succeeded");
    assert.equal(app.stats.requests, 1);
  } finally {
    app.close();
  }
});
