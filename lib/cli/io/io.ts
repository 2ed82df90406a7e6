/**
 * What the CLI needs from its process: standard streams, terminal checks, the MSPE_ variables, files
 * and Ctrl-C. The real process is {@linkcode denoIo}; the demo substitutes the password variable.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { MspeVariable } from "../settings/table.ts";

export type { MspeVariable };

/** The environment variables mspe-run reads: its settings, and the secrets a state file names. */
export type EnvName = MspeVariable | `MSPE_SECRET_${string}`;

/** A text stream the CLI writes to. */
export interface TextSink {
  /** Writes text as is (add the newline yourself). */
  write(text: string): void;
  /** Whether the stream is a terminal (a person is reading). */
  readonly isTerminal: boolean;
  /** The terminal width in columns, or `undefined` when it is not a terminal. */
  columns(): number | undefined;
}

/** Standard input, for `--password-file -` and the password prompt. */
export interface TextSource {
  /** Whether stdin is a terminal. */
  readonly isTerminal: boolean;
  /** The whole of stdin. */
  readAll(): Promise<string>;
  /**
   * Reads one line from the terminal without echoing it; `null` on Ctrl-C or Ctrl-D. `prompt` is
   * called once echo is off, so that nothing typed after the prompt appears can be echoed.
   */
  readSecretLine(prompt: () => void): Promise<string | null>;
  /**
   * Reads one line as typed (echoed), for a y/N question; `null` at the end of input. Absent where
   * there is nobody to ask: a question then counts as unanswered.
   */
  readLine?(): Promise<string | null>;
}

/**
 * The process the CLI runs in.
 *
 * @example
 * ```ts
 * import { denoIo } from "./io.ts";
 * const io = denoIo();
 * io.stderr.write("hello\n");
 * ```
 */
export interface CliIo {
  /** Data: results, tokens. */
  readonly stdout: TextSink;
  /** Progress, messages and errors. */
  readonly stderr: TextSink;
  /** Standard input. */
  readonly stdin: TextSource;
  /**
   * Reads one of the MSPE_ environment variables (the only ones the permission set allows):
   * the settings, and the `MSPE_SECRET_*` a state file names.
   */
  env(name: EnvName): string | undefined;
  /** `NO_COLOR` is set (checked by Deno without an env permission). */
  readonly noColor: boolean;
  /** Reads a text file named on the command line. */
  readTextFile(path: string): Promise<string>;
  /**
   * The permission bits of a file (POSIX), to warn about a password file others can read;
   * `undefined` where the system has none (Windows) or the file cannot be looked at.
   */
  fileMode?(path: string): Promise<number | undefined>;
  /** Calls `listener` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(listener: () => void): () => void;
  /**
   * Calls `listener` when the process is asked to stop (SIGTERM; on Windows SIGBREAK, Ctrl-Break)
   * until the returned function is called. Absent where there is no such signal.
   */
  onTerminate?(listener: () => void): () => void;
  /**
   * Replaces a text file as a whole (the config file of `mspe-run profile add|remove`): creates its
   * folder, writes a temporary file next to it and renames it over the old one, so that an
   * interrupted write never leaves half a file. Absent where nothing may be written.
   */
  writeTextFile?(path: string, text: string): Promise<void>;
}

const encoder = new TextEncoder();

function writeAll(file: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  while (bytes.length > 0) {
    const written = file.writeSync(bytes);
    bytes = bytes.subarray(written);
  }
}

function sink(file: typeof Deno.stdout | typeof Deno.stderr): TextSink {
  const isTerminal = file.isTerminal();
  return {
    write: (text) => writeAll(file, text),
    isTerminal,
    columns: () => {
      if (!isTerminal) return undefined;
      try {
        // A pseudo-terminal without a size (0 columns) says nothing about the width.
        const { columns } = Deno.consoleSize();
        return columns > 0 ? columns : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

async function readAll(): Promise<string> {
  // Decoded as a whole, so that a BOM (PowerShell's pipe) or UTF-16 is recognised (lib/_text_file.ts).
  const bytes = new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer());
  return (await import("../../_text_file.ts")).decodeText(bytes);
}

async function readLine(): Promise<string | null> {
  // Byte by byte, so that nothing after the line is taken from stdin.
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  while (true) {
    const n = await Deno.stdin.read(one);
    if (n === null) {
      return bytes.length > 0 ? new TextDecoder().decode(new Uint8Array(bytes)) : null;
    }
    if (one[0] === 0x0a) return new TextDecoder().decode(new Uint8Array(bytes)).replace(/\r$/, "");
    bytes.push(one[0] ?? 0);
  }
}

/**
 * `error` as `IsADirectory` when `path` is a folder: Windows says "Access is denied" for a folder
 * opened as a file (Wine: "Invalid function"), which would not tell the user it is a folder.
 * Linux already gives `IsADirectory`; any other error stays as it is.
 */
async function folderError(path: string, error: unknown): Promise<unknown> {
  if (error instanceof Deno.errors.IsADirectory || error instanceof Deno.errors.NotFound) {
    return error;
  }
  try {
    if ((await Deno.stat(path)).isDirectory) {
      return new Deno.errors.IsADirectory(`Is a directory: ${path}`, { cause: error });
    }
  } catch {
    // Not there or not readable either: the first error says more.
  }
  return error;
}

async function writeTextFile(path: string, text: string): Promise<void> {
  const folder = path.replace(/[\\/][^\\/]*$/, "");
  if (folder !== path && folder !== "") await Deno.mkdir(folder, { recursive: true });
  const temporary = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    await Deno.writeTextFile(temporary, text, { mode: 0o600 });
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

async function readSecretLine(prompt: () => void): Promise<string | null> {
  // Raw mode turns echo off; Enter, Backspace, Ctrl-C and Ctrl-D are handled here.
  Deno.stdin.setRaw(true);
  prompt();
  const decoder = new TextDecoder();
  let line = "";
  const buffer = new Uint8Array(256);
  try {
    while (true) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return null;
      for (const char of decoder.decode(buffer.subarray(0, n), { stream: true })) {
        if (char === "\r" || char === "\n") return line;
        if (char === "\u0003" || char === "\u0004") return null;
        if (char === "\u007f" || char === "\b") line = line.slice(0, -1);
        else if (char >= " ") line += char;
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
  }
}

/**
 * The real process: Deno's standard streams, environment, files and signals.
 *
 * @example
 * ```ts
 * import { denoIo } from "./io.ts";
 * const io = denoIo();
 * console.log(io.stdout.isTerminal);
 * ```
 */
export function denoIo(overrides: Partial<Record<EnvName, string>> = {}): CliIo {
  const stdinIsTerminal = Deno.stdin.isTerminal();
  // `deno task mspe-run` runs in the folder of deno.json; INIT_CWD is where the user typed it, and
  // the paths they give are relative to that.
  const path = fromFolder(Deno.env.get("INIT_CWD"), Deno.build.os);
  return {
    stdout: sink(Deno.stdout),
    stderr: sink(Deno.stderr),
    stdin: { isTerminal: stdinIsTerminal, readAll, readSecretLine, readLine },
    env: (name) => overrides[name] ?? Deno.env.get(name),
    noColor: Deno.noColor,
    // UTF-8 with or without a BOM, UTF-16 with one: what Windows tools write (lib/_text_file.ts,
    // loaded when a file is read, so that the dispatcher stays small).
    readTextFile: async (file) => {
      try {
        return await (await import("../../_text_file.ts")).readTextFileAnyEncoding(path(file));
      } catch (error) {
        throw await folderError(path(file), error);
      }
    },
    writeTextFile: async (file, text) => {
      try {
        await writeTextFile(path(file), text);
      } catch (error) {
        throw await folderError(path(file), error);
      }
    },
    fileMode: async (file) => {
      try {
        return (await Deno.stat(path(file))).mode ?? undefined;
      } catch {
        return undefined;
      }
    },
    onInterrupt: (listener) => {
      Deno.addSignalListener("SIGINT", listener);
      return () => Deno.removeSignalListener("SIGINT", listener);
    },
    onTerminate: (listener) => onTerminationSignal(Deno.build.os, listener),
  };
}

/**
 * Resolves the relative paths a user gives against `folder` (`INIT_CWD` under `deno task`); paths
 * are left alone without one. Absolute paths stay as they are: `/x`, `\\server\share`, `C:\x`,
 * and `C:x` (relative to a drive's own folder, which only Windows knows).
 *
 * @example
 * ```ts
 * import { fromFolder } from "./io.ts";
 * fromFolder("C:\\Users\\ops", "windows")("rel.csv"); // C:\Users\ops\rel.csv
 * ```
 */
export function fromFolder(folder: string | undefined, os: string): (path: string) => string {
  if (folder === undefined || folder === "") return (path) => path;
  const separator = os === "windows" ? "\\" : "/";
  const base = folder.replace(os === "windows" ? /[\\/]+$/ : /\/+$/, "");
  return (path) => {
    const absolute = path.startsWith("/") ||
      (os === "windows" && (path.startsWith("\\") || /^[A-Za-z]:/.test(path)));
    return absolute || path === "" ? path : `${base}${separator}${path}`;
  };
}

/**
 * The signals that ask mspe-run to stop, on this operating system (`Deno.build.os`): SIGBREAK
 * (Ctrl-Break) on Windows, where Deno can listen only to SIGINT and SIGBREAK; SIGTERM elsewhere.
 *
 * @example
 * ```ts
 * import { terminationSignals } from "./io.ts";
 * console.log(terminationSignals("windows")); // ["SIGBREAK"]
 * ```
 */
export function terminationSignals(os: string): Deno.Signal[] {
  return os === "windows" ? ["SIGBREAK"] : ["SIGTERM"];
}

/**
 * The name of the request to stop in messages, on this operating system: `Ctrl-Break` on Windows
 * (SIGBREAK, which is what a Windows admin presses or a script sends), `SIGTERM` elsewhere.
 *
 * @example
 * ```ts
 * import { terminationName } from "./io.ts";
 * console.log(`Asked to stop (${terminationName("windows")})`); // Asked to stop (Ctrl-Break)
 * ```
 */
export function terminationName(os: string = Deno.build.os): string {
  return os === "windows" ? "Ctrl-Break" : "SIGTERM";
}

/**
 * Calls `listener` on each of {@linkcode terminationSignals} until the returned function is called.
 * `add` and `remove` are Deno's signal functions (tests pass their own).
 *
 * @example
 * ```ts
 * import { onTerminationSignal } from "./io.ts";
 * const stop = onTerminationSignal(Deno.build.os, () => console.error("asked to stop"));
 * stop();
 * ```
 */
export function onTerminationSignal(
  os: string,
  listener: () => void,
  add: (signal: Deno.Signal, listener: () => void) => void = Deno.addSignalListener,
  remove: (signal: Deno.Signal, listener: () => void) => void = Deno.removeSignalListener,
): () => void {
  const added: Deno.Signal[] = [];
  for (const signal of terminationSignals(os)) {
    try {
      add(signal, listener);
      added.push(signal);
    } catch {
      // Not supported here: the signal keeps its default effect.
    }
  }
  return () => {
    for (const signal of added.splice(0)) remove(signal, listener);
  };
}

/**
 * Why a file named on the command line could not be read, in a few words for a message.
 *
 * @example
 * ```ts
 * import { whyUnreadable } from "./io.ts";
 * console.log(whyUnreadable(new Deno.errors.NotFound("x"))); // it does not exist
 * ```
 */
export function whyUnreadable(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "it does not exist";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.IsADirectory) return "it is a directory";
  return error instanceof Error ? error.message.split("\n", 1)[0] ?? error.name : String(error);
}
