/**
 * The simulated archive folder functions (GetChildFolders, GetFolderStatistics, MoveFolder,
 * DeleteEmptyFolders) and MailStore Server's message functions (GetMessages, DeleteMessage).
 *
 * @module
 */

import {
  folderMessages,
  type MockFolder,
  type MockInstanceData,
  type MockMessage,
} from "./_instance_data.ts";
import { type CallContext, Deferred, inst, type Simulation } from "./_simulation.ts";
import { ApiFault } from "./_wire.ts";

function dataOf(ctx: CallContext): MockInstanceData {
  return ctx.state.instanceData(inst(ctx));
}

function folderOf(data: MockInstanceData, path: string): MockFolder {
  const folder = data.folders.get(path.toLowerCase());
  if (folder === undefined) throw new ApiFault(`Folder '${path}' does not exist.`);
  return folder;
}

function depth(path: string): number {
  let count = 1;
  for (const char of path) if (char === "/") count++;
  return count;
}

/** Folders in depth-first order (parents before children, siblings by name). */
function sorted(folders: Iterable<MockFolder>): MockFolder[] {
  return [...folders].sort((a, b) => {
    const x = a.path.toLowerCase().replaceAll("/", "\u0000");
    const y = b.path.toLowerCase().replaceAll("/", "\u0000");
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Whether `path` is `folder` itself or below it (lower-case keys). */
function within(key: string, folderKey: string): boolean {
  return key === folderKey || key.startsWith(folderKey + "/");
}

/**
 * Removes messages from a folder's list and takes them off the folder's and the stores' statistics.
 * The list holds at most 20 of the folder's messages; when `scaled`, each one removed stands for
 * `count / length` of them (a retention run), otherwise for itself (DeleteMessage).
 */
export function removeMessages(
  ctx: CallContext,
  folder: MockFolder,
  remove: (message: MockMessage) => boolean,
  scaled: boolean,
): number {
  const instance = inst(ctx);
  const data = ctx.state.instanceData(instance);
  const stores = ctx.state.stores(instance);
  const list = folderMessages(data, folder, stores, ctx.state.seed);
  const kept = list.filter((message) => !remove(message));
  const removed = list.length - kept.length;
  if (removed === 0) return 0;
  const scale = scaled ? folder.count / list.length : 1;
  let bytes = 0;
  for (const message of list) {
    if (kept.includes(message)) continue;
    bytes += Math.round(message.size * scale);
    const store = stores.find((candidate) => candidate.id === message.storeId);
    if (store !== undefined) {
      store.statisticsCount = Math.max(0, store.statisticsCount - Math.round(scale));
      store.statisticsSize = Math.max(0, store.statisticsSize - Math.round(message.size * scale));
    }
  }
  const all = scaled && kept.length === 0;
  const count = all ? folder.count : Math.round(removed * scale);
  const size = all ? folder.size : bytes;
  folder.count = Math.max(0, folder.count - count);
  folder.size = Math.max(0, folder.size - size);
  data.messages.set(folder.path.toLowerCase(), kept);
  return count;
}

function moveFolder(ctx: CallContext): null {
  const data = dataOf(ctx);
  const from = folderOf(data, ctx.args.str("fromFolder"));
  const to = ctx.args.str("toFolder").replace(/^\/+|\/+$/g, "");
  const fromKey = from.path.toLowerCase();
  const toKey = to.toLowerCase();
  if (to === "" || to.split("/").some((segment) => segment.trim() === "")) {
    throw new ApiFault(`'${ctx.args.str("toFolder")}' is not a valid folder path.`);
  }
  if (within(toKey, fromKey)) {
    throw new ApiFault(`Folder '${from.path}' cannot be moved into itself.`);
  }
  if (data.folders.has(toKey)) throw new ApiFault(`Folder '${to}' already exists.`);
  const moving = [...data.folders.values()].filter((folder) =>
    within(folder.path.toLowerCase(), fromKey)
  );
  for (const folder of moving) {
    const key = folder.path.toLowerCase();
    const messages = data.messages.get(key);
    data.folders.delete(key);
    data.messages.delete(key);
    folder.path = to + folder.path.slice(from.path.length);
    data.folders.set(folder.path.toLowerCase(), folder);
    if (messages !== undefined) {
      for (const message of messages) message.folder = folder.path;
      data.messages.set(folder.path.toLowerCase(), messages);
    }
  }
  // Missing parents of the target are created, empty.
  for (let end = to.lastIndexOf("/"); end > 0; end = to.lastIndexOf("/", end - 1)) {
    const parent = to.slice(0, end);
    if (data.folders.has(parent.toLowerCase())) break;
    data.folders.set(parent.toLowerCase(), {
      path: parent,
      count: 0,
      size: 0,
      seq: data.nextFolderSeq++,
    });
  }
  // Folder privileges name the folder and stay behind: MailStore's wrapper tells to set them
  // again (SetUserPrivilegesOnFolder) after moving an archive.
  return null;
}

function deleteEmptyFolders(ctx: CallContext): null {
  const data = dataOf(ctx);
  // The folder named and everything below it, or the whole archive (MailStore's wrapper).
  const named = ctx.args.optStr("folder");
  const scope = named === null || named === "" ? null : folderOf(data, named).path.toLowerCase();
  // Messages in each folder's subtree.
  const totals = new Map<string, number>();
  for (const [key, folder] of data.folders) {
    const parts = key.split("/");
    for (let i = 1; i <= parts.length; i++) {
      const ancestor = parts.slice(0, i).join("/");
      totals.set(ancestor, (totals.get(ancestor) ?? 0) + folder.count);
    }
  }
  for (const key of [...data.folders.keys()]) {
    if ((scope === null || within(key, scope)) && totals.get(key) === 0) {
      data.folders.delete(key);
      data.messages.delete(key);
    }
  }
  return null;
}

function messageRow(message: MockMessage): Record<string, unknown> {
  const { storeId: _storeId, ...row } = message;
  return row;
}

/** The folder and message simulations. */
export const FOLDER_SIMULATIONS: Readonly<Record<string, Simulation>> = {
  GetChildFolders: {
    handle: (ctx) => {
      const data = dataOf(ctx);
      const parent = ctx.args.optStr("folder");
      const root = parent === null || parent === "" ? null : folderOf(data, parent);
      const base = root === null ? 0 : depth(root.path);
      const maxLevels = ctx.args.has("maxLevels") ? ctx.args.num("maxLevels") : Infinity;
      const prefix = root === null ? "" : root.path.toLowerCase() + "/";
      const children = [...data.folders.values()].filter((folder) => {
        const level = depth(folder.path) - base;
        return folder.path.toLowerCase().startsWith(prefix) && level >= 1 && level <= maxLevels;
      });
      return sorted(children).map((folder) => ({
        folder: folder.path,
        name: folder.path.slice(folder.path.lastIndexOf("/") + 1),
      }));
    },
  },
  GetFolderStatistics: {
    job: () => "Computing folder statistics",
    handle: (ctx) => {
      const data = dataOf(ctx);
      return new Deferred(() => {
        // A user's top-level folder carries the totals of everything under it: a public
        // self-service portal reads that entry as the user's total archive size. The other
        // entries count their own messages, so the top-level entries add up to the stores.
        const totals = new Map<string, { count: number; size: number }>();
        for (const folder of data.folders.values()) {
          const slash = folder.path.indexOf("/");
          const top = (slash < 0 ? folder.path : folder.path.slice(0, slash)).toLowerCase();
          const total = totals.get(top) ?? { count: 0, size: 0 };
          total.count += folder.count;
          total.size += folder.size;
          totals.set(top, total);
        }
        return sorted(data.folders.values()).map((folder) => {
          const total = folder.path.includes("/") ? folder : totals.get(folder.path.toLowerCase())!;
          return { folder: folder.path, count: total.count, size: total.size };
        });
      });
    },
  },
  MoveFolder: { handle: moveFolder },
  DeleteEmptyFolders: { handle: deleteEmptyFolders },
  GetMessages: {
    handle: (ctx) => {
      const data = dataOf(ctx);
      const stores = ctx.state.stores(inst(ctx));
      const path = ctx.args.optStr("folder");
      const folders = path === null || path === ""
        ? sorted(data.folders.values())
        : [folderOf(data, path)];
      return folders.flatMap((folder) =>
        folderMessages(data, folder, stores, ctx.state.seed).map(messageRow)
      );
    },
  },
  DeleteMessage: {
    handle: (ctx) => {
      const data = dataOf(ctx);
      const id = ctx.args.str("id");
      const reason = ctx.args.str("reason");
      if (data.compliance.legalHoldEnabled === true) {
        throw new ApiFault("Messages cannot be deleted while legal hold is enabled.");
      }
      if (reason.trim() === "") throw new ApiFault("Give a reason for deleting the message.");
      // Message numbers come from the folder's seq (see folderMessages): find the folder first.
      const number = Number(id.slice(id.indexOf(":") + 1));
      const seq = Math.floor((number - 1) / 1000);
      let folder: MockFolder | undefined;
      for (const candidate of data.folders.values()) if (candidate.seq === seq) folder = candidate;
      const stores = ctx.state.stores(inst(ctx));
      const message = folder === undefined
        ? undefined
        : folderMessages(data, folder, stores, ctx.state.seed).find((item) => item.id === id);
      if (folder === undefined || message === undefined) {
        throw new ApiFault(`Message '${id}' does not exist.`);
      }
      removeMessages(ctx, folder, (item) => item === message, false);
      data.deletedMessages.push({
        id,
        folder: folder.path,
        reason,
        deletedBy: ctx.username,
      });
      return null;
    },
  },
};
