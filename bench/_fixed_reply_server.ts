/**
 * A stand-in for the mock in bench/fleet_bench.ts: a bare `node:https` server (Nagle off, HTTP/1.1,
 * the mock's test certificate) that answers every request with the same bytes, the mock's own
 * reply to `GetUsers`, `--latency-ms` after the request arrived (with the mock's allowance for
 * Deno's late timers). No app, no routing, no state: what the fan-out reaches against it is what
 * the client, TLS and the machine allow, whatever the simulator does.
 *
 * `deno run -A bench/_fixed_reply_server.ts [--latency-ms 20] [--users 5]`; prints
 * `listening on https://127.0.0.1:<port>` and runs until SIGTERM.
 *
 * @module
 */

import { createServer } from "node:https";
import type { Socket } from "node:net";
import { createMockApp } from "../lib/mock/mod.ts";
import { TEST_SERVER_CERT_PEM, TEST_SERVER_KEY_PEM } from "../lib/mock/_test_certificate.ts";

const flag = (name: string, fallback: number): number => {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const latencyMs = flag("--latency-ms", 20);
const users = flag("--users", 5);

// The reply, headers and body, exactly as the mock sends it for one instance.
const app = createMockApp({ instances: 1, usersPerInstance: users, problems: "none" });
const instanceID = app.state.instanceList()[0]!.instanceID;
const form = `instanceID=${instanceID}`;
const reply = await app.request("/api/invoke/GetUsers", {
  method: "POST",
  headers: {
    Authorization: "Basic " + btoa("admin:admin"),
    "Content-Type": "application/x-www-form-urlencoded",
    "Content-Length": String(form.length),
  },
  body: form,
});
const body = new Uint8Array(await reply.arrayBuffer());
if (reply.status !== 200 || !reply.headers.get("content-type")?.startsWith("application/json")) {
  throw new Error(`The mock answered GetUsers with HTTP ${reply.status}, not a JSON reply.`);
}
const headers: Record<string, string> = {};
reply.headers.forEach((value, name) => headers[name] = value);
app.close();

// The same allowance as the mock's sleep: Deno fires a timer about 1.2 to 1.5 ms late.
const delay = Math.max(0, latencyMs - 1);
const server = createServer({
  noDelay: true,
  keepAlive: true,
  cert: TEST_SERVER_CERT_PEM,
  key: TEST_SERVER_KEY_PEM,
  ALPNProtocols: ["http/1.1"],
}, (req, res) => {
  const arrived = performance.now();
  req.resume();
  req.on("end", () => {
    setTimeout(() => {
      res.writeHead(200, headers);
      res.end(body);
    }, Math.max(0, arrived + delay - performance.now()));
  });
});
server.on("secureConnection", (socket: Socket) => socket.setNoDelay(true));
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  console.log(`listening on https://127.0.0.1:${port}`);
});
Deno.addSignalListener("SIGTERM", () => server.close(() => Deno.exit(0)));
