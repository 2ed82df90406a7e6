// The mock's archive store and search index functions, through the client over HTTPS (issue 8,
// point 3). Long-running ones run as jobs; the client follows them to the end.
import assert from "node:assert/strict";
import { catalog } from "../lib/catalog.ts";
import { SIMULATIONS } from "../lib/mock/_functions.ts";
import { type Session, testCases } from "./testdata/mock/calls.ts";

Deno.test("mock: every long-running store, index, folder, user and configuration function runs as a job", () => {
  const groups = new Set([
    "archiveStores",
    "searchIndexes",
    "foldersPrivileges",
    "users",
    "configuration",
    "messages",
  ]);
  for (const product of ["spe", "server"] as const) {
    const functions = catalog(product).filter((fn) => groups.has(fn.group));
    assert.equal(functions.length, product === "spe" ? 60 : 62);
    for (const fn of functions) {
      const simulation = SIMULATIONS[product][fn.name];
      assert.ok(simulation !== undefined, `${product} ${fn.name} is simulated`);
      assert.equal(simulation.job !== undefined, fn.longRunning, `${product} ${fn.name}`);
    }
  }
});

interface Store {
  id: number;
  name: string;
  requestedState: string;
  error: string | null;
  statisticsCount: number | null;
  statisticsSize: number | null;
  needsUpgrade: boolean;
  searchIndexesNeedRebuild: boolean;
  databasePath: string;
  contentPath: string;
  indexPath: string;
}

async function stores(session: Session): Promise<Store[]> {
  return await session.call("GetStores", { includeSize: true }) as Store[];
}

async function store(session: Session, id: number): Promise<Store | undefined> {
  return (await stores(session)).find((candidate) => candidate.id === id);
}

/** The state's store (to set up a problem the API cannot make). */
function stateStore(session: Session, id: number) {
  return session.state.stores(session.instance).find((candidate) => candidate.id === id)!;
}

/** How many get-status polls the client made: more than none means the call ran as a job. */
function polls(session: Session): number {
  return session.server.stats.byPath["/api/get-status"] ?? 0;
}

/** Creation arguments that both products take. */
function created(session: Session, name: string, path: string): Record<string, unknown> {
  return session.product === "spe"
    ? { name, databasePath: path }
    : { name, type: "FileSystemInternal", databasePath: path };
}

testCases("stores", [
  {
    name: "GetStores answers the documented fields; sizes with and without includeSize",
    async run(session) {
      const list = await session.call("GetStores") as Store[];
      assert.deepEqual(Object.keys(list[0]!), [
        "id",
        "name",
        "requestedState",
        "error",
        "statisticsCount",
        "statisticsSize",
        "needsUpgrade",
        "searchIndexesNeedRebuild",
        "databasePath",
        "contentPath",
        "indexPath",
      ]);
      // A public Zabbix template sums these two fields of GetStores without includeSize.
      assert.equal(typeof list[0]!.statisticsCount, "number");
      assert.equal(typeof list[0]!.statisticsSize, "number");
      assert.deepEqual(await stores(session), list);
    },
  },
  {
    name: "CreateStore adds a store; requestedState current takes over",
    async run(session) {
      await session.call("CreateStore", {
        ...created(session, "2026-02", "F:\\Stores\\2026-02"),
        requestedState: "current",
      });
      const list = await stores(session);
      const added = list.at(-1)!;
      assert.equal(added.name, "2026-02");
      assert.equal(added.statisticsCount, 0);
      assert.equal(added.contentPath, "F:\\Stores\\2026-02\\Content");
      assert.deepEqual(list.filter((item) => item.requestedState === "current"), [added]);
      await session.fails(
        "CreateStore",
        created(session, "2026-02", "F:\\x"),
        /already exists/,
      );
    },
  },
  {
    name:
      "CreateStore of an SQL store keeps the connection and hides its password; no Firebird repair",
    products: ["server"],
    async run(session) {
      await session.call("CreateStore", {
        name: "sql",
        type: "SQLServer",
        databaseName: "MailArchive",
        serverName: "sql01",
        userName: "sa",
        password: "db-Passw0rd",
      });
      const id = (await stores(session)).at(-1)!.id;
      const properties = session.state.instanceData(session.instance).storeProperties.get(id)!;
      assert.equal(properties.type, "SQLServer");
      assert.equal(properties.password, "db-Passw0rd");
      assert.ok(!JSON.stringify(await stores(session)).includes("db-Passw0rd"));
      await session.fails("CreateStore", { name: "sql2", type: "PostgreSQL" }, /needs serverName/);
      await session.fails("RepairStoreDatabase", { id }, /only Firebird databases/);
    },
  },
  {
    name:
      "DetachStore and AttachStore bring a store back; a foreign one is locked until UnlockStore",
    async run(session) {
      const first = (await stores(session))[0]!;
      await session.call("DetachStore", { id: first.id });
      assert.equal(await store(session, first.id), undefined);
      await session.call("AttachStore", created(session, "back", first.databasePath));
      const back = (await stores(session)).at(-1)!;
      assert.equal(back.name, "back");
      assert.equal(back.statisticsCount, first.statisticsCount);
      assert.equal(back.error, null);
      await session.fails(
        "AttachStore",
        created(session, "again", first.databasePath),
        /already attached/,
      );
      await session.call("AttachStore", created(session, "foreign", "G:\\Old\\2019"));
      const foreign = (await stores(session)).at(-1)!;
      assert.match(foreign.error ?? "", /locked/);
      await session.fails("UnlockStore", { id: back.id, passphrase: "key" }, /is not locked/);
      await session.call("UnlockStore", { id: foreign.id, passphrase: "ABCD-EFGH" });
      assert.equal((await store(session, foreign.id))!.error, null);
      const current = (await stores(session)).find((item) => item.requestedState === "current")!;
      await session.fails("DetachStore", { id: current.id }, /current store/);
    },
  },
  {
    name: "RenameStore",
    async run(session) {
      await session.call("RenameStore", { id: 1, name: "oldest" });
      assert.equal((await store(session, 1))!.name, "oldest");
      await session.fails("RenameStore", { id: 2, name: "OLDEST" }, /already exists/);
      await session.fails("RenameStore", { id: 99, name: "x" }, /ID 99 does not exist/);
    },
  },
  {
    name: "SetStoreRequestedState",
    async run(session) {
      await session.call("SetStoreRequestedState", { id: 1, requestedState: "current" });
      await session.call("SetStoreRequestedState", { id: 2, requestedState: "writeProtected" });
      assert.deepEqual((await stores(session)).map((item) => item.requestedState), [
        "current",
        "writeProtected",
        "normal",
      ]);
    },
  },
  {
    name: "SetStorePath",
    products: ["spe"],
    async run(session) {
      await session.call("SetStorePath", { id: 1, path: "H:\\Moved" });
      const moved = (await store(session, 1))!;
      assert.deepEqual([moved.databasePath, moved.contentPath, moved.indexPath], [
        "H:\\Moved",
        "H:\\Moved\\Content",
        "H:\\Moved",
      ]);
    },
  },
  {
    name: "SetStoreProperties",
    products: ["server"],
    async run(session) {
      await session.call("SetStoreProperties", {
        id: 1,
        indexPath: "I:\\Index",
        userName: "svc",
        password: "pw-Secret1",
      });
      assert.equal((await store(session, 1))!.indexPath, "I:\\Index");
      const properties = session.state.instanceData(session.instance).storeProperties.get(1)!;
      assert.equal(properties.userName, "svc");
      assert.ok(!JSON.stringify(await stores(session)).includes("pw-Secret1"));
    },
  },
  {
    name: "Get/SetStoreAutoCreateConfiguration",
    async run(session) {
      const config = await session.call("GetStoreAutoCreateConfiguration") as Record<
        string,
        unknown
      >;
      assert.equal(config.enabled, true);
      await session.call("SetStoreAutoCreateConfiguration", {
        config: { ...config, enabled: false, baseDirectory: "J:\\Auto" },
      });
      assert.deepEqual(await session.call("GetStoreAutoCreateConfiguration"), {
        ...config,
        enabled: false,
        baseDirectory: "J:\\Auto",
      });
      if (session.product === "server") {
        // A store created without a path goes to the base directory.
        await session.call("CreateStore", { name: "auto" });
        assert.equal((await stores(session)).at(-1)!.databasePath, "J:\\Auto\\auto");
      }
    },
  },
  {
    name: "RetryOpenStores clears store errors, except a lock",
    async run(session) {
      stateStore(session, 1).error = "The database file could not be opened.";
      await session.call("AttachStore", created(session, "foreign", "G:\\Foreign"));
      await session.call("RetryOpenStores");
      const list = await stores(session);
      assert.equal(list[0]!.error, null);
      assert.match(list.at(-1)!.error ?? "", /locked/);
    },
  },
  {
    name: "VerifyStore and VerifyStores run as jobs and fail on a store with an error",
    async run(session) {
      await session.call("VerifyStore", { id: 1, includeIndexes: true });
      await session.call("VerifyStores", { includeIndexes: false });
      assert.ok(polls(session) >= 2);
      stateStore(session, 2).error = "Broken.";
      await session.fails("VerifyStore", { id: 2, includeIndexes: false }, /could not be verified/);
      await session.fails("VerifyStores", { includeIndexes: false }, /could not be verified/);
    },
  },
  {
    name: "CompactStore shrinks the store",
    async run(session) {
      const before = (await store(session, 1))!.statisticsSize!;
      await session.call("CompactStore", { id: 1 });
      assert.ok((await store(session, 1))!.statisticsSize! < before);
      assert.ok(polls(session) >= 1);
    },
  },
  {
    name: "RecreateRecoveryRecords runs as a job; fails on a store with an error",
    async run(session) {
      await session.call("RecreateRecoveryRecords", { id: 1 });
      assert.ok(polls(session) >= 1);
      stateStore(session, 1).error = "Broken.";
      await session.fails("RecreateRecoveryRecords", { id: 1 }, /could not be verified/);
    },
  },
  {
    name: "RefreshAllStoreStatistics runs as a job and keeps the statistics",
    async run(session) {
      const before = await stores(session);
      await session.call("RefreshAllStoreStatistics");
      assert.ok(polls(session) >= 1);
      assert.deepEqual(await stores(session), before);
    },
  },
  {
    name: "RepairStoreDatabase and RecoverStore clear a store's error",
    async run(session) {
      await session.fails("RecoverStore", { id: 1 }, /must be disabled or have an error/);
      stateStore(session, 1).error = "Database corrupt.";
      stateStore(session, 2).error = "Database corrupt.";
      await session.call("RepairStoreDatabase", { id: 1 });
      await session.call("RecoverStore", { id: 2, recoverDeletedMessages: true });
      const list = await stores(session);
      assert.deepEqual([list[0]!.error, list[1]!.error], [null, null]);
      assert.ok(polls(session) >= 2);
      stateStore(session, 3).error = "Database corrupt.";
      stateStore(session, 3).needsUpgrade = true;
      await session.fails("RecoverStore", { id: 3 }, /must be upgraded/);
    },
  },
  {
    name: "UpgradeStore and UpgradeStores clear needsUpgrade",
    async run(session) {
      for (const item of session.state.stores(session.instance)) item.needsUpgrade = true;
      await session.call("UpgradeStore", { id: 1 });
      assert.deepEqual((await stores(session)).map((item) => item.needsUpgrade), [
        false,
        true,
        true,
      ]);
      await session.call("UpgradeStores");
      assert.deepEqual((await stores(session)).map((item) => item.needsUpgrade), [
        false,
        false,
        false,
      ]);
    },
  },
  {
    name: "MaintainFileSystemDatabases runs as a job",
    async run(session) {
      await session.call("MaintainFileSystemDatabases");
      assert.equal(session.state.instanceData(session.instance).fileSystemMaintenanceRuns, 1);
    },
  },
  {
    name: "MergeStore adds the source's messages to the target; the source stays",
    async run(session) {
      const [first, second] = await stores(session);
      await session.call("MergeStore", { id: second!.id, sourceId: first!.id });
      const [source, target] = await stores(session);
      assert.deepEqual(source, first);
      assert.equal(target!.statisticsCount, second!.statisticsCount! + first!.statisticsCount!);
      await session.fails("MergeStore", { id: 1, sourceId: 1 }, /into itself/);
      await session.call("SetStoreRequestedState", { id: 3, requestedState: "writeProtected" });
      await session.fails("MergeStore", { id: 3, sourceId: 1 }, /writeProtected/);
    },
  },
  {
    name: "SelectAllStoreIndexesForRebuild and RebuildSelectedStoreIndexes",
    async run(session) {
      await session.call("SelectAllStoreIndexesForRebuild");
      assert.ok((await stores(session)).every((item) => item.searchIndexesNeedRebuild));
      await session.call("RebuildSelectedStoreIndexes");
      assert.ok((await stores(session)).every((item) => !item.searchIndexesNeedRebuild));
      assert.ok(polls(session) >= 1);
    },
  },
  {
    name: "Get/SetIndexConfiguration",
    products: ["spe"],
    async run(session) {
      assert.deepEqual(await session.call("GetIndexConfiguration"), {
        attachmentExtensions: null,
        includeAttachmentsOfPDFs: false,
      });
      const config = { attachmentExtensions: ["pdf", "docx"], includeAttachmentsOfPDFs: true };
      await session.call("SetIndexConfiguration", { config });
      assert.deepEqual(await session.call("GetIndexConfiguration"), config);
      await session.fails(
        "SetIndexConfiguration",
        { config: { attachmentExtensions: "pdf" } },
        /list of file extensions/,
      );
    },
  },
  {
    name: "GetStoreIndexes and RebuildStoreIndex, one user archive at a time",
    products: ["server"],
    async run(session) {
      type Index = { storeId: number; folder: string; needsRebuild: boolean };
      const all = await session.call("GetStoreIndexes") as Index[];
      const archives = (await session.call("GetStoreIndexes", { id: 1 }) as Index[]).map((
        index,
      ) => index.folder);
      assert.equal(all.length, archives.length * 3);
      assert.deepEqual(Object.keys(all[0]!), ["storeId", "folder", "needsRebuild"]);
      stateStore(session, 1).searchIndexesNeedRebuild = true;
      for (const [i, folder] of archives.entries()) {
        await session.call("RebuildStoreIndex", { id: 1, folder });
        const indexes = await session.call("GetStoreIndexes", { id: 1 }) as Index[];
        assert.equal(indexes.filter((index) => index.needsRebuild).length, archives.length - i - 1);
      }
      assert.equal((await store(session, 1))!.searchIndexesNeedRebuild, false);
      await session.fails("RebuildStoreIndex", { id: 1, folder: "nobody" }, /no search index/);
    },
  },
]);
