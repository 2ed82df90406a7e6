/**
 * `mspe-run snapshot --output <file>`: a real SPE read with read-only calls into a simulator state
 * file ({@linkcode snapshotServer}) that `mspe-run mock --state <file>` serves. The command only
 * reads flags, connects, shows progress and writes; the reading is the library's.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { Client } from "../../client.ts";
import { DEFAULT_CONCURRENCY } from "../../fleet.ts";
import { snapshotServer } from "../../mock/snapshot.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { fleetStatus } from "../fleet/summary.ts";
import { instancesFlag } from "../fleet/selection.ts";
import { withSession } from "../session/session.ts";
import { CONNECTION_FLAGS, OUTPUT_FLAGS, TRACE_FLAGS } from "../settings/flags.ts";
import { SETTINGS } from "../settings/table.ts";
import { attachProfile } from "../settings/resolve.ts";
import { Interrupted, UsageError } from "../usage_error.ts";

/** Ctrl-C stopped the snapshot. */
class SnapshotInterrupted extends Interrupted {
  constructor() {
    super("Interrupted: the snapshot was stopped before every instance was read; nothing written.");
    this.name = "SnapshotInterrupted";
  }
}

/** `mspe-run snapshot`. */
export const snapshotCommand = defineCommand({
  name: "snapshot",
  summary: "Read an SPE into a simulator state file (mock --state).",
  usage: "mspe-run snapshot --output <file> [--instances <filter>] [--anonymize] " +
    "[--concurrency <n>] [flags]",
  description:
    `snapshot reads the SPE with read-only calls only: instances and their configuration, instance
hosts, system administrators, client access servers, the system SMTP configuration, and per
instance its users, stores, jobs, profiles, folders, credentials (names and types), compliance,
directory services, retention, index, store auto-create and SMTP configuration, and the last 30
days of worker and job results. It writes a state file that mspe-run mock --state <file> serves:
the same instances, names, counts and shapes.

No secret is written: passwords, API passwords, keys, client secrets and credential values are
left out (written as null). --anonymize replaces names, e-mail addresses, domains and paths, the
same input always by the same output. What could not be read (a stopped instance, a function the
server refused) is listed on stderr and in the file; the rest is read all the same.

Instances are read --concurrency at a time, one call at a time each. Ctrl-C stops the snapshot
(exit code 130) and writes nothing.`,
  flags: {
    output: {
      type: "string",
      value: "<file>",
      help: "The state file to write (required), e.g. fleet.json.",
      group: "Output",
    },
    instances: {
      type: "string",
      value: "<filter|@file|->",
      help: "Which instances: a filter (*, acme*), or @file / - with one ID per line (default *).",
    },
    anonymize: {
      type: "boolean",
      help: "Replace names, e-mail addresses, domains and paths, consistently.",
    },
    concurrency: {
      ...SETTINGS.concurrency.flag,
      value: "<n>",
      help: "Instances read at once, 1 to 1000 (default 8).",
    },
    quiet: OUTPUT_FLAGS.quiet,
    ...CONNECTION_FLAGS,
    ...TRACE_FLAGS,
  },
  examples: [
    "# The whole SPE, for a lab: then mspe-run mock --state fleet.json",
    "mspe-run snapshot --output fleet.json",
    "# One customer's instances, anonymised, to attach to a support case",
    "mspe-run snapshot --output acme.json --instances 'acme*' --anonymize",
  ],
  async run(parsed, io) {
    if (parsed.positionals.length > 0) {
      throw new UsageError(
        `snapshot takes no arguments; ${JSON.stringify(parsed.positionals[0])} is one too many.`,
      );
    }
    const output = parsed.string("output");
    if (output === undefined || output === "") {
      throw new UsageError("Name the file to write: mspe-run snapshot --output fleet.json.");
    }
    const given = parsed.string("instances");
    const instances = given === undefined ? undefined : await instancesFlag(given, io);
    parsed = await attachProfile(parsed, io);
    try {
      return await withSession(parsed, io, async (session) => {
        const started = performance.now();
        const progress = session.progress;
        const snapshot = await snapshotServer(session.client as Client<"spe">, {
          instances,
          anonymize: parsed.bool("anonymize"),
          concurrency: session.settings.concurrency ?? DEFAULT_CONCURRENCY,
          signal: session.signal,
          onProgress: progress &&
            ((p) => progress.update(fleetStatus(p, performance.now() - started))),
        });
        const { out } = session;
        out.clearProgress();
        await out.emit(snapshot.text);
        for (const gap of snapshot.unread) {
          out.note(
            `Could not read ${gap.function === "*" ? "the instance" : gap.function}${
              gap.instanceID === null ? "" : ` of ${gap.instanceID}`
            }: ${gap.error}`,
          );
        }
        out.note(
          `Wrote ${snapshot.instances} instances (${snapshot.calls} calls) to ${output}` +
            (snapshot.unread.length === 0
              ? "."
              : `; ${snapshot.unread.length} could not be read (listed above and in the file).`),
        );
        return ExitCode.Ok;
      }, {
        ownFormat: true,
        product: {
          only: "spe",
          refusal: "A snapshot reads the instances of MailStore SPE. Leave out --product server.",
        },
        fleet: { label: "snapshot", interrupted: () => new SnapshotInterrupted() },
      });
    } catch (error) {
      if (!(error instanceof SnapshotInterrupted)) throw error;
      io.stderr.write(`${error.message}\n`);
      return ExitCode.Interrupted;
    }
  },
});
