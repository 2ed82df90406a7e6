/**
 * What to tell a caller whose state-changing call may or may not have run (its connection broke, or
 * its time limit ran out, after the request was written): the read functions of the catalogue to
 * look with before sending it again. mspe never sends such a call twice by itself.
 *
 * @module
 */

import { serverName } from "./_server_name.ts";
import { ConnectionError } from "./errors.ts";
import { catalog } from "./catalog.ts";

const VERB =
  /^(Create|Set|Delete|Remove|Rename|Add|Attach|Detach|Update|Move|Merge|Clear|Run|Start|Stop|Compact|Recreate|Upgrade|Restart|Freeze|Unfreeze|Cancel|Sync|Select|Maintain|Verify|Refresh|Import|Send|Retry|Pair|Ping)/;

/**
 * How to find out whether a state-changing call ran, for the "may or may not have run" messages:
 * the read functions of the catalogue about the same thing (CreateUser: GetUserInfo, GetUsers).
 */
export function howToCheck(fn: string): string {
  // SetUserPassword: "UserPassword", then "User"; the longest noun some read function names wins.
  const words = fn.replace(VERB, "").replace(/Async$/, "").match(/[A-Z][a-z0-9]*/g) ?? [];
  const reads: string[] = [];
  for (let n = words.length; n > 0 && reads.length === 0 && words.length < fn.length; n--) {
    const noun = words.slice(0, n).join("").replace(/s$/, "");
    if (noun.length < 3 || noun === fn) continue;
    for (const product of ["spe", "server"] as const) {
      for (const entry of catalog(product)) {
        if (entry.readOnly && /^(Get|List)/.test(entry.name) && entry.name.includes(noun)) {
          if (!reads.includes(entry.name)) reads.push(entry.name);
        }
      }
    }
    // The plainest first: GetUsers, GetUserInfo, GetUser, then GetUser..., then the rest.
    const rank = (name: string): number =>
      [`Get${noun}s`, `Get${noun}Info`, `Get${noun}`].includes(name)
        ? 0
        : name.startsWith(`Get${noun}`)
        ? 1
        : 2;
    reads.sort((a, b) => rank(a) - rank(b));
  }
  const look = reads.length > 0
    ? `look with ${reads.slice(0, 2).join(" or ")} whether it took effect`
    : "check with a read function whether it took effect";
  return `${look} before you send it again (mspe never sends it twice by itself).`;
}

/**
 * The error of a state-changing call whose connection broke after its request was written, before
 * the reply was complete: the server may or may not have run it. Made where the break is seen (the
 * transport's one-shot exchange), once; `cause` is the low-level failure.
 */
export function brokenAfterSending(url: string, fn: string, cause: unknown): ConnectionError {
  return new ConnectionError(
    `The connection to ${
      serverName(url)
    } broke after the ${fn} request was sent, before the reply ` +
      `was complete, so the server may or may not have run it: ${howToCheck(fn)}`,
    { cause, mayHaveRun: true },
  );
}
