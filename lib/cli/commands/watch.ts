/**
 * `mspe-run watch <token>`: picks up a long-running call by its token and follows it to the end.
 * Internal to the CLI.
 *
 * @module
 */

import { resumeCall } from "../../../mod.ts";
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
import { UsageError } from "../usage_error.ts";
import { reportDetached, shortToken, watchOperation } from "../watching.ts";
import { printFinal } from "./call.ts";

/** `mspe-run watch`. */
export const watchCommand: Command = {
  name: "watch",
  summary: "Follow a long-running call by its token to the end, with progress.",
  usage: "mspe-run watch <token> [flags]",
  description:
    `Prints the call's result when it ends (--status for the whole status object). Exit code 4
when the call failed, 5 when it was cancelled, 7 when the server does not know the token (it
expired after the call ended, or never existed). Ctrl-C detaches again (exit code 130);
--cancel-on-interrupt cancels the call instead.`,
  flags: {
    ...HELP_FLAGS,
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
    "token=$(mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait)",
    'mspe-run watch "$token"',
    'mspe-run watch "$token" --status --format json',
  ],
  async run(parsed, io) {
    const [token, ...extra] = parsed.positionals;
    if (token === undefined || token === "") {
      throw new UsageError(
        "Give the token to watch: mspe-run watch <token> (`mspe-run call ... --no-wait` prints one).",
      );
    }
    if (extra.length > 0) throw new UsageError("watch takes one token. Watch one call at a time.");
    const settings = readConnection(parsed, io);
    const out = readOutput(parsed, io);
    const signal = timeoutSignal(settings);
    await using client = await openClient(settings, io, signal);
    const resumeCommand = resumeCommandFor(settings);
    const label = `call ${shortToken(token)}`;
    const outcome = await watchOperation(
      client,
      (detach) =>
        resumeCall(client, token, { signal: signal ? AbortSignal.any([signal, detach]) : detach }),
      io,
      { label, out, cancelOnInterrupt: parsed.bool("cancel-on-interrupt"), resumeCommand },
    );
    if (outcome.kind === "detached") return reportDetached(io, label, outcome.token, resumeCommand);
    printFinal(out, "The call", outcome.status, parsed.bool("status"));
    return ExitCode.Ok;
  },
};
