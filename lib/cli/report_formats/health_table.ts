/**
 * `report health --format table`: the findings grouped by instance, each with its severity, kind,
 * problem and action, wrapped to the terminal's width. A grid of columns would have to cut the
 * action, which is the part the reader needs whole (the command to run), so the rows are blocks:
 *
 * ```text
 * acme
 *   CRITICAL storeError
 *     Store 1 (2025-11) has an error: The archive store could not be opened: ...
 *     Action: Verify it: mspe-run call VerifyStore instanceID=acme id=1 includeIndexes=true; ...
 * ```
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { HealthFinding, HealthReport } from "../../health_report.ts";
import { displayWidth } from "../output/display_width.ts";
import type { Style } from "../output/format.ts";
import { safeLine } from "../output/safe_text.ts";
import { ackNote } from "./thresholds.ts";

/**
 * `text` in lines of at most `width` columns (display width), broken between words; a word
 * longer than a line (a long path) gets a line of its own and is never cut. Without a width, one
 * line.
 *
 * @example
 * ```ts
 * import { wrapWords } from "./health_table.ts";
 * console.log(wrapWords("one two three", 7)); // ["one two", "three"]
 * ```
 */
export function wrapWords(text: string, width: number | undefined): string[] {
  const words = text.split(/\s+/).filter((word) => word !== "");
  if (width === undefined) return [words.join(" ")];
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line === "") line = word;
    else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line);
  return lines;
}

/**
 * `text` wrapped after `first` (the label), continued under the label's end. The text is the
 * server's (a tenant's): made safe for the terminal first, and never cut.
 */
function block(first: string, text: string, width: number | undefined): string[] {
  const hang = " ".repeat(displayWidth(first));
  const room = width === undefined ? undefined : Math.max(20, width - displayWidth(first));
  return wrapWords(safeLine(text, Infinity), room).map((line, i) =>
    `${i === 0 ? first : hang}${line}`
  );
}

function findingLines(finding: HealthFinding, st: Style, width: number | undefined): string[] {
  const severity = finding.severity.toUpperCase();
  const acknowledged = finding.acknowledgement !== null && !finding.acknowledgement.expired;
  const label = acknowledged
    ? st.dim(severity)
    : finding.severity === "critical"
    ? st.error(severity)
    : st.warn(severity);
  const counted = finding.occurrences > 1 ? ` (${finding.occurrences} times)` : "";
  const lines = [`  ${label} ${finding.kind}${counted}`];
  const note = ackNote(finding);
  if (note !== null) {
    lines.push(...block("    ", `${acknowledged ? "Acknowledged" : "Expired"}: ${note}`, width));
  }
  lines.push(...block("    ", finding.problem, width));
  lines.push(...block("    Action: ", finding.action, width));
  return lines;
}

/**
 * The health report as blocks grouped by instance (the service first), wrapped to `width`
 * columns; without a width (a file, a pipe) each paragraph is one line.
 *
 * @example
 * ```ts ignore
 * io.stdout.write(renderHealthTable(report, style(false), 80));
 * ```
 */
export function renderHealthTable(
  report: HealthReport,
  st: Style,
  width: number | undefined,
): string {
  if (report.findings.length === 0) return "";
  const groups = new Map<string, HealthFinding[]>();
  for (const finding of report.findings) {
    const key = finding.instanceID ?? "(service)";
    groups.set(key, [...groups.get(key) ?? [], finding]);
  }
  const out: string[] = [];
  for (const [instance, findings] of groups) {
    const acknowledged = findings.filter((f) => ackNote(f) !== null && !f.acknowledgement?.expired)
      .length;
    const counts = `${findings.length} finding${findings.length === 1 ? "" : "s"}${
      acknowledged > 0 ? `, ${acknowledged} acknowledged` : ""
    }`;
    if (out.length > 0) out.push("");
    out.push(`${st.header(safeLine(instance, Infinity))} ${st.dim(`(${counts})`)}`);
    for (const finding of findings) out.push(...findingLines(finding, st, width));
  }
  return `${out.join("\n")}\n`;
}
