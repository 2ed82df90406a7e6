/**
 * Running `mspe-run` in the test process: `runCli(argv, io)` with a memory {@linkcode CliIo}, the
 * same result shape as the subprocess helper (`cli_helpers.ts`), without starting deno (about
 * 0.1 s of start-up per run on a quiet machine, several times that on a busy one). What only a process shows stays a subprocess
 * test: signals, the permission set, a terminal, real stdin, start-up, `mspe-run mock` as a server.
 *
 * The memory process is as close to the subprocess's as the CLI can tell: stdout and stderr are not
 * terminals and NO_COLOR is set; the environment holds only the variables the test gives (and
 * `MSPE_CONFIG` names a file that does not exist unless the test names one), so nothing leaks in
 * from the test process; relative paths are read and written from the repository root, the
 * subprocess's working folder; files are read and written with the real process's functions.
 *
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import { decodeText } from "../lib/_text_file.ts";
import { type CliIo, denoIo, type EnvName, type TextSink } from "../lib/cli/io/io.ts";
import { MSPE_VARIABLES } from "../lib/cli/settings/table.ts";
import { runCli } from "../lib/cli/main.ts";
import { CliProcess, type CliResult, NO_CONFIG_PATH, OutputWatcher, ROOT } from "./cli_helpers.ts";

/** Options of an in-process run; the defaults are those of the subprocess helper. */
export interface InProcessOptions {
  /** The environment the CLI sees (only the names of `MSPE_VARIABLES` are read). */
  readonly env?: Readonly<Record<string, string>>;
  /** Standard input: text (sent as UTF-8) or bytes; empty when absent. */
  readonly stdin?: string | Uint8Array;
  /** Whether stdin is a terminal (the password prompt, y/N questions). Default: no. */
  readonly stdinIsTerminal?: boolean;
  /** Whether stdout and stderr are terminals. Default: no, as with pipes. */
  readonly terminal?: boolean;
  /** The terminal width stdout and stderr report when they are terminals. Default: 80. */
  readonly columns?: number;
  /** Whether NO_COLOR is set. Default: set, as in the subprocess without a terminal. */
  readonly noColor?: boolean;
  /** The folder relative paths start from. Default: the repository root. */
  readonly cwd?: string;
}

const encoder = new TextEncoder();
const realIo = denoIo();

/** A stdout or stderr whose text goes to `append`. */
function memorySink(append: (text: string) => void, options: InProcessOptions): TextSink {
  const isTerminal = options.terminal ?? false;
  return {
    write: append,
    isTerminal,
    columns: () => isTerminal ? options.columns ?? 80 : undefined,
  };
}

/** Standard input over fixed bytes: whole for `readAll`, a line at a time for the line readers. */
function memoryStdin(options: InProcessOptions): CliIo["stdin"] {
  const bytes = typeof options.stdin === "string"
    ? encoder.encode(options.stdin)
    : options.stdin ?? new Uint8Array();
  let offset = 0;
  // Like the real readLine: up to the next LF (not taken further), without a CR before it; null at
  // the end of input.
  const readLine = (): Promise<string | null> => {
    if (offset >= bytes.length) return Promise.resolve(null);
    const end = bytes.indexOf(0x0a, offset);
    const line = bytes.subarray(offset, end < 0 ? bytes.length : end);
    offset = end < 0 ? bytes.length : end + 1;
    return Promise.resolve(new TextDecoder().decode(line).replace(/\r$/, ""));
  };
  return {
    isTerminal: options.stdinIsTerminal ?? false,
    // Decoded as the real readAll does, so that a BOM or UTF-16 on stdin is handled alike.
    readAll: () => {
      const rest = bytes.subarray(offset);
      offset = bytes.length;
      return Promise.resolve(decodeText(rest));
    },
    readSecretLine: (prompt) => {
      prompt();
      return readLine();
    },
    readLine,
  };
}

/** The listeners of one signal, which the test fires. */
class Listeners {
  readonly #listeners = new Set<() => void>();

  add(listener: () => void): () => void {
    // A wrapper per call, so that adding the same function twice needs two removals, as in Deno.
    const entry = () => listener();
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  fire(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  get size(): number {
    return this.#listeners.size;
  }
}

/**
 * An `mspe-run` running in this process: wait for its output, fire Ctrl-C or SIGTERM at it, and
 * await its result.
 */
export class InProcessCli {
  readonly #output = new OutputWatcher(() => {});
  readonly #interrupt = new Listeners();
  readonly #terminate = new Listeners();
  readonly #done: Promise<CliResult>;
  /** Rejects when a signal finds no listener (see {@linkcode InProcessCli.interrupt}). */
  readonly #unheard = Promise.withResolvers<never>();
  #ended = false;

  /** Starts `runCli(argv, io)` with a memory process made from `options`. */
  constructor(argv: readonly string[], options: InProcessOptions = {}) {
    const env: Partial<Record<EnvName, string>> = { MSPE_CONFIG: NO_CONFIG_PATH };
    for (const [name, value] of Object.entries(options.env ?? {})) {
      if ((MSPE_VARIABLES as readonly string[]).includes(name) || name.startsWith("MSPE_SECRET_")) {
        env[name as EnvName] = value;
      }
    }
    const cwd = options.cwd ?? ROOT;
    const at = (path: string) => isAbsolute(path) ? path : resolve(cwd, path);
    const io: CliIo = {
      stdout: memorySink((text) => this.#output.append("stdout", text), options),
      stderr: memorySink((text) => this.#output.append("stderr", text), options),
      stdin: memoryStdin(options),
      env: (name) => env[name],
      noColor: options.noColor ?? true,
      readTextFile: (path) => realIo.readTextFile(at(path)),
      writeTextFile: (path, text) => realIo.writeTextFile!(at(path), text),
      fileMode: (path) => realIo.fileMode!(at(path)),
      onInterrupt: (listener) => this.#interrupt.add(listener),
      onTerminate: (listener) => this.#terminate.add(listener),
    };
    const exitCode = Deno.exitCode;
    // Handled here so that a signal fired at a command that has ended is not an unhandled rejection.
    this.#unheard.promise.catch(() => {});
    const finished = runCli(argv, io).then((code) => {
      this.#ended = true;
      const result = this.#output.end(code);
      // A listener left behind would outlive the command in a long-lived process (runCli in a
      // service): the subprocess cannot show that, the memory process can.
      if (this.#interrupt.size + this.#terminate.size > 0) {
        throw new Error(`mspe-run ${argv.join(" ")} left a Ctrl-C or SIGTERM listener behind`);
      }
      // The exit code is runCli's result; only the entrypoint hands it to the process. Setting
      // Deno.exitCode here would fail the whole test run, long after the test that did it.
      if (Deno.exitCode !== exitCode) {
        throw new Error(`mspe-run ${argv.join(" ")} set Deno.exitCode to ${Deno.exitCode}`);
      }
      return result;
    });
    this.#done = Promise.race([finished, this.#unheard.promise]);
  }

  /**
   * Fires a signal's listeners. With none (the command listens later, or not at all) the real
   * process would be killed by the signal; in process nothing would happen and a test awaiting
   * `done` would wait forever, so `done` rejects and says why.
   */
  #fire(listeners: Listeners, name: string): void {
    if (listeners.size === 0 && !this.#ended) {
      this.#unheard.reject(
        new Error(
          `${name} was fired while mspe-run had no ${name} listener: a real process would be ` +
            `killed by it, in process the command would not hear it and would go on:\n` +
            this.#output.printed(),
        ),
      );
      return;
    }
    listeners.fire();
  }

  /** Resolves when stderr matches `pattern`; rejects if the run ends first. */
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray> {
    return this.waitFor("stderr", pattern);
  }

  /** Resolves when stdout or stderr matches `pattern`; rejects if the run ends first. */
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray> {
    return this.#output.waitFor(stream, pattern);
  }

  /**
   * Calls the Ctrl-C listeners, as SIGINT does in the real process. With none, `done` rejects: the
   * real process would be killed, the command in process would go on.
   */
  interrupt(): void {
    this.#fire(this.#interrupt, "Ctrl-C");
  }

  /** Calls the SIGTERM listeners, as SIGTERM does in the real process; with none, as `interrupt`. */
  terminate(): void {
    this.#fire(this.#terminate, "SIGTERM");
  }

  /** The exit code and everything printed. */
  get done(): Promise<CliResult> {
    return this.#done;
  }
}

/**
 * Runs `mspe-run` with `argv` in this process to the end: the in-process twin of `runCli` in
 * `cli_helpers.ts`.
 *
 * @example
 * ```ts ignore
 * const { code, stdout } = await runCliInProcess(["--version"]);
 * ```
 */
export function runCliInProcess(
  argv: readonly string[],
  options: InProcessOptions = {},
): Promise<CliResult> {
  return new InProcessCli(argv, options).done;
}

/** An mspe-run a test stops: in process or as a subprocess, with the same methods. */
export interface StoppableCli {
  waitForStderr(pattern: RegExp): Promise<RegExpMatchArray>;
  waitFor(stream: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray>;
  /** Ctrl-C: the listeners fired in process, a real SIGINT to a subprocess. */
  interrupt(): void;
  /** SIGTERM: the listeners fired in process, a real SIGTERM to a subprocess. */
  terminate(): void;
  readonly done: Promise<CliResult>;
}

/**
 * Where a Ctrl-C or SIGTERM test runs mspe-run: "in process" on every OS (the listeners the
 * command added are called, as the signal calls them), "subprocess" where one process can signal
 * another (a real signal through Deno's signal listeners: not on Windows, `NO_CHILD_SIGNALS`).
 */
export type SignalWay = "in process" | "subprocess";

/** Starts `argv` the `way` given, with the environment `env`. */
export function startStoppable(
  way: SignalWay,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): StoppableCli {
  return way === "in process" ? new InProcessCli(argv, { env }) : new CliProcess(argv, { env });
}
