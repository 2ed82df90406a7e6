/**
 * Every example prints one valid document per format: one JSON value, one CSV table under one
 * header, ndjson a value per line (example 2 printed a JSON document and a CSV header per user).
 *
 * @module
 */

import assert from "node:assert/strict";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { startMock } from "./_helpers.ts";

const ENV = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("mspe-run example 1-4: one JSON document, one CSV header, ndjson lines", async () => {
  await using mock = await startMock();
  for (const example of ["1", "2", "3", "4"]) {
    const run = (format: string) =>
      runCliInProcess(["example", example, "--format", format, ...mockFlags(mock.port)], {
        env: ENV,
      });
    const json = await run("json");
    assert.equal(json.code, 0, json.stderr);
    const document = JSON.parse(json.stdout);
    if (example === "2" || example === "4") assert.ok(Array.isArray(document), example);
    const csv = await run("csv");
    assert.equal(csv.code, 0, csv.stderr);
    const header = csv.stdout.split("\r\n")[0]!;
    assert.equal(csv.stdout.split("\r\n").filter((line) => line === header).length, 1, example);
    if (example === "2") {
      // A row per user of the document, under the one header.
      assert.equal(csv.stdout.trimEnd().split("\r\n").length, document.length + 1);
    }
    const ndjson = await run("ndjson");
    assert.equal(ndjson.code, 0, ndjson.stderr);
    for (const line of ndjson.stdout.split("\n").filter((line) => line !== "")) JSON.parse(line);
  }
});
