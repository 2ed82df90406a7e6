/**
 * mspe: a TypeScript client for the MailStore SPE Management API (and the MailStore Server
 * Administration API).
 *
 * @module
 */

export { newClient } from "./lib/client.ts";
export type { Client, ClientOptions, DefaultInstanceOf, ProductOf } from "./lib/client.ts";
export { invokeCall } from "./lib/invoke_call.ts";
export { startCall } from "./lib/start_call.ts";
export { stopCall, type StopOptions } from "./lib/stop_call.ts";
export { resumeCall, type ResumeOptions } from "./lib/resume_call.ts";
export type { Operation } from "./lib/operation.ts";
export type { CallArgs, CallOptions, CallParameters, CallParametersOf } from "./lib/call_types.ts";
export { uncheckedFunction } from "./lib/function_names.ts";
export type {
  ArgsByFunction,
  ArgumentValue,
  FunctionArgs,
  FunctionName,
  UncheckedArgs,
  UncheckedFunction,
} from "./lib/function_names.ts";
export { catalog } from "./lib/catalog.ts";
export * from "./lib/errors.ts";
export type * from "./lib/status.ts";
export type * from "./lib/metadata.ts";
export type * from "./lib/results.ts";
export type { TlsOptions } from "./lib/_transport.ts";
export type { SpeArgs, SpeFunctionName } from "./lib/_catalog/spe.ts";
export type { ServerArgs, ServerFunctionName } from "./lib/_catalog/server.ts";
