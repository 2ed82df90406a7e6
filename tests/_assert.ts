/**
 * Assertions of the client tests (node:assert/strict underneath); the rejection helpers return the
 * error for further checks.
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(
  actual: unknown,
  expected: T,
  message?: string,
): asserts actual is T {
  assert.deepStrictEqual(actual, expected, message);
}

/** The text matches the pattern. */
export function assertMatch(actual: string, pattern: RegExp, message?: string): void {
  assert.match(actual, pattern, message);
}

// deno-lint-ignore no-explicit-any
type ErrorClass<E> = abstract new (...args: any[]) => E;

function checkError<E>(error: unknown, type: ErrorClass<E>, includes?: string): E {
  if (!(error instanceof type)) {
    assert.fail(
      `expected ${type.name}, got ${
        error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      }`,
    );
  }
  if (includes !== undefined && !(error as Error).message.includes(includes)) {
    assert.fail(
      `expected the message to include ${JSON.stringify(includes)}: ${(error as Error).message}`,
    );
  }
  return error;
}

/** `fn` throws an instance of `type` (whose message includes `includes`); returns the error. */
export function assertThrows<E>(fn: () => unknown, type: ErrorClass<E>, includes?: string): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, type, includes);
  }
  return assert.fail(`expected ${type.name} to be thrown`);
}

/** The promise rejects with an instance of `type` (whose message includes `includes`); returns the error. */
export async function assertRejects<E>(
  promise: Promise<unknown> | (() => Promise<unknown>),
  type: ErrorClass<E>,
  includes?: string,
): Promise<E> {
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (error) {
    return checkError(error, type, includes);
  }
  return assert.fail(`expected a rejection with ${type.name}`);
}

/**
 * The promise rejects with the standard `DOMException` named `name` (`AbortError`, `TimeoutError`),
 * whose message includes `includes`; returns it.
 */
export async function assertRejectsWith(
  promise: Promise<unknown>,
  name: "AbortError" | "TimeoutError",
  includes?: string,
): Promise<DOMException> {
  const error = await assertRejects(promise, DOMException, includes);
  assert.equal(error.name, name, `expected a ${name}, got ${error.name}: ${error.message}`);
  return error;
}
