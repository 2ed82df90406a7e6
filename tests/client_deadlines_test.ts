// The per-client deadline timer that replaced one setTimeout per request (see lib/_deadlines.ts).
import assert from "node:assert/strict";
import { Deadlines } from "../lib/_deadlines.ts";

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("deadlines: a request past its limit expires once; one that ended in time does not", async () => {
  const deadlines = new Deadlines();
  try {
    const slow = new AbortController();
    const quick = new AbortController();
    deadlines.add(40, slow, () => "slow timed out");
    deadlines.delete(deadlines.add(40, quick, () => "quick timed out"));
    await wait(120);
    assert.equal(slow.signal.reason, "slow timed out");
    assert.equal(quick.signal.aborted, false);
  } finally {
    deadlines.close();
  }
});

Deno.test("deadlines: a shorter limit is honoured while a long one is pending", async () => {
  const deadlines = new Deadlines();
  // The deadline timer is unref'd (a request in flight keeps the process alive, not the timer), so
  // this test keeps the event loop alive itself.
  const keepAlive = setTimeout(() => {}, 5000);
  try {
    const long = new AbortController();
    deadlines.add(120_000, long, () => "long timed out");
    const start = Date.now();
    const short = new AbortController();
    deadlines.add(50, short, () => "short timed out");
    await new Promise((resolve) => short.signal.addEventListener("abort", resolve));
    // The check period follows the shortest limit (a tenth of it), so it fires close to 50 ms,
    // not at the next one-second tick.
    assert.ok(Date.now() - start < 500, `fired after ${Date.now() - start} ms`);
    assert.equal(long.signal.aborted, false);
  } finally {
    clearTimeout(keepAlive);
    deadlines.close();
  }
});

Deno.test("deadlines: after close nothing expires and no timer is left (the sanitizers check)", async () => {
  const deadlines = new Deadlines();
  const before = new AbortController();
  const after = new AbortController();
  deadlines.add(20, before, () => "timed out");
  deadlines.close();
  deadlines.add(20, after, () => "timed out");
  await wait(60);
  assert.equal(before.signal.aborted, false);
  assert.equal(after.signal.aborted, false);
});

Deno.test("deadlines: abortAll aborts every request in flight with the client's reason", () => {
  const deadlines = new Deadlines();
  try {
    const first = new AbortController();
    const second = new AbortController();
    const done = new AbortController();
    deadlines.add(60_000, first, () => "timed out");
    deadlines.add(60_000, second, () => "timed out");
    deadlines.delete(deadlines.add(60_000, done, () => "timed out"));
    deadlines.abortAll("client closed");
    assert.equal(first.signal.reason, "client closed");
    assert.equal(second.signal.reason, "client closed");
    assert.equal(done.signal.aborted, false);
  } finally {
    deadlines.close();
  }
});
