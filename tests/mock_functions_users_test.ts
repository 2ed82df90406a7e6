// The mock's user functions and folder privileges, through the client over HTTPS (issue 8, point 3).
import assert from "node:assert/strict";
import { type Session, testCases } from "./testdata/mock/calls.ts";

interface Info {
  userName: string;
  fullName: string | null;
  distinguishedName: string | null;
  authentication: string;
  mfaStatus?: string;
  emailAddresses: string[];
  pop3UserNames: string[];
  privileges: string[];
  loginPrivileges?: string[];
  privilegesOnFolders?: { folder: string; privileges: string[] }[];
}

async function info(session: Session, userName: string): Promise<Info> {
  return await session.call("GetUserInfo", { userName }) as Info;
}

async function names(session: Session): Promise<string[]> {
  return (await session.call("GetUsers") as { userName: string }[]).map((user) => user.userName);
}

/** A seeded user other than $archiveadmin. */
function seeded(session: Session, authentication?: string): string {
  for (const user of session.state.users(session.instance).values()) {
    if (user.userName === "$archiveadmin") continue;
    if (authentication === undefined || user.authentication === authentication) {
      return user.userName;
    }
  }
  throw new Error("no seeded user");
}

/** A setter whose effect GetUserInfo shows: `field` becomes `expected`. */
function infoSetter(
  fn: string,
  args: Record<string, unknown>,
  field: keyof Info,
  expected: unknown,
): { name: string; run(session: Session): Promise<void> } {
  return {
    name: `${fn} ${JSON.stringify(args)}`,
    async run(session) {
      const userName = seeded(session);
      assert.notDeepEqual((await info(session, userName))[field], expected);
      await session.call(fn, { userName, ...args });
      assert.deepEqual((await info(session, userName))[field], expected);
    },
  };
}

testCases("users", [
  {
    name: "GetUsers lists $archiveadmin and the seeded users; mfaStatus on SPE only",
    async run(session) {
      const users = await session.call("GetUsers") as Record<string, unknown>[];
      assert.equal(users.length, session.state.users(session.instance).size);
      assert.equal(users[0]!.userName, "$archiveadmin");
      assert.deepEqual(
        Object.keys(users[1]!),
        session.product === "spe"
          ? ["userName", "fullName", "distinguishedName", "mfaStatus"]
          : ["userName", "fullName", "distinguishedName"],
      );
    },
  },
  {
    name: "GetUserInfo answers the documented fields",
    async run(session) {
      const keys = Object.keys(await info(session, seeded(session)));
      assert.deepEqual(
        keys,
        session.product === "spe"
          ? [
            "userName",
            "fullName",
            "distinguishedName",
            "authentication",
            "mfaStatus",
            "emailAddresses",
            "pop3UserNames",
            "privileges",
            "loginPrivileges",
            "privilegesOnFolders",
          ]
          : [
            "userName",
            "fullName",
            "distinguishedName",
            "authentication",
            "emailAddresses",
            "pop3UserNames",
            "privileges",
            "privilegesOnFolders",
          ],
      );
      await session.fails("GetUserInfo", { userName: "nobody" }, /User 'nobody' does not exist/);
    },
  },
  {
    name: "CreateUser and DeleteUser",
    async run(session) {
      await session.call("CreateUser", {
        userName: "bob",
        privileges: ["login", "archive"],
        fullName: "Bob Builder",
        authentication: "integrated",
        password: "s3cret-pw",
        loginPrivileges: ["web"],
      });
      const bob = await info(session, "bob");
      assert.deepEqual(bob.privileges, ["login", "archive"]);
      assert.equal(bob.fullName, "Bob Builder");
      if (session.product === "spe") assert.deepEqual(bob.loginPrivileges, ["web"]);
      assert.ok(!JSON.stringify(bob).includes("s3cret-pw"));
      await session.fails("CreateUser", { userName: "BOB", privileges: ["login"] }, /exists/);
      await session.fails(
        "CreateUser",
        { userName: "carol", privileges: ["admin", "login"] },
        /of privileges must be the only one/,
      );
      await session.call("DeleteUser", { userName: "bob" });
      assert.ok(!(await names(session)).includes("bob"));
      await session.fails("DeleteUser", { userName: "$archiveadmin" }, /cannot be deleted/);
    },
  },
  {
    name: "RenameUser renames the user; its archive and the privileges on it keep their name",
    async run(session) {
      const old = seeded(session);
      await session.call("RenameUser", { oldUserName: old, newUserName: "renamed.user" });
      const renamed = await info(session, "renamed.user");
      assert.deepEqual(renamed.privilegesOnFolders, [{ folder: old, privileges: ["read"] }]);
      await session.fails("GetUserInfo", { userName: old }, /does not exist/);
    },
  },
  {
    name: "SetUserPassword keeps the password and never shows it",
    async run(session) {
      const userName = seeded(session);
      await session.call("SetUserPassword", { userName, password: "n3w-Passw0rd" });
      assert.equal(session.state.users(session.instance).get(userName)!.password, "n3w-Passw0rd");
      assert.ok(!JSON.stringify(await info(session, userName)).includes("n3w-Passw0rd"));
    },
  },
  infoSetter("SetUserPrivileges", { privileges: ["login", "export"] }, "privileges", [
    "login",
    "export",
  ]),
  infoSetter("SetUserFullName", { fullName: "Changed Name" }, "fullName", "Changed Name"),
  infoSetter("SetUserFullName", {}, "fullName", null),
  infoSetter(
    "SetUserDistinguishedName",
    { distinguishedName: "CN=X,DC=example,DC=local" },
    "distinguishedName",
    "CN=X,DC=example,DC=local",
  ),
  infoSetter(
    "SetUserEmailAddresses",
    { emailAddresses: "a@example.com,b@example.com" },
    "emailAddresses",
    [
      "a@example.com",
      "b@example.com",
    ],
  ),
  infoSetter("SetUserEmailAddresses", {}, "emailAddresses", []),
  infoSetter("SetUserPop3UserNames", { pop3UserNames: "pop1,pop2" }, "pop3UserNames", [
    "pop1",
    "pop2",
  ]),
  {
    name: "SetUserAuthentication",
    async run(session) {
      const userName = seeded(session, "integrated");
      await session.call("SetUserAuthentication", {
        userName,
        authentication: "directoryServices",
      });
      assert.equal((await info(session, userName)).authentication, "directoryServices");
    },
  },
  {
    name: "SetUserLoginPrivileges",
    async run(session) {
      const userName = seeded(session);
      await session.call("SetUserLoginPrivileges", { userName, loginPrivileges: ["web", "api"] });
      assert.deepEqual(session.state.users(session.instance).get(userName)!.loginPrivileges, [
        "web",
        "api",
      ]);
      if (session.product === "spe") {
        assert.deepEqual((await info(session, userName)).loginPrivileges, ["web", "api"]);
      }
    },
  },
  {
    name: "InitializeMFA and DisableMFA",
    async run(session) {
      const userName = seeded(session);
      const user = session.state.users(session.instance).get(userName)!;
      await session.call("InitializeMFA", { userName });
      assert.equal(user.mfaStatus, "Pending");
      if (session.product === "spe") {
        assert.equal((await info(session, userName)).mfaStatus, "Pending");
      }
      await session.call("DisableMFA", { userName });
      assert.equal(user.mfaStatus, "Disabled");
    },
  },
  {
    name: "DeleteAppPasswords",
    async run(session) {
      const userName = seeded(session);
      const user = session.state.users(session.instance).get(userName)!;
      user.appPasswords = 2;
      await session.call("DeleteAppPasswords", { userName });
      assert.equal(user.appPasswords, 0);
    },
  },
  {
    name: "SetUserPrivilegesOnFolder and ClearUserPrivilegesOnFolders",
    async run(session) {
      const userName = seeded(session);
      await session.call("SetUserPrivilegesOnFolder", {
        userName,
        folder: "shared",
        privileges: ["read", "write"],
      });
      let folders = (await info(session, userName)).privilegesOnFolders ?? [];
      assert.deepEqual(folders.find((entry) => entry.folder === "shared")?.privileges, [
        "read",
        "write",
      ]);
      await session.call("SetUserPrivilegesOnFolder", {
        userName,
        folder: "shared",
        privileges: ["none"],
      });
      folders = (await info(session, userName)).privilegesOnFolders ?? [];
      assert.equal(folders.find((entry) => entry.folder === "shared"), undefined);
      await session.fails(
        "SetUserPrivilegesOnFolder",
        { userName, folder: "shared/Inbox", privileges: ["read"] },
        /only be set on a top-level folder/,
      );
      await session.call("ClearUserPrivilegesOnFolders", { userName });
      assert.equal((await info(session, userName)).privilegesOnFolders, undefined);
    },
  },
  {
    name: "SyncUsersWithDirectoryServices: a dry run reports, a real run adds, updates and deletes",
    async run(session) {
      const data = session.state.instanceData(session.instance);
      const before = await names(session);
      const changes = await session.call("SyncUsersWithDirectoryServices", { dryRun: true });
      const report = data.lastDirectorySync!;
      assert.equal(report.dryRun, true);
      assert.deepEqual(changes, {
        added: report.added,
        updated: report.updated,
        deleted: report.deleted,
      });
      assert.deepEqual(report.added, ["new.hire", "new.trainee"]);
      assert.deepEqual(await names(session), before);
      await session.call("SyncUsersWithDirectoryServices");
      const after = await names(session);
      assert.ok(after.includes("new.hire") && after.includes("new.trainee"));
      assert.equal((await info(session, "new.hire")).authentication, "directoryServices");
      for (const gone of report.deleted) assert.ok(!after.includes(gone), gone);
      for (const changed of data.lastDirectorySync!.updated) {
        const entry = data.directory.find((user) => user.userName === changed)!;
        assert.deepEqual((await info(session, changed)).emailAddresses, entry.emailAddresses);
      }
      // A second run finds nothing left to do.
      await session.call("SyncUsersWithDirectoryServices");
      assert.deepEqual(data.lastDirectorySync, {
        dryRun: false,
        added: [],
        updated: [],
        deleted: [],
      });
      data.directoryServices.type = "none";
      await session.fails("SyncUsersWithDirectoryServices", {}, /not configured/);
    },
  },
]);
