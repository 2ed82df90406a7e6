/**
 * `mspe-run mock`: starts the simulated SPE server, with the same flags as `deno task mock`.
 * Internal to the CLI.
 *
 * @module
 */

import { mockUsage, runMockCommand } from "../../mock/mod.ts";
import { defineCommand } from "../command.ts";
import { EXIT_CODE_HELP } from "../exit_codes.ts";
import { type CliIo, fromFolder } from "../io/io.ts";

const EXAMPLES = [
  "# Terminal 1: a simulated SPE on https://127.0.0.1:8474 (user admin, password admin)",
  "mspe-run mock",
  "# Terminal 2, PowerShell: talk to it, pinning its test certificate (its fingerprint is printed)",
  "$env:MSPE_PASSWORD = 'admin'; mspe-run example 2 --username admin --pin-sha256 AB:CD:...:EF",
  "# Terminal 2, sh, bash, zsh: the same",
  "MSPE_PASSWORD=admin mspe-run example 2 --username admin --pin-sha256 AB:CD:...:EF",
  "# A bigger simulated SPE on another port, with a slow network",
  "mspe-run mock --port 9474 --instances 50 --users 200 --latency-ms 50",
  "# Keep the simulated SPE across restarts (saved within a second of a change, and on Ctrl-C)",
  "mspe-run mock --state lab.json",
  "# Rehearse slow jobs and failures: 10 s per progress step, two 503s on GetUsers",
  "mspe-run mock --step-ms 10000 --steps 6 --fault GetUsers:http503:times=2",
];

/** The simulator's flags that name a file. */
const FILE_FLAGS = ["--state", "--log-requests"];

/**
 * The arguments with the files they name taken from the folder `deno task mspe-run mock` was
 * started in (INIT_CWD), as every other path mspe-run reads: the simulator opens them itself.
 */
export function fromStartFolder(args: readonly string[], io: CliIo): string[] {
  const at = fromFolder(io.env("INIT_CWD"), Deno.build.os);
  return args.map((arg, i) => {
    const flag = FILE_FLAGS.find((name) => arg.startsWith(`${name}=`));
    if (flag !== undefined) return `${flag}=${at(arg.slice(flag.length + 1))}`;
    const previous = args[i - 1];
    return previous !== undefined && FILE_FLAGS.includes(previous) && !arg.startsWith("-")
      ? at(arg)
      : arg;
  });
}

/** `mspe-run mock`. */
export const mockCommand = defineCommand({
  name: "mock",
  summary: "Start the simulated MailStore SPE (or Server) to try mspe-run without a real server.",
  usage: "mspe-run mock [flags]",
  flags: {},
  examples: EXAMPLES,
  passThrough: true,
  async run(parsed, io) {
    const args = [...parsed.positionals];
    if (args.includes("--help") || args.includes("-h")) {
      // The mock's own usage lists its flags (from MOCK_FLAGS); the examples and exit codes are
      // mspe-run's.
      io.stdout.write(
        `${mockUsage("mspe-run mock")}\n\nExamples:\n${
          EXAMPLES.map((e) => `  ${e}`).join("\n")
        }\n\n${EXIT_CODE_HELP}\n`,
      );
      return 0;
    }
    return await runMockCommand(fromStartFolder(args, io), {
      out: (line) => io.stdout.write(`${line}\n`),
      // The mock's own messages start with "mock: "; mspe-run's errors start with "error: ".
      err: (line) => io.stderr.write(`${line.replace(/^mock: /, "error: ")}\n`),
      // Ctrl-C and the termination signal through mspe-run's own listeners (SIGTERM; SIGBREAK on
      // Windows), so that a runCli in process stops the mock as the process's signals do.
      onStopRequest: (listener) => {
        const removeInterrupt = io.onInterrupt(listener);
        const removeTerminate = io.onTerminate?.(listener);
        return () => {
          removeInterrupt();
          removeTerminate?.();
        };
      },
    });
  },
});
