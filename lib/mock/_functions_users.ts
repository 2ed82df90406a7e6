/**
 * The simulated user functions (group `users`) and the folder privileges of users
 * (SetUserPrivilegesOnFolder, ClearUserPrivilegesOnFolders), shared by SPE and MailStore Server.
 *
 * @module
 */

import type { Args } from "./_args.ts";
import type { MockDirectorySync } from "./_instance_data.ts";
import { type CallContext, Deferred, inst, type Simulation, userOf } from "./_simulation.ts";
import type { MockUser } from "./_model.ts";
import { newUser } from "./_state.ts";
import { ApiFault } from "./_wire.ts";

/** A function that changes one user (named by `userName`) and returns nothing, as the setters do. */
function userSetter(apply: (user: MockUser, args: Args) => void): Simulation {
  return {
    handle: (ctx) => {
      apply(userOf(ctx, ctx.args.str("userName")), ctx.args);
      return null;
    },
  };
}

/**
 * A privilege list without the `none` placeholder (`none` alone means an empty list). `none`, and
 * for global privileges `admin`, must be the only value (MailStore's wrapper documents this).
 */
function listWithoutNone(args: Args, name: string): string[] {
  const list = args.list(name);
  for (const alone of name === "privileges" ? ["none", "admin"] : ["none"]) {
    if (list.includes(alone) && list.length > 1) {
      throw new ApiFault(`The value '${alone}' of ${name} must be the only one in the list.`);
    }
  }
  return list.filter((item) => item !== "none");
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/**
 * Compares the archive's users with the simulated directory: who would be added, updated, deleted.
 * Applies the changes unless `dryRun`.
 */
function syncUsers(ctx: CallContext, dryRun: boolean): MockDirectorySync {
  const instance = inst(ctx);
  const users = ctx.state.users(instance);
  const data = ctx.state.instanceData(instance);
  const sync: MockDirectorySync = { dryRun, added: [], updated: [], deleted: [] };
  const known = new Set<string>();
  for (const entry of data.directory) {
    const key = entry.userName.toLowerCase();
    known.add(key);
    const user = users.get(key);
    if (user === undefined) {
      sync.added.push(entry.userName);
      if (dryRun) continue;
      users.set(
        key,
        newUser({
          userName: entry.userName,
          fullName: entry.fullName,
          distinguishedName: entry.distinguishedName,
          authentication: "directoryServices",
          emailAddresses: [...entry.emailAddresses],
          privileges: ["login"],
          privilegesOnFolders: new Map([[entry.userName, ["read"]]]),
        }),
      );
    } else if (
      user.fullName !== entry.fullName || user.distinguishedName !== entry.distinguishedName ||
      !sameList(user.emailAddresses, entry.emailAddresses)
    ) {
      sync.updated.push(user.userName);
      if (dryRun) continue;
      user.fullName = entry.fullName;
      user.distinguishedName = entry.distinguishedName;
      user.emailAddresses = [...entry.emailAddresses];
    }
  }
  if (data.directoryServices.deleteUsers === true) {
    for (const [key, user] of users) {
      if (user.authentication !== "directoryServices" || known.has(key)) continue;
      sync.deleted.push(user.userName);
      if (!dryRun) users.delete(key);
    }
  }
  return sync;
}

/** The user simulations, the same for both products (the product only changes what is shown). */
export const USER_SIMULATIONS: Readonly<Record<string, Simulation>> = {
  GetUsers: {
    handle: (ctx) => {
      const users = ctx.state.users(inst(ctx));
      const server = ctx.state.product === "server";
      const list = new Array<Record<string, unknown>>(users.size);
      let i = 0;
      for (const user of users.values()) {
        list[i++] = server
          ? {
            userName: user.userName,
            fullName: user.fullName,
            distinguishedName: user.distinguishedName,
          }
          : {
            userName: user.userName,
            fullName: user.fullName,
            distinguishedName: user.distinguishedName,
            mfaStatus: user.mfaStatus,
          };
      }
      return list;
    },
  },
  GetUserInfo: {
    handle: (ctx) => {
      const user = userOf(ctx, ctx.args.str("userName"));
      const info: Record<string, unknown> = {
        userName: user.userName,
        fullName: user.fullName,
        distinguishedName: user.distinguishedName,
        authentication: user.authentication,
      };
      if (ctx.state.product === "spe") info.mfaStatus = user.mfaStatus;
      info.emailAddresses = user.emailAddresses;
      info.pop3UserNames = user.pop3UserNames;
      info.privileges = user.privileges;
      if (ctx.state.product === "spe") info.loginPrivileges = user.loginPrivileges;
      if (user.privilegesOnFolders.size > 0) {
        info.privilegesOnFolders = [...user.privilegesOnFolders].map(([folder, privileges]) => ({
          folder,
          privileges,
        }));
      }
      return info;
    },
  },
  CreateUser: {
    handle: (ctx) => {
      const userName = ctx.args.str("userName");
      const users = ctx.state.users(inst(ctx));
      if (users.has(userName.toLowerCase())) {
        throw new ApiFault(`User '${userName}' already exists.`);
      }
      const user = newUser({
        userName,
        fullName: ctx.args.optStr("fullName"),
        distinguishedName: ctx.args.optStr("distinguishedName"),
        authentication: ctx.args.optStr("authentication") ?? "integrated",
        privileges: listWithoutNone(ctx.args, "privileges"),
        password: ctx.args.optStr("password"),
      });
      if (ctx.args.has("loginPrivileges")) {
        user.loginPrivileges = listWithoutNone(ctx.args, "loginPrivileges");
      }
      users.set(userName.toLowerCase(), user);
      return null;
    },
  },
  DeleteUser: {
    handle: (ctx) => {
      const user = userOf(ctx, ctx.args.str("userName"));
      if (user.userName === "$archiveadmin") {
        throw new ApiFault("The user '$archiveadmin' cannot be deleted.");
      }
      ctx.state.users(inst(ctx)).delete(user.userName.toLowerCase());
      return null;
    },
  },
  RenameUser: {
    handle: (ctx) => {
      const user = userOf(ctx, ctx.args.str("oldUserName"));
      const newUserName = ctx.args.str("newUserName");
      const users = ctx.state.users(inst(ctx));
      if (user.userName === "$archiveadmin") {
        throw new ApiFault("The user '$archiveadmin' cannot be renamed.");
      }
      if (
        users.has(newUserName.toLowerCase()) &&
        newUserName.toLowerCase() !== user.userName.toLowerCase()
      ) {
        throw new ApiFault(`User '${newUserName}' already exists.`);
      }
      // The user's archive keeps its name, and so do the privileges on it (MailStore's wrapper:
      // "use the MoveFolder and SetUserPrivilegesOnFolder methods to move the archive as well").
      users.delete(user.userName.toLowerCase());
      user.userName = newUserName;
      users.set(newUserName.toLowerCase(), user);
      return null;
    },
  },
  SetUserPassword: userSetter((user, args) => {
    user.password = args.str("password");
  }),
  SetUserPrivileges: userSetter((user, args) => {
    user.privileges = listWithoutNone(args, "privileges");
  }),
  SetUserFullName: userSetter((user, args) => {
    user.fullName = args.optStr("fullName");
  }),
  SetUserDistinguishedName: userSetter((user, args) => {
    user.distinguishedName = args.optStr("distinguishedName");
  }),
  SetUserAuthentication: userSetter((user, args) => {
    user.authentication = args.str("authentication");
  }),
  SetUserEmailAddresses: userSetter((user, args) => {
    user.emailAddresses = args.list("emailAddresses");
  }),
  SetUserPop3UserNames: userSetter((user, args) => {
    user.pop3UserNames = args.list("pop3UserNames");
  }),
  SetUserLoginPrivileges: userSetter((user, args) => {
    user.loginPrivileges = listWithoutNone(args, "loginPrivileges");
  }),
  // MFA: InitializeMFA makes the user set it up again at the next login ("Pending").
  InitializeMFA: userSetter((user) => {
    user.mfaStatus = "Pending";
  }),
  DisableMFA: userSetter((user) => {
    user.mfaStatus = "Disabled";
  }),
  DeleteAppPasswords: userSetter((user) => {
    user.appPasswords = 0;
  }),
  SetUserPrivilegesOnFolder: userSetter((user, args) => {
    const folder = args.str("folder");
    if (folder.includes("/")) {
      throw new ApiFault(
        `Privileges can only be set on a top-level folder (a user archive), not on '${folder}'.`,
      );
    }
    const privileges = listWithoutNone(args, "privileges");
    if (privileges.length === 0) user.privilegesOnFolders.delete(folder);
    else user.privilegesOnFolders.set(folder, privileges);
  }),
  ClearUserPrivilegesOnFolders: userSetter((user) => user.privilegesOnFolders.clear()),
  SyncUsersWithDirectoryServices: {
    job: () => "Synchronizing users with directory services",
    handle: (ctx) => {
      const data = ctx.state.instanceData(inst(ctx));
      if (data.directoryServices.type === "none") {
        throw new ApiFault(
          "Directory services are not configured. Set them up first (SetDirectoryServicesConfiguration).",
        );
      }
      const dryRun = ctx.args.optBool("dryRun") === true;
      // The result lists the changes (the wrapper: a dry run "only retrieves changes").
      return new Deferred(() => {
        const sync = syncUsers(ctx, dryRun);
        data.lastDirectorySync = sync;
        return { added: sync.added, updated: sync.updated, deleted: sync.deleted };
      });
    },
  },
};
