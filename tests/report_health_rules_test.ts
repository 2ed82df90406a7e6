/**
 * The health report as a monitoring admin needs it (issue 17, items 1 and 5): each finding kind's
 * rule (a profile or job that failed and recovered is a warning; three failures in a row, or a day
 * without success, critical), acknowledgements (a tenant stopped on purpose; one that expired counts
 * again), a healthy simulator that is OK, a table that never cuts the action, and the usage report
 * compared with last month's CSV.
 */

import assert from "node:assert/strict";
import type { MockServer } from "../lib/mock/mod.ts";
import { serveMock } from "../lib/mock/mod.ts";
import type { RunResult } from "../lib/mock/_history.ts";
import { renderHealth } from "../lib/cli/report_formats/rows.ts";
import { style } from "../lib/cli/output/format.ts";
import {
  type HealthFinding,
  type HealthReport,
  healthReport,
  parseAcknowledgements,
} from "../mod.ts";
import { clientFor, workerRun } from "./_helpers.ts";
import { mockFlags, runCli } from "./cli_helpers.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
const HOUR = 3_600_000;

/** Replaces the seeded history by nothing, so that each step writes the runs it judges. */
function withoutHistory(mock: MockServer): void {
  const state = mock.app.state;
  for (const instance of state.instanceList()) state.activity(instance).seed = null;
}

/** Adds runs of one profile of globex, `hoursAgo` each, oldest first. */
function addRuns(mock: MockServer, runs: readonly (readonly [RunResult, number])[]): void {
  const activity = mock.app.state.activity(mock.app.state.instance("globex")!);
  const run = { now: Date.now(), userName: "$archiveadmin", profileName: "IMAP Shared" };
  runs.forEach(([result, hoursAgo], i) => {
    activity.workerResults.push(workerRun(100 + i, result, hoursAgo, run));
  });
}

function workerFinding(report: HealthReport): HealthFinding {
  const found = report.findings.find((f) => f.kind === "workerFailed");
  assert.ok(found, `a workerFailed finding in ${JSON.stringify(report.counts)}`);
  return found;
}

Deno.test("the rules of failed runs: recovered is a warning, 3 in a row or a day is critical", async (t) => {
  await t.step("one failed run followed by a success is a warning", async () => {
    await using mock = await serveMock({ instances: 2, problems: "none" });
    withoutHistory(mock);
    addRuns(mock, [["succeeded", 30], ["failed", 6], ["succeeded", 1]]);
    await using client = await clientFor(mock);
    const report = await healthReport(client);
    const finding = workerFinding(report);
    assert.equal(finding.severity, "warning");
    assert.match(finding.problem, /"IMAP Shared" failed once \(\$archiveadmin\), then succeeded/);
    assert.equal(report.status, "warning");
  });

  await t.step("three failed runs in a row are critical", async () => {
    await using mock = await serveMock({ instances: 2, problems: "none" });
    withoutHistory(mock);
    addRuns(mock, [["succeeded", 10], ["failed", 6], ["failed", 4], ["failed", 2]]);
    await using client = await clientFor(mock);
    const report = await healthReport(client);
    const finding = workerFinding(report);
    assert.equal(finding.severity, "critical");
    assert.match(finding.problem, /its last 3 runs failed, no successful run since/);
    assert.equal(report.status, "critical");
    // The threshold is an option: five in a row tolerated, and 3 is no longer critical.
    const tolerant = await healthReport(client, { profileFailedRuns: 5 });
    assert.equal(workerFinding(tolerant).severity, "warning");
    assert.equal(tolerant.rules.profileFailedRuns, 5);
  });

  await t.step(
    "no success for longer than the hours is critical, however few the runs",
    async () => {
      await using mock = await serveMock({ instances: 2, problems: "none" });
      withoutHistory(mock);
      // A daily profile: failed 30 hours ago and again 6 hours ago.
      addRuns(mock, [["succeeded", 54], ["failed", 30], ["failed", 6]]);
      await using client = await clientFor(mock);
      const report = await healthReport(client);
      assert.equal(workerFinding(report).severity, "critical");
      const lenient = await healthReport(client, { profileFailedHours: 48 });
      assert.equal(workerFinding(lenient).severity, "warning");
      await assert.rejects(() => healthReport(client, { profileFailedRuns: 0 }), /whole number/);
    },
  );

  await t.step("jobs follow the same rule", async () => {
    await using mock = await serveMock({ instances: 2, problems: "none" });
    withoutHistory(mock);
    const activity = mock.app.state.activity(mock.app.state.instance("globex")!);
    const now = Date.now();
    const job = (id: number, result: "failed" | "succeeded", hoursAgo: number) => ({
      jobResultId: id,
      jobId: 2,
      action: "VerifyStores",
      startTime: now - hoursAgo * HOUR,
      completeTime: now - hoursAgo * HOUR + 5000,
      result,
    });
    activity.jobResults.push(job(1, "failed", 20), job(2, "succeeded", 2));
    await using client = await clientFor(mock);
    const recovered = await healthReport(client);
    assert.equal(recovered.findings[0]?.kind, "jobFailed");
    assert.equal(recovered.findings[0]?.severity, "warning");
    activity.jobResults.push(job(3, "failed", 1.5), job(4, "failed", 1), job(5, "failed", 0.5));
    const failing = await healthReport(client);
    assert.equal(failing.findings[0]?.severity, "critical");
    assert.match(failing.findings[0]!.problem, /Job 2 \(VerifyStores\) failed 4 times: its last 3/);
  });
});

Deno.test("mock --problems none is a healthy fleet: report health --format nagios is OK, exit 0", async () => {
  // The seeded history is kept: it must fail nothing at this level.
  await using mock = await serveMock({ instances: 40, problems: "none", seed: 17 });
  const { code, stdout } = await runCli(
    ["report", "health", ...mockFlags(mock.port), "--format", "nagios", "--since", "7d"],
    { env: USER },
  );
  assert.match(stdout, /^MSPE HEALTH OK - no findings on 40 instances/);
  assert.equal(code, 0, stdout);
});

Deno.test("mock --problems some seeds a case of each rule, the same for the same seed", async () => {
  const findingsOf = async () => {
    await using mock = await serveMock({ instances: 12, problems: "some", seed: 5 });
    await using client = await clientFor(mock);
    const report = await healthReport(client);
    return report.findings.map((f) => `${f.severity} ${f.kind} ${f.instanceID}`);
  };
  const first = await findingsOf();
  assert.deepEqual(await findingsOf(), first);
  await using mock = await serveMock({ instances: 12, problems: "some", seed: 5 });
  await using client = await clientFor(mock);
  const report = await healthReport(client);
  const has = (severity: string, kind: string, problem?: RegExp) =>
    assert.ok(
      report.findings.some((f) =>
        f.severity === severity && f.kind === kind &&
        (problem === undefined || problem.test(f.problem))
      ),
      `${severity} ${kind} ${problem ?? ""} in ${first.join("; ")}`,
    );
  has("warning", "workerFailed", /failed once .*then succeeded/);
  has("critical", "workerFailed", /runs failed, no successful run since/);
  has("critical", "instanceNotRunning");
  has("critical", "instanceStartStopError");
  has("critical", "storeError");
  has("warning", "storeNeedsUpgrade");
  has("warning", "indexNeedsRebuild");
});

Deno.test("acknowledgements: a tenant stopped on purpose stays OK until the ack expires", async (t) => {
  await using mock = await serveMock({ instances: 4, problems: "none" });
  withoutHistory(mock);
  const umbrella = mock.app.state.instance("umbrella")!;
  umbrella.status = "stopped";
  umbrella.processID = null;
  const dir = await Deno.makeTempDir();
  const file = `${dir}/acks.json`;
  const health = (...args: string[]) =>
    runCli(["report", "health", ...mockFlags(mock.port), ...args], { env: USER });
  try {
    await t.step("--ack-add creates the file with the entry", async () => {
      const added = await health(
        "--ack-add",
        "--ack",
        file,
        "--instance",
        "umbrella",
        "--kind",
        "instanceNotRunning",
        "--until",
        "2099-12-31",
        "--reason",
        "Contract ended; data kept",
        "--who",
        "j.doe",
      );
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stderr, /Acknowledged instanceNotRunning on umbrella until 2099-12-31/);
      const entries = parseAcknowledgements(await Deno.readTextFile(file));
      assert.deepEqual(entries, [{
        instanceID: "umbrella",
        kind: "instanceNotRunning",
        until: "2099-12-31",
        reason: "Contract ended; data kept",
        who: "j.doe",
      }]);
    });

    await t.step("an acknowledged stopped instance leaves the state OK, and says so", async () => {
      const without = await health("--format", "nagios");
      assert.equal(without.code, 2, without.stdout);
      const nagios = await health("--format", "nagios", "--ack", file);
      assert.equal(nagios.code, 0, nagios.stdout);
      assert.match(nagios.stdout, /^MSPE HEALTH OK - no findings on 4 instances, 1 acknowledged/);
      assert.match(
        nagios.stdout,
        /^\[CRITICAL ACKNOWLEDGED\] umbrella: The instance is stopped.*\(acknowledged until 2099-12-31 by j\.doe: Contract ended; data kept\)$/m,
      );
      assert.match(nagios.stdout, / acknowledged=1;;;0/);
      const prtg = JSON.parse((await health("--format", "prtg", "--ack", file)).stdout).prtg;
      assert.equal(prtg.result.find((c: { channel: string }) => c.channel === "Findings").value, 0);
      assert.match(prtg.text, /acknowledged until 2099-12-31 by j\.doe/);
      const json = JSON.parse((await health("--format", "json", "--ack", file)).stdout);
      assert.equal(json.status, "ok");
      assert.equal(json.acknowledged, 1);
      assert.equal(json.findings[0].acknowledgement.expired, false);
      const csv = (await health("--format", "csv", "--ack", file)).stdout.split("\r\n");
      assert.match(csv[1]!, /,yes,2099-12-31,j\.doe,Contract ended; data kept$/);
      const list = await health("--format", "list", "--ack", file);
      assert.match(list.stdout, /^acknowledged +: acknowledged until 2099-12-31 by j\.doe/m);
    });

    await t.step(
      "an expired acknowledgement counts again, and the output says it expired",
      async () => {
        await Deno.writeTextFile(
          file,
          JSON.stringify([{
            instanceID: "*",
            kind: "instanceNotRunning",
            until: "2020-01-31",
            reason: "Migration",
            who: "ops",
          }]),
        );
        const nagios = await health("--format", "nagios", "--ack", file);
        assert.equal(nagios.code, 2, nagios.stdout);
        assert.match(nagios.stdout, /^MSPE HEALTH CRITICAL - 1 critical/);
        assert.match(
          nagios.stdout,
          /\(acknowledgement expired on 2020-01-31 \(was by ops: Migration\)\)/,
        );
        const csv = (await health("--format", "csv", "--ack", file)).stdout;
        assert.match(csv, /,expired,2020-01-31,ops,Migration\r\n/);
      },
    );

    await t.step("a bad ack file is one line and exit 2 (nagios: UNKNOWN)", async () => {
      await Deno.writeTextFile(file, '[{"instanceID":"acme","kind":"storeErr"}]');
      const table = await health("--format", "table", "--ack", file);
      assert.equal(table.code, 2);
      assert.equal(table.stderr.trim().split("\n").length, 1, table.stderr);
      assert.match(table.stderr, /acks\.json, entry 1: "kind" "storeErr" is not a finding kind/);
      const nagios = await health("--format", "nagios", "--ack", file);
      assert.equal(nagios.code, 3);
      assert.match(nagios.stdout, /^MSPE HEALTH UNKNOWN - The acknowledgement file .*acks\.json/);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the table groups findings by instance and never cuts the action (80 and 180 columns)", async () => {
  await using mock = await serveMock({ instances: 12, problems: "some", seed: 5 });
  await using client = await clientFor(mock);
  const report = await healthReport(client);
  assert.ok(report.findings.length > 5);
  const flat = (text: string) => text.replace(/\s+/g, " ");
  for (const width of [80, 180]) {
    const text = renderHealth(report, "table", style(false), width);
    for (const line of text.split("\n")) {
      // Only a single word longer than the line (none here) may overrun it.
      assert.ok(line.length <= width, `${width}: ${line}`);
    }
    assert.doesNotMatch(text, /…/);
    const whole = flat(text);
    for (const finding of report.findings) {
      assert.ok(whole.includes(flat(`Action: ${finding.action}`)), `${width}: ${finding.action}`);
      assert.ok(whole.includes(flat(finding.problem)), `${width}: ${finding.problem}`);
    }
    // One heading per instance, its findings under it.
    const headings = text.split("\n").filter((line) => /^\S/.test(line));
    const instances = new Set(report.findings.map((f) => f.instanceID ?? "(service)"));
    assert.equal(headings.length, instances.size);
  }
});

Deno.test("report usage --compare: the change per instance and in the totals, new and gone marked", async () => {
  await using mock = await serveMock({ instances: 4, usersPerInstance: 5, problems: "none" });
  const flags = mockFlags(mock.port);
  const usage = (...args: string[]) =>
    runCli(["report", "usage", ...flags, ...args], { env: USER });
  const dir = await Deno.makeTempDir();
  try {
    const now = JSON.parse((await usage("--format", "json")).stdout);
    const acme = now.instances.find((row: { instanceID: string }) => row.instanceID === "acme");
    // Last month: acme had 3 users and 100 MiB less, umbrella ran with its figures, oldco existed,
    // initech did not; written before the size column said MiB.
    const previous = [
      "instanceID,displayName,status,users,archiveSizeMB,messages,stores,error",
      `acme,Acme,running,3,${acme.archiveSizeMiB - 100},${acme.messages},4,`,
      `globex,Globex,running,5,1,1,1,`,
      `umbrella,Umbrella,running,9,7000,123456,2,`,
      `oldco,"Old Co, Ltd",running,2,50,900,1,`,
    ].join("\r\n");
    await Deno.writeTextFile(`${dir}/last.csv`, previous);
    const umbrella = mock.app.state.instance("umbrella")!;
    umbrella.status = "stopped";
    umbrella.processID = null;

    const csv = await usage("--format", "csv", "--compare", `${dir}/last.csv`);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split("\r\n");
    assert.equal(
      lines[0],
      "instanceID,displayName,status,users,archiveSizeMiB,messages,stores,lastKnown,error," +
        "compared,usersChange,archiveSizeMiBChange,messagesChange,storesChange",
    );
    const row = (id: string) => lines.find((line) => line.startsWith(`${id},`)) ?? "";
    assert.match(row("acme"), /,present,2,100,0,-1$/);
    assert.match(row("initech"), /,new,5,\d+,\d+,3$/);
    assert.match(row("oldco"), /^oldco,"Old Co, Ltd",gone,,,,,,,gone,-2,-50,-900,-1$/);
    // Stopped: billed with its last known figures, and marked.
    assert.match(
      row("umbrella"),
      /^umbrella,Umbrella,stopped,9,7000,123456,2,yes,.*,present,0,0,0,0$/,
    );

    const json = JSON.parse(
      (await usage("--format", "json", "--compare", `${dir}/last.csv`)).stdout,
    );
    assert.equal(json.totals.lastKnown, 1);
    const before = 3 + 5 + 9 + 2;
    assert.equal(json.totals.change.users, json.totals.users - before);
    const table = await usage("--format", "table", "--compare", `${dir}/last.csv`);
    assert.match(table.stdout, /^umbrella +Umbrella +stopped \(last known figures\) +9 /m);
    assert.match(table.stdout, /^acme .* present +\+2 +\+100 +0 +-1/m);
    assert.match(table.stderr, /1 instance is counted with its last known figures/);
    const html = (await usage("--format", "html", "--compare", `${dir}/last.csv`)).stdout;
    assert.match(html, /<td data-value="stopped \(last known figures\)">/);
    assert.doesNotMatch(html, /id="failed-note"/, "counted, so not among those without figures");

    const bad = await usage("--format", "csv", "--compare", `${dir}/nosuch.csv`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Cannot read --compare .*nosuch\.csv: it does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the rules and the ack file come from a profile too (profile keys)", async () => {
  await using mock = await serveMock({ instances: 4, problems: "none" });
  withoutHistory(mock);
  addRuns(mock, [["succeeded", 10], ["failed", 6], ["failed", 4], ["failed", 2]]);
  const umbrella = mock.app.state.instance("umbrella")!;
  umbrella.status = "stopped";
  umbrella.processID = null;
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/acks.json`,
      JSON.stringify([{
        instanceID: "umbrella",
        kind: "*",
        until: "2099-01-01",
        reason: "Stopped on purpose",
        who: "ops",
      }]),
    );
    const profile = {
      host: "127.0.0.1",
      port: mock.port,
      caCert: `${Deno.cwd()}/tests/testdata/tls/ca.pem`,
      username: "admin",
      ackFile: `${dir}/acks.json`,
      profileFailedRuns: 5,
    };
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ profiles: { mon: profile } }));
    const env = { MSPE_PASSWORD: "admin", MSPE_CONFIG: `${dir}/config.json` };
    const nagios = await runCli(["report", "health", "--profile", "mon", "--format", "nagios"], {
      env,
    });
    // Three failures in a row are tolerated up to 5; the stopped instance is acknowledged.
    assert.equal(nagios.code, 1, nagios.stdout);
    assert.match(
      nagios.stdout,
      /^MSPE HEALTH WARNING - 0 critical, 1 warning findings on 4 instances, 1 acknowledged/,
    );
    // A flag wins over the profile.
    const strict = await runCli(
      ["report", "health", "--profile", "mon", "--format", "nagios", "--profile-failed-runs", "3"],
      { env },
    );
    assert.equal(strict.code, 2, strict.stdout);
    const bad = await runCli(
      ["report", "health", "--profile", "mon", "--format", "json", "--job-failed-hours", "soon"],
      { env },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--job-failed-hours "soon" is not a number of hours/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the health table shows a tenant's hostile text escaped, still whole", () => {
  const hostile = "boom\x07\x1b[2J\u202eexe.txt\r\nnext";
  const finding: HealthFinding = {
    severity: "critical",
    kind: "instanceStartStopError",
    instanceID: "acme\x1b]0;owned",
    problem: `The last start failed: ${hostile}`,
    action: "Start it: mspe-run call StartInstances instanceFilter=acme",
    occurrences: 1,
    lastSeen: null,
    acknowledgement: null,
  };
  const report = { findings: [finding] } as unknown as HealthReport;
  const text = renderHealth(report, "table", style(false), 80);
  for (const raw of ["\x07", "\x1b", "\u202e", "\r"]) {
    assert.ok(!text.includes(raw), `${JSON.stringify(raw)} raw in ${text}`);
  }
  assert.match(text, /^acme\\x1b\]0;owned \(1 finding\)$/m);
  assert.match(text, /boom\\x07\\x1b\[2J\\u202eexe\.txt ⏎ next/);
});
