/**
 * `mspe-run report usage --format html`: one self-contained page (no external assets; it opens
 * offline and can be mailed) with the totals, a sortable table and a bar chart of archive size and
 * users per instance. The table is HTML (readable without scripts); a small inline script sorts it
 * when a column header is clicked and draws the chart as inline SVG, one row per instance, so that
 * 500 instances stay readable (the chart scrolls).
 *
 * Internal to the CLI.
 *
 * @module
 */

import type { InstanceUsage, UsageFigures, UsageReport } from "../../usage_report.ts";

const NUMBER = new Intl.NumberFormat("en-US");

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script>` element: no `</script>`, no `<!--`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(
    /\u2028|\u2029/g,
    (c) => c === "\u2028" ? "\\u2028" : "\\u2029",
  );
}

/** MiB as people read it: MiB below 1 GiB, else GiB (one decimal) or TiB (two); 1024-based. */
export function formatSize(mib: number): string {
  if (mib < 1024) return `${NUMBER.format(mib)} MiB`;
  if (mib < 1024 * 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${(mib / 1024 / 1024).toFixed(2)} TiB`;
}

interface Column {
  readonly key: "instanceID" | "displayName" | "status" | keyof UsageFigures | "error";
  readonly title: string;
  readonly numeric: boolean;
}

const COLUMNS: readonly Column[] = [
  { key: "instanceID", title: "Instance", numeric: false },
  { key: "displayName", title: "Display name", numeric: false },
  { key: "status", title: "Status", numeric: false },
  { key: "users", title: "Users", numeric: true },
  { key: "archiveSizeMiB", title: "Archive size (MiB)", numeric: true },
  { key: "messages", title: "Messages", numeric: true },
  { key: "stores", title: "Stores", numeric: true },
  { key: "error", title: "Error", numeric: false },
];

function cell(row: InstanceUsage, column: Column): string {
  const value = row[column.key];
  if (value === null || value === undefined) {
    return `<td class="${column.numeric ? "num" : ""}" data-value="">${
      column.numeric ? "–" : ""
    }</td>`;
  }
  if (typeof value === "number") {
    return `<td class="num" data-value="${value}">${NUMBER.format(value)}</td>`;
  }
  return `<td data-value="${escapeHtml(value)}">${escapeHtml(value)}</td>`;
}

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3;
  --bg: #ffffff; --head: #f3f5f7; --size: #2f6fb0; --users: #d9822b; --bad: #b42318; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #a0a8b3; --line: #3a4048;
  --bg: #16181c; --head: #22262c; --size: #5b9bd5; --users: #f0a35e; --bad: #f97066; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.muted { color: var(--muted); }
.muted.bad { color: var(--bad); }
.totals { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; padding: 0; list-style: none; }
.totals li { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; min-width: 130px; }
.totals .value { display: block; font-size: 20px; font-weight: 600; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
thead th { position: sticky; top: 0; background: var(--head); }
th button { all: inherit; cursor: pointer; padding: 0; }
th[aria-sort="ascending"] button::after { content: " ▲"; }
th[aria-sort="descending"] button::after { content: " ▼"; }
tr.failed td { color: var(--bad); }
tfoot td { font-weight: 600; border-top: 2px solid var(--line); }
.table-wrap { max-height: 80vh; overflow: auto; border: 1px solid var(--line); }
.chart-wrap { max-height: 80vh; overflow: auto; border: 1px solid var(--line); }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: -1px; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", sans-serif; fill: var(--fg); }
svg .size { fill: var(--size); }
svg .users { fill: var(--users); }
svg .grid { stroke: var(--line); }
`;

// The page's only script: sorting the table, and drawing the chart from the embedded data. Plain
// DOM, no library, so that the page works offline and from a mail attachment.
const SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("usage-data").textContent);
  var table = document.getElementById("usage-table");
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function valueOf(row, index) {
    var cell = row.cells[index];
    var text = cell ? cell.getAttribute("data-value") : "";
    return text;
  }

  function sortBy(index, descending) {
    var numeric = headers[index].classList.contains("num");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = valueOf(a, index), y = valueOf(b, index);
      // Empty cells (no figures) go last in either direction.
      if (x === "" || y === "") return x === y ? 0 : x === "" ? 1 : -1;
      var order = numeric ? Number(x) - Number(y) : x.localeCompare(y, "en", { numeric: true });
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    headers.forEach(function (th, i) {
      if (i === index) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
  }

  headers.forEach(function (th, index) {
    th.querySelector("button").addEventListener("click", function () {
      var descending = th.getAttribute("aria-sort") === "ascending" ||
        (!th.hasAttribute("aria-sort") && th.classList.contains("num"));
      sortBy(index, descending);
      history.replaceState(null, "", "#sort=" + (descending ? "-" : "") + th.dataset.key);
    });
  });

  // #sort=users or #sort=-archiveSizeMiB sorts at load, so that a link keeps its order.
  var match = /^#sort=(-?)(\\w+)$/.exec(location.hash);
  if (match) {
    headers.forEach(function (th, index) {
      if (th.dataset.key === match[2]) sortBy(index, match[1] === "-");
    });
  }

  var SVG = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function formatSize(mb) {
    if (mb < 1024) return mb.toLocaleString("en-US") + " MiB";
    if (mb < 1048576) return (mb / 1024).toFixed(1) + " GiB";
    return (mb / 1048576).toFixed(2) + " TiB";
  }

  var rows = data.instances.filter(function (r) { return r.archiveSizeMiB !== null; });
  rows.sort(function (a, b) { return b.archiveSizeMiB - a.archiveSizeMiB || a.instanceID.localeCompare(b.instanceID); });
  var svg = document.getElementById("chart");
  var rowHeight = 18, top = 24, label = 190, panel = 340, gap = 40;
  var width = label + panel * 2 + gap;
  var height = top + rows.length * rowHeight + 8;
  svg.setAttribute("viewBox", "0 0 " + width + " " + height);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  var maxSize = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r.archiveSizeMiB; })));
  var maxUsers = Math.max(1, Math.max.apply(null, rows.map(function (r) { return r.users || 0; })));
  var room = panel - 90;
  svg.appendChild(el("text", { x: label, y: 14 }, "Archive size"));
  svg.appendChild(el("text", { x: label + panel + gap, y: 14 }, "Users"));
  rows.forEach(function (r, i) {
    var y = top + i * rowHeight;
    var name = r.instanceID.length > 26 ? r.instanceID.slice(0, 25) + "…" : r.instanceID;
    var g = el("g", { "data-instance": r.instanceID });
    g.appendChild(el("title", {}, r.instanceID + ": " + formatSize(r.archiveSizeMiB) + ", " + (r.users || 0) + " users"));
    g.appendChild(el("text", { x: label - 8, y: y + 12, "text-anchor": "end" }, name));
    var w1 = Math.max(1, Math.round(room * r.archiveSizeMiB / maxSize));
    g.appendChild(el("rect", { class: "size", x: label, y: y + 3, width: w1, height: rowHeight - 6 }));
    g.appendChild(el("text", { x: label + w1 + 4, y: y + 12 }, formatSize(r.archiveSizeMiB)));
    var x2 = label + panel + gap;
    var w2 = Math.max(1, Math.round(room * (r.users || 0) / maxUsers));
    g.appendChild(el("rect", { class: "users", x: x2, y: y + 3, width: w2, height: rowHeight - 6 }));
    g.appendChild(el("text", { x: x2 + w2 + 4, y: y + 12 }, (r.users || 0).toLocaleString("en-US")));
    svg.appendChild(g);
  });
  svg.setAttribute("data-drawn", String(rows.length));
})();
`;

/** How many failed instances the note above the chart names; the Error column has them all. */
const NAMED_FAILURES = 10;

/**
 * The note on instances without figures. Among 500 rows a failed one is easy to miss, so the note
 * names them (the first few) and says how to bring them to the top of the table.
 */
function failedNoteHtml(report: UsageReport): string {
  // Rows with last known figures are counted, so they are not among those without figures.
  const failed = report.instances.filter((row) => row.error && !row.lastKnown);
  const named = failed.slice(0, NAMED_FAILURES).map((row) => escapeHtml(row.instanceID));
  const more = failed.length - named.length;
  const list = named.join(", ") + (more > 0 ? ` and ${NUMBER.format(more)} more` : "");
  const count = report.totals.failed;
  return `<p class="muted bad" id="failed-note">${NUMBER.format(count)} instance${
    count === 1 ? "" : "s"
  } without figures: ${list}. They count as 0 in the totals; sort the table by Error to see ${
    count === 1 ? "it" : "them"
  } first.</p>`;
}

/**
 * The whole page for a usage report.
 *
 * @example
 * ```ts ignore
 * await Deno.writeTextFile("usage.html", renderUsageHtml(report));
 * ```
 */
export function renderUsageHtml(report: UsageReport): string {
  const { totals } = report;
  const hasErrors = report.instances.some((row) => row.error !== null);
  const columns = COLUMNS.filter((column) => column.key !== "error" || hasErrors);
  const head = columns.map((column) =>
    `<th scope="col" data-key="${column.key}"${column.numeric ? ' class="num"' : ""}>` +
    `<button type="button">${escapeHtml(column.title)}</button></th>`
  ).join("");
  const rows = report.instances.map((row) =>
    `<tr data-instance="${escapeHtml(row.instanceID)}"${
      row.error && !row.lastKnown ? ' class="failed"' : ""
    }>${
      columns.map((column) =>
        cell(
          row.lastKnown ? { ...row, status: `${row.status} (last known figures)` } : row,
          column,
        )
      ).join("")
    }</tr>`
  ).join("\n");
  const footCells = columns.map((column) => {
    switch (column.key) {
      case "instanceID":
        return `<td>Total (${NUMBER.format(totals.instances)})</td>`;
      case "users":
      case "archiveSizeMiB":
      case "messages":
      case "stores":
        return `<td class="num">${NUMBER.format(totals[column.key])}</td>`;
      default:
        return "<td></td>";
    }
  }).join("");
  const generated = escapeHtml(report.generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC"));
  const failedNote = totals.failed > 0 ? failedNoteHtml(report) : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MailStore SPE usage report, ${generated}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>MailStore SPE usage report</h1>
<p class="muted">Generated ${generated} by mspe-run. Users do not count $archiveadmin; archive size is
GetInstanceStatistics' totalSizeMB (content, database and indexes), in MiB, GiB and TiB: 1024-based
(1 MiB = 1,048,576 bytes).</p>
<ul class="totals" id="totals">
<li>Instances<span class="value" id="total-instances">${NUMBER.format(totals.instances)}</span></li>
<li>Users<span class="value" id="total-users">${NUMBER.format(totals.users)}</span></li>
<li>Archive size<span class="value" id="total-size" title="${
    NUMBER.format(totals.archiveSizeMiB)
  } MiB">${formatSize(totals.archiveSizeMiB)}</span></li>
<li>Messages<span class="value" id="total-messages">${NUMBER.format(totals.messages)}</span></li>
<li>Stores<span class="value" id="total-stores">${NUMBER.format(totals.stores)}</span></li>
</ul>
${failedNote}
<h2>Size and users per instance</h2>
<p class="legend muted">Largest archive first.<span class="size-key" style="background: var(--size)"></span>Archive size<span style="background: var(--users)"></span>Users</p>
<div class="chart-wrap"><svg id="chart" role="img" aria-label="Archive size and users per instance" xmlns="http://www.w3.org/2000/svg"></svg></div>
<noscript><p>The chart needs JavaScript; the table below has every figure.</p></noscript>
<h2>Instances</h2>
<p class="muted">Click a column header to sort.</p>
<div class="table-wrap">
<table id="usage-table">
<thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr id="totals-row">${footCells}</tr></tfoot>
</table>
</div>
<script type="application/json" id="usage-data">${scriptJson(report)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
