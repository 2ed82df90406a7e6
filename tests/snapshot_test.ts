// snapshotServer and `mspe-run snapshot` (issue 19, part 4): no secret reaches the file, even from
// a server that puts one into every field it can; --anonymize replaces names consistently; what
// could not be read is listed; the file is served by `mock --state`.
import assert from "node:assert/strict";
import { ArgumentError, invokeCall, newClient, usageReport } from "../mod.ts";
import { createMockApp, isSecretField, snapshotServer } from "../lib/mock/mod.ts";
import { runCliInProcess } from "./_cli_in_process.ts";
import { mockFlags } from "./cli_helpers.ts";
import { apiReply, clientFor, serveRaw, startMock } from "./_helpers.ts";

const MARKER = "Marker-Secret-7f3a";

/** Secret-like field names a server might send; every object of every result gets all of them. */
const SECRET_NAMES = [
  "password",
  "Password",
  "apiPassword",
  "clientSecret",
  "ClientSecret",
  "secretKey",
  "encryptionKey",
  "privateKey",
  "accessKey",
  "refreshToken",
  "passphrase",
  "CertificateData",
];

function plant(value: unknown, depth = 0): unknown {
  if (depth > 20 || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => plant(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretField(key) ? MARKER : plant(inner, depth + 1);
  }
  for (const name of SECRET_NAMES) out[name] = MARKER;
  // A credential's settings, as the server writes them (PascalCase).
  if ("ID" in out || "Type" in out) out.Settings = { ClientSecret: MARKER, TenantId: "t-1" };
  return out;
}

Deno.test("snapshot: no secret is written, whatever field the server puts it in", async () => {
  const app = createMockApp({ instances: 3, problems: "some", jobs: { stepMs: 1, steps: 1 } });
  try {
    await using server = serveRaw(async (request) => {
      const response = await app.fetch(request);
      const text = await response.text();
      if (response.status !== 200 || !text.includes("{")) {
        return new Response(text, { status: response.status, headers: response.headers });
      }
      const reply = JSON.parse(text.replace(/^\uFEFF/, ""));
      if (reply.result !== undefined && reply.result !== null) reply.result = plant(reply.result);
      return apiReply(reply);
    });
    await using client = await newClient(server.options);
    const snapshot = await snapshotServer(client, { concurrency: 2 });
    assert.equal(snapshot.instances, 3);
    const at = snapshot.text.indexOf(MARKER);
    assert.equal(
      at,
      -1,
      `the marker secret is in the file: ${snapshot.text.slice(at - 300, at + 50)}`,
    );
    // The content is there all the same.
    assert.ok(snapshot.text.includes("john.doe"));
  } finally {
    app.close();
  }
});

Deno.test("snapshot: the file is served by mock --state; unreadable functions are listed", async () => {
  await using original = await startMock({ instances: 4, problems: "none" });
  const acme = original.app.state.instance("acme")!;
  acme.serviceProviderAccess = false;
  original.app.state.instance("globex")!.status = "stopped";
  await using client = await clientFor(original, { metadata: "bundled" });
  const snapshot = await snapshotServer(client, { instances: ["acme", "globex", "initech"] });
  assert.equal(snapshot.instances, 3);
  assert.ok(snapshot.calls > 20);
  assert.ok(snapshot.unread.some((gap) => gap.instanceID === "globex" && gap.function === "*"));
  assert.ok(
    snapshot.unread.some((gap) => gap.instanceID === "acme" && gap.function === "GetUsers"),
  );
  const file = JSON.parse(snapshot.text);
  assert.equal(file.format, "mspe-mock-state");
  assert.equal(file.version, 1);
  assert.equal(file.snapshot.version, 1);
  assert.deepEqual(file.snapshot.unread, snapshot.unread);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/fleet.json`, snapshot.text);
    await using replica = await startMock({ state: `${dir}/fleet.json` });
    await using copy = await clientFor(replica, { metadata: "bundled" });
    const ids = (await invokeCall(copy, "GetInstances", { instanceFilter: "*" })).result!
      .map((instance) => `${instance.instanceID}:${instance.status}`);
    assert.deepEqual(ids, ["acme:running", "globex:stopped", "initech:running"]);
    const stores = await invokeCall(copy, "GetStores", { instanceID: "initech" });
    assert.deepEqual(
      stores.result,
      (await invokeCall(client, "GetStores", { instanceID: "initech" })).result,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("snapshot --anonymize: names, addresses, domains and paths replaced, the same each time", async () => {
  await using original = await startMock({ instances: 3, problems: "none" });
  await using client = await clientFor(original, { metadata: "bundled" });
  const first = await snapshotServer(client, { anonymize: true });
  const second = await snapshotServer(client, { anonymize: true });
  for (const word of ["acme", "globex", "john.doe", "Doe", "E:\\\\MailStore\\\\acme"]) {
    assert.ok(!first.text.includes(word), word);
  }
  const names = (text: string) =>
    [...text.matchAll(/"(instance|user|d)-[0-9a-f]{8}(\.example)?"/g)].map((match) => match[0]);
  assert.ok(names(first.text).length > 10);
  assert.deepEqual(new Set(names(second.text)), new Set(names(first.text)));
  assert.equal(JSON.parse(first.text).snapshot.anonymized, true);
  // Served, the anonymised replica has the same counts.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/anonymous.json`, first.text);
    await using replica = await startMock({ state: `${dir}/anonymous.json` });
    await using copy = await clientFor(replica, { metadata: "bundled" });
    const totals = async (c: typeof client) => (await usageReport(c, {})).totals;
    assert.deepEqual(await totals(copy), await totals(client));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("snapshot: a MailStore Server client is refused", async () => {
  await using server = await startMock({ product: "server" });
  await using client = await clientFor(server, { product: "server", metadata: "bundled" });
  await assert.rejects(snapshotServer(client), ArgumentError);
});

Deno.test("mspe-run snapshot --output writes the state file and lists what it could not read", async () => {
  await using original = await startMock({ instances: 5, problems: "some" });
  const dir = await Deno.makeTempDir();
  try {
    const output = `${dir}/fleet.json`;
    const run = await runCliInProcess(
      [
        "snapshot",
        "--output",
        output,
        "--concurrency",
        "2",
        ...mockFlags(original.port),
      ],
      { env: { MSPE_USERNAME: "admin", MSPE_PASSWORD: "admin" } },
    );
    assert.equal(run.code, 0, run.stderr);
    const file = JSON.parse(await Deno.readTextFile(output));
    assert.equal(file.format, "mspe-mock-state");
    assert.match(run.stderr, /could not be read/);
    assert.match(run.stdout + run.stderr, /5 instances/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
