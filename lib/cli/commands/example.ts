/**
 * `mspe-run example <1-4>`: the four examples of the MailStore SPE PowerShell tutorial.
 * Internal to the CLI; the examples themselves are in `scripts/example1.ts` ... `example4.ts`.
 *
 * @module
 */

import { example1 } from "../../../scripts/example1.ts";
import { example2 } from "../../../scripts/example2.ts";
import { example3 } from "../../../scripts/example3.ts";
import { example4 } from "../../../scripts/example4.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { Interrupts } from "../io/interrupt.ts";
import { withExampleClient } from "../standalone.ts";
import { UsageError } from "../usage_error.ts";
import { HELP_FLAGS, SERVER_FLAGS } from "../settings/flags.ts";

/** `mspe-run example`. */
export const exampleCommand = defineCommand({
  name: "example",
  summary: "Run one of the four examples of the PowerShell tutorial.",
  usage: "mspe-run example <1-4> [flags]",
  description: `  1  GetEnvironmentInfo, printed like \`$return | fl\`.
  2  GetInstances, then GetUsers and GetUserInfo for each user of each instance.
  3  VerifyStore on the first instance, waiting for the final result (progress on stderr).
  4  VerifyStore started in the background, one line per status update; Ctrl-C cancels it
     (exit code 5), as Stop-MSApiCall does. --cancel-at <percent> cancels it by itself.
The code is in scripts/example1.ts ... example4.ts; each also runs on its own with deno run.`,
  flags: {
    ...HELP_FLAGS,
    "cancel-at": {
      type: "string",
      value: "<percent>",
      help: "Example 4 only: cancel the call once its progress reaches this percentage.",
    },
    ...SERVER_FLAGS,
  },
  examples: [
    "# PowerShell",
    "$env:MSPE_PASSWORD = 'admin'; mspe-run example 1 --username admin --insecure",
    "# sh, bash, zsh",
    "MSPE_PASSWORD=admin mspe-run example 1 --username admin --insecure",
    "# Any shell",
    "mspe-run example 2 --host spe.example.com --username admin --ca-cert company-ca.pem",
    "mspe-run example 4 --username admin --pin-sha256 AB:CD:...:EF --cancel-at 50",
  ],
  run(parsed, io) {
    const [which, ...extra] = parsed.positionals;
    if (which === undefined || !/^[1-4]$/.test(which) || extra.length > 0) {
      throw new UsageError("Name one example: mspe-run example 1, 2, 3 or 4.");
    }
    const cancelAtText = parsed.string("cancel-at");
    let cancelAtPercent: number | undefined;
    if (cancelAtText !== undefined) {
      cancelAtPercent = Number(cancelAtText);
      if (which !== "4") throw new UsageError("--cancel-at is for example 4 only.");
      if (!/^\d+(\.\d+)?$/.test(cancelAtText) || cancelAtPercent > 100) {
        throw new UsageError(
          "--cancel-at takes a percentage from 0 to 100, such as --cancel-at 50.",
        );
      }
    }
    return withExampleClient(parsed, io, async (client, out) => {
      switch (which) {
        case "1":
          await example1(client, out);
          return ExitCode.Ok;
        case "2":
          await example2(client, out);
          return ExitCode.Ok;
        case "3":
          await example3(client, out);
          return ExitCode.Ok;
        default: {
          using interrupts = new Interrupts(io);
          const final = await example4(client, out, { cancel: interrupts.detach, cancelAtPercent });
          if (final === null || final.statusCode === "succeeded") return ExitCode.Ok;
          out.note("VerifyStore was cancelled, as asked.");
          return ExitCode.Cancelled;
        }
      }
    });
  },
});
