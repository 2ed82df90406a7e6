/**
 * The simulator's flag table (`lib/mock/_flags.ts`) is the one source of its parsing, its usage,
 * `mspe-run mock --help` and the completion of `mspe-run mock` (issue 15).
 */

import assert from "node:assert/strict";
import { FAULT_KINDS } from "../lib/mock/_faults.ts";
import { MOCK_FLAGS, mockUsage, parseMockFlags } from "../lib/mock/_flags.ts";
import { runMockCommand } from "../lib/mock/mod.ts";
import { complete } from "../lib/cli/completion/complete.ts";
import type { CliIo } from "../lib/cli/io/io.ts";
import { mockCommand } from "../lib/cli/commands/mock.ts";
import { COMMANDS, mainHelp } from "../lib/cli/main.ts";

const FLAGS = MOCK_FLAGS;

Deno.test("mock flags: the usage has each flag once, in the table's order, with its help", () => {
  const usage = mockUsage();
  const listed = [...usage.matchAll(/^ {2}(?:-\w, )?--([a-z-]+)/gm)].map((m) => m[1]);
  assert.deepEqual(listed, FLAGS.map((flag) => flag.name));
  for (const flag of FLAGS) {
    for (const line of flag.help) assert.ok(usage.includes(line), `${flag.name}: ${line}`);
    // The words a flag accepts are the ones its help names.
    for (const value of flag.values ?? []) {
      assert.match(flag.help.join(" "), new RegExp(`\\b${value}\\b`), `${flag.name} ${value}`);
    }
  }
  const fault = FLAGS.find((flag) => flag.name === "fault")!.help.join(" ");
  for (const kind of FAULT_KINDS) assert.match(fault, new RegExp(`\\b${kind}\\b`), kind);
  // The layout the tests of mspe-run's help were written against.
  assert.match(usage, /^ {2}--port N {11}port to listen on/m);
  assert.match(usage, /^ {2}--cancelled-status S {2}final statusCode/m);
  assert.match(usage, /^ {2}-h, --help {9}show this help and exit$/m);
  assert.match(usage, /^ {21}saved within a second of every change/m);
});

Deno.test("mock flags: parseMockFlags checks and converts with the table", () => {
  assert.deepEqual(
    parseMockFlags([
      "--port",
      "0",
      "--http",
      "--problems=none",
      "--fault",
      "GetUsers:http503:times=2",
      "--fault",
      "*:latency:ms=5",
    ]),
    {
      port: 0,
      http: true,
      problems: "none",
      fault: [
        { kind: "http503", function: "GetUsers", times: 2 },
        { kind: "latency", latencyMs: 5 },
      ],
    },
  );
  assert.throws(() => parseMockFlags(["--steps", "0"]), /--steps must be a whole number from 1/);
  assert.throws(() => parseMockFlags(["--username", "a:b"]), /--username must not be empty/);
  assert.throws(() => parseMockFlags(["--nope"]), /Unknown option '--nope'/);
  // --help wins over values that would be refused, as before the table.
  assert.deepEqual(parseMockFlags(["--port", "x", "--help"]), { help: true });
  assert.deepEqual(parseMockFlags(["-h"]), { help: true });
});

Deno.test("mock flags: the simulator, mspe-run mock --help and the completion read the table", async () => {
  const out: string[] = [];
  assert.equal(await runMockCommand(["--help"], { out: (line) => out.push(line) }), 0);
  assert.deepEqual(out, [mockUsage()]);

  let written = "";
  const io = {
    stdout: { write: (text: string) => (written += text) },
    stderr: { write: (text: string) => (written += text) },
  } as unknown as CliIo;
  await mockCommand.run(
    { positionals: ["--help"] } as unknown as Parameters<
      typeof mockCommand.run
    >[0],
    io,
    { commands: COMMANDS, mainHelp },
  );
  assert.ok(written.startsWith(`${mockUsage("mspe-run mock")}\n\nExamples:\n`), written);

  assert.deepEqual(
    await complete(["mock", "--"], io, COMMANDS),
    FLAGS.map((flag) => `--${flag.name}`),
  );
  for (const flag of FLAGS.filter((flag) => flag.values !== undefined)) {
    assert.deepEqual(
      await complete(["mock", `--${flag.name}`, ""], io, COMMANDS),
      flag.values,
      flag.name,
    );
    assert.deepEqual(
      await complete(["mock", `--${flag.name}=`], io, COMMANDS),
      flag.values!.map((value) => `--${flag.name}=${value}`),
      flag.name,
    );
    // Every value offered is one the simulator accepts.
    for (const value of flag.values!) flag.parse(value);
  }
  assert.deepEqual(await complete(["mock", "--problems", "m"], io, COMMANDS), ["many"]);
  assert.deepEqual(await complete(["mock", "--state", ""], io, COMMANDS), []);
});
