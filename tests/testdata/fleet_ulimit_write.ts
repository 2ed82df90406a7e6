/**
 * Run by tests/fleet_ulimit_write_test.ts under `ulimit -n 256`: on every instance of the mock at
 * `port`, through forEachInstance at concurrency 32: GetUsers (reads, on the pooled connections),
 * then SetUserFullName (state-changing calls, each on a connection of its own) for the first user
 * that is not `$archiveadmin`. Prints { limit, ok, failed, peakSockets, error? } as JSON, where
 * peakSockets is the most sockets the process held during the second pass.
 *
 * @module
 */

import { forEachInstance, invokeCall } from "../../mod.ts";
import { mockClient, openFileLimit } from "./_ulimit.ts";

const [port, fullName = "Renamed"] = Deno.args;
const limit = await openFileLimit();
await using client = await mockClient(Number(port));
// First pass, reads: the user to rename on each instance.
const names = new Map<string, string>();
for await (
  const outcome of forEachInstance(
    client,
    (instanceID, { signal }) => invokeCall(client, "GetUsers", { instanceID }, { signal }),
    { concurrency: 32 },
  )
) {
  const user = outcome.ok
    ? outcome.value.result?.find(({ userName }) => userName !== "$archiveadmin")
    : undefined;
  if (user !== undefined) names.set(outcome.instanceID, user.userName);
}

/** The sockets this process holds now (Linux). */
function sockets(): number {
  let count = 0;
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      if (Deno.readLinkSync(`/proc/self/fd/${entry.name}`).startsWith("socket:")) count++;
    } catch {
      // Closed meanwhile.
    }
  }
  return count;
}

// Second pass, only state-changing calls, back to back: each on a connection of its own, so the
// sockets held are the pooled ones of the first pass plus those of the calls in flight.
let ok = 0;
let failed = 0;
let error: string | undefined;
let peakSockets = 0;
const sampler = setInterval(() => peakSockets = Math.max(peakSockets, sockets()), 2);
const outcomes = forEachInstance(
  client,
  (instanceID, { signal }) =>
    invokeCall(
      client,
      "SetUserFullName",
      { instanceID, userName: names.get(instanceID) ?? "nobody", fullName },
      { signal },
    ),
  { concurrency: 32 },
);
for await (const outcome of outcomes) {
  if (outcome.ok) ok++;
  else {
    failed++;
    error ??= String(outcome.error);
  }
}
clearInterval(sampler);
console.log(
  JSON.stringify({ limit, ok, failed, peakSockets, ...(error === undefined ? {} : { error }) }),
);
