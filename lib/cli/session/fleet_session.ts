/**
 * A session for the commands that run the library's fleet functions on the instances of SPE
 * (report, export, plan, apply): Ctrl-C or `--timeout` abort the signal, a progress display runs
 * on a terminal, and the library's options come ready made.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client } from "../../client.ts";
import { DEFAULT_CONCURRENCY, type FleetProgress } from "../../fleet.ts";
import type { ParsedArgs } from "../args.ts";
import { fleetStatus } from "../fleet/summary.ts";
import type { CliIo } from "../io/io.ts";
import { readTimeoutMs } from "../settings/checks.ts";
import { type Session, withSession } from "./session.ts";

/** What the library's fleet functions take from the session. */
export interface FleetOptions {
  /** The client, SPE only. */
  readonly client: Client<"spe">;
  /** `--concurrency`, else MSPE_CONCURRENCY or the profile's, else 8. */
  readonly concurrency: number;
  /** Aborted by `--timeout` or a second Ctrl-C. */
  readonly signal: AbortSignal | undefined;
  /** Aborted by the first Ctrl-C: start nothing more, finish what is under way. */
  readonly stop: AbortSignal | undefined;
  /** `--instance-timeout` of the commands that take it, else the library's default. */
  readonly instanceTimeoutMs: number | undefined;
  /** Updates the progress display on a terminal. */
  readonly onProgress: ((progress: FleetProgress) => void) | undefined;
}

/** What the command says about itself for {@linkcode withFleetSession}. */
export interface FleetSessionOptions {
  /** The progress display's label. */
  readonly label: string;
  /** Why MailStore Server is refused. */
  readonly refusal: string;
  /** The error that ends the command after Ctrl-C. */
  readonly interrupted: () => Error;
  /** What the first Ctrl-C stops, for its note (default: instances). */
  readonly stopping?: string;
}

/**
 * Connects as every server command does, as a fleet session on SPE, and runs `body` with the
 * session and the library's fleet options.
 *
 * @example
 * ```ts ignore
 * return withFleetSession(parsed, io, { label: "plan", refusal, interrupted }, async (s, fleet) =>
 *   (await planState(fleet.client, desired, fleet)).summary.change > 0 ? 10 : 0);
 * ```
 */
export function withFleetSession(
  parsed: ParsedArgs,
  io: CliIo,
  options: FleetSessionOptions,
  body: (session: Session, fleet: FleetOptions) => Promise<number>,
): Promise<number> {
  const timeout = parsed.string("instance-timeout");
  const instanceTimeoutMs = timeout === undefined ? undefined : readTimeoutMs(timeout);
  return withSession(parsed, io, (session) => {
    const started = performance.now();
    const progress = session.progress;
    return body(session, {
      client: session.client as Client<"spe">,
      concurrency: session.settings.concurrency ?? DEFAULT_CONCURRENCY,
      signal: session.signal,
      stop: session.stop,
      instanceTimeoutMs,
      onProgress: progress &&
        ((p) => progress.update(fleetStatus(p, performance.now() - started))),
    });
  }, {
    ownFormat: true,
    product: { only: "spe", refusal: options.refusal },
    fleet: {
      label: options.label,
      interrupted: options.interrupted,
      ...(options.stopping === undefined ? {} : { stopping: options.stopping }),
    },
  });
}
