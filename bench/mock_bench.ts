// Mock server scale figures: GetUsers on 100,000 users over HTTPS, and the reply encoding alone.
// Run: deno bench -A bench/mock_bench.ts
import { serveMock } from "../lib/mock/mod.ts";
import { encodeBody, envelope } from "../lib/mock/_wire.ts";

const server = await serveMock({ instances: 1 });
const instance = server.app.state.instanceList()[0]!;
server.app.state.seedUsers(instance, 100_000);
const client = Deno.createHttpClient({ caCerts: [server.certificate!.caPem] });
const init: RequestInit & { client: Deno.HttpClient } = {
  method: "POST",
  headers: {
    Authorization: "Basic " + btoa("admin:admin"),
    "Content-Type": "application/x-www-form-urlencoded",
  },
  body: `instanceID=${instance.instanceID}`,
  client,
};

Deno.bench("GetUsers, 100,000 users, HTTPS round trip", async () => {
  const response = await fetch(`${server.url}/api/invoke/GetUsers`, init);
  const text = await response.text();
  if (!text.includes('"statusCode": "succeeded"')) throw new Error("GetUsers failed");
});

const users = [...server.app.state.users(instance).values()].map((user) => ({
  userName: user.userName,
  fullName: user.fullName,
  distinguishedName: user.distinguishedName,
  mfaStatus: user.mfaStatus,
}));
Deno.bench("encode 100,000-user envelope (BOM + CRLF JSON)", () => {
  encodeBody(envelope({ result: users }));
});

Deno.bench("seed 1,000 instances", async () => {
  const small = await serveMock({ instances: 1000, http: true });
  await small.close();
});

globalThis.addEventListener("unload", () => {
  client.close();
  void server.close();
});
