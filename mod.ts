/**
 * A TypeScript client for the MailStore SPE Management API and the MailStore Server Administration
 * API: the PowerShell wrapper's four functions ({@linkcode newClient}, {@linkcode invokeCall},
 * {@linkcode startCall}, {@linkcode stopCall}) plus {@linkcode resumeCall}, typed for every function,
 * with long-running calls as async iterators and one HTTP request per synchronous call.
 *
 * - Arguments are checked against the server's metadata before anything is sent (unknown function
 *   or argument with suggestions, missing mandatory arguments, wrong value types) and encoded as the
 *   API expects (booleans lowercase, JSON arguments as JSON text, lists comma-joined).
 * - Errors form one hierarchy under {@linkcode MspeError}; aborts and timeouts are the standard
 *   `AbortError` / `TimeoutError` `DOMException`s. No error or log ever shows the password.
 * - Certificates are verified; {@linkcode TlsOptions} add a private CA, pin a self-signed
 *   certificate, or (per client only) accept any certificate.
 * - Nothing hangs: every HTTP request has a time limit (`requestTimeoutMs`, two minutes by default;
 *   a `get-status` long poll gets `statusTimeoutMs` more), and an unknown token is a
 *   {@linkcode TokenExpiredError}.
 * - The whole fleet at once: {@linkcode forEachInstance} runs a callback for every instance that
 *   matches a filter, with at most `concurrency` in flight, and yields each outcome as it completes.
 *
 * The four examples of MailStore's PowerShell tutorial, in TypeScript:
 *
 * Example 1: call a function without arguments.
 * ```ts
 * import { invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({
 *   username: "admin",
 *   password: "admin",
 *   host: "localhost",
 *   port: 8474,
 *   tls: { ignoreInvalidCerts: true }, // -IgnoreInvalidSSLCerts; prefer caCerts or pinnedSha256
 * });
 * const status = await invokeCall(client, "GetEnvironmentInfo");
 * console.log(status); // { error: null, token: null, statusVersion: 2, statusCode: "succeeded", ... }
 * console.log(status.result?.version, status.result?.licenseeName);
 * ```
 *
 * Example 2: call functions with arguments: every user of every instance.
 * ```ts
 * import { invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? [];
 * for (const instance of instances) {
 *   const users = (await invokeCall(client, "GetUsers", { instanceID: instance.instanceID })).result ?? [];
 *   for (const user of users) {
 *     const info = await invokeCall(client, "GetUserInfo", {
 *       instanceID: instance.instanceID,
 *       userName: user.userName,
 *     });
 *     console.log(info.result);
 *   }
 * }
 * ```
 *
 * Example 3: wait for a call the server runs asynchronously; `invokeCall` follows it to the end.
 * ```ts
 * import { invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? [];
 * const status = await invokeCall(client, "VerifyStore", {
 *   instanceID: instances[0]!.instanceID,
 *   id: 1,
 *   includeIndexes: false,
 * });
 * console.log(status); // { token: "sa4c…", statusVersion: 152, statusCode: "succeeded", percentProgress: 100, ... }
 * ```
 *
 * Example 4: react to every status of an asynchronous call, then cancel it if needed.
 * ```ts
 * import { invokeCall, newClient, startCall, stopCall } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ?? [];
 * const operation = startCall(client, "VerifyStore", {
 *   instanceID: instances[0]!.instanceID,
 *   id: 1,
 *   includeIndexes: false,
 * });
 * let stopped = false;
 * for await (const status of operation) {
 *   console.log(status.statusVersion, status.statusCode, status.percentProgress, status.logOutput);
 *   if (!stopped && (status.percentProgress ?? 0) > 50) {
 *     stopped = true;
 *     await stopCall(client, operation); // Stop-MSApiCall; the loop goes on to the final status
 *   }
 * }
 * // The last status was the final one; `final` rejects with CancelledError if the stop took effect.
 * await operation.final.catch((error) => console.error(String(error)));
 * ```
 *
 * Example 2 for a fleet: the users of every instance, 16 instances at a time, one failure never
 * stopping the others.
 * ```ts
 * import { forEachInstance, invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const outcomes = forEachInstance(
 *   client,
 *   async (instanceID, { signal }) =>
 *     (await invokeCall(client, "GetUsers", { instanceID }, { signal })).result ?? [],
 *   { instances: "*", concurrency: 16 },
 * );
 * for await (const outcome of outcomes) {
 *   if (outcome.ok) console.log(outcome.instanceID, outcome.value.map((user) => user.userName));
 *   else console.error(`${outcome.instanceID}: ${outcome.error.message}`);
 * }
 * ```
 *
 * Tenants as code: what every instance should be in a state file ({@linkcode StateFile}, JSON or
 * YAML), what would change ({@linkcode planState}, read-only), and the changes made
 * ({@linkcode applyPlan}, each call sent at most once); {@linkcode exportState} writes what is there.
 * ```ts
 * import { applyPlan, newClient, parseStateFile, planState } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin" });
 * const desired = await parseStateFile(
 *   "version: 1\ninstances:\n  acme:\n    compliance: { legalHoldEnabled: true }\n",
 *   { file: "tenants.yaml" },
 * );
 * const plan = await planState(client, desired);
 * console.log(plan.summary); // { create: 0, change: 1, delete: 0 }
 * const applied = await applyPlan(client, plan);
 * console.log(applied.summary.done); // 1
 * ```
 *
 * @module
 */

export { newClient } from "./lib/client.ts";
export type {
  Client,
  ClientOptions,
  DefaultInstanceOf,
  KnownOptions,
  ProductOf,
} from "./lib/client.ts";
export type { TraceEvent } from "./lib/_trace.ts";
export { invokeCall } from "./lib/invoke_call.ts";
export { startCall } from "./lib/start_call.ts";
export { stopCall, type StopOptions } from "./lib/stop_call.ts";
export { resumeCall, type ResumeOptions } from "./lib/resume_call.ts";
export { checkCall, type CheckCallOptions, type CheckedCall } from "./lib/check_call.ts";
export {
  type FleetProgress,
  type FleetReportOptions,
  forEachInstance,
  type ForEachInstanceOptions,
  type InstanceContext,
  type InstanceOutcome,
  type InstanceOutcomeBase,
} from "./lib/fleet.ts";
export {
  type InstanceList,
  listInstances,
  type ListInstancesOptions,
} from "./lib/list_instances.ts";
export type { Operation } from "./lib/operation.ts";
export type { CallArgs, CallOptions, CallParameters, CallParametersOf } from "./lib/call_types.ts";
export { uncheckedFunction } from "./lib/function_names.ts";
export type {
  ArgsByFunction,
  ArgumentValue,
  FunctionArgs,
  FunctionName,
  ServerFunctionName,
  SpeFunctionName,
  UncheckedArgs,
  UncheckedFunction,
} from "./lib/function_names.ts";
export { catalog, findFunction } from "./lib/catalog.ts";
export * from "./lib/errors.ts";
export type * from "./lib/status.ts";
export type * from "./lib/metadata.ts";
export type * from "./lib/results.ts";
export type { TlsOptions } from "./lib/_tls_options.ts";
export {
  type CertificateInfo,
  type CertificateInfoOptions,
  getCertificateInfo,
} from "./lib/tls_info.ts";
export type { SpeArgs } from "./lib/_catalog/spe.ts";
export type { ServerArgs } from "./lib/_catalog/server.ts";
export {
  DEFAULT_HEALTH_RULES,
  HEALTH_FINDING_KINDS,
  type HealthFinding,
  type HealthFindingKind,
  type HealthReport,
  healthReport,
  type HealthReportOptions,
  type HealthRules,
  isAcknowledged,
  parseSince,
} from "./lib/health_report.ts";
export {
  checkAcknowledgementUntil,
  type HealthAcknowledgement,
  type HealthFindingAcknowledgement,
  parseAcknowledgements,
} from "./lib/health_acknowledgements.ts";
export {
  type InstanceUsage,
  type PreviousUsage,
  type UsageFigures,
  type UsageReport,
  usageReport,
  type UsageReportOptions,
  type UsageTotals,
} from "./lib/usage_report.ts";
export * from "./lib/desired_state/types.ts";
export {
  checkStateFile,
  parseStateFile,
  type ParseStateOptions,
  type StateFormat,
  stateFormatOf,
} from "./lib/desired_state/parse.ts";
export {
  type ChangeAction,
  type FieldChange,
  type PlannedChange,
  planState,
  type PlanStateOptions,
  type ResourceKind,
  SENT_WITH_CHANGE,
  SET_ONLY_ON_CREATE,
  type StatePlan,
  type TenantPlan,
} from "./lib/desired_state/plan.ts";
export {
  applyPlan,
  type ApplyPlanOptions,
  type ApplyResult,
  type ChangeOutcome,
  type ChangeResult,
} from "./lib/desired_state/apply.ts";
export {
  EXPORT_KINDS,
  type ExportKind,
  exportState,
  type ExportStateOptions,
  renderStateFile,
} from "./lib/desired_state/export.ts";
