// The per-client deadline timer that replaced one setTimeout per request (see lib/_deadlines.ts).
import assert from "node:assert/strict";
import { Deadlines } from "../lib/_deadlines.ts";

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("deadlines: a request past its limit expires once; one that ended in time does not", async () => {
  const deadlines = new Deadlines();
  try {
    const expired: string[] = [];
    deadlines.add(40, () => expired.push("slow"));
    const quick = deadlines.add(40, () => expired.push("quick"));
    deadlines.delete(quick);
    await wait(120);
    assert.deepEqual(expired, ["slow"]);
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
    let fired = 0;
    deadlines.add(120_000, () => fired++);
    const start = Date.now();
    await new Promise<void>((resolve) => deadlines.add(50, resolve));
    // The check period follows the shortest limit (a tenth of it), so it fires close to 50 ms,
    // not at the next one-second tick.
    assert.ok(Date.now() - start < 500, `fired after ${Date.now() - start} ms`);
    assert.equal(fired, 0);
  } finally {
    clearTimeout(keepAlive);
    deadlines.close();
  }
});

Deno.test("deadlines: after close nothing expires and no timer is left (the sanitizers check)", async () => {
  const deadlines = new Deadlines();
  let fired = 0;
  deadlines.add(20, () => fired++);
  deadlines.close();
  deadlines.add(20, () => fired++);
  await wait(60);
  assert.equal(fired, 0);
});
