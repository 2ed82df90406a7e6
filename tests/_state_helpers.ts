/**
 * What the tests of tenants as code share: a plan as lines, a plan of a file given as an object,
 * a state file written to a temporary folder, and the simulator's login.
 *
 * @module
 */

import { join } from "node:path";
import type { Client } from "../lib/client.ts";
import { parseStateFile } from "../lib/desired_state/parse.ts";
import { planState, type StatePlan } from "../lib/desired_state/plan.ts";

/** The simulator's default login, as MSPE_ variables. */
export const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" } as const;

/** Each change of a plan as one line: `instance kind resource action: field=new, ...`. */
export function lines(plan: StatePlan): string[] {
  return plan.tenants.flatMap((tenant) =>
    tenant.changes.map((c) =>
      `${c.instanceID} ${c.kind} ${c.resource} ${c.action}: ${
        c.fields.map((f) => `${f.field}=${JSON.stringify(f.new)}`).join(", ")
      }`
    )
  );
}

/** Plans a state file given as an object. */
export async function planOf(client: Client, file: unknown): Promise<StatePlan> {
  return await planState(client, await parseStateFile(JSON.stringify(file), { file: "t.json" }));
}

/** Writes a state file given as an object to a new temporary folder; returns its path. */
export async function writeState(file: unknown): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "mspe-state-" });
  const path = join(dir, "t.json");
  await Deno.writeTextFile(path, JSON.stringify(file));
  return path;
}
