/**
 * Every line mspe-run prints passes through the redaction the library uses for its errors and
 * traces: the admin password, its Base64 forms and the call's secret arguments are replaced by
 * `***` in results, rows, statuses, notes and errors, even when a server echoes them back.
 *
 * `runCli` (and every session) wraps the process once with {@linkcode redactingIo}; the code that
 * learns a secret (the password when connecting, a call's secret arguments) adds it with
 * {@linkcode addSecrets}. Output also redacts values before they are rendered
 * ({@linkcode redactorOf}), so that a table that cuts a long value cannot show part of a secret.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { callSecrets, createRedactor, loginSecrets, type Redactor } from "../../_redact.ts";
import type { CliIo, TextSink } from "./io.ts";

/** The secrets known so far for one wrapped process. */
class Secrets {
  // Whole words: a short password such as the mock's "admin" must not cut up "$archiveadmin".
  redactor: Redactor = createRedactor([], { wholeWords: true });
}

const secretsOf = new WeakMap<CliIo, Secrets>();

function redactingSink(sink: TextSink, secrets: Secrets): TextSink {
  return {
    write: (text) => sink.write(secrets.redactor.text(text)),
    get isTerminal() {
      return sink.isTerminal;
    },
    columns: () => sink.columns(),
  };
}

/**
 * The process with stdout and stderr redacted by the secrets added with {@linkcode addSecrets}.
 * Wrapping a wrapped process returns it as it is.
 *
 * @example
 * ```ts
 * import { addSecrets, redactingIo } from "./redacting_io.ts";
 * import { denoIo } from "./io.ts";
 * const io = redactingIo(denoIo());
 * addSecrets(io, ["hunter2"]);
 * io.stdout.write("password: hunter2\n"); // password: ***
 * ```
 */
export function redactingIo(io: CliIo): CliIo {
  if (secretsOf.has(io)) return io;
  const secrets = new Secrets();
  const wrapped: CliIo = {
    ...io,
    stdout: redactingSink(io.stdout, secrets),
    stderr: redactingSink(io.stderr, secrets),
    // Methods of an io made as a class instance are bound to it.
    env: (name) => io.env(name),
    readTextFile: (path) => io.readTextFile(path),
    onInterrupt: (listener) => io.onInterrupt(listener),
    ...(io.onTerminate ? { onTerminate: io.onTerminate.bind(io) } : {}),
    ...(io.fileMode ? { fileMode: io.fileMode.bind(io) } : {}),
    // Files (reports, the config file) hide the same secrets as the screen: a report that is
    // mailed must not hold what the terminal shows as ***.
    ...(io.writeTextFile
      ? {
        writeTextFile: (path: string, text: string) =>
          io.writeTextFile!(path, secrets.redactor.text(text)),
      }
      : {}),
  };
  secretsOf.set(wrapped, secrets);
  return wrapped;
}

/**
 * Adds secrets (values as typed, before any encoding) to what a wrapped process redacts; nothing
 * happens for a process that is not wrapped.
 */
export function addSecrets(io: CliIo, secrets: readonly string[]): void {
  const known = secretsOf.get(io);
  if (known !== undefined) known.redactor = known.redactor.with(secrets);
}

/** Adds the admin password and its Basic `user:password` forms. */
export function addPassword(io: CliIo, username: string, password: string): void {
  const known = secretsOf.get(io);
  if (known === undefined || password === "") return;
  // The same forms the client's own redactor hides.
  known.redactor = known.redactor.with(loginSecrets(username, password));
}

/**
 * Adds the secret arguments of a call: those named in `marked` (the catalogue's `secret` marks),
 * those with a password-like name, and password-like fields of json arguments.
 */
export function addCallSecrets(
  io: CliIo,
  args: Readonly<Record<string, string | number | boolean>>,
  marked: ReadonlySet<string>,
): void {
  if (!secretsOf.has(io)) return;
  const body = new URLSearchParams(
    Object.entries(args).map(([name, value]) => [name, String(value)]),
  ).toString();
  addSecrets(io, callSecrets(body, marked));
}

/** What the process redacts now (an empty redactor for a process that is not wrapped). */
export function redactorOf(io: CliIo): Redactor {
  return secretsOf.get(io)?.redactor ?? createRedactor([]);
}
