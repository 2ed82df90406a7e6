/**
 * The in-process harness (`_cli_in_process.ts`) itself: what the memory process gives the CLI is
 * what a test asked for and nothing from the test process, and the options a subprocess cannot
 * offer cheaply work (a terminal and its width, a typed password, Ctrl-C and SIGTERM fired by the
 * test). The subprocess tests of the same behaviour stay where they are (signals, pty).
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { mockFlags } from "./cli_helpers.ts";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";
import { terminationName } from "../lib/cli/io/io.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
const VERIFY = ["call", "VerifyStore", "instanceID=acme", "id=1", "includeIndexes=false"];

Deno.test("in process: only the given environment, paths from the root or the cwd option", async () => {
  await using mock = await serveMock();
  // Without variables there is no user: the test process's environment is never read.
  const bare = await runCliInProcess(["call", "Ping", ...mockFlags(mock.port)]);
  assert.equal(bare.code, 2, bare.stderr);
  assert.match(bare.stderr, /--username/);
  // mockFlags names the CA relative to the root; the cwd option moves where that is read from.
  const fromRoot = await runCliInProcess(["call", "Ping", ...mockFlags(mock.port)], { env: USER });
  assert.equal(fromRoot.code, 0, fromRoot.stderr);
  const elsewhere = await runCliInProcess(["call", "Ping", ...mockFlags(mock.port)], {
    env: USER,
    cwd: "/",
  });
  assert.equal(elsewhere.code, 2, elsewhere.stderr);
  assert.match(elsewhere.stderr, /Cannot read the --ca-cert file .*does not exist/);
  // Bytes on stdin are decoded as the real stdin's are: a BOM (PowerShell's pipe) is dropped.
  const piped = await runCliInProcess(
    ["call", "Ping", "--username", "admin", "--password-file", "-", ...mockFlags(mock.port)],
    { stdin: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode("admin\r\n")]) },
  );
  assert.equal(piped.code, 0, piped.stderr);
});

Deno.test("in process: a terminal gives list format, colour and a width; a typed password", async () => {
  await using mock = await serveMock();
  const flags = mockFlags(mock.port);
  const terminal = await runCliInProcess(["call", "GetInstances", "instanceFilter=*", ...flags], {
    env: USER,
    terminal: true,
    noColor: false,
    columns: 40,
  });
  assert.equal(terminal.code, 0, terminal.stderr);
  assert.ok(terminal.stdout.includes("\x1b[32minstanceID"), "list format with coloured names");
  // The table fits its cells to the terminal's width: cut at 40 columns, whole at 400.
  const table = (columns: number) =>
    runCliInProcess(["call", "GetInstances", "instanceFilter=*", "--format", "table", ...flags], {
      env: USER,
      terminal: true,
      columns,
    });
  assert.match((await table(40)).stdout, /…/);
  assert.doesNotMatch((await table(400)).stdout, /…/);
  // A password typed at the prompt: stdin is a terminal, the line is read after the prompt.
  const prompted = await runCliInProcess(["call", "Ping", "--username", "admin", ...flags], {
    stdin: "admin\n",
    stdinIsTerminal: true,
  });
  assert.equal(prompted.code, 0, prompted.stderr);
  assert.match(prompted.stderr, /^Password for admin on 127\.0\.0\.1: \n/);
  // End of input at the prompt is Ctrl-D: nothing is sent.
  const requests = mock.stats.requests;
  const cancelled = await runCliInProcess(["call", "Ping", "--username", "admin", ...flags], {
    stdinIsTerminal: true,
  });
  assert.equal(cancelled.code, 130, cancelled.stderr);
  assert.equal(mock.stats.requests, requests);
});

Deno.test("in process: Ctrl-C and SIGTERM fired by the test reach the command's listeners", async () => {
  await using mock = await serveMock({ jobs: { stepMs: Infinity, steps: 4 } });
  const flags = mockFlags(mock.port);
  for (
    const [fire, code, said] of [
      ["interrupt", 130, /^Token: s/m],
      // The termination request's name: Ctrl-Break on Windows, SIGTERM elsewhere.
      ["terminate", 143, new RegExp(`Asked to stop \\(${terminationName()}\\)`)],
    ] as const
  ) {
    const run = new InProcessCli([...VERIFY, ...flags], { env: USER });
    await run.waitForStderr(/running 0%/);
    if (fire === "interrupt") run.interrupt();
    else run.terminate();
    const { code: exit, stderr } = await run.done;
    assert.equal(exit, code, stderr);
    assert.match(stderr, said);
  }
  // A run that ends before the pattern shows rejects the wait instead of hanging.
  const quick = new InProcessCli(["--version"]);
  await assert.rejects(quick.waitForStderr(/never/), /ended \(exit 0\) before stderr matched/);
});
