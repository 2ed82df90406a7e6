// The simulator is faithful where real clients look (issue 19, part 1): each test names the public
// client whose behaviour it reproduces.
import assert from "node:assert/strict";
import { invokeCall, usageReport } from "../mod.ts";
import { clientFor, optionsFor, startMock } from "./_helpers.ts";

const DAY = 86_400_000;

function at(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 19);
}

Deno.test("fidelity: GetLicenseInformation has namedUsers and maxNamedUsers (a public Checkmk check reads them)", async () => {
  await using server = await startMock({ product: "server", problems: "none" });
  await using client = await clientFor(server, { product: "server", metadata: "bundled" });
  const license = (await invokeCall(client, "GetLicenseInformation", {})).result as Record<
    string,
    unknown
  >;
  // The check reads license["namedUsers"] and license["maxNamedUsers"] and compares them.
  assert.equal(typeof license.namedUsers, "number");
  assert.equal(typeof license.maxNamedUsers, "number");
  assert.ok((license.namedUsers as number) <= (license.maxNamedUsers as number));
  // The HTML documentation script prints the licensee and the validity too.
  for (const key of ["licenseeName", "licenseeID", "licenseType", "validUntil"]) {
    assert.ok(key in license, key);
  }
  const users = (await invokeCall(client, "GetUsers", {})).result as unknown[];
  assert.equal(license.namedUsers, users.length - 1);
});

Deno.test("fidelity: a trailing slash after the function name is accepted (a public RMM script sends it)", async () => {
  await using server = await startMock({ problems: "none" });
  const { username, password } = optionsFor(server);
  const body = new URLSearchParams({
    instanceID: "acme",
    fromIncluding: at(-1),
    toExcluding: at(1),
    timeZoneID: "UTC",
  });
  const caCerts = [server.certificate!.caPem];
  using httpClient = Deno.createHttpClient({ caCerts });
  const post = async (path: string) => {
    const response = await fetch(`https://${server.hostname}:${server.port}${path}`, {
      method: "POST",
      body,
      headers: { authorization: `Basic ${btoa(`${username}:${password}`)}` },
      client: httpClient,
    });
    return { status: response.status, body: await response.json() };
  };
  const plain = await post("/api/invoke/GetWorkerResults");
  const slash = await post("/api/invoke/GetWorkerResults/");
  assert.equal(slash.status, 200);
  assert.equal(slash.body.error, plain.body.error);
  assert.equal(slash.body.error, null);
  assert.deepEqual(slash.body.result, plain.body.result);
});

Deno.test("fidelity: GetStores without includeSize has numbers to sum (a public Zabbix template does)", async () => {
  await using server = await startMock({ problems: "none" });
  await using client = await clientFor(server, { instanceID: "acme", metadata: "bundled" });
  type Store = { statisticsCount: number; statisticsSize: number };
  const plain = (await invokeCall(client, "GetStores", {})).result as unknown as Store[];
  const sized = (await invokeCall(client, "GetStores", { includeSize: true }))
    .result as unknown as Store[];
  // The template: sum(statisticsCount), sum(statisticsSize) over the items.
  const count = plain.reduce((sum, store) => sum + store.statisticsCount, 0);
  const size = plain.reduce((sum, store) => sum + store.statisticsSize, 0);
  assert.ok(Number.isSafeInteger(count) && count > 0);
  assert.ok(Number.isSafeInteger(size) && size > 0);
  assert.deepEqual(sized, plain);
});

Deno.test("fidelity: GetFolderStatistics' top-level entry is the user's total (a public self-service portal reads it)", async () => {
  await using server = await startMock({ problems: "none" });
  await using client = await clientFor(server, { instanceID: "acme", metadata: "bundled" });
  type Row = { folder: string; count: number; size: number };
  const rows = (await invokeCall(client, "GetFolderStatistics", {})).result as Row[];
  const user = rows.find((row) => !row.folder.includes("/") && row.size > 0)!;
  // The portal shows rows.find((row) => row.folder === userName).size as the archive size.
  const children = rows.filter((row) =>
    row.folder.toLowerCase().startsWith(`${user.folder.toLowerCase()}/`)
  );
  assert.ok(children.length > 0);
  assert.equal(user.size, children.reduce((sum, row) => sum + row.size, 0));
  assert.equal(user.count, children.reduce((sum, row) => sum + row.count, 0));
});

Deno.test("fidelity: GetJobResults comes newest first (the public recording of a 25.3.1 reply is)", async () => {
  await using server = await startMock({ problems: "none" });
  await using client = await clientFor(server, { instanceID: "acme", metadata: "bundled" });
  const rows = (await invokeCall(client, "GetJobResults", {
    fromIncluding: at(-30),
    toExcluding: at(1),
    timeZoneId: "UTC",
  })).result as { startTime: string }[];
  assert.ok(rows.length > 25, String(rows.length));
  for (let i = 1; i < rows.length; i++) {
    assert.ok(rows[i - 1]!.startTime >= rows[i]!.startTime, `row ${i}`);
  }
});

Deno.test("fidelity: sizes and counts agree across GetStores, GetInstanceStatistics, GetFolderStatistics and the usage report", async () => {
  await using server = await startMock({ problems: "none", instances: 3 });
  await using client = await clientFor(server, { metadata: "bundled" });
  const report = await usageReport(client, {});
  for (const row of report.instances) {
    const instanceID = row.instanceID;
    type Store = { statisticsCount: number; statisticsSize: number };
    const stores = (await invokeCall(client, "GetStores", { instanceID }))
      .result as unknown as Store[];
    const statistics = (await invokeCall(client, "GetInstanceStatistics", { instanceID }))
      .result as { numberOfMessages: number; contentFileSizeMB: number; totalSizeMB: number };
    const folders = (await invokeCall(client, "GetFolderStatistics", { instanceID }))
      .result as { folder: string; count: number; size: number }[];
    const count = stores.reduce((sum, store) => sum + store.statisticsCount, 0);
    const bytes = stores.reduce((sum, store) => sum + store.statisticsSize, 0);
    assert.equal(statistics.numberOfMessages, count, instanceID);
    assert.equal(statistics.contentFileSizeMB, Math.round(bytes / 1_048_576), instanceID);
    const tops = folders.filter((folder) => !folder.folder.includes("/"));
    assert.equal(tops.reduce((sum, folder) => sum + folder.count, 0), count, instanceID);
    assert.equal(tops.reduce((sum, folder) => sum + folder.size, 0), bytes, instanceID);
    assert.equal(row.messages, count, instanceID);
    assert.equal(row.archiveSizeMiB, statistics.totalSizeMB, instanceID);
    assert.equal(row.stores, stores.length, instanceID);
  }
});
