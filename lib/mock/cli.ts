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

import { parseArgs } from "node:util";
import type { Product } from "../metadata.ts";
import { parseFaultSpec } from "./_faults.ts";
import type { FaultRule, MockJobsOptions, MockOptions } from "./_options.ts";
import { StateFileError } from "./_persist.ts";
import { serveMock, type ServeMockOptions } from "./_serve.ts";
import { TEST_CA_PEM } from "./_test_certificate.ts";

const USAGE = `Usage: mock [options]

Starts a simulated MailStore SPE Management API server (HTTPS with a test certificate).

Options:
  --port N           port to listen on (default 8474, or 8463 with --product server; 0 = any free port)
  --hostname NAME    address to bind (default 127.0.0.1)
  --http             serve plain HTTP instead of HTTPS
  --username NAME    accepted user name (default admin)
  --password TEXT    accepted password (default admin)
  --product P        spe (default) or server
  --instances N      number of instances (default 3)
  --users N          users per instance besides $archiveadmin (default 5)
  --stores N         archive stores per instance (default 3)
  --seed N           seed of the generated content (default 1)
  --latency-ms N     delay added to every request (default 0)
  --problems P       none, some (default) or many: problems seeded for a health check to find
  --state FILE       keep the simulated state in FILE: loaded at start (seeded when missing),
                     saved within a second of every change and when stopped (needs write access)
  --step-ms N        milliseconds between two status changes of a long-running call (default 250)
  --steps N          progress changes before a long-running call ends (default 4)
  --log-output M     cumulative (default: every status has the whole log) or incremental
  --cancelled-status S  final statusCode after cancel-async: failed (default) or cancelled
  --fault SPEC       inject a fault, repeatable: [function|/path|*:]kind[:times=N][:ms=N], e.g.
                     GetUsers:http503:times=2, /api/get-status:early-return, *:latency:ms=200;
                     kinds: latency, http500, http503, drop-before-body, drop-mid-body,
                     malformed-json, no-bom, truncated, unauthorized, expire-token, early-return
  --print-ca         print the test CA certificate (PEM) and exit
  -h, --help         show this help and exit

The first line printed is "listening on <url>". Stop with Ctrl-C (or SIGTERM).`;

/** Where the output goes; tests pass their own. */
export interface MockCommandIo {
  /** Writes one line to standard output. */
  out?: (line: string) => void;
  /** Writes one line to standard error. */
  err?: (line: string) => void;
  /** Stops the server when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

function choice<const T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) {
    return value as T | undefined;
  }
  const list = `${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`;
  throw new RangeError(`--${name} must be ${list}, got '${value}'.`);
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new RangeError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'.`);
  }
  return Number(value);
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
 * clean shutdown (SIGINT/SIGTERM), 2 for bad flags, 1 when the server cannot start.
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
  let options;
  try {
    const parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        hostname: { type: "string" },
        http: { type: "boolean" },
        username: { type: "string" },
        password: { type: "string" },
        product: { type: "string" },
        instances: { type: "string" },
        users: { type: "string" },
        stores: { type: "string" },
        seed: { type: "string" },
        "latency-ms": { type: "string" },
        problems: { type: "string" },
        state: { type: "string" },
        "step-ms": { type: "string" },
        steps: { type: "string" },
        "log-output": { type: "string" },
        "cancelled-status": { type: "string" },
        fault: { type: "string", multiple: true },
        "print-ca": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
    if (parsed.help === true) {
      out(USAGE);
      return 0;
    }
    if (parsed["print-ca"] === true) {
      out(TEST_CA_PEM.trimEnd());
      return 0;
    }
    const product = choice("product", parsed.product, ["spe", "server"]) ?? "spe";
    const jobs: MockJobsOptions = {};
    if (parsed["step-ms"] !== undefined) {
      jobs.stepMs = integer("step-ms", parsed["step-ms"], 250, 0, 3_600_000);
    }
    if (parsed.steps !== undefined) jobs.steps = integer("steps", parsed.steps, 4, 1, 10_000);
    const logOutput = choice("log-output", parsed["log-output"], ["cumulative", "incremental"]);
    if (logOutput !== undefined) jobs.logOutput = logOutput;
    const cancelled = choice("cancelled-status", parsed["cancelled-status"], [
      "failed",
      "cancelled",
    ]);
    if (cancelled !== undefined) jobs.cancelledStatusCode = cancelled;
    const faults: FaultRule[] = (parsed.fault ?? []).map(parseFaultSpec);
    const problems: MockOptions["problems"] = choice("problems", parsed.problems, [
      "none",
      "some",
      "many",
    ]);
    if (parsed.state === "") throw new RangeError("--state needs a file name.");
    options = {
      product: product as Product,
      port: integer("port", parsed.port, product === "server" ? 8463 : 8474, 0, 65535),
      hostname: parsed.hostname ?? "127.0.0.1",
      http: parsed.http === true,
      username: parsed.username ?? "admin",
      password: parsed.password ?? "admin",
      instances: integer("instances", parsed.instances, 3, 0, 100_000),
      usersPerInstance: integer("users", parsed.users, 5, 0, 1_000_000),
      storesPerInstance: integer("stores", parsed.stores, 3, 0, 10_000),
      seed: integer("seed", parsed.seed, 1, 0, 4_294_967_295),
      latencyMs: integer("latency-ms", parsed["latency-ms"], 0, 0, 600_000),
      jobs,
      faults,
      ...(problems === undefined ? {} : { problems }),
      ...(parsed.state === undefined ? {} : { state: parsed.state }),
    } satisfies ServeMockOptions;
    if (options.username === "" || options.username.includes(":")) {
      throw new RangeError("--username must not be empty or contain ':'.");
    }
  } catch (error) {
    // node:util's messages go on about positional arguments; the first sentence is what matters.
    // Ours (RangeError) are one line already.
    const text = error instanceof Error ? error.message : String(error);
    const message = error instanceof RangeError ? text : text.split(/\.\s/)[0]!;
    err(`mock: ${message.replace(/\.?$/, ".")} Run with --help for the options.`);
    return 2;
  }

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
  for (const rule of options.faults) out(`fault: ${JSON.stringify(rule)}`);
  out("press Ctrl-C to stop");

  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  const handler = (): void => stop();
  for (const signal of signals) Deno.addSignalListener(signal, handler);
  io.signal?.addEventListener("abort", handler, { once: true });
  if (io.signal?.aborted) stop();
  try {
    await stopped;
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, handler);
    io.signal?.removeEventListener("abort", handler);
    await server.close();
  }
  out("stopped");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runMockCommand(Deno.args));
}
