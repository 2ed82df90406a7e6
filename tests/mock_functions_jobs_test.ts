// The mock's job and profile functions (group jobsProfiles), through the client over HTTPS on SPE
// and MailStore Server (issue 8, point 3): each call's effect is checked through a getter.
import assert from "node:assert/strict";
import { type Session, testCases } from "./testdata/mock/calls.ts";
import { delay } from "./_helpers.ts";

interface Profile {
  id: number;
  name: string;
  owner: string;
  serverSideExecution: Record<string, string | null>;
}
interface WorkerResult {
  id: number;
  userName: string;
  profileId: number | null;
  profileName: string;
  result: string;
  itemsArchived: number;
  startTime: string;
  completeTime: string;
  machineName: string;
}
interface Job {
  id: number;
  name: string;
  action: string;
  enabled: boolean;
  lastStartDateTimeUtc: string | null;
  lastCompleteDateTimeUtc: string | null;
  nextStartDateTimeUtc: string | null;
  schedule: Record<string, unknown>;
}
interface JobResult {
  jobResultId: number;
  jobId: number;
  action: string;
  startTime: string;
  completeTime: string;
  result: string;
}

const DAY = 86_400_000;

/** A local time argument `days` from now, in UTC ("YYYY-MM-DDThh:mm:ss"). */
function at(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString().slice(0, 19);
}

function profiles(session: Session): Promise<Profile[]> {
  return session.call("GetProfiles", { raw: true }) as Promise<Profile[]>;
}

/** The last 30 days of a history function (its time zone argument is spelled in two ways). */
function lastMonth(zone: "timeZoneID" | "timeZoneId", extra: Record<string, unknown>) {
  return { fromIncluding: at(-30), toExcluding: at(1), [zone]: "UTC", ...extra };
}

function workerResults(
  session: Session,
  extra: Record<string, unknown> = {},
): Promise<WorkerResult[]> {
  return session.call("GetWorkerResults", lastMonth("timeZoneID", extra)) as Promise<
    WorkerResult[]
  >;
}

function jobs(session: Session): Promise<Job[]> {
  return session.call("GetJobs") as Promise<Job[]>;
}

function jobResults(session: Session, extra: Record<string, unknown> = {}): Promise<JobResult[]> {
  return session.call("GetJobResults", lastMonth("timeZoneId", extra)) as Promise<JobResult[]>;
}

function polls(session: Session): number {
  return session.server.stats.byPath["/api/get-status"] ?? 0;
}

const PROPERTIES = {
  name: "IMAP test",
  owner: "$archiveadmin",
  type: "I",
  connector: "IMAP",
  details: { host: "imap.example.com", timeout: 0 },
};

testCases("jobsProfiles", [
  {
    name: "GetProfiles lists the seeded profiles (raw=true only)",
    async run(session) {
      const list = await profiles(session);
      assert.ok(list.length >= 2);
      assert.deepEqual(Object.keys(list[0]!), [
        "id",
        "name",
        "owner",
        "type",
        "connector",
        "details",
        "serverSideExecution",
        "version",
      ]);
      for (const value of Object.values((list[0] as unknown as { details: object }).details)) {
        assert.equal(typeof value, "string");
      }
      await session.fails("GetProfiles", { raw: false }, /raw=true/);
    },
  },
  {
    name: "CreateProfile adds a profile and answers its ID; DeleteProfile removes it",
    async run(session) {
      const id = await session.call("CreateProfile", { properties: PROPERTIES, raw: true });
      assert.equal(typeof id, "number");
      const added = (await profiles(session)).find((profile) => profile.id === id)!;
      assert.equal(added.name, "IMAP test");
      // Detail values are kept as strings, as the real server sends them.
      assert.deepEqual((added as unknown as { details: unknown }).details, {
        host: "imap.example.com",
        timeout: "0",
      });
      await session.fails("CreateProfile", { properties: { type: "I" }, raw: true }, /'name'/);
      await session.call("DeleteProfile", { id });
      assert.equal((await profiles(session)).some((profile) => profile.id === id), false);
      await session.fails("DeleteProfile", { id }, /does not exist/);
    },
  },
  {
    name: "SetProfileServerSideExecution changes what GetProfiles shows",
    async run(session) {
      const [first] = await profiles(session);
      await session.call("SetProfileServerSideExecution", {
        id: first!.id,
        automatic: true,
        automaticPauseBetweenExecutions: 900,
        automaticMaintenanceWindows: "22:00-23:30",
      });
      let changed = (await profiles(session))[0]!;
      assert.deepEqual(changed.serverSideExecution, {
        automatic: "true",
        automaticPauseBetweenExecutions: "900",
        automaticMaintenanceWindows: "22:00-23:30",
      });
      await session.call("SetProfileServerSideExecution", { id: first!.id, automatic: false });
      changed = (await profiles(session))[0]!;
      assert.equal(changed.serverSideExecution.automatic, "false");
      await session.fails(
        "SetProfileServerSideExecution",
        { id: first!.id, automatic: true },
        /automaticPauseBetweenExecutions/,
      );
    },
  },
  {
    name: "RunProfile runs as a job, adds a worker result and archives into the current store",
    async run(session) {
      const [first] = await profiles(session);
      const before = await workerResults(session);
      const storesBefore = session.state.stores(session.instance).find((store) =>
        store.requestedState === "current"
      )!.statisticsCount;
      const pollsBefore = polls(session);
      assert.equal(await session.call("RunProfile", { id: first!.id }), null);
      assert.ok(polls(session) > pollsBefore, "RunProfile ran as a job");
      const after = await workerResults(session);
      assert.equal(after.length, before.length + 1);
      const added = after.at(-1)!;
      assert.equal(added.profileId, first!.id);
      assert.equal(added.profileName, first!.name);
      assert.equal(added.result, "succeeded");
      assert.ok(added.id > Math.max(...before.map((row) => row.id)));
      assert.match(added.startTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      const current = (await session.call("GetStores", { includeSize: true }) as {
        requestedState: string;
        statisticsCount: number;
      }[]).find((store) => store.requestedState === "current")!;
      assert.equal(current.statisticsCount, storesBefore + added.itemsArchived);
      await session.fails("RunProfile", { id: 999 }, /does not exist/);
    },
  },
  {
    name: "RunProfile of a profile that fails ends failed and records a failed worker result",
    async run(session) {
      const activity = session.state.activity(session.instance);
      activity.seed!.failingProfileId = 1;
      await session.fails("RunProfile", { id: 1 }, /failed: Login to Microsoft 365 failed/);
      const last = (await workerResults(session, { profileID: 1 })).at(-1)!;
      assert.equal(last.result, "failed");
      assert.equal(last.itemsArchived, 0);
    },
  },
  {
    name: "RunTemporaryProfile runs once as a job without saving a profile",
    async run(session) {
      const count = (await profiles(session)).length;
      const pollsBefore = polls(session);
      await session.call("RunTemporaryProfile", { properties: PROPERTIES, raw: true });
      assert.ok(polls(session) > pollsBefore);
      assert.equal((await profiles(session)).length, count);
      const last = (await workerResults(session)).at(-1)!;
      assert.equal(last.profileName, "IMAP test");
      assert.equal(last.profileId, null);
    },
  },
  {
    name: "GetWorkerResults filters by range, profile and user, in the time zone asked for",
    async run(session) {
      const all = await workerResults(session);
      assert.ok(all.length > 50, `${all.length} worker results`);
      assert.deepEqual(Object.keys(all[0]!), [
        "id",
        "userName",
        "profileId",
        "profileName",
        "result",
        "itemsArchived",
        "startTime",
        "completeTime",
        "machineName",
      ]);
      const byProfile = await workerResults(session, { profileID: 1 });
      assert.ok(byProfile.length > 0 && byProfile.every((row) => row.profileId === 1));
      const user = all.find((row) => row.userName !== "$archiveadmin")!.userName;
      const byUser = await workerResults(session, { userName: user.toUpperCase() });
      assert.ok(byUser.length > 0 && byUser.every((row) => row.userName === user));
      const lastDay = await workerResults(session, { fromIncluding: at(-1) });
      assert.ok(lastDay.length > 0 && lastDay.length < all.length);
      // The same rows in Berlin time are one or two hours later on the clock.
      const berlin = await workerResults(session, { timeZoneID: "W. Europe Standard Time" });
      // The two ranges are the same clock times in different zones, so they overlap only in part:
      // compare a row that both contain.
      const byId = new Map(all.map((row) => [row.id, row]));
      const shared = berlin.find((row) => byId.has(row.id))!;
      const first = byId.get(shared.id)!;
      const shift = Date.parse(`${shared.startTime}Z`) - Date.parse(`${first.startTime}Z`);
      assert.ok(shift === 3_600_000 || shift === 7_200_000, String(shift));
      await session.fails("GetWorkerResults", {
        fromIncluding: at(-1),
        toExcluding: at(0),
        timeZoneID: "Mars Standard Time",
      }, /time zone ID 'Mars Standard Time'/);
      await session.fails("GetWorkerResults", {
        fromIncluding: "yesterday",
        toExcluding: at(0),
        timeZoneID: "UTC",
      }, /fromIncluding/);
      await session.fails("GetWorkerResults", {
        fromIncluding: at(-1),
        toExcluding: at(0),
        timeZoneID: "UTC",
        profileID: 0,
      }, /profileID/);
      // A range of more than 31 days runs as a job.
      const pollsBefore = polls(session);
      await workerResults(session, { fromIncluding: at(-60) });
      assert.ok(polls(session) > pollsBefore);
    },
  },
  {
    name: "GetWorkerResultReport answers the report of one worker result",
    async run(session) {
      const row = (await workerResults(session)).at(-1)!;
      const report = await session.call("GetWorkerResultReport", { id: row.id }) as string;
      assert.match(report, new RegExp(`Profile: ${row.profileName}`));
      assert.match(report, new RegExp(`Result: ${row.result}`));
      await session.fails("GetWorkerResultReport", { id: 1 }, /does not exist/);
    },
  },
  {
    name: "GetJobs and GetJobResults agree: the last result is the job's last start",
    async run(session) {
      const list = await jobs(session);
      assert.deepEqual(Object.keys(list[0]!), [
        "id",
        "name",
        "action",
        "owner",
        "creationDateTimeUtc",
        "lastStartDateTimeUtc",
        "lastCompleteDateTimeUtc",
        "nextStartDateTimeUtc",
        "enabled",
        "schedule",
      ]);
      const results = await jobResults(session, { jobId: 1 });
      assert.ok(results.length >= 25, `${results.length} job results`);
      assert.ok(results.every((row) => row.jobId === 1 && row.action === list[0]!.action));
      // Newest first: the last start is the first row.
      assert.equal(list[0]!.lastStartDateTimeUtc, results[0]!.startTime);
      assert.equal(list[0]!.lastCompleteDateTimeUtc, results[0]!.completeTime);
      assert.ok(Date.parse(`${list[0]!.nextStartDateTimeUtc}Z`) > Date.now());
      const all = await jobResults(session);
      assert.ok(all.length >= results.length);
    },
  },
  {
    name: "CreateJob adds a job with its schedule; DeleteJob removes it",
    async run(session) {
      const id = await session.call("CreateJob", {
        name: "Weekly verify",
        action: "VerifyStores",
        owner: "admin",
        timeZoneId: "UTC",
        time: "01:15",
        dayOfWeek: "Sunday",
      }) as number;
      const job = (await jobs(session)).find((candidate) => candidate.id === id)!;
      assert.equal(job.name, "Weekly verify");
      assert.deepEqual(job.schedule, { timeZoneId: "UTC", time: "01:15:00", dayOfWeek: "Sunday" });
      const next = new Date(`${job.nextStartDateTimeUtc}Z`);
      assert.equal(next.getUTCDay(), 0);
      assert.equal(job.nextStartDateTimeUtc!.slice(11), "01:15:00");
      assert.equal(job.lastStartDateTimeUtc, null);
      await session.fails("CreateJob", { action: "VerifyStores", time: "01:00" }, /name/);
      await session.fails("CreateJob", { name: "x", action: "VerifyStores" }, /incomplete/);
      await session.call("DeleteJob", { id: String(id) });
      assert.equal((await jobs(session)).some((candidate) => candidate.id === id), false);
      await session.fails("DeleteJob", { id: "abc" }, /not a job ID/);
    },
  },
  {
    name: "RenameJob, SetJobEnabled and SetJobSchedule change what GetJobs shows",
    async run(session) {
      await session.call("RenameJob", { id: 1, name: "Retention" });
      await session.call("SetJobEnabled", { id: 1, enabled: false });
      let job = (await jobs(session))[0]!;
      assert.equal(job.name, "Retention");
      assert.equal(job.enabled, false);
      assert.equal(job.nextStartDateTimeUtc, null);
      await session.call("SetJobEnabled", { id: 1, enabled: true });
      await session.call("SetJobSchedule", { id: 1, timeZoneId: "UTC", interval: 60 });
      job = (await jobs(session))[0]!;
      assert.deepEqual(job.schedule, { timeZoneId: "UTC", interval: 60 });
      assert.equal(job.nextStartDateTimeUtc!.slice(14), "00:00");
      await session.fails("RenameJob", { id: 99, name: "x" }, /does not exist/);
    },
  },
  {
    name: "RunJobAsync answers at once; the run ends in the background and shows in GetJobResults",
    async run(session) {
      const before = (await jobResults(session, { jobId: 1 })).length;
      assert.equal(await session.call("RunJobAsync", { id: 1 }), null);
      const started = (await jobs(session))[0]!.lastStartDateTimeUtc!;
      assert.ok(Date.now() - Date.parse(`${started}Z`) < 60_000);
      // The run takes steps x stepMs (2 ms here); GetJobResults shows it once it ended.
      let after = before;
      for (let i = 0; i < 200 && after === before; i++) {
        await delay(10);
        after = (await jobResults(session, { jobId: 1 })).length;
      }
      assert.equal(after, before + 1);
      assert.equal((await jobResults(session, { jobId: 1 }))[0]!.result, "succeeded");
    },
  },
  {
    name: "CancelJobAsync ends a running job as failed",
    async run(session) {
      // Long runs, so that the job is still running when it is cancelled.
      session.server.app.jobs.config.stepMs = 60_000;
      await session.call("RunJobAsync", { id: 1 });
      await session.fails("RunJobAsync", { id: 1 }, /already running/);
      await session.call("CancelJobAsync", { id: 1 });
      const last = (await jobResults(session, { jobId: 1 }))[0]!;
      assert.equal(last.result, "failed");
      await session.fails("CancelJobAsync", { id: 1 }, /not running/);
    },
  },
]);
