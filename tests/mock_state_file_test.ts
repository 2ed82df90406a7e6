// The state file (`mock --state FILE`, `serveMock({ state })`) against a second simulator, planted
// links, hostile or damaged contents (issue 18 item 9). Each case failed before: no lock, a fixed
// temporary name that followed links, no limits, keys that shadowed methods, no BOM, vague errors.
import assert from "node:assert/strict";
import { createMockApp, type MockServer, runMockCommand, serveMock } from "../lib/mock/mod.ts";
import { CliProcess } from "./cli_helpers.ts";
import { tempStateFile } from "./testdata/mock/helpers.ts";

const tempDir = () => tempStateFile("mspe_state_file_");

/** serveMock's rejection (or null when it served, then closed). */
async function refusal(options: Parameters<typeof serveMock>[0]): Promise<Error | null> {
  let server: MockServer;
  try {
    server = await serveMock({ http: true, ...options });
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  await server.close();
  return null;
}

/** A saved state file's JSON, to edit. */
async function savedState(path: string): Promise<Record<string, unknown>> {
  await (await serveMock({ http: true, state: path })).close();
  return JSON.parse(await Deno.readTextFile(path));
}

/** Runs the mock command in process with `args`; the exit code and every line printed. */
async function runMock(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const controller = new AbortController();
  const code = await runMockCommand(["--port", "0", "--http", ...args], {
    out: (line) => {
      out.push(line);
      if (line.startsWith("press Ctrl-C")) controller.abort();
    },
    err: (line) => err.push(line),
    signal: controller.signal,
  });
  return { code, out, err };
}

Deno.test("mock state file: a second simulator on the same file is refused with one line and exit 1, until the first stops", async () => {
  await using file = await tempDir();
  const first = await serveMock({ http: true, state: file.path });
  try {
    const error = await refusal({ state: file.path });
    assert.match(
      error?.message ?? "",
      new RegExp(`^The state file '.*' is in use by another simulator \\(process ${Deno.pid}\\); `),
    );
    const { code, out, err } = await runMock(["--state", file.path]);
    assert.equal(code, 1);
    assert.deepEqual(out, []);
    assert.equal(err.length, 1);
    assert.match(
      err[0]!,
      /^mock: The state file .* is in use by another simulator .*stop that one/,
    );
  } finally {
    await first.close();
  }
  // Released on close: the next simulator starts on the file.
  assert.equal(await refusal({ state: file.path }), null);
});

Deno.test("mock state file: the lock of a simulator killed with SIGKILL does not block the next start", async () => {
  await using file = await tempDir();
  const child = new CliProcess(["mock", "--port", "0", "--http", "--state", file.path], {
    interactive: true,
  });
  await child.waitFor("stdout", /press Ctrl-C/);
  assert.match((await refusal({ state: file.path }))?.message ?? "", /in use by another simulator/);
  child.kill("SIGKILL");
  await child.done;
  assert.equal(await refusal({ state: file.path }), null);
});

/**
 * Plants a link at `path` to `target`; false where this system makes none that can be seen:
 * Windows without the right to create links (Developer Mode or an administrator), or Wine, whose
 * CreateSymbolicLink reports success and leaves nothing.
 */
async function plantLink(target: string, path: string): Promise<boolean> {
  try {
    await Deno.symlink(target, path);
    return (await Deno.lstat(path)).isSymlink;
  } catch (error) {
    if (Deno.build.os !== "windows") throw error;
    return false;
  }
}

Deno.test("mock state file: a save never follows a planted link; the temporary file is new and random", async () => {
  await using file = await tempDir();
  const target = `${file.dir}/precious.txt`;
  await Deno.writeTextFile(target, "keep me");
  // The fixed temporary name of the past, and a lock file pointing at the same target.
  const planted = await plantLink(target, `${file.path}.tmp`);
  if (!planted) {
    console.log(
      "mock_state_file_test: no link could be planted here; the save is checked without one",
    );
  }
  {
    await using server = await serveMock({ http: true, state: file.path, password: "s3cret" });
    server.app.state.seedUsers(server.app.state.instanceList()[0]!, 3);
    server.app.onChange?.();
  }
  assert.equal(await Deno.readTextFile(target), "keep me");
  if (planted) {
    assert.ok((await Deno.lstat(`${file.path}.tmp`)).isSymlink, "the planted link is left alone");
  }
  const names = [];
  for await (const entry of Deno.readDir(file.dir)) names.push(entry.name);
  assert.deepEqual(names.sort(), [
    "precious.txt",
    "state.json",
    "state.json.lock",
    ...(planted ? ["state.json.tmp"] : []),
  ]);
  // Windows has no mode bits (Deno gives null there).
  if (Deno.build.os !== "windows") {
    assert.equal((await Deno.stat(file.path)).mode! & 0o777, 0o600);
  }

  await Deno.remove(`${file.path}.lock`);
  if (await plantLink(target, `${file.path}.lock`)) {
    assert.match(
      (await refusal({ state: file.path }))?.message ?? "",
      /^Cannot lock the state file .*state\.json\.lock\): it is not a regular file; remove it\.$/,
    );
  }
  assert.equal(await Deno.readTextFile(target), "keep me");
});

Deno.test("mock state file: counts and sizes over the limits are refused at once, before anything is made", async () => {
  await using file = await tempDir();
  const saved = await savedState(file.path);
  (saved.options as Record<string, unknown>).instances = 1e9;
  await Deno.writeTextFile(file.path, JSON.stringify(saved));
  const started = performance.now();
  assert.match(
    (await refusal({ state: file.path }))?.message ?? "",
    /is damaged \(options\.instances must be a whole number from 0 to 100000, got 1000000000\)/,
  );
  (saved.options as Record<string, unknown>).instances = 3;
  (saved.state as Record<string, unknown>).storesPerInstance = 1e12;
  await Deno.writeTextFile(file.path, JSON.stringify(saved));
  assert.match(
    (await refusal({ state: file.path }))?.message ?? "",
    /is damaged \(state\.storesPerInstance must be a whole number from 0 to 10000/,
  );
  assert.throws(() => createMockApp({ instances: 1e9 }), /instances must be a whole number/);
  // A file over the size limit is refused unread (a sparse file: no disk is used).
  await Deno.truncate(file.path, 256 * 1024 * 1024 + 1);
  assert.match(
    (await refusal({ state: file.path }))?.message ?? "",
    /has 268435457 bytes, over the 268435456 the simulator reads/,
  );
  assert.ok(performance.now() - started < 5_000, "refused in seconds, not minutes");
});

Deno.test("mock state file: keys that would shadow code are refused by name, and the mock never starts", async () => {
  await using file = await tempDir();
  const saved = await savedState(file.path);
  const cases: [(state: Record<string, unknown>) => void, RegExp][] = [
    [(state) => (state["toString"] = 1), /state\.toString is not a field of the simulated state/],
    [(state) => (state["constructor"] = {}), /state\.constructor is not a field/],
    [(state) => (state.instanceList = []), /state\.instanceList is not a field/],
    [(state) => (state.instanceHosts = {}), /state\.instanceHosts is a record, not a list/],
    [
      (state) => Object.defineProperty(state, "__proto__", { value: {}, enumerable: true }),
      /state has the key "__proto__", which is reserved/,
    ],
    [
      (state) => {
        const system = state.system as Record<string, unknown>;
        Object.defineProperty(system, "__proto__", { value: { x: 1 }, enumerable: true });
      },
      /state\.system has the key "__proto__", which is reserved/,
    ],
  ];
  for (const [edit, pattern] of cases) {
    const copy = structuredClone(saved);
    edit(copy.state as Record<string, unknown>);
    const text = JSON.stringify(copy);
    await Deno.writeTextFile(file.path, text);
    const { code, out, err } = await runMock(["--state", file.path]);
    assert.equal(code, 1, text.slice(0, 200));
    assert.deepEqual(out, [], "never listening");
    assert.equal(err.length, 1);
    assert.match(err[0]!, pattern);
    assert.match(err[0]!, /^mock: The state file .* is damaged \(.*\); it was left as it is\./);
    assert.equal(await Deno.readTextFile(file.path), text, "left as it is");
  }
});

Deno.test("mock state file: empty, not JSON, another version and a BOM each get a precise answer", async () => {
  await using file = await tempDir();
  const saved = await savedState(file.path);
  const cases: [string, RegExp][] = [
    ["", /is empty/],
    [" \n", /is empty/],
    ['{\n  "format": mspe\n}', /is not JSON at line 2, column 13 /],
    ['{"format": "mspe-mock-state"', /is not JSON at line 1, column 29 /],
    [JSON.stringify({ ...saved, version: 2 }), /has version 2, this mock reads version 1/],
    [JSON.stringify({ ...saved, version: undefined }), /has version \(none\)/],
  ];
  for (const [text, pattern] of cases) {
    await Deno.writeTextFile(file.path, text);
    const { code, err } = await runMock(["--state", file.path]);
    assert.equal(code, 1, JSON.stringify(text));
    assert.equal(err.length, 1);
    assert.match(err[0]!, pattern);
    assert.doesNotMatch(err[0]!, /cannot listen/);
  }
  // Saved by a Windows editor: UTF-8 with a byte order mark.
  await Deno.writeTextFile(file.path, `\uFEFF${JSON.stringify(saved)}`);
  const { code, out } = await runMock(["--state", file.path]);
  assert.equal(code, 0);
  assert.ok(out.some((line) => /^state: .* \(loaded\)$/.test(line)), out.join("\n"));
});
