// The simulator's command (`runMockCommand`) run in this process for tests: tests/mock_cli_test.ts
// and tests/mock_request_log_test.ts.
import assert from "node:assert/strict";
import { runMockCommand } from "../lib/mock/mod.ts";

/**
 * Runs the mock command in process with `--port 0 --http` and `args` until `body` is done with its
 * URL; `body` also gets the lines written to stdout and stderr so far. Expects exit code 0.
 */
export async function withMockCommand(
  args: string[],
  body: (url: string, out: string[], err: string[]) => Promise<void>,
): Promise<void> {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const { promise: ready, resolve } = Promise.withResolvers<string>();
  const done = runMockCommand(["--port", "0", "--http", ...args], {
    out: (line) => {
      out.push(line);
      if (line.startsWith("press Ctrl-C")) resolve(out[0]!.slice("listening on ".length));
    },
    err: (line) => err.push(line),
    signal: controller.signal,
  });
  const url = await Promise.race([ready, done.then((code) => `exit ${code}: ${err.join("\n")}`)]);
  assert.match(url, /^http:/);
  try {
    await body(url, out, err);
  } finally {
    controller.abort();
    assert.equal(await done, 0);
  }
}
