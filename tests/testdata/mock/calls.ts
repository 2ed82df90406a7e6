// Calls through the client against the mock over HTTPS, for the per-group function tests
// (tests/mock_functions_{stores,users,config}_test.ts).
import assert from "node:assert/strict";
import { ApiError, type Client, invokeCall } from "../../../mod.ts";
import type { MockServer, Product } from "../../../lib/mock/mod.ts";
import type { MockInstance } from "../../../lib/mock/_model.ts";
import type { MockState } from "../../../lib/mock/_state.ts";
import { clientFor, startMock } from "../../_helpers.ts";

/** One test's view: the server, its state and instance, and calls through a client. */
export interface Session {
  product: Product;
  server: MockServer;
  state: MockState;
  /** The instance the calls go to (`acme` on SPE, the hidden one on MailStore Server). */
  instance: MockInstance;
  /** Calls `fn` through the client (the instance given by the client's default) and returns the result. */
  call(fn: string, args?: Record<string, unknown>): Promise<unknown>;
  /** Calls `fn` and expects it to fail with a message matching `pattern`. */
  fails(fn: string, args: Record<string, unknown>, pattern: RegExp): Promise<void>;
}

/** Runs `run` against a fresh mock of `product` with fast jobs (SPE calls go to instance `acme`). */
export async function withSession(
  product: Product,
  run: (session: Session) => Promise<void>,
): Promise<void> {
  // No seeded problems: each case sets up the one it needs.
  await using server = await startMock({
    product,
    problems: "none",
    jobs: { stepMs: 1, steps: 2 },
  });
  // The bundled catalogue is the mock's: no get-metadata round trip per case.
  await using client = product === "spe"
    ? await clientFor(server, { instanceID: "acme", metadata: "bundled" })
    : await clientFor(server, { product: "server", metadata: "bundled" });
  const call = async (fn: string, args: Record<string, unknown> = {}): Promise<unknown> =>
    (await invokeCall(client as Client, fn as never, args as never)).result;
  const state = server.app.state;
  await run({
    product,
    server,
    state,
    instance: state.instance(product === "spe" ? "acme" : "")!,
    call,
    fails: async (fn, args, pattern) => {
      await assert.rejects(call(fn, args), (error: unknown) => {
        assert.ok(error instanceof ApiError, String(error));
        assert.match(error.status.error?.message ?? "", pattern);
        return true;
      });
    },
  });
}

/** A table of test cases: each runs against a fresh mock of every product it names. */
export interface Case {
  /** The function(s) the case is about. */
  name: string;
  /** The products to run on (default both). */
  products?: readonly Product[];
  run(session: Session): Promise<void>;
}

/** Registers one Deno test per case and product. */
export function testCases(group: string, cases: readonly Case[]): void {
  for (const test of cases) {
    for (const product of test.products ?? ["spe", "server"] as const) {
      Deno.test(`mock ${group} (${product}): ${test.name}`, () => withSession(product, test.run));
    }
  }
}
