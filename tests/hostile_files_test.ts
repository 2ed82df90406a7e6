/**
 * Report files are redacted like the terminal (issue 18, item 1): when a server echoes the admin's
 * credentials into instance names, display names and error texts, `report usage|health --output`
 * writes `***` in CSV, HTML and JSON files, as stdout shows, never the password or the Basic value.
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { runCli } from "./cli_helpers.ts";
import { failed, type Rewrites, serveHostileProxy } from "./_hostile_proxy.ts";

/** A password with every character HTML, CSV and JSON escape. */
const PASSWORD = `R3port&<pw>"q'x`;
const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: PASSWORD };
const BASIC = btoa(`admin:${PASSWORD}`);

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** The forms in which the credentials must not be in a file. */
const FORBIDDEN = [
  PASSWORD,
  html(PASSWORD),
  html(PASSWORD).replace(/'/g, "&#39;"),
  html(PASSWORD).replace(/'/g, "&#x27;"),
  JSON.stringify(PASSWORD).slice(1, -1),
  JSON.stringify(PASSWORD).slice(1, -1).replace(
    /[<>&']/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  ),
  encodeURIComponent(PASSWORD),
  `""${PASSWORD.split('"')[1]}`,
  BASIC,
];

function assertClean(where: string, text: string): void {
  for (const form of FORBIDDEN) {
    assert.ok(
      !text.includes(form),
      `${where} holds ${JSON.stringify(form)}:\n${text.slice(0, 2000)}`,
    );
  }
  assert.ok(text.includes("***"), `${where} shows no marker:\n${text.slice(0, 2000)}`);
}

/** Display names and an instance ID that echo the request's Authorization and the password. */
const rewrites: Rewrites = {
  rename: { initech: `initech ${PASSWORD}` },
  reply: (fn, args, envelope, request) => {
    const authorization = request.headers.get("authorization") ?? "";
    if (fn === "GetInstances" && Array.isArray(envelope.result)) {
      const result = envelope.result.map((instance: Record<string, unknown>) => ({
        ...instance,
        displayName: `Echo: ${authorization} password=${PASSWORD} (${
          encodeURIComponent(PASSWORD)
        })`,
      }));
      return { ...envelope, result };
    }
    if (fn === "GetUsers" && args.get("instanceID") === "globex") {
      return failed(`Access denied for ${authorization} with password ${PASSWORD}.`);
    }
    return envelope;
  },
};

Deno.test("report --output files (CSV, HTML, JSON) are redacted like the terminal", async (t) => {
  await using mock = await serveMock({ instances: 3, password: PASSWORD });
  await using proxy = serveHostileProxy(mock, rewrites);
  const dir = await Deno.makeTempDir({ prefix: "mspe-hostile-" });
  try {
    const runs = [
      ["usage", "csv", "usage.csv"],
      ["usage", "html", "usage.html"],
      ["usage", "json", "usage.json"],
      ["health", "json", "health.json"],
    ] as const;
    for (const [report, format, file] of runs) {
      await t.step(`report ${report} --format ${format} --output ${file}`, async () => {
        const path = `${dir}/${file}`;
        const { code, stdout, stderr } = await runCli(
          ["report", report, "--format", format, "--output", path, ...proxy.flags],
          { env: USER },
        );
        assert.equal(code, 0, stderr);
        const text = await Deno.readTextFile(path);
        assertClean(file, text);
        assertClean(`${file}: stdout and stderr`, `${stdout}\n${stderr}\n***`);
        // Still a file of its kind.
        if (format === "json") JSON.parse(text);
        if (format === "html") assert.match(text, /<\/html>\s*$/);
        if (format === "csv") assert.equal(text.trimEnd().split("\r\n").length, 4, text);
      });
    }
    // The terminal shows the same report redacted (the rule the files now follow).
    await t.step("the same report on stdout", async () => {
      const { code, stdout, stderr } = await runCli(
        ["report", "usage", "--format", "csv", ...proxy.flags],
        { env: USER },
      );
      assert.equal(code, 0, stderr);
      assertClean("stdout", stdout);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
