// The four examples of MailStore's PowerShell tutorial, as mod.ts shows them, run against the mock
// (only the connection options differ: the mock's address and CA).

import { CancelledError, invokeCall, newClient, startCall, type Status, stopCall } from "../mod.ts";
import { assertEquals, assertMatch } from "./_assert.ts";
import { optionsFor, startMock } from "./_helpers.ts";

Deno.test("tutorial example 1: GetEnvironmentInfo without arguments", async () => {
  await using server = await startMock();
  await using client = await newClient(optionsFor(server));
  const status = await invokeCall(client, "GetEnvironmentInfo");
  assertEquals(status.statusCode, "succeeded");
  assertEquals(status.statusVersion, 2);
  assertEquals(status.token, null);
  assertMatch(status.result?.copyright ?? "", /MailStore Software GmbH/);
  assertEquals(typeof status.result?.licenseeID, "number");
});

Deno.test("tutorial example 2: every user of every instance", async () => {
  await using server = await startMock({ instances: 2, usersPerInstance: 2 });
  await using client = await newClient(optionsFor(server));
  const seen: string[] = [];
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  for (const instance of instances) {
    const users =
      (await invokeCall(client, "GetUsers", { instanceID: instance.instanceID })).result ??
        [];
    for (const user of users) {
      const info = await invokeCall(client, "GetUserInfo", {
        instanceID: instance.instanceID,
        userName: user.userName,
      });
      seen.push(
        `${instance.instanceID}/${info.result?.userName}:${info.result?.privileges.length}`,
      );
    }
  }
  assertEquals(instances.length, 2);
  assertEquals(seen.length, 6); // two users and $archiveadmin per instance
  assertEquals(seen.filter((entry) => entry.includes("/$archiveadmin:")).length, 2);
});

Deno.test("tutorial example 3: invokeCall waits for an asynchronous call", async () => {
  await using server = await startMock();
  await using client = await newClient(optionsFor(server));
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  const status = await invokeCall(client, "VerifyStore", {
    instanceID: instances[0]!.instanceID,
    id: 1,
    includeIndexes: false,
  });
  assertEquals(status.statusCode, "succeeded");
  assertEquals(status.percentProgress, 100);
  assertMatch(status.token ?? "", /^s/);
  assertEquals(status.statusVersion > 2, true);
});

Deno.test("tutorial example 4: every status of an asynchronous call, then cancel", async () => {
  await using server = await startMock({ jobs: { stepMs: 20, steps: 10 } });
  await using client = await newClient(optionsFor(server));
  const instances = (await invokeCall(client, "GetInstances", { instanceFilter: "*" })).result ??
    [];
  const operation = startCall(client, "VerifyStore", {
    instanceID: instances[0]!.instanceID,
    id: 1,
    includeIndexes: false,
  });
  const seen: Status[] = [];
  let stopped = false;
  for await (const status of operation) {
    seen.push(status);
    if (!stopped && status.percentProgress !== null && status.percentProgress > 20) {
      stopped = true;
      await stopCall(client, operation);
    }
  }
  const error = await operation.final.catch((e) => e);
  assertEquals(error instanceof CancelledError, true, String(error));
  assertEquals(seen.at(-1)?.statusCode, "failed");
  assertMatch(seen.at(-1)?.error?.message ?? "", /cancel/i);
  assertEquals((seen.at(-1)?.percentProgress ?? 100) < 100, true);
});
