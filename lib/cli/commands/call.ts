/**
 * `mspe-run call <Function> [name=value ...]`: calls any API function, follows a long-running call
 * with progress, prints the result. Internal to the CLI.
 *
 * @module
 */

import { catalog, startCall, type Status, uncheckedFunction } from "../../../mod.ts";
import { parseCallArgs } from "../call_args.ts";
import type { Command } from "../command.ts";
import {
  CONNECTION_FLAGS,
  HELP_FLAGS,
  openClient,
  OUTPUT_FLAGS,
  readConnection,
  readOutput,
  resumeCommandFor,
  timeoutSignal,
} from "../connection.ts";
import { ExitCode } from "../exit_codes.ts";
import { requireFunction } from "../function_lookup.ts";
import type { Output } from "../output.ts";
import { UsageError } from "../usage_error.ts";
import { reportDetached, watchOperation } from "../watching.ts";

/**
 * Prints the outcome of a call: the result (or the whole status with `--status`). A call without a
 * result prints nothing in list and table format, and `null` in json and ndjson.
 *
 * @example
 * ```ts ignore
 * printFinal(out, "GetUsers", status, false);
 * ```
 */
export function printFinal(out: Output, label: string, status: Status, whole: boolean): void {
  if (whole) {
    out.show(status);
    return;
  }
  if (status.result === null && (out.format === "list" || out.format === "table")) {
    out.note(`${label} ${status.statusCode} (no result).`);
    return;
  }
  out.show(status.result);
}

/** `mspe-run call`. */
export const callCommand: Command = {
  name: "call",
  summary: "Call any API function and print its result.",
  usage: "mspe-run call <Function> [name=value ...] [flags]",
  description: `Arguments are name=value, case-sensitive, and typed by the function's metadata:
bool takes true or false, number a decimal number, json JSON text (quote it for the shell);
lists such as privileges are comma-separated (privileges=login,changePassword). name=@file reads
the value from a file and name=@- from stdin, for secrets such as a new password; write @@ for a
value that starts with @. \`mspe-run functions <Function>\` shows a function's arguments.

A long-running call shows its progress on stderr and waits for the end. Ctrl-C then detaches
(the call goes on; the token and the command to resume are printed, exit code 130), or with
--cancel-on-interrupt cancels the call (exit code 5). --no-wait prints the token at once.`,
  flags: {
    ...HELP_FLAGS,
    "no-wait": {
      type: "boolean",
      help: "Print the token of a long-running call and return (follow it with `mspe-run watch`).",
    },
    status: { type: "boolean", help: "Print the whole status object, not only the result." },
    "cancel-on-interrupt": {
      type: "boolean",
      help: "On Ctrl-C, cancel the call on the server instead of detaching.",
    },
  },
  flagGroups: [
    { title: "Output", flags: OUTPUT_FLAGS },
    { title: "Connection", flags: CONNECTION_FLAGS },
  ],
  examples: [
    "# The tutorial's Example 1",
    "mspe-run call GetEnvironmentInfo --status",
    "# Users of one instance as a table",
    "mspe-run call GetUsers instanceID=acme --format table",
    "# A long-running call, waiting with a progress bar",
    "mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false",
    "# Start it in the background, then follow it",
    "token=$(mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait)",
    'mspe-run watch "$token"',
    "# A new user; its password comes from stdin, never from the command line",
    "mspe-run call CreateUser instanceID=acme userName=bob privileges=login,changePassword password=@- < pw.txt",
    "# A json argument, quoted for the shell",
    `mspe-run call CreateSystemAdministrator config='{"userName":"ops","fullName":"Ops Team"}' password=@pw.txt`,
  ],
  async run(parsed, io) {
    const [fn, ...pairs] = parsed.positionals;
    if (fn === undefined) {
      throw new UsageError(
        "Name the function to call, such as `mspe-run call GetEnvironmentInfo`. " +
          "`mspe-run functions` lists them.",
      );
    }
    const settings = readConnection(parsed, io);
    const out = readOutput(parsed, io);
    const signal = timeoutSignal(settings);
    await using client = await openClient(settings, io, signal);
    const metadata = client.metadata ?? catalog(client.product);
    const described = requireFunction(metadata, fn, client.product);
    const args = await parseCallArgs(fn, pairs, described.args, io);
    const resumeCommand = resumeCommandFor(settings);

    if (parsed.bool("no-wait")) {
      const operation = startCall(client, uncheckedFunction(fn), args, { signal });
      for await (const status of operation) {
        if (status.statusCode === "running" && status.token !== null) {
          // Leaving the loop stops watching; the server's work goes on.
          out.line(status.token);
          out.note(
            `${fn} is running on the server. Follow it with: ${resumeCommand(status.token)}`,
          );
          return ExitCode.Ok;
        }
      }
      // It finished at once: judge and print it like a waited-for call.
      const final = await operation.final;
      printFinal(out, fn, final, parsed.bool("status"));
      return ExitCode.Ok;
    }

    const outcome = await watchOperation(
      client,
      (detach) =>
        startCall(client, uncheckedFunction(fn), args, {
          signal: signal ? AbortSignal.any([signal, detach]) : detach,
        }),
      io,
      { label: fn, out, cancelOnInterrupt: parsed.bool("cancel-on-interrupt"), resumeCommand },
    );
    if (outcome.kind === "detached") return reportDetached(io, fn, outcome.token, resumeCommand);
    printFinal(out, fn, outcome.status, parsed.bool("status"));
    return ExitCode.Ok;
  },
};
