/**
 * The flags of `mspe-run report`: what to check and how, the health rules and acknowledgements
 * (rows of the settings table), and the report's own output flags.
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { FlagSpecs } from "../args.ts";
import { HELP_FLAGS, inGroup, OUTPUT_FLAGS } from "../settings/flags.ts";
import { settingFlags, type SettingName, SETTINGS } from "../settings/table.ts";
import { ACK_ADD_FLAGS } from "./report_ack.ts";

/** The settings of the health rules, with the option of healthReport each sets. */
export const RULE_SETTINGS = {
  "profile-failed-hours": "profileFailedHours",
  "profile-failed-runs": "profileFailedRuns",
  "job-failed-hours": "jobFailedHours",
  "job-failed-runs": "jobFailedRuns",
} as const satisfies Partial<Record<SettingName, string>>;

/** The flags of report health's rules and acknowledgements, under a heading of their own. */
export const HEALTH_RULE_FLAGS = inGroup(
  "Health rules",
  settingFlags(["ack", ...Object.keys(RULE_SETTINGS) as (keyof typeof RULE_SETTINGS)[]]),
);

/** The flags only report health takes (report usage refuses them). */
export const HEALTH_ONLY = [
  "since",
  "warning",
  "critical",
  ...Object.keys(HEALTH_RULE_FLAGS),
  ...Object.keys(ACK_ADD_FLAGS).filter((name) => name !== "ack-add"),
];

export const REPORT_FLAGS = {
  ...HELP_FLAGS,
  since: {
    type: "string",
    value: "<24h|7d|90m|date>",
    help: "health: failed runs and jobs since then (a duration back, or an ISO date; default 24h).",
  },
  instances: {
    type: "string",
    value: "<filter|@file|->",
    help: "Which instances: a filter (*, acme*), or @file / - with one ID per line (default *).",
  },
  "instance-timeout": {
    type: "string",
    value: "<seconds>",
    help: "Give up on one instance after this long (default 300); it is reported as failed.",
  },
  concurrency: {
    ...SETTINGS.concurrency.flag,
    value: "<n>",
    help: "Instances checked at once, 1 to 1000 (default 8).",
  },
  warning: {
    type: "string",
    value: "<n>",
    help: "nagios/prtg: WARNING when there are more than n findings (default 0).",
  },
  critical: {
    type: "string",
    value: "<n>",
    help: "nagios/prtg: CRITICAL when there are more than n critical findings (default 0).",
  },
  ...HEALTH_RULE_FLAGS,
  ...ACK_ADD_FLAGS,
  compare: {
    type: "string",
    value: "<csv>",
    help: "usage: compare with a previous report usage --format csv (last month's): the change " +
      "per instance and in the totals, new and gone instances marked, and stopped instances " +
      "counted with their last known figures.",
  },
} as const satisfies FlagSpecs;

export const REPORT_OUTPUT_FLAGS = {
  format: {
    ...OUTPUT_FLAGS.format,
    value: "<format>",
    help: "health: table, list, json, ndjson, csv, nagios, prtg; usage: table, list, json, " +
      "ndjson, csv, html (default: table on a terminal, json when piped).",
  },
  output: {
    type: "string",
    value: "<file>",
    help: "Write the report to this file instead of stdout (usage.html, usage.csv).",
    group: "Output",
  },
  "no-color": OUTPUT_FLAGS["no-color"],
  quiet: OUTPUT_FLAGS.quiet,
} as const satisfies FlagSpecs;
