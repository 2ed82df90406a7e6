/**
 * `mspe-run cancel <token>`: asks the server to cancel a long-running call (`cancel-async`).
 * Internal to the CLI.
 *
 * @module
 */

import type { Status } from "../../../mod.ts";
import { CancelledError, HttpError, TokenExpiredError } from "../../errors.ts";
import { resumeCall } from "../../resume_call.ts";
import { stopCall } from "../../stop_call.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { withSession } from "../session/session.ts";
import { UsageError } from "../usage_error.ts";
import { shortToken } from "../session/watching.ts";
import { askedFormat } from "../settings/resolve.ts";
import { HELP_FLAGS, SERVER_FLAGS } from "../settings/flags.ts";

/** `mspe-run cancel`. */
export const cancelCommand = defineCommand({
  name: "cancel",
  summary: "Ask the server to cancel a long-running call.",
  usage: "mspe-run cancel <token> [flags]",
  description:
    `Sends cancel-async and prints one line with the outcome (with --format json the server's
whole reply, a status object). The server decides when the call stops; --wait follows it to its
final status (exit code 5 once cancelled). Exit code 7 when the server does not know the token.`,
  flags: {
    ...HELP_FLAGS,
    label: {
      type: "string",
      value: "<Function>",
      help: "The function the token belongs to, for the message.",
    },
    wait: {
      type: "boolean",
      help: "Wait until the call has stopped (exit code 5 when cancelled).",
    },
    ...SERVER_FLAGS,
  },
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
    const name = parsed.string("label") ?? `The call ${shortToken(token)}`;
    return withSession(parsed, io, async ({ client, out, deadline, follow, resumeCommand }) => {
      // The whole status only where a program reads it; people get one line with the outcome.
      const asked = askedFormat(parsed, io);
      const whole = asked === "json" || asked === "ndjson";
      let reply: Status;
      try {
        reply = await stopCall(client, token, { signal: deadline });
      } catch (error) {
        // cancel-async answers an unknown token with 404, like get-status.
        if (error instanceof HttpError && error.status === 404) throw new TokenExpiredError(token);
        throw error;
      }
      if (!parsed.bool("wait") || reply.statusCode !== "running") {
        if (whole) out.show(reply);
        else out.line(cancelOutcome(name, reply, resumeCommand(token, parsed.string("label"))));
        return !parsed.bool("wait") || reply.statusCode === "succeeded"
          ? ExitCode.Ok
          : ExitCode.Cancelled;
      }
      out.note("Cancel requested; waiting for the server to stop the call.");
      try {
        const final = await follow(
          parsed.string("label") ?? `call ${shortToken(token)}`,
          (signal) =>
            resumeCall(client, token, { signal, lastKnownStatusVersion: reply.statusVersion }),
          false,
        );
        // The call ended before the cancel took effect.
        if (whole) out.show(final);
        else out.line(cancelOutcome(name, final, ""));
        return ExitCode.Ok;
      } catch (error) {
        if (!(error instanceof CancelledError)) throw error;
        // What was asked for: the final status in json, exit code 5 as documented.
        if (whole) out.show(error.status);
        else out.line(`${name} was cancelled.`);
        return ExitCode.Cancelled;
      }
    });
  },
});

/**
 * One line for the server's answer to cancel-async: the outcome, never the status object (whose
 * error may carry a .NET stack trace).
 */
export function cancelOutcome(name: string, status: Status, resume: string): string {
  const error = status.error as { message?: unknown } | null;
  const message = typeof error?.message === "string"
    ? (error.message.split(/\r?\n/, 1)[0] ?? "").trim()
    : "";
  switch (status.statusCode) {
    case "running":
      return `Cancel requested: ${name} stops when the server gets to it.${
        resume ? ` Follow it with: ${resume}` : ""
      }`;
    case "cancelled":
      return `${name} was cancelled.`;
    case "succeeded":
      return `${name} had already finished (succeeded); there was nothing to cancel.`;
    default:
      return /cancel/i.test(message) || message === ""
        ? `${name} was cancelled.`
        : `${name} had already failed: ${message}`;
  }
}
