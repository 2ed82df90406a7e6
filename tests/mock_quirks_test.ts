// Recorded failures of SPE 25.3.1 on request (issue 19, part 2): off by default, on with
// quirks "spe-25.3.1" (`mock --quirks spe-25.3.1`). Source of each: a provider's public runbook,
// not confirmed by the vendor (lib/mock/README.md, "Quirks").
import assert from "node:assert/strict";
import { ApiError, invokeCall } from "../mod.ts";
import { parseMockFlags } from "../lib/mock/_flags.ts";
import { clientFor, startMock } from "./_helpers.ts";

const DAY = 86_400_000;

function at(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 19);
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error.status.error?.message ?? "";
  }
  throw new Error("The call succeeded; a failure was expected.");
}

function range(days: number, extra: Record<string, unknown> = {}) {
  return { fromIncluding: at(-days), toExcluding: at(0), timeZoneID: "UTC", ...extra };
}

Deno.test("quirks: off by default, the recorded failures do not happen", async () => {
  await using server = await startMock({ problems: "none" });
  await using client = await clientFor(server, { instanceID: "acme", metadata: "bundled" });
  await invokeCall(client, "GetFolderStatistics", {});
  await invokeCall(client, "GetWorkerResults", range(60));
  await invokeCall(client, "GetChildFolders", { folder: "" });
});

Deno.test("quirks spe-25.3.1: folder statistics, long worker result ranges and 0 or empty optional arguments fail", async () => {
  await using server = await startMock({ problems: "none", quirks: "spe-25.3.1" });
  await using client = await clientFor(server, { instanceID: "acme", metadata: "bundled" });
  assert.equal(
    await failure(invokeCall(client, "GetFolderStatistics", {})),
    "Nullable object must have a value.",
  );
  // More than 31 days fails; 31 days is answered.
  assert.equal(
    await failure(invokeCall(client, "GetWorkerResults", range(32))),
    "Nullable object must have a value.",
  );
  const month = (await invokeCall(client, "GetWorkerResults", range(31))).result;
  assert.ok(Array.isArray(month));
  for (const extra of [{ profileID: 0 }, { userName: "" }]) {
    assert.match(
      await failure(invokeCall(client, "GetWorkerResults", range(1, extra))),
      /must be left out/,
    );
  }
  assert.match(
    await failure(invokeCall(client, "GetChildFolders", { folder: "" })),
    /API argument folder: the optional argument must be left out/,
  );
  // Left out, the same calls work; a boolean false is never refused.
  await invokeCall(client, "GetChildFolders", {});
  await invokeCall(client, "GetStores", { includeSize: false });
});

Deno.test("quirks: --quirks is a flag of the mock's table", () => {
  assert.equal(parseMockFlags(["--quirks", "spe-25.3.1"]).quirks, "spe-25.3.1");
  assert.throws(() => parseMockFlags(["--quirks", "spe-9"]), /--quirks must be none or spe-25.3.1/);
});
