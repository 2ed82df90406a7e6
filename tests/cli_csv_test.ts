/**
 * `--format csv` and `--select`: RFC 4180 output read back by a strict reader of this file that
 * shares no code with the writer, and, where python3 is installed (the Linux lane), also by
 * Python's `csv` module in a subprocess (an independent reader many admins' scripts use);
 * `--select` in every format, and tables that line up by display width (CJK, emoji, combining
 * marks). End to end against the mock over HTTPS with users whose names need quoting.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { csvField, csvHeader, csvRow, renderCsv } from "../lib/cli/output/csv.ts";
import { cutDisplay, displayWidth, padDisplay } from "../lib/cli/output/display_width.ts";
import { renderTable, selectProperties, style } from "../lib/cli/output/format.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

/** Whether python3 runs here (not on the Windows lane, and not on every Linux machine). */
async function hasPython(): Promise<boolean> {
  try {
    return (await new Deno.Command("python3", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}

const PYTHON = await hasPython();
if (!PYTHON) {
  console.log(
    "cli_csv_test: python3 is not installed: CSV is read back by the test's strict reader only " +
      "(the Linux lane also checks it against Python's csv module).",
  );
}

/** Parses CSV with Python's csv module (strict RFC 4180 dialect) and returns the rows as lists. */
async function pythonCsv(text: string): Promise<string[][]> {
  const script = [
    "import csv, io, json, sys",
    "data = sys.stdin.buffer.read().decode('utf-8')",
    "rows = list(csv.reader(io.StringIO(data, newline=''), strict=True))",
    "sys.stdout.write(json.dumps(rows))",
  ].join("\n");
  const child = new Deno.Command("python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout));
}

/**
 * A strict RFC 4180 reader, written for this test apart from the writer (and from csvRecords):
 * records end with CRLF, a quote may only open a field and, doubled, stand for itself inside a
 * quoted one; anything else (a bare LF or CR outside quotes, text after a closing quote, a quote
 * left open) throws.
 */
function strictCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let at = 0;
  while (at < text.length) {
    let field = "";
    if (text[at] === '"') {
      at++;
      while (true) {
        if (at >= text.length) throw new Error("a quoted field is not closed");
        if (text[at] === '"') {
          if (text[at + 1] === '"') {
            field += '"';
            at += 2;
            continue;
          }
          at++;
          break;
        }
        field += text[at++];
      }
    } else {
      while (at < text.length && text[at] !== "," && text[at] !== "\r") {
        if (text[at] === '"' || text[at] === "\n") {
          throw new Error(`${JSON.stringify(text[at])} in an unquoted field at ${at}`);
        }
        field += text[at++];
      }
    }
    row.push(field);
    if (text[at] === ",") {
      at++;
      continue;
    }
    if (text.startsWith("\r\n", at)) {
      rows.push(row);
      row = [];
      at += 2;
      continue;
    }
    throw new Error(`a field ends with ${JSON.stringify(text[at] ?? "the end")} at ${at}`);
  }
  if (row.length > 0) throw new Error("the last record has no CRLF");
  return rows;
}

/** The rows of `text` by the strict reader, and, where python3 runs, the same rows by Python's. */
async function readCsv(text: string): Promise<string[][]> {
  const rows = strictCsv(text);
  if (PYTHON) assert.deepEqual(await pythonCsv(text), rows, "Python's csv module reads the same");
  return rows;
}

const TRICKY = [
  { name: "plain", note: "simple" },
  { name: "comma, inside", note: 'a "quoted" word' },
  { name: "line\r\nbreak", note: "line\nfeed" },
  { name: " leading space", note: "trailing space " },
  { name: "日本語 テキスト", note: "👍 émoji, e\u0301" },
  { name: "nested", note: { a: [1, "x,y"], b: null } },
  { name: "empty", note: null },
  { name: "typed", note: true, count: 0 },
];

Deno.test("CSV: RFC 4180 fields, CRLF records, one header", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "hi", bob'), '"say ""hi"", bob"');
  assert.equal(csvField("a\nb"), '"a\nb"');
  assert.equal(csvField(" x"), '" x"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(false), "false");
  assert.equal(csvField(0), "0");
  assert.equal(csvField(["login", "read"]), '"[""login"",""read""]"');
  assert.equal(csvHeader(["a", "b,c"]), 'a,"b,c"\r\n');
  assert.equal(csvRow(["a", "b"], { b: 2 }), ",2\r\n");
  assert.equal(csvRow(["value"], "x"), "x\r\n");
  const text = renderCsv(TRICKY);
  assert.ok(text.startsWith("name,note,count\r\n"));
  assert.ok(text.endsWith("\r\n"));
  assert.equal(renderCsv([]), "");
  assert.equal(renderCsv(null), "");
  assert.equal(renderCsv(["a", "b"]), "value\r\na\r\nb\r\n");
});

Deno.test("CSV: a strict reader reads back exactly what was written", async () => {
  const rows = await readCsv(renderCsv(TRICKY));
  assert.deepEqual(rows[3], ["line\r\nbreak", "line\nfeed", ""]);
  assert.deepEqual(rows[0], ["name", "note", "count"]);
  const expected = TRICKY.map((row) =>
    ["name", "note", "count"].map((key) => {
      const value = (row as Record<string, unknown>)[key];
      if (value === null || value === undefined) return "";
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    })
  );
  assert.deepEqual(rows.slice(1), expected);
  // Nested values come back as JSON text that parses to the original.
  assert.deepEqual(JSON.parse(rows[6]![1]!), { a: [1, "x,y"], b: null });
  // The reader itself refuses what RFC 4180 does not allow, so its agreement means something.
  for (const bad of ['a,b"c\r\n', '"a"b\r\n', '"open\r\n', "a\nb\r\n", "a,b"]) {
    assert.throws(() => strictCsv(bad), Error, JSON.stringify(bad));
  }
});

Deno.test("--select: the named properties in that order, case-insensitive, missing ones empty", () => {
  const users = [{ userName: "bob", fullName: "Bob", x: 1 }, { userName: "ann", x: 2 }];
  assert.deepEqual(selectProperties(users, ["FULLNAME", "userName"]), [
    { fullName: "Bob", userName: "bob" },
    { fullName: null, userName: "ann" },
  ]);
  let missing: string[] = [];
  selectProperties(users, ["userName", "nope"], (lost) => missing = lost);
  assert.deepEqual(missing, ["nope"]);
  // A single object, and values that are not objects, stay what they are.
  assert.deepEqual(selectProperties({ a: 1, b: 2 }, ["b"]), { b: 2 });
  assert.deepEqual(selectProperties(["x", "y"], ["a"]), ["x", "y"]);
});

Deno.test("tables line up by display width: CJK and emoji take 2 columns, marks 0", () => {
  assert.equal(displayWidth("abc"), 3);
  assert.equal(displayWidth("日本語"), 6);
  assert.equal(displayWidth("ｶﾀｶﾅ"), 4); // halfwidth katakana
  assert.equal(displayWidth("한국어"), 6);
  assert.equal(displayWidth("e\u0301"), 1);
  assert.equal(displayWidth("👍"), 2);
  assert.equal(displayWidth("👨‍👩‍👧"), 2); // one ZWJ sequence
  assert.equal(displayWidth("☺️"), 2); // text symbol with emoji presentation
  assert.equal(padDisplay("日本", 6), "日本  ");
  assert.equal(cutDisplay("日本語テキスト", 7), "日本語…");
  assert.equal(displayWidth(cutDisplay("日本語テキスト", 8)), 7); // a wide char is not split
  const rows = [
    { userName: "bob", fullName: "Bob", city: "Berlin" },
    { userName: "tanaka", fullName: "田中 太郎", city: "東京" },
    { userName: "emoji", fullName: "👍 José\u0301", city: "São Paulo" },
  ];
  const lines = renderTable(rows, style(false)).trimEnd().split("\n");
  // Every column starts at the same display column on every line.
  const header = lines[0]!;
  for (const column of ["fullName", "city"] as const) {
    const at = displayWidth(header.slice(0, header.indexOf(column)));
    for (const [i, row] of rows.entries()) {
      const line = lines[i + 2]!;
      assert.equal(displayWidth(line.slice(0, line.indexOf(row[column]))), at, line);
    }
  }
  // With a narrow terminal, wide text is cut without breaking the alignment.
  const narrow = renderTable(rows, style(false), 24).trimEnd().split("\n");
  for (const line of narrow) assert.ok(displayWidth(line) <= 24, line);
});

Deno.test("mspe-run --format csv and --select against the mock", async () => {
  await using mock = await serveMock({ password: "admin" });
  const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
  const flags = mockFlags(mock.port);
  const names = ['Müller, "Hans"', "田中 太郎", "Zoë 👍"];
  for (const [i, fullName] of names.entries()) {
    const created = await runCliInProcess(
      [
        "call",
        "CreateUser",
        "instanceID=acme",
        `userName=csv${i}`,
        `fullName=${fullName}`,
        "privileges=login",
        ...flags,
      ],
      { env },
    );
    assert.equal(created.code, 0, created.stderr);
  }
  const json = await runCliInProcess([
    "call",
    "GetUsers",
    "instanceID=acme",
    "--format",
    "json",
    ...flags,
  ], {
    env,
  });
  const users = JSON.parse(json.stdout) as Record<string, unknown>[];
  const csv = await runCliInProcess([
    "call",
    "GetUsers",
    "instanceID=acme",
    "--format",
    "csv",
    ...flags,
  ], {
    env,
  });
  assert.equal(csv.code, 0, csv.stderr);
  assert.ok(csv.stdout.includes("\r\n") && !/[^\r]\n/.test(csv.stdout), "CRLF line ends only");
  const rows = await readCsv(csv.stdout);
  const header = rows[0]!;
  assert.deepEqual(header, Object.keys(users[0]!));
  assert.equal(rows.length - 1, users.length);
  for (const [i, user] of users.entries()) {
    assert.deepEqual(rows[i + 1], header.map((key) => user[key] === null ? "" : String(user[key])));
  }
  for (const name of names) assert.ok(rows.some((row) => row[1] === name), name);

  // --select in every format: only those properties, in that order.
  const select = ["--select", "fullName,userName"];
  const selected = await runCliInProcess(
    ["call", "GetUsers", "instanceID=acme", "--format", "csv", ...select, ...flags],
    { env },
  );
  const selectedRows = await readCsv(selected.stdout);
  assert.deepEqual(selectedRows[0], ["fullName", "userName"]);
  const asJson = await runCliInProcess(
    ["call", "GetUsers", "instanceID=acme", "--format", "json", ...select, ...flags],
    { env },
  );
  assert.deepEqual(
    JSON.parse(asJson.stdout),
    users.map((u) => ({ fullName: u.fullName, userName: u.userName })),
  );
  const ndjson = await runCliInProcess(
    ["call", "GetUsers", "instanceID=acme", "--format", "ndjson", ...select, ...flags],
    { env },
  );
  assert.deepEqual(Object.keys(JSON.parse(ndjson.stdout.split("\n")[0]!)), [
    "fullName",
    "userName",
  ]);
  const table = await runCliInProcess(
    ["call", "GetUsers", "instanceID=acme", "--format", "table", ...select, ...flags],
    { env },
  );
  assert.match(table.stdout, /^fullName +userName\n/);
  const list = await runCliInProcess(
    ["call", "GetEnvironmentInfo", "--format", "list", "--select", "serverName,version", ...flags],
    { env },
  );
  assert.match(list.stdout, /^serverName : .+\nversion {4}: .+\n$/);
  // A name the result does not have: shown empty, with one warning that suggests the right one.
  const typo = await runCliInProcess(
    [
      "call",
      "GetUsers",
      "instanceID=acme",
      "--format",
      "json",
      "--select",
      "userName,fulName",
      ...flags,
    ],
    { env },
  );
  assert.equal(typo.code, 0);
  assert.match(typo.stderr, /--select: the result has no fulName \(did you mean fullName\?\)/);
  assert.equal(typo.stderr.match(/warning:/g)?.length, 1);
  assert.equal(JSON.parse(typo.stdout)[0].fulName, null);
  const empty = await runCliInProcess([
    "call",
    "GetUsers",
    "instanceID=acme",
    "--select",
    ",",
    ...flags,
  ], {
    env,
  });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /--select needs property names/);
});
