// The four examples of MailStore's PowerShell tutorial exactly as mod.ts shows them, run against the
// mock. Only the connection options differ: newClient gets the mock's host, port and CA on top of the
// example's own options. (`deno check --doc` type-checks the same code.)

import { pathToFileURL } from "node:url";
import { assertEquals, assertMatch } from "./_assert.ts";
import { optionsFor, startMock } from "./_helpers.ts";
import type { MockServer } from "../lib/mock/mod.ts";

const MOD = new URL("../mod.ts", import.meta.url);

/** The code blocks of mod.ts's module doc that follow "Example <n>:". */
function examples(): Map<number, string> {
  const source = Deno.readTextFileSync(MOD);
  const found = new Map<number, string>();
  for (const match of source.matchAll(/ \* Example (\d):[^\n]*\n \* ```ts\n([\s\S]*?) \* ```\n/g)) {
    const code = match[2]!.split("\n").map((line) => line.replace(/^ \* ?/, "")).join("\n");
    found.set(Number(match[1]), code);
  }
  return found;
}

/**
 * Runs example `n` as a module whose newClient connects to `server`; returns what it logged.
 * The module imports mod.ts itself, so the code under test is the library's.
 */
async function run(n: number, server: MockServer): Promise<unknown[][]> {
  const code = examples().get(n);
  if (code === undefined) throw new Error(`mod.ts has no "Example ${n}:" code block`);
  const importLine = /^import \{([^}]*)\} from "@mspe\/mspe";$/m;
  if (!importLine.test(code)) throw new Error(`Example ${n} does not import from "@mspe/mspe"`);
  const module = code.replace(
    importLine,
    (_line, names: string) =>
      `import {${names.replace("newClient", "newClient as realNewClient")}} from "${MOD.href}";\n` +
      `const newClient = (options) => realNewClient({ ...options, ...globalThis.mspeExampleOptions });`,
  );
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  const logged: unknown[][] = [];
  const { log, error } = console;
  console.log = (...data: unknown[]) => logged.push(data);
  console.error = (...data: unknown[]) => logged.push(["stderr", ...data]);
  Reflect.set(globalThis, "mspeExampleOptions", optionsFor(server));
  try {
    await Deno.writeTextFile(file, module);
    await import(pathToFileURL(file).href);
  } finally {
    console.log = log;
    console.error = error;
    Reflect.deleteProperty(globalThis, "mspeExampleOptions");
    await Deno.remove(file);
  }
  return logged;
}

Deno.test("mod.ts shows four examples, each importing from @mspe/mspe", () => {
  assertEquals([...examples().keys()], [1, 2, 3, 4]);
});

Deno.test("tutorial example 1: GetEnvironmentInfo without arguments", async () => {
  await using server = await startMock();
  const [[status], [version, licensee]] = await run(1, server) as [[Record<string, unknown>], [
    string,
    string,
  ]];
  assertEquals(status?.statusCode, "succeeded");
  assertEquals(status?.token, null);
  assertMatch(version, /^\d+\./);
  assertEquals(typeof licensee, "string");
  assertEquals(server.stats.byFunction, { GetEnvironmentInfo: 1 });
});

Deno.test("tutorial example 2: every user of every instance", async () => {
  await using server = await startMock({ instances: 2, usersPerInstance: 2 });
  const logged = await run(2, server);
  const infos = logged.map(([info]) => info as { userName: string; privileges: string[] });
  // Two users and $archiveadmin per instance, each with its privileges.
  assertEquals(infos.length, 6);
  assertEquals(infos.filter((info) => info.userName === "$archiveadmin").length, 2);
  assertEquals(infos.every((info) => Array.isArray(info.privileges)), true);
  assertEquals(server.stats.byFunction, { GetInstances: 1, GetUsers: 2, GetUserInfo: 6 });
});

Deno.test("tutorial example 3: invokeCall waits for an asynchronous call", async () => {
  await using server = await startMock();
  const [[status]] = await run(3, server) as [[Record<string, unknown>]];
  assertEquals(status?.statusCode, "succeeded");
  assertEquals(status?.percentProgress, 100);
  assertMatch(String(status?.token), /^s/);
  assertEquals((server.stats.byPath["/api/get-status"] ?? 0) >= 1, true);
});

Deno.test("tutorial example 4: every status of an asynchronous call, then cancel", async () => {
  await using server = await startMock({ jobs: { stepMs: 20, steps: 10 } });
  const logged = await run(4, server);
  const statuses = logged.filter((entry) => entry[0] !== "stderr");
  assertEquals(statuses[0]?.[1], "running");
  assertEquals(statuses.at(-1)?.[1], "failed"); // the mock's final status after cancel-async
  assertEquals(server.stats.byPath["/api/cancel-async"], 1);
  const [, message] = logged.find((entry) => entry[0] === "stderr") ?? [];
  assertMatch(String(message), /^CancelledError: VerifyStore was cancelled/);
});
