// The standalone mock command (lib/mock/cli.ts): flags, first line, shutdown on SIGINT.
import assert from "node:assert/strict";
import { runMockCommand } from "../lib/mock/mod.ts";
import { TEST_CA_PEM } from "../lib/mock/_test_certificate.ts";
import { read } from "./testdata/mock/helpers.ts";

const CLI = new URL("../lib/mock/cli.ts", import.meta.url).pathname;

Deno.test("mock cli: prints 'listening on <url>' first, serves, and exits 0 on SIGINT", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      CLI,
      "--port",
      "0",
      "--instances",
      "2",
      "--username",
      "u",
      "--password",
      "p",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("press Ctrl-C")) {
    const { value, done } = await lines.read();
    if (done) break;
    text += value;
  }
  const first = text.split("\n")[0]!;
  assert.match(first, /^listening on https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(text, /certificate SHA-256 fingerprint: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  assert.match(text, /--print-ca/);
  const url = first.slice("listening on ".length);
  const client = Deno.createHttpClient({ caCerts: [TEST_CA_PEM] });
  try {
    const reply = await read(
      await fetch(`${url}/api/invoke/GetInstances`, {
        method: "POST",
        headers: {
          Authorization: "Basic " + btoa("u:p"),
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: "instanceFilter=*",
        client,
      }),
    );
    assert.equal(reply.json.result.length, 2);
  } finally {
    client.close();
  }
  child.kill("SIGINT");
  const status = await child.status;
  while (!(await lines.read()).done) { /* drain */ }
  await child.stderr.cancel();
  assert.equal(status.code, 0);
});

Deno.test("mock cli: bad flags give one line on stderr and 2; --help and --print-ca give 0", async () => {
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };
  assert.equal(await runMockCommand(["--port", "99999"], io), 2);
  assert.equal(await runMockCommand(["--product", "exchange"], io), 2);
  assert.equal(await runMockCommand(["--nope"], io), 2);
  assert.equal(err.length, 3);
  assert.match(err[0]!, /--port must be a whole number/);
  assert.equal(out.length, 0);
  assert.equal(await runMockCommand(["--help"], io), 0);
  assert.match(out[0]!, /^Usage: mock/);
  assert.equal(await runMockCommand(["--print-ca"], io), 0);
  assert.equal(out[1], TEST_CA_PEM.trimEnd());
});

Deno.test("mock cli: runs in process until its signal aborts (product server, plain HTTP)", async () => {
  const out: string[] = [];
  const controller = new AbortController();
  const done = runMockCommand(["--port", "0", "--product", "server", "--http"], {
    out: (line) => {
      out.push(line);
      if (line.startsWith("press Ctrl-C")) controller.abort();
    },
    err: () => {},
    signal: controller.signal,
  });
  assert.equal(await done, 0);
  assert.match(out[0]!, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(out.at(-1), "stopped");
});
