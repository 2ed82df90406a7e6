/**
 * Example 4 of the MailStore SPE PowerShell tutorial, in TypeScript: VerifyStore started in the
 * background, one line per status update, cancelled on request.
 *
 * ```powershell
 * $instances = (Invoke-MSApiCall $MSApiclient "GetInstances" @{instanceFilter = "*"}).result
 * $return = Start-MSApiCall $MSApiclient "VerifyStore" @{instanceID = $instances[0].instanceID; id = "1"}
 * if ($return.statusCode -eq "running") {
 *     $mssevent = Register-EngineEvent -SourceIdentifier $return.Token -Action {write-host $event.MessageData}
 * } else {
 *     $return | fl
 * # and to cancel it:
 * Stop-MSApiCall $MSApiclient -AsyncReturnObject $return
 * ```
 *
 * Run it on its own, or as `mspe-run example 4` (same flags). Ctrl-C cancels the call:
 *
 * ```sh
 * MSPE_PASSWORD=admin deno run -P=mspe-run scripts/example4.ts --username admin --insecure
 * ```
 *
 * @module
 */

import {
  CancelledError,
  type Client,
  invokeCall,
  startCall,
  type Status,
  stopCall,
} from "../mod.ts";
import type { OutputSink } from "../lib/cli/output/output.ts";
import { Interrupts } from "../lib/cli/io/interrupt.ts";
import { runExample } from "../lib/cli/standalone.ts";

/** When example 4 cancels the call. */
export interface Example4Options {
  /** Cancel the call when this signal aborts (Ctrl-C in mspe-run). */
  readonly cancel?: AbortSignal | undefined;
  /** Cancel the call once its progress reaches this percentage (to show cancelling). */
  readonly cancelAtPercent?: number | undefined;
}

/**
 * Example 4: starts VerifyStore, prints one line per status update (the `Register-EngineEvent`
 * action), and cancels it on request (`Stop-MSApiCall`). Resolves to the final status, which is
 * "succeeded", or "failed"/"cancelled" after a cancel; other failures reject.
 *
 * @example
 * ```ts ignore
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const final = await example4(client, out, { cancel: AbortSignal.timeout(2000) });
 * ```
 */
export async function example4(
  client: Client<"spe">,
  out: OutputSink,
  options: Example4Options = {},
): Promise<Status | null> {
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  const first = instances[0];
  if (first === undefined) {
    out.note("There are no instances, so there is no store to verify.");
    return null;
  }
  const operation = startCall(client, "VerifyStore", {
    instanceID: first.instanceID,
    id: 1,
    includeIndexes: false,
  });
  let cancelling: Promise<Status> | undefined;
  const cancel = (): void => {
    if (cancelling) return;
    out.note("Cancelling VerifyStore (Stop-MSApiCall) ...");
    cancelling = stopCall(client, operation);
  };
  options.cancel?.addEventListener("abort", cancel, { once: true });
  if (options.cancel?.aborted) cancel();
  try {
    for await (const status of operation) {
      out.status(status);
      const percent = status.percentProgress ?? 0;
      if (
        status.statusCode === "running" && options.cancelAtPercent !== undefined &&
        percent >= options.cancelAtPercent
      ) {
        cancel();
      }
    }
  } finally {
    options.cancel?.removeEventListener("abort", cancel);
  }
  await cancelling;
  try {
    return await operation.final;
  } catch (error) {
    // A cancel that was asked for is an expected end, not an error.
    if (error instanceof CancelledError && cancelling) return error.status;
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(
    await runExample(
      "example4.ts",
      "Example 4 of the tutorial: VerifyStore in the background, a line per update; Ctrl-C cancels it.",
      async (client, out, io) => {
        using interrupts = new Interrupts(io);
        const final = await example4(client, out, { cancel: interrupts.detach });
        return final === null || final.statusCode === "succeeded" ? 0 : 5;
      },
    ),
  );
}
