/**
 * Profiles: where the config file is on each system (a pure function, tested with Windows inputs),
 * reading it (damaged files, a refused password, BOM and UTF-16), the precedence flag > MSPE_
 * variable > profile > default, `--profile` before the command, and `mspe-run profile
 * add|list|show|remove` in process, including pinning the certificate `add` sees.
 */

import assert from "node:assert/strict";
import { hoistLeadingFlags } from "../lib/cli/args.ts";
import { UsageError } from "../lib/cli/usage_error.ts";
import { serveMock } from "../lib/mock/mod.ts";
import { CA_PEM_PATH, ROOT } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { chooseProfile, configPath, parseConfig } from "../lib/cli/settings/config.ts";

Deno.test("configPath: MSPE_CONFIG, then the system's place", () => {
  const at = (os: string, env: Record<string, string>) => configPath(os, (name) => env[name]);
  assert.equal(
    at("windows", { APPDATA: "C:\\Users\\ops\\AppData\\Roaming", HOME: "/ignored" }),
    "C:\\Users\\ops\\AppData\\Roaming\\mspe\\config.json",
  );
  assert.equal(
    at("windows", { USERPROFILE: "C:\\Users\\ops" }),
    "C:\\Users\\ops\\AppData\\Roaming\\mspe\\config.json",
  );
  assert.equal(at("windows", {}), undefined);
  assert.equal(
    at("windows", { MSPE_CONFIG: "D:\\ops\\spe.json", APPDATA: "C:\\x" }),
    "D:\\ops\\spe.json",
  );
  assert.equal(
    at("linux", { XDG_CONFIG_HOME: "/home/ops/.cfg", HOME: "/home/ops" }),
    "/home/ops/.cfg/mspe/config.json",
  );
  // A relative XDG_CONFIG_HOME is ignored, as the XDG spec says.
  assert.equal(
    at("linux", { XDG_CONFIG_HOME: "cfg", HOME: "/home/ops" }),
    "/home/ops/.config/mspe/config.json",
  );
  assert.equal(at("darwin", { HOME: "/Users/ops" }), "/Users/ops/.config/mspe/config.json");
  assert.equal(at("linux", { MSPE_CONFIG: "/etc/mspe.json", HOME: "/h" }), "/etc/mspe.json");
  assert.equal(at("linux", { MSPE_CONFIG: " ", HOME: "/h" }), "/h/.config/mspe/config.json");
});

Deno.test("parseConfig: one line naming the file and the problem", () => {
  const problem = (text: string) => {
    try {
      parseConfig(text, "/etc/mspe.json");
    } catch (error) {
      assert.ok(error instanceof UsageError);
      assert.ok(!error.message.includes("\n"), error.message);
      assert.ok(error.message.startsWith("The config file /etc/mspe.json "), error.message);
      return error.message;
    }
    assert.fail("no error");
  };
  assert.match(problem('{"profiles": {"a": {"host": "x",}}}'), /is not valid JSON/);
  assert.match(problem("[]"), /is not a JSON object/);
  assert.match(problem('{"profile": {}}'), /unknown top-level key "profile"/);
  const password = problem('{"profiles": {"prod": {"host": "x", "password": "hunter2"}}}');
  assert.match(password, /password in profile "prod": passwords are never kept/);
  assert.ok(!password.includes("hunter2"));
  assert.match(problem('{"profiles": {"a": {"hots": "x"}}}'), /"hots" .*Did you mean host\?/);
  assert.match(problem('{"profiles": {"a": {"port": "8474"}}}'), /port .*positive whole number/);
  assert.deepEqual(parseConfig("", "x").profiles, {});
  const config = parseConfig('{"profiles": {"default": {"host": "a"}, "b": {"host": "b"}}}', "f");
  const loaded = { path: "f", exists: true, config };
  assert.equal(chooseProfile(loaded, undefined)?.name, "default");
  assert.equal(chooseProfile(loaded, undefined)?.named, false);
  assert.equal(chooseProfile(loaded, "b")?.profile.host, "b");
  assert.throws(() => chooseProfile(loaded, "c"), /No profile "c" in f\. .*Profiles: default, b/);
  assert.equal(chooseProfile({ ...loaded, config: { profiles: {} } }, undefined), undefined);
});

function encodeUtf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set([0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    bytes[2 + i * 2] = code & 0xff;
    bytes[3 + i * 2] = code >> 8;
  }
  return bytes;
}

Deno.test("mspe-run with profiles", async (t) => {
  await using mock = await serveMock({});
  const dir = await Deno.makeTempDir({ prefix: "mspe-profile-test-" });
  const config = `${dir}/config.json`;
  const ca = `${ROOT}${CA_PEM_PATH}`;
  const write = (profiles: Record<string, unknown>) =>
    Deno.writeTextFile(config, JSON.stringify({ profiles }));
  const base = { MSPE_CONFIG: config, MSPE_PASSWORD: "admin" };
  const server = { host: "127.0.0.1", port: mock.port, caCert: ca };
  const ping = (args: string[], env: Record<string, string> = {}) =>
    runCliInProcess([...args, "call", "Ping"].filter((a) => a !== ""), {
      env: { ...base, ...env },
    });

  try {
    await t.step("--profile before the command; MSPE_PROFILE; the default profile", async () => {
      await write({
        prod: { ...server, username: "admin" },
        default: { ...server, username: "admin", format: "list" },
      });
      const named = await runCliInProcess(
        ["--profile", "prod", "call", "GetInstances", "instanceFilter=*"],
        {
          env: base,
        },
      );
      assert.equal(named.code, 0, named.stderr);
      assert.equal(JSON.parse(named.stdout).length, 3);
      const fromEnv = await ping([], { MSPE_PROFILE: "prod" });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      // No profile named: the default one applies, with its format (list, not piped json).
      const fallback = await runCliInProcess(["call", "GetEnvironmentInfo"], { env: base });
      assert.equal(fallback.code, 0, fallback.stderr);
      assert.throws(() => JSON.parse(fallback.stdout));
      assert.match(fallback.stdout, /^\w+ +: /m);
    });

    await t.step("precedence: flag, then MSPE_ variable, then profile, then default", async () => {
      await write({ p: { ...server, username: "nobody" } });
      // The profile's user is wrong: the variable wins over it, the flag over the variable.
      const profileOnly = await ping(["--profile", "p"]);
      assert.equal(profileOnly.code, 3, profileOnly.stderr);
      const env = await ping(["--profile", "p"], { MSPE_USERNAME: "admin" });
      assert.equal(env.code, 0, env.stderr);
      const flag = await ping(["--profile", "p", "--username", "nobody"], {
        MSPE_USERNAME: "admin",
      });
      assert.equal(flag.code, 3, flag.stderr);
      // Port: the profile's beats the default (8474, where nothing listens); a wrong variable
      // beats the profile; the flag beats the variable.
      const wrongPort = { MSPE_USERNAME: "admin", MSPE_PORT: "1" };
      const viaEnv = await ping(["--profile", "p"], wrongPort);
      assert.notEqual(viaEnv.code, 0);
      const viaFlag = await ping(["--profile", "p", "--port", String(mock.port)], wrongPort);
      assert.equal(viaFlag.code, 0, viaFlag.stderr);
      // A bad value names where it came from.
      const bad = await ping(["--profile", "p"], { MSPE_USERNAME: "admin", MSPE_PORT: "x" });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /It comes from MSPE_PORT\./);
    });

    await t.step(
      "an unknown profile, a damaged file, a password in it: exit 2, one line",
      async () => {
        await write({ prod: server });
        const unknown = await ping(["--profile", "prdo"]);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /No profile "prdo" in .*Did you mean prod\?/);
        await Deno.writeTextFile(config, '{"profiles": {"prod": {"host": "x"');
        const damaged = await ping([], { MSPE_USERNAME: "admin" });
        assert.equal(damaged.code, 2, damaged.stderr);
        assert.equal(damaged.stderr.trimEnd().split("\n").length, 1);
        assert.ok(damaged.stderr.includes(`The config file ${config} is not valid JSON`));
        await write({ prod: { ...server, password: "hunter2" } });
        const password = await ping(["--profile", "prod"]);
        assert.equal(password.code, 2);
        assert.match(password.stderr, /passwords are never kept in the config file/);
        assert.ok(!password.stderr.includes("hunter2"));
      },
    );

    await t.step("a config file saved by Windows tools: UTF-8 BOM and UTF-16", async () => {
      const text = JSON.stringify({ profiles: { w: { ...server, username: "admin" } } });
      await Deno.writeTextFile(config, `\uFEFF${text}`);
      assert.equal((await ping(["--profile", "w"])).code, 0);
      await Deno.writeFile(config, encodeUtf16le(text));
      const utf16 = await ping(["--profile", "w"]);
      assert.equal(utf16.code, 0, utf16.stderr);
    });

    await t.step("profile add pins the certificate it sees; list, show, remove", async () => {
      await Deno.remove(config);
      const addArgs = [
        "profile",
        "add",
        "lab",
        "--host",
        "127.0.0.1",
        "--port",
        String(mock.port),
        "--username",
        "admin",
      ];
      // No terminal to ask on and no --yes: not saved.
      const refused = await runCliInProcess(addArgs, { env: base });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /SHA-256 [0-9A-F:]{95}/);
      assert.match(refused.stderr, /not pinned\. Add --yes/);
      await assert.rejects(() => Deno.stat(config), Deno.errors.NotFound);

      const added = await runCliInProcess([...addArgs, "--yes"], { env: base });
      assert.equal(added.code, 0, added.stderr);
      const saved = JSON.parse(await Deno.readTextFile(config));
      const fingerprint = mock.certificate!.sha256;
      assert.equal(saved.profiles.lab.pinSha256, fingerprint);
      assert.match(added.stderr, new RegExp(`Pinned the certificate with SHA-256 ${fingerprint}`));
      assert.deepEqual(Object.keys(saved.profiles.lab).sort(), [
        "host",
        "pinSha256",
        "port",
        "username",
      ]);
      assert.equal((await ping(["--profile", "lab"])).code, 0, "the pin works");

      // Every command that connects takes the profile, before or after the command: tls-info
      // looks at the profile's server and says whether the profile's pin matches.
      for (
        const args of [
          ["--profile", "lab", "tls-info", "--format", "list"],
          ["tls-info", "--profile", "lab", "--verbose", "--username", "x", "--format", "list"],
        ]
      ) {
        const info = await runCliInProcess(args, { env: base });
        assert.equal(info.code, 0, info.stderr);
        assert.ok(info.stdout.includes(`${mock.port}`), info.stdout);
        assert.match(info.stdout, /The pin given .* matches this certificate\./);
      }
      const otherPin = await runCliInProcess(
        ["tls-info", "--profile", "lab", "--pin-sha256", "AB".repeat(32), "--format", "list"],
        { env: base },
      );
      assert.match(otherPin.stdout, /does NOT match this certificate/);
      const shown = await runCliInProcess([
        "--profile",
        "lab",
        "profile",
        "show",
        "--format",
        "json",
      ], {
        env: base,
      });
      assert.equal(JSON.parse(shown.stdout).name, "lab", shown.stderr);

      const withCa = await runCliInProcess(
        ["profile", "add", "ca", "--host", "127.0.0.1", "--port", String(mock.port)]
          .concat(["--ca-cert", ca]),
        { env: base },
      );
      assert.equal(withCa.code, 0, withCa.stderr);
      assert.match(withCa.stderr, /trusted; no pin is needed/);

      const list = await runCliInProcess(["profile", "list", "--format", "json"], { env: base });
      assert.deepEqual(JSON.parse(list.stdout).map((row: { name: string }) => row.name), [
        "lab",
        "ca",
      ]);
      const show = await runCliInProcess(["profile", "show", "lab", "--format", "json"], {
        env: base,
      });
      assert.equal(JSON.parse(show.stdout).pinSha256, fingerprint);
      const again = await runCliInProcess([...addArgs, "--no-check"], { env: base });
      assert.equal(again.code, 2, "an existing profile is replaced only with --yes");
      const removed = await runCliInProcess(["profile", "remove", "lab"], { env: base });
      assert.equal(removed.code, 0, removed.stderr);
      assert.deepEqual(Object.keys(JSON.parse(await Deno.readTextFile(config)).profiles), ["ca"]);
      const gone = await runCliInProcess(["profile", "remove", "lab"], { env: base });
      assert.equal(gone.code, 2);
      assert.match(gone.stderr, /No profile "lab"/);
    });

    await t.step("profile add refuses a password and stdin as the password file", async () => {
      const password = await runCliInProcess(["profile", "add", "x", "--password", "hunter2"], {
        env: base,
      });
      assert.equal(password.code, 2);
      assert.ok(!password.stderr.includes("hunter2"));
      const stdin = await runCliInProcess([
        "profile",
        "add",
        "x",
        "--password-file",
        "-",
        "--no-check",
      ], {
        env: base,
      });
      assert.equal(stdin.code, 2);
      assert.match(stdin.stderr, /- \(stdin\) cannot be kept/);
    });

    await t.step(
      "profile add checks --timeout and --concurrency as the commands that use them do",
      async () => {
        const bad = await runCliInProcess(
          ["profile", "add", "x", "--host", "127.0.0.1", "--timeout", "abc"],
          {
            env: base,
          },
        );
        assert.equal(bad.code, 2, bad.stderr);
        assert.match(bad.stderr, /^error: --timeout "abc" is not a number of seconds\./m);
        // Nor does it save a concurrency that call and report would refuse.
        const many = await runCliInProcess([
          "profile",
          "add",
          "x",
          "--concurrency",
          "5000",
          "--no-check",
        ], {
          env: base,
        });
        assert.equal(many.code, 2, many.stderr);
        assert.match(many.stderr, /--concurrency "5000" is not a whole number from 1 to 1000/);
      },
    );

    await t.step(
      "a bad bound from MSPE_CONCURRENCY or a hand-edited profile names where it comes from",
      async () => {
        await write({ fleet: { ...server, username: "admin", concurrency: 5000 } });
        const fleet = ["call", "GetUsers", "--instances", "*", "--format", "json"];
        const fromProfile = await runCliInProcess(["--profile", "fleet", ...fleet], { env: base });
        assert.equal(fromProfile.code, 2, fromProfile.stderr);
        assert.match(
          fromProfile.stderr,
          /^error: --concurrency "5000" is not a whole number from 1 to 1000\. It comes from profile fleet in .*config\.json\.$/m,
        );
        const fromEnv = await runCliInProcess(["--profile", "fleet", ...fleet], {
          env: { ...base, MSPE_CONCURRENCY: "5000" },
        });
        assert.equal(fromEnv.code, 2, fromEnv.stderr);
        assert.match(
          fromEnv.stderr,
          /^error: --concurrency "5000" is not a whole number from 1 to 1000\. It comes from MSPE_CONCURRENCY\.$/m,
        );
        // The flag wins over both, and is checked the same way.
        const fromFlag = await runCliInProcess([
          "--profile",
          "fleet",
          ...fleet,
          "--concurrency",
          "2",
        ], {
          env: { ...base, MSPE_CONCURRENCY: "3" },
        });
        assert.equal(fromFlag.code, 0, fromFlag.stderr);
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("flags before the command: moved after it; others refused with one line", async () => {
  const flags = {
    host: { type: "string", help: "" },
    verbose: { type: "boolean", help: "" },
  } as const;
  assert.deepEqual(
    hoistLeadingFlags(["--host", "spe1", "--verbose", "call", "Ping", "--host", "spe2"], flags),
    ["call", "--host", "spe1", "--verbose", "Ping", "--host", "spe2"],
  );
  assert.deepEqual(hoistLeadingFlags(["--host=spe1", "watch", "t"], flags), [
    "watch",
    "--host=spe1",
    "t",
  ]);
  assert.deepEqual(hoistLeadingFlags(["call", "--host", "x"], flags), ["call", "--host", "x"]);
  assert.throws(() => hoistLeadingFlags(["--host"], flags), /--host needs a value/);
  assert.throws(() => hoistLeadingFlags(["--verbose"], flags), /Name a command after the flags/);
  assert.throws(
    () => hoistLeadingFlags(["--hots", "x", "call"], flags),
    /--hots cannot come before the command\. Did you mean --host\?/,
  );
  assert.throws(
    () => hoistLeadingFlags(["--password", "hunter2", "call"], flags),
    (error: Error) =>
      /--password is not accepted/.test(error.message) &&
      !error.message.includes("hunter2"),
  );

  const cases: [string[], number, RegExp][] = [
    [["--no-wait", "call", "Ping"], 2, /^error: --no-wait cannot come before the command/],
    [["--format", "json", "--help"], 0, /^mspe-run /],
    [["--format", "json", "call", "--help"], 0, /Call any API function/],
  ];
  for (const [args, code, pattern] of cases) {
    const result = await runCliInProcess(args);
    assert.equal(result.code, code, result.stderr);
    assert.match(code === 0 ? result.stdout : result.stderr, pattern);
  }
});
