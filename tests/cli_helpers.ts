/**
 * Running `mspe-run` as a subprocess in the CLI tests: `deno run -P=mspe-run scripts/mspe_run.ts`,
 * exactly the permission set the compile tasks bake in, with a clean environment. For what only a
 * process shows (signals, a terminal, permissions, start-up); the rest runs in process
 * (`_cli_in_process.ts`).
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * The project root as a path of this system, with a separator at the end (`/project/` on Linux,
 * `Z:\project\` on Windows, where a file URL's `pathname`, `/Z:/project/`, opens nothing).
 */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** The project root as a file URL, with a `/` at the end: the base for module specifiers. */
export const ROOT_URL: string = new URL("..", import.meta.url).href;

/** The test CA, for `--ca-cert`. */
export const CA_PEM_PATH = "tests/testdata/tls/ca.pem";

/** A config file that does not exist: what `MSPE_CONFIG` is unless a test names one. */
export const NO_CONFIG_PATH = `${ROOT}tests/testdata/no-such-mspe-config.json`;

/** The deno arguments every CLI test run uses: the permission set of deno.json, and nothing more. */
export const DENO_RUN_ARGS: readonly string[] = ["run", "-q", "-P=mspe-run", "--no-prompt"];

/** How long {@linkcode CliProcess.waitFor} waits before it gives up on a hung child. */
const WAIT_LIMIT_MS = 30_000;

/** What a finished run produced. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of a run. */
export interface CliRunOptions {
  /** MSPE_ variables and others for the child; the rest of the environment is cleared. */
  readonly env?: Readonly<Record<string, string>>;
  /** Text for stdin; stdin is empty (not a terminal) otherwise. */
  readonly stdin?: string;
  /** The script to run instead of scripts/mspe_run.ts. */
  readonly script?: string;
  /**
   * Run on a pseudo-terminal (through util-linux `script`), so that stdin, stdout and stderr are a
   * terminal; stdout and stderr then arrive mixed, on stdout. NO_COLOR is not set.
   */
  readonly pty?: boolean;
  /** Close the read end of stdout after this many chunks (a reader that goes away: `| head`). */
  readonly closeStdoutAfter?: number;
  /** Keep stdin open for {@linkcode CliProcess.type} instead of sending `stdin` at once. */
  readonly interactive?: boolean;
}

/**
 * Whether {@linkcode CliRunOptions.pty} works here: Linux with util-linux `script`. Not on Windows:
 * Deno cannot start a child on a pseudo console (ConPTY), so a test there cannot be a terminal for
 * mspe-run; what mspe-run draws on a terminal (list format, colour, width, the silent prompt) is
 * checked in process on every OS (`InProcessOptions.terminal`, `stdinIsTerminal`).
 */
export function ptyAvailable(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return Deno.statSync("/usr/bin/script").isFile;
  } catch {
    return false;
  }
}

function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function childEnv(
  extra: Readonly<Record<string, string>> = {},
  color = false,
): Record<string, string> {
  const env: Record<string, string> = {};
  // Only what deno needs to find its cache; no MSPE_ variable leaks in from the test process.
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR", "SYSTEMROOT"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) env[name] = value;
  }
  // HOME is passed for deno's cache; a config file of the person running the tests must not
  // change what mspe-run does, so the config file is one that does not exist unless a test names one.
  env.MSPE_CONFIG = NO_CONFIG_PATH;
  return { ...env, ...(color ? { TERM: "xterm-256color" } : { NO_COLOR: "1" }), ...extra };
}

/**
 * What a running `mspe-run` has printed so far, and waiters for a pattern on stdout or stderr; the
 * subprocess ({@linkcode CliProcess}) and the in-process run (`_cli_in_process.ts`) feed it.
 */
export class OutputWatcher {
  #stdout = "";
  #stderr = "";
  #waiters: {
    stream: "stdout" | "stderr";
    pattern: RegExp;
    resolve: (match: RegExpMatchArray) => void;
  }[] = [];
  readonly #ended = Promise.withResolvers<CliResult>();
  readonly #giveUp: () => void;

  /** `giveUp` stops a run that hung (a waiter's time limit ran out). */
  constructor(giveUp: () => void) {
    this.#giveUp = giveUp;
  }

  /** Adds printed text and settles the waiters it matches. */
  append(stream: "stdout" | "stderr", text: string): void {
    if (stream === "stdout") this.#stdout += text;
    else this.#stderr += text;
    this.#check();
  }

  /** What was printed so far, stdout then stderr, for a failure message. */
  printed(): string {
    return `stdout:\n${this.#stdout}\nstderr:\n${this.#stderr}`;
  }

  /** The run ended with `code`: its result; waiters still waiting are rejected. */
  end(code: number): CliResult {
    const result = { code, stdout: this.#stdout, stderr: this.#stderr };
    this.#ended.resolve(result);
    return result;
  }

  #check(): void {
    this.#waiters = this.#waiters.filter((waiter) => {
      const text = waiter.stream === "stdout" ? this.#stdout : this.#stderr;
      const match = text.match(waiter.pattern);
      if (match) waiter.resolve(match);
      return !match;
    });
  }

  /** Resolves when stdout or stderr matches `pattern`; rejects if the run ends first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray> {
    const { promise, resolve, reject } = Promise.withResolvers<RegExpMatchArray>();
    // A guard against a hung test run, not a timing assertion: stop the run and say why.
    const guard = setTimeout(() => {
      reject(
        new Error(
          `No match for ${pattern} on ${stream} after ${WAIT_LIMIT_MS} ms:\n${this.#stderr}`,
        ),
      );
      this.#giveUp();
    }, WAIT_LIMIT_MS);
    this.#waiters.push({
      stream,
      pattern,
      resolve: (match) => {
        clearTimeout(guard);
        resolve(match);
      },
    });
    this.#check();
    this.#ended.promise.then((result) => {
      clearTimeout(guard);
      reject(
        new Error(
          `mspe-run ended (exit ${result.code}) before ${stream} matched ${pattern}:\n${result.stderr}`,
        ),
      );
    });
    return promise;
  }
}

/** A running `mspe-run` whose stderr can be waited on line by line. */
export class CliProcess {
  readonly #child: Deno.ChildProcess;
  readonly #output: OutputWatcher;
  readonly #done: Promise<CliResult>;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;

  /** Starts the process. */
  constructor(args: readonly string[], options: CliRunOptions = {}) {
    const command = [
      Deno.execPath(),
      ...DENO_RUN_ARGS,
      options.script ?? "scripts/mspe_run.ts",
      ...args,
    ];
    this.#child = new Deno.Command(options.pty ? "/usr/bin/script" : command[0]!, {
      args: options.pty
        ? ["--quiet", "--return", "--command", command.map(shellWord).join(" "), "/dev/null"]
        : command.slice(1),
      cwd: ROOT,
      clearEnv: true,
      env: childEnv(options.env, options.pty),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#output = new OutputWatcher(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    });
    this.#stdin = this.#child.stdin.getWriter();
    // Interactive runs keep stdin open for type(); the others get their text and end of input.
    const input = options.interactive
      ? this.#child.status.then(() => this.#stdin.close().catch(() => {}))
      : this.#stdin.write(new TextEncoder().encode(options.stdin ?? "")).then(() =>
        this.#stdin.close()
      );
    const read = async (stream: ReadableStream<Uint8Array>, into: "stdout" | "stderr") => {
      let chunks = 0;
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        this.#output.append(into, text);
        // Leaving the loop cancels the stream: the reader goes away, as `| head` does.
        if (into === "stdout" && ++chunks === options.closeStdoutAfter) break;
      }
    };
    this.#done = Promise.all([
      read(this.#child.stdout, "stdout"),
      read(this.#child.stderr, "stderr"),
      input,
      this.#child.status,
    ]).then(([, , , status]) => this.#output.end(status.code));
  }

  /** Resolves when stderr matches `pattern`; rejects if the process ends first. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray> {
    return this.waitFor("stderr", pattern);
  }

  /** Resolves when stdout or stderr matches `pattern`; rejects if the process ends first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray> {
    return this.#output.waitFor(stream, pattern);
  }

  /** Types text on stdin (with `interactive`). */
  async type(text: string): Promise<void> {
    await this.#stdin.write(new TextEncoder().encode(text));
  }

  /** Sends a signal (SIGINT for Ctrl-C). */
  kill(signal: Deno.Signal): void {
    this.#child.kill(signal);
  }

  /** Ctrl-C: a real SIGINT (as `InProcessCli.interrupt` in process). */
  interrupt(): void {
    this.kill("SIGINT");
  }

  /** A real SIGTERM (as `InProcessCli.terminate` in process). */
  terminate(): void {
    this.kill("SIGTERM");
  }

  /** The exit code and everything printed. */
  get done(): Promise<CliResult> {
    return this.#done;
  }
}

/**
 * Runs `mspe-run` with `args` to the end.
 *
 * @example
 * ```ts ignore
 * const { code, stdout } = await runCli(["--version"]);
 * ```
 */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new CliProcess(args, options).done;
}

/** Connection flags for a mock at `port` with the test CA. */
export function mockFlags(port: number): string[] {
  return ["--host", "127.0.0.1", "--port", String(port), "--ca-cert", CA_PEM_PATH];
}

/** What `mspe-run plan --format json` prints (README: Tenants as code). */
export interface PlanJson {
  summary: { create: number; change: number; delete: number };
  changes: {
    instanceID: string;
    kind: string;
    resource: string;
    action: string;
    fields: { field: string; old?: unknown; new: unknown }[];
  }[];
  notes: { instanceID: string; note: string }[];
  unmanaged: string[];
}
