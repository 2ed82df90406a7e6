/**
 * What a fleet run shows a person: its progress as the status the progress bar draws, and the
 * summary on stderr at the end.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { FleetProgress, Status } from "../../../mod.ts";
import { formatElapsed } from "../output/progress.ts";
import type { Output } from "../output/output.ts";
import { safeLine } from "../output/safe_text.ts";
import type { FailureRow } from "./rows.ts";

/**
 * The fan-out's progress as the status the progress bar draws: done/total, failed, rate and ETA.
 *
 * @example
 * ```ts
 * import { fleetStatus } from "./summary.ts";
 * console.log(fleetStatus({ done: 50, failed: 1, total: 200 }, 10_000).statusText);
 * // 50/200 instances · 1 failed · 5.0/s · ETA 0:30
 * ```
 */
export function fleetStatus(progress: FleetProgress, elapsedMs: number): Status {
  const { done, failed, total } = progress;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const parts = [`${done}/${total} instances`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (done > 0 && rate > 0) {
    parts.push(`${rate.toFixed(1)}/s`);
    parts.push(`ETA ${formatElapsed(((total - done) / rate) * 1000)}`);
  }
  return {
    error: null,
    token: null,
    statusVersion: done,
    statusCode: "running",
    percentProgress: total === 0 ? 100 : (done / total) * 100,
    statusText: parts.join(" · "),
    result: null,
    logOutput: null,
  };
}

/** The summary on stderr: each failed instance with its error, then the counts. */
export function summarize(
  out: Output,
  fn: string,
  total: number,
  failures: readonly FailureRow[],
  finished: number,
  elapsedMs: number,
): void {
  const time = `${(elapsedMs / 1000).toFixed(1)} s`;
  if (failures.length > 0) {
    const lines = failures.map((f) => `  ${safeLine(f.instanceID, 200)}: ${safeLine(f.callError)}`);
    out.error(
      `${fn} failed on ${failures.length} of ${total} instances:\n${lines.join("\n")}`,
    );
  }
  const notStarted = total - finished;
  out.note(
    `${fn}: ${finished - failures.length} of ${total} instances succeeded, ${failures.length} ` +
      `failed${notStarted > 0 ? `, ${notStarted} not started` : ""} (${time}).`,
  );
}
