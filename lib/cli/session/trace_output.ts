/**
 * `--verbose` and `--debug`: what the client sent and received, on stderr. `--verbose` prints one
 * line per HTTP exchange (method, path, status, size, time); `--debug` adds the headers and bodies.
 * Built on the client's `onTrace` option, whose events arrive with every secret already redacted
 * (the Authorization header, the password, secret arguments, also where the server echoed them).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { TraceEvent } from "../../../mod.ts";
import type { ParsedArgs } from "../args.ts";
import type { CliIo } from "../io/io.ts";
import type { Output } from "../output/output.ts";

/** How much is traced. */
export type TraceLevel = "off" | "verbose" | "debug";

/**
 * The trace level the flags ask for.
 *
 * @example
 * ```ts ignore
 * traceLevel(parsed); // "debug" with --debug
 * ```
 */
export function traceLevel(parsed: ParsedArgs): TraceLevel {
  if (parsed.bool("debug")) return "debug";
  return parsed.bool("verbose") ? "verbose" : "off";
}

/** A byte count for people: `512 B`, `1.5 KiB`, `2.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/**
 * The `--verbose` line of one exchange.
 *
 * @example
 * ```ts ignore
 * formatTraceLine(event); // "trace: POST /api/invoke/GetUsers -> 200, 1.2 KiB, 14 ms"
 * ```
 */
export function formatTraceLine(event: TraceEvent): string {
  const outcome = event.status !== undefined
    ? `${event.status}, ${formatBytes(event.bytes)}`
    : `no reply (${event.error ?? "failed"})`;
  const retry = event.retry === undefined ? "" : ` (retry ${event.retry})`;
  return `trace: ${event.method} ${pathOf(event.url)}${retry} -> ${outcome}, ${
    Math.round(event.durationMs)
  } ms`;
}

/** Bodies longer than this are cut in `--debug` output, saying how much was left out. */
const BODY_LIMIT = 16_384;

function body(text: string, marker: string): string[] {
  if (text === "") return [];
  const shown = text.length > BODY_LIMIT
    ? `${text.slice(0, BODY_LIMIT)}… (${text.length - BODY_LIMIT} more characters)`
    : text;
  return shown.replace(/\r\n/g, "\n").split("\n").map((line) => `${marker} ${line}`);
}

/**
 * The `--debug` text of one exchange: the `--verbose` line, then the request headers and body
 * (`>`), then the reply headers and body (`<`).
 *
 * @example
 * ```ts ignore
 * io.stderr.write(formatTraceDetail(event));
 * ```
 */
export function formatTraceDetail(event: TraceEvent): string {
  const lines = [formatTraceLine(event)];
  for (const [name, value] of Object.entries(event.requestHeaders)) {
    lines.push(`> ${name}: ${value}`);
  }
  lines.push(...body(event.requestBody, ">"));
  for (const [name, value] of Object.entries(event.responseHeaders)) {
    lines.push(`< ${name}: ${value}`);
  }
  // The reply starts with the BOM the server sends; it is not part of the text.
  lines.push(...body(event.responseBody.replace(/^\uFEFF/, ""), "<"));
  return `${lines.join("\n")}\n`;
}

/**
 * The `onTrace` callback for the level, or `undefined` when nothing is traced. Each exchange is
 * written to stderr after the progress bar is erased, so that the two never mix on one line; it
 * is written even with `--quiet`, since it was asked for.
 *
 * @example
 * ```ts ignore
 * const onTrace = traceWriter(io, out, traceLevel(parsed));
 * ```
 */
export function traceWriter(
  io: CliIo,
  out: Pick<Output, "clearProgress">,
  level: TraceLevel,
): ((event: TraceEvent) => void) | undefined {
  if (level === "off") return undefined;
  return (event) => {
    out.clearProgress();
    io.stderr.write(level === "debug" ? formatTraceDetail(event) : `${formatTraceLine(event)}\n`);
  };
}
