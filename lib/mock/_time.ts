/**
 * Time zones and the server's local time format ("YYYY-MM-DDThh:mm:ss", no zone suffix) for the
 * history functions (GetWorkerResults, GetJobResults, GetJobs, schedules).
 *
 * Times are kept in the state as epoch milliseconds (UTC) and rendered per call in the time zone the
 * caller names. Offsets are cached per zone and hour, so rendering thousands of rows does not call
 * `Intl` for each one.
 *
 * @module
 */

import { ApiFault } from "./_wire.ts";

/** The time zones GetTimeZones lists, with the IANA zone the mock converts with. */
export const TIME_ZONES: readonly { id: string; displayName: string; iana: string }[] = [
  // The mock's server clock runs on UTC: "$Local" is UTC (our choice; a real server uses its own zone).
  { id: "$Local", displayName: "(Local time of the server)", iana: "UTC" },
  { id: "UTC", displayName: "(UTC) Coordinated Universal Time", iana: "UTC" },
  {
    id: "GMT Standard Time",
    displayName: "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
    iana: "Europe/London",
  },
  {
    id: "W. Europe Standard Time",
    displayName: "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna",
    iana: "Europe/Berlin",
  },
  {
    id: "Eastern Standard Time",
    displayName: "(UTC-05:00) Eastern Time (US & Canada)",
    iana: "America/New_York",
  },
  {
    id: "Pacific Standard Time",
    displayName: "(UTC-08:00) Pacific Time (US & Canada)",
    iana: "America/Los_Angeles",
  },
];

const HOUR = 3_600_000;
/** One day in milliseconds. */
export const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/** The IANA zone of a time zone ID, or an error as the server gives for an unknown one. */
export function zoneOf(id: string): string {
  const zone = TIME_ZONES.find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (zone === undefined) {
    throw new ApiFault(
      `The time zone ID '${id}' was not found on the local computer. Use an ID from GetTimeZones.`,
      "System.TimeZoneNotFoundException",
    );
  }
  return zone.iana;
}

/** The zone's offset from UTC in ms at `utcMs` (cached per hour: zone changes fall on full hours). */
function offsetAt(zone: string, utcMs: number): number {
  if (zone === "UTC") return 0;
  const hour = Math.floor(utcMs / HOUR);
  const key = `${zone}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    let formatter = formatters.get(zone);
    if (formatter === undefined) {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      });
      formatters.set(zone, formatter);
    }
    const parts: Record<string, number> = {};
    for (const part of formatter.formatToParts(hour * HOUR)) {
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    }
    const local = Date.UTC(
      parts.year!,
      parts.month! - 1,
      parts.day!,
      parts.hour!,
      parts.minute!,
      parts.second!,
    );
    offset = local - hour * HOUR;
    offsets.set(key, offset);
  }
  return offset;
}

/** Renders a UTC instant as local time in `zone`, "YYYY-MM-DDThh:mm:ss" (no zone suffix). */
export function formatLocal(utcMs: number, zone: string): string {
  return new Date(utcMs + offsetAt(zone, utcMs)).toISOString().slice(0, 19);
}

/** Renders a UTC instant as "YYYY-MM-DDThh:mm:ss" in UTC (the `...DateTimeUtc` fields). */
export function formatUtc(utcMs: number): string {
  return new Date(utcMs).toISOString().slice(0, 19);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** The UTC instant of a local time in `zone`, "YYYY-MM-DD[Thh:mm[:ss]]"; undefined if malformed. */
export function localToUtc(text: string, zone: string): number | undefined {
  const match = LOCAL.exec(text.trim());
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0));
  const local = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const check = new Date(local);
  if (
    check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23 ||
    minute! > 59 || second! > 59
  ) {
    return undefined;
  }
  // Two rounds find the offset in force at that local time (DST changes included).
  const guess = local - offsetAt(zone, local);
  return local - offsetAt(zone, guess);
}

/** A mandatory local date-time argument, or an error naming the argument and the expected format. */
export function localArgument(name: string, text: string, zone: string): number {
  const utc = localToUtc(text, zone);
  if (utc === undefined) {
    throw new ApiFault(
      `Invalid value for API argument ${name}: '${text}' is not a date and time. ` +
        "Use YYYY-MM-DDThh:mm:ss.",
      "System.FormatException",
    );
  }
  return utc;
}
