/**
 * One change of a plan: its resource, its action and the fields it sets. Shared by planning and
 * applying (and re-exported from `plan.ts`).
 *
 * @module
 */

import type { ConfigKind, SecretSource } from "./types.ts";

/** What a change does to its resource. */
export type ChangeAction = "create" | "change" | "delete";

/**
 * The resource kinds a plan covers: the instance, its users and their folder privileges, jobs,
 * archive stores, profiles and the configuration kinds.
 */
export type ResourceKind =
  | "instance"
  | "user"
  | "folderPrivileges"
  | "job"
  | "store"
  | "profile"
  | ConfigKind;

/**
 * What a field shows for a secret: it is set when the resource is created, never compared.
 *
 * @example
 * ```ts
 * import { SET_ONLY_ON_CREATE, type StatePlan } from "@mspe/mspe";
 * function createsWithPassword(plan: StatePlan): number {
 *   return plan.tenants.flatMap((tenant) => tenant.changes)
 *     .filter((change) => change.fields.some((field) => field.new === SET_ONLY_ON_CREATE)).length;
 * }
 * console.log(createsWithPassword({ tenants: [], summary: { create: 0, change: 0, delete: 0 } }));
 * ```
 */
export const SET_ONLY_ON_CREATE = "(set only on create)";

/**
 * What a configuration's password shows: the server never sends it back, so it is sent with the
 * other changes of the configuration (or with `sendSecrets`), never compared.
 *
 * @example
 * ```ts
 * import { SENT_WITH_CHANGE, type PlannedChange } from "@mspe/mspe";
 * const sendsPassword = (change: PlannedChange): boolean =>
 *   change.fields.some((field) => field.field === "password" && field.new === SENT_WITH_CHANGE);
 * console.log(sendsPassword({ instanceID: "acme", kind: "smtpSettings", resource: "smtpSettings", action: "change", fields: [] }));
 * ```
 */
export const SENT_WITH_CHANGE = "(sent with this change, never read back)";

/**
 * One field of a change: its value now (`old`, `undefined` for a resource to create) and the
 * value it will get. A secret shows {@linkcode SET_ONLY_ON_CREATE}, never its value.
 */
export interface FieldChange {
  /** The field's name, such as `displayName` or `privileges`. */
  readonly field: string;
  /** The value now; `undefined` when the resource does not exist yet. */
  readonly old: unknown;
  /** The value the change sets. */
  readonly new: unknown;
}

/**
 * One change of a plan: a resource of one instance to create, change or delete.
 *
 * @example
 * ```ts
 * import type { PlannedChange } from "@mspe/mspe";
 * const change: PlannedChange = {
 *   instanceID: "acme",
 *   kind: "user",
 *   resource: "jdoe",
 *   action: "change",
 *   fields: [{ field: "fullName", old: "J. Doe", new: "Jane Doe" }],
 * };
 * console.log(`${change.instanceID} ${change.kind} ${change.resource}: ${change.action}`);
 * ```
 */
export interface PlannedChange {
  /** The instance. */
  readonly instanceID: string;
  /** The kind of resource. */
  readonly kind: ResourceKind;
  /** The resource: the instance ID, the user, job, store or profile name, or the configuration kind. */
  readonly resource: string;
  /** What happens to it. */
  readonly action: ChangeAction;
  /** The fields that change (for a create: every field given; for a delete: none). */
  readonly fields: readonly FieldChange[];
  /**
   * Where a secret comes from (never the secret): a new user's initial password, a
   * configuration's password.
   */
  readonly secret?: SecretSource | undefined;
  /** For a job, store or profile to change or delete: its ID on the server. */
  readonly id?: number | undefined;
  /** What the server takes in one call, whole (a profile's server-side execution). */
  readonly target?: { readonly [field: string]: unknown } | undefined;
}
