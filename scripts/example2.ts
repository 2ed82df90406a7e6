/**
 * Example 2 of the MailStore SPE PowerShell tutorial, in TypeScript: every instance, every user of
 * each instance, and the details of each user.
 *
 * ```powershell
 * $instances = (Invoke-MSApiCall $MSApiclient "GetInstances" @{instanceFilter = "*"}).result
 * foreach ($instance in $instances) {
 *     $users = (Invoke-MSApiCall $MSapiclient "GetUsers" @{instanceID = $instance.instanceID}).result
 *     foreach ($user in $users) {
 *         (Invoke-MSApiCall $MSapiclient "GetUserInfo" @{instanceID = $instance.instanceID; userName = $user.userName}).result | fl
 * ```
 *
 * Run it on its own, or as `mspe-run example 2` (same flags):
 *
 * ```sh
 * MSPE_PASSWORD=admin deno run -P=mspe-run scripts/example2.ts --username admin --insecure
 * ```
 *
 * @module
 */

import { ApiError, type Client, invokeCall } from "../mod.ts";
import type { OutputSink } from "../lib/cli/output/output.ts";
import { runExample } from "../lib/cli/standalone.ts";

/**
 * Example 2: GetInstances, then GetUsers and GetUserInfo for each user of each instance. An instance
 * whose users cannot be read (stopped, or service provider access off) is reported and skipped.
 *
 * @example
 * ```ts ignore
 * await using client = await newClient({ username: "admin", password: "admin" });
 * await example2(client, out);
 * ```
 */
export async function example2(client: Client<"spe">, out: OutputSink): Promise<void> {
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  for (const instance of instances) {
    let users;
    try {
      users = (await invokeCall(client, "GetUsers", { instanceID: instance.instanceID })).result ??
        [];
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      out.note(`Skipping instance ${instance.instanceID}: ${error.message}`);
      continue;
    }
    for (const user of users) {
      const info = await invokeCall(client, "GetUserInfo", {
        instanceID: instance.instanceID,
        userName: user.userName,
      });
      out.show(info.result);
    }
  }
}

if (import.meta.main) {
  Deno.exit(
    await runExample(
      "example2.ts",
      "Example 2 of the tutorial: the details of every user of every instance.",
      (client, out) => example2(client, out),
    ),
  );
}
