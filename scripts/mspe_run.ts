/**
 * `mspe-run`: the command-line tool of mspe, and the entrypoint that `deno compile` turns into a
 * binary (`deno task compile`, `deno task compile:windows`). Static imports only.
 *
 * ```sh
 * deno run -P=mspe-run scripts/mspe_run.ts --help
 * ```
 *
 * @module
 */

import { runCli } from "../lib/cli/main.ts";
import { denoIo } from "../lib/cli/io/io.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, denoIo()));
}
