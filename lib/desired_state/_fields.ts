/**
 * The fields of the instance and user blocks, shared by the parser (which checks them) and export
 * (which writes them), and the values the catalogue allows for the user's privileges.
 *
 * @module
 */

import { findFunction } from "../catalog.ts";

/** The instance's text settings. */
export const INSTANCE_TEXTS = ["alias", "displayName", "instanceHost", "baseDirectory"] as const;

/** The instance's true-or-false settings. */
export const INSTANCE_FLAGS = [
  "debugLogEnabled",
  "imapServerConnectionLogEnabled",
  "vssWriterEnabled",
  "vssWriterExcludeIndexes",
  "archiveAdminEnabled",
] as const;

/** Every field of the instance block, in the order export writes them. */
export const INSTANCE_FIELDS = [
  ...INSTANCE_TEXTS,
  "startMode",
  "status",
  ...INSTANCE_FLAGS,
] as const;

/** The user fields the server reports (GetUserInfo), in the order export writes them. */
export const USER_READ_FIELDS = [
  "fullName",
  "emailAddresses",
  "distinguishedName",
  "authentication",
  "loginPrivileges",
  "privileges",
] as const;

/** Every field of a user in the file. */
export const USER_FIELDS = [
  "userName",
  ...USER_READ_FIELDS,
  "folderPrivileges",
  "initialPassword",
  "renamedFrom",
] as const;

/** The privileges a user may have on a folder. */
export const FOLDER_PRIVILEGES: readonly string[] = ["read", "write", "delete"];

/** The fields of a store the server reports, in the order export writes them. */
export const STORE_FIELDS = [
  "name",
  "requestedState",
  "databasePath",
  "contentPath",
  "indexPath",
] as const;

/** The states a store may be asked to be in. */
export const STORE_STATES = ["current", "normal", "writeProtected", "disabled"] as const;

/** The values the catalogue documents for an argument of CreateUser, without `none`. */
function allowed(argument: "privileges" | "loginPrivileges"): string[] {
  const enums = findFunction("spe", "CreateUser")?.args.find((arg) => arg.name === argument)
    ?.enums ?? [];
  return enums.map(String).filter((value) => value !== "none");
}

/** The global privileges a user may have. */
export const PRIVILEGES: readonly string[] = allowed("privileges");

/** The ways a user may log in. */
export const LOGIN_PRIVILEGES: readonly string[] = allowed("loginPrivileges");
