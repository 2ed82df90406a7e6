/**
 * A simulator of the MailStore SPE Management API (and the MailStore Server Administration API) for
 * tests and for developing scripts without a real server: a Hono app with in-memory, seeded state,
 * long-running jobs, fault injection and request stats.
 *
 * Decisions where the real server's behaviour is unknown (protocol.md §10) are documented in
 * `lib/mock/README.md`.
 *
 * @example Start a mock and call it
 * ```ts
 * import { serveMock } from "@mspe/mspe/mock";
 * await using server = await serveMock({ instances: 2 });
 * console.log(server.url, server.certificate?.sha256);
 * ```
 *
 * @module
 */

export { createMockApp, type MockApp } from "./_app.ts";
export { type MockServer, serveMock, type ServeMockOptions } from "./_serve.ts";
export type {
  FaultController,
  FaultRule,
  MockJobsOptions,
  MockOptions,
  MockStats,
} from "./_options.ts";
export { SIMULATED_FUNCTIONS } from "./_functions.ts";
export type { JobsConfig, MockJobs } from "./_jobs.ts";
export type { Product } from "../metadata.ts";
export { type InstanceConfig, MockState, type MockStateOptions } from "./_state.ts";
export type * from "./_model.ts";
export type {
  MockDeletedMessage,
  MockDirectorySync,
  MockDirectoryUser,
  MockFolder,
  MockInstanceData,
  MockMessage,
  MockSmtpTest,
  MockStoreProperties,
} from "./_instance_data.ts";
export type {
  HistorySeed,
  InstanceActivity,
  MockJobResult,
  MockJobRun,
  MockProfile,
  MockWorkerResult,
  PlannedProblems,
  RunResult,
  SeedJob,
  SeedRun,
} from "./_history.ts";
export type {
  MockClientAccessServer,
  MockOutboxEntry,
  MockSession,
  SystemState,
} from "./_system_state.ts";
export { type MockCommandIo, runMockCommand } from "./cli.ts";
export { MOCK_FLAGS, type MockFlag, mockUsage } from "./_flags.ts";
export type { MockRequestLogEntry } from "./_request_log.ts";
export {
  isSecretField,
  type ServerSnapshot,
  SNAPSHOT_HISTORY_DAYS,
  SNAPSHOT_VERSION,
  type SnapshotGap,
  type SnapshotOptions,
  snapshotServer,
} from "./snapshot.ts";
