/**
 * Secrets never show (issue 7): a hostile server echoes the Authorization header and the request
 * body (verbatim, URL-encoded, JSON-escaped, HTML-escaped, Base64) into HTML pages, text replies and
 * envelopes, on every path (invoke, poll, cancel-async, get-metadata, MailStore Server's
 * GetServerInfo credentials check); no error's message, excerpt, details, status, cause, stack,
 * JSON.stringify or Deno.inspect, and no trace event, shows any of them.
 *
 * @module
 */

import {
  ApiError,
  AuthenticationError,
  CancelledError,
  ConnectionError,
  HttpError,
  invokeCall,
  type MspeError,
  newClient,
  ProtocolError,
  startCall,
  stopCall,
  TlsError,
  TokenExpiredError,
  type TraceEvent,
  uncheckedFunction,
} from "../mod.ts";
import { assertEquals, assertRejects } from "./_assert.ts";
import { createRedactor, redactValue } from "../lib/_redact.ts";
import {
  addCallSecrets,
  addPassword,
  redactingIo,
  redactorOf,
} from "../lib/cli/io/redacting_io.ts";
import type { CliIo } from "../lib/cli/io/io.ts";
import { pem } from "./_helpers.ts";
import {
  envelope,
  type HostileAction,
  running,
  type SeenRequest,
  serveHostile,
} from "./_trust_helpers.ts";

const USER = "admin";
const ADMIN_PASSWORD = 'Adm1n "pä ss"+/<&>\\';
const NEW_PASSWORD = "N3w Pässw0rd&=+%";
const JSON_SECRET = "j5on-Secr3t/κλειδί";
/** A state-changing call that carries NEW_PASSWORD. */
const CREATE_BOB = {
  instanceID: "acme",
  userName: "bob",
  privileges: "none",
  password: NEW_PASSWORD,
} as const;

function base64(text: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** Every form in which a secret must not show. */
function forbidden(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ x: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    html(secret),
    base64(secret),
  ];
}

const FORBIDDEN = [
  ...forbidden(ADMIN_PASSWORD),
  ...forbidden(NEW_PASSWORD),
  ...forbidden(JSON_SECRET),
  base64(`${USER}:${ADMIN_PASSWORD}`),
];

/** Everything a server could echo of a request: headers, raw body, its values in every form. */
function echo(request: SeenRequest): string {
  const parts = [`${request.method} ${request.path}`];
  request.headers.forEach((value, name) => parts.push(`${name}: ${value}`));
  parts.push(request.body);
  for (const [, value] of new URLSearchParams(request.body)) {
    parts.push(value, JSON.stringify(value), html(value), base64(value));
  }
  // A JSON argument's secret field, echoed decoded.
  for (const secret of [NEW_PASSWORD, JSON_SECRET, ADMIN_PASSWORD]) {
    if (request.body.includes(encodeURIComponent(secret).slice(0, 4)) || /Auth/.test(parts[1]!)) {
      parts.push(base64(secret));
    }
  }
  return parts.join("\n");
}

type Scenario =
  | "html500"
  | "text400"
  | "envelope"
  | "protocol"
  | "notEnvelope"
  | "unknownCode"
  | "cut";

/** The reply of a scenario, echoing the request. */
function reply(
  scenario: Scenario,
  request: SeenRequest,
  token: string | null = null,
  known: readonly string[] = [NEW_PASSWORD, ADMIN_PASSWORD],
): HostileAction {
  const text = echo(request);
  switch (scenario) {
    case "html500":
      return {
        status: 500,
        headers: { "content-type": "text/html" },
        body: `<html><body><h1>Error</h1><pre>${html(text)}</pre>${text}</body></html>`,
      };
    case "text400":
      return { status: 400, headers: { "content-type": "text/plain" }, body: text };
    case "envelope":
      return {
        status: 200,
        body: envelope({
          token,
          statusVersion: 9,
          statusCode: "failed",
          error: { message: text, details: `at Echo(${text})` },
          statusText: text,
          logOutput: text,
          result: { echo: text },
        }),
      };
    case "protocol":
      return { status: 200, headers: { "content-type": "text/html" }, body: `<html>${text}` };
    case "notEnvelope":
      return { status: 200, body: JSON.stringify({ echo: text }) };
    case "unknownCode":
      return { status: 200, body: envelope({ statusCode: text.slice(-40) }) };
    case "cut": {
      // The secret straddles the excerpt's 200-character cut.
      // Only what this request carried (and the Authorization value) can be echoed.
      const carried = known.filter((secret) => secret === ADMIN_PASSWORD || text.includes(secret));
      const body = "x".repeat(190) +
        [...carried, JSON_SECRET].filter((secret) =>
          secret !== JSON_SECRET || text.includes(secret)
        ).join("") + "x".repeat(100);
      return { status: 502, headers: { "content-type": "text/plain" }, body };
    }
  }
}

function inspectAll(error: unknown): string {
  const e = error as Error;
  return [
    e.message,
    e.stack ?? "",
    JSON.stringify(error),
    Deno.inspect(error, { depth: 20, showHidden: true }),
    String(error),
  ].join("\n");
}

function assertClean(where: string, text: string): void {
  for (const secret of FORBIDDEN) {
    if (text.includes(secret)) {
      throw new Error(
        `${where} shows a secret (${JSON.stringify(secret)}):\n${text.slice(0, 3000)}`,
      );
    }
  }
}

function assertRedacted(where: string, error: unknown): void {
  const text = inspectAll(error);
  assertClean(where, text);
  let cause: unknown = error;
  for (let depth = 0; cause instanceof Error && depth < 8; depth++) {
    assertClean(`${where} (cause ${depth})`, inspectAll(cause));
    cause = cause.cause;
  }
}

// deno-lint-ignore no-explicit-any
const CLASS: Record<Scenario, abstract new (...args: any[]) => MspeError> = {
  html500: HttpError,
  text400: HttpError,
  envelope: ApiError,
  protocol: ProtocolError,
  notEnvelope: ProtocolError,
  unknownCode: ProtocolError,
  cut: HttpError,
};

const SCENARIOS = Object.keys(CLASS) as Scenario[];

function tracer(events: TraceEvent[]): (event: TraceEvent) => void {
  return (event) => events.push(event);
}

function assertTraceClean(events: TraceEvent[]): void {
  assertEquals(events.length > 0, true);
  for (const event of events) {
    assertClean(`trace of ${event.url}`, JSON.stringify(event));
    assertEquals(event.requestHeaders.authorization, "***");
  }
}

for (const scenario of SCENARIOS) {
  Deno.test(`invoke, ${scenario}: the echoed secrets are redacted (${CLASS[scenario].name})`, async () => {
    await using server = serveHostile((request) =>
      request.path.startsWith("/api/invoke/Get")
        ? { status: 200, body: envelope() }
        : reply(scenario, request)
    );
    const events: TraceEvent[] = [];
    await using client = await newClient({
      ...server.options,
      password: ADMIN_PASSWORD,
      onTrace: tracer(events),
    });
    const setPassword = await assertRejects(
      invokeCall(client, "SetUserPassword", {
        instanceID: "acme",
        userName: "bob",
        password: NEW_PASSWORD,
      }),
      CLASS[scenario],
    );
    assertRedacted("SetUserPassword", setPassword);
    if (scenario !== "unknownCode" && scenario !== "cut") {
      // The echo did happen: the marker stands where the secrets were.
      assertEquals(inspectAll(setPassword).includes("***"), true);
    }
    // A json argument's password-like field, through the escape hatch (no catalogue mark).
    const json = await assertRejects(
      invokeCall(client, uncheckedFunction("SetRelaySettings"), {
        settings: { host: "mail", smtpPassword: JSON_SECRET },
      }),
      CLASS[scenario],
    );
    assertRedacted("json argument", json);
    // The same through startCall (the operation's final and token).
    const operation = startCall(client, "SetUserPassword", {
      instanceID: "acme",
      userName: "bob",
      password: NEW_PASSWORD,
    });
    assertRedacted("startCall final", await assertRejects(operation.final, CLASS[scenario]));
    assertTraceClean(events);
  });
}

for (const scenario of SCENARIOS) {
  Deno.test(`poll, ${scenario}: a get-status reply echoing secrets is redacted`, async () => {
    await using server = serveHostile((request) => {
      if (request.path === "/api/invoke/CreateUser") {
        return { status: 200, body: running() };
      }
      return reply(scenario, request, "t1");
    });
    const events: TraceEvent[] = [];
    await using client = await newClient({
      ...server.options,
      password: ADMIN_PASSWORD,
      onTrace: tracer(events),
      pollRetries: 0,
    });
    const error = await assertRejects(
      invokeCall(client, "CreateUser", CREATE_BOB),
      CLASS[scenario],
    );
    assertRedacted("poll", error);
    assertTraceClean(events);
  });
}

for (
  const scenario of ["html500", "text400", "protocol", "notEnvelope", "unknownCode", "cut"] as const
) {
  Deno.test(`cancel-async, ${scenario}: the echoed Authorization is redacted`, async () => {
    await using server = serveHostile((request) => {
      if (request.path === "/api/invoke/VerifyStore") {
        return { status: 200, body: running() };
      }
      if (request.path === "/api/get-status") {
        return { status: 200, body: running() };
      }
      return reply(scenario, request, "t1", [ADMIN_PASSWORD]);
    });
    const events: TraceEvent[] = [];
    await using client = await newClient({
      ...server.options,
      password: ADMIN_PASSWORD,
      onTrace: tracer(events),
      statusTimeoutMs: 0,
    });
    const controller = new AbortController();
    const operation = startCall(
      client,
      "VerifyStore",
      { instanceID: "acme", id: 1, includeIndexes: false },
      { signal: controller.signal },
    );
    const token = (await operation.token)!;
    const error = await assertRejects(stopCall(client, token), CLASS[scenario]);
    assertRedacted("cancel-async", error);
    controller.abort();
    await operation.final.catch(() => {});
    assertTraceClean(events);
  });
}

Deno.test("cancelled: a CancelledError's status echoing secrets is redacted", async () => {
  await using server = serveHostile((request) => {
    if (request.path === "/api/invoke/SetUserPassword") {
      return { status: 200, body: running() };
    }
    const text = echo(request);
    return {
      status: 200,
      body: envelope({
        token: "t1",
        statusVersion: 3,
        statusCode: "cancelled",
        error: { message: text, details: text },
        statusText: text,
      }),
    };
  });
  await using client = await newClient({ ...server.options, password: ADMIN_PASSWORD });
  const error = await assertRejects(
    invokeCall(client, "SetUserPassword", {
      instanceID: "acme",
      userName: "bob",
      password: NEW_PASSWORD,
    }),
    CancelledError,
  );
  assertRedacted("cancelled", error);
  assertEquals(JSON.stringify(error).includes("***"), true);
});

for (const scenario of ["html500", "text400", "protocol", "notEnvelope", "cut"] as const) {
  Deno.test(`get-metadata, ${scenario}: the echoed password is redacted`, async () => {
    await using server = serveHostile((request) =>
      reply(scenario, request, null, [ADMIN_PASSWORD])
    );
    const events: TraceEvent[] = [];
    const error = await assertRejects(
      newClient({
        ...server.options,
        password: ADMIN_PASSWORD,
        metadata: "fetch",
        onTrace: tracer(events),
      }),
      scenario === "protocol" || scenario === "notEnvelope" ? ProtocolError : HttpError,
    );
    assertRedacted("get-metadata", error);
    assertTraceClean(events);
  });
}

Deno.test("MailStore Server credentials check: a GetServerInfo failure echoing the password is redacted", async () => {
  await using server = serveHostile((request) => reply("envelope", request));
  const events: TraceEvent[] = [];
  const error = await assertRejects(
    newClient({
      ...server.options,
      product: "server",
      password: ADMIN_PASSWORD,
      metadata: "fetch",
      onTrace: tracer(events),
    }),
    AuthenticationError,
  );
  assertRedacted("GetServerInfo", error);
  assertEquals(error.message.includes("***"), true);
  assertTraceClean(events);
});

Deno.test("trace events carry the exchange, redacted, also when it failed", async () => {
  await using server = serveHostile((request) =>
    request.path === "/api/invoke/CreateUser" ? "close" : { status: 200, body: envelope() }
  );
  const events: TraceEvent[] = [];
  await using client = await newClient({
    ...server.options,
    password: ADMIN_PASSWORD,
    onTrace: tracer(events),
  });
  await invokeCall(client, "GetUsers", { instanceID: "acme" });
  // The server closes the connection: the call fails, and its error is redacted like its trace.
  const error = await assertRejects(
    invokeCall(client, "CreateUser", CREATE_BOB),
    ConnectionError,
  );
  assertRedacted("CreateUser", error);
  assertEquals(events.length, 2);
  const [read, write] = events;
  assertEquals(read!.kind, "invoke");
  assertEquals(read!.method, "POST");
  assertEquals(read!.url, `https://${server.hostname}:${server.port}/api/invoke/GetUsers`);
  assertEquals(read!.status, 200);
  assertEquals(read!.bytes, new TextEncoder().encode(envelope()).length);
  assertEquals(read!.requestBody, "instanceID=acme");
  assertEquals(read!.responseBody, envelope());
  assertEquals(write!.status, undefined);
  assertEquals(write!.bytes, 0);
  assertEquals(typeof write!.error, "string");
  assertEquals(write!.requestBody.includes("password=***"), true);
  assertTraceClean(events);
});

Deno.test("status texts (statusText, logOutput) echoing secrets are redacted for progress output; result is as sent", async () => {
  let polls = 0;
  await using server = serveHostile((request) => {
    const text = `working for ${request.headers.get("authorization")} ${NEW_PASSWORD}`;
    if (request.path === "/api/invoke/SetUserPassword") {
      return {
        status: 200,
        body: envelope({
          token: "t1",
          statusVersion: 1,
          statusCode: "running",
          statusText: text,
          logOutput: text,
        }),
      };
    }
    polls++;
    return {
      status: 200,
      body: envelope({
        token: "t1",
        statusVersion: 2,
        statusText: text,
        result: { raw: "as sent" },
      }),
    };
  });
  await using client = await newClient({ ...server.options, password: ADMIN_PASSWORD });
  const seen: string[] = [];
  const final = await invokeCall(
    client,
    "SetUserPassword",
    { instanceID: "acme", userName: "bob", password: NEW_PASSWORD },
    { onStatus: (status) => seen.push(JSON.stringify(status)) },
  );
  assertEquals(polls, 1);
  assertEquals(seen.length, 2);
  for (const status of seen) {
    assertClean("status", status);
    assertEquals(status.includes("working for *** ***"), true);
  }
  assertEquals(final.result, { raw: "as sent" } as never);
});

Deno.test("the other error classes (401, token 404, broken connection, TLS) never carry an echo either", async () => {
  await using server = serveHostile((request) => {
    const body = echo(request);
    if (request.path === "/api/invoke/GetUsers") return { status: 401, body };
    if (request.path === "/api/invoke/VerifyStore") return { status: 200, body: running() };
    if (request.path === "/api/get-status") return { status: 404, body };
    return "close";
  });
  await using client = await newClient({ ...server.options, password: ADMIN_PASSWORD });
  assertRedacted(
    "401",
    await assertRejects(
      invokeCall(client, "GetUsers", { instanceID: "acme" }),
      AuthenticationError,
    ),
  );
  assertRedacted(
    "404",
    await assertRejects(
      invokeCall(client, "VerifyStore", { instanceID: "acme", id: 1, includeIndexes: false }),
      TokenExpiredError,
    ),
  );
  assertRedacted(
    "connection",
    await assertRejects(
      invokeCall(client, "SetUserPassword", {
        instanceID: "acme",
        userName: "bob",
        password: NEW_PASSWORD,
      }),
      ConnectionError,
    ),
  );
  await using wrongHost = serveHostile(() => ({ status: 200, body: envelope() }), {
    cert: pem("wrong-host.pem"),
    key: pem("wrong-host.key"),
  });
  await using tlsClient = await newClient({ ...wrongHost.options, password: ADMIN_PASSWORD });
  assertRedacted(
    "tls",
    await assertRejects(
      invokeCall(tlsClient, "SetUserPassword", {
        instanceID: "acme",
        userName: "bob",
        password: NEW_PASSWORD,
      }),
      TlsError,
    ),
  );
});

Deno.test("printed output: secrets as whole words; mspe-run's process redacts what it learns", () => {
  const words = createRedactor(["admin", "&x1"], { wholeWords: true });
  assertEquals(
    words.text(`$archiveadmin admin "admin" user=admin,login admins ab&x1 YWRtaW4=`),
    `$archiveadmin *** "***" user=***,login admins ab*** ***`,
  );
  // Errors and traces: every occurrence.
  assertEquals(createRedactor(["admin"]).text("$archiveadmin"), "$archive***");

  const written: string[] = [];
  const sink = {
    write: (text: string) => written.push(text),
    isTerminal: false,
    columns: () => 80,
  };
  const plain: CliIo = {
    stdout: sink,
    stderr: sink,
    stdin: {
      isTerminal: false,
      readAll: () => Promise.resolve(""),
      readSecretLine: () => Promise.resolve(null),
    },
    env: () => undefined,
    noColor: true,
    readTextFile: () => Promise.resolve(""),
    onInterrupt: () => () => {},
  };
  // A process that is not wrapped redacts nothing and ignores secrets.
  addPassword(plain, "ops", "S3cret-pw");
  assertEquals(redactorOf(plain).empty, true);
  const io = redactingIo(plain);
  assertEquals(redactingIo(io), io, "wrapping twice is the same process");
  addPassword(io, "ops", "S3cret-pw");
  addCallSecrets(
    io,
    { userName: "bob", apiKey: "k-123456", config: '{"password":"inner-pw"}' },
    new Set(),
  );
  addCallSecrets(io, { newPin: "9911" }, new Set(["newPin"]));
  io.stdout.write(
    `S3cret-pw ${btoa("ops:S3cret-pw")} k-123456 inner-pw 9911 bob\n`,
  );
  assertEquals(written.join(""), "*** *** *** *** *** bob\n");
});

// ---- encodings outside a list (issue 18, item 5) ----

/** A password and a secret argument with every character HTML, CSV and JSON treat specially. */
const QUOTED_PASSWORD = `Q&<u>"o'te 7`;
const QUOTED_SECRET = `S&<e>"c'ret 8`;
const BOB = { instanceID: "acme", userName: "bob" } as const;

function base64url(text: string): string {
  return base64(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function charCode(char: string, radix: number): string {
  return char.codePointAt(0)!.toString(radix);
}

/** Encodings a list of forms missed: each reached the screen or a file before. */
const UNLISTED_FORMS: Readonly<Record<string, (secret: string) => string>> = {
  "decimal HTML references": (s) => s.replace(/[&<>"' ]/g, (c) => `&#${charCode(c, 10)};`),
  "hexadecimal HTML references": (s) => s.replace(/[&<>"' ]/g, (c) => `&#x${charCode(c, 16)};`),
  "&apos;": (s) => html(s).replace(/'/g, "&apos;"),
  "HTML with ' as it is": html,
  "double URL-encoding": (s) => encodeURIComponent(encodeURIComponent(s)),
  "Base64url inside a longer value": (s) => base64url(`user:${s}`),
  "Base64url at the third alignment": (s) => base64url(`p=${s}`),
  "CSV quote doubling": (s) => `"${s.replaceAll('"', '""')}"`,
  "JSON \\u003c escapes": (s) =>
    JSON.stringify(s).slice(1, -1).replace(
      /[<>&']|\\"/g,
      (c) => `\\u${charCode(c.at(-1)!, 16).padStart(4, "0")}`,
    ),
};

for (const [name, form] of Object.entries(UNLISTED_FORMS)) {
  Deno.test(`a server echoing the password and a secret argument as ${name}: both are redacted`, async () => {
    const forms = [form(QUOTED_PASSWORD), form(QUOTED_SECRET)];
    // The form is one nobody would write by chance: it differs from the secret as typed.
    assertEquals(forms.some((text, i) => text === [QUOTED_PASSWORD, QUOTED_SECRET][i]), false);
    await using server = serveHostile(() => ({
      status: 400,
      headers: { "content-type": "text/plain" },
      body: `Bad request: password=${forms[0]} newPassword=${forms[1]}.`,
    }));
    await using client = await newClient({ ...server.options, password: QUOTED_PASSWORD });
    const call = invokeCall(client, "SetUserPassword", { ...BOB, password: QUOTED_SECRET });
    const error = await assertRejects(call, HttpError);
    const text = inspectAll(error);
    for (const leaked of [...forms, QUOTED_PASSWORD, QUOTED_SECRET]) {
      assertEquals(text.includes(leaked), false, `${name} shows ${leaked}:\n${text}`);
    }
    // The marker stands where each was (a CSV field keeps its quotes around it).
    assertEquals(error.message.match(/\*\*\*/g)?.length, 2, error.message);
    // The CLI's own redactor (whole words) finds them too.
    const printed = createRedactor([QUOTED_PASSWORD, QUOTED_SECRET], { wholeWords: true }).text(
      `${forms[0]}|${forms[1]}`,
    );
    assertEquals(printed.replaceAll('"', ""), "***|***", `${name}: ${printed}`);
  });
}

Deno.test("redaction decodes nested escapes and Base64 at every alignment, and keeps whole words", () => {
  const secret = "hunter 2&x";
  const redactor = createRedactor([secret]);
  for (const prefix of ["", "a", "ab", "abc"]) {
    for (const encode of [base64, base64url]) {
      const text = `value=${encode(`${prefix}${secret}!`)};`;
      assertEquals(redactor.text(text), "value=***;", text);
    }
  }
  // Escapes on top of each other: HTML of JSON of URL-encoding, and URL-encoding three times.
  const nested = html(JSON.stringify(encodeURIComponent(secret).replace(/%/g, "%25")));
  assertEquals(redactor.text(`<p>${nested}</p>`), "<p>&quot;***&quot;</p>");
  assertEquals(
    redactor.text(encodeURIComponent(encodeURIComponent(encodeURIComponent(secret)))),
    "***",
  );
  // Latin-1 percent-encoding and the old %uXXXX form.
  assertEquals(createRedactor(["pässwort"]).text("pw=p%E4sswort&x=p%u00E4sswort"), "pw=***&x=***");
  // A text without a secret comes back as it was.
  const plain = `Instance "acme" is 50% full &amp; growing \\n ${base64("nothing here")}`;
  assertEquals(redactor.text(plain), plain);

  // Whole words are judged on the decoded text: a short password stays part of longer words
  // however they were encoded, and is found where an escape sets it apart.
  const words = createRedactor(["admin"], { wholeWords: true });
  assertEquals(
    words.text(
      `$archive&#97;dmin &#97;dmin $archive%61dmin %61dmin "x\\nadmin" ${base64("$archiveadmin")} ${
        base64("admin:admin")
      }`,
    ),
    `$archive&#97;dmin *** $archive%61dmin *** "x\\n***" ${base64("$archiveadmin")} ***`,
  );
});

Deno.test("a value redacted for output has its keys redacted too (an instance or folder named like the secret)", () => {
  const redactor = createRedactor(["Hunter-Pass-7"]);
  const value = redactValue(
    { "Hunter-Pass-7": ["read"], ok: { inner: "Hunter-Pass-7" } },
    redactor,
  );
  assertEquals(value, { "***": ["read"], ok: { inner: "***" } });
});
