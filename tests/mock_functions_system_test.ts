// The mock's system, licensing, instance and instance host functions, through the client over
// HTTPS (issue 8, point 3): each call's effect is checked through a getter or the state. Functions
// that would reach the outside world are checked through what they recorded in the outbox.
import assert from "node:assert/strict";
import { AuthenticationError, invokeCall } from "../mod.ts";
import { type Session, testCases } from "./testdata/mock/calls.ts";
import { clientFor } from "./_helpers.ts";

const THUMBPRINT = "AB".repeat(20);

interface Server {
  serverName: string;
  port: number;
  serverCertificate: { thumbprint: string };
}

function outbox(session: Session, kind: string): Record<string, unknown>[] {
  return session.state.system.outbox.filter((entry) => entry.kind === kind).map((entry) =>
    entry.details
  );
}

async function admin(session: Session, userName: string): Promise<Record<string, unknown>> {
  const list = await session.call("GetSystemAdministrators") as Record<string, unknown>[];
  return list.find((item) => item.userName === userName)!;
}

async function instanceConfiguration(session: Session): Promise<Record<string, unknown>> {
  return await session.call("GetInstanceConfiguration") as Record<string, unknown>;
}

async function hosts(session: Session): Promise<(Server & { baseDirectory: string | null })[]> {
  return await session.call("GetInstanceHosts") as (Server & { baseDirectory: string | null })[];
}

const SPE = ["spe"] as const;
const SERVER = ["server"] as const;

testCases("system", [
  {
    name: "GetEnvironmentInfo names the licensee of the state",
    products: SPE,
    async run(session) {
      session.state.system.license.licenseeName = "Example Hosting";
      const info = await session.call("GetEnvironmentInfo") as Record<string, unknown>;
      assert.equal(info.licenseeName, "Example Hosting");
      assert.equal(info.userName, "admin");
    },
  },
  {
    name: "GetServiceStatus lists every server role and the state's problems",
    products: SPE,
    async run(session) {
      let status = await session.call("GetServiceStatus") as {
        serverInfos: (Server & { serverType: string; numberOfRunningInstances: number | null })[];
        messages: { type: string; text: string }[];
      };
      assert.deepEqual(
        [...new Set(status.serverInfos.map((server) => server.serverType))],
        ["clientAccessServer", "managementServer", "instanceHost"],
      );
      assert.deepEqual(status.messages, []);
      session.state.instance("globex")!.status = "stopped";
      session.state.stores(session.instance)[0]!.searchIndexesNeedRebuild = true;
      status = await session.call("GetServiceStatus") as typeof status;
      assert.deepEqual(status.messages.map((item) => item.type), ["warning", "warning"]);
      assert.match(
        status.messages[1]!.text,
        /^Instance globex on .+: The instance is not running\.$/,
      );
      assert.match(status.messages[0]!.text, /^Instance acme on .+: .*search indexes.*rebuilt\.$/);
      const host = status.serverInfos.find((server) => server.serverType === "instanceHost")!;
      assert.equal(host.numberOfRunningInstances, 2);
    },
  },
  {
    name: "Client access servers: create, list with status, change, delete",
    products: SPE,
    async run(session) {
      await session.call("CreateClientAccessServer", {
        config: {
          serverName: "cas02.example.com",
          port: 8473,
          serverCertificate: { thumbprint: THUMBPRINT },
        },
      });
      let list = await session.call("GetClientAccessServers", {
        serverNameFilter: "CAS02.example.com",
        withServiceStatus: true,
      }) as (Server & { active: boolean })[];
      assert.equal(list.length, 1);
      assert.equal(list[0]!.active, true);
      await session.call("SetClientAccessServerConfiguration", {
        config: { serverName: "cas02.example.com", port: 9473 },
      });
      list = await session.call("GetClientAccessServers", {
        withServiceStatus: false,
      }) as typeof list;
      assert.equal(list.length, 2);
      assert.equal(list[1]!.port, 9473);
      assert.equal("active" in list[1]!, false);
      await session.fails("CreateClientAccessServer", {
        config: { serverName: "cas02.example.com", serverCertificate: { thumbprint: THUMBPRINT } },
      }, /already exists/);
      await session.call("DeleteClientAccessServer", { serverName: "cas02.example.com" });
      assert.equal(
        (await session.call("GetClientAccessServers", { withServiceStatus: false }) as []).length,
        1,
      );
      await session.fails(
        "DeleteClientAccessServer",
        { serverName: "cas02.example.com" },
        /does not exist/,
      );
    },
  },
  {
    name: "System administrators: configuration, password, MFA and API password",
    products: SPE,
    async run(session) {
      await session.call("CreateSystemAdministrator", {
        config: { userName: "ops", fullName: "Ops" },
        password: "first-secret-1",
      });
      await session.call("SetSystemAdministratorConfiguration", {
        config: { userName: "ops", fullName: "Operations", emailAddress: "ops@example.com" },
      });
      assert.equal((await admin(session, "ops")).fullName, "Operations");
      assert.equal((await admin(session, "ops")).emailAddress, "ops@example.com");
      await session.call("SetSystemAdministratorPassword", {
        userName: "ops",
        password: "second-secret-2",
      });
      const login = async (password: string) => {
        await using client = await clientFor(session.server, {
          username: "ops",
          password,
          metadata: "bundled",
        });
        return (await invokeCall(client, "Ping")).statusCode;
      };
      assert.equal(await login("second-secret-2"), "succeeded");
      await assert.rejects(login("first-secret-1"), AuthenticationError);
      await session.fails(
        "SetSystemAdministratorPassword",
        { userName: "ops", password: "x" },
        /8 characters/,
      );
      await session.call("InitializeSystemAdministratorMFA", { userName: "ops" });
      assert.equal((await admin(session, "ops")).mfaStatus, "Pending");
      await session.call("DeactivateSystemAdministratorMFA", { userName: "ops" });
      assert.equal((await admin(session, "ops")).mfaStatus, "Disabled");
      const apiPassword = await session.call("CreateSystemAdministratorAPIPassword") as string;
      assert.match(apiPassword, /^[A-Za-z0-9]{24}$/);
      assert.equal(session.state.system.apiPasswords.get("admin"), apiPassword);
      await session.fails(
        "InitializeSystemAdministratorMFA",
        { userName: "nobody" },
        /does not exist/,
      );
      await session.call("DeleteSystemAdministrator", { userName: "ops" });
      assert.equal(await admin(session, "ops"), undefined);
      assert.equal(await session.call("Ping"), null);
    },
  },
  {
    name: "System SMTP: the password is kept but never shown; the test message goes to the outbox",
    products: SPE,
    async run(session) {
      await session.call("SetSystemSmtpConfiguration", {
        config: { serverName: "mail.example.com", port: 25, password: "smtp-secret" },
      });
      const smtp = await session.call("GetSystemSmtpConfiguration") as Record<string, unknown>;
      assert.equal(smtp.serverName, "mail.example.com");
      assert.equal(smtp.port, 25);
      assert.equal(smtp.password, null);
      assert.equal(session.state.system.smtpPassword, "smtp-secret");
      await session.call("TestSystemSmtpConfiguration");
      assert.deepEqual(outbox(session, "smtpTest").at(-1), {
        serverName: "mail.example.com",
        port: 25,
        from: "spe@spe.mock.test",
        to: "admin@spe.mock.test",
      });
      await session.call("SetSystemSmtpConfiguration", { config: { serverName: "" } });
      await session.fails("TestSystemSmtpConfiguration", {}, /incomplete/);
    },
  },
  {
    name: "SendStatusReport records the report it would have sent, with the period's results",
    async run(session) {
      await session.call("SendStatusReport", {
        timespan: "lastmonth",
        timeZoneId: "UTC",
        recipients: "a@example.com,b@example.com",
      });
      const report = outbox(session, "statusReport").at(-1)!;
      assert.deepEqual(report.recipients, ["a@example.com", "b@example.com"]);
      assert.equal(report.timespan, "lastmonth");
      assert.match(String(report.from), /^\d{4}-\d{2}-01T00:00:00$/);
      // Its counts are those of the worker results of the period (last week lies in the history).
      await session.call("SendStatusReport", {
        timespan: "lastweek",
        timeZoneId: "UTC",
        recipients: "a@example.com",
      });
      const week = outbox(session, "statusReport").at(-1)!;
      const rows = await session.call("GetWorkerResults", {
        fromIncluding: week.from,
        toExcluding: week.to,
        timeZoneID: "UTC",
      }) as { result: string }[];
      assert.ok(rows.length > 0);
      const expected: Record<string, number> = {};
      for (const row of rows) expected[row.result] = (expected[row.result] ?? 0) + 1;
      assert.deepEqual(week.workerResults, expected);
      await session.fails("SendStatusReport", {
        timespan: "today",
        timeZoneId: "UTC",
        recipients: "not-an-address",
      }, /not a valid e-mail address/);
    },
  },
  {
    name: "PairWithManagementServer registers the server; ReloadBranding is recorded",
    products: SPE,
    async run(session) {
      await session.call("PairWithManagementServer", {
        serverType: "instanceHost",
        serverName: "host09.example.com",
        port: 8472,
        thumbprint: THUMBPRINT,
      });
      assert.ok((await hosts(session)).some((host) => host.serverName === "host09.example.com"));
      await session.call("PairWithManagementServer", {
        serverType: "clientAccessServer",
        serverName: "cas09.example.com",
        port: 8473,
        thumbprint: THUMBPRINT,
      });
      const cas = await session.call("GetClientAccessServers", {
        withServiceStatus: false,
      }) as Server[];
      assert.ok(cas.some((server) => server.serverName === "cas09.example.com"));
      assert.equal(outbox(session, "pairing").length, 2);
      await session.fails("PairWithManagementServer", {
        serverType: "managementServer",
        serverName: "x",
        port: 1,
        thumbprint: THUMBPRINT,
      }, /serverType/);
      await session.call("ReloadBranding");
      assert.equal(outbox(session, "brandingReload").length, 1);
    },
  },
  {
    name: "GetTimeZones lists $Local and the Windows IDs",
    async run(session) {
      const zones = await session.call("GetTimeZones") as { id: string; displayName: string }[];
      assert.deepEqual(Object.keys(zones[0]!), ["id", "displayName"]);
      assert.ok(zones.some((zone) => zone.id === "$Local"));
      assert.ok(zones.some((zone) => zone.id === "W. Europe Standard Time"));
    },
  },
  {
    name: "Licensing: CanRunArchiveProfiles follows the license; CreateLicenseRequest is recorded",
    products: SPE,
    async run(session) {
      assert.equal(await session.call("CanRunArchiveProfiles"), true);
      session.state.system.license.canRunArchiveProfiles = false;
      assert.equal(await session.call("CanRunArchiveProfiles"), false);
      const request = await session.call("CreateLicenseRequest") as string;
      assert.equal(JSON.parse(atob(request)).licenseeID, 1234);
      assert.equal(outbox(session, "licenseRequest").length, 1);
    },
  },
  {
    name: "GetLicenseInformation counts the users",
    products: SERVER,
    async run(session) {
      const before = await session.call("GetLicenseInformation") as {
        numberOfUsedLicenses: number;
      };
      await session.call("CreateUser", { userName: "new.user", privileges: "login" });
      const after = await session.call("GetLicenseInformation") as typeof before;
      assert.equal(after.numberOfUsedLicenses, before.numberOfUsedLicenses + 1);
    },
  },
  {
    name: "GetServerInfo, GetActiveSessions and the service certificate",
    products: SERVER,
    async run(session) {
      assert.deepEqual(await session.call("GetServerInfo"), {
        version: "25.3.1.23021",
        machineName: "MAILSTORE",
      });
      const sessions = await session.call("GetActiveSessions") as { userName: string }[];
      assert.ok(sessions.some((item) => item.userName === "admin"));
      await session.call("SetServiceCertificate", { thumbprint: THUMBPRINT.toLowerCase() });
      const config = await session.call("GetServiceConfiguration") as Record<string, unknown>;
      assert.equal(config.certificateThumbprint, THUMBPRINT);
      await session.fails("SetServiceCertificate", { thumbprint: "nope" }, /No certificate/);
    },
  },
  {
    name: "RenewMasterKey, CompactMasterDatabase and CreateBackup change the state",
    products: SERVER,
    async run(session) {
      await session.call("RenewMasterKey");
      assert.notEqual(session.state.system.masterKeyRenewedUtc, null);
      await session.call("CompactMasterDatabase");
      assert.notEqual(session.state.system.masterDatabaseCompactedUtc, null);
      await session.call("CreateBackup", { path: "E:\\Backup", excludeSearchIndexes: true });
      assert.deepEqual(outbox(session, "backup").at(-1)!.path, "E:\\Backup");
      assert.ok((session.server.stats.byPath["/api/get-status"] ?? 0) >= 2, "ran as jobs");
      await session.fails("CreateBackup", { path: "relative" }, /not an absolute path/);
    },
  },
]);

testCases("instances", [
  {
    name:
      "CreateInstance, Start/Restart/Freeze/Thaw/Stop/DeleteInstances change what GetInstances shows",
    products: SPE,
    async run(session) {
      const status = async () =>
        (await session.call("GetInstances", { instanceFilter: "newco" }) as {
          status: string;
          processID: number | null;
        }[])[0]!;
      const host = (await hosts(session))[0]!.serverName;
      await session.call("CreateInstance", { config: { instanceID: "newco", instanceHost: host } });
      assert.equal((await status()).status, "stopped");
      assert.equal((await status()).processID, null);
      await session.call("StartInstances", { instanceFilter: "newco" });
      const started = await status();
      assert.equal(started.status, "running");
      // An instance created through the API starts without profiles or history.
      await using client = await clientFor(session.server, { instanceID: "newco" });
      assert.deepEqual((await invokeCall(client, "GetProfiles", { raw: true })).result, []);
      await session.call("RestartInstances", { instanceFilter: "newco" });
      assert.notEqual((await status()).processID, started.processID);
      await session.call("FreezeInstances", { instanceFilter: "newco" });
      assert.equal((await status()).status, "frozen");
      await session.call("ThawInstances", { instanceFilter: "newco" });
      assert.equal((await status()).status, "running");
      await session.call("StopInstances", { instanceFilter: "newco" });
      assert.equal((await status()).status, "stopped");
      await session.call("DeleteInstances", { instanceFilter: "newco" });
      await session.fails("GetInstances", { instanceFilter: "newco" }, /does not exist/);
    },
  },
  {
    name: "SetArchiveAdminEnabled changes what GetArchiveAdminEnabled answers",
    products: SPE,
    async run(session) {
      assert.equal(await session.call("GetArchiveAdminEnabled"), true);
      await session.call("SetArchiveAdminEnabled", { enabled: false });
      assert.equal(await session.call("GetArchiveAdminEnabled"), false);
      assert.equal(session.instance.serviceProviderAccess, false);
    },
  },
  {
    name: "SetInstanceConfiguration changes what GetInstanceConfiguration shows",
    products: SPE,
    async run(session) {
      await session.call("SetInstanceConfiguration", {
        config: {
          instanceID: "acme",
          displayName: "ACME Corp",
          debugLogEnabled: true,
          vssWriterExcludeIndexes: true,
        },
      });
      const config = await instanceConfiguration(session);
      assert.equal(config.displayName, "ACME Corp");
      assert.equal(config.debugLogEnabled, true);
      assert.equal(config.vssWriterExcludeIndexes, true);
      assert.equal(config.vssWriterEnabled, true);
      await session.fails("SetInstanceConfiguration", {
        config: { instanceID: "acme", instanceHost: "host09.example.com" },
      }, /does not exist/);
      await session.fails("SetInstanceConfiguration", {
        config: { instanceID: "acme", debugLogEnabled: "yes" },
      }, /true or false/);
    },
  },
  {
    name: "GetInstanceProcessLiveStatistics counts what the process archived; a restart resets it",
    products: SPE,
    async run(session) {
      const first = await session.call("GetInstanceProcessLiveStatistics") as Record<
        string,
        number | string
      >;
      assert.deepEqual(Object.keys(first), [
        "processUniqueID",
        "timestamp",
        "totalProcessorMilliseconds",
        "totalIOReadBytes",
        "totalIOWriteBytes",
        "totalIOOtherBytes",
        "totalRemoteProcedureCalls",
        "totalMessagesArchived",
        "totalMessagesChecked",
        "currentPrivateMemoryBytes",
      ]);
      await session.call("RunProfile", { id: 1 });
      const second = await session.call("GetInstanceProcessLiveStatistics") as typeof first;
      assert.ok(Number(second.totalMessagesArchived) > Number(first.totalMessagesArchived));
      assert.equal(second.processUniqueID, first.processUniqueID);
      await session.call("RestartInstances", { instanceFilter: "acme" });
      const third = await session.call("GetInstanceProcessLiveStatistics") as typeof first;
      assert.notEqual(third.processUniqueID, first.processUniqueID);
      assert.equal(third.totalMessagesArchived, 0);
    },
  },
  {
    name: "CreateClientOneTimeUrlForArchiveAdmin answers a URL and records it",
    products: SPE,
    async run(session) {
      const url = await session.call("CreateClientOneTimeUrlForArchiveAdmin", {
        instanceUrl: "https://archive.example.com/acme/",
      }) as string;
      assert.match(
        url,
        /^https:\/\/archive\.example\.com\/acme\/login\/onetime\?token=[0-9a-f]{32}$/,
      );
      assert.equal(session.state.activity(session.instance).oneTimeUrls.at(-1)!.url, url);
    },
  },
]);

testCases("instanceHosts", [
  {
    name: "CreateInstanceHost, SetInstanceHostConfiguration and DeleteInstanceHost",
    products: SPE,
    async run(session) {
      await session.call("CreateInstanceHost", {
        config: { serverName: "host02.example.com", serverCertificate: { thumbprint: THUMBPRINT } },
      });
      await session.call("SetInstanceHostConfiguration", {
        config: { serverName: "host02.example.com", baseDirectory: "F:\\Instances" },
      });
      const added = (await hosts(session)).find((host) =>
        host.serverName === "host02.example.com"
      )!;
      assert.equal(added.port, 8472);
      assert.equal(added.baseDirectory, "F:\\Instances");
      assert.equal(added.serverCertificate.thumbprint, THUMBPRINT);
      const used = (await hosts(session))[0]!.serverName;
      await session.fails("DeleteInstanceHost", { serverName: used }, /still has 3 instance/);
      await session.call("DeleteInstanceHost", { serverName: "host02.example.com" });
      assert.equal((await hosts(session)).length, 1);
    },
  },
  {
    name:
      "GetDirectoriesOnInstanceHost lists drives and sub-directories; CreateDirectoryOnInstanceHost adds one",
    products: SPE,
    async run(session) {
      const host = (await hosts(session))[0]!.serverName;
      assert.deepEqual(await session.call("GetDirectoriesOnInstanceHost", { serverName: host }), [
        "C:\\",
        "D:\\",
        "E:\\",
      ]);
      const list = await session.call("GetDirectoriesOnInstanceHost", {
        serverName: host,
        path: "E:\\MailStore",
      }) as string[];
      assert.deepEqual(list, [
        "E:\\MailStore\\acme",
        "E:\\MailStore\\globex",
        "E:\\MailStore\\initech",
      ]);
      await session.call("CreateDirectoryOnInstanceHost", {
        serverName: host,
        path: "E:\\MailStore\\newco",
      });
      assert.ok(
        (await session.call("GetDirectoriesOnInstanceHost", {
          serverName: host,
          path: "E:\\MailStore\\",
        }) as string[])
          .includes("E:\\MailStore\\newco"),
      );
      await session.fails(
        "GetDirectoriesOnInstanceHost",
        { serverName: host, path: "Q:\\Nowhere" },
        /does not exist/,
      );
    },
  },
]);
