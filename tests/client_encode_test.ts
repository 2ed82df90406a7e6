import { assertEquals, assertMatch, assertThrows } from "./_assert.ts";
import { decimal, encodeValue } from "../lib/_encode.ts";
import { editDistance, suggest } from "../lib/_suggest.ts";
import {
  bundledIndex,
  type CallPreparation,
  indexMetadata,
  prepareCall,
} from "../lib/_validate.ts";
import { checkFunctionName } from "../lib/function_names.ts";
import { ArgumentError, catalog, uncheckedFunction } from "../mod.ts";

const spe: CallPreparation = {
  index: bundledIndex("spe"),
  product: "spe",
  defaultInstanceID: null,
};
const speDefault: CallPreparation = { ...spe, defaultInstanceID: "acme" };
const none: CallPreparation = { index: null, product: "spe", defaultInstanceID: null };

function form(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

Deno.test("decimal writes plain decimal text, never exponent form", () => {
  assertEquals(decimal(3), "3");
  assertEquals(decimal(-0), "0");
  assertEquals(decimal(1.5), "1.5");
  assertEquals(decimal(1e21), "1000000000000000000000");
  assertEquals(decimal(1.25e22), "12500000000000000000000");
  assertEquals(decimal(-1e21), "-1000000000000000000000");
  assertEquals(decimal(1e-7), "0.0000001");
  assertEquals(decimal(1.5e-7), "0.00000015");
  assertEquals(decimal(-2.5e-8), "-0.000000025");
});

Deno.test("encodeValue follows protocol.md §2 per metadata type", () => {
  assertEquals(encodeValue(true, "bool", undefined), "true");
  assertEquals(encodeValue(false, "bool", undefined), "false");
  assertEquals(encodeValue(0, "number", undefined), "0");
  assertEquals(encodeValue(42, "number", undefined), "42");
  assertEquals(encodeValue("", "string", undefined), "");
  assertEquals(encodeValue(["read", "write"], "string", true), "read,write");
  assertEquals(encodeValue(["a", "b"], "string", undefined), "a,b");
  assertEquals(
    encodeValue({ userName: "bob", n: [1, 2] }, "json", undefined),
    '{"userName":"bob","n":[1,2]}',
  );
  assertEquals(encodeValue('{"raw":true}', "json", undefined), '{"raw":true}');
  assertEquals(encodeValue([1, 2], "json", undefined), "[1,2]");
  // Nothing describes it: by JavaScript type.
  assertEquals(encodeValue(true, "any", undefined), "true");
  assertEquals(encodeValue(7, "any", undefined), "7");
  assertEquals(encodeValue(["x", 1], "any", undefined), "x,1");
  assertEquals(encodeValue({ a: 1 }, "any", undefined), '{"a":1}');
});

Deno.test("encodeValue refuses values that do not fit", () => {
  const problem = (value: unknown, type: Parameters<typeof encodeValue>[1], list?: boolean) => {
    const result = encodeValue(value, type, list);
    if (typeof result === "string") throw new Error(`expected a problem for ${String(value)}`);
    return result.problem;
  };
  assertMatch(problem(NaN, "number"), /finite number, not NaN/);
  assertMatch(problem(Infinity, "number"), /finite number, not Infinity/);
  assertMatch(problem(-Infinity, "any"), /finite number/);
  assertMatch(problem("3", "number"), /must be a number, not a string/);
  assertMatch(problem("true", "bool"), /must be a boolean, not a string/);
  assertMatch(problem(1, "bool"), /must be a boolean/);
  assertMatch(problem(3, "string"), /must be a string, not a number/);
  assertMatch(problem(["a"], "string", false), /one string, not a list/);
  assertMatch(problem(["a,b"], "string", true), /element 0 has one/);
  assertMatch(problem([{}], "string", true), /element 0 is an object/);
  assertMatch(problem(5, "json"), /object, an array or JSON text/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assertMatch(problem(cyclic, "json"), /cannot be turned into JSON/);
  assertMatch(problem(10n, "any"), /no wire form/);
});

Deno.test("prepareCall encodes: 0, empty string and false are sent, undefined and null are left out", () => {
  const body = prepareCall(spe, "CreateUser", false, {
    instanceID: "acme",
    userName: "bob smith",
    privileges: ["login", "archive"],
    fullName: "",
    distinguishedName: null,
    authentication: undefined,
  });
  assertEquals(
    body,
    "instanceID=acme&userName=bob+smith&privileges=login%2Carchive&fullName=",
  );
  assertEquals(
    form(prepareCall(spe, "GetStores", false, { instanceID: "a", includeSize: false })),
    {
      instanceID: "a",
      includeSize: "false",
    },
  );
  assertEquals(form(prepareCall(spe, "RenameJob", false, { instanceID: "a", id: 0, name: "x" })), {
    instanceID: "a",
    id: "0",
    name: "x",
  });
  assertEquals(prepareCall(spe, "GetEnvironmentInfo", false, undefined), "");
  assertEquals(prepareCall(spe, "GetEnvironmentInfo", false, {}), "");
});

Deno.test("prepareCall stringifies json arguments unless they are strings already", () => {
  const config = { serverName: "host02", port: 8472 };
  assertEquals(
    form(prepareCall(spe, "CreateInstanceHost", false, { config })),
    { config: JSON.stringify(config) },
  );
  assertEquals(
    form(prepareCall(spe, "CreateInstanceHost", false, { config: '{"serverName":"x"}' })),
    { config: '{"serverName":"x"}' },
  );
});

Deno.test("prepareCall fills in the default instanceID only for functions that take one", () => {
  assertEquals(prepareCall(speDefault, "GetUsers", false, undefined), "instanceID=acme");
  assertEquals(
    prepareCall(speDefault, "GetUsers", false, { instanceID: "globex" }),
    "instanceID=globex",
  );
  assertEquals(prepareCall(speDefault, "GetEnvironmentInfo", false, undefined), "");
  assertEquals(
    prepareCall(speDefault, "GetInstances", false, { instanceFilter: "*" }),
    "instanceFilter=*",
  );
  // Without metadata, the bundled catalogue still knows that GetUsers takes an instanceID.
  assertEquals(
    prepareCall({ ...none, defaultInstanceID: "acme" }, "GetUsers", false, undefined),
    "instanceID=acme",
  );
  assertEquals(prepareCall({ ...none, defaultInstanceID: "acme" }, "Ping", false, {}), "");
});

Deno.test("prepareCall names an unknown function and suggests close names", () => {
  const error = assertThrows(() => prepareCall(spe, "GetUser", false, {}), ArgumentError);
  assertMatch(error.message, /Unknown function GetUser for MailStore SPE\. Did you mean GetUsers/);
  assertMatch(error.message, /uncheckedFunction/);
  const lower = assertThrows(
    () => prepareCall(spe, "getenvironmentinfo", false, {}),
    ArgumentError,
  );
  assertMatch(lower.message, /Did you mean GetEnvironmentInfo\?/);
  const far = assertThrows(() => prepareCall(spe, "Xyzzy", false, {}), ArgumentError);
  assertEquals(far.message.includes("Did you mean"), false);
  const server: CallPreparation = {
    index: bundledIndex("server"),
    product: "server",
    defaultInstanceID: null,
  };
  const missing = assertThrows(
    () => prepareCall(server, "GetEnvironmentInfo", false, {}),
    ArgumentError,
  );
  assertMatch(missing.message, /for MailStore Server/);
});

Deno.test("prepareCall lists every problem at once: unknown, missing and mistyped arguments", () => {
  const error = assertThrows(
    () => prepareCall(spe, "GetUserInfo", false, { instanceId: "acme", userNme: 3 }),
    ArgumentError,
  );
  assertMatch(error.message, /^GetUserInfo was not sent: /);
  assertMatch(error.message, /unknown argument instanceId \(did you mean instanceID\?\)/);
  assertMatch(error.message, /unknown argument userNme \(did you mean userName\?\)/);
  assertMatch(error.message, /missing mandatory argument instanceID/);
  assertMatch(error.message, /missing mandatory argument userName/);
  assertMatch(error.message, /GetUserInfo takes instanceID: string, userName: string\./);

  const typed = assertThrows(
    () => prepareCall(spe, "GetStores", false, { instanceID: 5, includeSize: "yes" }),
    ArgumentError,
  );
  assertMatch(typed.message, /argument instanceID must be a string, not a number/);
  assertMatch(typed.message, /argument includeSize must be a boolean, not a string/);

  const nan = assertThrows(
    () => prepareCall(spe, "CompactStore", false, { instanceID: "a", id: NaN }),
    ArgumentError,
  );
  assertMatch(nan.message, /argument id must be a finite number, not NaN/);

  const nullMandatory = assertThrows(
    () => prepareCall(spe, "GetUsers", false, { instanceID: null }),
    ArgumentError,
  );
  assertMatch(nullMandatory.message, /missing mandatory argument instanceID/);

  const notObject = assertThrows(
    () => prepareCall(spe, "GetUsers", false, ["acme"]),
    ArgumentError,
  );
  assertMatch(notObject.message, /must be an object/);
});

Deno.test("prepareCall with the escape hatch: unknown names go out, known ones are still checked", () => {
  assertEquals(
    form(prepareCall(spe, "GetSomethingNew", true, { flag: true, ids: [1, 2], cfg: { a: 1 } })),
    { flag: "true", ids: "1,2", cfg: '{"a":1}' },
  );
  const error = assertThrows(
    () => prepareCall(spe, "GetUsers", true, { instanceId: "acme" }),
    ArgumentError,
  );
  assertMatch(error.message, /did you mean instanceID/);
});

Deno.test("prepareCall without metadata sends anything, encoded by JavaScript type", () => {
  assertEquals(
    form(prepareCall(none, "AnyFunction", false, { a: false, b: 0, c: "", d: null })),
    { a: "false", b: "0", c: "" },
  );
  assertThrows(() => prepareCall(none, "AnyFunction", false, { n: Infinity }), ArgumentError);
});

Deno.test("indexMetadata takes list flags from the catalogue and tolerates unknown types", () => {
  const index = indexMetadata(
    [
      {
        name: "SetUserPrivileges",
        args: [
          { name: "instanceID", type: "string", nullable: false },
          { name: "userName", type: "string", nullable: false },
          { name: "privileges", type: "string", nullable: false },
        ],
      },
      // A newer server's type this library does not know: any value goes.
      { name: "NewThing", args: [{ name: "when", type: "datetime" as "string", nullable: true }] },
    ],
    "spe",
  );
  const preparation: CallPreparation = { index, product: "spe", defaultInstanceID: null };
  assertEquals(
    form(prepareCall(preparation, "SetUserPrivileges", false, {
      instanceID: "a",
      userName: "b",
      privileges: ["archive", "login"],
    })),
    { instanceID: "a", userName: "b", privileges: "archive,login" },
  );
  assertThrows(
    () =>
      prepareCall(preparation, "SetUserPrivileges", false, {
        instanceID: ["a"],
        userName: "b",
        privileges: "x",
      }),
    ArgumentError,
    "one string, not a list",
  );
  assertEquals(prepareCall(preparation, "NewThing", false, { when: 5 }), "when=5");
  assertThrows(
    () => prepareCall(preparation, "GetUsers", false, {}),
    ArgumentError,
    "Unknown function",
  );
});

Deno.test("function names that could change the URL are refused", () => {
  for (
    const name of [
      "Get/Users",
      "../get-metadata",
      "GetUsers?x=1",
      "GetUsers#",
      "Get Users",
      "Get%2FUsers",
      "",
      "GetÜsers",
    ]
  ) {
    assertThrows(() => checkFunctionName(name), ArgumentError, "not a valid function name");
    assertThrows(() => uncheckedFunction(name), ArgumentError, "not a valid function name");
  }
  checkFunctionName("GetUsers");
  checkFunctionName("Get_Users2");
  assertEquals(uncheckedFunction("NewFunction").name, "NewFunction");
});

Deno.test("suggest ranks case-insensitive matches, then edit distance, then containment", () => {
  assertEquals(editDistance("kitten", "sitting"), 3);
  assertEquals(editDistance("", "abc"), 3);
  assertEquals(suggest("instanceId", ["instanceID", "userName"]), ["instanceID"]);
  assertEquals(suggest("GetUser", ["GetUsers", "GetUserInfo", "SetUserPassword", "Ping"]), [
    "GetUsers",
    "GetUserInfo",
  ]);
  assertEquals(suggest("zzz", ["GetUsers"]), []);
});

Deno.test("catalog returns the bundled catalogues and refuses other products", () => {
  assertEquals(catalog("spe").length, 122);
  assertEquals(catalog("server").length, 89);
  assertThrows(() => catalog("exchange" as "spe"), ArgumentError, "Unknown product");
});
