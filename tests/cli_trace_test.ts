/**
 * What `mspe-run` shows while it works, in process: `--verbose` (one line per HTTP exchange)
 * and `--debug` (headers and bodies) with every secret redacted, flags before the command, and the
 * long-running call messages: `--no-wait`'s watch command with the function's name, `watch --label`
 * naming the function with elapsed time, the progress bar saying what Ctrl-C does, and `cancel`'s
 * one line (the whole status only with `--format json`). The progress bar runs as a subprocess on
 * a pseudo-terminal.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { CliProcess, mockFlags, ptyAvailable } from "./cli_helpers.ts";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";

const PASSWORD = "Adm1n-Pa55word";
const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: PASSWORD };
const VERIFY = ["call", "VerifyStore", "instanceID=acme", "id=1", "includeIndexes=false"];

Deno.test("mspe-run --verbose and --debug", async (t) => {
  await using mock = await serveMock({ password: PASSWORD });
  const flags = mockFlags(mock.port);
  const basic = btoa(`admin:${PASSWORD}`);

  await t.step("--verbose: one line per exchange on stderr; flags before the command", async () => {
    const { code, stdout, stderr } = await runCliInProcess(
      ["--verbose", ...flags, "call", "GetUsers", "instanceID=acme", "--format", "json"],
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    assert.ok(Array.isArray(JSON.parse(stdout)), "stdout stays data");
    const lines = stderr.trimEnd().split("\n");
    assert.deepEqual(
      lines.map((line) => line.replace(/-> 200, \d+(\.\d)? (B|KiB), \d+ ms$/, "-> ok")),
      // A read-only function the catalogue knows goes out without the function list first.
      ["trace: POST /api/invoke/GetUsers -> ok"],
    );
  });

  await t.step("--debug: headers and bodies, with the secrets as ***", async () => {
    const secret = "N3w-Us3r-Secret";
    const { code, stderr } = await runCliInProcess(
      [
        "call",
        "SetUserPassword",
        "instanceID=acme",
        "userName=john.doe",
        "password=@-",
        "--debug",
        ...flags,
      ],
      { env: USER, stdin: `${secret}\n` },
    );
    // john.doe is the first seeded user of every instance: the call succeeds.
    assert.equal(code, 0, stderr);
    assert.match(stderr, /^trace: POST \/api\/invoke\/SetUserPassword -> 200/m);
    assert.match(stderr, /^> authorization: \*\*\*$/m);
    assert.match(stderr, /^> .*password=\*\*\*/m);
    assert.match(stderr, /^< content-type: /m);
    assert.match(stderr, /^< \{/m, "the reply body is shown");
    for (const leaked of [secret, PASSWORD, basic]) {
      assert.ok(!stderr.includes(leaked), `${leaked} does not appear`);
    }
  });

  await t.step("without --verbose nothing is traced", async () => {
    const { code, stderr } = await runCliInProcess(["call", "Ping", ...flags], { env: USER });
    assert.equal(code, 0, stderr);
    assert.ok(!stderr.includes("trace:"));
  });
});

Deno.test("mspe-run long-running call messages", async (t) => {
  await using mock = await serveMock({ jobs: { stepMs: Infinity, steps: 4 } });
  const flags = mockFlags(mock.port);
  const jobs = mock.app.jobs;
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
  const noWait = async (): Promise<string> => {
    const started = await runCliInProcess([...VERIFY, "--no-wait", ...flags], { env });
    assert.equal(started.code, 0, started.stderr);
    const token = started.stdout.trim();
    assert.match(
      started.stderr,
      new RegExp(`Follow it with: mspe-run watch ${token} .*--label VerifyStore$`, "m"),
    );
    return token;
  };

  await t.step(
    "--no-wait names the function in the watch command; watch names it too",
    async () => {
      const token = await noWait();
      const watch = new InProcessCli(["watch", token, "--label", "VerifyStore", ...flags], { env });
      await watch.waitForStderr(/^VerifyStore: running 0% .*\(\d:\d\d\)$/m);
      while (jobs.step(token)) { /* to the end */ }
      const { code, stderr } = await watch.done;
      assert.equal(code, 0, stderr);
      assert.ok(!stderr.includes("call s"), "the token does not stand in for the name");
    },
  );

  await t.step("cancel prints one line; --format json the whole status", async () => {
    const token = await noWait();
    const cancel = await runCliInProcess(["cancel", token, "--label", "VerifyStore", ...flags], {
      env,
    });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(cancel.stdout.trimEnd().split("\n").length, 1, cancel.stdout);
    assert.match(cancel.stdout, /^(Cancel requested: VerifyStore|VerifyStore was cancelled)/);
    assert.ok(!/statusCode|details| {3}at /.test(cancel.stdout), "no status object, no stack");

    const other = await noWait();
    const json = await runCliInProcess(["cancel", other, "--format", "json", ...flags], { env });
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).token, other);
  });

  await t.step("cancel of a call that already ended says so", async () => {
    const token = await noWait();
    while (jobs.step(token)) { /* to the end */ }
    const cancel = await runCliInProcess(["cancel", token, ...flags], { env });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /^The call s.{8}… had already finished \(succeeded\)/);
  });

  await t.step({
    name: "on a terminal the bar names the function, shows the time and what Ctrl-C does",
    ignore: !ptyAvailable(),
    fn: async () => {
      // A subprocess on a pseudo-terminal: the bar is drawn only where stderr is a real terminal.
      const before = jobs.tokens();
      const child = new CliProcess([...VERIFY, "--no-color", ...flags], { env, pty: true });
      await child.waitFor("stdout", /VerifyStore \[[^\]]+\] +0%.* · \d:\d\d · Ctrl-C detaches/);
      const token = jobs.tokens().find((candidate) => !before.includes(candidate));
      assert.ok(token);
      while (jobs.step(token)) { /* to the end */ }
      const { code, stdout } = await child.done;
      assert.equal(code, 0, stdout);
    },
  });
});

Deno.test("mspe-run report health --verbose: one trace line per exchange on stderr, the check's line on stdout", async () => {
  // The default seeded problems make the check CRITICAL (exit code 2).
  await using mock = await serveMock({ password: PASSWORD });
  const { code, stdout, stderr } = await runCliInProcess(
    ["--verbose", ...mockFlags(mock.port), "report", "health", "--format", "nagios"],
    { env: USER },
  );
  assert.equal(code, 2, stderr);
  assert.match(stdout, /^MSPE HEALTH CRITICAL - /);
  const lines = stderr.trimEnd().split("\n");
  assert.ok(lines.length >= 4, stderr);
  for (const line of lines) {
    assert.match(line, /^trace: POST \/api\/(get-metadata|invoke\/\w+) -> 200, /);
  }
  assert.ok(lines.some((line) => line.includes("/api/invoke/GetInstances")), stderr);
  assert.ok(!stderr.includes(PASSWORD));
});
