/**
 * The version of mspe-run, read from deno.json at build time (a static JSON import, so that
 * `deno compile` embeds it and no file is read at run time).
 *
 * Internal to the CLI.
 *
 * @module
 */

import config from "../../deno.json" with { type: "json" };

/**
 * The package version, such as "0.1.0".
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(`mspe-run ${VERSION}`);
 * ```
 */
export const VERSION: string = config.version;

/**
 * The `--version` line: the package version and the Deno runtime it runs on.
 *
 * @example
 * ```ts
 * import { versionLine } from "./version.ts";
 * console.log(versionLine()); // mspe-run 0.1.0 (Deno 2.9.6, x86_64-unknown-linux-gnu)
 * ```
 */
export function versionLine(): string {
  return `mspe-run ${VERSION} (Deno ${Deno.version.deno}, ${Deno.build.target})`;
}
