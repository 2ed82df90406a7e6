/**
 * Destructive calls through `mspe-run`: the y/N question on a real terminal (a subprocess on a
 * pseudo-terminal through util-linux `script`) answered n and y; in process, `--yes`, the refusal
 * without a terminal, and `--what-if`, whose only requests (the mock's stats prove it) are
 * read-only.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { catalog } from "../lib/catalog.ts";
import { CliProcess, mockFlags, ptyAvailable } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
const STOP_ALL = ["call", "StopInstances", "instanceFilter=*"];

Deno.test("mspe-run asks before destructive calls", async (t) => {
  await using mock = await serveMock({ instances: 3 });
  const flags = mockFlags(mock.port);
  const stats = mock.app.stats;
  const readOnly = new Set(catalog("spe").filter((fn) => fn.readOnly).map((fn) => fn.name));
  const names = ["acme", "globex", "initech"];

  await t.step("the catalogue marks the functions the issue names", () => {
    for (
      const name of [
        "DeleteInstances",
        "StopInstances",
        "FreezeInstances",
        "DeleteUser",
        "DetachStore",
        "MergeStore",
        "ClearUserPrivilegesOnFolders",
        "DisableMFA",
        "ProcessRetentionPolicies",
      ]
    ) {
      const fn = catalog("spe").find((entry) => entry.name === name);
      assert.ok(fn?.destructive, `${name} is marked destructive`);
      assert.ok(!fn.readOnly, `${name} is not read-only`);
    }
  });

  await t.step("without a terminal and without --yes: exit 2, one line, nothing sent", async () => {
    stats.reset();
    const { code, stdout, stderr } = await runCliInProcess([...STOP_ALL, ...flags], { env: USER });
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
    assert.match(stderr, /^error: StopInstances is destructive .*add --yes/);
    assert.equal(stats.byFunction.StopInstances, undefined);
  });

  await t.step(
    "--what-if shows the call and the instances it matches; sends only reads",
    async () => {
      stats.reset();
      const { code, stdout, stderr } = await runCliInProcess(
        ["call", "DeleteInstances", "instanceFilter=*", "--what-if", ...flags],
        { env: USER },
      );
      assert.equal(code, 0, stderr);
      assert.match(
        stdout,
        /^What if: would call DeleteInstances instanceFilter=\* on 127\.0\.0\.1:/,
      );
      assert.match(stdout, /Deletes the instances/);
      assert.match(stdout, new RegExp(`It touches 3 instances: ${names.join(", ")}`));
      assert.match(stderr, /nothing was sent that changes anything/);
      const called = Object.keys(stats.byFunction);
      assert.deepEqual(called, ["GetInstances"]);
      assert.ok(called.every((fn) => readOnly.has(fn)));
      assert.equal(mock.app.state.instanceList().length, 3, "no instance was deleted");
    },
  );

  await t.step("--what-if on a function that is not destructive sends nothing either", async () => {
    stats.reset();
    const { code, stdout, stderr } = await runCliInProcess(
      ["call", "SetUserFullName", "instanceID=acme", "userName=bob", "fullName=X", "--what-if"]
        .concat(flags),
      { env: USER },
    );
    assert.equal(code, 0, stderr);
    // (Not userName=admin: with the mock's password admin, mspe-run prints that word as ***.)
    assert.match(stdout, /What if: would call SetUserFullName instanceID=acme userName=bob/);
    assert.deepEqual(Object.keys(stats.byFunction), []);
  });

  await t.step("--yes answers for it: the call is sent once", async () => {
    stats.reset();
    const { code, stderr } = await runCliInProcess([...STOP_ALL, "--yes", ...flags], { env: USER });
    assert.equal(code, 0, stderr);
    assert.equal(stats.byFunction.StopInstances, 1);
  });

  await t.step("secret arguments are *** in --what-if", async () => {
    const { code, stdout, stderr } = await runCliInProcess(
      ["call", "SetUserPassword", "instanceID=acme", "userName=admin", "password=@-", "--what-if"]
        .concat(flags),
      { env: USER, stdin: "Sup3r-secret\n" },
    );
    assert.equal(code, 0, stderr);
    assert.match(stdout, /password=\*\*\*/);
    assert.ok(!stdout.includes("Sup3r-secret") && !stderr.includes("Sup3r-secret"));
  });

  await t.step({
    name: "on a terminal: shows the instances and asks; n sends nothing, y sends it",
    ignore: !ptyAvailable(),
    fn: async () => {
      // A subprocess on a pseudo-terminal: the question is asked only on a real terminal.
      for (const answer of ["n", "y"]) {
        stats.reset();
        const child = new CliProcess([...STOP_ALL, "--no-color", ...flags], {
          env: USER,
          pty: true,
          interactive: true,
        });
        // On a pty stdout and stderr arrive together on stdout.
        await child.waitFor("stdout", /Go ahead\? \[y\/N\] /);
        await child.type(`${answer}\r`);
        const { code, stdout } = await child.done;
        assert.match(stdout, /About to call StopInstances instanceFilter=\* on 127\.0\.0\.1:/);
        assert.match(stdout, new RegExp(`It touches 3 instances: ${names.join(", ")}`));
        if (answer === "n") {
          assert.equal(code, 5, stdout);
          assert.match(stdout, /Nothing was sent: StopInstances was not confirmed/);
          assert.equal(stats.byFunction.StopInstances, undefined);
        } else {
          assert.equal(code, 0, stdout);
          assert.equal(stats.byFunction.StopInstances, 1);
        }
        assert.equal(stats.byFunction.GetInstances, 1, "the matches were looked up once");
      }
    },
  });
});
