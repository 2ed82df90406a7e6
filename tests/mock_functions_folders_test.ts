// The mock's archive folder functions and MailStore Server's message functions, through the
// client over HTTPS (issue 8, point 3).
import assert from "node:assert/strict";
import { type Session, testCases } from "./testdata/mock/calls.ts";

type Child = { folder: string; name: string };
type Statistics = { folder: string; count: number; size: number };
type Message = { id: string; folder: string; subject: string; from: string; date: string };

async function children(session: Session, args: Record<string, unknown> = {}): Promise<string[]> {
  return (await session.call("GetChildFolders", args) as Child[]).map((child) => child.folder);
}

/** The first user archive with an Inbox holding messages. */
function archive(session: Session): string {
  for (const folder of session.state.instanceData(session.instance).folders.values()) {
    if (folder.path.endsWith("/Inbox") && folder.count > 0) return folder.path.split("/")[0]!;
  }
  throw new Error("no archive with messages");
}

testCases("folders", [
  {
    name: "GetChildFolders lists the tree, limited by folder and maxLevels",
    async run(session) {
      const user = archive(session);
      const all = await session.call("GetChildFolders") as Child[];
      assert.deepEqual(Object.keys(all[0]!), ["folder", "name"]);
      const top = await children(session, { maxLevels: 1 });
      assert.ok(top.includes(user));
      assert.ok(top.every((folder) => !folder.includes("/")));
      assert.ok(all.length > top.length);
      const below = await children(session, { folder: user, maxLevels: 1 });
      assert.ok(below.includes(`${user}/Inbox`) && below.includes(`${user}/Sent Items`));
      assert.equal(all.find((child) => child.folder === `${user}/Inbox`)?.name, "Inbox");
      await session.fails("GetChildFolders", { folder: "no/such" }, /does not exist/);
    },
  },
  {
    name: "GetFolderStatistics runs as a job and shares the stores' messages out",
    async run(session) {
      const rows = await session.call("GetFolderStatistics") as Statistics[];
      assert.deepEqual(Object.keys(rows[0]!), ["folder", "count", "size"]);
      const total = session.state.stores(session.instance).reduce(
        (sum, store) => sum + store.statisticsCount,
        0,
      );
      // The user archives (top-level entries) carry their children's totals and add up to the stores.
      const tops = rows.filter((row) => !row.folder.includes("/"));
      const counted = tops.reduce((sum, row) => sum + row.count, 0);
      assert.equal(counted, total);
      assert.ok((session.server.stats.byPath["/api/get-status"] ?? 0) >= 1);
    },
  },
  {
    name: "MoveFolder moves a folder with its subfolders; privileges stay with the old name",
    async run(session) {
      const user = archive(session);
      await session.call("CreateUser", { userName: "auditor", privileges: ["login"] });
      await session.call("SetUserPrivilegesOnFolder", {
        userName: "auditor",
        folder: user,
        privileges: ["read"],
      });
      await session.call("MoveFolder", { fromFolder: `${user}/Inbox`, toFolder: `${user}/Old` });
      const below = await children(session, { folder: user });
      assert.ok(below.includes(`${user}/Old`) && !below.includes(`${user}/Inbox`));
      await session.call("MoveFolder", { fromFolder: user, toFolder: "archived" });
      assert.ok((await children(session, { folder: "archived" })).includes("archived/Old"));
      const info = await session.call("GetUserInfo", { userName: "auditor" }) as {
        privilegesOnFolders: { folder: string }[];
      };
      assert.deepEqual(info.privilegesOnFolders.map((entry) => entry.folder), [user]);
      await session.fails(
        "MoveFolder",
        { fromFolder: "archived", toFolder: "archived/x" },
        /into itself/,
      );
      await session.fails(
        "MoveFolder",
        { fromFolder: "archived/Old", toFolder: "archived/Sent Items" },
        /already exists/,
      );
    },
  },
  {
    name: "DeleteEmptyFolders removes the empty folders of a folder, or of the whole archive",
    async run(session) {
      const user = archive(session);
      const data = session.state.instanceData(session.instance);
      data.folders.get(`${user}/Sent Items`.toLowerCase())!.count = 0;
      await session.call("MoveFolder", { fromFolder: `${user}/Inbox`, toFolder: `x/y/Inbox` });
      await session.call("MoveFolder", { fromFolder: `${user}/Sent Items`, toFolder: `z/Sent` });
      await session.call("DeleteEmptyFolders", { folder: "z/Sent" });
      assert.ok(!(await children(session)).includes("z/Sent"));
      assert.ok((await children(session)).includes("z"), "above the folder named: kept");
      const nonEmpty = [...data.folders.values()].filter((folder) => folder.count > 0).length;
      await session.call("DeleteEmptyFolders");
      const left = await children(session);
      assert.ok(!left.includes("z"), "an empty top-level folder goes");
      assert.ok(left.includes("x/y/Inbox") && left.includes("x/y"), "not empty below");
      // Every folder left holds messages or has a folder below that does.
      const remaining = [...data.folders.values()];
      assert.equal(remaining.filter((folder) => folder.count > 0).length, nonEmpty);
      for (const folder of remaining) {
        const key = folder.path.toLowerCase();
        assert.ok(
          remaining.some((other) => {
            const otherKey = other.path.toLowerCase();
            return other.count > 0 && (otherKey === key || otherKey.startsWith(key + "/"));
          }),
          folder.path,
        );
      }
    },
  },
  {
    name: "GetMessages lists a folder's messages",
    products: ["server"],
    async run(session) {
      const folder = `${archive(session)}/Inbox`;
      const messages = await session.call("GetMessages", { folder }) as Message[];
      assert.ok(messages.length > 0 && messages.length <= 20);
      assert.deepEqual(Object.keys(messages[0]!), [
        "id",
        "folder",
        "subject",
        "from",
        "date",
        "size",
      ]);
      assert.ok(messages.every((message) => message.folder === folder));
      assert.match(messages[0]!.id, /^\d+:\d+$/);
      const every = await session.call("GetMessages") as Message[];
      assert.ok(every.length > messages.length);
      await session.fails("GetMessages", { folder: "nope" }, /does not exist/);
    },
  },
  {
    name: "DeleteMessage deletes one message, records the reason, and honours legal hold",
    products: ["server"],
    async run(session) {
      const folder = `${archive(session)}/Inbox`;
      const data = session.state.instanceData(session.instance);
      const before = data.folders.get(folder.toLowerCase())!.count;
      // Not listed yet: the message is found from its ID alone.
      const [message] = await session.call("GetMessages", { folder }) as Message[];
      data.messages.clear();
      const storeId = Number(message!.id.split(":")[0]);
      const store = session.state.stores(session.instance).find((item) => item.id === storeId)!;
      const storeCount = store.statisticsCount;
      await session.call("DeleteMessage", { id: message!.id, reason: "GDPR request 42" });
      const after = await session.call("GetMessages", { folder }) as Message[];
      assert.ok(!after.some((item) => item.id === message!.id));
      assert.equal(data.folders.get(folder.toLowerCase())!.count, before - 1);
      assert.equal(store.statisticsCount, storeCount - 1);
      assert.deepEqual(data.deletedMessages, [{
        id: message!.id,
        folder,
        reason: "GDPR request 42",
        deletedBy: "admin",
      }]);
      await session.fails("DeleteMessage", { id: message!.id, reason: "again" }, /does not exist/);
      data.compliance.legalHoldEnabled = true;
      await session.fails("DeleteMessage", { id: after[0]!.id, reason: "x" }, /legal hold/);
    },
  },
]);
