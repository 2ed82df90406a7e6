// The mock server's speed and scale (issues 2 and 8), over HTTPS with the test certificate.
//
// `deno task bench` (or `deno bench -A bench/mock_bench.ts`) runs the Deno.bench groups below.
// `deno run -A bench/mock_bench.ts` prints the issue-8 figures of one run: GetUsers (50 users,
// about 9 KB) p50 and p99 on a reused connection, and sequential calls/s of our client against a
// client that opens a new TLS connection for every call, for a 1 KB and a 9 KB reply, the two sides
// interleaved round by round so that both see the same machine.
import { invokeCall, newClient } from "../mod.ts";
import { serveMock } from "../lib/mock/mod.ts";
import { encodeBody, envelope } from "../lib/mock/_wire.ts";

const server = await serveMock({ instances: 3, usersPerInstance: 5 });
const [big, small, huge] = server.app.state.instanceList().map((instance) => ({
  instanceID: instance.instanceID,
})) as [{ instanceID: string }, { instanceID: string }, { instanceID: string }];
server.app.state.seedUsers(server.app.state.instance(big.instanceID)!, 50);
server.app.state.seedUsers(server.app.state.instance(huge.instanceID)!, 100_000);
const caPem = server.certificate!.caPem;
const client = await newClient({
  username: "admin",
  password: "admin",
  port: server.port,
  tls: { caCerts: [caPem] },
});
const pool = Deno.createHttpClient({ caCerts: [caPem] });

function init(
  instanceID: string,
  http: Deno.HttpClient,
): RequestInit & { client: Deno.HttpClient } {
  return {
    method: "POST",
    headers: {
      Authorization: "Basic " + btoa("admin:admin"),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: `instanceID=${instanceID}`,
    client: http,
  };
}

/** Where the calls go: a mock's URL, and our client for it. */
interface Target {
  url: string;
  client: typeof client;
}
const inProcess: Target = { url: server.url, client };

/** GetUsers with bare fetch on a pooled (reused) connection; returns the reply's size. */
async function bareGetUsers(instanceID: string, target = inProcess): Promise<number> {
  const response = await fetch(`${target.url}/api/invoke/GetUsers`, init(instanceID, pool));
  const bytes = await response.bytes();
  if (response.status !== 200) throw new Error(`GetUsers answered ${response.status}`);
  return bytes.byteLength;
}

/** GetUsers through our client (one pooled connection, kept alive). */
async function ourGetUsers(instanceID: string, target = inProcess): Promise<void> {
  await invokeCall(target.client, "GetUsers", { instanceID });
}

/** GetUsers on a new TLS connection, as a client without a session (the vendor's Python wrapper). */
async function freshGetUsers(instanceID: string, target = inProcess): Promise<void> {
  const http = Deno.createHttpClient({ caCerts: [caPem] });
  try {
    const response = await fetch(`${target.url}/api/invoke/GetUsers`, init(instanceID, http));
    const text = await response.text();
    if (!text.includes('"statusCode": "succeeded"')) throw new Error("GetUsers failed");
  } finally {
    http.close();
  }
}

for (const [size, instance] of [["1 KB", small], ["9 KB", big]] as const) {
  Deno.bench(`GetUsers ${size}, our client, reused connection`, {
    group: `calls ${size}`,
    baseline: true,
  }, () => ourGetUsers(instance.instanceID));
  Deno.bench(`GetUsers ${size}, new TLS connection per call`, {
    group: `calls ${size}`,
  }, () => freshGetUsers(instance.instanceID));
}

Deno.bench("GetUsers, 100,000 users, HTTPS round trip", async () => {
  await bareGetUsers(huge.instanceID);
});

const users = [...server.app.state.users(server.app.state.instance(huge.instanceID)!).values()]
  .map((user) => ({
    userName: user.userName,
    fullName: user.fullName,
    distinguishedName: user.distinguishedName,
    mfaStatus: user.mfaStatus,
  }));
Deno.bench("encode 100,000-user envelope (BOM + CRLF JSON)", () => {
  encodeBody(envelope({ result: users }));
});

Deno.bench("seed 1,000 instances", async () => {
  const many = await serveMock({ instances: 1000, http: true });
  await many.close();
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function latency(
  label: string,
  call: () => Promise<unknown>,
  count: number,
): Promise<string> {
  for (let i = 0; i < Math.min(200, count / 10); i++) await call(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  // A delayed-ACK stall costs 40 to 44 ms on Linux; other slow calls are the machine (GC, load).
  const acks = times.filter((time) => time >= 38 && time <= 48).length;
  const slow = times.filter((time) => time > 10).length;
  return `| ${label} | ${count} | ${percentile(times, 0.5).toFixed(2)} ms | ${
    percentile(times, 0.99).toFixed(2)
  } ms | ${times.at(-1)!.toFixed(1)} ms | ${slow} | ${acks} |`;
}

async function throughput(
  instanceID: string,
  target: Target,
  rounds: number,
  perRound: number,
): Promise<string> {
  let ours = 0;
  let fresh = 0;
  for (let i = 0; i < 50; i++) {
    await ourGetUsers(instanceID, target);
    await freshGetUsers(instanceID, target);
  }
  for (let round = 0; round < rounds; round++) {
    let start = performance.now();
    for (let i = 0; i < perRound; i++) await ourGetUsers(instanceID, target);
    ours += performance.now() - start;
    start = performance.now();
    for (let i = 0; i < perRound; i++) await freshGetUsers(instanceID, target);
    fresh += performance.now() - start;
  }
  const calls = rounds * perRound;
  const oursPerSecond = calls / (ours / 1000);
  const freshPerSecond = calls / (fresh / 1000);
  return `${oursPerSecond.toFixed(0)} | ${freshPerSecond.toFixed(0)} | **${
    (oursPerSecond / freshPerSecond).toFixed(2)
  }x**`;
}

/**
 * The same mock in a process of its own (as `deno task mock` runs), so that the client's work and
 * the server's do not share one JavaScript thread; resolves with its URL and a stop function.
 */
async function separateMock(): Promise<{ url: string; stop: () => Promise<void> }> {
  const script = `
    import { serveMock } from ${
    JSON.stringify(new URL("../lib/mock/mod.ts", import.meta.url).href)
  };
    const server = await serveMock({ instances: 3, usersPerInstance: 5 });
    const [big] = server.app.state.instanceList();
    server.app.state.seedUsers(big, 50);
    console.log(server.port);
    for await (const _ of Deno.stdin.readable) { /* until stdin closes */ }
    await server.close();`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  return {
    url: `https://localhost:${text.trim()}`,
    stop: async () => {
      await child.stdin.close();
      await reader.cancel();
      await child.status;
    },
  };
}

if (import.meta.main) {
  const bigSize = await bareGetUsers(big.instanceID);
  const smallSize = await bareGetUsers(small.instanceID);
  const separate = await separateMock();
  // The separate mock has the same seed and content: acme (50 users) and globex (5 users).
  await using separateClient = await newClient({
    username: "admin",
    password: "admin",
    port: Number(new URL(separate.url).port),
    tls: { caCerts: [caPem] },
  });
  const targets: [string, Target][] = [
    ["mock in its own process", { url: separate.url, client: separateClient }],
    ["mock in the same process", inProcess],
  ];
  console.log(`Deno ${Deno.version.deno}, ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(
    "| GetUsers, reused HTTPS connection | calls | p50 | p99 | max | over 10 ms | 38 to 48 ms |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const [where, target] of targets) {
    for (
      const [label, instance, size] of [
        ["50 users", big, bigSize],
        ["5 users", small, smallSize],
      ] as const
    ) {
      console.log(
        await latency(
          `${where}, bare fetch, ${label} (${size} bytes)`,
          () => bareGetUsers(instance.instanceID, target),
          3000,
        ),
      );
    }
    console.log(
      await latency(
        `${where}, invokeCall, 50 users (${bigSize} bytes)`,
        () => ourGetUsers(big.instanceID, target),
        3000,
      ),
    );
  }
  // Before issue 8: the same app on Deno.serve (Nagle on for TLS sockets), for the same reply.
  const { TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } = await import(
    "../lib/mock/_test_certificate.ts"
  );
  const before = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: TEST_SERVER_CERT_PEM,
    key: TEST_SERVER_KEY_PEM,
    onListen() {},
  }, (request) => server.app.fetch(request));
  const beforeUrl = `https://localhost:${before.addr.port}/api/invoke/GetUsers`;
  const beforePool = Deno.createHttpClient({ caCerts: [caPem] });
  console.log(
    await latency(`before: Deno.serve, bare fetch, 50 users (${bigSize} bytes)`, async () => {
      await (await fetch(beforeUrl, init(big.instanceID, beforePool))).bytes();
    }, 300),
  );
  beforePool.close();
  await before.shutdown();
  console.log(
    "\n| Sequential GetUsers | our client, calls/s | new TLS connection per call, calls/s | ratio |",
  );
  console.log("| --- | --- | --- | --- |");
  for (const [where, target] of targets) {
    for (
      const [label, instance, size] of [
        ["5 users", small, smallSize],
        ["50 users", big, bigSize],
      ] as const
    ) {
      console.log(
        `| ${where}, ${size} bytes (${label}) | ${await throughput(
          instance.instanceID,
          target,
          5,
          200,
        )} |`,
      );
    }
  }
  await separate.stop();
  pool.close();
  await client.close();
  await server.close();
} else {
  // The client is left to the process's end: closing it here aborts its pooled connection while
  // the runner still holds it.
  globalThis.addEventListener("unload", () => {
    pool.close();
    void server.close();
  });
}
