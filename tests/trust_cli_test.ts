/**
 * mspe-run under signals, hostile text and Windows files (issue 7): SIGTERM (Ctrl-Break on
 * Windows) while watching detaches like Ctrl-C (exit 143), in process and again as a subprocess
 * with a real SIGTERM where one process can signal another; in process, the server's text is printed safely;
 * secrets a server echoes never reach stderr; password, CA and `name=@file` files in UTF-16 or
 * with a BOM and CRLF work. Windows-only code paths are tested with Windows inputs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { catalog } from "../mod.ts";
import { CA_PEM_PATH, mockFlags } from "./cli_helpers.ts";
import { runCliInProcess, type SignalWay, startStoppable } from "./_cli_in_process.ts";
import { envelope, serveHostile, utf16be, utf16le, utf8bom } from "./_trust_helpers.ts";
import { NO_CHILD_SIGNALS } from "./_helpers.ts";
import { Interrupts } from "../lib/cli/io/interrupt.ts";
import {
  type CliIo,
  onTerminationSignal,
  terminationName,
  terminationSignals,
} from "../lib/cli/io/io.ts";
import { MAX_MESSAGE_CHARS, safeLine, safeLines } from "../lib/cli/output/safe_text.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
const VERIFY = ["call", "VerifyStore", "instanceID=acme", "id=1", "includeIndexes=false"];

/** The stop request's name in messages: Ctrl-Break on Windows (SIGBREAK), SIGTERM elsewhere. */
const STOP = terminationName();

/** A stop request while watching detaches like Ctrl-C, even with --cancel-on-interrupt: exit 143. */
async function terminateWhileWatching(way: SignalWay): Promise<void> {
  await using mock = await serveMock({ jobs: { stepMs: Infinity, steps: 4 } });
  for (const extra of [[], ["--cancel-on-interrupt"]]) {
    const before = mock.app.jobs.tokens();
    const child = startStoppable(way, [...VERIFY, ...extra, ...mockFlags(mock.port)], USER);
    await child.waitForStderr(/running 0%/);
    child.terminate();
    const { code, stderr } = await child.done;
    assert.equal(code, 143, stderr);
    const token = mock.app.jobs.tokens().find((t) => !before.includes(t))!;
    assert.match(
      stderr,
      new RegExp(`Asked to stop \\(${STOP}\\); detached: VerifyStore goes on on the server`),
    );
    assert.match(stderr, new RegExp(`^Token: ${token}$`, "m"));
    assert.match(stderr, new RegExp(`^Resume with: mspe-run watch ${token} `, "m"));
    // Detached, not cancelled, even with --cancel-on-interrupt: the job still runs.
    assert.ok(mock.app.jobs.step(token));
  }
}

Deno.test("SIGTERM (Ctrl-Break on Windows) while watching detaches like Ctrl-C: token, resume line, exit 143", async () => {
  // In process, on every OS: the command's termination listener fired (SIGBREAK's on Windows).
  await terminateWhileWatching("in process");
});

Deno.test("SIGTERM while watching: the same with a real SIGTERM sent to a subprocess", {
  ignore: NO_CHILD_SIGNALS,
}, async () => {
  // A subprocess: a real SIGTERM, and the exit code 143 the process ends with.
  await terminateWhileWatching("subprocess");
});

Deno.test("Windows: SIGBREAK is the termination signal there, SIGTERM elsewhere", () => {
  assert.deepEqual(terminationSignals("windows"), ["SIGBREAK"]);
  assert.deepEqual(terminationSignals("linux"), ["SIGTERM"]);
  assert.deepEqual(terminationSignals("darwin"), ["SIGTERM"]);
  const added: string[] = [];
  const removed: string[] = [];
  const stop = onTerminationSignal(
    "windows",
    () => {},
    (signal) => added.push(signal),
    (signal) => removed.push(signal),
  );
  stop();
  assert.deepEqual({ added, removed }, { added: ["SIGBREAK"], removed: ["SIGBREAK"] });
  // A signal the platform refuses keeps its default effect instead of failing the command.
  const none = onTerminationSignal("linux", () => {}, () => {
    throw new TypeError("unsupported");
  }, () => assert.fail("nothing was added"));
  none();
});

Deno.test("Interrupts: a termination request detaches at once, even when Ctrl-C would cancel first", () => {
  let terminate: () => void = () => {};
  let listening = 0;
  const io = {
    onInterrupt: () => () => {},
    onTerminate: (listener: () => void) => {
      terminate = listener;
      listening++;
      return () => listening--;
    },
  } as unknown as CliIo;
  using interrupts = new Interrupts(io);
  interrupts.onFirst(() => assert.fail("a termination request does not cancel"));
  terminate();
  assert.equal(interrupts.detach.aborted, true);
  assert.equal(interrupts.kind, "terminate");
  assert.equal(listening, 0);
});

Deno.test("safeLine escapes control characters, keeps one line, and cuts long text with a note", () => {
  assert.equal(safeLine("Failed:\r\n\x1b[2Jgone\x07"), "Failed: ⏎ \\x1b[2Jgone\\x07");
  assert.equal(safeLine("a\u202eb\u0085c\td"), "a\\u202eb\\x85c d");
  const long = "x".repeat(MAX_MESSAGE_CHARS + 10);
  assert.match(
    safeLine(long),
    /x … \(10 more characters cut; --format json shows the whole text\)$/,
  );
  assert.equal(
    safeLine("😀".repeat(3), 3),
    "😀 … (4 more characters cut; --format json shows the whole text)",
  );
  assert.equal(safeLines("one\n\x1b]0;title\x07two"), "one\n\\x1b]0;title\\x07two");
});

/**
 * SetUserPassword with the new password on the command line, on purpose (`--allow-secret-arg`):
 * the hostile server echoes it back, and the tests look for it in what mspe-run prints.
 */
function setPasswordLiterally(secret: string): string[] {
  return [
    "call",
    "SetUserPassword",
    "instanceID=acme",
    "userName=bob",
    `password=${secret}`,
    "--allow-secret-arg",
  ];
}

Deno.test("server text on stderr is escaped, one line, cut; secrets it echoes never show", async () => {
  const secret = "N3w Pässw0rd&=+";
  const hostileText = (body: string) =>
    `Boom\x1b[2J\x1b]0;pwned\x07\r\nsecond line ${body} ${"y".repeat(5000)}`;
  await using server = serveHostile((request) => {
    if (request.path === "/api/get-metadata") {
      return { status: 200, body: JSON.stringify(catalog("spe")) };
    }
    return {
      status: 200,
      body: envelope({
        statusCode: "failed",
        error: {
          message: hostileText(`${request.headers.get("authorization")} ${request.body} ${secret}`),
          details: null,
        },
      }),
    };
  });
  const { code, stderr } = await runCliInProcess([
    ...setPasswordLiterally(secret),
    "--host",
    "127.0.0.1",
    "--port",
    String(server.port),
    "--ca-cert",
    CA_PEM_PATH,
  ], { env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "Adm1n s3cret" } });
  assert.equal(code, 4, stderr);
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, stderr);
  assert.ok(!stderr.includes("\x1b") && !stderr.includes("\x07") && !stderr.includes("\r"));
  assert.match(stderr, /Boom\\x1b\[2J\\x1b\]0;pwned\\x07 ⏎ second line/);
  assert.match(stderr, /more characters cut; --format json shows the whole text\)$/m);
  for (const shown of [secret, "Adm1n s3cret", btoa("admin:Adm1n s3cret"), "N3w+P%C3%A4ssw0rd"]) {
    assert.ok(!stderr.includes(shown), `stderr shows ${shown}: ${stderr.slice(0, 400)}`);
  }
  assert.match(stderr, /\*\*\*/);
});

Deno.test("password, CA and @file files written on Windows (UTF-16 LE/BE, UTF-8 BOM, CRLF) work", async () => {
  await using mock = await serveMock();
  const dir = await Deno.makeTempDir();
  try {
    const ca = await Deno.readTextFile(CA_PEM_PATH);
    const encodings = { utf16le, utf16be, utf8bom };
    for (const [name, encode] of Object.entries(encodings)) {
      await Deno.writeFile(`${dir}/password.${name}`, encode("admin\r\n"));
      await Deno.writeFile(`${dir}/ca.${name}.pem`, encode(ca.replaceAll("\n", "\r\n")));
      await Deno.writeFile(`${dir}/name.${name}`, encode(`Bob ${name} Ünicode\r\n`));
      const flags = ["--host", "127.0.0.1", "--port", String(mock.port)];
      const files = [
        "--password-file",
        `${dir}/password.${name}`,
        "--ca-cert",
        `${dir}/ca.${name}.pem`,
      ];
      const created = await runCliInProcess([
        "call",
        "CreateUser",
        "instanceID=acme",
        `userName=bob-${name}`,
        "privileges=none",
        `fullName=@${dir}/name.${name}`,
        ...flags,
        ...files,
      ], { env: { MSPE_USERNAME: "admin" } });
      assert.equal(created.code, 0, `${name}: ${created.stderr}`);
      const info = await runCliInProcess([
        "call",
        "GetUserInfo",
        "instanceID=acme",
        `userName=bob-${name}`,
        "--format",
        "json",
        ...flags,
        ...files,
      ], { env: { MSPE_USERNAME: "admin" } });
      assert.equal(info.code, 0, `${name}: ${info.stderr}`);
      assert.equal(JSON.parse(info.stdout).fullName, `Bob ${name} Ünicode`);
    }
    // The password on stdin, piped by PowerShell with a BOM.
    const piped = await runCliInProcess(
      ["call", "GetEnvironmentInfo", "--password-file", "-", ...mockFlags(mock.port)],
      { env: { MSPE_USERNAME: "admin" }, stdin: "\uFEFFadmin\r\n" },
    );
    assert.equal(piped.code, 0, piped.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("results a server echoes the secrets into print *** in every format, fleet rows and watch", async () => {
  const secret = "N3w Pässw0rd&=+";
  const admin = "Adm1n s3cret";
  const basic = btoa("admin:Adm1n s3cret");
  await using server = serveHostile((request) => {
    if (request.path === "/api/get-metadata") {
      return { status: 200, body: JSON.stringify(catalog("spe")) };
    }
    const echoed = {
      userName: "bob",
      // A long cell that a table cuts, the secret at its end.
      note: `${"x".repeat(300)} ${secret}`,
      authorization: request.headers.get("authorization"),
      body: request.body,
      plain: `${secret} ${admin} ${basic}`,
    };
    if (request.path === "/api/invoke/GetInstances") {
      return {
        status: 200,
        body: envelope({ result: [{ instanceID: "acme" }, { instanceID: "beta" }] }),
      };
    }
    if (request.path === "/api/get-status") {
      return { status: 200, body: envelope({ token: "t1", statusVersion: 3, result: echoed }) };
    }
    return { status: 200, body: envelope({ result: [echoed], logOutput: secret }) };
  });
  const connection = mockFlags(server.port);
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: admin };
  const call = setPasswordLiterally(secret);
  const runs: string[][] = [
    ...["list", "table", "json", "ndjson", "csv"].map((format) => [...call, "--format", format]),
    [...call, "--status", "--format", "json"],
    [...call, "--debug", "--format", "json"],
    // A fleet run: one row per instance.
    [
      "call",
      "SetUserPassword",
      "userName=bob",
      `password=${secret}`,
      "--allow-secret-arg",
      "--instances",
      "*",
    ],
    [
      "call",
      "SetUserPassword",
      "userName=bob",
      `password=${secret}`,
      "--allow-secret-arg",
      "--instances",
      "*",
      "--format",
      "table",
    ],
    ["watch", "t1", "--format", "json"],
  ];
  for (const args of runs) {
    const { code, stdout, stderr } = await runCliInProcess([...args, ...connection], { env });
    assert.equal(code, 0, `${args.join(" ")}: ${stderr}`);
    assert.match(stdout, /\*\*\*/, `${args.join(" ")}: ${stdout}`);
    // watch runs in a process that never saw the call's arguments: only the password is known.
    const secrets = args[0] === "watch"
      ? [admin, basic, "Adm1n"]
      : [secret, admin, basic, "N3w+P%C3%A4ssw0rd", "N3w Pässw0rd", "Adm1n"];
    for (const shown of secrets) {
      assert.ok(
        !stdout.includes(shown) && !stderr.includes(shown),
        `${args.join(" ")} shows ${shown}: ${stdout.slice(0, 600)} ${stderr.slice(0, 600)}`,
      );
    }
  }
});

/** A stop request during a fleet run stops it like a second Ctrl-C: exit 143, rows for the rest. */
async function terminateFleet(way: SignalWay): Promise<void> {
  await using mock = await serveMock({ jobs: { stepMs: Infinity, steps: 4 } });
  const child = startStoppable(
    way,
    ["call", "VerifyStore", "id=1", "includeIndexes=false", "--instances", "*"]
      .concat(["--format", "ndjson", ...mockFlags(mock.port)]),
    USER,
  );
  // Every instance's VerifyStore is running on the server (its steps never come).
  while (mock.app.jobs.tokens().length < 3) await new Promise((r) => setTimeout(r, 20));
  child.terminate();
  const { code, stdout, stderr } = await child.done;
  assert.equal(code, 143, stderr);
  const [header, ...rows] = stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.equal(header.function, "VerifyStore");
  assert.equal(rows.length, 3, stdout);
  // In flight when asked to stop: they may have run, so a rerun leaves them to be checked.
  for (const row of rows) {
    assert.match(row.callError, new RegExp(`asked to stop \\(${STOP}\\)`), stdout);
    assert.equal(row.callOutcome, "may-have-run");
  }
  assert.match(stderr, /Run the rest with --rerun-failed/);
  assert.doesNotMatch(stderr, /^\s+at /m);
}

Deno.test(
  "SIGTERM (Ctrl-Break on Windows) during a fleet run stops it like Ctrl-C, with exit 143 and rows for what did not finish",
  // In process, on every OS: the command's termination listener fired.
  () => terminateFleet("in process"),
);

Deno.test(
  "SIGTERM during a fleet run: the same with a real SIGTERM sent to a subprocess",
  { ignore: NO_CHILD_SIGNALS },
  () => terminateFleet("subprocess"),
);

Deno.test("hostile replies end mspe-run with one line and the documented exit code, no stack trace", async () => {
  type Reply = (path: string) => import("./_trust_helpers.ts").HostileAction | undefined;
  const cases: { name: string; reply: Reply; args: string[]; code: number; line: RegExp }[] = [
    {
      name: "a 302 redirect",
      reply: () => ({ status: 302, headers: { location: "https://evil.example/steal" } }),
      args: ["call", "GetUsers", "instanceID=acme"],
      code: 4,
      line: /302.*evil\.example/,
    },
    {
      name: "a 308 redirect of a state-changing call",
      reply: () => ({ status: 308, headers: { location: "http://evil.example:8080/x" } }),
      args: [
        "call",
        "SetUserPassword",
        "instanceID=acme",
        "userName=bob",
        "password=N3w-s3cret",
        "--allow-secret-arg",
      ],
      code: 4,
      line: /308.*evil\.example/,
    },
    {
      name: "a reply for another token",
      reply: (path) =>
        path === "/api/get-status"
          ? { status: 200, body: envelope({ token: "someone-else", statusCode: "running" }) }
          : { status: 200, body: envelope({ token: "t1", statusCode: "running" }) },
      args: VERIFY,
      code: 1,
      line: /token/i,
    },
    {
      name: "an unknown statusCode",
      reply: () => ({ status: 200, body: envelope({ statusCode: "exploded" }) }),
      args: ["call", "GetUsers", "instanceID=acme"],
      code: 1,
      line: /exploded/,
    },
    {
      name: "a reply larger than maxResponseBytes (declared)",
      reply: () => ({
        status: 200,
        body: envelope(),
        headers: { "content-length": String(2 ** 30) },
        close: true,
      }),
      args: ["call", "GetUsers", "instanceID=acme"],
      code: 1,
      line: /larger than|too large/i,
    },
  ];
  for (const { name, reply, args, code, line } of cases) {
    await using server = serveHostile((request) => {
      if (request.path === "/api/get-metadata") {
        return { status: 200, body: JSON.stringify(catalog("spe")) };
      }
      return reply(request.path) ?? "close";
    });
    const result = await runCliInProcess([...args, ...mockFlags(server.port)], { env: USER });
    assert.equal(result.code, code, `${name}: ${result.stderr}`);
    // Progress lines of a long-running call may come first; the error is one line, the last.
    const errors = result.stderr.trimEnd().split("\n").filter((l) =>
      !/^VerifyStore: running/.test(l)
    );
    assert.equal(errors.length, 1, `${name}: ${result.stderr}`);
    assert.match(errors[0]!, /^error: /, name);
    assert.match(errors[0]!, line, name);
    assert.doesNotMatch(result.stderr, /^\s+at /m, name);
    assert.ok(!result.stderr.includes("N3w-s3cret"), name);
    // Nothing went to the other origin: the hostile server saw each request once, no GET.
    assert.ok(server.requests.every((seen) => seen.method === "POST"), name);
  }
});
