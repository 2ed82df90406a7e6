/**
 * What a Windows admin does with mspe-run, on every OS (the Windows lane runs it with deno.exe):
 * the config file under `%APPDATA%`, drive-letter paths with backslashes in `--output`,
 * `--ca-cert` and `mock --state`, a folder given as a file, non-ASCII names through a pipe, and
 * Ctrl-Break as the termination signal. Paths are made with `node:path`, so they are
 * `C:\...\x` on Windows and `/tmp/.../x` elsewhere.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeText } from "../lib/_text_file.ts";
import { onTerminationSignal } from "../lib/cli/io/io.ts";
import { CA_PEM_PATH, mockFlags, ROOT, runCli } from "./cli_helpers.ts";
import { InProcessCli, runCliInProcess } from "./_cli_in_process.ts";
import { startMock } from "./_helpers.ts";

const WINDOWS = Deno.build.os === "windows";
const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

/** A new temporary folder, removed at the end of the test. */
async function tempDir(): Promise<{ dir: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "mspe_windows_" });
  if (WINDOWS) assert.match(dir, /^[A-Za-z]:\\/, "a drive-letter path with backslashes");
  return {
    dir,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

Deno.test("the config file lands under %APPDATA%\\mspe\\config.json on Windows", async () => {
  await using temp = await tempDir();
  // No MSPE_CONFIG: the file is found from the system's variables, as on an admin's machine.
  const env = { MSPE_CONFIG: "", APPDATA: temp.dir, HOME: temp.dir, XDG_CONFIG_HOME: "" };
  const added = await runCliInProcess(
    ["profile", "add", "lab", "--host", "spe.example.com", "--username", "admin", "--no-check"],
    { env },
  );
  assert.equal(added.code, 0, added.stderr);
  const expected = WINDOWS
    ? join(temp.dir, "mspe", "config.json")
    : join(temp.dir, ".config", "mspe", "config.json");
  const config = JSON.parse(decodeText(await Deno.readFile(expected)));
  assert.equal(config.profiles.lab.host, "spe.example.com");
  const listed = await runCliInProcess(["profile", "list"], { env });
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /\blab\b/);
});

Deno.test("--output, --ca-cert and mock --state take the system's absolute paths (C:\\... on Windows)", async () => {
  await using temp = await tempDir();
  const ca = join(temp.dir, "ca.pem");
  await Deno.copyFile(join(ROOT, CA_PEM_PATH), ca);
  const state = join(temp.dir, "state", "mock.json");
  await Deno.mkdir(join(temp.dir, "state"));
  const mock = new InProcessCli(["mock", "--port", "0", "--state", state]);
  const [, url] = await mock.waitFor("stdout", /^listening on (https:\/\/127\.0\.0\.1:\d+)$/m);
  try {
    const port = new URL(url!).port;
    const output = join(temp.dir, "out", "usage.csv");
    const call = await runCliInProcess(
      [
        "report",
        "usage",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--ca-cert",
        ca,
        "--format",
        "csv",
        "--output",
        output,
      ],
      { env: USER },
    );
    assert.equal(call.code, 0, call.stderr);
    assert.match(decodeText(await Deno.readFile(output)), /^instanceID,/);
  } finally {
    mock.interrupt();
  }
  const stopped = await mock.done;
  assert.equal(stopped.code, 0, stopped.stderr);
  assert.match(stopped.stdout, /state: .*mock\.json \(seeded and saved\)/);
  assert.ok((await Deno.stat(state)).isFile);
});

Deno.test("a folder given as a file says it is a directory (Windows says Access is denied)", async () => {
  await using temp = await tempDir();
  await using mock = await startMock();
  const flags = ["--host", "127.0.0.1", "--port", String(mock.port)];
  const read = await runCliInProcess([
    "call",
    "GetUsers",
    "instanceID=acme",
    ...flags,
    "--ca-cert",
    temp.dir,
  ], {
    env: USER,
  });
  assert.equal(read.code, 2, read.stderr);
  assert.match(
    read.stderr,
    /^error: Cannot read the --ca-cert file .*: it is a directory\. Check the path\.$/m,
  );
  const written = await runCliInProcess(
    ["report", "usage", ...mockFlags(mock.port), "--format", "csv", "--output", temp.dir],
    { env: USER },
  );
  assert.equal(written.code, 2, written.stderr);
  assert.match(written.stderr, /^error: Cannot write --output .*: it is a directory\.$/m);
});

Deno.test("non-ASCII names (Müller, 山田) reach a pipe as UTF-8", async () => {
  await using mock = await startMock();
  const names = ["Jürgen Müller", "山田 太郎"];
  for (const [i, fullName] of names.entries()) {
    const created = await runCliInProcess(
      [
        "call",
        "CreateUser",
        "instanceID=acme",
        `userName=intl${i}`,
        `fullName=${fullName}`,
        "privileges=login",
        ...mockFlags(mock.port),
      ],
      { env: USER },
    );
    assert.equal(created.code, 0, created.stderr);
  }
  // A subprocess: deno.exe's own stdout, a pipe, as PowerShell reads it; decoded as UTF-8.
  const piped = await runCli(
    ["call", "GetUsers", "instanceID=acme", "--format", "table", ...mockFlags(mock.port)],
    { env: USER },
  );
  assert.equal(piped.code, 0, piped.stderr);
  for (const name of names) assert.ok(piped.stdout.includes(name), `${name} in ${piped.stdout}`);
  assert.ok(!piped.stdout.includes("\uFFFD"), "no character was lost");
});

Deno.test("Ctrl-Break (SIGBREAK) on Windows, SIGTERM elsewhere: deno takes the listener", () => {
  // The real Deno.addSignalListener: on Windows deno.exe accepts SIGBREAK (and would refuse
  // SIGTERM), so the termination handler is in place there; Ctrl-C is SIGINT everywhere.
  const added: Deno.Signal[] = [];
  const stop = onTerminationSignal(Deno.build.os, () => {}, (signal, listener) => {
    Deno.addSignalListener(signal, listener);
    added.push(signal);
  });
  stop();
  assert.deepEqual(added, [WINDOWS ? "SIGBREAK" : "SIGTERM"]);
  const interrupt = () => {};
  Deno.addSignalListener("SIGINT", interrupt);
  Deno.removeSignalListener("SIGINT", interrupt);
});
