// The standalone mock command (lib/mock/cli.ts): flags, first line, shutdown on SIGINT.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runMockCommand, serveMock } from "../lib/mock/mod.ts";
import { TEST_CA_PEM } from "../lib/mock/_test_certificate.ts";
import { read } from "./testdata/mock/helpers.ts";
import { NO_CHILD_SIGNALS } from "./_helpers.ts";
import { withMockCommand } from "./_mock_command.ts";

const CLI = fileURLToPath(new URL("../lib/mock/cli.ts", import.meta.url));

// Windows: the process is started and serves; one process cannot send another Ctrl-C there, so it
// is ended with TerminateProcess, and the stop request is checked in process (the next test).
Deno.test(
  `mock cli: prints 'listening on <url>' first, serves${
    NO_CHILD_SIGNALS ? "" : ", and exits 0 on SIGINT"
  }`,
  async () => {
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
    child.kill(NO_CHILD_SIGNALS ? "SIGKILL" : "SIGINT");
    const status = await child.status;
    while (!(await lines.read()).done) { /* drain */ }
    await child.stderr.cancel();
    if (!NO_CHILD_SIGNALS) assert.equal(status.code, 0);
  },
);

Deno.test("mock cli: a stop request (Ctrl-C, SIGTERM, Ctrl-Break) stops the server: exit 0", async () => {
  const out: string[] = [];
  const listeners = new Set<() => void>();
  const done = runMockCommand(["--port", "0", "--http"], {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    onStopRequest: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  while (!out.includes("press Ctrl-C to stop")) await new Promise((r) => setTimeout(r, 10));
  assert.match(out[0]!, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(listeners.size, 1);
  for (const listener of [...listeners]) listener();
  assert.equal(await done, 0);
  assert.equal(out.at(-1), "stopped");
  assert.equal(listeners.size, 0, "the stop listener is removed");
});

Deno.test("mock cli: a stop request while the server starts is kept: it starts, stops, exit 0", async () => {
  // The request comes as soon as the command listens, before the server is up (as a Ctrl-C while
  // a state file loads): it was lost when the command listened only after the start-up lines.
  const out: string[] = [];
  let listening = 0;
  const done = runMockCommand(["--port", "0"], {
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    onStopRequest: (listener) => {
      listening++;
      listener();
      return () => listening--;
    },
  });
  assert.equal(await done, 0);
  assert.match(out[0]!, /^listening on https:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(out.slice(-2), ["press Ctrl-C to stop", "stopped"]);
  assert.equal(listening, 0, "the stop listener is removed");
  // Bad flags and a server that cannot start (its port taken) leave no listener either.
  await using taken = await serveMock({ http: true });
  const failing = {
    err: () => {},
    onStopRequest: () => {
      listening++;
      return () => listening--;
    },
  };
  assert.equal(await runMockCommand(["--bogus"], failing), 2);
  assert.equal(await runMockCommand(["--http", "--port", String(taken.port)], failing), 1);
  assert.equal(listening, 0);
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

async function post(url: string, path: string, form = ""): Promise<Response> {
  return await fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      Authorization: "Basic " + btoa("admin:admin"),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: form,
  });
}

Deno.test("mock cli: --fault rules from the command line hit the named function the given times", async () => {
  await withMockCommand(
    ["--fault", "GetUsers:http503:times=2", "--fault", "/api/get-metadata:http500:times=1"],
    async (url, out) => {
      assert.ok(out.includes('fault: {"kind":"http503","function":"GetUsers","times":2}'));
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const response = await post(url, "/api/invoke/GetUsers", "instanceID=acme");
        statuses.push(response.status);
        await response.body?.cancel();
      }
      assert.deepEqual(statuses, [503, 503, 200]);
      const metadata = await post(url, "/api/get-metadata");
      assert.equal(metadata.status, 500);
      await metadata.body?.cancel();
    },
  );
});

Deno.test("mock cli: --step-ms, --steps, --log-output and --cancelled-status tune the job engine", async () => {
  const start = async (url: string): Promise<string> => {
    const reply = await read(
      await post(url, "/api/invoke/VerifyStore", "instanceID=acme&id=1&includeIndexes=false"),
    );
    assert.equal(reply.json.statusCode, "running");
    return reply.json.token;
  };
  // Slow jobs that cancel as "cancelled".
  await withMockCommand(
    ["--step-ms", "3600000", "--cancelled-status", "cancelled"],
    async (url) => {
      const token = await start(url);
      const status = await read(await post(url, "/api/get-status", `token=${token}`));
      assert.equal(status.json.statusVersion, 1, "no step in an hour");
      const cancelled = await read(await post(url, "/api/cancel-async", `token=${token}`));
      assert.equal(cancelled.json.statusCode, "cancelled");
    },
  );
  // Fast jobs of two steps with incremental logs.
  await withMockCommand(
    ["--step-ms", "1", "--steps", "2", "--log-output", "incremental"],
    async (url) => {
      const token = await start(url);
      let final = null;
      while (final === null) {
        const status = await read(
          await post(
            url,
            "/api/get-status",
            `token=${token}&lastKnownStatusVersion=1&millisecondsTimeout=5000`,
          ),
        );
        if (status.json.statusCode !== "running") final = status.json;
      }
      assert.equal(final.statusVersion, 3, "steps + 1");
      const whole = await read(await post(url, "/api/get-status", `token=${token}`));
      const latest = await read(
        await post(url, "/api/get-status", `token=${token}&lastKnownStatusVersion=2`),
      );
      assert.ok(
        whole.json.logOutput.split("\r\n").length > latest.json.logOutput.split("\r\n").length,
      );
    },
  );
});

Deno.test("mock cli: bad job, fault, problems and state flags give one line and exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--fault", "GetUsers:http418"], /^mock: --fault 'GetUsers:http418': unknown kind 'http418'/],
    [["--fault", "GetUsers:latency"], /a latency fault needs ms=N/],
    [["--fault", "GetUsers:http503:times=0"], /times must be at least 1/],
    [["--steps", "0"], /--steps must be a whole number from 1/],
    [["--step-ms=-5"], /--step-ms must be a whole number/],
    [["--step-ms", "-5"], /^mock: Option '--step-ms' argument is ambiguous\. Run with/],
    [["--log-output", "some"], /--log-output must be cumulative or incremental, got 'some'/],
    [["--cancelled-status", "x"], /--cancelled-status must be failed or cancelled/],
    [["--problems", "lots"], /--problems must be none, some or many, got 'lots'/],
    [["--state="], /--state needs a file name/],
  ];
  for (const [args, pattern] of cases) {
    const err: string[] = [];
    const code = await runMockCommand(args, { out: () => {}, err: (line) => err.push(line) });
    assert.equal(code, 2, args.join(" "));
    assert.equal(err.length, 1);
    assert.match(err[0]!, pattern);
    assert.match(err[0]!, /Run with --help for the options\.$/);
  }
});
