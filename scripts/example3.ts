/**
 * Example 3 of the MailStore SPE PowerShell tutorial, in TypeScript: VerifyStore on the first
 * instance, waiting for the final result of the long-running call.
 *
 * ```powershell
 * $instances = (Invoke-MSApiCall $MSApiclient "GetInstances" @{instanceFilter = "*"}).result
 * $return = Invoke-MSApiCall $MSApiclient "VerifyStore" @{instanceID = $instances[0].instanceID; id = "1"}
 * $return | fl
 * ```
 *
 * Run it on its own, or as `mspe-run example 3` (same flags):
 *
 * ```sh
 * MSPE_PASSWORD=admin deno run -P=mspe-run scripts/example3.ts --username admin --insecure
 * ```
 *
 * @module
 */

import { type Client, invokeCall, type Status } from "../mod.ts";
import type { OutputSink } from "../lib/cli/output/output.ts";
import { runExample } from "../lib/cli/standalone.ts";

/**
 * Example 3: VerifyStore on store 1 of the first instance. `invokeCall` follows the long-running
 * call to its end (progress goes to `out.progress`) and resolves to the final status, which is
 * printed like `$return | fl`.
 *
 * @example
 * ```ts ignore
 * await using client = await newClient({ username: "admin", password: "admin" });
 * await example3(client, out);
 * ```
 */
export async function example3(client: Client<"spe">, out: OutputSink): Promise<Status | null> {
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  const first = instances[0];
  if (first === undefined) {
    out.note("There are no instances, so there is no store to verify.");
    return null;
  }
  const result = await invokeCall(
    client,
    "VerifyStore",
    { instanceID: first.instanceID, id: 1, includeIndexes: false },
    { onStatus: (status) => out.progress("VerifyStore", status) },
  );
  out.show(result);
  return result;
}

if (import.meta.main) {
  Deno.exit(
    await runExample(
      "example3.ts",
      "Example 3 of the tutorial: VerifyStore, waiting for the final result.",
      async (client, out) => {
        await example3(client, out);
      },
    ),
  );
}
