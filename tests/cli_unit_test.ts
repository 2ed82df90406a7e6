/**
 * In-process tests of the CLI's pure parts: formats, argument parsing, coercion, exit codes,
 * progress, colours and password sources. The subprocess tests (cli_commands_test.ts,
 * cli_long_running_test.ts) cover the same through the real entrypoint.
 */

import assert from "node:assert/strict";
import { ApiError, AuthenticationError, CancelledError, ConnectionError } from "../mod.ts";
import { HttpError, TlsError, TokenExpiredError } from "../mod.ts";
import type { Status } from "../mod.ts";
import { parseCommand, PASSWORD_FLAG_REFUSED } from "../lib/cli/args.ts";
import { parseCallArgs } from "../lib/cli/call_args.ts";
import { describeError, ExitCode, exitCodeFor } from "../lib/cli/exit_codes.ts";
import {
  chooseFormat,
  inline,
  renderJson,
  renderList,
  renderNdjson,
  renderTable,
  style,
} from "../lib/cli/output/format.ts";
import type { CliIo, TextSink } from "../lib/cli/io/io.ts";
import { Output } from "../lib/cli/output/output.ts";
import { readPassword } from "../lib/cli/session/password.ts";
import { checkProduct } from "../lib/cli/help/function_lookup.ts";
import { Progress } from "../lib/cli/output/progress.ts";
import { TimedOut, TimeLimits } from "../lib/cli/session/timeouts.ts";
import { closest } from "../lib/_suggest.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { CONNECTION_FLAGS } from "../lib/cli/settings/flags.ts";
import { readCaCerts } from "../lib/cli/session/connect.ts";
import { readConnection } from "../lib/cli/settings/resolve.ts";
import type { MspeVariable } from "../lib/cli/settings/table.ts";

const plain = style(false);

function sink(isTerminal: boolean, columns?: number): TextSink & { text: string } {
  const s = {
    text: "",
    isTerminal,
    write(t: string) {
      s.text += t;
    },
    columns: () => columns,
  };
  return s;
}

function fakeIo(
  options: {
    env?: Partial<Record<MspeVariable, string>>;
    stdin?: string;
    stdinTerminal?: boolean;
    secretLine?: string | null;
    files?: Record<string, string>;
    terminal?: boolean;
    noColor?: boolean;
  } = {},
): CliIo & { out: TextSink & { text: string }; err: TextSink & { text: string } } {
  const out = sink(options.terminal ?? false, 80);
  const err = sink(options.terminal ?? false, 80);
  return {
    out,
    err,
    stdout: out,
    stderr: err,
    stdin: {
      isTerminal: options.stdinTerminal ?? false,
      readAll: () => Promise.resolve(options.stdin ?? ""),
      readSecretLine: (prompt) => {
        prompt();
        return Promise.resolve(options.secretLine ?? null);
      },
    },
    env: (name) => options.env?.[name as MspeVariable],
    noColor: options.noColor ?? false,
    readTextFile: (path) => {
      const text = options.files?.[path];
      return text === undefined
        ? Promise.reject(new Deno.errors.NotFound(`No such file: ${path}`))
        : Promise.resolve(text);
    },
    onInterrupt: () => () => {},
  };
}

function status(overrides: Partial<Status> = {}): Status {
  return {
    error: null,
    token: "s1",
    statusVersion: 1,
    statusCode: "running",
    percentProgress: 0,
    statusText: null,
    result: null,
    logOutput: null,
    ...overrides,
  };
}

Deno.test("list format looks like Format-List: padded names, nested values inline", () => {
  const text = renderList({
    userName: "johndoe",
    emailAddresses: [],
    privileges: ["login", "changePassword"],
    privilegesOnFolders: [{ folder: "johndoe", privileges: ["read"] }],
    distinguishedName: null,
  }, plain);
  assert.equal(
    text,
    [
      "userName            : johndoe",
      "emailAddresses      : {}",
      "privileges          : {login, changePassword}",
      "privilegesOnFolders : {@{folder=johndoe; privileges={read}}}",
      "distinguishedName   :",
      "",
    ].join("\n"),
  );
  // Several objects: one block each, separated by a blank line; multi-line strings stay aligned.
  assert.equal(renderList([{ a: 1 }, { bb: "x\ny" }], plain), "a : 1\n\nbb : x\n     y\n");
  assert.equal(renderList(null, plain), "");
  assert.equal(inline({ a: null, b: true, c: [1, 2] }), "@{a=; b=true; c={1, 2}}");
});

Deno.test("table format: columns in first-seen order, cut to the terminal width", () => {
  const rows = [{ userName: "bob", fullName: "Bob" }, { userName: "alice", mfaStatus: "Active" }];
  assert.equal(
    renderTable(rows, plain),
    [
      "userName fullName mfaStatus",
      "-------- -------- ---------",
      "bob      Bob",
      "alice             Active",
      "",
    ].join("\n"),
  );
  const wide = renderTable([{ description: "x".repeat(200), name: "n" }], plain, 40);
  for (const line of wide.trimEnd().split("\n")) assert.ok(line.length <= 40, line);
  assert.match(wide, /…/);
  assert.equal(renderTable(["a", "b"], plain), "value\n-----\na\nb\n");
});

Deno.test("json and ndjson formats", () => {
  assert.deepEqual(JSON.parse(renderJson({ a: [1] })), { a: [1] });
  assert.equal(renderJson(null), "null\n");
  assert.equal(renderNdjson([{ a: 1 }, { a: 2 }]), '{"a":1}\n{"a":2}\n');
  assert.equal(renderNdjson({ a: 1 }), '{"a":1}\n');
});

Deno.test("the default format is list on a terminal and json when piped", () => {
  assert.equal(chooseFormat(undefined, true), "list");
  assert.equal(chooseFormat(undefined, false), "json");
  assert.equal(chooseFormat("table", false), "table");
  assert.throws(() => chooseFormat("xml", true), UsageError);
});

Deno.test("colour only on a terminal, and never with NO_COLOR or --no-color", () => {
  const value = { name: "x" };
  const on = fakeIo({ terminal: true });
  new Output(on, { format: "list", color: true, quiet: false }).show(value);
  assert.ok(on.out.text.includes("\x1b[32m"));
  for (
    const [io, color] of [
      [fakeIo({ terminal: true, noColor: true }), true],
      [fakeIo({ terminal: true }), false],
      [fakeIo({ terminal: false }), true],
    ] as const
  ) {
    new Output(io, { format: "list", color, quiet: false }).show(value);
    assert.ok(!io.out.text.includes("\x1b"));
    assert.equal(io.out.text, "name : x\n");
  }
});

Deno.test("progress: plain lines when stderr is not a terminal, one per visible change", () => {
  const err = sink(false);
  let clock = 0;
  const progress = new Progress(err, { label: "VerifyStore", color: false, now: () => clock });
  progress.update(status({ percentProgress: 0, statusText: "Verifying" }));
  clock = 75_000;
  progress.update(status({ statusVersion: 2, percentProgress: 0, statusText: "Verifying" }));
  progress.update(status({ statusVersion: 3, percentProgress: 50, statusText: "Verifying" }));
  progress.update(status({ statusVersion: 4, statusCode: "succeeded", percentProgress: 100 }));
  assert.equal(
    err.text,
    "VerifyStore: running 0% Verifying (0:00)\nVerifyStore: running 50% Verifying (1:15)\n",
  );
  assert.ok(!err.text.includes("\r") && !err.text.includes("\x1b"));
});

Deno.test("progress: a bar redrawn in place on a terminal, erased at the end", () => {
  const err = sink(true, 100);
  const progress = new Progress(err, { label: "VerifyStore", color: false, now: () => 0 });
  progress.update(status({ percentProgress: 50, statusText: "Verifying store 1" }));
  assert.equal(
    err.text,
    `\r\x1b[2KVerifyStore [${"█".repeat(12)}${
      "░".repeat(12)
    }]  50% Verifying store 1 · 0:00 · Ctrl-C detaches`,
  );
  progress.update(status({ statusCode: "succeeded" }));
  assert.ok(err.text.endsWith("\r\x1b[2K"));
  const quiet = sink(true);
  new Progress(quiet, { label: "x", color: false, quiet: true }).update(status());
  assert.equal(quiet.text, "");
});

Deno.test("flags: unknown ones are named with a suggestion, --password is refused with the reason", () => {
  const flags = { help: { type: "boolean", help: "" }, ...CONNECTION_FLAGS } as const;
  assert.throws(
    () => parseCommand("call", ["--hots", "x"], flags),
    (e: Error) =>
      e instanceof UsageError && /Unknown flag --hots .*Did you mean --host\?/.test(e.message),
  );
  for (const argv of [["--password", "hunter2"], ["--password=hunter2"]]) {
    assert.throws(
      () => parseCommand("call", argv, flags),
      (e: Error) => e.message === PASSWORD_FLAG_REFUSED && !e.message.includes("hunter2"),
    );
  }
  assert.throws(
    () => parseCommand("call", ["--hots=hunter2"], flags),
    (e: Error) => !e.message.includes("hunter2"),
  );
  assert.throws(() => parseCommand("call", ["--host"], flags), /needs a value/);
  assert.throws(() => parseCommand("call", ["--insecure=yes"], flags), /takes no value/);
  const parsed = parseCommand(
    "call",
    ["GetUsers", "a=1", "--ca-cert", "x", "--ca-cert", "y"],
    flags,
  );
  assert.deepEqual(parsed.positionals, ["GetUsers", "a=1"]);
  assert.deepEqual(parsed.strings("ca-cert"), ["x", "y"]);
});

Deno.test("connection flags are checked, with MSPE_ variables as defaults", () => {
  const read = (argv: string[], env: Partial<Record<MspeVariable, string>> = {}) =>
    readConnection(parseCommand("call", argv, CONNECTION_FLAGS), fakeIo({ env }));
  assert.equal(read([]).host, "localhost");
  assert.equal(read([], { MSPE_HOST: "spe1", MSPE_PORT: "9000" }).port, 9000);
  assert.equal(read(["--port", "8475"], { MSPE_PORT: "9000" }).port, 8475);
  assert.equal(read([], { MSPE_USERNAME: "admin" }).username, "admin");
  for (
    const argv of [["--port", "0"], ["--port", "x"], ["--port", "70000"], ["--product", "exchange"]]
  ) {
    assert.throws(() => read(argv), UsageError, argv.join(" "));
  }
  assert.throws(() => read(["--tls-version", "1.0"]), /not supported/);
  assert.throws(() => read(["--timeout", "-1"]), UsageError);
  assert.equal(read(["--timeout", "1.5"]).timeoutMs, 1500);
});

Deno.test("call arguments are typed by the metadata; secrets are not repeated in errors", async () => {
  const io = fakeIo({ stdin: "n3w-Secret\n", files: { "config.json": '{"a":1}\n' } });
  const metadata = [
    { name: "instanceID", type: "string", nullable: false },
    { name: "id", type: "number", nullable: false },
    { name: "includeIndexes", type: "bool", nullable: false },
    { name: "config", type: "json", nullable: true },
    { name: "password", type: "string", nullable: true },
  ] as const;
  assert.deepEqual(
    await parseCallArgs(
      "F",
      ["instanceID=acme", "id=1", "includeIndexes=FALSE", "config=@config.json", "password=@-"],
      metadata,
      io,
    ),
    { instanceID: "acme", id: 1, includeIndexes: false, config: '{"a":1}', password: "n3w-Secret" },
  );
  assert.deepEqual(await parseCallArgs("F", ["instanceID=@@x"], metadata, io), {
    instanceID: "@x",
  });
  await assert.rejects(parseCallArgs("F", ["id=one"], metadata, io), /id is a number/);
  await assert.rejects(
    parseCallArgs("F", ["includeIndexes=yes"], metadata, io),
    /includeIndexes=true or includeIndexes=false/,
  );
  await assert.rejects(parseCallArgs("F", ["config={"], metadata, io), /not valid JSON/);
  await assert.rejects(parseCallArgs("F", ["id=1", "id=2"], metadata, io), /given twice/);
  await assert.rejects(
    parseCallArgs("F", ["hunter2"], metadata, io),
    (e: Error) => e instanceof UsageError && !e.message.includes("hunter2"),
  );
  await assert.rejects(
    parseCallArgs("F", ["password=hunter2", "password=x"], metadata, io),
    (e: Error) => !e.message.includes("hunter2"),
  );
});

Deno.test("errors map to the documented exit codes", () => {
  const failed = status({ statusCode: "failed", error: { message: "No.", details: null } });
  const cases: [unknown, number][] = [
    [new UsageError("x"), 2],
    [new AuthenticationError(), 3],
    [new ApiError("F", failed), 4],
    [new HttpError(503, "", "/api/invoke/F"), 4],
    [new CancelledError("F", failed), 5],
    [new DOMException("late", "TimeoutError"), 6],
    [new TokenExpiredError("s1"), 7],
    [new TlsError("untrusted"), 8],
    [new ConnectionError("refused"), 1],
    [new Error("boom"), 1],
  ];
  for (const [error, code] of cases) assert.equal(exitCodeFor(error), code, String(error));
  assert.equal(ExitCode.Interrupted, 130);
  assert.equal(
    describeError(new ConnectionError("Could not connect.\n  at x")),
    "Could not connect.",
  );
  assert.match(describeError(new DOMException("late", "TimeoutError")), /--timeout/);
});

Deno.test("password: --password-file, then MSPE_PASSWORD, then a prompt; never guessed", async () => {
  const who = { username: "admin", host: "spe1" };
  assert.equal(
    await readPassword(fakeIo({ env: { MSPE_PASSWORD: "e" }, files: { "pw": "f\n" } }), {
      ...who,
      passwordFile: "pw",
    }),
    "f",
  );
  assert.equal(await readPassword(fakeIo({ stdin: "s\r\n" }), { ...who, passwordFile: "-" }), "s");
  assert.equal(await readPassword(fakeIo({ env: { MSPE_PASSWORD: "e" } }), who), "e");
  const prompted = fakeIo({ stdinTerminal: true, secretLine: "typed" });
  assert.equal(await readPassword(prompted, who), "typed");
  assert.match(prompted.err.text, /^Password for admin on spe1: \n$/);
  await assert.rejects(readPassword(fakeIo(), who), /No password given.*MSPE_PASSWORD/);
  await assert.rejects(
    readPassword(fakeIo(), { ...who, passwordFile: "missing" }),
    /does not exist/,
  );
  await assert.rejects(
    readPassword(fakeIo({ stdin: "\n" }), { ...who, passwordFile: "-" }),
    /empty/,
  );
});

Deno.test("suggestions catch typos but not unrelated words", () => {
  assert.equal(closest("hots", ["host", "port"]), "host");
  assert.equal(closest("GetUser", ["GetUsers", "GetUserInfo"]), "GetUsers");
  assert.equal(closest("exmaple", ["example", "call"]), "example");
  assert.equal(closest("zzz", ["host", "port"]), undefined);
});

Deno.test("list format wraps a long value under its first line on a narrow terminal", () => {
  const value = {
    name: "x",
    info: { version: "25.3", copyright: "Copyright (c) 2005-2025 MailStore" },
  };
  const text = renderList(value, plain, 40);
  assert.equal(
    text,
    [
      "name : x",
      "info : @{version=25.3;",
      "       copyright=Copyright (c) 2005-2025",
      "       MailStore}",
      "",
    ].join("\n"),
  );
  assert.ok(text.split("\n").every((line) => line.length <= 40));
  // Piped (no width): one line per property, for grep.
  assert.equal(renderList(value, plain).split("\n").length, 3);
  // A word longer than the room is cut where the room ends.
  assert.equal(
    renderList({ k: "x".repeat(50) }, plain, 30),
    `k : ${"x".repeat(26)}\n    ${"x".repeat(24)}\n`,
  );
});

Deno.test("progress: the bar leaves room for the terminal's ^C echo", () => {
  const err = sink(true, 40);
  new Progress(err, { label: "VerifyStore", color: false }).update(
    status({ percentProgress: 50, statusText: "Verifying archive store '2025-11' (2 of 4)" }),
  );
  const line = err.text.replace("\r\x1b[2K", "");
  assert.equal(line.length, 37);
  assert.match(line, /… · \d:\d\d$/);
});

Deno.test("connection flags: a URL or host:port in --host, a malformed pin", () => {
  const read = (argv: string[]) =>
    readConnection(parseCommand("call", argv, CONNECTION_FLAGS), fakeIo());
  assert.throws(
    () => read(["--host", "https://spe1.example.com:8474/"]),
    /only, without scheme or port: --host spe1\.example\.com --port 8474\.$/,
  );
  assert.throws(() => read(["--host", "spe1:8474"]), /--host spe1 --port 8474\.$/);
  assert.equal(read(["--host", "::1"]).host, "::1");
  assert.equal(read(["--host", "[::1]"]).host, "[::1]");
  assert.throws(() => read(["--pin-sha256", "AB:CD"]), /64 hex digits/);
  const pin = "ab".repeat(32);
  assert.equal(read(["--pin-sha256", pin]).pinSha256, pin);
});

Deno.test("--ca-cert files: a readable PEM certificate, or a message that names the file", async () => {
  const good = await Deno.readTextFile(new URL("./testdata/tls/ca.pem", import.meta.url));
  const io = fakeIo({
    files: {
      "ca.pem": good,
      "key.pem": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      "bad.pem": "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
      // Base64 that starts like a certificate but lost its last lines (copied in part).
      "cut.pem": good.split("\n").filter((_, i, lines) => i < 3 || i >= lines.length - 2).join(
        "\n",
      ),
    },
  });
  assert.deepEqual(await readCaCerts(io, ["ca.pem"]), [good]);
  await assert.rejects(readCaCerts(io, ["key.pem"]), /key\.pem holds no PEM certificate/);
  await assert.rejects(readCaCerts(io, ["bad.pem"]), /bad\.pem has a damaged certificate/);
  await assert.rejects(readCaCerts(io, ["cut.pem"]), /cut\.pem has a damaged certificate/);
  await assert.rejects(readCaCerts(io, ["nope.pem"]), /nope\.pem: it does not exist/);
});

Deno.test("--product is checked against the functions the server offers", () => {
  const spe = [{ name: "GetInstances", args: [] }, { name: "GetUsers", args: [] }];
  const server = [{ name: "GetServerInfo", args: [] }, { name: "GetUsers", args: [] }];
  checkProduct(spe, "spe", "h:8474");
  checkProduct(server, "server", "h:8463");
  checkProduct(null, "spe", "h:8474");
  // Only shared functions (a restricted account, say): nothing to go by, so no complaint.
  checkProduct([{ name: "GetUsers", args: [] }], "server", "h:8474");
  assert.throws(
    () => checkProduct(server, "spe", "h:8463"),
    /h:8463 is MailStore Server, not MailStore SPE.*--product server/,
  );
  assert.throws(() => checkProduct(spe, "server", "h:8474"), /--product spe/);
});

Deno.test("time limits: 120 s per request by default; --timeout sets both; messages name the limit", () => {
  assert.equal(new TimeLimits(undefined).requestTimeoutMs, 120_000);
  assert.equal(new TimeLimits(undefined).deadline, undefined);
  const request = new TimeLimits(undefined).explain(
    new DOMException("no reply", "TimeoutError"),
    "spe1:8474",
  );
  assert.ok(request instanceof TimedOut);
  assert.match(request.message, /^No reply from spe1:8474 within 120 s: .*--timeout/);
  assert.equal(exitCodeFor(request), 6);
  const other = new Error("x");
  assert.equal(new TimeLimits(undefined).explain(other, "h"), other);
  const limits = new TimeLimits(2500);
  assert.equal(limits.requestTimeoutMs, 2500);
  assert.ok(limits.deadline instanceof AbortSignal);
});
