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

/** Every fault kind, in the order the documentation lists them. */
export const FAULT_KINDS: readonly FaultRule["kind"][] = [
  "latency",
  "http500",
  "http503",
  "drop-before-body",
  "drop-mid-body",
  "malformed-json",
  "no-bom",
  "truncated",
  "unauthorized",
  "expire-token",
  "early-return",
];

/**
 * Parses a fault rule from the command line: `[<target>:]<kind>[:times=N][:ms=N]`, where the target
 * is a function name (`GetUsers`), a path (`/api/get-status`) or `*` (every request), and `ms` is
 * the delay of a `latency` rule. Throws a RangeError whose message is one line for the user.
 */
export function parseFaultSpec(spec: string): FaultRule {
  const bad = (why: string): never => {
    throw new RangeError(
      `--fault '${spec}': ${why}. Use [function|/path|*:]kind[:times=N][:ms=N], ` +
        "for example GetUsers:http503:times=2",
    );
  };
  const parts = spec.split(":");
  const kindIndex = parts.length > 1 && !parts[1]!.includes("=") ? 1 : 0;
  const target = kindIndex === 1 ? parts[0]! : "*";
  const kind = parts[kindIndex]!;
  if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
    bad(`unknown kind '${kind}' (kinds: ${FAULT_KINDS.join(", ")})`);
  }
  const rule: FaultRule = { kind: kind as FaultRule["kind"] };
  if (target === "") bad("the target before ':' is empty");
  if (target.startsWith("/")) rule.path = target.replace(/\/{2,}/g, "/");
  else if (target !== "*") {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(target)) bad(`'${target}' is not a function name or path`);
    rule.function = target;
  }
  for (const setting of parts.slice(kindIndex + 1)) {
    const match = /^(times|ms)=(\d{1,9})$/.exec(setting);
    if (match === null) bad(`'${setting}' is not times=N or ms=N`);
    const value = Number(match![2]);
    if (match![1] === "times") {
      if (value < 1) bad("times must be at least 1");
      rule.times = value;
    } else {
      if (kind !== "latency") bad("ms=N goes with the latency kind only");
      rule.latencyMs = value;
    }
  }
  if (kind === "latency" && rule.latencyMs === undefined) bad("a latency fault needs ms=N");
  return rule;
}
