// Tests of the transport (lib/_transport.ts, lib/_transport_node.ts) over real HTTPS sockets on
// 127.0.0.1, with the fixtures in tests/testdata/tls/.

import assert from "node:assert/strict";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import { createTransport, type TlsOptions, toTransportError } from "../lib/_transport.ts";
import { ArgumentError, ConnectionError, TlsError } from "../lib/errors.ts";
import { serveMock } from "../lib/mock/mod.ts";
import { fingerprintOf, listenFixture, pem, serveFixture } from "./_helpers.ts";

const CA = pem("ca.pem");

interface TestServer extends AsyncDisposable {
  port: number;
  /** Remote ports seen: one per TCP connection. */
  connections: Set<number>;
  requests: number;
  close(): Promise<void>;
}

/** An HTTPS server with one of the fixture certificates that answers "ok" (or `handler`). */
function serveTls(
  name: string,
  handler: (request: Request) => Response | Promise<Response> = () => new Response("ok"),
): TestServer {
  const connections = new Set<number>();
  const state = { requests: 0 };
  const server = serveFixture(name, (request, info) => {
    state.requests++;
    connections.add(info.remoteAddr.port);
    return handler(request);
  });
  const close = async (): Promise<void> => {
    await server.shutdown();
  };
  return {
    port: server.addr.port,
    connections,
    get requests() {
      return state.requests;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The two paths: fetch with a Deno.HttpClient, and node:https (forced by a TLS version floor). */
const PATHS: { name: string; tls: TlsOptions }[] = [
  { name: "default path", tls: {} },
  { name: "node path", tls: { minTlsVersion: "1.2" } },
];

async function text(response: Response): Promise<string> {
  return await response.text();
}

async function freePort(): Promise<number> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Promise.resolve();
  return port;
}

/** Every message along an error's cause chain, for checks that nothing secret leaked. */
function allMessages(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error) {
    parts.push(current.message, String(current.stack));
    current = current.cause;
  }
  return parts.join("\n");
}

for (const path of PATHS) {
  Deno.test(`transport (${path.name}): a certificate signed by caCerts is trusted for localhost and 127.0.0.1`, async () => {
    await using server = serveTls("server");
    using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
    for (const host of ["localhost", "127.0.0.1"]) {
      const response = await transport.fetch(`https://${host}:${server.port}/api/x`, {
        method: "POST",
      });
      assert.equal(response.status, 200);
      assert.equal(await text(response), "ok");
    }
  });

  Deno.test(`transport (${path.name}): a certificate from an unknown CA is a TlsError saying what to do`, async () => {
    await using server = serveTls("server");
    using transport = createTransport({ tls: path.tls });
    const error = await transport.fetch(`https://localhost:${server.port}/`, {})
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TlsError, `got ${String(error)}`);
    assert.match(error.message, new RegExp(`localhost:${server.port}`));
    assert.match(error.message, /not trusted/);
    assert.match(error.message, /caCerts \(--ca-cert\)/);
    assert.match(error.message, /pinnedSha256 \(--pin-sha256/);
    assert.match(error.message, /ignoreInvalidCerts \(--insecure\)/);
    assert.equal(server.requests, 0);
  });

  Deno.test(`transport (${path.name}): a certificate for another host name is a TlsError`, async () => {
    await using server = serveTls("wrong-host");
    using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
    for (const host of ["localhost", "127.0.0.1"]) {
      const error = await transport.fetch(`https://${host}:${server.port}/`, {})
        .then(() => null, (e: unknown) => e);
      assert.ok(error instanceof TlsError, `got ${String(error)}`);
      assert.match(error.message, /another host name/);
      assert.match(error.message, /--pin-sha256/);
    }
    assert.equal(server.requests, 0);
  });

  Deno.test(`transport (${path.name}): an expired certificate is a TlsError`, async () => {
    await using server = serveTls("expired");
    using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
    const error = await transport.fetch(`https://localhost:${server.port}/`, {})
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TlsError, `got ${String(error)}`);
    assert.match(error.message, /has expired/);
    assert.match(error.message, /renew it/);
    assert.equal(server.requests, 0);
  });

  Deno.test(`transport (${path.name}): a connection refused is a ConnectionError naming host and port`, async () => {
    const port = await freePort();
    using transport = createTransport({ tls: path.tls });
    const error = await transport.fetch(`https://127.0.0.1:${port}/`, {})
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof ConnectionError, `got ${String(error)}`);
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(error.message, /refused/);
    assert.match(error.message, /Check the host name and port/);
  });

  Deno.test({
    name: `transport (${path.name}): a host name that does not resolve is a ConnectionError`,
    // The test task grants net access to 127.0.0.1 and localhost only; Deno's fetch then refuses
    // before any DNS lookup (node:dns does not ask).
    ignore: path.name === "default path" &&
      Deno.permissions.querySync({ name: "net", host: "mspe-no-such-host.invalid" }).state !==
        "granted",
  }, async () => {
    using transport = createTransport({ tls: path.tls });
    const error = await transport.fetch("https://mspe-no-such-host.invalid:8474/", {})
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof ConnectionError, `got ${String(error)}`);
    assert.match(error.message, /mspe-no-such-host\.invalid:8474/);
    assert.match(error.message, /DNS/);
  });

  Deno.test(`transport (${path.name}): aborting a request rejects with the signal's reason unchanged`, async () => {
    const { promise: received, resolve: onReceived } = Promise.withResolvers<void>();
    const { promise: release, resolve: doRelease } = Promise.withResolvers<void>();
    await using server = serveTls("server", async () => {
      onReceived();
      await release;
      return new Response("late");
    });
    try {
      using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
      const controller = new AbortController();
      const pending = transport.fetch(`https://localhost:${server.port}/`, {
        method: "POST",
        body: "x",
        signal: controller.signal,
      });
      await received;
      const reason = new DOMException("The caller gave up.", "AbortError");
      controller.abort(reason);
      await assert.rejects(pending, (error: unknown) => error === reason);

      // A TimeoutError passes through the same way.
      const timeout = new DOMException("Too slow.", "TimeoutError");
      const controller2 = new AbortController();
      const pending2 = transport.fetch(`https://localhost:${server.port}/`, {
        signal: controller2.signal,
      });
      controller2.abort(timeout);
      await assert.rejects(pending2, (error: unknown) => error === timeout);

      // An already aborted signal sends nothing.
      const before = server.requests;
      await assert.rejects(
        transport.fetch(`https://localhost:${server.port}/`, { signal: AbortSignal.abort() }),
        (error: unknown) => error instanceof DOMException && error.name === "AbortError",
      );
      assert.equal(server.requests, before);
    } finally {
      doRelease();
    }
  });

  Deno.test(`transport (${path.name}): aborting while the body is read errors the body with the reason`, async () => {
    const { promise: release, resolve: doRelease } = Promise.withResolvers<void>();
    await using server = serveTls("server", () => {
      const body = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode("first part"));
          await release;
          controller.close();
        },
      });
      return new Response(body);
    });
    try {
      using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
      const controller = new AbortController();
      const response = await transport.fetch(`https://localhost:${server.port}/`, {
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value), "first part");
      controller.abort();
      await assert.rejects(
        reader.read(),
        (error: unknown) => error instanceof DOMException && error.name === "AbortError",
      );
    } finally {
      doRelease();
    }
  });

  Deno.test(`transport (${path.name}): sequential requests reuse one keep-alive connection`, async () => {
    await using server = serveTls("server");
    using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
    for (let i = 0; i < 3; i++) {
      const response = await transport.fetch(`https://localhost:${server.port}/`, {
        method: "POST",
        body: `call ${i}`,
      });
      assert.equal(await text(response), "ok");
    }
    assert.equal(server.requests, 3);
    assert.equal(server.connections.size, 1);
  });

  Deno.test(`transport (${path.name}): close() closes the pooled connection and later requests are refused`, async () => {
    // A raw TLS server that answers every request on a keep-alive connection and reports when the
    // client hangs up.
    const { listener, port } = listenFixture("server", { alpnProtocols: ["http/1.1"] });
    let serverConn: Deno.TlsConn | undefined;
    const hungUp = (async () => {
      const conn = await listener.accept();
      serverConn = conn;
      const buffer = new Uint8Array(8192);
      try {
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) return "closed";
          if (new TextDecoder().decode(buffer.subarray(0, n)).includes("\r\n\r\n")) {
            await conn.write(
              new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"),
            );
          }
        }
      } catch {
        return "closed"; // closed without close_notify
      } finally {
        try {
          conn.close();
        } catch {
          // Already closed by the test's clean-up.
        }
      }
    })();
    try {
      const transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
      const response = await transport.fetch(`https://localhost:${port}/`, {});
      assert.equal(await text(response), "ok");
      transport.close();
      transport.close(); // idempotent
      await assert.rejects(transport.fetch(`https://localhost:${port}/`, {}), /closed/);
      // The server must see the pooled connection go. A deadline only so that a failure fails
      // instead of hanging; passing does not depend on timing.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve("still open 10 s after close()"), 10_000);
      });
      const outcome = await Promise.race([hungUp, deadline]);
      clearTimeout(timer);
      assert.equal(outcome, "closed");
    } finally {
      listener.close();
      try {
        serverConn?.close(); // Only still open when the assertion above failed.
      } catch {
        // Closed already.
      }
      await hungUp.catch(() => {});
    }
  });

  Deno.test(`transport (${path.name}): errors never contain the Authorization header`, async () => {
    const secret = "Basic YWRtaW46czNjcjN0LXBhc3N3b3Jk";
    await using server = serveTls("expired");
    using transport = createTransport({ tls: path.tls });
    const error = await transport.fetch(`https://localhost:${server.port}/api/invoke/GetUsers`, {
      method: "POST",
      headers: { authorization: secret },
    }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TlsError);
    const everything = allMessages(error) + Deno.inspect(error, { depth: 10 });
    assert.ok(!everything.includes("YWRtaW46"), "the Authorization header leaked");
    assert.ok(!everything.toLowerCase().includes("authorization"));
  });
}

Deno.test("transport (default path): the injected fetch is used, with the pooled client", async () => {
  await using server = serveTls("server");
  let calls = 0;
  const injected: typeof fetch = (input, init) => {
    calls++;
    assert.ok((init as { client?: unknown } | undefined)?.client instanceof Deno.HttpClient);
    return fetch(input, init);
  };
  using transport = createTransport({ tls: { caCerts: [CA] }, fetch: injected });
  assert.equal(await text(await transport.fetch(`https://localhost:${server.port}/`, {})), "ok");
  assert.equal(calls, 1);
});

Deno.test("transport: a self-signed CA:TRUE certificate is refused without a pin", async () => {
  await using server = serveTls("self-signed");
  for (const path of PATHS) {
    using transport = createTransport({ tls: path.tls });
    const error = await transport.fetch(`https://localhost:${server.port}/`, {})
      .then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TlsError, `${path.name}: got ${String(error)}`);
    assert.match(error.message, /CA:TRUE|self-signed/, path.name);
    assert.match(error.message, /pin/, path.name);
  }
  assert.equal(server.requests, 0);
});

Deno.test("transport: a pinned self-signed CA:TRUE certificate is accepted, in any spelling of the pin", async () => {
  await using server = serveTls("self-signed");
  const fingerprint = await fingerprintOf(pem("self-signed.pem"));
  const spellings = [fingerprint, fingerprint.replaceAll(":", "").toLowerCase()];
  for (const pinnedSha256 of spellings) {
    const warnings: string[] = [];
    using transport = createTransport({ tls: { pinnedSha256 }, warn: (m) => warnings.push(m) });
    for (const host of ["localhost", "127.0.0.1"]) {
      const response = await transport.fetch(`https://${host}:${server.port}/`, { method: "POST" });
      assert.equal(await text(response), "ok");
    }
    assert.deepEqual(warnings, []);
  }
});

Deno.test("transport: a pin skips the host name check (the pin identifies the certificate)", async () => {
  await using server = serveTls("wrong-host");
  using transport = createTransport({
    tls: { pinnedSha256: await fingerprintOf(pem("wrong-host.pem")) },
  });
  assert.equal(await text(await transport.fetch(`https://localhost:${server.port}/`, {})), "ok");
});

Deno.test("transport: a pin mismatch is a TlsError naming both fingerprints, and no request byte is sent", async () => {
  // A raw TLS listener, to count every byte the client sends after the handshake.
  const { listener, port } = listenFixture("self-signed");
  let bytes = 0;
  const served = (async () => {
    const conn = await listener.accept();
    const buffer = new Uint8Array(4096);
    try {
      while (true) {
        const n = await conn.read(buffer);
        if (n === null) break;
        // Anything at all is a failure; hang up so that the client fails instead of waiting.
        bytes += n;
        break;
      }
    } catch {
      // The client drops the connection without close_notify.
    } finally {
      conn.close();
    }
  })();
  try {
    const pin = await fingerprintOf(pem("server.pem"));
    const actual = await fingerprintOf(pem("self-signed.pem"));
    using transport = createTransport({ tls: { pinnedSha256: pin } });
    const error = await transport.fetch(`https://127.0.0.1:${port}/api/invoke/GetUsers`, {
      method: "POST",
      headers: { authorization: "Basic c2VjcmV0" },
      body: "instanceID=acme",
    }).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TlsError, `got ${String(error)}`);
    assert.ok(error.message.includes(pin), error.message);
    assert.ok(error.message.includes(actual), error.message);
    assert.match(error.message, /update the pin/);
    await served;
    assert.equal(bytes, 0);
  } finally {
    listener.close();
  }
});

Deno.test("transport: ignoreInvalidCerts accepts each bad certificate and warns once per client", async () => {
  for (const name of ["server", "wrong-host", "expired", "self-signed"]) {
    await using server = serveTls(name);
    const warnings: string[] = [];
    using transport = createTransport({
      tls: { ignoreInvalidCerts: true },
      warn: (m) => warnings.push(m),
    });
    for (let i = 0; i < 2; i++) {
      const response = await transport.fetch(`https://localhost:${server.port}/`, {});
      assert.equal(await text(response), "ok", name);
    }
    assert.equal(warnings.length, 1, name);
    // The text alone: whoever shows it adds its own prefix.
    assert.match(warnings[0]!, /^Certificate checks are off for this client/);
    assert.match(warnings[0]!, /--pin-sha256/);
  }
  // Per client: a second client warns again, and a client without the option still checks.
  const warnings: string[] = [];
  using a = createTransport({ tls: { ignoreInvalidCerts: true }, warn: (m) => warnings.push(m) });
  using b = createTransport({ tls: { ignoreInvalidCerts: true }, warn: (m) => warnings.push(m) });
  assert.equal(warnings.length, 2);
  await using server = serveTls("expired");
  using strict = createTransport({ tls: { minTlsVersion: "1.2" } });
  await assert.rejects(strict.fetch(`https://localhost:${server.port}/`, {}), TlsError);
  using strictDefault = createTransport({});
  await assert.rejects(strictDefault.fetch(`https://localhost:${server.port}/`, {}), TlsError);
  assert.ok(a && b);
});

Deno.test("transport: tlsVersion and minTlsVersion choose the negotiated TLS version", async () => {
  // A node:https server, because it can tell which version each connection negotiated.
  const server = https.createServer(
    { cert: pem("server.pem"), key: pem("server.key") },
    (req, res) => {
      res.end((req.socket as TLSSocket).getProtocol() ?? "none");
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const cases: [TlsOptions, string][] = [
      [{ tlsVersion: "1.2" }, "TLSv1.2"],
      [{ tlsVersion: "1.3" }, "TLSv1.3"],
      [{ minTlsVersion: "1.3" }, "TLSv1.3"],
      [{ minTlsVersion: "1.2" }, "TLSv1.3"],
    ];
    for (const [options, expected] of cases) {
      using transport = createTransport({ tls: { ...options, caCerts: [CA] } });
      for (let i = 0; i < 2; i++) {
        const response = await transport.fetch(`https://localhost:${port}/`, { method: "POST" });
        assert.equal(await text(response), expected, JSON.stringify(options));
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("transport: TLS 1.0, 1.1 and unknown versions are refused with an ArgumentError", () => {
  for (const version of ["1.0", "1.1"]) {
    for (const key of ["tlsVersion", "minTlsVersion"]) {
      assert.throws(
        () => createTransport({ tls: { [key]: version } as TlsOptions }),
        (error: unknown) =>
          error instanceof ArgumentError &&
          error.message.includes(`TLS ${version} is not supported`) &&
          error.message.includes(key) && error.message.includes('"1.2" or "1.3"'),
      );
    }
  }
  for (const version of ["garbage", "1.4", "", "TLSv1.2"]) {
    assert.throws(
      () => createTransport({ tls: { tlsVersion: version } as unknown as TlsOptions }),
      (error: unknown) =>
        error instanceof ArgumentError && /must be one of "1.2", "1.3"/.test(error.message),
    );
  }
  assert.throws(
    () => createTransport({ tls: { tlsVersion: "1.2", minTlsVersion: "1.3" } }),
    ArgumentError,
  );
  assert.throws(() => createTransport({ tls: { pinnedSha256: "AB:CD" } }), /64 hex digits/);
  assert.throws(
    () => createTransport({ tls: { pinnedSha256: "ab".repeat(32), ignoreInvalidCerts: true } }),
    /contradict/,
  );
  assert.throws(() => createTransport({ tls: { caCerts: ["not a certificate"] } }), /PEM/);
});

/** The fixture CA as one PEM block: its Base64 body and a rebuilder for variants of it. */
const CA_BODY = CA.replace(/-----[A-Z ]+-----/g, "").trim();
const block = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;

/** caCerts entries that look like PEM but hold no whole certificate. */
const DAMAGED_PEMS: [string, string][] = [
  ["a body that is not Base64", block("notbase64!!")],
  ["a line of the body missing", block(CA_BODY.split("\n").filter((_, i) => i !== 2).join("\n"))],
  ["the body cut short", block(CA_BODY.slice(0, 200))],
  ["no END line", CA.replace("-----END CERTIFICATE-----", "")],
  // Deno's PEM reader needs the END line at the start of a line.
  ["the END line indented", CA.replace("-----END", "  -----END")],
  // Base64 of a DER SEQUENCE that is not a certificate (an EC public key).
  [
    "a DER SEQUENCE that is not a certificate",
    block(
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEiqSplKJooEHDyokBpgbQmY2gADGb/kLWz4lvLsKiYYg0tH0SFqijVWkE8ugJ4o5r5Q2gdreJ8ttEVo7pTaI25A==",
    ),
  ],
];

Deno.test("transport (both paths): a damaged caCerts entry is an ArgumentError naming it, before any request", async () => {
  await using server = serveTls("server");
  for (const path of PATHS) {
    for (const [what, damaged] of DAMAGED_PEMS) {
      for (
        const [caCerts, name, which] of [
          [[CA, damaged], "caCerts[1]", ""],
          // One entry may hold a bundle; the message says which of its certificates is damaged.
          [[CA + damaged], "caCerts[0]", " (certificate 2 of 2)"],
        ] as const
      ) {
        assert.throws(
          () => createTransport({ tls: { ...path.tls, caCerts } }),
          (error: unknown) => {
            assert.ok(error instanceof ArgumentError, `${path.name}, ${what}: ${error}`);
            assert.ok(
              error.message.startsWith(`${name} has a damaged certificate${which}: `),
              `${path.name}, ${what}: ${error.message}`,
            );
            assert.match(error.message, /PEM file of the CA certificate as it was exported/);
            assert.match(error.message, /copied whole/);
            return true;
          },
        );
      }
    }
    assert.throws(
      () => createTransport({ tls: { ...path.tls, caCerts: [CA, "not a certificate"] } }),
      (error: unknown) =>
        error instanceof ArgumentError &&
        /^caCerts\[1\] holds no PEM certificate/.test(error.message),
    );
  }
  assert.equal(server.requests, 0);
});

Deno.test("transport (both paths): CA files as people have them are accepted and trusted", async () => {
  await using server = serveTls("server");
  const accepted: [string, string][] = [
    ["Windows line ends", CA.replaceAll("\n", "\r\n")],
    ["indented Base64 lines", CA.replace(/\n(?!-|$)/g, "\n    ")],
    ["the body on one line", block(CA_BODY.replace(/\s/g, ""))],
    ["text around the block", `subject=CN = mspe test CA\n${CA}\n# end\n`],
    ["a bundle", pem("self-signed.pem") + CA],
  ];
  for (const path of PATHS) {
    for (const [what, caPem] of accepted) {
      using transport = createTransport({ tls: { ...path.tls, caCerts: [caPem] } });
      const response = await transport.fetch(`https://localhost:${server.port}/`, {});
      assert.equal(await text(response), "ok", `${path.name}, ${what}`);
    }
  }
});

Deno.test("transport (node path): method, headers and bodies arrive as fetch would send them", async () => {
  await using server = serveTls("server", async (request) => {
    return Response.json({
      method: request.method,
      type: request.headers.get("content-type"),
      custom: request.headers.get("x-mspe"),
      body: await request.text(),
    }, { headers: { "x-answer": "yes" } });
  });
  using transport = createTransport({ tls: { caCerts: [CA], minTlsVersion: "1.2" } });
  const url = `https://localhost:${server.port}/api/invoke/GetUsers?x=1`;
  const bodies: [BodyInit | undefined, string | null, string][] = [
    ["a=1&b=ä", "text/plain;charset=UTF-8", "a=1&b=ä"],
    [
      new URLSearchParams({ instanceID: "acme", flag: "true" }),
      "application/x-www-form-urlencoded;charset=UTF-8",
      "instanceID=acme&flag=true",
    ],
    [new TextEncoder().encode("bytes"), null, "bytes"],
    [undefined, null, ""],
  ];
  for (const [body, type, expected] of bodies) {
    const init: RequestInit = { method: "POST", headers: { "x-mspe": "1" } };
    if (body !== undefined) init.body = body;
    const response = await transport.fetch(url, init);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-answer"), "yes");
    assert.deepEqual(await response.json(), { method: "POST", type, custom: "1", body: expected });
  }
  const got = await transport.fetch(url, { method: "GET" });
  assert.equal((await got.json()).method, "GET");
  assert.equal(server.connections.size, 1);
});

Deno.test("transport (node path): non-200 statuses and empty bodies come through", async () => {
  await using server = serveTls("server", (request) => {
    if (request.url.endsWith("/empty")) return new Response(null, { status: 204 });
    return new Response("<html>Service Unavailable</html>", { status: 503 });
  });
  using transport = createTransport({ tls: { caCerts: [CA], minTlsVersion: "1.2" } });
  const failed = await transport.fetch(`https://localhost:${server.port}/api/x`, {});
  assert.equal(failed.status, 503);
  assert.equal(await failed.text(), "<html>Service Unavailable</html>");
  const empty = await transport.fetch(`https://localhost:${server.port}/empty`, {});
  assert.equal(empty.status, 204);
  assert.equal(empty.body, null);
});

Deno.test("transport: a connection that breaks mid-body is a ConnectionError", async () => {
  // A raw TLS server that promises 100 bytes, sends 3 and hangs up.
  const { listener, port } = listenFixture("server");
  const served = (async () => {
    for (let i = 0; i < PATHS.length; i++) {
      const conn = await listener.accept();
      try {
        await conn.read(new Uint8Array(8192));
        await conn.write(
          new TextEncoder().encode("HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nabc"),
        );
      } finally {
        conn.close();
      }
    }
  })();
  try {
    for (const path of PATHS) {
      using transport = createTransport({ tls: { ...path.tls, caCerts: [CA] } });
      const url = `https://localhost:${port}/api/get-status`;
      const response = await transport.fetch(url, {});
      // The default path leaves body errors to the caller, which maps them with toTransportError.
      const error = await response.text().then(
        () => null,
        (e: unknown) => toTransportError(e, url),
      );
      assert.ok(error instanceof ConnectionError, `${path.name}: got ${String(error)}`);
      assert.match(error.message, new RegExp(`localhost:${port}`));
      assert.match(error.message, /broke before the reply was complete/);
    }
    await served;
  } finally {
    listener.close();
  }
});

// ---- against the mock server ----

const BASIC = `Basic ${btoa("admin:admin")}`;

Deno.test("transport against the mock: each TLS mode makes exactly one request per call", async () => {
  const cases: {
    name: string;
    cert?: string;
    tls: (sha256: string, caPem: string) => TlsOptions;
  }[] = [
    { name: "caCerts (default path)", tls: (_sha, caPem) => ({ caCerts: [caPem] }) },
    { name: "caCerts, TLS 1.2", tls: (_sha, caPem) => ({ caCerts: [caPem], tlsVersion: "1.2" }) },
    { name: "pin, self-signed", cert: "self-signed", tls: (sha256) => ({ pinnedSha256: sha256 }) },
    {
      name: "ignoreInvalidCerts, expired",
      cert: "expired",
      tls: () => ({ ignoreInvalidCerts: true }),
    },
  ];
  for (const c of cases) {
    await using server = await serveMock(
      c.cert ? { tls: { cert: pem(`${c.cert}.pem`), key: pem(`${c.cert}.key`) } } : {},
    );
    const certificate = server.certificate!;
    assert.equal(
      certificate.sha256,
      await fingerprintOf(c.cert ? pem(`${c.cert}.pem`) : pem("server.pem")),
    );
    using transport = createTransport({
      tls: c.tls(certificate.sha256, certificate.caPem),
      warn: () => {},
    });
    for (let i = 0; i < 3; i++) {
      const response = await transport.fetch(`${server.url}/api/invoke/GetServiceStatus`, {
        method: "POST",
        headers: { authorization: BASIC },
      });
      assert.equal(response.status, 200, c.name);
      const envelope = JSON.parse((await response.text()).replace(/^\uFEFF/, ""));
      assert.equal(envelope.statusCode, "succeeded", c.name);
    }
    assert.equal(server.stats.requests, 3, c.name);
    assert.equal(server.stats.authFailures, 0, c.name);
  }
});

Deno.test("transport against the mock: the mock's certificate is refused without its CA", async () => {
  await using server = await serveMock();
  for (const path of PATHS) {
    using transport = createTransport({ tls: path.tls });
    await assert.rejects(
      transport.fetch(`${server.url}/api/get-metadata`, {
        method: "POST",
        headers: { authorization: BASIC },
      }),
      TlsError,
    );
  }
  assert.equal(server.stats.requests, 0);
});
