/**
 * Reading CSV (RFC 4180) as Export-Csv and mspe-run write it: what the library reads (a desired
 * state's users from a file) and the CLI reads (instance lists, a previous usage report). The
 * writer is the CLI's (lib/cli/output/csv.ts); the reader sits here so that the library does not
 * import CLI code.
 *
 * @module
 */

/**
 * The records of a CSV text, as Export-Csv and this module write it (RFC 4180): quoted fields with
 * doubled quotes and line breaks inside, CRLF or LF between records, a BOM. Blank lines are left
 * out; a quote left open runs to the end of the text.
 *
 * @example
 * ```ts
 * import { csvRecords } from "./_csv_records.ts";
 * console.log(csvRecords('id,name\r\nacme,"Acme, ""Inc."""\r\n')); // [["id","name"],["acme",'Acme, "Inc."']]
 * ```
 */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  const body = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.length > 1 || r[0] !== "");
}
