/**
 * `mspe-run cancel <token>`: asks the server to cancel a long-running call (`cancel-async`).
 * Internal to the CLI.
 *
 * @module
 */

import {
  CancelledError,
  HttpError,
  resumeCall,
  stopCall,
  TokenExpiredError,
} from "../../../mod.ts";
import type { Command } from "../command.ts";
import { HELP_FLAGS } from "../connection.ts";
import { ExitCode } from "../exit_codes.ts";
import { SERVER_FLAG_GROUPS, withSession } from "../session.ts";
import { UsageError } from "../usage_error.ts";
import { shortToken } from "../watching.ts";

/** `mspe-run cancel`. */
export const cancelCommand: Command = {
  name: "cancel",
  summary: "Ask the server to cancel a long-running call.",
  usage: "mspe-run cancel <token> [flags]",
  description:
    `Sends cancel-async and prints the server's reply (a status object). The server decides when
the call stops; --wait follows it to its final status (exit code 5 once cancelled). Exit code 7
when the server does not know the token.`,
  flags: {
    ...HELP_FLAGS,
    wait: {
      type: "boolean",
      help: "Wait until the call has stopped (exit code 5 when cancelled).",
    },
  },
  flagGroups: SERVER_FLAG_GROUPS,
  examples: [
    "mspe-run cancel s0123456789abcdef0123456789abcdef",
    "mspe-run cancel s0123456789abcdef0123456789abcdef --wait",
  ],
  run(parsed, io) {
    const [token, ...extra] = parsed.positionals;
    if (token === undefined || token === "") {
      throw new UsageError("Give the token of the call to cancel: mspe-run cancel <token>.");
    }
    if (extra.length > 0) {
      throw new UsageError("cancel takes one token. Cancel one call at a time.");
    }
    return withSession(parsed, io, async ({ client, out, deadline, follow }) => {
      let reply;
      try {
        reply = await stopCall(client, token, { signal: deadline });
      } catch (error) {
        // cancel-async answers an unknown token with 404, like get-status.
        if (error instanceof HttpError && error.status === 404) throw new TokenExpiredError(token);
        throw error;
      }
      if (!parsed.bool("wait") || reply.statusCode !== "running") {
        out.show(reply);
        return !parsed.bool("wait") || reply.statusCode === "succeeded"
          ? ExitCode.Ok
          : ExitCode.Cancelled;
      }
      out.note("Cancel requested; waiting for the server to stop the call.");
      try {
        const final = await follow(
          `call ${shortToken(token)}`,
          (signal) =>
            resumeCall(client, token, { signal, lastKnownStatusVersion: reply.statusVersion }),
          false,
        );
        // The call ended before the cancel took effect.
        out.show(final);
        return ExitCode.Ok;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        // What was asked for: show the final status, exit code 5 as documented.
        out.show(error.status);
        out.note("The call was cancelled.");
        return ExitCode.Cancelled;
      }
    });
  },
};
