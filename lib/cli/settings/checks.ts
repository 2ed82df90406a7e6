/**
 * The checks of the settings' values (settings/table.ts): each takes the text as given and where it
 * came from, and returns the value or throws a {@linkcode UsageError} that names both.
 *
 * Internal to the CLI.
 *
 * @module
 */

import { MAX_CONCURRENCY } from "../../fleet.ts";
import { UsageError } from "../usage_error.ts";

/** What a fleet bound must be, for messages. */
export const CONCURRENCY_RULE = `a whole number from 1 to ${MAX_CONCURRENCY}`;

/**
 * A fleet bound (`--concurrency`, `MSPE_CONCURRENCY`, a profile's `concurrency`): the number when
 * `value` is {@linkcode CONCURRENCY_RULE}, as text or as a number, else undefined.
 *
 * @example
 * ```ts
 * import { parseConcurrency } from "./checks.ts";
 * parseConcurrency("16"); // 16
 * parseConcurrency("5000"); // undefined
 * ```
 */
export function parseConcurrency(value: string | number): number | undefined {
  const n = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY ? n : undefined;
}

/**
 * `--timeout` in milliseconds; `from` says where the text came from (empty for the flag).
 *
 * @example
 * ```ts
 * import { readTimeoutMs } from "./checks.ts";
 * readTimeoutMs("1.5"); // 1500
 * ```
 */
export function readTimeoutMs(text: string, from = ""): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || text.trim() === "") {
    throw new UsageError(
      `--timeout ${
        JSON.stringify(text)
      } is not a number of seconds. Give a positive number, such as --timeout 30.${from}`,
    );
  }
  return Math.round(seconds * 1000);
}

/** A host as the client wants it: a name or address, no scheme, port or path. */
export function checkHost(host: string, from: string): string {
  // What people paste: a URL, or host:port (an IPv6 address has more than one colon).
  const url = /^(?:https?:\/\/)?([^\s/?#@:]+|\[[0-9a-f:.]+\])(?::(\d+))?\/?$/i.exec(host);
  if (url && host !== url[1]) {
    const port = url[2] ? ` --port ${url[2]}` : "";
    throw new UsageError(
      `--host takes the host name only, without scheme or port: --host ${url[1]}${port}.${from}`,
    );
  }
  if (host.trim() === "" || /[\s/?#@]/.test(host)) {
    throw new UsageError(
      `--host ${
        JSON.stringify(host)
      } is not a host name. Give a name or address, such as --host spe1.example.com.${from}`,
    );
  }
  return host;
}

export function checkPort(text: string, from: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new UsageError(
      `The port ${
        JSON.stringify(text)
      } is not a port number. Give 1 to 65535, such as --port 8474.${from}`,
    );
  }
  return port;
}

export function checkProduct(text: string, from: string): "spe" | "server" {
  if (text !== "spe" && text !== "server") {
    throw new UsageError(
      `Unknown product ${
        JSON.stringify(text)
      }. Use --product spe (MailStore SPE) or --product server (MailStore Server).${from}`,
    );
  }
  return text;
}

export function checkTlsVersion(text: string, from: string): "1.2" | "1.3" {
  if (text !== "1.2" && text !== "1.3") {
    throw new UsageError(
      `TLS ${text} is not supported. Use --tls-version 1.2 or 1.3; older versions are insecure.${from}`,
    );
  }
  return text;
}

export function checkPin(text: string, from: string): string {
  if (!/^[0-9a-f]{64}$/i.test(text.replace(/[:\s]/g, ""))) {
    throw new UsageError(
      "--pin-sha256 takes the certificate's SHA-256 fingerprint: 64 hex digits, colons allowed " +
        `(AB:CD:...). \`mspe-run tls-info\` shows the server's.${from}`,
    );
  }
  return text;
}

export function checkConcurrency(text: string, from: string): number {
  const n = parseConcurrency(text);
  if (n === undefined) {
    throw new UsageError(
      `--concurrency ${JSON.stringify(text)} is not ${CONCURRENCY_RULE}.${from}`,
    );
  }
  return n;
}

/** `--retries`: how often a read is sent again after a blip, a whole number from 0 to 10. */
export function checkRetries(text: string, from: string): number {
  const retries = Number(text);
  if (!/^\d+$/.test(text.trim()) || retries > 10) {
    throw new UsageError(
      `--retries ${JSON.stringify(text)} is not a number of retries. Give a whole number from 0 ` +
        `to 10, such as --retries 2 (0 sends every request once).${from}`,
    );
  }
  return retries;
}

/** `--profile-failed-hours`, `--job-failed-hours`: a positive number of hours. */
export function checkHours(flag: string): (text: string, from: string) => number {
  return (text, from) => {
    const hours = Number(text);
    if (text.trim() === "" || !Number.isFinite(hours) || hours <= 0) {
      throw new UsageError(
        `--${flag} ${JSON.stringify(text)} is not a number of hours. Give a positive number, ` +
          `such as --${flag} 24.${from}`,
      );
    }
    return hours;
  };
}

/** `--profile-failed-runs`, `--job-failed-runs`: a whole number of runs, 1 to 1000. */
export function checkRuns(flag: string): (text: string, from: string) => number {
  return (text, from) => {
    const runs = Number(text);
    if (!/^\d+$/.test(text.trim()) || runs < 1 || runs > 1000) {
      throw new UsageError(
        `--${flag} ${JSON.stringify(text)} is not a number of runs. Give a whole number from 1 ` +
          `to 1000, such as --${flag} 3.${from}`,
      );
    }
    return runs;
  };
}
