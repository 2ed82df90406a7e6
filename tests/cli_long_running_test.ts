/**
 * Long-running calls through `mspe-run`: in process, progress without a terminal, --no-wait then
 * watch then cancel, unknown tokens and --timeout, Ctrl-C detaching or cancelling (the listeners
 * fired in process on every OS; again with a real SIGINT sent to a subprocess where one process
 * can signal another); as a subprocess, the terminal. The mock's jobs only move when the test steps
 * them, so nothing depends on timing.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { CliProcess, mockFlags, ptyAvailable, runCli } from "./cli_helpers.ts";
import {
  InProcessCli,
  runCliInProcess,
  type SignalWay,
  startStoppable,
} from "./_cli_in_process.ts";
import { NO_CHILD_SIGNALS } from "./_helpers.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
const VERIFY = ["call", "VerifyStore", "instanceID=acme", "id=1", "includeIndexes=false"];

Deno.test("mspe-run with long-running calls", async (t) => {
  await using mock = await serveMock({ jobs: { stepMs: Infinity, steps: 4 } });
  const flags = mockFlags(mock.port);
  const jobs = mock.app.jobs;
  /** The token of the job that started after `before` was taken. */
  const newToken = (before: readonly string[]): string => {
    const token = jobs.tokens().find((t) => !before.includes(t));
    assert.ok(token, "a job was started");
    return token;
  };
  /** Starts `args` in process, or as a subprocess where a real signal is sent to it. */
  const start = <Run>(args: string[], make: (argv: string[], env: typeof USER) => Run) => {
    const before = jobs.tokens();
    const child = make([...args, ...flags], USER);
    return { child, token: () => newToken(before) };
  };
  const inProcess = (argv: string[], env: typeof USER) => new InProcessCli(argv, { env });

  await t.step("without a terminal, progress is one plain line per change on stderr", async () => {
    const { child, token } = start([...VERIFY, "--status", "--format", "json"], inProcess);
    await child.waitForStderr(/^VerifyStore: running 0%.*$/m);
    for (const percent of [25, 50, 75]) {
      jobs.step(token());
      await child.waitForStderr(new RegExp(`^VerifyStore: running ${percent}%`, "m"));
    }
    jobs.step(token());
    const { code, stdout, stderr } = await child.done;
    assert.equal(code, 0, stderr);
    assert.equal(JSON.parse(stdout).statusCode, "succeeded");
    const lines = stderr.trimEnd().split("\n");
    assert.deepEqual(lines.map((l) => l.match(/running (\d+)%/)?.[1]), ["0", "25", "50", "75"]);
    assert.ok(!stderr.includes("\r") && !stderr.includes("\x1b"));
  });

  await t.step("--no-wait prints the token; watch follows it; cancel stops it", async () => {
    const started = await runCliInProcess([...VERIFY, "--no-wait", ...flags], { env: USER });
    assert.equal(started.code, 0, started.stderr);
    const token = started.stdout.trim();
    assert.match(token, /^s[0-9a-f]{32}$/);
    assert.ok(jobs.has(token));
    assert.match(
      started.stderr,
      new RegExp(`mspe-run watch ${token} --host 127\\.0\\.0\\.1 --port ${mock.port}`),
    );

    const watch = new InProcessCli(["watch", token, "--format", "json", ...flags], { env: USER });
    await watch.waitForStderr(/running 0%/);
    jobs.step(token);
    await watch.waitForStderr(/running 25%/);

    const cancel = await runCliInProcess(["cancel", token, "--format", "json", ...flags], {
      env: USER,
    });
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(JSON.parse(cancel.stdout).token, token);

    const watched = await watch.done;
    assert.equal(watched.code, 5, watched.stderr);
    assert.match(watched.stderr, /cancelled/);
  });

  await t.step("cancel --wait follows the call to its cancelled end", async () => {
    const started = await runCliInProcess([...VERIFY, "--no-wait", ...flags], { env: USER });
    const token = started.stdout.trim();
    const cancel = await runCliInProcess(
      ["cancel", token, "--wait", "--format", "json", ...flags],
      {
        env: USER,
      },
    );
    assert.equal(cancel.code, 5, cancel.stderr);
    assert.equal(JSON.parse(cancel.stdout).statusCode, "failed");
  });

  await t.step("watch on a call that has already ended prints its final result", async () => {
    const started = await runCliInProcess([...VERIFY, "--no-wait", ...flags], { env: USER });
    const token = started.stdout.trim();
    while (jobs.step(token)) { /* to the end */ }
    const watched = await runCliInProcess([
      "watch",
      token,
      "--status",
      "--format",
      "json",
      ...flags,
    ], {
      env: USER,
    });
    assert.equal(watched.code, 0, watched.stderr);
    assert.equal(JSON.parse(watched.stdout).statusCode, "succeeded");
    assert.equal(watched.stderr, "");
  });

  await t.step("an unknown token: exit code 7 for watch and cancel", async () => {
    for (const command of ["watch", "cancel"]) {
      const { code, stderr, stdout } = await runCliInProcess([command, "s0000", ...flags], {
        env: USER,
      });
      assert.equal(code, 7, `${command}: ${stderr}`);
      assert.match(stderr, /^error: .*token s0000.*expired or never existed/);
      assert.equal(stderr.trimEnd().split("\n").length, 1);
      assert.equal(stdout, "");
    }
  });

  await t.step("--timeout runs out: exit code 6; the call goes on", async () => {
    const { child, token } = start([...VERIFY, "--timeout", "0.5"], inProcess);
    const { code, stderr } = await child.done;
    assert.equal(code, 6, stderr);
    assert.match(stderr, /^error: Timed out/m);
    assert.ok(jobs.step(token()), "the job still runs on the server");
  });

  /**
   * The Ctrl-C cases, run in process (the command's Ctrl-C listeners fired) on every OS, then
   * once more as a subprocess sent a real SIGINT where one process can signal another.
   */
  const ctrlC: { name: string; run: (way: SignalWay) => Promise<void> }[] = [{
    name: "Ctrl-C while watching detaches: the token and the resume command, exit 130",
    run: async (way) => {
      const { child, token } = start([...VERIFY], (argv, env) => startStoppable(way, argv, env));
      await child.waitForStderr(/running 0%/);
      child.interrupt();
      const { code, stderr } = await child.done;
      assert.equal(code, 130, stderr);
      const expected = token();
      assert.match(stderr, new RegExp(`^Token: ${expected}$`, "m"));
      assert.match(
        stderr,
        new RegExp(`^Resume with: mspe-run watch ${expected} --host 127\\.0\\.0\\.1 `, "m"),
      );
      // Detaching does not cancel: the job still runs.
      assert.ok(jobs.step(expected));
    },
  }, {
    name: "Ctrl-C with --cancel-on-interrupt cancels the call: exit 5",
    run: async (way) => {
      const { child, token } = start(
        [...VERIFY, "--cancel-on-interrupt"],
        (argv, env) => startStoppable(way, argv, env),
      );
      await child.waitForStderr(/running 0%/);
      child.interrupt();
      const { code, stderr } = await child.done;
      assert.equal(code, 5, stderr);
      assert.match(stderr, /Ctrl-C: cancelling VerifyStore/);
      assert.equal(jobs.step(token()), false, "the job has ended");
    },
  }, {
    name: "Ctrl-C during example 4 cancels it, as Stop-MSApiCall does: exit 5",
    run: async (way) => {
      const { child } = start(
        ["example", "4", "--format", "ndjson"],
        (argv, env) => startStoppable(way, argv, env),
      );
      await child.waitFor("stdout", /"statusCode":"running"/);
      child.interrupt();
      const { code, stdout, stderr } = await child.done;
      assert.equal(code, 5, stderr);
      assert.match(stderr, /Cancelling VerifyStore/);
      const last = JSON.parse(stdout.trimEnd().split("\n").at(-1) ?? "null");
      assert.equal(last.statusCode, "failed");
      assert.match(last.error.message, /cancel/i);
    },
  }];
  for (const { name, run } of ctrlC) {
    await t.step(`${name} (in process)`, () => run("in process"));
  }
  await t.step({
    name: "the same Ctrl-C cases with a real SIGINT sent to a subprocess",
    ignore: NO_CHILD_SIGNALS,
    fn: async (t) => {
      for (const { name, run } of ctrlC) await t.step(name, () => run("subprocess"));
    },
  });

  await t.step({
    name: "on a terminal: list by default, colour, a progress bar drawn in place, a silent prompt",
    ignore: !ptyAvailable(),
    fn: async () => {
      // A subprocess on a pseudo-terminal: the bar, colour and the silent prompt need a real one.
      const before = jobs.tokens();
      const child = new CliProcess([...VERIFY, "--status", ...flags], { env: USER, pty: true });
      await child.waitFor("stdout", /VerifyStore \[/);
      const token = newToken(before);
      for (const percent of [25, 50, 75]) {
        jobs.step(token);
        await child.waitFor("stdout", new RegExp(`\\] +${percent}%`));
      }
      jobs.step(token);
      const { code, stdout } = await child.done;
      assert.equal(code, 0, stdout);
      assert.ok(stdout.includes("\r\x1b[2KVerifyStore ["), "the bar is redrawn in place");
      assert.ok(stdout.includes("\x1b[32mstatusCode"), "list format with coloured names");
      assert.match(stdout, /statusCode.* : succeeded/);

      const plain = await runCli(["call", "Ping", "--status", "--no-color", ...flags], {
        env: USER,
        pty: true,
      });
      assert.equal(plain.code, 0, plain.stdout);
      assert.ok(!plain.stdout.includes("\x1b[32m"), "--no-color");
      assert.match(plain.stdout, /^statusCode +: succeeded\r?$/m);
      const noColor = await runCli(["call", "Ping", "--status", ...flags], {
        env: { ...USER, NO_COLOR: "1" },
        pty: true,
      });
      assert.ok(!noColor.stdout.includes("\x1b[32m"), "NO_COLOR");

      // No MSPE_PASSWORD: a prompt on the terminal; `keys` are typed at it.
      const atPrompt = async (keys: string) => {
        const child = new CliProcess(["call", "Ping", "--username", "admin", ...flags], {
          pty: true,
          interactive: true,
        });
        await child.waitFor("stdout", /Password for admin on 127\.0\.0\.1: /);
        await child.type(keys);
        return await child.done;
      };
      const prompted = await atPrompt("admin\r");
      assert.equal(prompted.code, 0, prompted.stdout);
      assert.ok(!prompted.stdout.includes("admin\r") && !/: admin/.test(prompted.stdout));

      // Ctrl-C at the prompt: nothing sent, no error, exit code 130.
      const requestsBefore = mock.stats.requests;
      const cancelled = await atPrompt("\x03");
      assert.equal(cancelled.code, 130, cancelled.stdout);
      assert.doesNotMatch(cancelled.stdout, /error/);
      assert.equal(mock.stats.requests, requestsBefore);
    },
  });
});
