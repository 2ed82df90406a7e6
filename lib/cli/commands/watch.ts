/**
 * `mspe-run watch <token>`: picks up a long-running call by its token and follows it to the end.
 * Internal to the CLI.
 *
 * @module
 */

import { resumeCall } from "../../resume_call.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { FOLLOW_FLAGS, withSession } from "../session/session.ts";
import { UsageError } from "../usage_error.ts";
import { shortToken } from "../session/watching.ts";
import { HELP_FLAGS, SERVER_FLAGS } from "../settings/flags.ts";

/** `mspe-run watch`. */
export const watchCommand = defineCommand({
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
    label: {
      type: "string",
      value: "<Function>",
      help: "The function the token belongs to, for the progress line and messages " +
        "(`call --no-wait` prints a watch command with it).",
    },
    ...FOLLOW_FLAGS,
    ...SERVER_FLAGS,
  },
  examples: [
    "# PowerShell",
    "$token = mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait",
    "mspe-run watch $token",
    "(mspe-run watch $token --status --format json | ConvertFrom-Json).statusCode",
    "# sh, bash, zsh",
    "token=$(mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait)",
    'mspe-run watch "$token"',
    'mspe-run watch "$token" --status --format json',
    "# Any shell",
    "mspe-run watch s0123456789abcdef0123456789abcdef --label VerifyStore",
  ],
  run(parsed, io) {
    const [token, ...extra] = parsed.positionals;
    if (token === undefined || token === "") {
      throw new UsageError(
        "Give the token to watch: mspe-run watch <token> (`mspe-run call ... --no-wait` prints one).",
      );
    }
    if (extra.length > 0) throw new UsageError("watch takes one token. Watch one call at a time.");
    const label = parsed.string("label");
    if (label !== undefined && !/^[A-Za-z][A-Za-z0-9]*$/.test(label)) {
      throw new UsageError(
        `--label takes the name of the function the token belongs to, such as --label VerifyStore.`,
      );
    }
    return withSession(parsed, io, async ({ client, out, follow }) => {
      const final = await follow(
        label ?? `call ${shortToken(token)}`,
        (signal) => resumeCall(client, token, { signal }),
        parsed.bool("cancel-on-interrupt"),
      );
      out.final(label ?? "The call", final, parsed.bool("status"));
      return ExitCode.Ok;
    });
  },
});
