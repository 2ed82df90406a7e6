// The mock's configuration functions (compliance, directory services, retention, SMTP,
// credentials), through the client over HTTPS (issue 8, point 3).
import assert from "node:assert/strict";
import { testCases } from "./testdata/mock/calls.ts";

type Config = Record<string, unknown>;

testCases("configuration", [
  {
    name: "Get/SetComplianceConfiguration",
    async run(session) {
      const config = await session.call("GetComplianceConfiguration") as Config;
      assert.deepEqual(Object.keys(config), ["legalHoldEnabled", "logSuccessfulUserActivities"]);
      assert.equal(config.legalHoldEnabled, false);
      await session.call("SetComplianceConfiguration", {
        config: { ...config, legalHoldEnabled: true },
      });
      assert.equal(
        (await session.call("GetComplianceConfiguration") as Config).legalHoldEnabled,
        true,
      );
      await session.fails(
        "SetComplianceConfiguration",
        { config: { legalHoldEnabled: "yes" } },
        /a boolean is expected/,
      );
    },
  },
  {
    name: "Get/SetDirectoryServicesConfiguration keep the password and answer null",
    async run(session) {
      const config = await session.call("GetDirectoryServicesConfiguration") as Config;
      assert.equal(config.type, "activeDirectory");
      assert.equal(config.password, null);
      assert.equal(Object.keys(config).length, 18);
      await session.call("SetDirectoryServicesConfiguration", {
        config: { ...config, serverName: "dc02.example.local", password: "Ldap-Secret9" },
      });
      const after = await session.call("GetDirectoryServicesConfiguration") as Config;
      assert.equal(after.serverName, "dc02.example.local");
      assert.equal(after.password, null);
      const data = session.state.instanceData(session.instance);
      assert.equal(data.directoryServicesPassword, "Ldap-Secret9");
      // The Get result as a template (password null) keeps the password.
      await session.call("SetDirectoryServicesConfiguration", { config: after });
      assert.equal(data.directoryServicesPassword, "Ldap-Secret9");
    },
  },
  {
    name: "Get/SetRetentionPolicies and ProcessRetentionPolicies (not under legal hold)",
    async run(session) {
      const data = session.state.instanceData(session.instance);
      const policies = await session.call("GetRetentionPolicies") as Config;
      assert.ok(Array.isArray(policies.policies));
      // Ten years keeps everything (the seeded messages are from 2018 on).
      await session.call("ProcessRetentionPolicies");
      assert.equal(data.lastRetentionDeleted, 0);
      const short = {
        policies: [{
          name: "Two years",
          enabled: true,
          retentionPeriod: 2,
          retentionPeriodUnit: "years",
          folders: [],
        }],
      };
      await session.call("SetRetentionPolicies", { config: short });
      assert.deepEqual(await session.call("GetRetentionPolicies"), short);
      data.compliance.legalHoldEnabled = true;
      await session.call("ProcessRetentionPolicies");
      assert.equal(data.lastRetentionDeleted, 0);
      data.compliance.legalHoldEnabled = false;
      const total = () =>
        session.state.stores(session.instance).reduce(
          (sum, store) => sum + store.statisticsCount,
          0,
        );
      const before = total();
      await session.call("ProcessRetentionPolicies");
      assert.ok(data.lastRetentionDeleted! > 0);
      assert.ok(total() < before);
      const cutoff = new Date();
      cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 2);
      for (const messages of data.messages.values()) {
        for (const message of messages) {
          assert.ok(message.date >= cutoff.toISOString().slice(0, 19));
        }
      }
      await session.fails(
        "SetRetentionPolicies",
        { config: { policies: [{ retentionPeriod: "2" }] } },
        /a number is expected/,
      );
    },
  },
  {
    name:
      "Get/SetSmtpSettings keep the password and answer null; TestSmtpSettings records its message",
    async run(session) {
      const data = session.state.instanceData(session.instance);
      const settings = await session.call("GetSmtpSettings") as Config;
      assert.equal(settings.password, null);
      await session.call("SetSmtpSettings", {
        settings: {
          ...settings,
          serverName: "mail.example.net",
          port: 465,
          password: "Smtp-Secret7",
          recipientEmailAddress: "ops@example.net",
        },
      });
      const after = await session.call("GetSmtpSettings") as Config;
      assert.deepEqual([after.serverName, after.port, after.password], [
        "mail.example.net",
        465,
        null,
      ]);
      assert.equal(data.smtpPassword, "Smtp-Secret7");
      assert.equal(await session.call("TestSmtpSettings"), null);
      assert.equal(data.smtpTests.length, 1);
      assert.deepEqual(
        [data.smtpTests[0]!.serverName, data.smtpTests[0]!.port, data.smtpTests[0]!.to],
        ["mail.example.net", 465, "ops@example.net"],
      );
      await session.call("SetSmtpSettings", { settings: { serverName: "" } });
      await session.fails("TestSmtpSettings", {}, /incomplete/);
      assert.equal(data.smtpTests.length, 1);
      await session.fails("SetSmtpSettings", { settings: { port: "25" } }, /a number is expected/);
    },
  },
  {
    name: "GetCredentials answers PascalCase entries from the state",
    async run(session) {
      const credentials = await session.call("GetCredentials") as Config[];
      assert.deepEqual(Object.keys(credentials[0]!), ["ID", "Type", "Description", "Settings"]);
      assert.equal(credentials[0]!.Type, "Office365_Modern");
      session.state.instanceData(session.instance).credentials.push({
        ID: 2,
        Type: "Office365_Modern",
        Description: "Second tenant",
        Settings: {},
      });
      assert.equal((await session.call("GetCredentials") as Config[]).length, 2);
    },
  },
]);
