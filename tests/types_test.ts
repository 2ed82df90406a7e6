// Type tests: `deno test` type-checks this file, so every `@ts-expect-error` below must be an error
// and every positive case must compile. The same calls also run, against a client with the bundled
// metadata: the wrong ones must be refused at run time before anything is sent.

import {
  ArgumentError,
  type CallArgs,
  type Client,
  type EnvironmentInfo,
  type FunctionName,
  type Instance,
  type InstanceStatistics,
  invokeCall,
  type Job,
  newClient,
  type Operation,
  type ResultOf,
  type ServerInfo,
  type ServiceStatus,
  startCall,
  type Status,
  type Store,
  uncheckedFunction,
  type User,
  type UserInfo,
} from "../mod.ts";
import { assertEquals, assertRejects, assertThrows } from "./_assert.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
function assertType<T extends true>(_: T): void {}

// No request leaves these clients: metadata is bundled and every call below is refused or never sent.
function offlineSpe(): Promise<Client<"spe", null>> {
  return newClient({ username: "u", password: "p", port: 9, metadata: "bundled" });
}

Deno.test("types: client type follows product and default instanceID", async () => {
  await using spe = await newClient({ username: "u", password: "p", metadata: "bundled" });
  await using server = await newClient({
    username: "u",
    password: "p",
    product: "server",
    metadata: "bundled",
  });
  await using withInstance = await newClient({
    username: "u",
    password: "p",
    instanceID: "acme",
    metadata: "bundled",
  });
  assertType<Equal<typeof spe, Client<"spe", null>>>(true);
  assertType<Equal<typeof server, Client<"server", null>>>(true);
  assertType<Equal<typeof withInstance, Client<"spe", string>>>(true);
  assertEquals([spe.product, server.product, withInstance.instanceID], ["spe", "server", "acme"]);
  assertEquals([spe.url, server.url], ["https://localhost:8474", "https://localhost:8463"]);
});

Deno.test("types: result types of the common functions", () => {
  assertType<Equal<ResultOf<"spe", "GetEnvironmentInfo">, EnvironmentInfo>>(true);
  assertType<Equal<ResultOf<"spe", "GetServiceStatus">, ServiceStatus>>(true);
  assertType<Equal<ResultOf<"spe", "GetInstances">, readonly Instance[]>>(true);
  assertType<Equal<ResultOf<"spe", "GetInstanceStatistics">, InstanceStatistics>>(true);
  assertType<Equal<ResultOf<"spe", "GetUsers">, readonly User[]>>(true);
  assertType<Equal<ResultOf<"spe", "GetUserInfo">, UserInfo>>(true);
  assertType<Equal<ResultOf<"spe", "GetStores">, readonly Store[]>>(true);
  assertType<Equal<ResultOf<"spe", "GetJobs">, readonly Job[]>>(true);
  assertType<Equal<ResultOf<"server", "GetServerInfo">, ServerInfo>>(true);
  assertType<Equal<ResultOf<"server", "GetUsers">, readonly User[]>>(true);
  assertType<Equal<ResultOf<"server", "GetStores">, readonly Store[]>>(true);
  assertType<Equal<ResultOf<"spe", "Ping">, unknown>>(true);
  assertType<Equal<ResultOf<"spe", "VerifyStore">, unknown>>(true);
  assertType<Equal<CallArgs<Client<"spe", null>, "GetUsers">, { readonly instanceID: string }>>(
    true,
  );
  assertType<Equal<FunctionName<"spe"> extends string ? true : false, true>>(true);
});

// Compile-time only: never called, so no request is made.
async function _positiveCases(
  spe: Client<"spe", null>,
  speDefault: Client<"spe", string>,
  server: Client<"server", null>,
): Promise<void> {
  const env: Status<EnvironmentInfo> = await invokeCall(spe, "GetEnvironmentInfo");
  const version: string | undefined = env.result?.version;
  const users = await invokeCall(spe, "GetUsers", { instanceID: "acme" });
  const names: string[] | undefined = users.result?.map((user) => user.userName);
  // The default instanceID makes instanceID optional, and args optional when nothing else is mandatory.
  await invokeCall(speDefault, "GetUsers");
  await invokeCall(speDefault, "GetUserInfo", { userName: "jdoe" });
  await invokeCall(speDefault, "GetUserInfo", { instanceID: "globex", userName: "jdoe" });
  // Optional arguments, enums, lists, json.
  await invokeCall(spe, "GetStores", { instanceID: "acme", includeSize: true });
  await invokeCall(spe, "CreateUser", {
    instanceID: "acme",
    userName: "bob",
    privileges: ["login", "archive"],
    loginPrivileges: "web",
  });
  // Optional arguments take null and undefined too (left out), e.g. a value copied from a result.
  const user =
    (await invokeCall(spe, "GetUserInfo", { instanceID: "acme", userName: "jdoe" })).result;
  await invokeCall(spe, "CreateUser", {
    instanceID: "globex",
    userName: "jdoe",
    privileges: "login",
    fullName: user?.fullName,
    distinguishedName: null,
  });
  await invokeCall(spe, "CreateInstanceHost", { config: { serverName: "host02", port: 8472 } });
  await invokeCall(spe, "CreateInstanceHost", { config: '{"serverName":"host02"}' });
  // Server product: its own functions, typed result.
  const info: string | undefined = (await invokeCall(server, "GetServerInfo")).result?.machineName;
  // Long-running: the operation is typed too.
  const operation: Operation<unknown> = startCall(spe, "VerifyStore", {
    instanceID: "acme",
    id: 1,
    includeIndexes: false,
  }, { onStatus: (status) => console.log(status.percentProgress) });
  for await (const status of operation) console.log(status.statusCode);
  const stores: Operation<readonly Store[]> = startCall(spe, "GetStores", { instanceID: "acme" });
  // The escape hatch: any name, any arguments, unknown result.
  const unknown: Status<unknown> = await invokeCall(spe, uncheckedFunction("GetSomethingNew"), {
    anything: [1, 2],
  });
  console.log(version, names, info, stores, unknown);
}

Deno.test("types: a misspelt argument does not compile and is refused at run time", async () => {
  await using client = await offlineSpe();
  // @ts-expect-error instanceId is not an argument of GetUsers (it is instanceID).
  const call = invokeCall(client, "GetUsers", { instanceId: "acme" });
  await assertRejects(call, ArgumentError, "did you mean instanceID");
});

Deno.test("types: a missing mandatory argument does not compile and is refused at run time", async () => {
  await using client = await offlineSpe();
  // @ts-expect-error userName is mandatory.
  const call1 = invokeCall(client, "GetUserInfo", { instanceID: "acme" });
  await assertRejects(call1, ArgumentError, "userName");
  // @ts-expect-error GetUsers has a mandatory argument, so the arguments cannot be left out.
  const call2 = invokeCall(client, "GetUsers");
  await assertRejects(call2, ArgumentError, "missing mandatory argument instanceID");
  assertThrows(
    () =>
      // @ts-expect-error includeIndexes is mandatory for VerifyStore.
      startCall(client, "VerifyStore", { instanceID: "acme", id: 1 }),
    ArgumentError,
  );
});

Deno.test("types: a value of the wrong type does not compile and is refused at run time", async () => {
  await using client = await offlineSpe();
  // @ts-expect-error includeSize is a boolean.
  const call3 = invokeCall(client, "GetStores", { instanceID: "acme", includeSize: "true" });
  await assertRejects(call3, ArgumentError);
  // @ts-expect-error id is a number.
  const call4 = invokeCall(client, "CompactStore", { instanceID: "acme", id: "1" });
  await assertRejects(call4, ArgumentError);
});

// Compile-time only (an enum value is not checked at run time: a newer server may accept more).
async function _enumCase(client: Client<"spe", null>): Promise<void> {
  const args = { instanceID: "a", id: 1, requestedState: "frozen" } as const;
  // @ts-expect-error requestedState takes only the documented values.
  await invokeCall(client, "SetStoreRequestedState", args);
}

Deno.test("types: an unknown function name does not compile and is refused at run time", async () => {
  await using client = await offlineSpe();
  // @ts-expect-error GetUser is not a function (GetUsers is).
  const call5 = invokeCall(client, "GetUser", { instanceID: "acme" });
  await assertRejects(call5, ArgumentError, "Did you mean GetUsers");
  // @ts-expect-error GetServerInfo is a MailStore Server function, not an SPE one.
  await assertRejects(invokeCall(client, "GetServerInfo"), ArgumentError, "Unknown function");
  // @ts-expect-error a mandatory argument does not take null.
  const call6 = invokeCall(client, "GetUsers", { instanceID: null });
  await assertRejects(call6, ArgumentError, "missing mandatory");
  // @ts-expect-error a plain string is not a function name; uncheckedFunction() is the escape hatch.
  assertThrows(() => startCall(client, "Pingg" as string), ArgumentError, "Did you mean Ping");
});
