// mock --log-requests (issue 19, part 3): one line per request on stderr, or ndjson appended to a
// file; secret arguments are masked by the catalogue's marks and the library's redaction.
import assert from "node:assert/strict";
import { runMockCommand } from "../lib/mock/mod.ts";
import type { MockRequestLogEntry } from "../lib/mock/mod.ts";
import { parseMockFlags } from "../lib/mock/_flags.ts";
import { withMockCommand } from "./_mock_command.ts";

const MARKER = "Marker-S3cret-19";

/** Runs the mock command in process with `args`; `body` gets its URL; returns stderr's lines. */
async function withMock(args: string[], body: (url: string) => Promise<void>): Promise<string[]> {
  let lines: string[] = [];
  await withMockCommand(["--problems", "none", ...args], async (url, _out, err) => {
    lines = err;
    await body(url);
  });
  return lines;
}

async function post(url: string, fn: string, args: Record<string, string>): Promise<number> {
  const response = await fetch(`${url}/api/invoke/${fn}`, {
    method: "POST",
    body: new URLSearchParams(args),
    headers: { authorization: `Basic ${btoa("admin:admin")}` },
  });
  await response.body?.cancel();
  return response.status;
}

async function calls(url: string): Promise<void> {
  assert.equal(await post(url, "GetUsers", { instanceID: "acme" }), 200);
  assert.equal(
    await post(url, "SetUserPassword", {
      instanceID: "acme",
      userName: "$archiveadmin",
      password: MARKER,
    }),
    200,
  );
  // A password-like field inside a JSON argument.
  await post(url, "SetSmtpSettings", {
    instanceID: "acme",
    settings: JSON.stringify({ hostname: "smtp.example.com", password: MARKER }),
  });
  const refused = await fetch(`${url}/api/invoke/GetUsers`, { method: "POST", body: "" });
  await refused.body?.cancel();
  assert.equal(refused.status, 401);
}

Deno.test("mock --log-requests: a line per request on stderr, secrets masked", async () => {
  const err = await withMock(["--log-requests"], calls);
  const lines = err.filter((line) => /^\d{4}-\d\d-\d\dT/.test(line));
  assert.equal(lines.length, 4, err.join("\n"));
  assert.match(lines[0]!, /^\S+Z GetUsers \{"instanceID":"acme"\} 200 \d+ms$/);
  assert.match(lines[1]!, /SetUserPassword .*"password":"\*\*\*".* 200 \d+ms$/);
  assert.match(lines[1]!, /"userName":"\$archiveadmin"/);
  assert.match(lines[3]!, /GetUsers \{\} 401 \d+ms$/);
  for (const line of err) assert.ok(!line.includes(MARKER), line);
});

Deno.test("mock --log-requests FILE: ndjson appended, secrets masked, a symbolic link refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/requests.ndjson`;
    await Deno.writeTextFile(path, '{"earlier":true}\n');
    const err = await withMock(["--log-requests", path, "--seed", "2"], calls);
    assert.deepEqual(err, []);
    const text = await Deno.readTextFile(path);
    assert.ok(!text.includes(MARKER));
    const [earlier, ...entries] = text.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(earlier, { earlier: true });
    assert.equal(entries.length, 4);
    const first = entries[0] as MockRequestLogEntry;
    assert.deepEqual(Object.keys(first), ["time", "function", "arguments", "status", "ms"]);
    assert.equal(first.function, "GetUsers");
    assert.equal((entries[1] as MockRequestLogEntry).arguments.password, "***");
    assert.equal(
      JSON.parse((entries[2] as MockRequestLogEntry).arguments.settings!).password,
      "***",
    );
    if (Deno.build.os !== "windows") {
      const link = `${dir}/link.ndjson`;
      await Deno.symlink(path, link);
      const lines: string[] = [];
      const code = await runMockCommand(["--port", "0", "--http", "--log-requests", link], {
        out: () => {},
        err: (line) => lines.push(line),
      });
      assert.equal(code, 1);
      assert.match(lines[0]!, /is a symbolic link; name a plain file/);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mock --log-requests: the file is optional", () => {
  assert.equal(parseMockFlags(["--log-requests"])["log-requests"], "-");
  assert.equal(parseMockFlags(["--log-requests", "--http"])["log-requests"], "-");
  assert.equal(parseMockFlags(["--log-requests", "a.ndjson"])["log-requests"], "a.ndjson");
});
