/**
 * `mspe-run` in process (`runCli` with a memory process, `_cli_in_process.ts`) against one mock
 * server over HTTPS: every command, every format, the exit codes of user mistakes, and the password
 * never showing up. The example scripts and `mspe-run mock` run as subprocesses.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { ENVELOPE_KEYS } from "./_helpers.ts";
import { CA_PEM_PATH, type CliResult, mockFlags, ROOT, runCli } from "./cli_helpers.ts";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";

/** The mock's password: distinctive, so that any leak into output is found. */
const SECRET = "Pa55-w0rd-never-shown";
const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: SECRET };

/** A PEM certificate block around `body`. */
const CERTIFICATE_WITH = (body: string) =>
  `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

/** One line on stderr, no stack trace: what every user mistake must look like. */
function assertOneLine(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got:\n${result.stderr}`);
  assert.match(lines[0] ?? "", /^error: /);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
  assert.equal(result.stdout, "");
}

Deno.test("mspe-run commands against the mock", async (t) => {
  await using mock = await serveMock({ password: SECRET, jobs: { stepMs: 10 } });
  const flags = mockFlags(mock.port);
  const results: CliResult[] = [];
  const run = async (args: string[], env: Record<string, string> = USER, stdin?: string) => {
    const result = await runCliInProcess(args, { env, ...(stdin !== undefined ? { stdin } : {}) });
    results.push(result);
    return result;
  };

  await t.step("--version prints the version from deno.json", async () => {
    const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
    const { code, stdout } = await run(["--version"]);
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^mspe-run ${config.version.replaceAll(".", "\\.")} \\(Deno `));
  });

  await t.step("--help of every command has usage, examples and the exit codes", async () => {
    const main = await run(["--help"]);
    assert.equal(main.code, 0);
    for (const command of ["example", "call", "watch", "cancel", "functions", "tls-info", "mock"]) {
      assert.match(main.stdout, new RegExp(`^  ${command}\\b`, "m"));
      const { code, stdout } = await run([command, "--help"]);
      assert.equal(code, 0, command);
      assert.match(stdout, new RegExp(`mspe-run ${command}`), command);
      assert.match(stdout, /Examples:\n {2}\S/, command);
      assert.match(stdout, /Exit codes:[\s\S]*8 +TLS verification failed/, command);
    }
  });

  await t.step("example 1: the GetEnvironmentInfo status object", async () => {
    const { code, stdout } = await run(["example", "1", "--format", "json", ...flags]);
    assert.equal(code, 0);
    const status = JSON.parse(stdout);
    assert.equal(status.statusCode, "succeeded");
    assert.equal(typeof status.result.serverName, "string");
    const list = await run(["example", "1", "--format", "list", ...flags]);
    assert.match(list.stdout, /^statusCode +: succeeded$/m);
    assert.match(list.stdout, /^result +: @\{version=/m);
  });

  await t.step("example 2: GetUserInfo for every user of every instance", async () => {
    const { code, stdout } = await run(["example", "2", "--format", "ndjson", ...flags]);
    assert.equal(code, 0);
    const users = stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    // 3 instances with 5 users and $archiveadmin each (the mock's defaults).
    assert.equal(users.length, 18);
    assert.ok(users.every((user) => typeof user.userName === "string" && "privileges" in user));
  });

  await t.step("example 3: VerifyStore waited for, progress as plain lines on stderr", async () => {
    const { code, stdout, stderr } = await run(["example", "3", "--format", "json", ...flags]);
    assert.equal(code, 0);
    const final = JSON.parse(stdout);
    assert.equal(final.statusCode, "succeeded");
    assert.equal(final.percentProgress, 100);
    assert.match(stderr, /^VerifyStore: running \d+%/m);
  });

  await t.step("example 4: one status line per update, to the end", async () => {
    const { code, stdout } = await run(["example", "4", "--format", "ndjson", ...flags]);
    assert.equal(code, 0);
    const statuses = stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.ok(statuses.length >= 2);
    assert.equal(statuses[0].statusCode, "running");
    assert.equal(statuses.at(-1).statusCode, "succeeded");
    const versions = statuses.map((s) => s.statusVersion);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
  });

  await t.step("example 4 --cancel-at: cancelled on request, exit code 5", async () => {
    // Slow steps so that the cancel arrives while the job runs.
    mock.app.jobs.config.stepMs = 100;
    try {
      const { code, stdout, stderr } = await run(
        ["example", "4", "--cancel-at", "25", "--format", "list", ...flags],
      );
      assert.equal(code, 5, stderr);
      assert.match(stdout, /^#1 running 0%/m);
      assert.doesNotMatch(stdout, /succeeded/);
      assert.match(stderr, /Cancelling VerifyStore/);
    } finally {
      mock.app.jobs.config.stepMs = 10;
    }
  });

  await t.step("each example script also runs on its own with deno run", async () => {
    // A subprocess: the scripts are entrypoints of their own (start-up, Deno.args, the exit code).
    for (const n of [1, 2, 3, 4]) {
      const script = `scripts/example${n}.ts`;
      const result = await runCli(["--format", "ndjson", ...flags], { env: USER, script });
      results.push(result);
      assert.equal(result.code, 0, `${script}: ${result.stderr}`);
      assert.ok(result.stdout.trim().split("\n").every((line) => JSON.parse(line) !== undefined));
    }
    const help = await runCli(["--help"], { script: "scripts/example4.ts" });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /deno run -P=mspe-run scripts\/example4\.ts/);
    const wrong = await runCli(["--hots", "x"], { script: "scripts/example1.ts" });
    assertOneLine(wrong, 2, /Unknown flag --hots for scripts\/example1\.ts/);
  });

  await t.step(
    "mock starts the simulator with deno task mock's flags; Ctrl-C stops it",
    async () => {
      // In process, Ctrl-C fired at the command's listeners (on every OS); mock_persist_test
      // stops a subprocess mock with real signals.
      const child = new InProcessCli(["mock", "--port", "0", "--users", "1"]);
      const [, url] = await child.waitFor("stdout", /^listening on (https:\/\/127\.0\.0\.1:\d+)$/m);
      const port = Number(new URL(url ?? "").port);
      const users = await run(["call", "GetUsers", "instanceID=acme", ...mockFlags(port)], {
        MSPE_USERNAME: "admin",
        MSPE_PASSWORD: "admin",
      });
      assert.equal(JSON.parse(users.stdout).length, 2, users.stderr);
      child.interrupt();
      const { code, stdout } = await child.done;
      assert.equal(code, 0);
      assert.match(stdout, /\nstopped\n$/);
      assert.match(stdout, /certificate SHA-256 fingerprint: [0-9A-F:]{95}/);
      assertOneLine(await run(["mock", "--bogus"]), 2, /./);
    },
  );

  await t.step("call prints the result in each format", async () => {
    const args = ["call", "GetUsers", "instanceID=acme", ...flags];
    const json = await run([...args, "--format", "json"]);
    assert.equal(json.code, 0);
    const users = JSON.parse(json.stdout);
    assert.equal(users[0].userName, "$archiveadmin");
    // Piped, without --format: json.
    assert.deepEqual(JSON.parse((await run(args)).stdout), users);
    const ndjson = await run([...args, "--format", "ndjson"]);
    assert.deepEqual(ndjson.stdout.trimEnd().split("\n").map((l) => JSON.parse(l)), users);
    const table = await run([...args, "--format", "table"]);
    assert.match(table.stdout, /^userName +fullName/);
    assert.match(table.stdout, /^-------- +/m);
    assert.equal(table.stdout.trimEnd().split("\n").length, users.length + 2);
    const list = await run([...args, "--format", "list"]);
    assert.match(list.stdout, /^userName +: \$archiveadmin$/m);
    assert.equal(list.stdout.split("\n\n").length, users.length);
    for (const result of [json, ndjson, table, list]) assert.ok(!result.stdout.includes("\x1b"));
  });

  await t.step("call --status prints the whole status object; values are typed", async () => {
    const { code, stdout } = await run(
      ["call", "GetInstances", "instanceFilter=*", "--status", "--format", "json", ...flags],
    );
    assert.equal(code, 0);
    const status = JSON.parse(stdout);
    assert.deepEqual(Object.keys(status), ENVELOPE_KEYS);
    const stores = await run(
      ["call", "GetStores", "instanceID=acme", "includeSize=true", "--format", "json", ...flags],
    );
    assert.equal(stores.code, 0, stores.stderr);
    assert.equal(typeof JSON.parse(stores.stdout)[0].id, "number");
  });

  await t.step(
    "list and table: a call without a result shows its log; an empty list says so",
    async () => {
      const verify = ["call", "VerifyStore", "instanceID=acme", "id=1", "includeIndexes=false"];
      const log = await run([...verify, "--format", "list", ...flags]);
      assert.equal(log.code, 0, log.stderr);
      assert.match(log.stdout, /^Verifying archive store .* started\.\n[\s\S]*finished\.\n$/);
      assert.ok(!log.stdout.includes("\r"), "CRLF of the log becomes LF");
      assert.match(log.stderr, /^VerifyStore succeeded; it returns no result\. Its log:$/m);
      const json = await run([...verify, "--format", "json", ...flags]);
      assert.equal(json.stdout, "null\n");
      for (const format of ["list", "table"]) {
        const empty = await run([
          "call",
          "GetInstances",
          "instanceFilter=nomatch*",
          "--format",
          format,
          ...flags,
        ]);
        assert.equal(empty.code, 0, empty.stderr);
        assert.equal(empty.stdout, "");
        assert.match(empty.stderr, /^GetInstances succeeded; the result is an empty list\.$/m);
      }
      const ndjson = await run([
        "call",
        "GetInstances",
        "instanceFilter=nomatch*",
        "--format",
        "ndjson",
        ...flags,
      ]);
      assert.equal(ndjson.stdout, "");
      assert.equal(ndjson.stderr, "");
    },
  );

  await t.step("--instance gives the default instanceID", async () => {
    const { code, stdout } = await run(
      ["call", "GetUsers", "--instance", "globex", "--format", "json", ...flags],
    );
    assert.equal(code, 0);
    assert.ok(JSON.parse(stdout).some((u: { userName: string }) => u.userName === "$archiveadmin"));
  });

  await t.step("functions lists the server's functions and describes one", async () => {
    const list = await run(["functions", "--format", "json", ...flags]);
    assert.equal(list.code, 0);
    const functions = JSON.parse(list.stdout);
    assert.equal(functions.length, 122);
    const verify = functions.find((f: { name: string }) => f.name === "VerifyStore");
    assert.equal(verify.longRunning, true);
    assert.match(verify.description, /Verify/);
    const one = await run(["functions", "VerifyStore", "--format", "json", ...flags]);
    const described = JSON.parse(one.stdout);
    assert.deepEqual(described.args.map((a: { name: string }) => a.name), [
      "instanceID",
      "id",
      "includeIndexes",
    ]);
    const help = await run(["functions", "SetStoreRequestedState", "--format", "list", ...flags]);
    assert.match(
      help.stdout,
      /^SYNTAX\n {4}mspe-run call SetStoreRequestedState instanceID=<string>/m,
    );
    assert.match(help.stdout, /One of: current, normal, writeProtected, disabled\./);
    // --offline needs no server and no password.
    const offline = await run(
      ["functions", "--offline", "--product", "server", "--format", "json"],
      {},
    );
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal(JSON.parse(offline.stdout).length, 89);
  });

  await t.step(
    "tls-info shows the fingerprint and a --pin-sha256 line, then the pin works",
    async () => {
      const tlsInfo = (format: string) =>
        run(
          ["tls-info", "--host", "127.0.0.1", "--port", String(mock.port), "--format", format],
          {},
        );
      const info = await tlsInfo("json");
      assert.equal(info.code, 0, info.stderr);
      const parsed = JSON.parse(info.stdout);
      assert.equal(parsed.sha256, mock.certificate?.sha256);
      assert.equal(parsed.authorized, false);
      assert.equal(parsed.pinFlag, `--pin-sha256 ${mock.certificate?.sha256}`);
      const list = await tlsInfo("list");
      assert.match(list.stdout, /^sha256 +: [0-9A-F:]{95}$/m);
      assert.match(list.stdout, /^ {2}--pin-sha256 [0-9A-F:]{95}$/m);
      const pinned = await run(
        [
          "call",
          "Ping",
          "--host",
          "127.0.0.1",
          "--port",
          String(mock.port),
          ...parsed.pinFlag.split(" "),
        ],
      );
      assert.equal(pinned.code, 0, pinned.stderr);
    },
  );

  await t.step("--insecure connects and warns once on stderr, in the CLI's style", async () => {
    const { code, stderr } = await run(
      ["call", "Ping", "--host", "127.0.0.1", "--port", String(mock.port), "--insecure"],
    );
    assert.equal(code, 0, stderr);
    const warnings = stderr.split("\n").filter((line) => /certificate checks are off/i.test(line));
    assert.equal(warnings.length, 1, stderr);
    assert.match(warnings[0] ?? "", /^warning: Certificate checks are off for this client/);
    assert.match(warnings[0] ?? "", /--pin-sha256/);
    // Not the library's own default line.
    assert.doesNotMatch(stderr, /mspe:/);
  });

  await t.step("the password from --password-file, a file or stdin", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/pw.txt`;
      await Deno.writeTextFile(file, `${SECRET}\n`);
      const viaFile = await run(
        ["call", "Ping", "--username", "admin", "--password-file", file, ...flags],
        {},
      );
      assert.equal(viaFile.code, 0, viaFile.stderr);
      const viaStdin = await run(
        ["call", "Ping", "--username", "admin", "--password-file", "-", ...flags],
        {},
        `${SECRET}\n`,
      );
      assert.equal(viaStdin.code, 0, viaStdin.stderr);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("user mistakes: one line on stderr and the matching exit code", async () => {
    assertOneLine(await run(["frobnicate"]), 2, /Unknown command "frobnicate"/);
    assertOneLine(await run(["exmaple", "1"]), 2, /Did you mean example\?/);
    assertOneLine(
      await run(["call", "GetUser", ...flags]),
      2,
      /Unknown function "GetUser".*Did you mean GetUsers\?/,
    );
    assertOneLine(
      await run(["call", "GetUsers", "instanceId=acme", ...flags]),
      2,
      /instanceId.*instanceID/,
    );
    assertOneLine(
      await run(["call", "GetUsers", "--hots", "x", ...flags]),
      2,
      /Unknown flag --hots.*--host/,
    );
    assertOneLine(
      await run([
        "call",
        "VerifyStore",
        "instanceID=acme",
        "id=one",
        "includeIndexes=false",
        ...flags,
      ]),
      2,
      /id is a number/,
    );
    assertOneLine(
      await run(["call", "Ping", `--password=${SECRET}`, ...flags]),
      2,
      /--password is not accepted.*process list/,
    );
    assertOneLine(
      await run(["call", "Ping", "--format", "xml", ...flags]),
      2,
      /Unknown format "xml"/,
    );
    assertOneLine(
      await run(["call", "Ping", ...flags], { MSPE_PASSWORD: SECRET }),
      2,
      /--username/,
    );
    assertOneLine(
      await run(["call", "Ping", ...flags], { MSPE_USERNAME: "admin" }),
      2,
      /MSPE_PASSWORD.*--password-file/,
    );
    assertOneLine(await run(["example", "9", ...flags]), 2, /example 1, 2, 3 or 4/);
    assertOneLine(await run(["call", "Ping", "--host"]), 2, /--host needs a value/);
    assertOneLine(await run(["call", "Ping", "--insecure=yes"]), 2, /--insecure takes no value/);
    assertOneLine(
      await run(["call", "GetUsers", ...flags]),
      2,
      /missing mandatory argument instanceID/,
    );
    assertOneLine(
      await run(["call", "GetStores", "instanceID=acme", "includeSize=maybe", ...flags]),
      2,
      /includeSize=true or includeSize=false/,
    );
    assertOneLine(
      await run(["call", "CreateSystemAdministrator", "config={", "password=x", ...flags]),
      2,
      /config takes JSON.*not valid JSON/,
    );
    assertOneLine(await run(["call", "Ping", "--host", "127.0.0.1:8474"]), 2, /--port 8474/);
    assertOneLine(await run(["call", "Ping", "--port", "99999"]), 2, /not a port number/);
  });

  await t.step("a wrong password: exit code 3", async () => {
    assertOneLine(
      await run(["call", "Ping", ...flags], { MSPE_USERNAME: "admin", MSPE_PASSWORD: "wrong" }),
      3,
      /Authentication failed.*user name and password/,
    );
  });

  await t.step(
    "a call that fails on the server: exit code 4 with the server's message",
    async () => {
      assertOneLine(
        await run(["call", "GetUsers", "instanceID=nosuch", ...flags]),
        4,
        /GetUsers failed on the server: .*nosuch/,
      );
    },
  );

  await t.step(
    "connection problems: one line that says what to do, and the exit code",
    async () => {
      const at = (port: number) => ["call", "Ping", "--host", "127.0.0.1", "--port", String(port)];
      const free = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const refusedPort = free.addr.port;
      free.close();
      // Accepts connections and never answers: the CLI must give up, not hang.
      const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const held: Deno.Conn[] = [];
      const accepting = (async () => {
        for await (const conn of silent) held.push(conn);
      })();
      await using http = await serveMock({ http: true });
      await using server = await serveMock({ product: "server", password: SECRET });
      const dir = await Deno.makeTempDir();
      try {
        await Deno.writeTextFile(`${dir}/damaged.pem`, CERTIFICATE_WITH("not base64 !!"));
        await Deno.writeTextFile(`${dir}/empty.txt`, "");
        const cases: [string[], number, RegExp][] = [
          [at(mock.port), 8, /not trusted.*--ca-cert.*--pin-sha256/],
          [
            [...at(mock.port), "--pin-sha256", "AB".repeat(32)],
            8,
            /does not match the pinned fingerprint/,
          ],
          [[...at(mock.port), "--pin-sha256", "xyz"], 2, /--pin-sha256 takes .*64 hex digits/],
          [[...at(mock.port), "--ca-cert", "deno.json"], 2, /deno\.json holds no PEM certificate/],
          [[...at(mock.port), "--ca-cert", `${dir}/damaged.pem`], 2, /damaged certificate/],
          [[...at(mock.port), "--ca-cert", dir], 2, /Cannot read the --ca-cert file .*a directory/],
          [
            ["call", "Ping", ...flags, "--password-file", `${dir}/empty.txt`],
            2,
            /password file .* is empty/,
          ],
          [
            ["call", "Ping", "--host", `https://127.0.0.1:${mock.port}/`],
            2,
            /--host 127\.0\.0\.1 --port/,
          ],
          [
            [...at(refusedPort), "--ca-cert", CA_PEM_PATH],
            1,
            /refused.*Check the host name and port/,
          ],
          [
            [...at(http.port), "--ca-cert", CA_PEM_PATH],
            8,
            /speaks plain HTTP, not HTTPS, .*check the port \(--port/,
          ],
          [
            [...at(silent.addr.port), "--ca-cert", CA_PEM_PATH, "--timeout", "1"],
            6,
            /Timed out after 1 s/,
          ],
          [
            [...at(mock.port), "--ca-cert", CA_PEM_PATH, "--product", "server"],
            2,
            /not MailStore Server/,
          ],
          [
            ["call", "GetServerInfo", ...mockFlags(server.port)],
            2,
            /is MailStore Server, not MailStore SPE.*--product server/,
          ],
          // A read-only SPE function goes out without the function list first; the server's
          // "unknown function" reply then fetches it, and the message is the same.
          [
            ["call", "GetEnvironmentInfo", ...mockFlags(server.port)],
            2,
            /is MailStore Server, not MailStore SPE.*--product server/,
          ],
        ];
        for (const [args, code, pattern] of cases) {
          assertOneLine(await run(args), code, pattern);
        }
        // The same with the password from stdin, which can be read only once: the second
        // connection (for the function list) uses the password already read.
        assertOneLine(
          await run(
            ["call", "GetEnvironmentInfo", ...mockFlags(server.port), "--password-file", "-"],
            { MSPE_USERNAME: "admin" },
            `${SECRET}\n`,
          ),
          2,
          /is MailStore Server, not MailStore SPE.*--product server/,
        );
      } finally {
        silent.close();
        await accepting.catch(() => {});
        for (const conn of held) conn.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  );

  await t.step("the password never appears in any output", () => {
    assert.ok(results.length > 40);
    for (const result of results) {
      assert.ok(!result.stdout.includes(SECRET), result.stdout);
      assert.ok(!result.stderr.includes(SECRET), result.stderr);
    }
  });
});

Deno.test("mspe-run call: a read-only function the catalogue knows is one request; a state-changing one fetches the function list first", async () => {
  await using mock = await serveMock();
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
  const cases: [string[], Record<string, number>][] = [
    [["GetEnvironmentInfo"], { "/api/invoke/GetEnvironmentInfo": 1 }],
    [
      ["SetUserFullName", "instanceID=acme", "userName=$archiveadmin", "fullName=Ada"],
      { "/api/get-metadata": 1, "/api/invoke/SetUserFullName": 1 },
    ],
    // On many instances the function list is fetched as before.
    [
      ["GetUsers", "--instances", "acme"],
      { "/api/get-metadata": 1, "/api/invoke/GetInstances": 1, "/api/invoke/GetUsers": 1 },
    ],
  ];
  for (const [call, expected] of cases) {
    mock.stats.reset();
    const run = await runCliInProcess(
      ["call", ...call, ...mockFlags(mock.port), "--format", "json"],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(mock.stats.byPath, expected, call.join(" "));
  }
  // An argument the catalogue does not know may be a newer server's: the server's list decides
  // (the mock's list is the catalogue, so here it refuses it, before the call is sent).
  mock.stats.reset();
  const newer = await runCliInProcess(
    ["call", "GetUsers", "instanceID=acme", "sinceVersion=26", ...mockFlags(mock.port)],
    { env },
  );
  assert.equal(newer.code, 2, newer.stderr);
  assert.match(newer.stderr, /unknown argument sinceVersion/);
  assert.deepEqual(mock.stats.byPath, { "/api/get-metadata": 1 });
  // A wrong password is refused by the call itself, with the same message and exit code.
  const refused = await runCliInProcess(["call", "GetEnvironmentInfo", ...mockFlags(mock.port)], {
    env: { ...env, MSPE_PASSWORD: "wrong" },
  });
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /^error: Authentication failed \(HTTP 401\)/);
});
