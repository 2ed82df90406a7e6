/**
 * Snapshotting 200 instances (issue 19, part 5): a seeded simulator (`--problems some`, 200
 * instances, 5 users and 3 stores each) served over HTTPS in this process, read by
 * `snapshotServer` at concurrency 8; then the file is served by a second simulator (`--state`)
 * and its start-up timed. Prints one Markdown row per round for bench/README.md: calls, seconds,
 * calls per second, file size, and the second simulator's start-up. Not a `deno bench` file
 * (it times a whole run): `deno run -A bench/snapshot_bench.ts [--rounds 3] [--anonymize]`.
 *
 * @module
 */

import { newClient } from "../mod.ts";
import { snapshotServer } from "../lib/mock/mod.ts";
import { serveMock } from "../lib/mock/mod.ts";

const INSTANCES = 200;

async function round(dir: string, anonymize: boolean): Promise<string> {
  await using original = await serveMock({ instances: INSTANCES, problems: "some", seed: 1 });
  await using client = await newClient({
    username: "admin",
    password: "admin",
    host: original.hostname,
    port: original.port,
    tls: { caCerts: [original.certificate!.caPem] },
    metadata: "bundled",
  });
  const started = performance.now();
  const snapshot = await snapshotServer(client, { concurrency: 8, anonymize });
  const seconds = (performance.now() - started) / 1000;
  const path = `${dir}/fleet.json`;
  await Deno.writeTextFile(path, snapshot.text);
  const bytes = (await Deno.stat(path)).size;
  const loading = performance.now();
  await using replica = await serveMock({ state: path });
  const loadMs = performance.now() - loading;
  void replica;
  return `| ${snapshot.instances}${anonymize ? ", --anonymize" : ""} | ${
    snapshot.calls.toLocaleString("en")
  } | ${seconds.toFixed(2)} s | ${Math.round(snapshot.calls / seconds).toLocaleString("en")} | ${
    (bytes / 1_048_576).toFixed(1)
  } MiB | ${snapshot.unread.length} | ${Math.round(loadMs)} ms |`;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--rounds");
  const rounds = at < 0 ? 1 : Number(Deno.args[at + 1] ?? 1);
  const dir = await Deno.makeTempDir({ prefix: "mspe-snapshot-bench-" });
  try {
    console.log(
      "| instances | calls | wall | calls/s | file | unread | replica start-up (--state) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- |");
    const anonymize = Deno.args.includes("--anonymize");
    for (let i = 0; i < rounds; i++) console.log(await round(dir, anonymize));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
