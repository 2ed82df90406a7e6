/**
 * The health report: `healthReport()` against the mock over HTTPS (each finding kind, the window,
 * instance lists, abort) and `mspe-run report health` in process (every format, the Nagios exit
 * codes, PRTG's error form) and as a subprocess (Ctrl-C).
 */

import assert from "node:assert/strict";
import { type MockServer, serveMock } from "../lib/mock/mod.ts";
import {
  ArgumentError,
  type HealthFindingKind,
  type HealthReport,
  healthReport,
  invokeCall,
  newClient,
  parseSince,
} from "../mod.ts";
import {
  apiReply,
  clientFor,
  NO_CHILD_SIGNALS,
  serveRaw,
  succeeded,
  waitFor,
  workerRun,
} from "./_helpers.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess, type SignalWay, startStoppable } from "./_cli_in_process.ts";

const USER = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };

/** Removes the seeded history (its ordinary share of failed runs), for a fleet with no findings. */
function withoutHistory(mock: MockServer): void {
  const state = mock.app.state;
  for (const instance of state.instanceList()) state.activity(instance).seed = null;
}

function kinds(report: HealthReport): HealthFindingKind[] {
  return report.findings.map((finding) => finding.kind);
}

function findingOf(report: HealthReport, kind: HealthFindingKind, instanceID?: string) {
  const found = report.findings.find((finding) =>
    finding.kind === kind && (instanceID === undefined || finding.instanceID === instanceID)
  );
  assert.ok(
    found,
    `a ${kind} finding${instanceID ? ` for ${instanceID}` : ""} in ${kinds(report)}`,
  );
  return found;
}

Deno.test("parseSince reads durations and ISO dates, and refuses the rest", () => {
  const now = new Date("2026-05-02T12:00:00Z");
  assert.equal(parseSince("24h", now).toISOString(), "2026-05-01T12:00:00.000Z");
  assert.equal(parseSince("7d", now).toISOString(), "2026-04-25T12:00:00.000Z");
  assert.equal(parseSince("90m", now).toISOString(), "2026-05-02T10:30:00.000Z");
  assert.equal(parseSince("2w", now).toISOString(), "2026-04-18T12:00:00.000Z");
  assert.equal(parseSince("2026-04-30", now).toISOString(), "2026-04-30T00:00:00.000Z");
  assert.equal(parseSince("2026-04-30T06:15", now).toISOString(), "2026-04-30T06:15:00.000Z");
  assert.equal(
    parseSince("2026-04-30T06:15:00+02:00", now).toISOString(),
    "2026-04-30T04:15:00.000Z",
  );
  for (const bad of ["yesterday", "24", "-1h", "2026-13-45", ""]) {
    assert.throws(() => parseSince(bad, now), ArgumentError, bad);
  }
  assert.throws(() => parseSince("2026-06-01", now), /future/);
});

Deno.test("healthReport against the mock", async (t) => {
  await t.step("a healthy SPE has no findings", async () => {
    await using mock = await serveMock({ instances: 4, problems: "none" });
    withoutHistory(mock);
    await using client = await clientFor(mock);
    const report = await healthReport(client);
    assert.deepEqual(report.findings, []);
    assert.equal(report.status, "ok");
    assert.equal(report.instances, 4);
    assert.equal(report.runningInstances, 4);
    assert.ok(Object.values(report.counts).every((count) => count === 0));
    // The window is the last 24 hours by default.
    assert.equal(Date.parse(report.checkedAt) - Date.parse(report.since), 86_400_000);
  });

  await t.step("instance and store problems, each named with what to do", async () => {
    await using mock = await serveMock({ instances: 4, problems: "none" });
    withoutHistory(mock);
    const state = mock.app.state;
    const umbrella = state.instance("umbrella")!;
    umbrella.status = "stopped";
    umbrella.processID = null;
    umbrella.startStopError = "The base directory is not accessible (Access is denied).";
    const [first, second, third] = state.stores(state.instance("acme")!);
    first!.error = "The archive store could not be opened.";
    second!.needsUpgrade = true;
    third!.searchIndexesNeedRebuild = true;
    await using client = await clientFor(mock);
    const report = await healthReport(client);

    assert.equal(report.status, "critical");
    assert.equal(report.instances, 4);
    assert.equal(report.runningInstances, 3);
    const stopped = findingOf(report, "instanceNotRunning", "umbrella");
    assert.equal(stopped.severity, "critical");
    assert.match(stopped.problem, /stopped/);
    assert.match(stopped.action, /StartInstances instanceFilter=umbrella/);
    const startError = findingOf(report, "instanceStartStopError", "umbrella");
    assert.match(startError.problem, /Access is denied/);
    const storeError = findingOf(report, "storeError", "acme");
    assert.equal(storeError.severity, "critical");
    assert.match(storeError.problem, new RegExp(`Store ${first!.id} .*could not be opened`));
    assert.match(storeError.action, new RegExp(`VerifyStore instanceID=acme id=${first!.id}`));
    const upgrade = findingOf(report, "storeNeedsUpgrade", "acme");
    assert.equal(upgrade.severity, "warning");
    assert.match(upgrade.action, new RegExp(`UpgradeStore instanceID=acme id=${second!.id}`));
    const rebuild = findingOf(report, "indexNeedsRebuild", "acme");
    assert.match(rebuild.action, /RebuildSelectedStoreIndexes instanceID=acme/);
    // Nothing is reported for the healthy instances, and a stopped one is not queried further.
    assert.deepEqual(
      [...new Set(report.findings.map((f) => f.instanceID))].sort(),
      ["acme", "umbrella"],
    );
    assert.equal(report.counts.storeError, 1);
    assert.equal(report.counts.instanceNotRunning, 1);
    // The service repeats these problems in GetServiceStatus; the instance's own finding stands
    // for them, with its command.
    const service = (await invokeCall(client, "GetServiceStatus")).result!.messages;
    assert.ok(service.some((m) => /umbrella/.test(m.text)), "the mock reports umbrella too");
    assert.equal(report.counts.serviceError + report.counts.serviceWarning, 0);
    // Critical findings come first within an instance.
    const acme = report.findings.filter((f) => f.instanceID === "acme");
    assert.equal(acme[0]!.severity, "critical");
  });

  await t.step("a frozen instance is a warning", async () => {
    await using mock = await serveMock({ instances: 3, problems: "none" });
    withoutHistory(mock);
    mock.app.state.instance("globex")!.status = "frozen";
    await using client = await clientFor(mock);
    const report = await healthReport(client);
    const frozen = findingOf(report, "instanceNotRunning", "globex");
    assert.equal(frozen.severity, "warning");
    assert.match(frozen.action, /ThawInstances instanceFilter=globex/);
    assert.equal(report.status, "warning");
  });

  await t.step("archiving runs and jobs: in the window, grouped per profile and job", async () => {
    await using mock = await serveMock({ instances: 2, problems: "none" });
    withoutHistory(mock);
    const activity = mock.app.state.activity(mock.app.state.instance("globex")!);
    const now = Date.now();
    const hour = 3_600_000;
    const run = (id: number, result: "failed" | "completedWithErrors", hoursAgo: number) =>
      workerRun(id, result, hoursAgo, {
        now,
        userName: `user${id}`,
        profileName: "Exchange Mailboxes",
      });
    activity.workerResults.push(
      run(1, "failed", 72),
      run(2, "failed", 20),
      run(3, "completedWithErrors", 10),
      run(4, "failed", 5),
      run(5, "failed", 2),
    );
    activity.jobResults.push({
      jobResultId: 9,
      jobId: 2,
      action: "VerifyStores",
      startTime: now - 3 * hour,
      completeTime: now - 3 * hour + 5000,
      result: "failed",
    });
    await using client = await clientFor(mock);
    const day = await healthReport(client);
    // Two failures in a row, the first 5 hours ago, and one failed job: warnings (not yet 3 runs
    // in a row, nor 24 hours without success).
    assert.deepEqual(kinds(day), ["workerFailed", "workerCompletedWithErrors", "jobFailed"]);
    assert.equal(day.status, "warning");
    const failed = findingOf(day, "workerFailed", "globex");
    assert.equal(failed.severity, "warning");
    assert.equal(failed.occurrences, 3);
    assert.equal(
      failed.lastSeen,
      new Date(now - 2 * hour + 60_000).toISOString().slice(0, 19) + ".000Z",
    );
    assert.match(
      failed.problem,
      /"Exchange Mailboxes" failed 3 times \(user2, user4, user5\): its last 2 runs failed/,
    );
    assert.match(failed.action, /GetWorkerResultReport instanceID=globex id=5/);
    assert.match(failed.action, /RunProfile instanceID=globex id=7/);
    const withErrors = findingOf(day, "workerCompletedWithErrors", "globex");
    assert.equal(withErrors.severity, "warning");
    assert.equal(withErrors.occurrences, 1);
    const job = findingOf(day, "jobFailed", "globex");
    assert.match(job.problem, /Job 2 \(VerifyStores\) failed once/);
    assert.match(job.action, /RunJobAsync instanceID=globex id=2/);
    const week = await healthReport(client, { since: "7d" });
    assert.equal(findingOf(week, "workerFailed", "globex").occurrences, 4);
    const recent = await healthReport(client, { since: "4h" });
    assert.equal(findingOf(recent, "workerFailed", "globex").occurrences, 1);
    assert.equal(recent.counts.workerCompletedWithErrors, 0);
  });

  await t.step("the seeded problems: failed archiving runs in the window, grouped", async () => {
    await using mock = await serveMock({ instances: 6, problems: "some" });
    await using client = await clientFor(mock);
    const day = await healthReport(client, { since: "24h" });
    // The seeded failing profile: failed for two days, every run.
    const failed = day.findings.find((f) => f.kind === "workerFailed" && f.severity === "critical");
    assert.ok(failed, JSON.stringify(day.counts));
    assert.ok(failed.occurrences >= 1);
    assert.ok(failed.lastSeen !== null && Date.parse(failed.lastSeen) >= Date.parse(day.since));
    assert.match(failed.problem, /Archiving profile ".+" failed/);
    assert.match(failed.action, /RunProfile instanceID=\S+ id=\d+/);
    // One finding per profile, however often it failed.
    const perProfile = day.findings.filter((f) =>
      f.kind === "workerFailed" && f.instanceID === failed.instanceID
    );
    assert.equal(new Set(perProfile.map((f) => f.problem.split('"')[1])).size, perProfile.length);
    // A longer window sees at least as many failed runs.
    const month = await healthReport(client, { since: "29d" });
    const monthly = month.findings.find((f) =>
      f.kind === "workerFailed" && f.instanceID === failed.instanceID &&
      f.problem.split('"')[1] === failed.problem.split('"')[1]
    );
    assert.ok(monthly && monthly.occurrences >= failed.occurrences);
    // No service message repeats what an instance's own finding says.
    for (const f of day.findings.filter((f) => f.kind.startsWith("service") && f.instanceID)) {
      const own = day.findings.filter((g) => g.instanceID === f.instanceID && g !== f);
      assert.ok(
        !own.some((g) => g.kind === "instanceNotRunning" && /not running/.test(f.problem)),
        f.problem,
      );
    }
    // The other seeded problems are found too.
    for (const kind of ["instanceNotRunning", "storeError", "storeNeedsUpgrade"] as const) {
      findingOf(day, kind);
    }
    // A window that starts now sees no runs at all.
    const none = await healthReport(client, { since: new Date(Date.now() - 1000) });
    assert.equal(none.counts.workerFailed, 0);
    assert.equal(none.counts.jobFailed, 0);
  });

  await t.step("many problems: more of each", async () => {
    await using mock = await serveMock({ instances: 40, problems: "many" });
    await using client = await clientFor(mock);
    const report = await healthReport(client, { concurrency: 4 });
    assert.ok(report.counts.instanceNotRunning >= 2, JSON.stringify(report.counts));
    assert.ok(report.counts.storeError >= 2, JSON.stringify(report.counts));
    assert.ok(report.counts.workerFailed >= 2, JSON.stringify(report.counts));
  });

  await t.step("an explicit list: unknown IDs are findings, the rest is checked", async () => {
    await using mock = await serveMock({ instances: 3, problems: "none" });
    withoutHistory(mock);
    await using client = await clientFor(mock);
    const report = await healthReport(client, { instances: ["ACME", "nosuch", "acme"] });
    assert.equal(report.instances, 1);
    assert.deepEqual(kinds(report), ["instanceNotFound"]);
    assert.equal(report.findings[0]!.instanceID, "nosuch");
    assert.equal(mock.stats.byFunction.GetStores, 1);
  });

  await t.step("a selection leaves out service messages about other instances", async () => {
    await using mock = await serveMock({ instances: 6, problems: "some" });
    await using client = await clientFor(mock);
    const messages = (await invokeCall(client, "GetServiceStatus")).result!.messages;
    assert.ok(messages.some((m) => /^Instance (?!acme )/.test(m.text)), "messages elsewhere");
    const acme = await healthReport(client, { instances: ["acme"] });
    // Something is found (the check is not met by an empty list), and only about acme or the system.
    assert.ok(acme.findings.length > 0);
    assert.ok(acme.findings.every((f) => f.instanceID === "acme" || f.instanceID === null));
  });

  await t.step("a filter checks only the matching instances", async () => {
    await using mock = await serveMock({ instances: 12, problems: "none" });
    await using client = await clientFor(mock);
    const report = await healthReport(client, { instances: "tenant*" });
    assert.equal(report.instances, 2);
    assert.equal(mock.stats.byFunction.GetStores, 2);
  });

  await t.step(
    "a part that fails is a checkFailed finding; the rest is still checked",
    async () => {
      await using mock = await serveMock({ instances: 2, problems: "none" });
      withoutHistory(mock);
      mock.faults.add({ kind: "http503", function: "GetJobResults" });
      await using client = await clientFor(mock);
      const report = await healthReport(client);
      assert.deepEqual(kinds(report), ["checkFailed", "checkFailed"]);
      assert.match(report.findings[0]!.problem, /Could not check its jobs: .*503/);
      assert.equal(mock.stats.byFunction.GetStores, 2);
      assert.equal(report.status, "warning");
    },
  );

  await t.step("bad options are ArgumentErrors before any request", async () => {
    await using mock = await serveMock({ instances: 2 });
    await using client = await clientFor(mock);
    const before = mock.stats.requests;
    await assert.rejects(healthReport(client, { since: "yesterday" }), ArgumentError);
    assert.equal(mock.stats.requests, before);
    await assert.rejects(healthReport(client, { instances: "" }), ArgumentError);
  });

  await t.step("abort: the report rejects with the AbortError and stops calling", async () => {
    await using mock = await serveMock({ instances: 20, problems: "none" });
    mock.faults.add({ kind: "latency", function: "GetStores", latencyMs: 50 });
    await using client = await clientFor(mock);
    const controller = new AbortController();
    const report = healthReport(client, {
      concurrency: 2,
      signal: controller.signal,
      onProgress: ({ done }) => {
        if (done === 2) controller.abort();
      },
    });
    await assert.rejects(report, { name: "AbortError" });
    const calls = mock.stats.byFunction.GetStores ?? 0;
    assert.ok(calls < 20, `${calls} GetStores calls after the abort at 2 of 20`);
    // Nothing is started after the promise settled.
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(mock.stats.byFunction.GetStores ?? 0, calls);
  });
});

Deno.test("healthReport reads the service status messages", async () => {
  const messages = [
    { type: "information", text: "All fine.", isSubItem: false, tag: null, flags: null },
    {
      type: "warning",
      text: "Instance acme on host01: One or more search indexes have to be rebuilt.",
      isSubItem: false,
      tag: null,
      flags: null,
    },
    {
      type: "error",
      text: "The license expires in 3 days",
      isSubItem: false,
      tag: null,
      flags: null,
    },
  ];
  await using server = serveRaw(async (request) => {
    const fn = new URL(request.url).pathname.split("/").at(-1);
    await request.body?.cancel();
    if (fn === "GetServiceStatus") {
      return apiReply(succeeded({ environmentInfo: {}, serverInfos: [], messages }));
    }
    return apiReply(succeeded([]));
  });
  await using client = await newClient(server.options);
  const report = await healthReport(client);
  assert.deepEqual(kinds(report), ["serviceError", "serviceWarning"]);
  const [error, warning] = report.findings;
  assert.equal(error!.instanceID, null);
  assert.equal(error!.severity, "critical");
  assert.match(error!.problem, /The service reports: The license expires in 3 days\./);
  assert.equal(warning!.instanceID, "acme");
  assert.match(warning!.action, /RebuildSelectedStoreIndexes/);
  assert.equal(report.status, "critical");
});

Deno.test("mspe-run report health", async (t) => {
  await using mock = await serveMock({ instances: 5, problems: "some" });
  const flags = mockFlags(mock.port);
  const health = (...args: string[]) =>
    runCliInProcess(["report", "health", ...flags, ...args], { env: USER });

  await t.step("json is the library's report", async () => {
    const { code, stdout, stderr } = await health("--format", "json");
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout) as HealthReport;
    assert.equal(report.instances, 5);
    assert.ok(report.findings.length > 0);
    assert.ok(report.findings.every((f) => f.problem && f.action));
  });

  await t.step("table and list print the findings and a summary on stderr", async () => {
    const table = await health("--format", "table");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^\S+ \(\d+ findings?\)$/m);
    assert.match(table.stdout, /^ {2}CRITICAL instanceNotRunning\n {4}The instance is stopped/m);
    assert.match(table.stdout, /^ {4}Action: Start it: /m);
    assert.match(table.stderr, /^\d+ findings \(\d+ critical\): 5 instances checked/);
    const list = await health("--format", "list");
    assert.match(list.stdout, /^severity +: (critical|warning)$/m);
    assert.match(list.stdout, /^action +: /m);
  });

  await t.step("csv has a fixed header and one row per finding", async () => {
    const { code, stdout } = await health("--format", "csv", "--since", "7d");
    assert.equal(code, 0);
    const lines = stdout.trimEnd().split("\r\n");
    assert.equal(
      lines[0],
      "severity,kind,instanceID,problem,action,occurrences,lastSeen,acknowledged,ackUntil,ackWho," +
        "ackReason",
    );
    const json = JSON.parse((await health("--format", "json", "--since", "7d")).stdout);
    assert.equal(lines.length - 1, json.findings.length);
  });

  await t.step("nagios: status line with perfdata, exit code by state and thresholds", async () => {
    const critical = await health("--format", "nagios");
    assert.equal(critical.code, 2, critical.stdout);
    const [status, ...details] = critical.stdout.trimEnd().split("\n");
    assert.match(
      status!,
      /^MSPE HEALTH CRITICAL - \d+ critical, \d+ warning findings on 5 instances: .+ \| instances=5;;;0 running=\d+;;;0 findings=\d+;0;;0 critical_findings=\d+;;0;0 /,
    );
    assert.match(status!, / store_errors=\d+;;;0 .* failed_workers=\d+;;;0/);
    assert.ok(details.length > 0 && details.every((line) => /^\[(CRITICAL|WARNING)\] /.test(line)));
    // The counts, from the perfdata itself.
    const criticals = Number(/ critical_findings=(\d+);/.exec(status!)![1]);
    const all = Number(/ findings=(\d+);/.exec(status!)![1]);
    assert.equal(details.length, all);
    assert.equal(details.filter((line) => line.startsWith("[CRITICAL]")).length, criticals);
    // Tolerating every critical finding leaves WARNING; tolerating everything is OK.
    const warning = await health("--format", "nagios", "--critical", String(criticals));
    assert.equal(warning.code, 1, warning.stdout);
    assert.match(warning.stdout, /^MSPE HEALTH WARNING - /);
    const ok = await health(
      "--format",
      "nagios",
      "--critical",
      String(criticals),
      "--warning",
      String(all),
    );
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, new RegExp(`^MSPE HEALTH OK - .* findings=${all};${all};;0 `));
  });

  await t.step("nagios: OK on a healthy SPE", async () => {
    await using healthy = await serveMock({ instances: 2, problems: "none" });
    withoutHistory(healthy);
    const { code, stdout } = await runCliInProcess(
      ["report", "health", ...mockFlags(healthy.port), "--format", "nagios"],
      { env: USER },
    );
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^MSPE HEALTH OK - no findings on 2 instances \(2 running\) \| /);
  });

  await t.step("nagios: a check that cannot run is UNKNOWN, exit 3, secret not shown", async () => {
    const wrong = await runCliInProcess(["report", "health", ...flags, "--format", "nagios"], {
      env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "wrong-Secret-123" },
    });
    assert.equal(wrong.code, 3, wrong.stdout);
    assert.match(wrong.stdout, /^MSPE HEALTH UNKNOWN - .*(password|[Aa]uthentication)/);
    assert.doesNotMatch(wrong.stdout + wrong.stderr, /wrong-Secret-123/);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const refused = await runCliInProcess(
      ["report", "health", ...mockFlags(port), "--format", "nagios"],
      { env: USER },
    );
    assert.equal(refused.code, 3, refused.stdout);
    assert.match(refused.stdout, /^MSPE HEALTH UNKNOWN - /);
    assert.equal(refused.stdout.trimEnd().split("\n").length, 1);
    const badSince = await health("--format", "nagios", "--since", "yesterday");
    assert.equal(badSince.code, 3);
    assert.match(badSince.stdout, /UNKNOWN - .*duration/);
    // A profile that is not there is a check that cannot run, too (not exit 2 on stderr).
    const noProfile = await health("--format", "nagios", "--profile", "nosuch");
    assert.equal(noProfile.code, 3, noProfile.stderr);
    assert.match(noProfile.stdout, /^MSPE HEALTH UNKNOWN - No profile "nosuch"/);
  });

  await t.step("prtg: channels with limits, and the error form with exit 0", async () => {
    const { code, stdout } = await health("--format", "prtg", "--warning", "2", "--critical", "1");
    assert.equal(code, 0);
    const { prtg } = JSON.parse(stdout);
    const channel = (name: string) =>
      prtg.result.find((c: { channel: string }) => c.channel === name);
    assert.equal(channel("Instances").value, 5);
    assert.equal(channel("Findings").LimitMaxWarning, 2);
    assert.equal(channel("Findings").LimitMode, 1);
    assert.equal(channel("Critical findings").LimitMaxError, 1);
    assert.ok(channel("Store errors").value >= 1);
    assert.ok(prtg.result.every((c: { value: unknown }) => Number.isInteger(c.value)));
    assert.equal(new Set(prtg.result.map((c: { channel: string }) => c.channel)).size, 17);
    assert.equal(typeof prtg.text, "string");
    const failed = await runCliInProcess(["report", "health", ...flags, "--format", "prtg"], {
      env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "wrong" },
    });
    assert.equal(failed.code, 0);
    const error = JSON.parse(failed.stdout);
    assert.equal(error.prtg.error, 1);
    assert.match(error.prtg.text, /password|[Aa]uthentication/);
  });

  await t.step("usage mistakes are one line and exit 2", async () => {
    const unknown = await runCliInProcess(["report", "wellness", ...flags], { env: USER });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^error: Unknown report "wellness"/);
    const format = await health("--format", "html");
    assert.equal(format.code, 2);
    assert.match(format.stderr, /Unknown format "html" for report health/);
    const threshold = await health("--format", "table", "--warning", "lots");
    assert.equal(threshold.code, 2);
    assert.match(threshold.stderr, /--warning takes a whole number/);
  });

  /** Ctrl-C while the report waits for GetStores: exit 130, nothing on stdout. */
  const ctrlC = async (way: SignalWay) => {
    mock.faults.add({ kind: "latency", function: "GetStores", latencyMs: 3000 });
    const before = mock.stats.byFunction.GetStores ?? 0;
    // One instance at a time, so that some are still to start when Ctrl-C comes.
    const process = startStoppable(
      way,
      ["report", "health", ...flags, "--format", "json", "--concurrency", "1"],
      USER,
    );
    await waitFor(() => (mock.stats.byFunction.GetStores ?? 0) > before, "GetStores", 20_000);
    process.interrupt();
    const { code, stdout, stderr } = await process.done;
    mock.faults.clear();
    // What was checked is printed, marked incomplete.
    assert.equal(code, 130, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.incomplete, true);
    assert.ok(report.notChecked.length > 0, stdout);
    assert.match(
      stderr,
      /^warning: Incomplete: the report was stopped with Ctrl-C; \d+ instances? (was|were) not checked/m,
    );
  };

  await t.step(
    "Ctrl-C stops the report: what was checked printed, marked incomplete, exit 130 (in process)",
    () => ctrlC("in process"),
  );

  await t.step({
    name: "Ctrl-C stops the report: the same with a real SIGINT sent to a subprocess",
    ignore: NO_CHILD_SIGNALS,
    fn: () => ctrlC("subprocess"),
  });
});
