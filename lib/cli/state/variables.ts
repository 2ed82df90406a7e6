/**
 * The environment variables the `mspe-run` permission set allows besides the MSPE_ settings of
 * the settings table, each for `export`, `plan` and `apply`.
 *
 * Internal to the CLI.
 *
 * @module
 */

/**
 * `MSPE_SECRET_*`: the initial passwords a state file names as `{ env: "MSPE_SECRET_..." }` (a
 * prefix of their own, so that a state file cannot make mspe-run read any other variable).
 * `LOG_TOKENS` and `LOG_STREAM`: the yaml library reads them (its debug logging) on every parse,
 * and a denied read would end the command.
 */
export const STATE_VARIABLES = ["MSPE_SECRET_*", "LOG_TOKENS", "LOG_STREAM"] as const;
