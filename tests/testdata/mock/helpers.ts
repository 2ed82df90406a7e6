// Helpers shared by the mock server tests (tests/mock_*_test.ts).
import { type MockServer, serveMock, type ServeMockOptions } from "../../../lib/mock/mod.ts";

export const AUTH = "Basic " + btoa("admin:admin");
export const FORM = "application/x-www-form-urlencoded";

export interface Reply {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  /** The body text without the BOM. */
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

export interface Harness {
  server: MockServer;
  client: Deno.HttpClient;
  /** POSTs a form body (string or record) with Basic auth to a path. */
  call(path: string, body?: string | Record<string, string>, init?: RequestInit): Promise<Reply>;
  /** POSTs /api/invoke/<fn>. */
  invoke(fn: string, args?: Record<string, string>): Promise<Reply>;
}

export async function read(response: Response): Promise<Reply> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes); // strips the BOM
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, bytes, text, json };
}

export async function withMock(
  options: ServeMockOptions,
  fn: (harness: Harness) => Promise<void>,
): Promise<void> {
  await using server = await serveMock(options);
  const client = Deno.createHttpClient({
    caCerts: server.certificate === null ? [] : [server.certificate.caPem],
  });
  try {
    const call = async (
      path: string,
      body: string | Record<string, string> = "",
      init: RequestInit = {},
    ): Promise<Reply> => {
      const response = await fetch(server.url + path, {
        method: "POST",
        headers: { Authorization: AUTH, "Content-Type": FORM },
        body: typeof body === "string" ? body : new URLSearchParams(body).toString(),
        client,
        ...init,
      });
      return await read(response);
    };
    await fn({
      server,
      client,
      call,
      invoke: (name, args = {}) => call(`/api/invoke/${name}`, args),
    });
  } finally {
    client.close();
  }
}

/** A new temporary directory and `state.json` in it (not made), removed with everything in it. */
export async function tempStateFile(
  prefix = "mspe_state_",
): Promise<{ dir: string; path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix });
  return {
    dir,
    path: `${dir}/state.json`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}
