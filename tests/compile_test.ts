/**
 * The real `deno compile` with the `compile` task's flags, then the binary: `--version` and a call
 * against the mock. `deno compile` embeds a runtime (denort) that it downloads from dl.deno.land; where
 * that is impossible, give a local copy in DENORT_BIN. Without DENORT_BIN the test is skipped, and
 * says so.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { CA_PEM_PATH, ROOT } from "./cli_helpers.ts";
import { runToEnd } from "./_run.ts";

const DENORT_BIN = Deno.env.get("DENORT_BIN");
const SKIP_REASON =
  "compile_test: SKIPPED: DENORT_BIN is not set. deno compile embeds the denort runtime, which it " +
  "downloads from dl.deno.land, and this network cannot reach it. Set DENORT_BIN to a denort " +
  "binary of the same Deno version to run it.";

if (!DENORT_BIN) console.log(SKIP_REASON);

/** The `compile` task's arguments (after `deno`), with the output moved to `output`. */
async function compileArgs(output: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const [deno, ...args] = String(config.tasks.compile.command ?? config.tasks.compile).split(" ");
  assert.equal(deno, "deno");
  const at = args.indexOf("--output");
  assert.ok(at >= 0, "the compile task names its --output");
  args[at + 1] = output;
  return args;
}

function run(command: string, args: string[], env: Record<string, string> = {}) {
  return runToEnd(command, { args, cwd: ROOT, env });
}

Deno.test({
  name: "deno compile builds a working mspe-run with the permission set baked in",
  ignore: !DENORT_BIN,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const binary = `${dir}/mspe-run${Deno.build.os === "windows" ? ".exe" : ""}`;
      const compiled = await run(Deno.execPath(), await compileArgs(binary), {
        DENORT_BIN: DENORT_BIN ?? "",
      });
      assert.equal(compiled.code, 0, compiled.stderr);

      const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
      const version = await run(binary, ["--version"]);
      assert.equal(version.code, 0, version.stderr);
      assert.match(
        version.stdout,
        new RegExp(`^mspe-run ${config.version.replaceAll(".", "\\.")} `),
      );

      await using mock = await serveMock();
      const call = await run(
        binary,
        [
          "call",
          "GetUsers",
          "instanceID=acme",
          "--host",
          "127.0.0.1",
          "--port",
          String(mock.port),
          "--ca-cert",
          CA_PEM_PATH,
          "--format",
          "json",
        ],
        { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" },
      );
      assert.equal(call.code, 0, call.stderr);
      assert.equal(JSON.parse(call.stdout)[0].userName, "$archiveadmin");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
