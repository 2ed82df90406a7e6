/**
 * The usage page in a real browser: `mspe-run report usage --format html --output <file>` against
 * the mock, opened in headless Chromium (Debian's `chromium`, which `.ci/run` installs), with its
 * scripts run (`--dump-dom`): the totals and an instance's row are there, the chart is drawn, a
 * `#sort=` link sorts the table, and 500 instances are drawn. Without Chromium the test is skipped
 * and says why.
 */

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { serveMock } from "../lib/mock/mod.ts";
import { renderUsageHtml } from "../lib/cli/report_formats/usage_html.ts";
import type { UsageReport } from "../mod.ts";
import { mockFlags } from "./cli_helpers.ts";
import { runCliInProcess } from "./_cli_in_process.ts";

const CANDIDATES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
];

function findChromium(): string | undefined {
  const fromEnv = Deno.env.get("CHROMIUM_BIN");
  for (const path of fromEnv ? [fromEnv] : CANDIDATES) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not there; try the next one.
    }
  }
  return undefined;
}

const chromium = findChromium();
if (chromium === undefined) {
  console.log(
    "report_html_browser_test: skipped, no Chromium found (looked for CHROMIUM_BIN and " +
      `${CANDIDATES.join(", ")}). Install it with: apt-get install -y chromium`,
  );
}

/** The page's DOM after its scripts ran, from a fresh headless Chromium without network use. */
async function renderedDom(file: string, hash = ""): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "mspe-chromium-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(chromium!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        "--dump-dom",
        `${pathToFileURL(file).href}${hash}`,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(90_000),
    }).output();
    const dom = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    return dom;
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

/** The text of the element with this id (no nested elements expected). */
function textOf(dom: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(dom)?.[1];
}

Deno.test({
  name: "the usage page in headless Chromium: totals, rows, chart, sorting",
  ignore: chromium === undefined,
  async fn() {
    await using mock = await serveMock({ instances: 30, usersPerInstance: 5, problems: "none" });
    // A tenant with more users than the rest, to see the sort and the chart's scale.
    mock.app.state.seedUsers(mock.app.state.instance("wonka")!, 40);
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/usage.html`;
      const env = { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" };
      const flags = [...mockFlags(mock.port), "--format", "html", "--output", file];
      const result = await runCliInProcess(["report", "usage", ...flags], { env });
      assert.equal(result.code, 0, result.stderr);
      const json = await runCliInProcess([
        "report",
        "usage",
        ...mockFlags(mock.port),
        "--format",
        "json",
      ], {
        env,
      });
      const report = JSON.parse(json.stdout) as UsageReport;

      const dom = await renderedDom(file);
      // The totals, as the library computed them.
      assert.equal(textOf(dom, "total-instances"), "30");
      assert.equal(textOf(dom, "total-users"), String(29 * 5 + 40));
      assert.equal(report.totals.users, 29 * 5 + 40);
      assert.equal(
        textOf(dom, "total-messages"),
        new Intl.NumberFormat("en-US").format(report.totals.messages),
      );
      // An instance's row, with its figures.
      const acme = report.instances.find((row) => row.instanceID === "acme")!;
      const row = /<tr data-instance="acme"[^>]*>(.*?)<\/tr>/.exec(dom)?.[1] ?? "";
      assert.match(row, /<td data-value="acme">acme<\/td>/);
      assert.match(row, new RegExp(`data-value="${acme.archiveSizeMiB}"`));
      assert.match(row, /<td class="num" data-value="5">5<\/td>/);
      // The chart was drawn by the page's script: a size bar and a users bar per instance.
      assert.match(dom, /<svg id="chart"[^>]*data-drawn="30"/);
      const chart = /<svg id="chart".*?<\/svg>/s.exec(dom)?.[0] ?? "";
      assert.equal(chart.match(/<rect class="size"/g)?.length, 30);
      assert.equal(chart.match(/<rect class="users"/g)?.length, 30);
      // Largest archive first, and the users bar of wonka is the longest.
      const biggest = [...report.instances].sort((a, b) =>
        (b.archiveSizeMiB ?? 0) - (a.archiveSizeMiB ?? 0)
      )[0]!;
      assert.match(
        chart,
        new RegExp(`^<svg[^>]*>.*?<g data-instance="${biggest.instanceID}"`, "s"),
      );
      const widths = [...chart.matchAll(/<rect class="users"[^>]*width="(\d+)"/g)].map((m) =>
        Number(m[1])
      );
      const wonkaBar = /<g data-instance="wonka">.*?<rect class="users"[^>]*width="(\d+)"/s.exec(
        chart,
      )?.[1];
      assert.equal(Number(wonkaBar), Math.max(...widths));

      // A #sort= link sorts the table when the page loads: most users first.
      const sorted = await renderedDom(file, "#sort=-users");
      const firstRow = /<tbody>\s*<tr data-instance="([^"]+)"/.exec(sorted)?.[1];
      assert.equal(firstRow, "wonka");
      assert.match(sorted, /<th scope="col" data-key="users" class="num" aria-sort="descending">/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "the usage page draws 500 instances",
  ignore: chromium === undefined,
  async fn() {
    const instances = Array.from({ length: 500 }, (_, i) => ({
      instanceID: `tenant${String(i + 1).padStart(4, "0")}`,
      displayName: `Tenant ${i + 1}`,
      status: "running",
      users: 1 + (i * 37) % 400,
      archiveSizeMiB: 100 + (i * 7919) % 900_000,
      messages: 1000 + i * 13,
      stores: 1 + i % 5,
      lastKnown: false,
      compared: null,
      change: null,
      error: null,
    }));
    const sum = (pick: (row: typeof instances[number]) => number) =>
      instances.reduce((total, row) => total + pick(row), 0);
    const report: UsageReport = {
      generatedAt: new Date().toISOString(),
      incomplete: false,
      instances,
      totals: {
        instances: 500,
        failed: 0,
        users: sum((row) => row.users),
        archiveSizeMiB: sum((row) => row.archiveSizeMiB),
        messages: sum((row) => row.messages),
        stores: sum((row) => row.stores),
      },
    };
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/usage.html`;
      await Deno.writeTextFile(file, renderUsageHtml(report));
      const dom = await renderedDom(file);
      assert.match(dom, /<svg id="chart"[^>]*data-drawn="500"/);
      // One 18-pixel row per instance: every name has room for its label.
      assert.match(dom, /<svg id="chart"[^>]*height="9032"/);
      assert.equal(dom.match(/<tr data-instance="tenant\d{4}"/g)?.length, 500);
      assert.equal(textOf(dom, "total-instances"), "500");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
