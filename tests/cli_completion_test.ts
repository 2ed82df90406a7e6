/**
 * Tab completion: `mspe-run __complete` (the one engine, in process), and the bash and zsh scripts
 * of `mspe-run completion` run in the real shells against an `mspe-run` on PATH (a wrapper around
 * `deno run -P=mspe-run scripts/mspe_run.ts`). The shells' completion variables are set as the
 * shell sets them when Tab is pressed (bash splits `name=value` at `=`), and zsh's `compadd` is
 * replaced by a function that prints what it is given. fish completes with its own `complete -C`,
 * which runs the script's function as Tab would (`.ci/run` installs zsh and fish on Debian). The
 * PowerShell script runs where `pwsh` is installed; elsewhere that test is skipped and says why.
 */

import assert from "node:assert/strict";
import { DENO_RUN_ARGS, ROOT } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

const WINDOWS = Deno.build.os === "windows";
/** PATH's separator: `;` on Windows, where `:` follows each drive letter. */
const PATH_SEPARATOR = WINDOWS ? ";" : ":";

function which(program: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(PATH_SEPARATOR)) {
    for (const name of WINDOWS ? [`${program}.exe`, program] : [program]) {
      try {
        if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
      } catch {
        // Not in this directory.
      }
    }
  }
  return undefined;
}

/**
 * Why the bash, zsh and fish scripts are not run on Windows: those shells are not Windows
 * programs (Git Bash and WSL are other systems' shells, with their own paths); the PowerShell
 * script is the one for Windows, and the engine all scripts call (`__complete`) runs everywhere.
 */
const NO_POSIX_SHELLS = WINDOWS;

const ZSH = which("zsh");
const FISH = which("fish");
const PWSH = which("pwsh");

/** What runs mspe-run from this clone: deno and its arguments. */
const MSPE_RUN = [...DENO_RUN_ARGS, "--config", `${ROOT}deno.json`, `${ROOT}scripts/mspe_run.ts`];

/**
 * A directory with an `mspe-run` wrapper (a shell script; `mspe-run.cmd` on Windows, which
 * PowerShell finds through PATHEXT) and a config file with two profiles.
 */
async function setup(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await Deno.makeTempDir();
  const deno = Deno.execPath();
  if (WINDOWS) {
    await Deno.writeTextFile(
      `${dir}\\mspe-run.cmd`,
      `@"${deno}" ${MSPE_RUN.map((a) => `"${a}"`).join(" ")} %*\r\n`,
    );
  } else {
    await Deno.writeTextFile(
      `${dir}/mspe-run`,
      `#!/bin/sh\nexec '${deno}' ${MSPE_RUN.map((a) => `'${a}'`).join(" ")} "$@"\n`,
      { mode: 0o755 },
    );
  }
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify({ profiles: { prod: { host: "spe1.example.com" }, lab: { port: 9474 } } }),
  );
  const env: Record<string, string> = {
    PATH: `${dir}${PATH_SEPARATOR}${Deno.env.get("PATH") ?? ""}`,
    HOME: dir,
    MSPE_CONFIG: `${dir}/config.json`,
    NO_COLOR: "1",
  };
  for (const name of ["DENO_DIR", "XDG_CACHE_HOME", "SYSTEMROOT", "LOCALAPPDATA"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  // deno's cache is under the real HOME unless DENO_DIR says otherwise.
  const home = Deno.env.get("HOME");
  if (home !== undefined) env.DENO_DIR ??= `${home}/.cache/deno`;
  return { dir, env };
}

/** Runs `run` with a fresh {@linkcode setup}, and removes its directory afterwards. */
async function withSetup(
  run: (setup: { dir: string; env: Record<string, string> }) => Promise<void>,
): Promise<void> {
  const made = await setup();
  try {
    await run(made);
  } finally {
    await Deno.remove(made.dir, { recursive: true });
  }
}

async function shell(
  program: string,
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args,
    env,
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `${text}\n${new TextDecoder().decode(stderr)}`);
  return text;
}

/**
 * The completion script for `name`, as `mspe-run completion` prints it: deno runs mspe-run
 * directly (a wrapper is a shell script or a .cmd file, which Deno.Command does not start alike).
 */
async function script(name: string, env: Record<string, string>): Promise<string> {
  return await shell(Deno.execPath(), [...MSPE_RUN, "completion", name], env);
}

/** One case: the command line up to the cursor and what must (and must not) be offered. */
interface Case {
  line: string;
  want: string[];
  exactly?: boolean;
  nospace?: boolean;
}

const CASES: Case[] = [
  { line: "mspe-run ca", want: ["call", "cancel"], exactly: true },
  { line: "mspe-run call GetUs", want: ["GetUserInfo", "GetUsers"], exactly: true },
  { line: "mspe-run call GetUsers ", want: ["instanceID="], exactly: true, nospace: true },
  {
    line: "mspe-run call SetStoreRequestedState instanceID=acme id=1 requestedState=wr",
    want: ["requestedState=writeProtected"],
    exactly: true,
  },
  { line: "mspe-run call GetUsers --format ", want: ["list", "table", "json", "ndjson", "csv"] },
  { line: "mspe-run functions --group us", want: ["users"], exactly: true },
  { line: "mspe-run call GetUsers --no-w", want: ["--no-wait"], exactly: true },
  { line: "mspe-run help CreateIn", want: ["CreateInstance", "CreateInstanceHost"] },
  { line: "mspe-run call GetUsers --profile ", want: ["prod", "lab"], exactly: true },
  { line: "mspe-run --profile prod call GetUs", want: ["GetUserInfo", "GetUsers"], exactly: true },
];

/** bash splits a word at `=` (COMP_WORDBREAKS); the words as bash gives them to the function. */
function bashWords(line: string): string[] {
  const words = line.split(" ").flatMap((word) => {
    const at = word.indexOf("=");
    return at < 0 || word.startsWith("-") && !word.includes("=")
      ? [word]
      : [word.slice(0, at), "=", word.slice(at + 1)].filter((part, i) => i !== 2 || part !== "");
  });
  return words;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `mspe-run __complete <words>` in process (the engine; the scripts run in the shells below). */
async function complete(env: Record<string, string>, words: string[]): Promise<string[]> {
  const { code, stdout, stderr } = await runCliInProcess(["__complete", ...words], { env });
  assert.equal(code, 0, `${stdout}\n${stderr}`);
  return stdout.split("\n").filter(Boolean);
}

Deno.test("__complete: commands, functions, argument names and values, flags, profiles", async () => {
  await withSetup(async ({ env }) => {
    const run = (...words: string[]) => complete(env, words);
    assert.deepEqual(await run("call", "GetUs"), ["GetUserInfo", "GetUsers"]);
    assert.deepEqual(await run("call", "CreateUser", "privileges=login,adm"), [
      "privileges=login,admin",
    ]);
    assert.ok((await run("call", "GetUsers", "--pro")).includes("--product"));
    // --product narrows the function names to that product's.
    assert.deepEqual(await run("call", "--product", "server", "GetServerI"), ["GetServerInfo"]);
    assert.deepEqual(await run("call", "--product", "spe", "GetServerI"), []);
    // Secrets are never offered; unknown commands complete to nothing, without an error.
    assert.deepEqual(await run("call", "CreateUser", "password="), []);
    assert.deepEqual(await run("frobnicate", ""), []);
    assert.deepEqual(await run("profile", "show", ""), ["prod", "lab"]);
    assert.deepEqual(await run("report", "h"), ["health"]);
    // Flags before the command, as `mspe-run --profile prod call ...` allows.
    assert.deepEqual(await run("--profile", ""), ["prod", "lab"]);
    assert.deepEqual(await run("--profile", "prod", "ca"), ["call", "cancel"]);
    assert.deepEqual(await run("--profile", "prod", "call", "GetUs"), ["GetUserInfo", "GetUsers"]);
    assert.deepEqual(await run("--format", "json", "call", "GetUsers", ""), ["instanceID="]);
    // PowerShell's form: every word prefixed, so that an empty word survives Windows PowerShell.
    assert.deepEqual(await run("--prefixed", "w:example", "w:"), ["1", "2", "3", "4"]);
  });
});

/** The words of "a, b or c". */
function listed(text: string): string[] {
  return text.split(/, | or /);
}

Deno.test("__complete: report formats and mock flags are the ones the commands accept", async () => {
  await withSetup(async ({ env }) => {
    const run = (...words: string[]) => complete(env, words);
    // What the command itself says it accepts, from its usage error.
    const refused = async (...args: string[]) => {
      const { code, stderr } = await runCliInProcess(args, { env });
      assert.equal(code, 2);
      return stderr;
    };
    for (const report of ["health", "usage"]) {
      const accepted = /Use --format (.*)\.$/m.exec(
        await refused("report", report, "--format", "x"),
      );
      assert.ok(accepted, report);
      assert.deepEqual(
        (await run("report", report, "--format", "")).sort(),
        listed(accepted[1]!).sort(),
        report,
      );
    }
    assert.deepEqual(await run("report", "health", "--format", "na"), ["nagios"]);
    // The mock parses its own flags: names from its usage, values from what it checks.
    for (const flag of ["product", "problems", "log-output", "cancelled-status"]) {
      const accepted = new RegExp(`--${flag} must be (.*), got`).exec(
        await refused("mock", `--${flag}`, "x"),
      );
      assert.ok(accepted, flag);
      assert.deepEqual(
        await run("mock", "--port", "0", `--${flag}`, ""),
        listed(accepted[1]!),
        flag,
      );
    }
    const mockFlags = await run("mock", "--");
    for (const flag of ["--state", "--step-ms", "--fault", "--problems", "--print-ca"]) {
      assert.ok(mockFlags.includes(flag), `${flag} in ${mockFlags}`);
    }
    assert.deepEqual(await run("mock", "--st"), ["--stores", "--state", "--step-ms", "--steps"]);
  });
});

Deno.test({
  name: "the bash, zsh and fish scripts complete in those shells",
  ignore: NO_POSIX_SHELLS,
}, async (t) => {
  await t.step("the bash script completes in bash", async () => {
    // Subprocesses: the script runs in bash and calls the mspe-run on PATH, as Tab does.
    await withSetup(async ({ env }) => {
      const lines = [await script("bash", env), "complete -p mspe-run"];
      for (const [i, c] of CASES.entries()) {
        const words = bashWords(c.line);
        if (c.line.endsWith(" ")) words.push("");
        lines.push(
          `COMP_LINE=${quote(c.line)}; COMP_POINT=${c.line.length}`,
          `COMP_WORDS=(${words.map(quote).join(" ")}); COMP_CWORD=${words.length - 1}`,
          "COMPREPLY=(); _mspe_run_complete",
          `printf 'case ${i}:%s\\n' "$(IFS='|'; echo "\${COMPREPLY[*]}")"`,
        );
      }
      const out = await shell("bash", ["--norc", "--noprofile", "-c", lines.join("\n")], env);
      assert.match(out, /^complete -o default -F _mspe_run_complete mspe-run$/m);
      for (const [i, c] of CASES.entries()) {
        const got = new RegExp(`^case ${i}:(.*)$`, "m").exec(out)?.[1]?.split("|") ?? [];
        // bash replaces only the part after the last "=": the reply is that part.
        const want = c.want.map((w) => c.line.endsWith("=") ? w : w.replace(/^[^=]*=(?=.)/, ""));
        if (c.exactly) assert.deepEqual(got, want, c.line);
        else for (const w of want) assert.ok(got.includes(w), `${c.line}: ${w} in ${got}`);
      }
    });
  });

  await t.step({
    name: "the zsh script completes in zsh",
    ignore: ZSH === undefined,
    async fn() {
      // Subprocesses: the script runs in zsh and calls the mspe-run on PATH, as Tab does.
      await withSetup(async ({ env }) => {
        const lines = [
          // compadd only works inside a completion widget: print what it is given instead.
          `compadd() { local nospace=0; while [[ "$1" == -* && "$1" != -- ]]; do [[ "$1" == -S ]] && { nospace=1; shift; }; shift; done; shift; local w; for w in "$@"; do print -r -- "cand:$nospace:$w"; done; }`,
          await script("zsh", env),
        ];
        for (const [i, c] of CASES.entries()) {
          const words = c.line.split(" ");
          lines.push(
            `print -r -- "case ${i}"`,
            `words=(${words.map(quote).join(" ")}); CURRENT=${words.length}; _mspe_run`,
          );
        }
        const out = await shell(ZSH!, ["-f", "-c", lines.join("\n")], env);
        const blocks = out.split(/^case \d+\n/m).slice(1);
        for (const [i, c] of CASES.entries()) {
          const got = (blocks[i] ?? "").split("\n").filter((l) => l.startsWith("cand:"));
          const values = got.map((l) => l.slice("cand:0:".length));
          if (c.exactly) assert.deepEqual(values.sort(), [...c.want].sort(), c.line);
          else {for (const w of c.want) {
              assert.ok(values.includes(w), `${c.line}: ${w} in ${values}`);
            }}
          if (c.nospace) assert.ok(got.every((l) => l.startsWith("cand:1:")), c.line);
          else assert.ok(got.every((l) => l.startsWith("cand:0:")), c.line);
        }
      });
    },
  });

  await t.step({
    name: "the fish script completes in fish",
    ignore: FISH === undefined,
    async fn() {
      // Subprocesses: the script runs in fish and calls the mspe-run on PATH, as Tab does.
      await withSetup(async ({ env }) => {
        // fish's single quotes escape only backslash and quote.
        const fishQuote = (text: string) =>
          `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
        const lines = [`mspe-run completion fish | source`];
        for (const [i, c] of CASES.entries()) {
          lines.push(`echo 'case ${i}'`, `complete -C ${fishQuote(c.line)}`);
        }
        const out = await shell(FISH!, ["--no-config", "-c", lines.join("\n")], env);
        const blocks = out.split(/^case \d+\n/m).slice(1);
        for (const [i, c] of CASES.entries()) {
          // Each line is a candidate, then a tab and its description (none here). fish offers the
          // whole word (it does not split name=value), and adds no space after one ending in "=".
          const got = (blocks[i] ?? "").split("\n").filter(Boolean).map((l) => l.split("\t")[0]!);
          if (c.exactly) assert.deepEqual(got.sort(), [...c.want].sort(), c.line);
          else for (const w of c.want) assert.ok(got.includes(w), `${c.line}: ${w} in ${got}`);
        }
      });
    },
  });
});

if (NO_POSIX_SHELLS) {
  console.log(
    "cli_completion_test: the bash, zsh and fish test is SKIPPED: those shells are not on Windows.",
  );
}
if (!NO_POSIX_SHELLS && FISH === undefined) {
  console.log("cli_completion_test: the fish completion test is SKIPPED: fish is not installed.");
}
if (!NO_POSIX_SHELLS && ZSH === undefined) {
  console.log("cli_completion_test: the zsh completion test is SKIPPED: zsh is not installed.");
}
if (PWSH === undefined) {
  console.log(
    "cli_completion_test: the PowerShell completion test is SKIPPED: pwsh is not installed here " +
      "(no PowerShell package in this system's registries). Where pwsh is on PATH it runs the " +
      "script's Register-ArgumentCompleter block through TabExpansion2.",
  );
}

Deno.test({
  name: "the PowerShell script completes in pwsh",
  ignore: PWSH === undefined,
  async fn() {
    // Subprocesses: the script runs in pwsh and calls the mspe-run on PATH, as Tab does.
    await withSetup(async ({ env }) => {
      const source = await script("powershell", env);
      const lines = [source];
      for (const [i, c] of CASES.entries()) {
        lines.push(
          `$r = TabExpansion2 -inputScript ${quote(c.line)} -cursorColumn ${c.line.length}`,
          `"case ${i}:" + (($r.CompletionMatches | ForEach-Object CompletionText) -join '|')`,
        );
      }
      const out = await shell(PWSH!, [
        "-NoProfile",
        "-NonInteractive",
        "-Command",
        lines.join("\n"),
      ], env);
      for (const [i, c] of CASES.entries()) {
        const got = new RegExp(`^case ${i}:(.*)$`, "m").exec(out)?.[1]?.split("|") ?? [];
        for (const w of c.want) assert.ok(got.includes(w), `${c.line}: ${w} in ${got}`);
      }
    });
  },
});
