/**
 * How big a simulated server may be: the flags, `createMockApp` and a state file are checked
 * against these before anything is allocated, so a typo (or a hostile state file) with an instance
 * count of 1e9 is refused with one line instead of running out of memory minutes later.
 *
 * @module
 */

/** The largest counts and sizes the simulator accepts. */
export const LIMITS = {
  /** Instances of a simulated SPE. */
  instances: 100_000,
  /** Users per instance besides `$archiveadmin`. */
  usersPerInstance: 1_000_000,
  /** Archive stores per instance. */
  storesPerInstance: 10_000,
  /** The seed (a 32-bit unsigned number). */
  seed: 4_294_967_295,
  /** The bytes of a state file the simulator reads. */
  stateFileBytes: 256 * 1024 * 1024,
} as const;

/** The counts of {@linkcode LIMITS} that seed a state, by option name. */
export const SEED_COUNTS = ["instances", "usersPerInstance", "storesPerInstance", "seed"] as const;

/**
 * Why `value` is not a whole number from 0 to the limit of `name`, or null when it is one.
 *
 * @example
 * ```ts ignore
 * overLimit("instances", 1e9); // "instances must be a whole number from 0 to 100000, got 1000000000"
 * ```
 */
export function overLimit(name: typeof SEED_COUNTS[number], value: unknown): string | null {
  const max = LIMITS[name];
  if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max) {
    return null;
  }
  return `${name} must be a whole number from 0 to ${max}, got ${
    typeof value === "number" ? value : JSON.stringify(value) ?? "nothing"
  }`;
}
