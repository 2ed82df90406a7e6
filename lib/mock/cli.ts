/**
 * The standalone mock server command (`deno task mock`, `mspe-run mock`).
 *
 * @example
 * ```ts
 * import { runMockCommand } from "@mspe/mspe/mock";
 * Deno.exit(await runMockCommand(Deno.args));
 * ```
 *
 * @module
 */

import type { FaultRule, MockJobsOptions } from "./_options.ts";
import { StateFileError } from "./_persist.ts";
import { serveMock, type ServeMockOptions } from "./_serve.ts";
import { TEST_CA_PEM } from "./_test_certificate.ts";
import { mockUsage, parseMockFlags } from "./_flags.ts";
import { RequestLogFile, requestLogLine } from "./_request_log.ts";

/** Where the output goes; tests pass their own. */
export interface MockCommandIo {
  /** Writes one line to standard output. */
  out?: (line: string) => void;
  /** Writes one line to standard error. */
  err?: (line: string) => void;
  /** Stops the server when aborted (in addition to the stop requests of `onStopRequest`). */
  signal?: AbortSignal;
  /**
   * Calls `listener` whenever the process is asked to stop, until the returned function is called.
   * Default: the process's signals, Ctrl-C (SIGINT) and SIGTERM, on Windows Ctrl-C and Ctrl-Break
   * (SIGBREAK). `mspe-run mock` passes its own (its Ctrl-C and termination listeners).
   */
  onStopRequest?: (listener: () => void) => () => void;
}

/** The server's options as the command's flags make them: every one the output names is set. */
type CommandOptions = ServeMockOptions & {
  product: NonNullable<ServeMockOptions["product"]>;
  hostname: string;
  port: number;
  username: string;
  faults: FaultRule[];
};

/** The process's stop requests: SIGINT and SIGTERM; on Windows SIGINT and SIGBREAK (Ctrl-Break). */
function onStopSignals(listener: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, listener);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, listener);
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the mock server command with the given arguments. Resolves with the exit code: 0 after a
 * clean shutdown (Ctrl-C, SIGTERM, Ctrl-Break on Windows, or `io.signal`; one that comes while the
 * server starts stops it once it is up), 2 for bad flags, 1 when the server cannot start (the port
 * is taken, or the `--state` file is refused or in use by another simulator).
 *
 * @example Start on any free port
 * ```ts
 * import { runMockCommand } from "@mspe/mspe/mock";
 * const controller = new AbortController();
 * const done = runMockCommand(["--port", "0"], { signal: controller.signal });
 * controller.abort();
 * console.log(await done); // 0
 * ```
 */
export async function runMockCommand(args: string[], io: MockCommandIo = {}): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  let options: CommandOptions;
  let logTo: string | undefined;
  try {
    const flags = parseMockFlags(args);
    logTo = flags["log-requests"];
    if (flags.help === true) {
      out(mockUsage());
      return 0;
    }
    if (flags["print-ca"] === true) {
      out(TEST_CA_PEM.trimEnd());
      return 0;
    }
    const product = flags.product ?? "spe";
    const jobs: MockJobsOptions = {};
    if (flags["step-ms"] !== undefined) jobs.stepMs = flags["step-ms"];
    if (flags.steps !== undefined) jobs.steps = flags.steps;
    if (flags["log-output"] !== undefined) jobs.logOutput = flags["log-output"];
    if (flags["cancelled-status"] !== undefined) {
      jobs.cancelledStatusCode = flags["cancelled-status"];
    }
    options = {
      product,
      port: flags.port ?? (product === "server" ? 8463 : 8474),
      hostname: flags.hostname ?? "127.0.0.1",
      http: flags.http === true,
      username: flags.username ?? "admin",
      password: flags.password ?? "admin",
      instances: flags.instances ?? 3,
      usersPerInstance: flags.users ?? 5,
      storesPerInstance: flags.stores ?? 3,
      seed: flags.seed ?? 1,
      latencyMs: flags["latency-ms"] ?? 0,
      jobs,
      faults: flags.fault ?? [],
      ...(flags.problems === undefined ? {} : { problems: flags.problems }),
      ...(flags.state === undefined ? {} : { state: flags.state }),
      ...(flags.quirks === undefined ? {} : { quirks: flags.quirks }),
    } satisfies ServeMockOptions;
  } catch (error) {
    // node:util's messages go on about positional arguments; the first sentence is what matters.
    // Ours (RangeError) are one line already.
    const text = error instanceof Error ? error.message : String(error);
    const message = error instanceof RangeError ? text : text.split(/\.\s/)[0]!;
    err(`mock: ${message.replace(/\.?$/, ".")} Run with --help for the options.`);
    return 2;
  }

  // Stop requests are taken from here on, before anything starts: one that comes while the server
  // starts (the state file loads; the start-up lines are printed, with a file check awaited after
  // "listening on") is kept, and stops the server as soon as it is up. Listening only once the
  // lines were printed lost such a request: in process (runCli, where the command's listener is
  // all that hears it) the command then served on and never ended; in a process, the signal with
  // no listener yet killed it (exit 130 on Linux, not 0, and no last save of the state).
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const handler = (): void => stop();
  const removeStopListener = (io.onStopRequest ?? onStopSignals)(handler);
  io.signal?.addEventListener("abort", handler, { once: true });
  if (io.signal?.aborted) stop();
  try {
    return await serveUntil(stopped, options, logTo, out, err);
  } finally {
    removeStopListener();
    io.signal?.removeEventListener("abort", handler);
  }
}

/**
 * Starts the server with `options`, prints where it listens, serves until `stopped` resolves (at
 * once if it did already), then closes it (the last save of the state file). Resolves with the exit
 * code: 0 after the stop, 1 when the server cannot start.
 */
async function serveUntil(
  stopped: Promise<void>,
  options: CommandOptions,
  logTo: string | undefined,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  let server;
  const seeded = options.state !== undefined && !(await exists(options.state));
  try {
    server = await serveMock({
      ...options,
      onStateError: (error) => err(`mock: cannot save the state: ${error.message}`),
    });
  } catch (error) {
    if (error instanceof StateFileError) {
      err(`mock: ${error.message}`);
      return 1;
    }
    err(
      `mock: cannot listen on ${options.hostname}:${options.port}: ${
        error instanceof Error ? error.message : error
      }`,
    );
    return 1;
  }
  let logFile: RequestLogFile | null = null;
  if (logTo !== undefined) {
    try {
      if (logTo !== "-") logFile = RequestLogFile.open(logTo);
    } catch (error) {
      await server.close();
      err(`mock: ${error instanceof Error ? error.message : error}`);
      return 1;
    }
    const file = logFile;
    server.app.onRequest = file === null ? (entry) => err(requestLogLine(entry)) : (entry) => {
      if (!file.append(entry) && file.failed !== null) {
        err(`mock: cannot append to the request log '${logTo}': ${file.failed.message}`);
        // Said once: the log stops, the simulator goes on.
        server.app.onRequest = null;
      }
    };
  }
  out(`listening on ${server.url}`);
  out(
    `product: ${options.product}, user: ${options.username}, instances: ${
      options.product === "spe" ? server.app.state.instanceList().length : "-"
    }`,
  );
  if (server.certificate !== null) {
    out(`certificate SHA-256 fingerprint: ${server.certificate.sha256}`);
    const caPath = "tests/testdata/tls/ca.pem";
    out(
      (await exists(caPath))
        ? `CA certificate: ${caPath} (or run with --print-ca to print it)`
        : "CA certificate: run with --print-ca to print it",
    );
  }
  if (options.state !== undefined) {
    out(`state: ${options.state} (${seeded ? "seeded and saved" : "loaded"})`);
  }
  if (options.quirks !== undefined && options.quirks !== "none") {
    out(`quirks: ${options.quirks} (recorded failures of real servers, see the README)`);
  }
  if (logTo !== undefined) out(`request log: ${logTo === "-" ? "stderr" : `${logTo} (ndjson)`}`);
  for (const rule of options.faults) out(`fault: ${JSON.stringify(rule)}`);
  out("press Ctrl-C to stop");

  try {
    await stopped;
  } finally {
    await server.close();
    logFile?.close();
  }
  out("stopped");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runMockCommand(Deno.args));
}
