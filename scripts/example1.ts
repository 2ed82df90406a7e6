/**
 * Example 1 of the MailStore SPE PowerShell tutorial, in TypeScript: call GetEnvironmentInfo and
 * print the whole status object, as `$return | fl` does.
 *
 * ```powershell
 * $MSApiClient = New-MSApiClient -Username "admin" -Password "admin" -ManagementServer "localhost" -Port 8474 -IgnoreInvalidSSLCerts
 * $return = Invoke-MSApiCall $MSApiClient "GetEnvironmentInfo"
 * $return | fl
 * ```
 *
 * Run it on its own, or as `mspe-run example 1` (same flags):
 *
 * ```sh
 * MSPE_PASSWORD=admin deno run -P=mspe-run scripts/example1.ts --username admin --insecure
 * ```
 *
 * @module
 */

import { type Client, invokeCall } from "../mod.ts";
import type { OutputSink } from "../lib/cli/output/output.ts";
import { runExample } from "../lib/cli/standalone.ts";

/**
 * Example 1: GetEnvironmentInfo. The status object has the result (version, licensee, server name,
 * system properties) and the envelope around it (statusCode, statusVersion, ...).
 *
 * @example
 * ```ts ignore
 * await using client = await newClient({ username: "admin", password: "admin" });
 * await example1(client, out);
 * ```
 */
export async function example1(client: Client<"spe">, out: OutputSink): Promise<void> {
  const result = await invokeCall(client, "GetEnvironmentInfo");
  out.show(result);
}

if (import.meta.main) {
  Deno.exit(
    await runExample(
      "example1.ts",
      "Example 1 of the tutorial: GetEnvironmentInfo, printed like `$return | fl`.",
      (client, out) => example1(client, out),
    ),
  );
}
