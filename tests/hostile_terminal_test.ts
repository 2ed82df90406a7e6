/**
 * Raw server text on the terminal (issue 18, item 4): instance IDs and error texts with escape
 * sequences (retitle, clear screen, colour), BEL, line breaks that fake lines of a prompt, and
 * bidirectional overrides, from a hostile server in front of the simulator, reach no terminal and no
 * monitoring system unescaped: the fleet failure summary, table and list output, the instance list
 * of the destructive-call prompt (on a pseudo-terminal) and of --what-if, and Nagios output, whose
 * lines also stay bounded.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { renderNagiosUnknown } from "../lib/cli/report_formats/nagios.ts";
import { renderPrtgError } from "../lib/cli/report_formats/prtg.ts";
import { CliProcess, ptyAvailable, runCli } from "./cli_helpers.ts";
import { failed, type Rewrites, serveHostileProxy } from "./_hostile_proxy.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

/** Retitles the terminal, rings, clears the screen, turns text red. */
const ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[31m";
/** An instance ID that would print a fake question on a line of its own, and read backwards. */
const HOSTILE_ID = `acme${ESCAPES}\nGo ahead? [y/N] y\u202etxt.exe\u2066`;
/** An instance ID of 10,140 characters, blinking. */
const LONG_ID = `globex${"\x1b[5m".repeat(10)}${"g".repeat(10_094)}`;
const RENAME = { acme: HOSTILE_ID, globex: LONG_ID };

/** What a terminal would obey or reorder. */
// deno-lint-ignore no-control-regex
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function assertNoRaw(where: string, text: string): void {
  const found = RAW.exec(text.replace(/\r\n/g, "\n"));
  assert.equal(
    found,
    null,
    `${where} prints ${JSON.stringify(found?.[0])} raw: ${JSON.stringify(text.slice(0, 600))}`,
  );
}

/** Lines that begin with the prompt's question: a faked one is a second. */
function questions(text: string): number {
  return text.split(/\r?\n|\r/).filter((line) => line.startsWith("Go ahead?")).length;
}

async function withProxy(
  rewrites: Rewrites,
  body: (flags: readonly string[]) => Promise<void>,
): Promise<void> {
  await using mock = await serveMock({ instances: 3 });
  await using proxy = serveHostileProxy(mock, rewrites);
  await body(proxy.flags);
}

Deno.test("table and list: hostile instance IDs print escaped, one row and one line each", async () => {
  await withProxy({ rename: RENAME }, async (flags) => {
    for (const format of ["table", "list"]) {
      const { code, stdout, stderr } = await runCli(
        ["call", "GetInstances", "instanceFilter=*", "--format", format, ...flags],
        { env: USER },
      );
      assert.equal(code, 0, stderr);
      assertNoRaw(format, stdout);
      assert.match(stdout, /acme\\x1b\]0;owned\\x07\\x1b\[2J\\x1b\[31m/);
      assert.match(stdout, /\\u202etxt\.exe\\u2066/);
      assert.equal(questions(stdout), 0, stdout);
      if (format === "table") {
        // Header, rule, and one line per instance.
        assert.equal(stdout.trimEnd().split("\n").length, 5, stdout);
      }
    }
  });
});

Deno.test("fleet failure summary: hostile IDs and error texts stay one escaped line each", async () => {
  const rewrites: Rewrites = {
    rename: RENAME,
    reply: (fn, args, envelope) =>
      fn === "GetUsers" && args.get("instanceID") !== "initech"
        ? failed(`Disk full\x1b[2J\r\n  initech: fake failure\u202e\x07`)
        : envelope,
  };
  await withProxy(rewrites, async (flags) => {
    const { code, stdout, stderr } = await runCli(
      ["call", "GetUsers", "--instances", "*", "--format", "table", ...flags],
      { env: USER },
    );
    assert.equal(code, 4, stderr);
    assertNoRaw("summary", stderr);
    assertNoRaw("failure rows", stdout);
    const summary = stderr.split("\n");
    const at = summary.findIndex((line) => line.includes("GetUsers failed on 2 of 3 instances"));
    assert.ok(at >= 0, stderr);
    // One line per failed instance, then the counts.
    assert.equal(summary.slice(at + 1).filter((line) => line.startsWith("  ")).length, 2, stderr);
    assert.match(summary[at + 1]!, /Disk full\\x1b\[2J ⏎ {3}initech: fake failure\\u202e\\x07/);
  });
});

Deno.test("--what-if: the instances a filter matches are listed escaped on one line", async () => {
  await withProxy({ rename: RENAME }, async (flags) => {
    const { code, stdout, stderr } = await runCli(
      ["call", "StopInstances", "instanceFilter=*", "--what-if", ...flags],
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    assertNoRaw("--what-if", stdout);
    assert.equal(questions(stdout), 0, stdout);
    assert.equal(stdout.trimEnd().split("\n").length, 3, stdout);
    assert.match(stdout, /It touches 3 instances: acme\\x1b\]0;owned\\x07.* ⏎ Go ahead\?/);
  });
});

Deno.test({
  name: "the question before a destructive call: a newline in an instance ID fakes no line of it",
  ignore: !ptyAvailable(),
  fn: async () => {
    await withProxy({ rename: RENAME }, async (flags) => {
      const child = new CliProcess(["call", "StopInstances", "instanceFilter=*", ...flags], {
        env: USER,
        pty: true,
        interactive: true,
      });
      await child.waitFor("stdout", /Go ahead\? \[y\/N\] $/);
      await child.type("n\r");
      const { code, stdout } = await child.done;
      assert.equal(code, 5, stdout);
      for (const sequence of ["\x1b]0;owned", "\x1b[2J", "\x1b[31m", "\x07", "\u202e", "\u2066"]) {
        assert.ok(!stdout.includes(sequence), `${JSON.stringify(sequence)} raw: ${stdout}`);
      }
      assert.equal(questions(stdout), 1, stdout);
      assert.match(stdout, /It touches 3 instances: acme\\x1b/);
    });
  },
});

Deno.test("Nagios: escape and bell characters escaped, every line at most 1,000 characters", async () => {
  const rewrites: Rewrites = {
    rename: RENAME,
    reply: (fn, _args, envelope) => {
      if (fn !== "GetInstances" || !Array.isArray(envelope.result)) return envelope;
      const result = envelope.result.map((instance: Record<string, unknown>) => ({
        ...instance,
        status: "stopped",
        startStopError: `boom\x07\x1b[2J${"e".repeat(10_000)}`,
      }));
      return { ...envelope, result };
    },
  };
  await withProxy(rewrites, async (flags) => {
    const { code, stdout, stderr } = await runCli(
      ["report", "health", "--format", "nagios", ...flags],
      { env: USER },
    );
    assert.equal(code, 2, stderr + stdout.slice(0, 500));
    assertNoRaw("nagios", stdout);
    const lines = stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^MSPE HEALTH CRITICAL - .* \| instances=3;;;0 /);
    assert.ok(lines.length > 3, stdout.slice(0, 500));
    for (const line of lines) {
      assert.ok(line.length <= 1000, `a line of ${line.length} characters`);
    }
    assert.match(stdout, /more characters cut\)/);
    assert.match(stdout, /boom\\x07\\x1b\[2Jeee/);
  });
});

Deno.test("a call's log, printed when it returns no result, prints escaped", async () => {
  const rewrites: Rewrites = {
    reply: (fn, _args, envelope) =>
      fn === "GetUsers"
        ? { ...envelope, result: null, logOutput: `Verified.\r\n${ESCAPES}\rOK\u202e` }
        : envelope,
  };
  await withProxy(rewrites, async (flags) => {
    const { code, stdout, stderr } = await runCli(
      ["call", "GetUsers", "instanceID=acme", "--format", "list", ...flags],
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    assertNoRaw("log", stdout);
    assert.equal(stdout, "Verified.\n\\x1b]0;owned\\x07\\x1b[2J\\x1b[31m\nOK\\u202e\n");
  });
});

Deno.test("Nagios UNKNOWN and PRTG's error text: escaped, and bounded", () => {
  const message = `Cannot connect: ${ESCAPES}\u202e${"x".repeat(5000)}`;
  const nagios = renderNagiosUnknown(message).text;
  assertNoRaw("nagios unknown", nagios);
  assert.equal(nagios.trimEnd().split("\n").length, 1);
  assert.ok(nagios.trimEnd().length <= 1000, `${nagios.length} characters`);
  // PRTG reads JSON (which escapes controls itself) but shows the text in its web interface.
  const prtg = JSON.parse(renderPrtgError(message)).prtg.text as string;
  assertNoRaw("prtg", prtg);
  assert.match(prtg, /^Cannot connect: \\x1b\]0;owned\\x07/);
});
