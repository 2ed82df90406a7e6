// State that survives a restart (lib/mock/_persist.ts, `serveMock({ state })`, `mock --state`):
// the codec, the file checks, a restart in process and as `mspe-run mock`, and kill -9 while saving.
import assert from "node:assert/strict";
import { AuthenticationError, invokeCall } from "../mod.ts";
import { serveMock } from "../lib/mock/mod.ts";
import {
  decodeValue,
  encodeValue,
  parseStateFile,
  STATE_FORMAT,
  STATE_VERSION,
  StateFileError,
} from "../lib/mock/_persist.ts";
import { clientFor, NO_CHILD_SIGNALS, waitFor } from "./_helpers.ts";
import { join } from "node:path";
import { CliProcess, mockFlags, ROOT } from "./cli_helpers.ts";
import { tempStateFile } from "./testdata/mock/helpers.ts";
import {
  InProcessCli,
  runCliInProcess,
  type SignalWay,
  startStoppable,
  type StoppableCli,
} from "./_cli_in_process.ts";

Deno.test("mock persist: the codec round-trips maps, sets, dates, bytes, odd numbers, shared objects and cycles", () => {
  const shared = { name: "shared" };
  const cyclic: Record<string, unknown> = { name: "cycle" };
  cyclic.self = cyclic;
  const value = {
    text: "a",
    flag: true,
    nothing: null,
    missing: undefined,
    numbers: [1.5, -0, NaN, Infinity, -Infinity, 2n ** 70n],
    map: new Map<unknown, unknown>([["a", shared], [2, new Set([1, "x", shared])]]),
    date: new Date(1_700_000_000_000),
    bytes: new Uint8Array([0, 1, 255]),
    dollar: { $: "map", v: "not a tag" },
    again: shared,
    cyclic,
    sparse: [1, undefined, 3],
  };
  const decoded = decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))) as typeof value;
  assert.deepEqual(decoded, value);
  assert.ok(Object.is(decoded.numbers[1], -0));
  assert.equal(decoded.again, decoded.map.get("a"), "a shared object stays one object");
  assert.equal(decoded.cyclic.self, decoded.cyclic);
  assert.ok("missing" in decoded);
  assert.throws(
    () => encodeValue({ users: [{ name: "x", at: new URL("https://example.test") }] }),
    /Cannot save state\.users\[0\]\.at: a URL instance is not plain data/,
  );
  assert.throws(() => encodeValue({ run: () => 1 }), /Cannot save state\.run: a function/);
  assert.throws(() => decodeValue({ $: "nope" }), TypeError);
});

Deno.test("mock persist: the whole state of both products, every lazy part made, encodes as data and round-trips", async () => {
  for (const product of ["spe", "server"] as const) {
    await using server = await serveMock({ product, http: true, instances: 3 });
    const state = server.app.state;
    for (const instance of state.instanceList()) {
      state.users(instance);
      state.instanceData(instance);
      state.activity(instance);
    }
    const encoded = JSON.parse(JSON.stringify(encodeValue(state.snapshot())));
    const copy = await serveMock({ product, http: true, instances: 1, seed: 2 });
    try {
      copy.app.state.restore(decodeValue(encoded) as Record<string, unknown>);
      assert.deepEqual(copy.app.state.snapshot(), state.snapshot(), product);
    } finally {
      await copy.close();
    }
  }
});

const tempFile = tempStateFile;

Deno.test("mock persist: serveMock seeds the file, saves a change within a second, and a restart loads it whole", async () => {
  await using file = await tempFile();
  let before: unknown;
  {
    await using server = await serveMock({ state: file.path, instances: 2, seed: 5 });
    const saved = parseStateFile(file.path, await Deno.readTextFile(file.path), "spe");
    assert.deepEqual(saved.options, {
      product: "spe",
      seed: 5,
      instances: 2,
      usersPerInstance: 5,
      storesPerInstance: 3,
      problems: "some",
    });
    await using client = await clientFor(server);
    await invokeCall(client, "CreateUser", {
      instanceID: "acme",
      userName: "persisted.user",
      privileges: "login",
    });
    await waitFor(() => Deno.readTextFileSync(file.path).includes("persisted.user"), "the save");
    before = encodeValue(server.app.state.snapshot());
  }
  {
    // Other seeding options are ignored: the file's state (and its options) win.
    await using server = await serveMock({ state: file.path, instances: 9, seed: 1 });
    assert.deepEqual(encodeValue(server.app.state.snapshot()), before);
    await using client = await clientFor(server);
    const info = await invokeCall(client, "GetUserInfo", {
      instanceID: "acme",
      userName: "persisted.user",
    });
    assert.equal(info.result?.userName, "persisted.user");
    assert.equal(server.app.state.instanceList().length, 2);
  }
  // The credentials of a start log in, whatever administrators and passwords the file holds.
  for (const credentials of [{ password: "0ther-pw" }, { username: "ops", password: "0ps-pw" }]) {
    await using server = await serveMock({ state: file.path, ...credentials });
    await using client = await clientFor(server, { username: "admin", ...credentials });
    assert.equal((await invokeCall(client, "Ping")).statusCode, "succeeded");
  }
  {
    // The saved admin's password is replaced, not added to.
    await using server = await serveMock({ state: file.path, password: "0ther-pw" });
    // The client's first call (get-metadata) is refused.
    await assert.rejects(clientFor(server, { password: "admin" }), AuthenticationError);
  }
});

Deno.test("mock persist: a damaged or foreign file is refused with one line and left untouched", async () => {
  await using file = await tempFile();
  const cases: [string, RegExp, string?][] = [
    ["{not json", /is not JSON/],
    ['{"hello": "world"}', /is not a mock state file \(no "format": "mspe-mock-state"\)/],
    [
      JSON.stringify({ format: STATE_FORMAT, version: 99, product: "spe" }),
      /has version 99, this mock reads version 1/,
    ],
    [
      JSON.stringify({ format: STATE_FORMAT, version: STATE_VERSION, product: "spe" }),
      /holds a simulated spe, not server/,
      "server",
    ],
    [
      JSON.stringify({
        format: STATE_FORMAT,
        version: STATE_VERSION,
        product: "spe",
        options: {},
        state: { $: "bogus" },
      }),
      /is damaged/,
    ],
  ];
  for (const [text, pattern, product] of cases) {
    await Deno.writeTextFile(file.path, text);
    const error = await serveMock({
      state: file.path,
      ...(product === "server" ? { product } : {}),
    }).then(() => null, (error: unknown) => error);
    assert.ok(error instanceof StateFileError, `refused: ${text}`);
    assert.match(error.message, pattern);
    assert.match(error.message, /it was left as it is/);
    assert.doesNotMatch(error.message, /\n/);
    assert.equal(await Deno.readTextFile(file.path), text, "never overwritten");
  }
});

/** Starts `mspe-run mock` on a free port with extra flags; resolves with it and its URL. */
/**
 * `mspe-run mock` with `args`: in process (stopped by firing its Ctrl-C and SIGTERM listeners), or
 * a subprocess (the simulator as a server process, stopped by real signals).
 */
async function startMockCli(
  way: SignalWay,
  args: string[],
): Promise<{ child: StoppableCli; url: string }> {
  const argv = ["mock", "--port", "0", "--http", ...args];
  const child = way === "in process"
    ? new InProcessCli(argv)
    : new CliProcess(argv, { interactive: true });
  const match = await child.waitFor("stdout", /listening on (http:\/\/\S+)\n[\s\S]*press Ctrl-C/);
  return { child, url: match[1]! };
}

async function invokeOverHttp(url: string, fn: string, form: string): Promise<unknown> {
  const response = await fetch(`${url}/api/invoke/${fn}`, {
    method: "POST",
    headers: {
      Authorization: "Basic " + btoa("admin:admin"),
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: form,
    // A request to a server killed mid-exchange must end: under Wine the socket can stay open.
    signal: AbortSignal.timeout(10_000),
  });
  return JSON.parse(await response.text());
}

/** A change survives SIGTERM and a restart that is stopped with Ctrl-C. */
async function keepsAcrossStop(way: SignalWay): Promise<void> {
  await using file = await tempFile();
  {
    const { child, url } = await startMockCli(way, ["--state", file.path, "--instances", "2"]);
    assert.match(
      await invokeOverHttp(url, "CreateUser", "instanceID=acme&userName=kept&privileges=login")
        .then(JSON.stringify),
      /"statusCode":"succeeded"/,
    );
    child.terminate();
    const result = await child.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /state: .*state\.json \(seeded and saved\)/);
  }
  {
    const { child, url } = await startMockCli(way, ["--state", file.path]);
    const info = await invokeOverHttp(url, "GetUserInfo", "instanceID=acme&userName=kept") as {
      result: { userName: string } | null;
    };
    assert.equal(info.result?.userName, "kept");
    child.interrupt();
    const result = await child.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /instances: 2\n/);
    assert.match(result.stdout, /\(loaded\)/);
  }
}

Deno.test("mock persist: mspe-run mock --state keeps a change across SIGTERM and a restart", async () => {
  // In process: the termination and Ctrl-C listeners of the command fired, on every OS (SIGTERM's
  // listener is Ctrl-Break's on Windows).
  await keepsAcrossStop("in process");
});

Deno.test({
  name: "mock persist: the same with real SIGTERM and SIGINT sent to a subprocess mock",
  ignore: NO_CHILD_SIGNALS,
}, async () => {
  await keepsAcrossStop("subprocess");
});

/**
 * `mspe-run mock --state FILE` over HTTPS (the test certificate, as a user starts it), started the
 * `way` given; resolves with it and its port once it prints where it listens.
 */
async function startHttpsMock(
  way: SignalWay,
  file: string,
): Promise<{ child: StoppableCli; port: number }> {
  const child = startStoppable(way, ["mock", "--state", file, "--port", "0"], {});
  const [, url] = await child.waitFor("stdout", /^listening on (https:\/\/127\.0\.0\.1:\d+)$/m);
  return { child, port: Number(new URL(url!).port) };
}

/** The user `name` of acme in the state file, read by a simulator started on it. */
async function savedUser(file: string, name: string): Promise<string | undefined> {
  await using server = await serveMock({ state: file });
  await using client = await clientFor(server);
  const info = await invokeCall(client, "GetUserInfo", { instanceID: "acme", userName: name });
  return info.result?.userName;
}

/**
 * A change made with `mspe-run call` over HTTPS, then Ctrl-C at once (well within the save delay,
 * so the save on stop is what keeps it): exit 0, "stopped", and the file holds the change.
 */
async function ctrlCSavesChange(way: SignalWay): Promise<void> {
  await using file = await tempFile();
  const { child, port } = await startHttpsMock(way, file.path);
  const call = await runCliInProcess(
    ["call", "CreateUser", "instanceID=acme", "userName=ctrl.c", "privileges=login"].concat(
      mockFlags(port),
    ),
    { env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" } },
  );
  assert.equal(call.code, 0, call.stderr);
  child.interrupt();
  const result = await child.done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\(seeded and saved\)\n[\s\S]*press Ctrl-C to stop\nstopped\n$/);
  assert.equal(await savedUser(file.path, "ctrl.c"), "ctrl.c");
}

Deno.test("mock persist: mspe-run mock --state over HTTPS: a change by mspe-run call, Ctrl-C, exit 0, the file holds it", async () => {
  await ctrlCSavesChange("in process");
});

Deno.test({
  name: "mock persist: the same with a real SIGINT sent to a subprocess mock",
  ignore: NO_CHILD_SIGNALS,
}, async () => {
  await ctrlCSavesChange("subprocess");
});

/**
 * Ctrl-C as soon as "listening on" is printed, while the mock is still starting (it checks a file
 * before it prints the rest): the request is kept and the mock stops cleanly. It was lost before:
 * in process the command never ended (a test hung until killed), a subprocess died with 130.
 */
async function ctrlCWhileStarting(way: SignalWay): Promise<void> {
  await using file = await tempFile();
  const { child } = await startHttpsMock(way, file.path);
  child.interrupt();
  const result = await child.done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /\nstopped\n$/);
  assert.equal(
    parseStateFile(file.path, await Deno.readTextFile(file.path), "spe").options.instances,
    3,
  );
  // The lock is released: the next simulator starts on the file.
  await (await serveMock({ http: true, state: file.path })).close();
}

Deno.test("mock persist: Ctrl-C while mspe-run mock --state starts stops it: exit 0, the file saved", async () => {
  await ctrlCWhileStarting("in process");
});

Deno.test({
  name: "mock persist: the same with a real SIGINT sent to a subprocess mock as it starts",
  ignore: NO_CHILD_SIGNALS,
}, async () => {
  await ctrlCWhileStarting("subprocess");
});

Deno.test("mock persist: mspe-run mock --state with a relative path writes it in the folder deno task was started in", async () => {
  await using file = await tempFile();
  // INIT_CWD is where `deno task mspe-run` was typed; the run itself is in the repository root.
  const child = new InProcessCli(["mock", "--state", "lab.json", "--port", "0", "--http"], {
    env: { INIT_CWD: file.dir },
  });
  await child.waitFor("stdout", /press Ctrl-C/);
  child.interrupt();
  const result = await child.done;
  assert.equal(result.code, 0, result.stderr);
  const path = join(file.dir, "lab.json");
  assert.ok(result.stdout.includes(`state: ${path} (seeded and saved)\n`), result.stdout);
  assert.equal(parseStateFile(path, await Deno.readTextFile(path), "spe").options.instances, 3);
  await assert.rejects(Deno.stat(join(ROOT, "lab.json")), Deno.errors.NotFound);
});

Deno.test("mock persist: mspe-run mock refuses a foreign --state file with one line and exit 1", async () => {
  await using file = await tempFile();
  await Deno.writeTextFile(file.path, "[1, 2, 3]");
  // In process: the file is refused before the server starts or listens for signals.
  const result = await runCliInProcess(["mock", "--port", "0", "--state", file.path]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: The state file '.*' is not a mock state file; .*\n$/);
  assert.equal(await Deno.readTextFile(file.path), "[1, 2, 3]");
});

Deno.test("mock persist: kill -9 during frequent saves always leaves a whole file", async () => {
  await using file = await tempFile();
  // A larger state makes each save take a while, so that some kills land in the middle of one.
  const flags = ["--state", file.path, "--instances", "200", "--users", "40"];
  for (let round = 0; round < 3; round++) {
    // A subprocess: kill -9 ends a whole process (TerminateProcess on Windows).
    const { child, url } = await startMockCli("subprocess", flags);
    const instances = await invokeOverHttp(url, "GetInstances", "instanceFilter=*") as {
      result: { instanceID: string }[];
    };
    const ids = instances.result.map((instance) => instance.instanceID);
    let stop = false;
    const changes = (async () => {
      for (let i = 0; !stop; i++) {
        // Every instance in turn: their users and stores are made and then saved too.
        const instance = ids[i % ids.length];
        await invokeOverHttp(
          url,
          "CreateUser",
          `instanceID=${instance}&userName=r${round}u${i}&privileges=login`,
        ).catch(() => (stop = true));
      }
    })();
    // Long enough for several saves; where the kill lands varies from round to round.
    await new Promise((resolve) => setTimeout(resolve, 500 + round * 200));
    (child as CliProcess).kill("SIGKILL");
    stop = true;
    await changes;
    await child.done;
    const text = await Deno.readTextFile(file.path);
    const parsed = parseStateFile(file.path, text, "spe");
    assert.equal(parsed.options.instances, 200);
  }
});
