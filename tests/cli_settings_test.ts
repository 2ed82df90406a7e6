/**
 * The settings table (lib/cli/settings/table.ts) is the one place a setting is described: these
 * tests check that flags, variables, profile keys, `profile add`, completion and the resume command
 * all follow it, and that deno.json's permission set allows exactly its variables.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseCommand } from "../lib/cli/args.ts";
import { commandHelp } from "../lib/cli/command.ts";
import { type CliIo, denoIo } from "../lib/cli/io/io.ts";
import { parseConfig } from "../lib/cli/settings/config.ts";
import { CONNECTION_FLAGS, LEADING_FLAGS } from "../lib/cli/settings/flags.ts";
import { connectionArgs, readConnection } from "../lib/cli/settings/resolve.ts";
import {
  CONNECTION_SETTINGS,
  MSPE_VARIABLES,
  PROFILE_KEYS,
  PROFILE_SETTINGS,
  type Setting,
  type SettingName,
  SETTINGS,
} from "../lib/cli/settings/table.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { STATE_VARIABLES } from "../lib/cli/state/variables.ts";

const ROWS = Object.entries(SETTINGS) as [SettingName, Setting][];

/** The real process, but for its environment: only `env` (reading settings writes nothing). */
function io(env: Record<string, string> = {}): CliIo {
  return { ...denoIo(), env: (name) => env[name] };
}

Deno.test("deno.json's env permission allows exactly the variables of the settings table", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const allowed: string[] = config.permissions["mspe-run"].env;
  // Besides the settings: the variables of state files, each with its reason there.
  assert.deepEqual([...allowed].sort(), [...MSPE_VARIABLES, ...STATE_VARIABLES].sort());
  // Each setting's variable is its flag's name in upper case with MSPE_ in front.
  for (const [name, row] of ROWS) {
    if (row.env === undefined) continue;
    assert.equal(row.env, `MSPE_${name.toUpperCase().replaceAll("-", "_")}`, name);
  }
  // Never one for --insecure: trusting any certificate is typed each time.
  assert.equal((SETTINGS.insecure as Setting).env, undefined);
});

Deno.test("every connection setting is a flag of every server command and may come first", () => {
  for (const name of CONNECTION_SETTINGS) {
    assert.ok(Object.hasOwn(CONNECTION_FLAGS, name), name);
    assert.ok(Object.hasOwn(LEADING_FLAGS, name), name);
    assert.equal(CONNECTION_FLAGS[name].group, "Connection");
  }
});

Deno.test("a profile takes the table's keys, with the JSON type of each", () => {
  const keys = PROFILE_SETTINGS.map((name) => (SETTINGS[name] as Setting).profile!.key);
  assert.deepEqual(Object.keys(PROFILE_KEYS), keys);
  const sample: Record<string, unknown> = {};
  for (const name of PROFILE_SETTINGS) {
    const { key, kind } = (SETTINGS[name] as Setting).profile!;
    sample[key] = kind === "number" ? 8 : kind === "strings" ? ["a.pem", "b.pem"] : "x";
  }
  const parsed = parseConfig(JSON.stringify({ profiles: { all: sample } }), "config.json");
  assert.deepEqual(parsed.profiles.all, sample);
  // A key outside the table is refused with the closest one.
  assert.throws(
    () => parseConfig('{"profiles":{"p":{"pinsha256":"x"}}}', "config.json"),
    /unknown key "pinsha256".*Did you mean pinSha256\?/,
  );
});

Deno.test("each setting is read from its flag, else its variable, else the profile, and checked alike", () => {
  const chosen = (profile: Record<string, unknown>) => ({
    chosen: { name: "p", named: true, path: "/c.json", profile },
  });
  // A bad value names where it came from, the same way for every layer.
  const cases: [SettingName, string, string][] = [
    ["port", "0", "MSPE_PORT"],
    ["product", "exchange", "MSPE_PRODUCT"],
    ["tls-version", "1.0", "MSPE_TLS_VERSION"],
    ["timeout", "-1", "MSPE_TIMEOUT"],
    ["concurrency", "5000", "MSPE_CONCURRENCY"],
    ["pin-sha256", "AB:CD", "MSPE_PIN_SHA256"],
  ];
  for (const [name, bad, variable] of cases) {
    const fromFlag = () =>
      readConnection(parseCommand("call", [`--${name}`, bad], LEADING_FLAGS), io());
    assert.throws(fromFlag, (e: Error) => e instanceof UsageError && !/comes from/.test(e.message));
    const fromEnv = () =>
      readConnection(parseCommand("call", [], LEADING_FLAGS), io({ [variable]: bad }));
    assert.throws(fromEnv, (e: Error) => e.message.endsWith(`It comes from ${variable}.`), name);
    const key = (SETTINGS[name] as Setting).profile?.key;
    if (key === undefined) continue;
    const parsed = parseCommand("call", [], LEADING_FLAGS);
    const withProfile = parsed.withProfile(chosen({ [key]: bad }).chosen);
    assert.throws(
      () => readConnection(withProfile, io()),
      (e: Error) => e.message.endsWith("It comes from profile p in /c.json."),
      name,
    );
  }
});

Deno.test("the resume command repeats what flags and variables gave, never what the profile gave", () => {
  const argv = [
    "--host",
    "spe1.example.com",
    "--port",
    "9000",
    "--product",
    "server",
    "--username",
    "admin",
    "--password-file",
    "pw.txt",
    "--ca-cert",
    "a.pem",
    "--ca-cert",
    "b.pem",
    "--pin-sha256",
    "ab".repeat(32),
    "--tls-version",
    "1.3",
    "--instance",
    "acme",
    "--timeout",
    "30",
  ];
  const settings = readConnection(parseCommand("call", argv, LEADING_FLAGS), io());
  const args = connectionArgs(settings);
  // Read back, the resume command reaches the same server the same way.
  const again = readConnection(parseCommand("watch", args, LEADING_FLAGS), io());
  for (
    const field of [
      "host",
      "port",
      "product",
      "username",
      "passwordFile",
      "caCertFiles",
      "pinSha256",
      "tlsVersion",
    ] as const
  ) {
    assert.deepEqual(again[field], settings[field], field);
  }
  // Only the table's resume settings: not the instance or the time limit of this command.
  assert.ok(!args.includes("--instance") && !args.includes("--timeout"));
  const fromEnv = readConnection(
    parseCommand("call", [], LEADING_FLAGS),
    io({ MSPE_HOST: "spe2", MSPE_USERNAME: "ops" }),
  );
  assert.deepEqual(connectionArgs(fromEnv), ["--host", "spe2", "--username", "ops"]);
  const fromProfile = parseCommand("call", [], LEADING_FLAGS).withProfile({
    name: "prod",
    named: true,
    path: "/c.json",
    profile: { host: "spe3", username: "ops", pinSha256: "cd".repeat(32) },
  });
  assert.deepEqual(connectionArgs(readConnection(fromProfile, io())), ["--profile", "prod"]);
});

Deno.test("profile add takes every profile setting as a flag, with the table's help", async () => {
  const { profileCommand } = await import("../lib/cli/commands/profile.ts");
  const help = commandHelp(profileCommand);
  for (const name of PROFILE_SETTINGS) {
    assert.ok(Object.hasOwn(profileCommand.flags, name), name);
    const row = SETTINGS[name] as Setting;
    assert.ok(help.includes(row.profile?.help ?? row.flag.help), name);
  }
});

Deno.test("relative paths are taken from where `deno task mspe-run` was started (INIT_CWD)", async () => {
  const { fromFolder } = await import("../lib/cli/io/io.ts");
  assert.equal(fromFolder("/home/ops/", "linux")("pw.txt"), "/home/ops/pw.txt");
  assert.equal(fromFolder("/home/ops", "linux")("/etc/pw"), "/etc/pw");
  assert.equal(fromFolder(undefined, "linux")("pw.txt"), "pw.txt");
  const windows = fromFolder("C:\\Users\\ops", "windows");
  assert.equal(windows("reports\\usage.html"), "C:\\Users\\ops\\reports\\usage.html");
  for (const absolute of ["C:\\reports\\usage.html", "D:usage.csv", "\\\\srv\\share\\x.pem"]) {
    assert.equal(windows(absolute), absolute);
  }
  // End to end: deno task runs in the clone; the files are where the user is.
  const { startMock } = await import("./_helpers.ts");
  await using mock = await startMock();
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/pw.txt`, "admin\n");
    await Deno.chmod(`${dir}/pw.txt`, 0o600).catch(() => {});
    const root = new URL("..", import.meta.url);
    await Deno.copyFile(new URL("tests/testdata/tls/ca.pem", root), `${dir}/ca.pem`);
    const env: Record<string, string> = { NO_COLOR: "1", MSPE_CONFIG: `${dir}/config.json` };
    for (const name of ["PATH", "HOME", "DENO_DIR", "SYSTEMROOT", "TMPDIR"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const run = await new Deno.Command(Deno.execPath(), {
      args: [
        "task",
        "-q",
        "--config",
        fileURLToPath(new URL("deno.json", root)),
        "mspe-run",
        "report",
        "usage",
        "--password-file",
        "pw.txt",
        "--username",
        "admin",
        "--host",
        "127.0.0.1",
        "--port",
        String(mock.port),
        "--ca-cert",
        "ca.pem",
        "--format",
        "csv",
        "--output",
        "usage.csv",
      ],
      cwd: dir,
      clearEnv: true,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    assert.match(await Deno.readTextFile(`${dir}/usage.csv`), /^instanceID,/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: the settings table lists every setting with its variable and profile key", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const block = /<!-- settings-table -->([\s\S]*?)<!-- \/settings-table -->/.exec(readme)?.[1];
  assert.ok(block, "README has the settings table between its markers");
  const rows = block.split("\n").filter((line) => line.startsWith("| `--")).map((line) =>
    line.split("|").slice(1, -1).map((cell) => cell.trim().replace(/^`|`$/g, ""))
  );
  const listed = new Map(rows.map(([flag, env, key]) => [flag!.slice(2), { env, key }]));
  for (const [name, row] of ROWS) {
    const found = listed.get(name);
    assert.ok(found, `README lists --${name}`);
    if (row.env !== undefined) assert.equal(found.env, row.env, name);
    if (row.profile !== undefined) assert.equal(found.key, row.profile.key, name);
  }
  assert.deepEqual([...listed.keys()].sort(), ROWS.map(([name]) => name).sort());
});

Deno.test("mspe-run mock takes --state and --log-requests from where deno task was started", async () => {
  const { fromStartFolder } = await import("../lib/cli/commands/mock.ts");
  const at = (env: Record<string, string>) => ({ ...denoIo(), env: (name: string) => env[name] });
  const args = ["--state", "fleet.json", "--log-requests=log.ndjson", "--port", "0"];
  const moved = fromStartFolder(args, at({ INIT_CWD: "/home/ops" }) as CliIo);
  const separator = Deno.build.os === "windows" ? "\\" : "/";
  assert.deepEqual(moved, [
    "--state",
    `/home/ops${separator}fleet.json`,
    `--log-requests=/home/ops${separator}log.ndjson`,
    "--port",
    "0",
  ]);
  // Outside deno task (no INIT_CWD) the paths stay as given.
  assert.deepEqual(fromStartFolder(args, at({}) as CliIo), args);
});
