/**
 * The usage report: `usageReport()` against the mock over HTTPS (figures, `$archiveadmin` not
 * counted, totals, instances without figures, abort) and `mspe-run report usage` in process
 * (every format, `--output`, mistakes).
 */

import assert from "node:assert/strict";
import { serveMock } from "../lib/mock/mod.ts";
import { renderUsageHtml } from "../lib/cli/report_formats/usage_html.ts";
import { ArgumentError, invokeCall, type UsageReport, usageReport } from "../mod.ts";
import { clientFor } from "./_helpers.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

Deno.test("usageReport against the mock", async (t) => {
  await t.step("per instance: users without $archiveadmin, size, messages, stores", async () => {
    await using mock = await serveMock({
      instances: 3,
      usersPerInstance: 7,
      storesPerInstance: 2,
      problems: "none",
    });
    await using client = await clientFor(mock);
    const report = await usageReport(client);
    assert.deepEqual(report.instances.map((row) => row.instanceID), ["acme", "globex", "initech"]);
    for (const row of report.instances) {
      // What the API says, read independently.
      const users = (await invokeCall(client, "GetUsers", { instanceID: row.instanceID })).result!;
      assert.ok(users.some((user) => user.userName === "$archiveadmin"));
      assert.equal(row.users, users.length - 1);
      const statistics =
        (await invokeCall(client, "GetInstanceStatistics", { instanceID: row.instanceID }))
          .result!;
      assert.equal(row.archiveSizeMiB, statistics.totalSizeMB);
      assert.equal(row.messages, statistics.numberOfMessages);
      assert.equal(row.stores, 2);
      assert.equal(row.status, "running");
      assert.equal(row.error, null);
      assert.ok(row.displayName.length > 0);
    }
    const sum = (key: "users" | "archiveSizeMiB" | "messages" | "stores") =>
      report.instances.reduce((total, row) => total + (row[key] ?? 0), 0);
    assert.deepEqual(report.totals, {
      instances: 3,
      failed: 0,
      lastKnown: 0,
      users: 21,
      archiveSizeMiB: sum("archiveSizeMiB"),
      messages: sum("messages"),
      stores: 6,
    });
    assert.ok(report.totals.archiveSizeMiB > 0);
  });

  await t.step("a user added through the API is counted", async () => {
    await using mock = await serveMock({ instances: 1, usersPerInstance: 2, problems: "none" });
    await using client = await clientFor(mock);
    await invokeCall(client, "CreateUser", {
      instanceID: "acme",
      userName: "new.user",
      privileges: ["login"],
    });
    const report = await usageReport(client);
    assert.equal(report.instances[0]!.users, 3);
  });

  await t.step("an instance without figures gets its error and counts as 0", async () => {
    await using mock = await serveMock({ instances: 3, usersPerInstance: 4, problems: "none" });
    const globex = mock.app.state.instance("globex")!;
    globex.status = "stopped";
    globex.processID = null;
    await using client = await clientFor(mock);
    const report = await usageReport(client, { instances: ["globex", "acme", "missing"] });
    const [acme, globexRow, missing] = report.instances;
    assert.equal(acme!.users, 4);
    assert.equal(globexRow!.instanceID, "globex");
    assert.equal(globexRow!.status, "stopped");
    assert.equal(globexRow!.users, null);
    assert.match(globexRow!.error!, /is stopped: its figures cannot be read until it runs/);
    assert.equal(missing!.instanceID, "missing");
    assert.match(missing!.error!, /No instance has this ID/);
    assert.equal(report.totals.failed, 2);
    assert.equal(report.totals.users, 4);
    assert.equal(report.totals.instances, 3);
  });

  await t.step("a MailStore Server client is refused", async () => {
    await using mock = await serveMock({ product: "server" });
    await using client = await clientFor(mock, { product: "server" });
    await assert.rejects(usageReport(client as never), ArgumentError);
  });

  await t.step("abort rejects with the AbortError", async () => {
    await using mock = await serveMock({ instances: 12, problems: "none" });
    mock.faults.add({ kind: "latency", function: "GetUsers", latencyMs: 50 });
    await using client = await clientFor(mock);
    const controller = new AbortController();
    const report = usageReport(client, {
      concurrency: 2,
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done === 1) controller.abort();
      },
    });
    await assert.rejects(report, { name: "AbortError" });
    assert.ok((mock.stats.byFunction.GetUsers ?? 0) < 12);
  });
});

Deno.test("the usage page escapes names and embeds its data safely", () => {
  const report: UsageReport = {
    generatedAt: "2026-05-02T12:00:00.000Z",
    incomplete: false,
    instances: [{
      instanceID: "evil</script><b>x",
      displayName: `"quoted" & <tagged>`,
      status: "running",
      users: 3,
      archiveSizeMiB: 2048,
      messages: 10,
      stores: 1,
      lastKnown: false,
      compared: null,
      change: null,
      error: null,
    }],
    totals: { instances: 1, failed: 0, users: 3, archiveSizeMiB: 2048, messages: 10, stores: 1 },
  };
  const html = renderUsageHtml(report);
  assert.equal(html.match(/<\/script>/g)?.length, 2, "only the two script elements close");
  assert.doesNotMatch(html, /<b>x/);
  assert.match(html, /&#34;quoted&#34; &#38; &#60;tagged&#62;/);
  assert.doesNotMatch(html, /\b(src|href)=|@import|url\(/, "no external assets");
  assert.match(html, /id="total-size"[^>]*>2\.0 GiB</);
});

Deno.test("the usage page names the instances without figures above the chart", () => {
  const row = (instanceID: string, error: string | null) => ({
    instanceID,
    displayName: instanceID,
    status: error ? "stopped" : "running",
    users: error ? null : 2,
    archiveSizeMiB: error ? null : 100,
    messages: error ? null : 10,
    stores: error ? null : 1,
    lastKnown: false,
    compared: null,
    change: null,
    error,
  });
  const page = (failed: number) => {
    const instances = [
      row("acme", null),
      ...Array.from({ length: failed }, (_, i) => row(`down${i + 1}`, "not running")),
    ];
    return renderUsageHtml({
      generatedAt: "2026-05-02T12:00:00.000Z",
      incomplete: false,
      instances,
      totals: {
        instances: instances.length,
        failed,
        users: 2,
        archiveSizeMiB: 100,
        messages: 10,
        stores: 1,
      },
    });
  };
  const note = (html: string) => /<p [^>]*id="failed-note">(.*?)<\/p>/.exec(html)?.[1];
  assert.equal(note(page(0)), undefined);
  assert.equal(
    note(page(1)),
    "1 instance without figures: down1. They count as 0 in the totals; sort the table by Error to see it first.",
  );
  // Among hundreds of rows only the first ten are named; the Error column has them all.
  assert.match(
    note(page(12))!,
    /^12 instances without figures: down1, down2, .*, down10 and 2 more\./,
  );
  assert.doesNotMatch(note(page(12))!, /down11/);
});

Deno.test("mspe-run report usage", async (t) => {
  await using mock = await serveMock({ instances: 4, usersPerInstance: 6, problems: "none" });
  const flags = mockFlags(mock.port);
  const usage = (...args: string[]) =>
    runCliInProcess(["report", "usage", ...flags, ...args], { env: USER });
  const json = JSON.parse((await usage("--format", "json")).stdout) as UsageReport;

  await t.step("json is the library's report, with totals", () => {
    assert.equal(json.instances.length, 4);
    assert.equal(json.totals.users, 24);
    assert.ok(json.instances.every((row) => row.users === 6 && row.stores === 3));
  });

  await t.step("csv: one row per instance, ready for billing", async () => {
    const { code, stdout } = await usage("--format", "csv");
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split("\r\n");
    assert.equal(
      lines[0],
      "instanceID,displayName,status,users,archiveSizeMiB,messages,stores,lastKnown,error",
    );
    assert.equal(lines.length, 5);
    const acme = json.instances.find((row) => row.instanceID === "acme")!;
    assert.equal(
      lines[1],
      `acme,${acme.displayName},running,6,${acme.archiveSizeMiB},${acme.messages},3,,`,
    );
  });

  await t.step("table: a row per instance and the totals", async () => {
    const { code, stdout } = await usage("--format", "table");
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^instanceID +displayName +status +users +archiveSizeMiB +messages +stores/,
    );
    assert.match(stdout, new RegExp(`^\\(total: 4\\) +24 +${json.totals.archiveSizeMiB} `, "m"));
    assert.doesNotMatch(stdout, /error/, "no error column when every instance has figures");
  });

  await t.step("list: a block per instance, then the totals", async () => {
    const { code, stdout } = await usage("--format", "list");
    assert.equal(code, 0);
    const blocks = stdout.trim().split(/\n\s*\n/);
    assert.equal(blocks.length, 5);
    assert.match(blocks[0]!, /^instanceID +: acme$/m);
    assert.match(blocks[4]!, /^instanceID +: \(total: 4\)$/m);
    assert.match(blocks[4]!, /^users +: 24$/m);
  });

  await t.step("html --output writes one self-contained page", async () => {
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/usage.html`;
      const { code, stdout, stderr } = await usage("--format", "html", "--output", file);
      assert.equal(code, 0, stderr);
      assert.equal(stdout, "");
      assert.match(stderr, /Wrote the usage of 4 instances to /);
      const html = await Deno.readTextFile(file);
      assert.match(html, /^<!DOCTYPE html>/);
      assert.match(html, /id="total-users">24</);
      assert.match(html, /<tr data-instance="acme">/);
      assert.doesNotMatch(html, /\b(src|href)=/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  await t.step("mistakes are one line and exit 2", async () => {
    const format = await usage("--format", "nagios");
    assert.equal(format.code, 2);
    assert.match(format.stderr, /Unknown format "nagios" for report usage/);
    const since = await usage("--since", "7d");
    assert.equal(since.code, 2);
    assert.match(since.stderr, /--since belongs to report health/);
    const concurrency = await usage("--concurrency", "0");
    assert.equal(concurrency.code, 2);
    const server = await runCliInProcess(["report", "usage", ...flags, "--product", "server"], {
      env: USER,
    });
    assert.equal(server.code, 2);
    assert.match(server.stderr, /MailStore Server has none/);
    const unreadable = await usage("--instances", "@/nonexistent/ids.txt");
    assert.equal(unreadable.code, 2);
    assert.match(unreadable.stderr, /Cannot read the --instances file/);
  });

  await t.step("--instances - reads IDs from stdin", async () => {
    const { code, stdout } = await runCliInProcess(
      ["report", "usage", ...flags, "--instances", "-", "--format", "json"],
      { env: USER, stdin: "globex\n# a comment\n\nacme\n" },
    );
    assert.equal(code, 0);
    const report = JSON.parse(stdout) as UsageReport;
    assert.deepEqual(report.instances.map((row) => row.instanceID), ["acme", "globex"]);
  });
});
