/**
 * Fault injection: deterministic rules matched by path and function.
 *
 * @module
 */

import type { FaultController, FaultRule } from "./_options.ts";

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** What the rules say about one request. */
export interface FaultMatch {
  /** Sum of the matching `latency` rules. */
  latencyMs: number;
  /** The first matching rule of another kind, or null. */
  fault: FaultRule | null;
}

/** The fault rules of one app. */
export class Faults implements FaultController {
  readonly #rules: ActiveRule[] = [];

  /** Adds a rule after the existing ones. */
  add(rule: FaultRule): void {
    this.#rules.push({ rule: { ...rule }, remaining: rule.times ?? Infinity });
  }

  /** Removes every rule. */
  clear(): void {
    this.#rules.length = 0;
  }

  /** Finds the rules for a request and counts their hits. */
  match(path: string, fn: string | null): FaultMatch {
    let latencyMs = 0;
    let fault: FaultRule | null = null;
    for (const active of this.#rules) {
      if (active.remaining <= 0) continue;
      const { rule } = active;
      if (rule.path !== undefined && rule.path !== path) continue;
      if (rule.function !== undefined && rule.function !== fn) continue;
      // Token faults only mean something on the token paths; elsewhere they must not use up `times`.
      if (rule.kind === "early-return" && path !== "/api/get-status") continue;
      if (
        rule.kind === "expire-token" && path !== "/api/get-status" && path !== "/api/cancel-async"
      ) continue;
      if (rule.kind === "latency") {
        latencyMs += rule.latencyMs ?? 0;
        active.remaining--;
      } else if (fault === null) {
        fault = rule;
        active.remaining--;
      }
    }
    return { latencyMs, fault };
  }
}
