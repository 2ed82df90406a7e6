/**
 * What every simulated function is made of: the call context, the {@linkcode Simulation} shape, the
 * {@linkcode Deferred} result of a job, and the lookups most handlers start with. The tables of
 * simulations (`_functions*.ts`) import this module, so that none of them imports another.
 *
 * @module
 */

import type { Args } from "./_args.ts";
import type { JobsConfig } from "./_jobs.ts";
import type { MockInstance, MockStore, MockUser } from "./_model.ts";
import type { MockState } from "./_state.ts";
import { ApiFault } from "./_wire.ts";

/** What a handler sees. */
export interface CallContext {
  /** The function name. */
  fn: string;
  /** The checked arguments. */
  args: Args;
  /** The state. */
  state: MockState;
  /** The instance named by `instanceID` (SPE) or the hidden server instance; null for management functions. */
  instance: MockInstance | null;
  /** The authenticated user name. */
  username: string;
  /** The job settings. */
  jobs: JobsConfig;
}

/** A result computed later: when the call runs as a job, at its end; otherwise at once. */
export class Deferred {
  /** Wraps the computation. */
  constructor(readonly run: () => unknown) {}
}

/** One simulated function. */
export interface Simulation {
  /** Validates (throwing {@linkcode ApiFault}) and returns the result or a {@linkcode Deferred}. */
  handle(ctx: CallContext): unknown;
  /** When set, the call runs as a job if this returns a label; null means synchronous. */
  job?: (ctx: CallContext) => string | null;
}

/** The instance of an instance-scoped call. */
export function inst(ctx: CallContext): MockInstance {
  if (ctx.instance === null) throw new ApiFault("This function needs an instance.");
  return ctx.instance;
}

/** The user named `name` (case-insensitive) of the call's instance. */
export function userOf(ctx: CallContext, name: string): MockUser {
  const user = ctx.state.users(inst(ctx)).get(name.toLowerCase());
  if (user === undefined) throw new ApiFault(`User '${name}' does not exist.`);
  return user;
}

/** The archive store with this ID of the call's instance. */
export function storeOf(ctx: CallContext, id: number): MockStore {
  const store = ctx.state.stores(inst(ctx)).find((candidate) => candidate.id === id);
  if (store === undefined) throw new ApiFault(`Archive store with ID ${id} does not exist.`);
  return store;
}

/** A json argument that must be an object. */
export function objectArg(ctx: CallContext, name: string): Record<string, unknown> {
  const value = ctx.args.json(name);
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ApiFault(`Invalid value for API argument ${name}: a JSON object is expected.`);
  }
  return value as Record<string, unknown>;
}
