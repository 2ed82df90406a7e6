/**
 * What a failed instance's row says (fleet/rows.ts): its error on one line, and whether the call
 * may have run all the same, which decides what `--rerun-failed` sends again. A call that may have
 * run is never sent again without `--rerun-uncertain`: at most once holds across reruns too.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { terminationName } from "../io/io.ts";
import { ApiError, ConnectionError, HttpError } from "../../errors.ts";
import { describeError, isAbort, isTimeout } from "../exit_codes.ts";
import type { InterruptKind } from "../io/interrupt.ts";
import { safeLine } from "../output/safe_text.ts";
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from "../session/timeouts.ts";
import { UsageError } from "../usage_error.ts";
import type { CallOutcome, FailureRow } from "./rows.ts";
import type { EarlierRun } from "./selection.ts";

/** What ended an instance's call besides its own error. */
export interface FailureContext {
  /** `--timeout` for the whole run. */
  readonly deadline: AbortSignal | undefined;
  /** Ctrl-C or SIGTERM, when the run was stopped. */
  readonly stoppedBy: InterruptKind | undefined;
  /** `--instance-timeout`, as given (seconds), when set. */
  readonly instanceTimeout: string | undefined;
}

/**
 * The `callError` and `callOutcome` of an instance whose call did not succeed.
 *
 * @example
 * ```ts
 * import { instanceFailure } from "./failures.ts";
 * import { ConnectionError } from "../../errors.ts";
 * const broken = new ConnectionError("broke after sending", { mayHaveRun: true });
 * instanceFailure(broken, { deadline: undefined, stoppedBy: undefined, instanceTimeout: undefined });
 * // { callError: "broke after sending", callOutcome: "may-have-run" }
 * ```
 */
export function instanceFailure(
  error: unknown,
  context: FailureContext,
): { callError: string; callOutcome: CallOutcome } {
  // The second Ctrl-C (or SIGTERM) aborts the calls in flight; the server may have done the work.
  if (isAbort(error)) {
    const by = context.stoppedBy === "terminate"
      ? `when asked to stop (${terminationName()})`
      : "with Ctrl-C";
    return {
      callError: `Aborted ${by} before the reply came; it may have run anyway.`,
      callOutcome: "may-have-run",
    };
  }
  if (isTimeout(error)) {
    const which = context.deadline?.aborted
      ? "Timed out: --timeout ran out before the call ended."
      : context.instanceTimeout !== undefined
      ? `Timed out: --instance-timeout (${context.instanceTimeout} s) ran out on this instance.`
      : `Timed out: no reply within the per-request limit (${DEFAULT_REQUEST_TIMEOUT_SECONDS} s).`;
    return { callError: which, callOutcome: "may-have-run" };
  }
  const callError = describeError(error);
  if (error instanceof ConnectionError) {
    return { callError, callOutcome: error.mayHaveRun ? "may-have-run" : "not-sent" };
  }
  // A gateway's 502 or 504: the request may have reached the server behind it.
  if (error instanceof HttpError) {
    const gateway = error.status === 502 || error.status === 504;
    return { callError, callOutcome: gateway ? "may-have-run" : "failed" };
  }
  return { callError, callOutcome: "failed" };
}

/** What `--rerun-failed` sends again, and what it holds back with a reason. */
export interface RerunPlan {
  /** The instances to call again. */
  readonly ids: string[];
  /** The rows of the calls that may have run, not sent again (they stay in the new output). */
  readonly heldBack: FailureRow[];
  /** What to tell the person about them: each instance, and how to check it. */
  readonly warning: string;
}

/**
 * Plans a rerun from an earlier run's output: refused for another function or server; the calls
 * that may have run are held back unless `uncertainToo` (`--rerun-uncertain`, or a read-only
 * function, which may always be sent again).
 *
 * @example
 * ```ts ignore
 * const plan = rerunPlan(earlier, { fn: "SetUserFullName", server: "spe1:8474", uncertainToo: false });
 * ```
 */
export function rerunPlan(
  earlier: EarlierRun,
  call: { readonly fn: string; readonly server: string; readonly uncertainToo: boolean },
): RerunPlan {
  const { header } = earlier;
  if (header.function !== call.fn) {
    throw new UsageError(
      `The --rerun-failed file is the output of ${
        safeLine(header.function, 80)
      }, not ${call.fn}: ` +
        `rerun it with mspe-run call ${safeLine(header.function, 80)} --rerun-failed <file>.`,
    );
  }
  if (header.server !== call.server) {
    throw new UsageError(
      `The --rerun-failed file comes from ${safeLine(header.server, 80)}, not ${call.server}: ` +
        "give the connection flags (or --profile) of that server.",
    );
  }
  const ids = earlier.safe.map((row) => row.instanceID);
  if (call.uncertainToo) {
    return {
      ids: [...ids, ...earlier.uncertain.map((row) => row.instanceID)],
      heldBack: [],
      warning: "",
    };
  }
  const heldBack = earlier.uncertain.map((row): FailureRow => ({
    instanceID: row.instanceID,
    callError: `Not sent again: it may have run (${row.callError})`,
    callOutcome: "may-have-run",
  }));
  const lines = earlier.uncertain.map((row) =>
    `  ${safeLine(row.instanceID, 200)}: ${safeLine(row.callError, 300)}`
  );
  return {
    ids,
    heldBack,
    warning: `${heldBack.length} call${heldBack.length === 1 ? "" : "s"} of ${call.fn} may have ` +
      "run (sent, and no answer came), so they are not sent again:\n" + lines.join("\n") +
      `\nCheck each on the server; then --rerun-uncertain sends them again.`,
  };
}

/**
 * Whether a write failed because the reader went away (a pipe into `head`).
 *
 * @example
 * ```ts
 * import { isClosedOutput } from "./failures.ts";
 * isClosedOutput(new Deno.errors.BrokenPipe("closed")); // true
 * ```
 */
export function isClosedOutput(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe ||
    (error instanceof Error && (error as { code?: unknown }).code === "EPIPE");
}

/**
 * The whole answer behind an error's one line, when there is more to it: an HTTP error's page, an
 * API error's exception text.
 *
 * @example
 * ```ts
 * import { errorDetails } from "./failures.ts";
 * import { HttpError } from "../../errors.ts";
 * errorDetails(new HttpError(503, "<html>", "/api/invoke/GetUsers", { details: "<html>…</html>" }));
 * ```
 */
export function errorDetails(error: unknown): string | undefined {
  if (!(error instanceof HttpError) && !(error instanceof ApiError)) return undefined;
  const details = error.details;
  return typeof details === "string" && details !== "" && details !== error.message
    ? details
    : undefined;
}
