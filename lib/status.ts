/**
 * The status envelope that every invoke, get-status and cancel-async reply carries.
 *
 * @module
 */

/**
 * The value of `statusCode`. The server sends `succeeded`, `failed` or `running`; `cancelled` is
 * accepted because the final code after a cancel is not documented (protocol.md §10.2). Other strings
 * are passed through so that a newer server does not break the client.
 *
 * @example
 * ```ts
 * import type { StatusCode } from "@mspe/mspe";
 * const code: StatusCode = "running";
 * console.log(code === "running" ? "still working" : "done");
 * ```
 */
export type StatusCode =
  | "succeeded"
  | "failed"
  | "running"
  | "cancelled"
  | (string & Record<never, never>);

/**
 * The `error` member of a failed status.
 *
 * @example
 * ```ts
 * import type { ApiErrorInfo } from "@mspe/mspe";
 * const info: ApiErrorInfo = { message: "Missing API argument userName.", details: null };
 * console.log(info.message);
 * ```
 */
export interface ApiErrorInfo {
  /** The server's message, for example `Missing API argument userName.` */
  readonly message: string;
  /** The server-side exception text, when given. */
  readonly details: string | null;
}

/**
 * A status object: the whole reply envelope, keys in the server's order.
 *
 * @typeParam R The type of `result`.
 *
 * @example
 * ```ts
 * import type { Status } from "@mspe/mspe";
 * function describe(status: Status): string {
 *   return status.statusCode === "running"
 *     ? `${status.percentProgress ?? 0}% ${status.statusText ?? ""}`
 *     : status.statusCode;
 * }
 * ```
 */
export interface Status<R = unknown> {
  /** `null`, or the API-level failure. */
  readonly error: ApiErrorInfo | null;
  /** The token of a long-running call, `null` for a synchronous one. */
  readonly token: string | null;
  /** Goes up by one on every change of the status. */
  readonly statusVersion: number;
  /** `succeeded`, `failed`, `running` (or `cancelled`). */
  readonly statusCode: StatusCode;
  /** Progress of a long-running call, 0 to 100, or `null`. */
  readonly percentProgress: number | null;
  /** The current step of a long-running call, or `null`. */
  readonly statusText: string | null;
  /** The function's return value; `null` for functions that return nothing. */
  readonly result: R | null;
  /** Log text of a long-running call, or `null`. */
  readonly logOutput: string | null;
}
