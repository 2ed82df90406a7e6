/**
 * Run by tests/fleet_test.ts under `ulimit -n 256`: GetUsers on every instance of the mock at
 * `port`, either through forEachInstance (`fleet`, concurrency 32) or with Promise.all over all of
 * them (`naive`, the control). Prints { limit, ok, failed, error? } as JSON.
 *
 * @module
 */

import { forEachInstance, invokeCall, newClient } from "../../mod.ts";
import { TEST_CA_PEM } from "../../lib/mock/_test_certificate.ts";

const [port, mode] = Deno.args;
const limits = await Deno.readTextFile("/proc/self/limits");
const limit = /^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? "unknown";
await using client = await newClient({
  username: "admin",
  password: "admin",
  host: "127.0.0.1",
  port: Number(port),
  tls: { caCerts: [TEST_CA_PEM] },
  metadata: "bundled",
});
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
