/**
 * Run by tests/fleet_test.ts under `ulimit -n 256`: GetUsers on every instance of the mock at
 * `port`, either through forEachInstance (`fleet`, concurrency 32) or with Promise.all over all of
 * them (`naive`, the control). Prints { limit, ok, failed, error? } as JSON.
 *
 * @module
 */

import { forEachInstance, invokeCall } from "../../mod.ts";
import { mockClient, openFileLimit } from "./_ulimit.ts";

const [port, mode] = Deno.args;
const limit = await openFileLimit();
// The control sends every read once: a read sent again after running out of sockets would only
// measure retries, and it keeps Deno from opening /proc files it needs at that moment.
await using client = await mockClient(Number(port), mode === "naive" ? 0 : undefined);
let ok = 0;
let failed = 0;
let error: string | undefined;
const fail = (reason: unknown): void => {
  failed++;
  error ??= String(reason);
};
if (mode === "naive") {
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  await Promise.all(
    instances.map(({ instanceID }) =>
      invokeCall(client, "GetUsers", { instanceID }).then(() => ok++, fail)
    ),
  );
} else {
  const outcomes = forEachInstance(
    client,
    (instanceID, { signal }) => invokeCall(client, "GetUsers", { instanceID }, { signal }),
    { concurrency: 32 },
  );
  for await (const outcome of outcomes) {
    if (outcome.ok) ok++;
    else fail(outcome.error);
  }
}
console.log(
  JSON.stringify(error === undefined ? { limit, ok, failed } : { limit, ok, failed, error }),
);
