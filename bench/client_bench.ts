/**
 * Sequential synchronous calls through `invokeCall` against the same requests made with bare `fetch`,
 * on the same `Deno.HttpClient` connection pool and the same mock server (HTTPS), in one run. The
 * baseline is bare fetch (POST, the same headers and form body, reading and parsing the reply).
 * Target: invokeCall at most 1.05 times the baseline.
 *
 * Run: deno bench -A bench/client_bench.ts
 *
 * @module
 */

import { invokeCall, newClient } from "../mod.ts";
import { serveMock } from "../lib/mock/mod.ts";
import { bareCaller } from "./_bare_call.ts";

const server = await serveMock({ instances: 1, usersPerInstance: 1, storesPerInstance: 3 });
const pool = Deno.createHttpClient({ caCerts: [server.certificate!.caPem] });
// The client's requests go through the shared pool too, so both sides reuse the same connections.
const sharedFetch: typeof fetch = (input, init) => fetch(input, { ...init, client: pool });
const client = await newClient({
  username: "admin",
  password: "admin",
  host: server.hostname,
  port: server.port,
  tls: { caCerts: [server.certificate!.caPem] },
  fetch: sharedFetch,
});

const bare = bareCaller(server.url, pool);

// Many samples, so that the mock's occasional delayed-ACK stalls (about 40 ms, a Deno.serve + TLS
// effect, see bench/README.md) average out in both groups alike.
const SAMPLES = 20_000;

// Warm the pool so that no group pays for the TLS handshake.
await bare("GetEnvironmentInfo", "");
await invokeCall(client, "GetEnvironmentInfo");

// The client's side of the comparison costs one request per call, as the issue demands.
server.stats.reset();
for (let i = 0; i < 100; i++) await invokeCall(client, "GetUsers", { instanceID: "acme" });
if (server.stats.requests !== 100 || server.stats.authFailures !== 0) {
  throw new Error(`100 invokeCall calls cost ${server.stats.requests} requests`);
}
console.error("mock stats: 100 invokeCall calls = 100 requests, 0 authentication failures");

// Deno.bench's groups below run one side after the other, so drift and the mock's occasional
// delayed-ACK stalls (about 44 ms; see bench/README.md) move their averages by more than the client's
// cost. This measurement alternates the two sides call by call and leaves out the stalled calls
// (over 5 ms) on both sides; its ratio is the figure recorded in bench/README.md.
function trimmedMean(samples: number[]): number {
  const kept = samples.filter((ms) => ms < 5);
  return kept.reduce((sum, ms) => sum + ms, 0) / kept.length;
}
{
  const pairs = 6000;
  const bareTimes: number[] = [];
  const clientTimes: number[] = [];
  for (let round = 0; round < pairs; round++) {
    // Alternate which side goes first, so that neither profits from the other's warm caches.
    for (const side of round % 2 === 0 ? ["bare", "client"] : ["client", "bare"]) {
      const start = performance.now();
      if (side === "bare") await bare("GetEnvironmentInfo", "");
      else await invokeCall(client, "GetEnvironmentInfo");
      (side === "bare" ? bareTimes : clientTimes).push(performance.now() - start);
    }
  }
  const bareMean = trimmedMean(bareTimes) * 1000;
  const clientMean = trimmedMean(clientTimes) * 1000;
  console.error(
    `interleaved, ${pairs} pairs, stalls left out: bare fetch ${bareMean.toFixed(1)} µs, ` +
      `invokeCall ${clientMean.toFixed(1)} µs, ratio ${(clientMean / bareMean).toFixed(3)}`,
  );
}

// Benchmarks that run first are slower (JIT, allocator and connection warm-up); this one absorbs that
// so that neither side of the groups below pays for it.
Deno.bench({
  name: "warm-up (not compared)",
  n: SAMPLES / 2,
  warmup: 1000,
  async fn() {
    await bare("GetUsers", "instanceID=acme");
    await invokeCall(client, "GetUsers", { instanceID: "acme" });
  },
});

Deno.bench({
  name: "bare fetch: GetUsers",
  group: "GetUsers",
  baseline: true,
  n: SAMPLES,
  warmup: 1000,
  async fn() {
    await bare("GetUsers", "instanceID=acme");
  },
});

Deno.bench({
  name: "invokeCall: GetUsers",
  group: "GetUsers",
  n: SAMPLES,
  warmup: 1000,
  async fn() {
    await invokeCall(client, "GetUsers", { instanceID: "acme" });
  },
});

// The other order in this group, so that a drift during the run favours neither side.
Deno.bench({
  name: "invokeCall: GetEnvironmentInfo",
  group: "GetEnvironmentInfo",
  n: SAMPLES,
  warmup: 1000,
  async fn() {
    await invokeCall(client, "GetEnvironmentInfo");
  },
});

Deno.bench({
  name: "bare fetch: GetEnvironmentInfo",
  group: "GetEnvironmentInfo",
  baseline: true,
  n: SAMPLES,
  warmup: 1000,
  async fn() {
    await bare("GetEnvironmentInfo", "");
  },
});

globalThis.addEventListener("unload", () => {
  pool.close();
  void client.close();
  void server.close();
});
