// The official Python wrappers' wire behaviour, imitated by our own script (tests/testdata/mock/wrapper_compat.py).
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { serveMock } from "../lib/mock/mod.ts";

async function python(): Promise<string | null> {
  for (const name of ["python3", "python"]) {
    try {
      const { success, stdout } = await new Deno.Command(name, {
        args: ["--version"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (success && new TextDecoder().decode(stdout).startsWith("Python 3")) return name;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

const interpreter = await python();
if (interpreter === null) {
  console.warn(
    "mock_compat_test: skipped because python3 is not installed (the check needs a Python 3 urllib client).",
  );
}

Deno.test({
  name:
    "mock: a urllib client with challenge-based Basic auth, utf-8-sig and /api//get-status works",
  ignore: interpreter === null,
}, async () => {
  await using server = await serveMock({ jobs: { stepMs: 10, steps: 3 } });
  const script = new URL("./testdata/mock/wrapper_compat.py", import.meta.url);
  const ca = new URL("./testdata/tls/ca.pem", import.meta.url);
  const { code, stdout, stderr } = await new Deno.Command(interpreter!, {
    args: [fileURLToPath(script), server.url, fileURLToPath(ca)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, out + new TextDecoder().decode(stderr));
  assert.match(out, /\nOK\n$/);
  // Challenge-based auth: every call is sent once without credentials first.
  assert.ok(server.stats.authFailures >= 10, `auth failures: ${server.stats.authFailures}`);
  assert.ok((server.stats.byPath["/api/get-status"] ?? 0) >= 2);
});
