/**
 * The options and control interfaces of the mock server.
 *
 * @module
 */

import type { Product } from "../metadata.ts";

/**
 * Settings of the long-running call engine (protocol.md §6).
 *
 * @example Jobs that step every 10 ms, and GetUsers always answered as a job
 * ```ts
 * import { createMockApp, type MockJobsOptions } from "@mspe/mspe/mock";
 * const jobs: MockJobsOptions = { stepMs: 10, steps: 3, forceAsync: ["GetUsers"] };
 * const app = createMockApp({ jobs });
 * app.close();
 * ```
 */
export interface MockJobsOptions {
  /** Function names always answered with `statusCode: "running"` and a token. */
  forceAsync?: string[];
  /** Milliseconds between two status changes of a job (default 250). `Infinity` waits for `jobs.step()`. */
  stepMs?: number;
  /** How many progress changes a job makes before its final status (default 4). */
  steps?: number;
  /** `cumulative` (default): every reply carries the whole log; `incremental`: only the lines added after `lastKnownStatusVersion`. */
  logOutput?: "cumulative" | "incremental";
  /** The final `statusCode` after cancel-async (default `failed`, with an error "The operation was canceled."). */
  cancelledStatusCode?: "failed" | "cancelled";
  /** How long get-status keeps answering after a job ended, in ms (default 300000); then 404. */
  tokenTtlMs?: number;
  /** GetInstances runs as a job when more than this many instances match (default 200). */
  getInstancesAsyncThreshold?: number;
}

/**
 * One fault-injection rule. Rules are checked in the order they were added; a rule matches a request
 * when its `path` (after `//` is collapsed) and its `function` (for `/api/invoke/<fn>`) match, or are
 * left out. Every matching `latency` rule adds its delay; of the other kinds the first matching rule
 * wins. `times` counts down on each hit; a rule with no `times` hits every matching request.
 *
 * What each kind does on the wire:
 * - `latency`: waits `latencyMs` before the request is handled.
 * - `http500` / `http503`: answers that status with an http.sys-style HTML page; the call has no effect.
 * - `drop-before-body`: sends the status line and headers (with the full Content-Length), then closes
 *   the connection without a byte of body.
 * - `drop-mid-body`: sends the headers and the first half of the body, then closes the connection.
 * - `malformed-json`: a 200 reply with BOM and a JSON text with a syntax error (correct Content-Length).
 * - `no-bom`: the normal reply without the UTF-8 BOM (correct Content-Length).
 * - `truncated`: the first half of the normal body, with a Content-Length that matches the half
 *   (well-formed HTTP, incomplete JSON).
 * - `unauthorized`: 401 with the Basic challenge, even for correct credentials; the call has no effect.
 * - `expire-token`: on get-status or cancel-async, the token's job is forgotten now and the reply is 404.
 * - `early-return`: a get-status long poll answers at once with the current status instead of waiting.
 *
 * @example The next two GetUsers calls fail with 503
 * ```ts
 * import type { FaultRule } from "@mspe/mspe/mock";
 * const rule: FaultRule = { kind: "http503", function: "GetUsers", times: 2 };
 * console.log(rule.kind);
 * ```
 */
export interface FaultRule {
  /** What goes wrong. */
  kind:
    | "latency"
    | "http500"
    | "http503"
    | "drop-before-body"
    | "drop-mid-body"
    | "malformed-json"
    | "no-bom"
    | "truncated"
    | "unauthorized"
    | "expire-token"
    | "early-return";
  /** Only requests to this path, e.g. `/api/get-status`. */
  path?: string;
  /** Only `/api/invoke/<function>` requests for this function, e.g. `GetUsers`. */
  function?: string;
  /** How many matching requests the rule hits (default: every one). */
  times?: number;
  /** The delay of a `latency` rule in ms. */
  latencyMs?: number;
}

/**
 * Adds and removes fault rules at run time.
 *
 * @example
 * ```ts
 * import { createMockApp } from "@mspe/mspe/mock";
 * const app = createMockApp();
 * app.faults.add({ kind: "unauthorized", times: 1 });
 * app.faults.clear();
 * app.close();
 * ```
 */
export interface FaultController {
  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): void;
  /** Removes every rule. */
  clear(): void;
}

/**
 * Live request counters of a mock server.
 *
 * @example Asserting that a call cost one request
 * ```ts
 * import { serveMock } from "@mspe/mspe/mock";
 * await using server = await serveMock({ http: true });
 * server.stats.reset();
 * // ... make one call ...
 * console.log(server.stats.requests, server.stats.byFunction["GetUsers"] ?? 0);
 * ```
 */
export interface MockStats {
  /** Every request received, including rejected ones. */
  requests: number;
  /** Requests per path, with `//` collapsed (e.g. `/api/invoke/GetUsers`, `/api/get-status`). */
  byPath: Record<string, number>;
  /** `/api/invoke/<fn>` requests per function name. */
  byFunction: Record<string, number>;
  /** Requests answered 401 (missing or wrong credentials, or an `unauthorized` fault). */
  authFailures: number;
  /** get-status requests waiting right now. */
  openLongPolls: number;
  /** Jobs whose status is `running` right now. */
  runningJobs: number;
  /** Sets every counter (except the live gauges) back to zero. */
  reset(): void;
}

/**
 * Options of {@linkcode createMockApp}.
 *
 * @example A small SPE with fixed content
 * ```ts
 * import { createMockApp, type MockOptions } from "@mspe/mspe/mock";
 * const options: MockOptions = { seed: 7, instances: 2, usersPerInstance: 3, storesPerInstance: 2 };
 * const app = createMockApp(options);
 * app.close();
 * ```
 */
export interface MockOptions {
  /** `spe` (default) or `server` (MailStore Server: GetServerInfo, no instanceID). */
  product?: Product;
  /** The accepted user name (default `admin`). */
  username?: string;
  /** The accepted password (default `admin`). */
  password?: string;
  /** Seed of the generated content (default 1). The same seed gives the same state. */
  seed?: number;
  /** Number of instances (SPE; default 3). */
  instances?: number;
  /** Users per instance besides `$archiveadmin` (default 5). */
  usersPerInstance?: number;
  /** Archive stores per instance (default 3). */
  storesPerInstance?: number;
  /** Added to every request, in ms (default 0). */
  latencyMs?: number;
  /** The realm of the 401 challenge (default `MailStore`). */
  realm?: string;
  /**
   * Answer `get-metadata` without checking the credentials (default `false`), as MailStore Server
   * may do (protocol.md §3 and §10.6); every other path still needs them. For testing clients that
   * must not take a get-metadata reply as proof of the password.
   */
  metadataWithoutAuth?: boolean;
  /** The long-running call engine. */
  jobs?: MockJobsOptions;
  /** Fault rules active from the start. */
  faults?: FaultRule[];
  /**
   * How many problems the seeded SPE has for a health check to find (stopped instances, store
   * errors, stores that need an upgrade, indexes that need a rebuild, failing and recovered
   * profiles, service warnings): `none` (a healthy SPE: not even a run fails by chance), `some`
   * (default, one case of each) or `many`.
   */
  problems?: "none" | "some" | "many";
  /**
   * Recorded failures of real servers to reproduce (default `none`). `spe-25.3.1`:
   * GetFolderStatistics fails with "Nullable object must have a value.", so does GetWorkerResults
   * over more than 31 days, and an optional argument sent as `0` or `""` is refused (it must be
   * left out). Each is described, with its source, in the simulator's README.
   */
  quirks?: "none" | "spe-25.3.1";
}
