/**
 * `deno task demo`, the README's first command: starts the embedded mock, runs the four examples
 * through mspe-run, stops the mock, and says how it went.
 */

import assert from "node:assert/strict";
import { ROOT } from "./cli_helpers.ts";

Deno.test("deno task demo runs the four examples against the embedded mock, whatever the user's settings", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  // A user's settings that would change the demo if it read them: a default profile with JSON
  // output, a missing instance and another server, and MSPE_ variables that are all wrong.
  const home = await Deno.makeTempDir({ prefix: "mspe-demo-test-" });
  const configFile = `${home}/config.json`;
  await Deno.writeTextFile(
    configFile,
    JSON.stringify({
      profiles: {
        default: { host: "192.0.2.1", port: 1, format: "json", instance: "ghost" },
        prod: { host: "192.0.2.1", format: "csv" },
      },
    }),
  );
  const userSettings = {
    MSPE_CONFIG: configFile,
    XDG_CONFIG_HOME: home,
    MSPE_PROFILE: "prod",
    MSPE_FORMAT: "json",
    MSPE_HOST: "192.0.2.1",
    MSPE_USERNAME: "nobody",
    MSPE_PASSWORD: "wrong",
    MSPE_INSTANCE: "ghost",
    MSPE_TIMEOUT: "0.001",
    MSPE_TLS_VERSION: "1.0",
  };
  // A subprocess: the task line of deno.json, with its permissions and a whole environment.
  const [deno, ...args] = String(config.tasks.demo.command ?? config.tasks.demo).split(" ");
  assert.equal(deno, "deno");
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: { NO_COLOR: "1", ...userSettings },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(home, { recursive: true });
  const out = new TextDecoder().decode(stdout);
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `${out}\n${err}`);
  for (const n of [1, 2, 3, 4]) assert.match(out, new RegExp(`^== Example ${n}: `, "m"));
  assert.match(
    out,
    /^\$ mspe-run example 1 --host 127\.0\.0\.1 --port \d+ --username admin --pin-sha256 /m,
  );
  // Piped, the demo asks for list output: PowerShell-like, not JSON.
  assert.match(out, /^statusCode +: succeeded$/m);
  assert.match(out, /^userName +: \$archiveadmin$/m);
  assert.match(out, /^#\d+ failed \d+% .*cancel/im);
  assert.match(out, /^-> exit code 5 \(cancelled, as asked/m);
  assert.match(out, /^The simulated SPE is stopped\.$/m);
  assert.match(out, /^All four examples ran\.$/m);
  assert.match(err, /^VerifyStore: running \d+%/m);
  assert.doesNotMatch(out + err, /^\s+at /m);
  // Nothing in the results is hidden as if it were the password.
  assert.doesNotMatch(out, /\*\*\*/);
});
