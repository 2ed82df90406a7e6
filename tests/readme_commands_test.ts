/**
 * Every command line of README.md's shell code blocks that can run here is run as written (issue 16
 * item 5): the same argv, tokenised as a shell would, in process against the simulator. The lines
 * do not name the simulator's port, so the connection comes from what the user would have set: the
 * MSPE_ variables (host, port, CA, user, password) and, for `--profile NAME`, a config file
 * (MSPE_CONFIG) with that profile. A line is never changed.
 *
 * How a line is read:
 * - The code blocks are the fenced ones in a shell language (powershell, sh, console, ...);
 *   comments are dropped, and a line ending in `\`, a backtick, `|`, `+` or `(` goes on on the next.
 * - A command is the word `mspe-run` (or `mspe-run.exe` after PowerShell's `&`) and what follows it
 *   up to an unquoted `|`, `;`, `&&` or `)`, wherever it stands in the line: after a cron schedule,
 *   in `$x = mspe-run ...` or `x=$(mspe-run ...)` (which define `$x` as its output, for the lines
 *   after it), inside a quoted string written into a shell profile (`'source <(mspe-run ...)'`), or
 *   at the end of a pipeline. Or `deno task <name> ...`, to its end.
 * - Pipelines: what comes after the command (`| ConvertFrom-Json`, `| jq ...`) is the user's and
 *   is not run; what comes before it is its standard input: `Get-Content FILE` and `< FILE` give
 *   the file's text, `@{ k = 'v'; ... } | ConvertTo-Json -Compress` the JSON of that table. Any
 *   other input (a Read-Host prompt) cannot be given here: the line is skipped with that reason.
 *   `> FILE` writes the command's stdout to FILE, which a later line may read (run.ndjson).
 * - A line that names `$x` runs when a line before it in its block defines `$x` (as above, or
 *   `... --no-wait  # prints the token` for `$token`), else it is skipped with that reason.
 * - Files the lines read are made in a temporary folder, the working folder of the block's lines;
 *   `~` and `C:\...` paths are in it too (HOME is that folder). The block's `$env:NAME = 'value'`
 *   and `export NAME=value` with a literal value are set (a value read from a file is the reader's
 *   own: admin/admin here; MSPE_CONFIG names where the profile file is written, MSPE_PASSWORD the
 *   simulator's password), and its `Set-Content FILE @'...'@` files written.
 * - What the reader's server has, the simulator is given: a user a line names (`userName=jane`)
 *   without creating it, and for a fleet run said to fail (`# exit 4: some failed`) one failure
 *   (an HTTP 500 for that function), which the `--rerun-failed` line after it sends again.
 * - Each code block has its own folder and its own simulator, since the blocks are alternatives
 *   (PowerShell, then the same in sh) that change the same things; the blocks of a walk-through go
 *   on from each other and share one. A block whose lines name `--port N` is skipped: test servers
 *   take a free port, and tests/state_test.ts runs that walk-through against one.
 * - A y/N question is answered only where the README gives the answer (`# y: creates ...`), typed at
 *   a terminal of the in-process harness; a line that asks without one is skipped.
 * - The exit code must be the one the line's comment says (`# exit 10: 1 to create`), else 0 or one
 *   the README documents for it: `plan` (10 when changes are pending), `--format nagios` (0 to 3,
 *   the table of formats). `deno task` lines (but mock and compile) run as subprocesses.
 */

import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { startMock } from "./_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { CA_PEM_PATH, ROOT } from "./cli_helpers.ts";
import { type ProcessResult, runToEnd } from "./_run.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/**
 * The least number of lines that must run, so that the test cannot pass by skipping them all: 56
 * run today; the walk-through's 6 lines name port 8474 and are skipped (tests/state_test.ts runs it).
 */
const MIN_RUN = 50;

/** One command found in a README code block. */
interface Command {
  /** The README's line number (of the first line of a continued one). */
  readonly line: number;
  /**
   * The commands that share a simulator and a folder: those of one code block, or of every block of
   * a walk-through (its steps go on from the block before).
   */
  readonly session: string;
  /** The logical line as the README has it, without its comment. */
  readonly text: string;
  /** The comment after it, if any. */
  readonly comment: string;
  /** `mspe-run` or `deno task`. */
  readonly program: "mspe-run" | "deno task";
  /** The words after the program, not yet with variables put in. */
  readonly words: readonly Word[];
  /** `< FILE` or the part of the pipeline before the command; undefined: no input. */
  readonly input?: string;
  /** `> FILE`. */
  readonly output?: string;
  /** The variable this line defines with its output (`$token = mspe-run ...`). */
  readonly defines?: string;
}

/** A word of a command: its text, and the variables it names (expanded when run). */
interface Word {
  readonly text: string;
  readonly variables: readonly string[];
}

const SHELLS = new Set(["powershell", "sh", "console", "bash", "shell", "ps1", "pwsh"]);

/** A fenced code block in a shell language. */
interface Block {
  /** Its fence's line number. */
  readonly start: number;
  /** The heading it stands under. */
  readonly heading: string;
  readonly lines: { n: number; text: string }[];
}

/** The fenced code blocks in a shell language: their first line and their lines. */
function shellBlocks(): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  let inBlock = false;
  let heading = "";
  readme.split("\n").forEach((text, index) => {
    if (!inBlock && text.startsWith("#")) heading = text;
    const fence = /^\s*```(\S*)/.exec(text);
    if (fence) {
      if (inBlock) {
        if (current) blocks.push(current);
        current = undefined;
        inBlock = false;
      } else {
        inBlock = true;
        current = SHELLS.has(fence[1]!) ? { start: index + 1, heading, lines: [] } : undefined;
      }
      return;
    }
    current?.lines.push({ n: index + 1, text });
  });
  return blocks;
}

/** Splits a line at its comment: a `#` after a blank, outside quotes. */
function splitComment(text: string): [string, string] {
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) {
      return [text.slice(0, i).trimEnd(), text.slice(i + 1).trim()];
    }
  }
  return [text.trimEnd(), ""];
}

/**
 * Reads words from `text` as a shell does: blanks separate, '...' is literal, "..." keeps blanks
 * and expands `$name`, a bare `$name` is expanded; it stops at an unquoted `|`, `;`, `&&` or `)`.
 * `< FILE` and `> FILE` are taken out as the input and output.
 */
function shellWords(text: string): { words: Word[]; input?: string; output?: string } {
  const words: Word[] = [];
  let input: string | undefined;
  let output: string | undefined;
  let redirect: "<" | ">" | undefined;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length || /[|;)]/.test(text[i]!) || text.startsWith("&&", i)) break;
    if (text[i] === "<" || text[i] === ">") {
      redirect = text[i] as "<" | ">";
      i += text.startsWith(">>", i) ? 2 : 1;
      continue;
    }
    let word = "";
    const variables: string[] = [];
    while (i < text.length && !/[\s|;)<>]/.test(text[i]!)) {
      const c = text[i]!;
      if (c === "'") {
        const end = text.indexOf("'", i + 1);
        assert(end > i, `an unclosed quote: ${text}`);
        word += text.slice(i + 1, end);
        i = end + 1;
      } else if (c === '"') {
        const end = text.indexOf('"', i + 1);
        assert(end > i, `an unclosed quote: ${text}`);
        const inner = text.slice(i + 1, end);
        for (const m of inner.matchAll(/\$(\w+)/g)) variables.push(m[1]!);
        word += inner;
        i = end + 1;
      } else if (c === "$" && /\w/.test(text[i + 1] ?? "")) {
        const name = /^\$(\w+)/.exec(text.slice(i))![1]!;
        variables.push(name);
        word += `$${name}`;
        i += name.length + 1;
      } else {
        word += c;
        i++;
      }
    }
    if (redirect === "<") input = `< ${word}`;
    else if (redirect === ">") output = word;
    else words.push({ text: word, variables });
    redirect = undefined;
  }
  return {
    words,
    ...(input === undefined ? {} : { input }),
    ...(output === undefined ? {} : { output }),
  };
}

/** What a session's blocks set up for its lines: variables with a literal value, files. */
interface SessionSetup {
  /** `$env:NAME = 'value'`, `export NAME=value` (a value from a command is the reader's own). */
  readonly variables: Map<string, string>;
  /** `$x = Read-Host ...`: the variables that hold what is typed at a prompt. */
  readonly prompts: Set<string>;
  /** `Set-Content NAME @'...'@`: the files' text. */
  readonly files: Map<string, string>;
  /** The port the lines name with `--port`, where the simulator then listens. */
  port?: number;
}

/** The setup of each session. */
function sessionSetups(commands: readonly Command[]): Map<string, SessionSetup> {
  const setups = new Map<string, SessionSetup>();
  for (const block of shellBlocks()) {
    const session = /^#+ Walk-through/.test(block.heading) ? block.heading : `${block.start}`;
    const setup = setups.get(session) ??
      { variables: new Map(), prompts: new Set(), files: new Map() };
    setups.set(session, setup);
    const text = block.lines.map((line) => line.text).join("\n");
    for (const m of text.matchAll(/^(?:\$env:(\w+) = '([^']*)'|export (\w+)=(\w[^\s$]*))$/gm)) {
      setup.variables.set(m[1] ?? m[3]!, m[2] ?? m[4]!);
    }
    for (const m of text.matchAll(/^\$(\w+) = Read-Host\b/gm)) setup.prompts.add(m[1]!);
    for (const m of text.matchAll(/^Set-Content (\S+) @'\n([\s\S]*?)\n'@$/gm)) {
      setup.files.set(m[1]!, `${m[2]}\n`);
    }
  }
  for (const command of commands) {
    const words = command.words.map((word) => word.text);
    if (words.includes("--port")) {
      setups.get(command.session)!.port = Number(words[words.indexOf("--port") + 1]);
    }
  }
  return setups;
}

/** Every `mspe-run` and `deno task` command of the README's shell code blocks. */
function readmeCommands(): Command[] {
  const commands: Command[] = [];
  for (const block of shellBlocks()) {
    // Logical lines: comments dropped, continuations joined.
    const logical: { n: number; text: string; comment: string }[] = [];
    let pending: { n: number; text: string; comment: string } | undefined;
    let hereString = false;
    for (const { n, text } of block.lines) {
      // A PowerShell here-string (@'...'@) is a file's text (see sessionSetup), not commands.
      if (hereString || /@'$/.test(text)) {
        hereString = !text.startsWith("'@");
        continue;
      }
      const [code, comment] = splitComment(text);
      if (pending) {
        pending.text += ` ${code.trim()}`;
        pending.comment ||= comment;
      } else if (code.trim() === "") continue;
      else pending = { n, text: code.trim(), comment };
      if (/[\\`]$/.test(pending.text)) pending.text = pending.text.slice(0, -1).trimEnd();
      else if (!/[|+(]$/.test(pending.text)) {
        logical.push(pending);
        pending = undefined;
      }
    }
    assert(pending === undefined, `README line ${pending?.n} goes on past its code block`);
    for (const { n, text, comment } of logical) {
      const found = /(?<![\w.-])(deno task|mspe-run(?:\.exe)?)(?![\w.-])/g;
      for (const match of text.matchAll(found)) {
        const before = text.slice(0, match.index);
        // `deno task mspe-run ...` is the task; `deno install ... -n mspe-run` names a command.
        if (match[1] === "mspe-run" && /(deno task|-n) $/.test(before)) continue;
        // `& 'C:\Tools\mspe-run.exe' report ...`: the quote around the program's path.
        let rest = text.slice(match.index + match[1]!.length);
        if (match[1] === "mspe-run.exe") rest = rest.replace(/^['"]/, "");
        const { words, input, output } = shellWords(rest);
        const piped = /^(.*?)\|\s*$/.exec(before.replace(/^\$\w+\s*=\s*/, ""))?.[1]?.trim();
        // `$token = mspe-run ...`, `token=$(mspe-run ...)`, or a line said to print the token.
        const defines = /^\$(\w+)\s*=\s*$/.exec(before)?.[1] ?? /^(\w+)=\$\($/.exec(before)?.[1] ??
          (/^prints the token/.test(comment) ? "token" : undefined);
        commands.push({
          line: n,
          session: /^#+ Walk-through/.test(block.heading) ? block.heading : `${block.start}`,
          text,
          comment,
          program: match[1] === "deno task" ? "deno task" : "mspe-run",
          words,
          ...(input !== undefined ? { input } : piped !== undefined ? { input: piped } : {}),
          ...(output === undefined ? {} : { output }),
          ...(defines === undefined ? {} : { defines }),
        });
      }
    }
  }
  return commands;
}

/** The file a line reads or writes, in the block's folder (`~` and `C:\...` paths too). */
function inFolder(folder: string, path: string): string {
  return join(
    folder,
    path.replace(/^~[\\/]/, "").replace(/^[A-Za-z]:\\/, "").replaceAll("\\", "/"),
  );
}

/** Standard input as the part of the pipeline before the command gives it, or why it cannot. */
async function inputOf(
  input: string | undefined,
  folder: string,
  prompts: ReadonlySet<string>,
): Promise<{ stdin?: string; skip?: string }> {
  if (input === undefined) return {};
  const file = /^(?:<|Get-Content)\s+(\S+)$/.exec(input)?.[1];
  if (file !== undefined) return { stdin: await Deno.readTextFile(inFolder(folder, file)) };
  const table = /^@\{(.*)\}\s*\|\s*ConvertTo-Json -Compress$/.exec(input)?.[1];
  if (table !== undefined) {
    const pairs = [...table.matchAll(/(\w+)\s*=\s*'([^']*)'/g)].map((m) => [m[1]!, m[2]!]);
    return { stdin: JSON.stringify(Object.fromEntries(pairs)) };
  }
  const prompted = [...input.matchAll(/\$(\w+)/g)].find((m) => prompts.has(m[1]!));
  if (prompted) {
    return { skip: `needs a terminal: its input is typed at a prompt ($${prompted[1]})` };
  }
  return { skip: `its input comes from \`${input}\`, which this test does not make` };
}

/** Why a command is not run here, or undefined. */
function skipReason(command: Command, variables: ReadonlyMap<string, string>): string | undefined {
  const words = command.words.map((word) => word.text);
  const name = words[0];
  if (command.program === "deno task") {
    if (name === "mock") return "starts a server (the simulator)";
    if (name?.startsWith("compile")) return "builds a binary (tests/compile_test.ts does)";
  }
  if (command.program === "mspe-run" && name === "mock" && !words.includes("--print-ca")) {
    return "starts a server (the simulator)";
  }
  const host = words[words.indexOf("--host") + 1];
  if (words.includes("--host") && host !== "127.0.0.1" && host !== "localhost") {
    return "names a real server";
  }
  if (words.includes("--credential-file") || name === "credential") {
    return "Windows only: a DPAPI credential file (tests/cli_credential_test.ts)";
  }
  if (/asks first/.test(command.comment)) return "needs a terminal: it asks y/N, no answer given";
  if (words.some((word) => word.endsWith("=@-")) && command.input === undefined) {
    return "needs a terminal: `@-` with nothing piped in reads what is typed";
  }
  const unknown = command.words.flatMap((word) => word.variables).find((v) => !variables.has(v));
  if (unknown !== undefined) return `uses $${unknown}, which the README does not define before it`;
  return undefined;
}

/**
 * The exit codes the README gives for a line: the one its comment says (`# exit 10: 1 to create`),
 * else 0 and those the README documents for it (plan's 10, nagios' 0 to 3).
 */
function allowedCodes(command: Command): Set<number> {
  const words = command.words.map((word) => word.text);
  const said = /\bexit (\d+)\b/.exec(command.comment)?.[1];
  if (said !== undefined) return new Set([Number(said)]);
  const codes = new Set([0]);
  if (words[0] === "plan") codes.add(10);
  if (words.includes("nagios")) [1, 2, 3].forEach((code) => codes.add(code));
  return codes;
}

/** Files the README's lines read, as the user would have them. */
async function makeFiles(folder: string): Promise<void> {
  await Deno.writeTextFile(join(folder, "newpw.txt"), "New-Passw0rd-2026\n");
  await Deno.writeTextFile(join(folder, "ops-pw.txt"), "Ops-Passw0rd-2026\n");
  await Deno.writeTextFile(join(folder, "tenants.txt"), "# the tenants to check\nacme\nglobex\n");
}

/**
 * The users the block's lines name (`instanceID=I userName=U`) that the simulator does not seed and
 * no line of the block creates.
 */
function namedUsers(commands: readonly Command[]): [string, string][] {
  const named = new Map<string, [string, string]>();
  const created = new Set<string>();
  for (const command of commands) {
    const words = command.words.map((word) => word.text);
    const instanceID = words.find((w) => w.startsWith("instanceID="))?.slice(11);
    const userName = words.find((w) => w.startsWith("userName="))?.slice(9);
    if (instanceID === undefined || userName === undefined) continue;
    const key = `${instanceID}/${userName}`;
    if (words[1] === "CreateUser") created.add(key);
    else if (!created.has(key)) named.set(key, [instanceID, userName]);
  }
  // The simulator seeds first.last names (john.doe); a bare first name is one the reader has.
  return [...named.values()].filter(([, userName]) => !userName.includes("."));
}

/** Runs a `deno task` line as a subprocess in the clone, with a time limit. */
function runTask(args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return runToEnd(Deno.execPath(), {
    args: ["task", ...args],
    cwd: ROOT,
    env: { ...env, NO_COLOR: "1" },
    signal: AbortSignal.timeout(30_000),
  });
}

Deno.test("README: every command line that can run here runs as written", async () => {
  const commands = readmeCommands();
  const caPath = join(ROOT, CA_PEM_PATH);
  const ran: string[] = [];
  const skipped: [string, string][] = [];
  const failures: string[] = [];
  for (const [session, setup] of sessionSetups(commands)) {
    const lines = commands.filter((command) => command.session === session);
    if (lines.length === 0) continue;
    const password = setup.variables.get("MSPE_PASSWORD") ?? "admin";
    if (setup.port !== undefined) {
      // Test servers bind port 0; a block that names its port (the walk-through's 8474) runs in
      // tests/state_test.ts against a simulator on a free port instead.
      const reason = `names port ${setup.port} (test servers take a free port)`;
      for (const c of lines) skipped.push([`README.md:${c.line}: ${c.text}`, reason]);
      continue;
    }
    await using mock = await startMock({ password });
    const folder = await Deno.makeTempDir({ prefix: "mspe-readme-" });
    try {
      await makeFiles(folder);
      for (const [name, text] of setup.files) await Deno.writeTextFile(join(folder, name), text);
      const connection = {
        host: "127.0.0.1",
        port: mock.port,
        caCert: caPath,
        username: "admin",
        passwordFile: join(folder, "admin-pw.txt"),
      };
      await Deno.writeTextFile(connection.passwordFile, `${password}\n`);
      // The profile file: where the block's MSPE_CONFIG names it, else one the user's own.
      const named = setup.variables.get("MSPE_CONFIG");
      const config = named === undefined ? join(folder, "config.json") : inFolder(folder, named);
      await Deno.mkdir(dirname(config), { recursive: true });
      await Deno.writeTextFile(
        config,
        JSON.stringify({ profiles: { prod: connection, monitoring: connection } }),
      );
      const env = {
        MSPE_HOST: "127.0.0.1",
        MSPE_PORT: String(mock.port),
        MSPE_CA_CERT: caPath,
        MSPE_USERNAME: "admin",
        ...Object.fromEntries(setup.variables),
        MSPE_PASSWORD: password,
        MSPE_CONFIG: config,
        HOME: folder,
      };
      const variables = new Map<string, string>();
      // The users a line names exist, as on the reader's server, unless a line creates them.
      for (const [instanceID, userName] of namedUsers(lines)) {
        const made = await runCliInProcess(
          [
            "call",
            "CreateUser",
            `instanceID=${instanceID}`,
            `userName=${userName}`,
            "privileges=login",
          ],
          { env },
        );
        assert.equal(made.code, 0, made.stderr);
      }
      for (const command of lines) {
        const label = `README.md:${command.line}: ${command.text}`;
        const input = await inputOf(command.input, folder, setup.prompts);
        const reason = input.skip ?? skipReason(command, variables);
        if (reason !== undefined) {
          skipped.push([label, reason]);
          continue;
        }
        // The README's fleet run has a failure ("exit 4: some failed"), which --rerun-failed then
        // sends again: the simulator fails that function's first call.
        if (/exit 4: some failed/.test(command.comment)) {
          mock.faults.add({ kind: "http500", function: command.words[1]!.text, times: 1 });
        }
        const argv = command.words.map((word) =>
          word.text.replace(/\$(\w+)/g, (_, name: string) => variables.get(name)!)
        );
        // The usage CSV of last month, for --compare: this month's, from the same simulator.
        if (argv.includes("--compare")) {
          const previous = argv[argv.indexOf("--compare") + 1]!;
          const made = await runCliInProcess(
            ["report", "usage", "--format", "csv", "--output", previous],
            { env, cwd: folder },
          );
          assert.equal(made.code, 0, made.stderr);
        }
        // A line that names a profile gets its connection from the profile alone (PRTG's probe runs
        // as Local System, without the reader's variables).
        const lineEnv = argv.includes("--profile") ? { MSPE_CONFIG: config, HOME: folder } : env;
        const run = command.program === "deno task"
          ? await runTask(argv, env)
          : await runCliInProcess(argv, {
            env: lineEnv,
            cwd: folder,
            ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
            // `# y: ...`: the README gives the answer to the y/N question, typed at a terminal.
            ...(/^y:/.test(command.comment)
              ? { stdin: "y\n", stdinIsTerminal: true, terminal: true }
              : {}),
          });
        ran.push(`${label}\n    (exit ${run.code})`);
        const allowed = allowedCodes(command);
        if (!allowed.has(run.code)) {
          failures.push(
            `${label}\n  exit ${run.code} (allowed: ${[...allowed].join(", ")})\n  ${
              run.stderr.trim().replaceAll("\n", "\n  ")
            }`,
          );
        }
        if (command.output !== undefined) {
          const file = inFolder(folder, command.output);
          await Deno.mkdir(dirname(file), { recursive: true });
          await Deno.writeTextFile(file, run.stdout);
        }
        if (command.defines !== undefined) variables.set(command.defines, run.stdout.trim());
      }
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  }
  const reasons = new Map<string, number>();
  for (const [, reason] of skipped) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  console.log(
    [
      `README command lines: ${ran.length} run, ${skipped.length} skipped`,
      ...[...reasons].map(([reason, count]) => `  skipped ${count}: ${reason}`),
      ...ran.map((label) => `  run ${label}`),
      ...skipped.map(([label, reason]) => `  skip ${label}\n    (${reason})`),
    ].join("\n"),
  );
  assert.deepEqual(failures, [], `README lines that fail:\n${failures.join("\n")}`);
  assert(ran.length >= MIN_RUN, `only ${ran.length} README lines ran`);
});
