/**
 * The simulated archive store and search index functions (groups `archiveStores` and
 * `searchIndexes`) of both products. Long-running ones run as jobs and change the state at their
 * end.
 *
 * @module
 */

import { hashString, type MockInstanceData, userArchives } from "./_instance_data.ts";
import {
  type CallContext,
  Deferred,
  inst,
  objectArg,
  type Simulation,
  storeOf,
} from "./_simulation.ts";
import type { MockStore } from "./_model.ts";
import { ApiFault } from "./_wire.ts";

/** The error a store from another installation shows until UnlockStore. */
export const LOCKED_STORE_ERROR =
  "The archive store comes from another installation and is locked. Unlock it with its product key (UnlockStore).";

const SQL_TYPES = new Set(["SQLServer", "PostgreSQL"]);

function dataOf(ctx: CallContext): MockInstanceData {
  return ctx.state.instanceData(inst(ctx));
}

function storeJob(label: string): (ctx: CallContext) => string {
  return (ctx) => {
    const id = ctx.args.has("id") ? ctx.args.num("id") : null;
    return id === null ? label : `${label} '${storeOf(ctx, id).name}'`;
  };
}

/** A job on one store (named by `id`) that applies `finish` to it at its end and returns nothing. */
function storeAction(
  label: string,
  finish: (store: MockStore, ctx: CallContext) => void,
): Simulation {
  return {
    job: storeJob(label),
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      return new Deferred(() => {
        finish(store, ctx);
        return null;
      });
    },
  };
}

/** A job on every store of the instance that applies `finish` to each at its end. */
function allStoresAction(
  label: string,
  finish: (stores: MockStore[], ctx: CallContext) => void,
): Simulation {
  return {
    job: () => label,
    handle: (ctx) => {
      const stores = ctx.state.stores(inst(ctx));
      return new Deferred(() => {
        finish(stores, ctx);
        return null;
      });
    },
  };
}

/** Verification fails on a store that cannot be opened, as the real one reports it. */
function verify(store: MockStore): void {
  if (store.error !== null) {
    throw new ApiFault(`Archive store '${store.name}' could not be verified: ${store.error}`);
  }
}

/** Clears a store's error unless it is locked (which only UnlockStore clears). */
function reopen(data: MockInstanceData, store: MockStore): void {
  if (!data.lockedStores.has(store.id)) store.error = null;
}

function makeCurrent(stores: readonly MockStore[], store: MockStore | null): void {
  for (const other of stores) {
    if (other !== store && other.requestedState === "current") other.requestedState = "normal";
  }
}

function checkName(stores: readonly MockStore[], name: string, except: MockStore | null): void {
  if (stores.some((store) => store !== except && store.name.toLowerCase() === name.toLowerCase())) {
    throw new ApiFault(`An archive store named '${name}' already exists.`);
  }
}

interface StorePaths {
  databasePath: string;
  contentPath: string;
  indexPath: string;
}

/**
 * The three paths; content and index paths follow the database path when not given. Checks the
 * SQL connection of an SQL store (MailStore Server) first.
 */
function storePaths(ctx: CallContext, name: string, databasePath: string | null): StorePaths {
  const type = ctx.args.optStr("type") ?? "FileSystemInternal";
  if (
    SQL_TYPES.has(type) &&
    (ctx.args.optStr("serverName") === null || ctx.args.optStr("databaseName") === null)
  ) {
    throw new ApiFault(`An archive store of type ${type} needs serverName and databaseName.`);
  }
  const base = String(dataOf(ctx).storeAutoCreate.baseDirectory ?? "C:\\MailStore\\Data");
  // SQL stores keep messages and metadata in the database: no database or content directory.
  const database = SQL_TYPES.has(type) ? "" : databasePath ?? `${base}\\${name}`;
  return {
    databasePath: database,
    contentPath: ctx.args.optStr("contentPath") ?? (database === "" ? "" : `${database}\\Content`),
    indexPath: ctx.args.optStr("indexPath") ?? (database === "" ? `${base}\\${name}` : database),
  };
}

/** Records the type and SQL connection of a MailStore Server store. */
function recordProperties(ctx: CallContext, store: MockStore): void {
  if (ctx.state.product !== "server") return;
  dataOf(ctx).storeProperties.set(store.id, {
    type: ctx.args.optStr("type") ?? "FileSystemInternal",
    databaseName: ctx.args.optStr("databaseName"),
    serverName: ctx.args.optStr("serverName"),
    userName: ctx.args.optStr("userName"),
    password: ctx.args.optStr("password"),
  });
}

/** Adds a store (CreateStore, AttachStore) and makes it current if asked. */
function addStore(ctx: CallContext, fields: Omit<MockStore, "id" | "requestedState">): MockStore {
  const instance = inst(ctx);
  const stores = ctx.state.stores(instance);
  const requestedState = ctx.args.optStr("requestedState") ?? "normal";
  const store: MockStore = { ...fields, id: ctx.state.nextStoreId(instance), requestedState };
  recordProperties(ctx, store);
  if (requestedState === "current") makeCurrent(stores, store);
  stores.push(store);
  return store;
}

function attachStore(ctx: CallContext): null {
  const name = ctx.args.str("name");
  const stores = ctx.state.stores(inst(ctx));
  const data = dataOf(ctx);
  checkName(stores, name, null);
  const paths = storePaths(ctx, name, ctx.args.optStr("databasePath"));
  const key = paths.databasePath.toLowerCase();
  if (key !== "" && stores.some((store) => store.databasePath.toLowerCase() === key)) {
    throw new ApiFault(`The archive store at '${paths.databasePath}' is already attached.`);
  }
  const index = key === ""
    ? -1
    : data.detachedStores.findIndex((store) => store.databasePath.toLowerCase() === key);
  if (index >= 0) {
    // One this installation detached before: it comes back as it was, under a new ID.
    const [{ id: _id, requestedState: _state, ...old }] = data.detachedStores.splice(index, 1) as [
      MockStore,
    ];
    addStore(ctx, { ...old, ...paths, name });
    return null;
  }
  // Anything else comes from another installation: its size follows from its path, and it is
  // locked until UnlockStore.
  const count = 1000 + (hashString(paths.databasePath + name) % 200_000);
  const store = addStore(ctx, {
    name,
    error: LOCKED_STORE_ERROR,
    statisticsCount: count,
    statisticsSize: count * 70_000,
    needsUpgrade: false,
    searchIndexesNeedRebuild: false,
    ...paths,
  });
  data.lockedStores.add(store.id);
  return null;
}

/** The store and search index simulations; `SetStorePath`/`GetIndexConfiguration`... are SPE only. */
export const STORE_SIMULATIONS: Readonly<Record<string, Simulation>> = {
  GetStores: {
    // includeSize asks a real server to measure the stores afresh; without it the server answers
    // the statistics it last computed, still numbers (a public Zabbix template sums
    // statisticsCount and statisticsSize of exactly that call). The simulator's statistics are
    // always current, so both answer the same numbers, the ones GetInstanceStatistics adds up.
    handle: (ctx) => {
      ctx.args.optBool("includeSize");
      return ctx.state.stores(inst(ctx)).map((store) => ({
        id: store.id,
        name: store.name,
        requestedState: store.requestedState,
        error: store.error,
        statisticsCount: store.statisticsCount,
        statisticsSize: store.statisticsSize,
        needsUpgrade: store.needsUpgrade,
        searchIndexesNeedRebuild: store.searchIndexesNeedRebuild,
        databasePath: store.databasePath,
        contentPath: store.contentPath,
        indexPath: store.indexPath,
      }));
    },
  },
  CreateStore: {
    handle: (ctx) => {
      const name = ctx.args.str("name");
      checkName(ctx.state.stores(inst(ctx)), name, null);
      addStore(ctx, {
        name,
        error: null,
        statisticsCount: 0,
        statisticsSize: 0,
        needsUpgrade: false,
        searchIndexesNeedRebuild: false,
        ...storePaths(ctx, name, ctx.args.optStr("databasePath")),
      });
      return null;
    },
  },
  AttachStore: { handle: attachStore },
  DetachStore: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      if (store.requestedState === "current") {
        throw new ApiFault(
          `Archive store '${store.name}' is the current store and cannot be detached. Make another store current first.`,
        );
      }
      const stores = ctx.state.stores(inst(ctx));
      stores.splice(stores.indexOf(store), 1);
      const data = dataOf(ctx);
      data.storeProperties.delete(store.id);
      data.rebuiltIndexes.delete(store.id);
      if (!data.lockedStores.delete(store.id)) data.detachedStores.push(store);
      return null;
    },
  },
  RenameStore: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const name = ctx.args.str("name");
      checkName(ctx.state.stores(inst(ctx)), name, store);
      store.name = name;
      return null;
    },
  },
  SetStoreRequestedState: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const requestedState = ctx.args.optStr("requestedState") ?? "normal";
      if (requestedState === "current") makeCurrent(ctx.state.stores(inst(ctx)), store);
      store.requestedState = requestedState;
      return null;
    },
  },
  SetStorePath: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const path = ctx.args.str("path");
      store.databasePath = path;
      store.contentPath = `${path}\\Content`;
      store.indexPath = path;
      return null;
    },
  },
  SetStoreProperties: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const properties = dataOf(ctx).storeProperties.get(store.id) ?? {
        type: "FileSystemInternal",
        databaseName: null,
        serverName: null,
        userName: null,
        password: null,
      };
      for (const field of ["type", "databaseName", "serverName", "userName", "password"] as const) {
        const value = ctx.args.optStr(field);
        if (value !== null) properties[field] = value;
      }
      for (const field of ["databasePath", "contentPath", "indexPath"] as const) {
        const value = ctx.args.optStr(field);
        if (value !== null) store[field] = value;
      }
      dataOf(ctx).storeProperties.set(store.id, properties);
      return null;
    },
  },
  GetStoreAutoCreateConfiguration: {
    handle: (ctx) => structuredClone(dataOf(ctx).storeAutoCreate),
  },
  SetStoreAutoCreateConfiguration: {
    handle: (ctx) => {
      dataOf(ctx).storeAutoCreate = objectArg(ctx, "config");
      return null;
    },
  },
  UnlockStore: {
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const data = dataOf(ctx);
      if (!data.lockedStores.has(store.id)) {
        throw new ApiFault(`Archive store '${store.name}' is not locked.`);
      }
      if (ctx.args.str("passphrase").trim() === "") {
        throw new ApiFault(
          "The passphrase is empty. Give the product key of the other installation.",
        );
      }
      data.lockedStores.delete(store.id);
      store.error = null;
      return null;
    },
  },
  RetryOpenStores: {
    handle: (ctx) => {
      const data = dataOf(ctx);
      for (const store of ctx.state.stores(inst(ctx))) reopen(data, store);
      return null;
    },
  },
  VerifyStore: storeAction("Verifying archive store", verify),
  VerifyStores: allStoresAction("Verifying archive stores", (stores) => stores.forEach(verify)),
  CompactStore: storeAction("Compacting archive store", (store) => {
    store.statisticsSize = Math.floor(store.statisticsSize * 0.97);
  }),
  RecreateRecoveryRecords: storeAction("Recreating recovery records of archive store", verify),
  RefreshAllStoreStatistics: allStoresAction("Refreshing archive store statistics", () => {}),
  RepairStoreDatabase: {
    job: storeJob("Repairing database of archive store"),
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const type = dataOf(ctx).storeProperties.get(store.id)?.type ?? "FileSystemInternal";
      if (SQL_TYPES.has(type)) {
        throw new ApiFault(
          `Archive store '${store.name}' is an external ${type} store; only Firebird databases can be repaired.`,
        );
      }
      return new Deferred(() => {
        reopen(dataOf(ctx), store);
        return null;
      });
    },
  },
  RecoverStore: {
    job: storeJob("Recovering archive store"),
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      if (store.requestedState !== "disabled" && store.error === null) {
        throw new ApiFault(
          `Archive store '${store.name}' must be disabled or have an error to be recovered.`,
        );
      }
      if (store.needsUpgrade) {
        throw new ApiFault(
          `Archive store '${store.name}' must be upgraded (UpgradeStore) before it can be recovered.`,
        );
      }
      return new Deferred(() => {
        reopen(dataOf(ctx), store);
        return null;
      });
    },
  },
  UpgradeStore: storeAction("Upgrading archive store", (store) => {
    store.needsUpgrade = false;
  }),
  UpgradeStores: allStoresAction("Upgrading archive stores", (stores) => {
    for (const store of stores) store.needsUpgrade = false;
  }),
  MaintainFileSystemDatabases: allStoresAction("Maintaining file system databases", (_, ctx) => {
    dataOf(ctx).fileSystemMaintenanceRuns++;
  }),
  MergeStore: {
    job: storeJob("Merging into archive store"),
    handle: (ctx) => {
      const target = storeOf(ctx, ctx.args.num("id"));
      const source = storeOf(ctx, ctx.args.num("sourceId"));
      if (source === target) throw new ApiFault("An archive store cannot be merged into itself.");
      if (target.requestedState === "writeProtected" || target.requestedState === "disabled") {
        throw new ApiFault(
          `Archive store '${target.name}' is ${target.requestedState}; merge into a writable store.`,
        );
      }
      const locked = dataOf(ctx).lockedStores;
      for (const store of [target, source]) {
        if (locked.has(store.id)) throw new ApiFault(LOCKED_STORE_ERROR);
      }
      // The source stays as it is (function reference); its messages are copied to the target.
      return new Deferred(() => {
        target.statisticsCount += source.statisticsCount;
        target.statisticsSize += source.statisticsSize;
        return null;
      });
    },
  },
  // Search indexes. A store's searchIndexesNeedRebuild marks every index of the store.
  SelectAllStoreIndexesForRebuild: {
    handle: (ctx) => {
      for (const store of ctx.state.stores(inst(ctx))) store.searchIndexesNeedRebuild = true;
      dataOf(ctx).rebuiltIndexes.clear();
      return null;
    },
  },
  RebuildSelectedStoreIndexes: allStoresAction("Rebuilding search indexes", (stores, ctx) => {
    for (const store of stores) store.searchIndexesNeedRebuild = false;
    dataOf(ctx).rebuiltIndexes.clear();
  }),
  GetIndexConfiguration: { handle: (ctx) => structuredClone(dataOf(ctx).indexConfiguration) },
  SetIndexConfiguration: {
    handle: (ctx) => {
      const config = objectArg(ctx, "config");
      const extensions = config.attachmentExtensions;
      if (
        extensions !== undefined && extensions !== null &&
        !(Array.isArray(extensions) && extensions.every((item) => typeof item === "string"))
      ) {
        throw new ApiFault("attachmentExtensions must be a list of file extensions or null.");
      }
      const pdf = config.includeAttachmentsOfPDFs;
      if (pdf !== undefined && typeof pdf !== "boolean") {
        throw new ApiFault("includeAttachmentsOfPDFs must be true or false.");
      }
      dataOf(ctx).indexConfiguration = {
        attachmentExtensions: extensions ?? null,
        includeAttachmentsOfPDFs: pdf ?? false,
      };
      return null;
    },
  },
  GetStoreIndexes: {
    handle: (ctx) => {
      const data = dataOf(ctx);
      const stores = ctx.args.has("id")
        ? [storeOf(ctx, ctx.args.num("id"))]
        : ctx.state.stores(inst(ctx));
      const archives = userArchives(data);
      return stores.flatMap((store) => {
        const rebuilt = data.rebuiltIndexes.get(store.id);
        return archives.map((folder) => ({
          storeId: store.id,
          folder: folder.path,
          needsRebuild: store.searchIndexesNeedRebuild &&
            rebuilt?.has(folder.path.toLowerCase()) !== true,
        }));
      });
    },
  },
  RebuildStoreIndex: {
    job: (ctx) => `Rebuilding search index of '${ctx.args.str("folder")}'`,
    handle: (ctx) => {
      const store = storeOf(ctx, ctx.args.num("id"));
      const data = dataOf(ctx);
      const key = ctx.args.str("folder").toLowerCase();
      if (!data.folders.has(key) || key.includes("/")) {
        throw new ApiFault(`There is no search index for '${ctx.args.str("folder")}'.`);
      }
      return new Deferred(() => {
        if (!store.searchIndexesNeedRebuild) return null;
        const rebuilt = data.rebuiltIndexes.get(store.id) ?? new Set<string>();
        rebuilt.add(key);
        if (userArchives(data).every((folder) => rebuilt.has(folder.path.toLowerCase()))) {
          store.searchIndexesNeedRebuild = false;
          data.rebuiltIndexes.delete(store.id);
        } else {
          data.rebuiltIndexes.set(store.id, rebuilt);
        }
        return null;
      });
    },
  },
};
