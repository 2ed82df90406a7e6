import { startMock, clientFor } from "./_helpers.ts";
import { invokeCall, startCall, stopCall } from "../mod.ts";
await using server = await startMock();
await using client = await clientFor(server);
console.log(client.metadata?.length, server.stats.requests);
const env = await invokeCall(client, "GetEnvironmentInfo");
console.log(env.result?.version, server.stats.requests);
const users = await invokeCall(client, "GetUsers", { instanceID: "acme" });
console.log(users.result?.map((u) => u.userName));
const op = startCall(client, "VerifyStore", { instanceID: "acme", id: 1, includeIndexes: false });
for await (const s of op) console.log(s.statusVersion, s.statusCode, s.percentProgress, JSON.stringify(s.logOutput));
console.log((await op.final).statusCode, server.stats.byPath);
const op2 = startCall(client, "VerifyStore", { instanceID: "acme", id: 1, includeIndexes: false });
console.log(await stopCall(client, op2));
try { await op2.final } catch (e) { console.log(String(e)) }
