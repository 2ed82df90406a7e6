// Garbage paths, bodies and headers never crash the mock (issue 2, point 10).
import assert from "node:assert/strict";
import { prng } from "../lib/mock/_random.ts";
import { AUTH, FORM, read, withMock } from "./testdata/mock/helpers.ts";

const PATHS = [
  "/api/invoke/",
  "/api/get-status",
  "/api/cancel-async",
  "/api/get-metadata",
  "/api//invoke//",
  "/",
  "/api/",
];
const FUNCTIONS = [
  "GetUsers",
  "VerifyStore",
  "CreateInstance",
  "GetInstances",
  "Ping",
  "%E2%82",
  "..",
  "%00",
  "x".repeat(300),
];

Deno.test("mock: random garbage requests get answers, then a normal call still works", async () => {
  const random = prng(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const garbage = (length: number): string => {
    let text = "";
    for (let i = 0; i < length; i++) text += String.fromCharCode(Math.floor(random() * 0x3000));
    return text;
  };
  await withMock({ jobs: { stepMs: 1, steps: 1 } }, async ({ server, client, invoke }) => {
    for (let i = 0; i < 300; i++) {
      let path = pick(PATHS);
      if (path.endsWith("invoke/") || path.endsWith("invoke//")) path += pick(FUNCTIONS);
      if (random() < 0.2) path += "/" + encodeURIComponent(garbage(5));
      const fields = [
        "instanceID",
        "id",
        "token",
        "lastKnownStatusVersion",
        "millisecondsTimeout",
        "config",
        "includeIndexes",
        garbage(3),
      ];
      const form = new URLSearchParams();
      for (let j = 0; j < Math.floor(random() * 5); j++) {
        form.append(pick(fields), random() < 0.5 ? garbage(8) : String(Math.floor(random() * 10)));
      }
      const body = random() < 0.3
        ? garbage(Math.floor(random() * 200)) + "%zz&&=="
        : form.toString();
      const headers: Record<string, string> = {
        "Content-Type": random() < 0.5 ? FORM : "application/json",
      };
      const auth = random();
      if (auth < 0.7) headers.Authorization = AUTH;
      else if (auth < 0.8) {
        headers.Authorization = "Basic " + btoa(garbage(4).replace(/[^ -~]/g, "?"));
      } else if (auth < 0.9) headers.Authorization = "Basic !!!not-base64";
      headers["X-Garbage"] = encodeURIComponent(garbage(10));
      const method = random() < 0.85 ? "POST" : pick(["GET", "PUT", "DELETE", "PATCH"]);
      const response = await fetch(server.url + path, {
        method,
        headers,
        ...(method === "GET" ? {} : { body }),
        client,
      });
      const reply = await read(response);
      assert.ok([200, 400, 401, 404, 405].includes(reply.status), `${reply.status} for ${path}`);
      if (reply.status === 200 && !path.includes("get-metadata")) {
        assert.ok(reply.json !== undefined, reply.text);
      }
    }
    // Close any jobs the fuzzing started, then prove the server still answers normally.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const users = await invoke("GetUsers", { instanceID: "acme" });
    assert.equal(users.status, 200);
    assert.equal(users.json.statusCode, "succeeded");
  });
});
