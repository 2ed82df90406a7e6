/**
 * `mspe-run call <Function> [name=value ...]`: calls any API function, follows a long-running call
 * with progress, prints the result. Internal to the CLI.
 *
 * @module
 */

import { catalog, findFunction } from "../../catalog.ts";
import { startCall } from "../../start_call.ts";
import { uncheckedFunction } from "../../function_names.ts";
import { parseCallArgs } from "../call_args.ts";
import { defineCommand } from "../command.ts";
import { CONFIRM_FLAGS, confirmFlags, confirmSessionCall } from "../confirm.ts";
import { ExitCode } from "../exit_codes.ts";
import { FLEET_FLAGS, FLEET_HELP, runFleetCall } from "../fleet/run.ts";
import { wantsFleet } from "../fleet/selection.ts";
import { canonicalFunctionName, requireFunction } from "../help/function_lookup.ts";
import { addCallSecrets } from "../io/redacting_io.ts";
import { FOLLOW_FLAGS, withSession } from "../session/session.ts";
import { UsageError } from "../usage_error.ts";
import { HELP_FLAGS, SERVER_FLAGS } from "../settings/flags.ts";

/** `mspe-run call`. */
export const callCommand = defineCommand({
  name: "call",
  summary: "Call any API function and print its result.",
  usage: "mspe-run call <Function> [name=value ...] [flags]",
  description: `Arguments are name=value, case-sensitive (the function's name is not), and typed by
the function's metadata: bool takes true or false, number a decimal number, json JSON text (quote
it for the shell); lists such as privileges are comma-separated (privileges=login,changePassword).
name=@file reads the value from a file and name=@- from stdin (on a terminal it asks, without echo
for a secret); write @@ for a value that starts with @. A secret such as password= is refused as a
literal value: other users see the command line (--allow-secret-arg sends it anyway).
\`mspe-run functions <Function>\` shows a function's arguments.

A long-running call shows its progress on stderr and waits for the end. Ctrl-C then detaches
(the call goes on; the token and the command to resume are printed, exit code 130), or with
--cancel-on-interrupt cancels the call (exit code 5). --no-wait prints the token at once.

A destructive function (DeleteInstances, StopInstances, DeleteUser, ...: \`mspe-run functions\`
marks them) first shows what it will touch and asks y/N on a terminal; --yes answers for it (and
is needed without a terminal, else exit code 2). --what-if shows what would be called and what it
matches, and sends nothing that changes state.

${FLEET_HELP}`,
  flags: {
    ...HELP_FLAGS,
    ...CONFIRM_FLAGS,
    "allow-secret-arg": {
      type: "boolean",
      help: "Send a secret argument (password=...) given on the command line, where other users " +
        "can see it; else refused (use password=@file or password=@-).",
    },
    "no-wait": {
      type: "boolean",
      help: "Print the token of a long-running call and return (follow it with `mspe-run watch`).",
    },
    ...FOLLOW_FLAGS,
    ...FLEET_FLAGS,
    ...SERVER_FLAGS,
  },
  // `call <Function> --help` is the function's help.
  topicHelp: async (argv) => (await import("./help.ts")).callTopicHelp(argv),
  examples: [
    "# The users of every instance, 16 instances at a time, streamed as CSV",
    "mspe-run call GetUsers --instances '*' --concurrency 16 --format csv > users.csv",
    "# Again on the instances that failed last time",
    "mspe-run call GetUsers --instances 'acme*' --format ndjson > run.ndjson",
    "mspe-run call GetUsers --rerun-failed run.ndjson --format ndjson > rerun.ndjson",
    "# The tutorial's Example 1",
    "mspe-run call GetEnvironmentInfo --status",
    "# Users of one instance as a table; in PowerShell as objects",
    "mspe-run call GetUsers instanceID=acme --format table",
    "mspe-run call GetUsers instanceID=acme | ConvertFrom-Json",
    "# One function's arguments, allowed values and an example",
    "mspe-run call CreateUser --help",
    "# A long-running call, waiting with a progress bar",
    "mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false",
    "# PowerShell: start it in the background, then follow it",
    "$token = mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait",
    "mspe-run watch $token",
    "# sh, bash, zsh: the same",
    "token=$(mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=false --no-wait)",
    'mspe-run watch "$token"',
    "# PowerShell: a new user; its password comes from stdin, never from the command line",
    "Get-Content pw.txt | mspe-run call CreateUser instanceID=acme userName=bob privileges=login,changePassword password=@-",
    "# sh, bash, zsh: the same",
    "mspe-run call CreateUser instanceID=acme userName=bob privileges=login,changePassword password=@- < pw.txt",
    "# PowerShell: a json argument from stdin (Windows PowerShell 5.1 drops quotes inside arguments)",
    `'{"userName":"ops","fullName":"Ops Team"}' | mspe-run call CreateSystemAdministrator config=@- password=@pw.txt`,
    "# sh, bash, zsh: quoted on the command line",
    `mspe-run call CreateSystemAdministrator config='{"userName":"ops","fullName":"Ops Team"}' password=@pw.txt`,
  ],
  run(parsed, io) {
    const [given, ...pairs] = parsed.positionals;
    if (given === undefined) {
      throw new UsageError(
        "Name the function to call, such as `mspe-run call GetEnvironmentInfo`. " +
          "`mspe-run functions` lists them.",
      );
    }
    // PowerShell users type getusers: a name that matches one function but for case is that one.
    const fn = canonicalFunctionName(given);
    // One read-only call needs no function list from the server (SessionOptions.onlyCalls).
    const argNames = pairs.map((pair) =>
      pair.includes("=") ? pair.slice(0, pair.indexOf("=")) : pair
    );
    const onlyCalls = wantsFleet(parsed) ? undefined : { fn, argNames };
    return withSession(parsed, io, async (session) => {
      const { client, out, deadline, resumeCommand, follow } = session;
      const described = requireFunction(
        client.metadata ?? catalog(client.product),
        fn,
        client.product,
      );
      // Secret arguments never come from the command line, and never show, even when the server
      // echoes them into a result.
      const marked = new Set(
        findFunction(client.product, fn)?.args
          .filter((arg) => arg.secret === true).map((arg) => arg.name),
      );
      const args = await parseCallArgs(fn, pairs, described.args, io, {
        names: marked,
        allowLiteral: parsed.bool("allow-secret-arg"),
      });
      addCallSecrets(io, args, marked);
      // The same call on many instances (lib/cli/fleet/run.ts).
      if (wantsFleet(parsed)) {
        return await runFleetCall(session, io, parsed, { fn, described, args });
      }
      // Destructive calls ask first; --what-if stops here (lib/cli/confirm.ts).
      const decision = await confirmSessionCall(session, io, fn, args, confirmFlags(parsed));
      if (decision !== "go") return decision === "what-if" ? ExitCode.Ok : ExitCode.Cancelled;
      const checkValues = !parsed.bool("no-value-check");
      const start = (signal: AbortSignal | undefined) =>
        startCall(client, uncheckedFunction(fn), args, { signal, checkValues });
      const whole = parsed.bool("status");
      if (!parsed.bool("no-wait")) {
        out.final(fn, await follow(fn, start, parsed.bool("cancel-on-interrupt")), whole);
        return ExitCode.Ok;
      }
      const operation = start(deadline);
      for await (const status of operation) {
        if (status.statusCode === "running" && status.token !== null) {
          // Leaving the loop stops watching; the server's work goes on.
          out.line(status.token);
          out.note(
            `${fn} is running on the server. Follow it with: ${resumeCommand(status.token, fn)}`,
          );
          return ExitCode.Ok;
        }
      }
      // It finished at once: judge and print it like a waited-for call.
      out.final(fn, await operation.final, whole);
      return ExitCode.Ok;
    }, { onlyCalls });
  },
});
