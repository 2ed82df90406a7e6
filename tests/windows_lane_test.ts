// The Windows lane's own parts that run anywhere: its task, its test command, its summary.
import assert from "node:assert/strict";
import { parseSummary, PERMISSIONS, testCommand, withOnly } from "../scripts/windows_test.ts";

const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url))) as {
  tasks: Record<string, { command: string }>;
};

Deno.test("windows lane: the task grants the script what it grants itself inside the namespaces", () => {
  assert.equal(
    config.tasks["test:windows"]?.command,
    `deno run ${PERMISSIONS.join(" ")} scripts/windows_test.ts`,
  );
});

Deno.test("windows lane: it runs the test part of deno task test, as it stands", async () => {
  const command = await testCommand();
  assert.deepEqual(command.slice(0, 2), ["deno", "test"]);
  assert.ok(config.tasks["test"]?.command.endsWith(`&& ${command.join(" ")}`));
});

Deno.test("windows lane: test files named on its command line replace tests/, nothing else", async () => {
  const command = await testCommand();
  assert.deepEqual(withOnly(command, []), command);
  const only = withOnly(command, ["tests/cli_csv_test.ts", "tests/fleet_test.ts"]);
  assert.deepEqual(only.slice(-2), ["tests/cli_csv_test.ts", "tests/fleet_test.ts"]);
  assert.deepEqual(only.slice(0, -2), command.slice(0, -1));
});

Deno.test("windows lane: Deno's summary becomes the counts; no summary is null", () => {
  assert.deepEqual(
    parseSummary(
      "x\nFAILED | 492 passed (18 steps) | 54 failed (72 steps) | 9 ignored (3 steps) (58s)\n",
    ),
    { passed: 492, failed: 54, ignored: 9 },
  );
  assert.deepEqual(parseSummary("ok | 552 passed (100 steps) | 0 failed (2m25s)\r\n"), {
    passed: 552,
    failed: 0,
    ignored: 0,
  });
  assert.equal(parseSummary("error: Test failed\n"), null);
});

Deno.test("windows lane: CI runs it after the Linux tests and sums both lanes on its last line", async () => {
  const ci = await Deno.readTextFile(new URL("../.ci/run", import.meta.url));
  assert.ok(ci.indexOf("task test:windows") > ci.indexOf("task test "));
  assert.match(
    ci,
    /echo "\$\(\(passed \+ windows_passed\)\) passed, \$\(\(failed \+ windows_failed\)\) failed"\n/,
  );
});
