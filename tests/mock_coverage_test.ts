// Every catalogued function has a test that calls it through the client (issue 8, point 3).
//
// The per-group tests (tests/mock_functions_<group>_test.ts, through tests/testdata/mock/calls.ts)
// and the history tests call functions through a Client against the mock over HTTPS and check
// the effect on the state. This test reads those files and fails when a function of either
// product's catalogue is never called there by a test that runs on that product, so a function
// added to the catalogue (or a case removed or narrowed to one product) cannot go untested
// unnoticed.
import assert from "node:assert/strict";
import { catalog } from "../lib/catalog.ts";
import type { Product } from "../lib/metadata.ts";

const TESTS = new URL("./", import.meta.url);

/** The test files whose calls go through the client: they import calls.ts or invokeCall. */
function clientTestFiles(): string[] {
  const files = [...Deno.readDirSync(TESTS)]
    .map((entry) => entry.name)
    .filter((name) =>
      /^mock_functions_[a-z]+_test\.ts$/.test(name) || name === "mock_history_test.ts"
    )
    .sort();
  for (const name of files) {
    const text = Deno.readTextFileSync(new URL(name, TESTS));
    assert.ok(
      text.includes("./testdata/mock/calls.ts") || text.includes("invokeCall"),
      `${name} calls functions through the client`,
    );
  }
  return files;
}

/**
 * Function names passed as the first string argument of a call, optionally after one identifier
 * (`session.call("GetUsers", ...)`, `call(client, "GetStores", ...)`, `fails("RenameJob", ...)`,
 * `infoSetter("SetUserFullName", ...)`). A case's `name: "..."` is not a call and does not count.
 */
function calledNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(/[\w.]+\(\s*(?:[\w.]+,\s*)?"([A-Za-z][A-Za-z0-9]*)"/g)) {
    names.add(match[1]!);
  }
  return names;
}

Deno.test("coverage: the scan sees calls, not case names", () => {
  const names = calledNames(
    'name: "RenameStore", run: () => session.call("GetUsers", {}); call(client, "GetStores");\n' +
      'await session.fails(\n  "RenameJob", {}); infoSetter("SetUserPop3UserNames", {});',
  );
  assert.deepEqual([...names].sort(), [
    "GetStores",
    "GetUsers",
    "RenameJob",
    "SetUserPop3UserNames",
  ]);
});

/**
 * The calls per product: a case of a `testCases` table (`  {\n    name: ...`) runs on the products
 * its `products: [...]` names (both when it names none); anything outside a case (helpers, plain
 * Deno tests) counts for both.
 */
function calledPerProduct(text: string): Record<Product, Set<string>> {
  const called: Record<Product, Set<string>> = { spe: new Set(), server: new Set() };
  for (const chunk of text.split(/\n(?= {2}\{\n {4}name:)/)) {
    const named = /^ {2}\{\n {4}name:[\s\S]*?\n {4}products: \[([^\]]*)\]/.exec(chunk)?.[1];
    const products = named === undefined
      ? ["spe", "server"] as const
      : [...named.matchAll(/"(spe|server)"/g)].map((match) => match[1] as Product);
    for (const fn of calledNames(chunk)) for (const product of products) called[product].add(fn);
  }
  return called;
}

Deno.test("coverage: the scan gives a case's calls to the products it runs on", () => {
  const called = calledPerProduct(
    'const cases = [\n  {\n    name: "a",\n    products: ["server"],\n    run: (s) => s.call("GetServerInfo"),\n  },\n' +
      '  {\n    name: "b",\n    run: (s) => s.call("GetUsers"),\n  },\n];',
  );
  assert.deepEqual([...called.spe], ["GetUsers"]);
  assert.deepEqual([...called.server].sort(), ["GetServerInfo", "GetUsers"]);
});

Deno.test("coverage: every catalogued function of SPE and MailStore Server is called through the client in a test on that product", () => {
  const files = clientTestFiles();
  assert.ok(files.length >= 6, files.join(", "));
  const called: Record<Product, Set<string>> = { spe: new Set(), server: new Set() };
  for (const name of files) {
    const found = calledPerProduct(Deno.readTextFileSync(new URL(name, TESTS)));
    for (const product of ["spe", "server"] as const) {
      for (const fn of found[product]) called[product].add(fn);
    }
  }
  for (const product of ["spe", "server"] as const) {
    const untested = catalog(product).map((fn) => fn.name).filter((name) =>
      !called[product].has(name)
    );
    assert.deepEqual(
      untested,
      [],
      `${product}: functions with no test through the client on ${product} in ${files.join(", ")}`,
    );
  }
});
