/**
 * Shared by the open-file-limit tests: running a script under `ulimit -n`, and (inside that
 * script) reading the limit and opening the client.
 *
 * @module
 */

import { type Client, newClient } from "../../mod.ts";
import { TEST_CA_PEM } from "../../lib/mock/_test_certificate.ts";
import { type ProcessResult, runToEnd } from "../_run.ts";

/**
 * Why the open-file-limit tests do not run on Windows: it has no per-process limit on open files
 * to lower (no `ulimit -n`; sockets are handles, counted in the millions), so the bound they check
 * guards against a failure that cannot happen there.
 */
export const NO_FILE_LIMIT: boolean = Deno.build.os === "windows";

/** What a script run under a lowered open-file limit ended with. */
export type LimitedRun = ProcessResult;

/**
 * Runs `deno run -A <script> <args>` in `cwd` under `ulimit -n <limit>`: in bash, because Deno
 * cannot lower its own children's limits.
 */
export async function runUnderFileLimit(
  limit: number,
  cwd: string,
  script: string,
  args: readonly (string | number)[],
): Promise<LimitedRun> {
  const deno = Deno.execPath().replaceAll("'", "");
  return await runToEnd("bash", {
    args: ["-c", `ulimit -n ${limit} && exec '${deno}' run -q -A '${script}' ${args.join(" ")}`],
    cwd,
  });
}

/** This process's open-file limit as /proc says it, for the scripts to report. */
export async function openFileLimit(): Promise<string> {
  const limits = await Deno.readTextFile("/proc/self/limits");
  return /^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? "unknown";
}

/** A client of the test mock on 127.0.0.1:`port`, with the bundled catalogue (no metadata call). */
export function mockClient(port: number, retries?: number): Promise<Client<"spe", null>> {
  return newClient({
    ...(retries === undefined ? {} : { retries }),
    username: "admin",
    password: "admin",
    host: "127.0.0.1",
    port,
    tls: { caCerts: [TEST_CA_PEM] },
    metadata: "bundled",
  });
}
