/**
 * Tenants as code on many tenants (issue 20): export, plan, apply and the plan after it, against
 * the simulator with N instances of U users each, over HTTPS. Per step: requests sent (the mock's
 * count), seconds, and the process's peak resident memory (VmHWM) after it. The mock runs in this
 * process (its work shares the JavaScript thread, so the seconds are an upper bound for the
 * client's own cost); the changed file touches every tenant: its display name, one user's full
 * name and its compliance configuration.
 *
 * Not a `deno bench` file (so not named `_bench.ts`): it times whole runs. Run it with
 * `deno run -A bench/state_scale.ts [--instances 200] [--users 50] [--concurrency 8]` (the defaults:
 * the 200 tenants of 50 users, at the library's default concurrency); it prints a Markdown
 * table for bench/README.md.
 *
 * @module
 */

import { applyPlan, exportState, parseStateFile, planState, renderStateFile } from "../mod.ts";
import { DEFAULT_CONCURRENCY } from "../lib/fleet.ts";
import { clientFor, startMock } from "../tests/_helpers.ts";

function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
}

const INSTANCES = option("instances", 200);
const USERS = option("users", 50);
const CONCURRENCY = option("concurrency", DEFAULT_CONCURRENCY);

/** The resident set's high-water mark in MiB (Linux), else the resident set now. */
function peakMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    if (Number.isFinite(kib)) return kib / 1024;
  } catch {
    // Not Linux: the resident set now is the nearest figure.
  }
  return Deno.memoryUsage().rss / 1024 / 1024;
}

await using mock = await startMock({ instances: INSTANCES, usersPerInstance: USERS });
await using client = await clientFor(mock);
const rows: string[] = [];

async function step<T>(name: string | ((value: T) => string), run: () => Promise<T>): Promise<T> {
  mock.stats.reset();
  const started = performance.now();
  const value = await run();
  const seconds = (performance.now() - started) / 1000;
  const { requests } = mock.stats;
  rows.push(
    `| ${typeof name === "string" ? name : name(value)} | ${requests.toLocaleString("en")} | ${
      (requests / INSTANCES).toFixed(1)
    } | ${seconds.toFixed(2)} | ${peakMiB().toFixed(0)} |`,
  );
  return value;
}

const exported = await step("export", () => exportState(client, { concurrency: CONCURRENCY }));
const yaml = await renderStateFile(exported, "yaml");
const unchanged = await parseStateFile(yaml, { file: "tenants.yaml" });
const same = await step(
  "plan, no change",
  () => planState(client, unchanged, { concurrency: CONCURRENCY }),
);
if (same.summary.change + same.summary.create + same.summary.delete !== 0) {
  throw new Error(`export then plan planned changes: ${JSON.stringify(same.summary)}`);
}
// Every tenant changed in three places.
const changed = structuredClone(exported) as unknown as {
  instances: Record<string, Record<string, unknown>>;
};
for (const tenant of Object.values(changed.instances)) {
  const instance = tenant.instance as Record<string, unknown> | undefined;
  if (instance !== undefined) instance.displayName = `${instance.displayName} (changed)`;
  const users = tenant.users as Record<string, unknown>[] | undefined;
  if (users?.[0] !== undefined) users[0].fullName = "Changed Name";
  if (tenant.compliance !== undefined) tenant.compliance = { legalHoldEnabled: true };
}
const desired = await parseStateFile(JSON.stringify(changed), { file: "tenants.json" });
const plan = await step(
  "plan, 3 changes per tenant",
  () => planState(client, desired, { concurrency: CONCURRENCY }),
);
const applied = await step(
  (result) => `apply (${result.summary.done} changes)`,
  () => applyPlan(client, plan, { concurrency: CONCURRENCY }),
);
if (applied.summary.done !== plan.summary.change) {
  throw new Error(`apply: ${JSON.stringify(applied.summary)} for ${JSON.stringify(plan.summary)}`);
}
const after = await step(
  "plan after apply",
  () => planState(client, desired, { concurrency: CONCURRENCY }),
);
if (after.summary.change !== 0) throw new Error("the plan after apply is not empty");

console.log(
  `${INSTANCES} instances x ${USERS} users, concurrency ${CONCURRENCY}, ${
    (yaml.length / 1024 / 1024).toFixed(1)
  } MiB of YAML, ${plan.summary.change} changes\n`,
);
console.log("| Step | Requests | Per instance | Seconds | Peak RSS (MiB) |");
console.log("| ---- | -------- | ------------ | ------- | -------------- |");
for (const row of rows) console.log(row);
