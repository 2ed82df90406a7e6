/**
 * The cost of "at most once" (issue 7): a call that may change state goes on a new TLS connection
 * that is never reused (so that no pool can send it twice), while reads keep the pooled connections.
 * Measured side by side in one run against the mock over HTTPS, each against bare `fetch` on a
 * kept-alive pool (what the same request cost before):
 *
 * - a read (GetEnvironmentInfo): invokeCall on the pool, against bare fetch (the P1 figure);
 * - a state-changing call (SetUserPassword): invokeCall on its own connection, against bare fetch on
 *   the pool.
 *
 * Run: deno bench -A bench/at_most_once_bench.ts (the figures are printed to stderr first).
 *
 * @module
 */

import { invokeCall, newClient } from "../mod.ts";
import { serveMock } from "../lib/mock/mod.ts";
import { bareCaller } from "./_bare_call.ts";

const server = await serveMock({ instances: 1, usersPerInstance: 1, storesPerInstance: 1 });
const ca = server.certificate!.caPem;
const pool = Deno.createHttpClient({ caCerts: [ca] });
const client = await newClient({
  username: "admin",
  password: "admin",
  host: server.hostname,
  port: server.port,
  tls: { caCerts: [ca] },
  metadata: "bundled",
});
const user = (await invokeCall(client, "GetUsers", { instanceID: "acme" })).result![0]!.userName;
const writeArgs = { instanceID: "acme", userName: user, password: "n3w-Secret" };
const writeBody = new URLSearchParams(writeArgs).toString();

const bare = bareCaller(server.url, pool);

const read = () => invokeCall(client, "GetEnvironmentInfo");
const write = () => invokeCall(client, "SetUserPassword", writeArgs);

// Warm-up: JIT, the pool's connection, the TLS session caches.
for (let i = 0; i < 200; i++) {
  await bare("GetEnvironmentInfo", "");
  await bare("SetUserPassword", writeBody);
  await read();
  await write();
}

function trimmedMean(samples: number[], stallMs: number): number {
  const kept = samples.filter((ms) => ms < stallMs);
  return kept.reduce((sum, ms) => sum + ms, 0) / kept.length;
}

/** Alternates the two sides call by call; leaves out stalls (the mock's delayed-ACK, 44 ms). */
async function interleaved(
  label: string,
  pairs: number,
  baseline: () => Promise<unknown>,
  measured: () => Promise<unknown>,
  stallMs: number,
): Promise<void> {
  const base: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < pairs; round++) {
    for (const side of round % 2 === 0 ? ["base", "ours"] : ["ours", "base"]) {
      const start = performance.now();
      await (side === "base" ? baseline() : measured());
      (side === "base" ? base : ours).push(performance.now() - start);
    }
  }
  const b = trimmedMean(base, stallMs) * 1000;
  const o = trimmedMean(ours, stallMs) * 1000;
  console.error(
    `${label}: ${pairs} pairs, bare fetch (pool) ${b.toFixed(1)} µs, invokeCall ${
      o.toFixed(1)
    } µs, ratio ${(o / b).toFixed(3)}, difference ${(o - b).toFixed(1)} µs`,
  );
}

await interleaved(
  "read GetEnvironmentInfo (pooled)",
  3000,
  () => bare("GetEnvironmentInfo", ""),
  read,
  5,
);
await interleaved(
  "state-changing SetUserPassword (own connection)",
  1000,
  () => bare("SetUserPassword", writeBody),
  write,
  30,
);

Deno.bench(
  { name: "bare fetch (pool): SetUserPassword", group: "write", baseline: true, n: 1000 },
  async () => {
    await bare("SetUserPassword", writeBody);
  },
);
Deno.bench(
  { name: "invokeCall (own connection): SetUserPassword", group: "write", n: 1000 },
  async () => {
    await write();
  },
);
Deno.bench({ name: "invokeCall (pool): GetEnvironmentInfo", group: "read", n: 3000 }, async () => {
  await read();
});
Deno.bench({
  name: "bare fetch (pool): GetEnvironmentInfo",
  group: "read",
  baseline: true,
  n: 3000,
}, async () => {
  await bare("GetEnvironmentInfo", "");
});

globalThis.addEventListener("unload", () => {
  pool.close();
  void client.close();
  void server.close();
});
