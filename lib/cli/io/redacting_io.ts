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

import {
  base64Utf8,
  callSecrets,
  createRedactor,
  loginSecrets,
  type Redactor,
  weakPasswordReason,
} from "../../_redact.ts";
import type { CliIo, TextSink } from "./io.ts";

/** The secrets known so far for one wrapped process. */
class Secrets {
  // Whole words: a password must not cut up a longer word that holds it ("$archiveadmin").
  redactor: Redactor = createRedactor([], { wholeWords: true });
  /**
   * A login password too weak to hide in what is printed ({@linkcode weakPasswordReason}): kept
   * out of `redactor`, hidden only as the whole value of a password-like result field.
   */
  weakPassword: string | undefined;
  /** Finds the weak password as a word, to warn when results show it. */
  weakFinder: Redactor | undefined;
  /** Why the password is weak, until the warning about it is given (once per process). */
  weakReason: string | undefined;
}

const secretsOf = new WeakMap<CliIo, Secrets>();

/**
 * The warning a weak password gets the first time results show it: said only when it matters, so
 * that a run whose results never hold the word prints nothing more.
 */
function warnOfWeakPassword(text: string, secrets: Secrets, stderr: TextSink): void {
  const reason = secrets.weakReason;
  if (reason === undefined || secrets.weakFinder?.text(text) === text) return;
  secrets.weakReason = undefined;
  stderr.write(
    `warning: The password is weak (${reason}), so mspe-run does not mask it inside results, ` +
      `where the same word is data (a user or privilege named like it); a password field that ` +
      `holds exactly it is still shown as ***, and errors and traces hide it everywhere. Give ` +
      `the API user a longer password of its own.\n`,
  );
}

function redactingSink(
  sink: TextSink,
  secrets: Secrets,
  results?: { readonly stderr: TextSink },
): TextSink {
  return {
    write: (text) => {
      if (results !== undefined) warnOfWeakPassword(text, secrets, results.stderr);
      return sink.write(secrets.redactor.text(text));
    },
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
    // Results go to stdout: there the weak password's warning is given when they show it.
    stdout: redactingSink(io.stdout, secrets, { stderr: io.stderr }),
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

/**
 * Adds the admin password and its Basic `user:password` forms. A weak password (the user name, or
 * under 8 characters, such as the simulator's admin/admin) is a word results hold as data: masking
 * it would print a user `admin` as `***`, the privilege `admin` too, and the resume command's
 * `--username admin`. Such a password is kept out of what the streams hide, except its Basic form,
 * and masked only as the whole value of a password-like result field; one warning says so, the
 * first time results show it. Errors
 * and traces still hide it everywhere: the client redacts them before they reach the CLI.
 */
export function addPassword(io: CliIo, username: string, password: string): void {
  const known = secretsOf.get(io);
  if (known === undefined || password === "") return;
  const weak = weakPasswordReason(username, password);
  if (weak === undefined) {
    // The same forms the client's own redactor hides.
    known.redactor = known.redactor.with(loginSecrets(username, password));
    return;
  }
  known.redactor = known.redactor.with([base64Utf8(`${username}:${password}`)]);
  if (known.weakPassword === password) return;
  known.weakPassword = password;
  known.weakFinder = createRedactor([password], { wholeWords: true });
  known.weakReason = weak;
}

/** The weak login password that results hide only as a whole field value (see addPassword). */
export function weakPasswordOf(io: CliIo): string | undefined {
  return secretsOf.get(io)?.weakPassword;
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
