/**
 * Help for every function (all 122 SPE and 89 MailStore Server functions, rendered by one
 * in-process run per product with `functions --full`), `help <Function>` and `call <Function> --help`,
 * wildcards and groups, the command table against the commands it loads, PowerShell forms beside
 * every POSIX-only example in the help texts and the README, `deno task mspe-run`, the documented
 * `deno install` command, and the LICENSE.
 */

import { dirname } from "node:path";
import assert from "node:assert/strict";
import { catalog } from "../lib/catalog.ts";
import { COMMANDS } from "../lib/cli/main.ts";
import type { Product } from "../lib/metadata.ts";
import { mockFlags, ROOT } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { exampleCommand } from "../lib/cli/help/function_help.ts";
import { serveMock } from "../lib/mock/mod.ts";

/** The help blocks of `functions --full`, by function name. */
function blocks(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const block of text.split(/^(?=NAME\n)/m)) {
    const name = /^NAME\n {4}(\S+)/.exec(block)?.[1];
    if (name) found.set(name, block);
  }
  return found;
}

for (const [product, count] of [["spe", 122], ["server", 89]] as const) {
  Deno.test(`help renders for every one of the ${count} ${product} functions`, async () => {
    const { code, stdout, stderr } = await runCliInProcess([
      "functions",
      "--offline",
      "--full",
      "--product",
      product,
      "--format",
      "list",
    ]);
    assert.equal(code, 0, stderr);
    const helps = blocks(stdout);
    const functions = catalog(product as Product);
    assert.equal(functions.length, count);
    assert.equal(helps.size, count);
    for (const fn of functions) {
      const help = helps.get(fn.name);
      assert.ok(help, fn.name);
      for (const section of ["DESCRIPTION", "SYNTAX", "ARGUMENTS", "RESULT", "EXAMPLE"]) {
        assert.match(help, new RegExp(`^${section}$`, "m"), `${fn.name}: ${section}`);
      }
      assert.equal(/Long-running:/.test(help), fn.longRunning, `${fn.name}: long-running`);
      assert.equal(/Destructive:/.test(help), fn.destructive !== undefined, `${fn.name}`);
      for (const arg of fn.args) {
        const mandatory = arg.nullable ? "Optional" : "Mandatory";
        assert.ok(help.includes(`    ${arg.name} <${arg.type}>  ${mandatory}`), arg.name);
        // Allowed values and json fields are all there (wrapping may split a long list).
        const flat = help.replace(/\s+/g, " ");
        if (arg.enums) assert.ok(flat.includes(`One of: ${arg.enums.join(", ")}.`), arg.name);
        for (const field of Object.keys(arg.fields ?? {})) {
          assert.match(help, new RegExp(`^ +${field}: `, "m"), `${fn.name} ${arg.name}.${field}`);
        }
      }
      // The example: PowerShell first, then POSIX, each with every mandatory argument; a secret
      // only ever from stdin or a file.
      const example = help.slice(help.indexOf("EXAMPLE\n"));
      const [powershell = "", posix = ""] = example.split("sh, bash, zsh:");
      assert.match(powershell, /PowerShell:/);
      for (const [form, text] of [["PowerShell", powershell], ["POSIX", posix]] as const) {
        assert.ok(text.includes(`mspe-run call ${fn.name}`), `${fn.name} ${form}`);
        for (const arg of fn.args.filter((a) => !a.nullable)) {
          assert.match(text, new RegExp(`\\b${arg.name}=`), `${fn.name} ${form}: ${arg.name}`);
          if (arg.secret) assert.match(text, new RegExp(`\\b${arg.name}=@`), fn.name);
        }
        if (product === "server") assert.match(text, /--product server/, fn.name);
      }
    }
  });
}

Deno.test("examples are ready to run: no placeholder for dates, time zones or recipients, and they run against the mock", async () => {
  // In this order: CreateUser's example makes the user that RenameUser's renames.
  const functions = [
    "GetWorkerResults",
    "GetJobResults",
    "SendStatusReport",
    "CreateUser",
    "RenameUser",
  ];
  await using mock = await serveMock({ problems: "none" });
  for (const name of functions) {
    const fn = catalog("spe").find((candidate) => candidate.name === name)!;
    const { posix } = exampleCommand(fn, "spe");
    const line = posix.at(-1)!;
    assert.doesNotMatch(line, /=my[A-Z]/, line);
    // The POSIX form needs no quoting here: its words are the arguments.
    const [program, ...args] = line.split(" ");
    assert.equal(program, "mspe-run");
    const result = await runCliInProcess([...args, ...mockFlags(mock.port)], {
      env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" },
    });
    assert.equal(result.code, 0, `${line}\n${result.stderr}`);
  }
  // An instance's configuration in the form SPE reports it, not as placeholders.
  for (const name of ["CreateInstance", "SetInstanceConfiguration"]) {
    const fn = catalog("spe").find((candidate) => candidate.name === name)!;
    const line = exampleCommand(fn, "spe").posix.at(-1)!;
    assert.doesNotMatch(line, /"my[A-Z]/, line);
    assert.match(line, /"startMode":"automatic"/, line);
  }
});

Deno.test("help <Function>, call <Function> --help and functions <Function> agree", async () => {
  const reference = await runCliInProcess(["help", "CreateInstance"]);
  assert.equal(reference.code, 0, reference.stderr);
  // The catalogue's ten fields of config, and the long-running note.
  for (
    const field of [
      "instanceID",
      "alias",
      "displayName",
      "instanceHost",
      "startMode",
      "baseDirectory",
      "debugLogEnabled",
      "imapServerConnectionLogEnabled",
      "vssWriterEnabled",
      "vssWriterExcludeIndexes",
    ]
  ) assert.match(reference.stdout, new RegExp(`^ {10}${field}: (string|bool)$`, "m"), field);
  assert.match(reference.stdout, /Long-running:/);
  const viaCall = await runCliInProcess(["call", "CreateInstance", "--help"]);
  assert.equal(viaCall.stdout, reference.stdout);
  const viaFunctions = await runCliInProcess([
    "functions",
    "CreateInstance",
    "--offline",
    "--format",
    "list",
  ]);
  assert.equal(viaFunctions.stdout, reference.stdout);
  // Without a function name, call --help is the command's own help.
  const callHelp = await runCliInProcess(["call", "--help"]);
  assert.match(callHelp.stdout, /^Usage:\n {2}mspe-run call <Function>/m);
  // Known result fields; a MailStore Server-only function is found without --product.
  const users = await runCliInProcess(["help", "GetUsers"]);
  assert.match(users.stdout, /RESULT\n {4}A list of objects with these fields:\n {6}userName /);
  const serverOnly = await runCliInProcess(["help", "GetServerInfo"]);
  assert.match(serverOnly.stdout, /\(MailStore Server/);
  assert.match(serverOnly.stdout, /machineName +string/);
});

Deno.test("help and functions: mistakes say what to do", async () => {
  const unknown = await runCliInProcess(["help", "GetUser"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown function "GetUser"\. Did you mean GetUsers/);
  const command = await runCliInProcess(["help", "calll"]);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /Did you mean call\?/);
  const viaCall = await runCliInProcess(["call", "GetUser", "--help"]);
  assert.equal(viaCall.code, 2);
  const group = await runCliInProcess(["functions", "--offline", "--group", "userz"]);
  assert.equal(group.code, 2);
  assert.match(group.stderr, /No group "userz".*Did you mean users\?/);
  const product = await runCliInProcess(["help", "GetUsers", "--product", "exchange"]);
  assert.equal(product.code, 2);
  assert.match(product.stderr, /--product takes spe or server/);
});

Deno.test("functions <wildcard> and --group list the matches", async () => {
  const json = async (...args: string[]) => {
    const { code, stdout, stderr } = await runCliInProcess(["functions", "--offline", ...args]);
    assert.equal(code, 0, stderr);
    return (JSON.parse(stdout) as { name: string; group: string }[]);
  };
  const spe = catalog("spe");
  const users = await json("*User*", "--format", "json");
  assert.deepEqual(
    users.map((f) => f.name),
    spe.filter((f) => /user/i.test(f.name)).map((f) => f.name).sort((a, b) => a.localeCompare(b)),
  );
  assert.ok(users.some((f) => f.name === "GetUsers") && users.some((f) => f.name === "CreateUser"));
  // Case-insensitive, like Get-Help; ? is one character.
  const gets = await json("get*", "--format", "json");
  assert.ok(gets.length > 20 && gets.every((f) => f.name.startsWith("Get")));
  assert.deepEqual((await json("GetUser?", "--format", "json")).map((f) => f.name), ["GetUsers"]);
  const group = await json("--group", "users", "--format", "json");
  assert.ok(group.length > 5 && group.every((f) => f.group === "users"));
  assert.deepEqual(
    (await json("Get*", "--group", "Users", "--format", "json")).map((f) => f.name),
    ["GetUserInfo", "GetUsers"],
  );
  // No match: an empty list and a note, not an error.
  const none = await runCliInProcess([
    "functions",
    "--offline",
    "*Frobnicate*",
    "--format",
    "json",
  ]);
  assert.equal(none.code, 0);
  assert.deepEqual(JSON.parse(none.stdout), []);
  assert.match(none.stderr, /No function on MailStore SPE matches \*Frobnicate\*/);
});

Deno.test("the command table matches the commands it loads", async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, entry.name);
    assert.ok(entry.synopsis.startsWith(entry.name), entry.name);
  }
});

/** POSIX-shell-only syntax: `$(...)`, `VAR=value cmd`, `< file`, `export`, `"$var"`. */
const POSIX_ONLY = /\$\(|^[A-Z_]+=\S* |\s<\s*[^\s>]+$|^export |"\$\w+"/;

Deno.test("every POSIX-only example in --help has a PowerShell form before it", async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    let label = "";
    let previousLabel = "";
    for (const line of command.examples) {
      if (line.startsWith("#")) {
        previousLabel = label;
        label = line;
        continue;
      }
      const posixGroup = /\b(sh|bash|zsh|POSIX)\b/.test(label);
      if (POSIX_ONLY.test(line)) {
        assert.ok(posixGroup, `${entry.name}: "${line}" needs a "# sh, bash, zsh" label`);
        assert.match(
          previousLabel,
          /PowerShell/,
          `${entry.name}: a PowerShell form before "${line}"`,
        );
      }
      if (/PowerShell/.test(label)) {
        assert.doesNotMatch(line, POSIX_ONLY, `${entry.name}: ${line}`);
        // PowerShell reads <word> as a redirection: placeholders must look otherwise there.
        assert.doesNotMatch(line.replace(/#.*$/, ""), /(^|\s)<[^\s>]+>/, `${entry.name}: ${line}`);
      }
    }
  }
});

Deno.test("README: every POSIX-only code block follows a PowerShell one", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  let lastPowerShell = -1;
  let lastHeading = -1;
  for (const match of readme.matchAll(/^(#{1,4} .*|```(\w*)\n([\s\S]*?)^```)/gm)) {
    const at = match.index ?? 0;
    if (match[1]!.startsWith("#")) {
      lastHeading = at;
      continue;
    }
    const [language, body] = [match[2], match[3] ?? ""];
    if (language === "powershell") {
      lastPowerShell = at;
      for (const line of body.split("\n")) {
        assert.doesNotMatch(line.replace(/#.*$/, ""), /(^|\s)<[^\s>]+>/, `PowerShell: ${line}`);
      }
    }
    if (language !== "sh") continue;
    const posixOnly = body.split("\n").filter((line) => POSIX_ONLY.test(line.replace(/#.*$/, "")));
    if (posixOnly.length === 0) continue;
    assert.ok(
      lastPowerShell > lastHeading,
      `a powershell block before this sh block in its section: ${posixOnly[0]}`,
    );
  }
  // The things a Windows admin looks for.
  for (
    const text of [
      "ConvertFrom-Json",
      "Read-Host",
      "-AsSecureString",
      "Get-Content",
      "$env:MSPE_PASSWORD",
      "Register-ScheduledTask",
      "Register-ArgumentCompleter",
      "$PROFILE",
    ]
  ) assert.ok(readme.includes(text), text);
});

Deno.test("deno task mspe-run runs the CLI from the clone", async () => {
  // A subprocess: the task in deno.json is what is tested.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "mspe-run", "--version"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(new TextDecoder().decode(stdout), /^mspe-run \d+\.\d+\.\d+ \(Deno /);
});

Deno.test("README: the deno install command grants the mspe-run permission set, and works", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(config.exports["./cli"], "./scripts/mspe_run.ts");
  const set: Record<string, boolean | string[]> = config.permissions["mspe-run"];
  // Deno 2.9.6 takes sys "ca" in a permission set but not as --allow-sys=ca: the line grants sys.
  const flags = Object.entries(set).map(([name, value]) =>
    value === true || name === "sys"
      ? `--allow-${name}`
      : `--allow-${name}=${(value as string[]).join(",")}`
  );
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const block = /<!-- install-command -->\s*```\w*\n(.*)\n```\s*<!-- \/install-command -->/.exec(
    readme,
  )?.[1];
  assert.ok(block, "README has the install command between its markers");
  // The last word is the package's ./cli export on JSR: the registry scheme, then @scope/name/cli.
  const [specifier, ...command] = block.split(" ").reverse();
  assert.equal(command.reverse().join(" "), `deno install -g -f -n mspe-run ${flags.join(" ")}`);
  const [scheme, path] = specifier!.split(/:(.*)/, 2);
  assert.equal(scheme, "jsr");
  assert.equal(path, `${config.name}/cli`);
  // Run as written, with the local entrypoint for JSR (not reachable here) and a root of its own.
  const root = await Deno.makeTempDir();
  try {
    const [, ...args] = command;
    const install = await new Deno.Command(Deno.execPath(), {
      args: [...args.slice(0, 1), "--root", root, ...args.slice(1), `${ROOT}scripts/mspe_run.ts`],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(install.code, 0, new TextDecoder().decode(install.stderr));
    const installed = `${root}/bin/mspe-run${Deno.build.os === "windows" ? ".cmd" : ""}`;
    // The installed launcher runs `deno` from PATH: the deno running these tests.
    const separator = Deno.build.os === "windows" ? ";" : ":";
    const version = await new Deno.Command(installed, {
      args: ["--version"],
      env: { PATH: `${dirname(Deno.execPath())}${separator}${Deno.env.get("PATH") ?? ""}` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(version.code, 0, new TextDecoder().decode(version.stderr));
    assert.match(new TextDecoder().decode(version.stdout), /^mspe-run \d+\.\d+\.\d+ \(Deno /);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("LICENSE: MIT, as deno.json says", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  assert.equal(config.license, "MIT");
  const license = await Deno.readTextFile(`${ROOT}LICENSE`);
  assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 the mspe authors\n/);
});

Deno.test("README and docs point only at files that are in the repository", async () => {
  for (const doc of ["README.md", "lib/mock/README.md", "bench/README.md"]) {
    const text = await Deno.readTextFile(`${ROOT}${doc}`);
    // Paths into the repository's folders, and any Markdown file named.
    const named = [
      ...text.matchAll(/\b((?:lib|scripts|tests|bench|\.ci)\/[\w./-]*\w)/g),
      ...text.matchAll(/\b([\w-]+\.md)\b/g),
    ].map((match) => match[1]!);
    for (const path of new Set(named)) {
      const candidates = [path, `${doc.replace(/[^/]*$/, "")}${path}`];
      const exists = candidates.some((candidate) => {
        try {
          Deno.statSync(`${ROOT}${candidate}`);
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(exists, `${doc} names ${path}, which is not in the repository`);
    }
  }
});
