/**
 * `deno task demo`: the first thing to run. Starts the simulated SPE built into mspe on a free port,
 * runs the tutorial's four examples through `mspe-run` against it, shows their output, and stops
 * the simulator. Nothing to install or configure; nothing leaves this machine.
 *
 * The examples run in this process through the same code as the `mspe-run` binary, with the same
 * permission set (`deno run -P=mspe-run`).
 *
 * @module
 */

import { serveMock } from "../lib/mock/mod.ts";
import { shellQuote } from "../lib/cli/output/shell_quote.ts";
import { style } from "../lib/cli/output/format.ts";
import { type CliIo, denoIo } from "../lib/cli/io/io.ts";
import { runCli } from "../lib/cli/main.ts";
import type { EnvName } from "../lib/cli/io/io.ts";

const USERNAME = "admin";
// Not a word that appears in results: mspe-run hides the password wherever it appears as a word,
// and "admin" (the simulator's default) is also a privilege and a user name.
const PASSWORD = "demo-Pa55-word";

/**
 * The demo's whole environment. The user's MSPE_ variables and config file (a `default` profile
 * with another format, instance or timeout, MSPE_FORMAT=json, ...) are not read: the demo runs
 * the same way on every machine. Without HOME or APPDATA no config file is looked for.
 */
const DEMO_ENV: Readonly<Partial<Record<EnvName, string>>> = { MSPE_PASSWORD: PASSWORD };

interface Step {
  readonly title: string;
  readonly args: readonly string[];
  /** The exit code this step is meant to end with. */
  readonly expected: number;
  readonly note?: string;
}

const STEPS: readonly Step[] = [
  {
    title: "Example 1: GetEnvironmentInfo, printed like `$return | fl`",
    args: ["example", "1"],
    expected: 0,
  },
  {
    title: "Example 2: every user of every instance (GetInstances, GetUsers, GetUserInfo)",
    args: ["example", "2"],
    expected: 0,
  },
  {
    title: "Example 3: VerifyStore, waiting for the final result (progress on stderr)",
    args: ["example", "3"],
    expected: 0,
  },
  {
    title: "Example 4: VerifyStore in the background, a line per update, cancelled at 50%",
    args: ["example", "4", "--cancel-at", "50"],
    expected: 5,
    note: "cancelled, as asked; Ctrl-C does the same",
  },
];

/** What to try after the demo: a command, and what it does. */
const NEXT: readonly (readonly [string, string])[] = [
  ["deno task mspe-run --help", "every command, flag and exit code (any command runs this way)"],
  ["deno task mock", "the simulator on https://127.0.0.1:8474 (user admin, password admin)"],
  ["deno task compile", "build dist/mspe-run (deno task compile:windows: dist/mspe-run.exe)"],
  ["scripts/example1.ts ... scripts/example4.ts", "the examples' code, in TypeScript"],
];

/** `AB:CD:…:EF`: the first and last bytes of a fingerprint. */
function shortFingerprint(fingerprint: string): string {
  const bytes = fingerprint.split(":");
  return bytes.length > 4
    ? `${bytes.slice(0, 2).join(":")}:…:${bytes.slice(-2).join(":")}`
    : fingerprint;
}

/**
 * Runs the demo and resolves to its exit code: 0 when every example ended as expected.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await runDemo());
 * ```
 */
export async function runDemo(): Promise<number> {
  const io: CliIo = { ...denoIo(), env: (name) => DEMO_ENV[name] };
  const st = style(io.stdout.isTerminal && !io.noColor);
  const say = (text = "") => io.stdout.write(`${text}\n`);
  // Two users per instance keep example 2 short; slow enough steps that progress can be watched.
  const mock = await serveMock({
    password: PASSWORD,
    usersPerInstance: 2,
    jobs: { stepMs: 300, steps: 6 },
  });
  const fingerprint = mock.certificate?.sha256 ?? "";
  const connection = [
    "--host",
    mock.hostname,
    "--port",
    String(mock.port),
    "--username",
    USERNAME,
    "--pin-sha256",
    fingerprint,
    // A pipe would get JSON by default; the demo is meant to be read.
    ...(io.stdout.isTerminal ? [] : ["--format", "list"]),
  ];

  say(st.header("mspe demo"));
  say("The four examples of MailStore's PowerShell tutorial, run by mspe-run against");
  say("a simulated MailStore SPE built into mspe (nothing leaves this machine).");
  say();
  say(`Simulated SPE: ${mock.url}  (user ${USERNAME}, password in MSPE_PASSWORD)`);
  say("Its certificate is pinned by its SHA-256 fingerprint (`mspe-run tls-info` shows it).");

  let failures = 0;
  try {
    failures = await runSteps();
  } finally {
    await mock.close();
  }
  say();
  say("The simulated SPE is stopped.");
  say(
    failures === 0
      ? st.good("All four examples ran.")
      : st.error(`${failures} example(s) did not end as expected.`),
  );
  say();
  say("Next:");
  for (const [command, what] of NEXT) {
    say(`  ${command}`);
    say(st.dim(`      ${what}`));
  }
  return failures === 0 ? 0 : 1;

  async function runSteps(): Promise<number> {
    let failed = 0;
    for (const step of STEPS) {
      say();
      say(st.header(`== ${step.title}`));
      const args = [...step.args, ...connection];
      // The whole fingerprint would fill two lines; its ends are enough to recognise it.
      const shown = args.map((arg) =>
        arg === fingerprint ? shortFingerprint(arg) : shellQuote(arg)
      );
      say(st.dim(`$ mspe-run ${shown.join(" ")}`));
      const code = await runCli(args, io);
      const ok = code === step.expected;
      if (!ok) failed++;
      const verdict = `exit code ${code}${step.note && ok ? ` (${step.note})` : ""}`;
      say(ok ? st.dim(`-> ${verdict}`) : st.error(`-> ${verdict}, expected ${step.expected}`));
    }
    return failed;
  }
}

if (import.meta.main) {
  Deno.exit(await runDemo());
}
