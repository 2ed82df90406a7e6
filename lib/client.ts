/**
 * The client: credentials, server address, TLS options, defaults and metadata, with one keep-alive
 * connection pool. Create it with {@linkcode newClient}; close it with `await using` or
 * {@linkcode Client.close}.
 *
 * @module
 */

import type { FunctionMetadata, Product } from "./metadata.ts";
import { ApiError, ArgumentError, AuthenticationError } from "./errors.ts";
import { createTransport, type TlsOptions, type Transport } from "./_transport.ts";
import { Deadlines } from "./_deadlines.ts";
import { fetchMetadata, postStatus, type WireContext } from "./_wire.ts";
import { withRetries } from "./_retry.ts";
import { type CallPreparation, indexMetadata } from "./_validate.ts";
import { catalog } from "./catalog.ts";
import { base64Utf8, clientRedactor, redactError } from "./_redact.ts";
import type { TraceEvent } from "./_trace.ts";
import { didYouMean, suggest } from "./_suggest.ts";

/**
 * Options of {@linkcode newClient}.
 *
 * @example
 * ```ts
 * import type { ClientOptions } from "@mspe/mspe";
 * const options: ClientOptions = {
 *   username: "admin",
 *   password: Deno.env.get("MSPE_PASSWORD") ?? "",
 *   host: "spe.example.com",
 *   tls: { caCerts: [] },
 * };
 * console.log(options.host);
 * ```
 */
export interface ClientOptions {
  /** The user name of an SPE system administrator (or a MailStore Server administrator). */
  username: string;
  /** The password, or the API password when the account uses MFA. Never shown in any error or log. */
  password: string;
  /** The server's host name or IP address (no scheme, no port). Default `"localhost"`. */
  host?: string | undefined;
  /** The API port. Default 8474 for SPE, 8463 for MailStore Server. */
  port?: number | undefined;
  /** `"spe"` (default): the SPE Management API; `"server"`: the MailStore Server Administration API. */
  product?: Product | undefined;
  /** How the server's certificate is checked; verification against the system's CAs by default. */
  tls?: TlsOptions | undefined;
  /**
   * How long the server may hold a `get-status` long poll open waiting for news (`millisecondsTimeout`),
   * in milliseconds. Default 5000, as in the PowerShell wrapper.
   */
  statusTimeoutMs?: number | undefined;
  /**
   * A limit per HTTP request, in milliseconds: connecting, the TLS handshake, waiting for the reply
   * and reading it. A `get-status` poll may take `statusTimeoutMs` longer, since the server holds it
   * open on purpose. When it passes, the request is aborted and the call rejects with a
   * `TimeoutError` `DOMException` (a failed poll is first retried, see `pollRetries`), so a server
   * that accepts the connection but never answers cannot hang a script. Default 120000 (two
   * minutes, as the third-party TJ client uses); at most 2147483647. For a limit on a whole call,
   * polls included, use the call option `timeoutMs`.
   */
  requestTimeoutMs?: number | undefined;
  /** A default `instanceID`, filled in for every function that takes one and was not given one. */
  instanceID?: string | undefined;
  /**
   * What calls are checked against before they are sent:
   * - `"fetch"` (default): `get-metadata` from the server at creation, which also checks the
   *   credentials (a wrong password fails here with {@linkcode AuthenticationError}). MailStore
   *   Server may answer `get-metadata` without credentials, so with `product: "server"` the client
   *   also calls `GetServerInfo` first, as the vendor's Python wrapper does (two requests);
   * - `"bundled"`: the catalogue built into this library (no request);
   * - `"none"`: no checks (arguments are encoded by their JavaScript types);
   * - a list of functions, e.g. saved from an earlier `client.metadata`.
   */
  metadata?: "fetch" | "bundled" | "none" | readonly FunctionMetadata[] | undefined;
  /** Aborts everything the client does, now and later, with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * The fetch to send reads, polls and cancels with (tests inject one); it receives a `client` in
   * its init. Calls that may change state never go through it: they are sent at most once, on a
   * connection of their own.
   */
  fetch?: typeof fetch | undefined;
  /**
   * Where the client's warnings go, such as the one `tls.ignoreInvalidCerts` gives (once per
   * client, when it is created). It receives the text alone, one sentence or more without a
   * trailing newline, to show in the application's own style. Default: one line on stderr,
   * prefixed with "mspe: ". Warnings never contain the password.
   *
   * @example Showing warnings in a script's own style
   * ```ts
   * import { newClient } from "@mspe/mspe";
   * await using client = await newClient({
   *   username: "admin",
   *   password: Deno.env.get("MSPE_PASSWORD")!,
   *   tls: { ignoreInvalidCerts: true },
   *   onWarning: (message) => console.error(`warning: ${message}`),
   * });
   * console.log(client.url);
   * ```
   */
  onWarning?: ((message: string) => void) | undefined;
  /**
   * How often a failed `get-status` poll (connection reset, HTTP 502/503/504, request timeout) is
   * retried, with jittered backoff. Default 4. The call itself is never retried.
   */
  pollRetries?: number | undefined;
  /**
   * How often a read (a function the catalogue marks `readOnly`, and `get-metadata` when the
   * client is created) is sent again when its request failed before any reply: connection reset or refused, HTTP 502/503/504 (a proxy or the server
   * starting), or `requestTimeoutMs` passing. Jittered backoff between tries (about 0.25 s, then
   * 0.5 s, …). Default 2; 0 to 10. A call that may change state is never sent again, whatever this
   * says: it is sent at most once. `onTrace` shows each retry (`TraceEvent.retry`).
   *
   * @example A client that rides out a proxy's restart
   * ```ts
   * import { invokeCall, newClient } from "@mspe/mspe";
   * await using client = await newClient({ username: "admin", password: "admin", retries: 4 });
   * console.log((await invokeCall(client, "GetUsers", { instanceID: "acme" })).result);
   * ```
   */
  retries?: number | undefined;
  /**
   * The largest reply body the client reads, in bytes; a larger reply is a `ProtocolError` rather
   * than memory running out. Default 268435456 (256 MiB: `GetUsers` on 100,000 users is about
   * 20 MB).
   */
  maxResponseBytes?: number | undefined;
  /**
   * Called once per HTTP exchange, after it ended (also when it failed), with what was sent and
   * received: for logging and `--verbose`/`--debug` output. The `Authorization` header, the password
   * and the call's secret arguments are already replaced by `***` in it, also where the server
   * echoed them. Errors it throws are ignored.
   *
   * @example Logging each request
   * ```ts
   * import { newClient } from "@mspe/mspe";
   * await using client = await newClient({
   *   username: "admin",
   *   password: Deno.env.get("MSPE_PASSWORD")!,
   *   onTrace: (event) => console.error(event.method, event.url, event.status, `${event.durationMs} ms`),
   * });
   * console.log(client.url);
   * ```
   */
  onTrace?: ((event: TraceEvent) => void) | undefined;
}

/** Every option {@linkcode ClientOptions} has; anything else is refused (a typo would be ignored). */
const OPTION_NAMES: readonly (keyof ClientOptions)[] = [
  "username",
  "password",
  "host",
  "port",
  "product",
  "tls",
  "statusTimeoutMs",
  "requestTimeoutMs",
  "instanceID",
  "metadata",
  "signal",
  "fetch",
  "onWarning",
  "pollRetries",
  "retries",
  "maxResponseBytes",
  "onTrace",
];

/**
 * The options with every key that {@linkcode ClientOptions} does not have typed `never`, so that a
 * misspelt option (`hots`) fails to compile even though `newClient` is generic.
 *
 * @example
 * ```ts
 * import type { ClientOptions, KnownOptions } from "@mspe/mspe";
 * type Checked = KnownOptions<{ username: string; password: string; hots: string }>;
 * const bad: Checked["hots"] = undefined as never; // the type is never
 * console.log(bad);
 * ```
 */
export type KnownOptions<O> = O & { readonly [K in Exclude<keyof O, keyof ClientOptions>]: never };

/** The default of {@linkcode ClientOptions.maxResponseBytes}: 256 MiB. */
const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * A connection to one MailStore SPE Management API (or MailStore Server Administration API) with one
 * user's credentials. Close it when done (`await using` does that).
 *
 * @typeParam P The product, `"spe"` or `"server"`; function names and argument types follow it.
 * @typeParam I `string` when the client has a default instanceID (then `instanceID` arguments are
 * optional), `null` when it has none.
 *
 * @example
 * ```ts
 * import { type Client, invokeCall, newClient } from "@mspe/mspe";
 * async function version(client: Client<"spe">): Promise<string> {
 *   const status = await invokeCall(client, "GetEnvironmentInfo");
 *   return status.result?.version ?? "unknown";
 * }
 * await using client = await newClient({ username: "admin", password: "secret" });
 * console.log(await version(client));
 * ```
 */
export interface Client<P extends Product = Product, I extends string | null = string | null>
  extends AsyncDisposable {
  /** The product this client talks to. */
  readonly product: P;
  /** The API's base URL, e.g. `https://localhost:8474`. */
  readonly url: string;
  /** The user name (the password is not kept where it could be read back). */
  readonly username: string;
  /** The default instanceID, or `null`. */
  readonly instanceID: I;
  /** The metadata calls are checked against, or `null` with `metadata: "none"`. */
  readonly metadata: readonly FunctionMetadata[] | null;
  /** Whether {@linkcode Client.close} was called. */
  readonly closed: boolean;
  /**
   * Stops every call of this client (pending promises reject with an `AbortError`; server-side work
   * goes on), waits for them to settle and closes the connections. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * The product a {@linkcode newClient} call produces a client for: `"server"` for
 * `product: "server"`, `"spe"` when left out or `"spe"`, `Product` when only known at run time.
 *
 * @example
 * ```ts
 * import type { ProductOf } from "@mspe/mspe";
 * const product: ProductOf<{ username: string; password: string; product: "server" }> = "server";
 * console.log(product);
 * ```
 */
export type ProductOf<O extends ClientOptions> = O extends { readonly product: "server" } ? "server"
  : O extends { readonly product: "spe" } ? "spe"
  : "product" extends keyof O ? (O["product"] extends undefined ? "spe" : Product)
  : "spe";

/**
 * `string` when the options give a default instanceID, `null` when they do not, `string | null`
 * when that is not known at compile time.
 *
 * @example
 * ```ts
 * import type { DefaultInstanceOf } from "@mspe/mspe";
 * const id: DefaultInstanceOf<{ username: string; password: string; instanceID: "acme" }> = "acme";
 * console.log(id);
 * ```
 */
export type DefaultInstanceOf<O extends ClientOptions> = O extends { readonly instanceID: string }
  ? string
  : "instanceID" extends keyof O ? (O["instanceID"] extends undefined ? null : string | null)
  : null;

/** What the call functions need from a client; kept out of reach of users. */
export interface ClientState {
  readonly wire: WireContext;
  readonly product: Product;
  readonly preparation: CallPreparation;
  readonly statusTimeoutMs: number;
  readonly pollRetries: number;
  /** ClientOptions.retries: how often a read's first request is sent again after a blip. */
  readonly retries: number;
  /**
   * Tokens this client sent cancel-async for, each with whether the server accepted it (answered
   * with a status envelope): only then does a final "failed" mean cancelled.
   */
  readonly cancelRequested: Map<string, Promise<boolean>>;
  /** Calls in flight (close() waits until there are none), and who waits for that. */
  inflight: number;
  readonly idle: (() => void)[];
}

const states = new WeakMap<object, ClientState>();

/** The internal state of a client made by {@linkcode newClient}; throws for anything else. */
export function stateOf(client: unknown): ClientState {
  const state = typeof client === "object" && client !== null ? states.get(client) : undefined;
  if (!state) {
    throw new ArgumentError("The client must be one that newClient() made.");
  }
  return state;
}

/** Counts a call in flight; close() waits until {@linkcode leave} was called for each. */
export function enter(state: ClientState): void {
  state.inflight++;
}

/** Ends a call counted by {@linkcode enter}. */
export function leave(state: ClientState): void {
  if (--state.inflight === 0) {
    for (const resolve of state.idle.splice(0)) resolve();
  }
}

/** Resolves when no call of the client is in flight. */
function whenIdle(state: ClientState): Promise<void> {
  if (state.inflight === 0) return Promise.resolve();
  return new Promise((resolve) => state.idle.push(resolve));
}

/** Counts `promise` as a call in flight until it settles; returns the same promise. */
export function track<T>(state: ClientState, promise: Promise<T>): Promise<T> {
  enter(state);
  promise.then(() => leave(state), () => leave(state));
  return promise;
}

class MspeClient implements Client<Product, string | null> {
  readonly product: Product;
  readonly url: string;
  readonly username: string;
  readonly instanceID: string | null;
  readonly #metadata: readonly FunctionMetadata[] | null;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #transport: Transport;
  readonly #controller: AbortController;
  readonly #state: ClientState;
  readonly #detach: () => void;

  constructor(
    init: {
      product: Product;
      url: string;
      username: string;
      instanceID: string | null;
      metadata: readonly FunctionMetadata[] | null;
      transport: Transport;
      controller: AbortController;
      state: ClientState;
      detach: () => void;
    },
  ) {
    this.product = init.product;
    this.url = init.url;
    this.username = init.username;
    this.instanceID = init.instanceID;
    this.#metadata = init.metadata;
    this.#transport = init.transport;
    this.#controller = init.controller;
    this.#state = init.state;
    this.#detach = init.detach;
    states.set(this, init.state);
  }

  get metadata(): readonly FunctionMetadata[] | null {
    return this.#metadata;
  }

  get closed(): boolean {
    return this.#closed;
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#detach();
    this.#controller.abort(
      new DOMException("The client was closed. Create a new one to make more calls.", "AbortError"),
    );
    this.#closing = (async () => {
      await whenIdle(this.#state);
      this.#state.wire.deadlines.close();
      this.#transport.close();
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** What `JSON.stringify(client)` shows (the credentials are not kept on the client anyway). */
  toJSON(): Record<string, unknown> {
    return {
      product: this.product,
      url: this.url,
      username: this.username,
      instanceID: this.instanceID,
      functions: this.#metadata?.length ?? null,
      closed: this.#closed,
    };
  }

  /** What `console.log(client)` shows: a summary instead of the whole metadata. */
  [Symbol.for("Deno.customInspect")](
    inspect: (value: unknown, options: unknown) => string,
    options: unknown,
  ): string {
    return `Client ${inspect(this.toJSON(), options)}`;
  }
}

/** The default of {@linkcode ClientOptions.requestTimeoutMs}. */
const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
/** The longest delay a timer takes. */
const MAX_MS = 2_147_483_647;

/** A number option: `undefined` when left out, else checked against `check`. */
function optionalNumber(
  name: string,
  value: unknown,
  check: (n: number) => boolean,
  rule: string,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || !check(value)) {
    throw new ArgumentError(
      `${name} must be ${rule}, not ${JSON.stringify(value) ?? String(value)}.`,
    );
  }
  return value;
}

/** A whole-number option from `min` to `max`, or `fallback` when left out. */
function wholeNumber(
  name: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  return optionalNumber(
    name,
    value,
    (n) => Number.isInteger(n) && n >= min && n <= max,
    `a whole number from ${min} to ${max}`,
  ) ?? fallback;
}

/** The host as it goes into a URL (IPv6 in brackets), checked to be a bare host name or address. */
function urlHost(host: unknown): string {
  if (typeof host !== "string" || host.trim() === "") {
    throw new ArgumentError('host must be a host name or IP address, e.g. "spe.example.com".');
  }
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const ipv6 = bare.includes(":");
  if (ipv6 ? !/^[0-9A-Fa-f:.]+$/.test(bare) : !/^[A-Za-z0-9.\-_]+$/.test(bare)) {
    throw new ArgumentError(
      `host ${
        JSON.stringify(host.slice(0, 100))
      } is not a host name or IP address. Give the name only, without scheme, port or path (e.g. "spe.example.com"; port goes in port).`,
    );
  }
  const inUrl = ipv6 ? `[${bare}]` : bare;
  try {
    new URL(`https://${inUrl}/`);
  } catch {
    throw new ArgumentError(`host ${JSON.stringify(host)} is not a valid host name or IP address.`);
  }
  return inUrl;
}

/** Checks a metadata list given as an option (the shape get-metadata returns). */
function checkMetadataList(list: readonly FunctionMetadata[]): FunctionMetadata[] {
  const types = ["string", "number", "bool", "json"];
  return list.map((fn, i) => {
    const valid = typeof fn === "object" && fn !== null && typeof fn.name === "string" &&
      Array.isArray(fn.args) &&
      fn.args.every((arg) =>
        typeof arg === "object" && arg !== null && typeof arg.name === "string" &&
        types.includes(arg.type) && typeof arg.nullable === "boolean"
      );
    if (!valid) {
      throw new ArgumentError(
        `metadata entry ${i} is not a function description ({ name, args: [{ name, type, nullable }] }).`,
      );
    }
    return fn;
  });
}

/**
 * Proves the credentials with a call that needs them: MailStore Server may answer get-metadata
 * without any, so the vendor's Python wrapper (PY18, PY24) calls GetServerInfo and refuses a
 * "failed" reply. A 401 is an {@linkcode AuthenticationError} already.
 */
async function checkServerCredentials(wire: WireContext, retry: number): Promise<void> {
  const status = await postStatus(wire, "/api/invoke/GetServerInfo", "", { retry });
  if (status.statusCode !== "failed") return;
  const failed = new ApiError("GetServerInfo", status);
  if (failed.unknownFunction) {
    // SPE does not know GetServerInfo: the product is wrong, not the password.
    throw new AuthenticationError(
      `The server at ${wire.baseUrl} does not know GetServerInfo, so it is not MailStore Server: ` +
        `for MailStore SPE leave out product: "server" (its API port is 8474), or check the port.`,
      { cause: failed },
    );
  }
  throw new AuthenticationError(
    `The credentials check failed: GetServerInfo answered "${
      status.error?.message ?? "no message given"
    }". Check the user name and password, and that the account has the "api" login privilege.`,
    { cause: failed },
  );
}

function basicAuthorization(username: string, password: string): string {
  return `Basic ${base64Utf8(`${username}:${password}`)}`;
}

/**
 * Creates a client. By default it fetches the server's function list (`get-metadata`), which also
 * checks the credentials, so a wrong password fails here rather than on the first call. With
 * `product: "server"` it first calls `GetServerInfo` as well, because MailStore Server may answer
 * `get-metadata` without credentials. With `metadata: "bundled"`, `"none"` or a list nothing is sent
 * until the first call.
 *
 * @param options User name, password, host, port, product, TLS and the defaults of the calls.
 * @returns The client, typed by product and by whether a default instanceID was given.
 * @throws {ArgumentError} For a missing user name or password, a bad host, a port outside 1-65535, a
 * `tls.caCerts` entry that is not a whole PEM certificate, or another invalid option; nothing is sent
 * then.
 * @throws {AuthenticationError} When the server refuses the credentials (with `metadata: "fetch"`).
 * @throws {TlsError} When the server's certificate is refused (the message names a `tls.caCerts`
 * entry that turned out damaged inside).
 * @throws {ConnectionError} When the server cannot be reached.
 * @throws {ProtocolError} When `get-metadata` does not answer a function list (not the MailStore
 * API at that host and port).
 * @throws {DOMException} `TimeoutError` when the server does not answer within `requestTimeoutMs`;
 * the `signal`'s reason when it aborts.
 *
 * @example Connecting to SPE with a private CA
 * ```ts
 * import { newClient } from "@mspe/mspe";
 * await using client = await newClient({
 *   username: "admin",
 *   password: Deno.env.get("MSPE_PASSWORD")!,
 *   host: "spe.example.com",
 *   tls: { caCerts: [await Deno.readTextFile("ca.pem")] },
 * });
 * console.log(client.metadata?.length, "functions");
 * ```
 *
 * @example MailStore Server (port 8463; its functions take no instanceID)
 * ```ts
 * import { invokeCall, newClient } from "@mspe/mspe";
 * await using client = await newClient({ username: "admin", password: "admin", product: "server" });
 * console.log((await invokeCall(client, "GetServerInfo")).result?.version);
 * ```
 */
export async function newClient<const O extends ClientOptions>(
  options: KnownOptions<O>,
): Promise<Client<ProductOf<O>, DefaultInstanceOf<O>>> {
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError(
      "newClient needs an options object with at least username and password.",
    );
  }
  for (const key of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(key)) {
      throw new ArgumentError(
        `newClient has no option ${JSON.stringify(key.slice(0, 60))}.${
          didYouMean(suggest(key, OPTION_NAMES, 1))
        } The options are: ${OPTION_NAMES.join(", ")}.`,
      );
    }
  }
  const { username, password } = options;
  if (typeof username !== "string" || username === "") {
    throw new ArgumentError("The username is missing. Give the user name of an API administrator.");
  }
  // deno-lint-ignore no-control-regex
  if (username.includes(":") || /[\x00-\x1f\x7f]/.test(username)) {
    throw new ArgumentError(
      "The username must not contain a colon or control characters (HTTP Basic cannot carry them).",
    );
  }
  if (typeof password !== "string" || password === "") {
    throw new ArgumentError(
      "The password is missing. Give the password (or API password with MFA).",
    );
  }
  const product = options.product ?? "spe";
  if (product !== "spe" && product !== "server") {
    throw new ArgumentError(
      `product must be "spe" (MailStore SPE) or "server" (MailStore Server), not ${
        JSON.stringify(product) ?? String(product)
      }.`,
    );
  }
  const host = urlHost(options.host ?? "localhost");
  const port = wholeNumber("port", options.port, 1, 65535, product === "server" ? 8463 : 8474);
  const statusTimeoutMs = wholeNumber("statusTimeoutMs", options.statusTimeoutMs, 0, MAX_MS, 5000);
  const requestTimeoutMs = optionalNumber(
    "requestTimeoutMs",
    options.requestTimeoutMs,
    (n) => n > 0 && n <= MAX_MS,
    `a positive number of milliseconds, at most ${MAX_MS}`,
  ) ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const pollRetries = wholeNumber("pollRetries", options.pollRetries, 0, 100, 4);
  const retries = wholeNumber("retries", options.retries, 0, 10, 2);
  const maxResponseBytes = wholeNumber(
    "maxResponseBytes",
    options.maxResponseBytes,
    1024,
    Number.MAX_SAFE_INTEGER,
    DEFAULT_MAX_RESPONSE_BYTES,
  );
  const instanceID = options.instanceID ?? null;
  if (instanceID !== null && (typeof instanceID !== "string" || instanceID === "")) {
    throw new ArgumentError(
      'instanceID must be a non-empty string (an instance ID such as "acme").',
    );
  }
  const metadataOption = options.metadata ?? "fetch";
  if (
    !Array.isArray(metadataOption) && metadataOption !== "fetch" && metadataOption !== "bundled" &&
    metadataOption !== "none"
  ) {
    throw new ArgumentError(
      'metadata must be "fetch", "bundled", "none" or a list of function descriptions.',
    );
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new ArgumentError("signal must be an AbortSignal.");
  }
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ArgumentError("fetch must be a function.");
  }
  if (options.onWarning !== undefined && typeof options.onWarning !== "function") {
    throw new ArgumentError("onWarning must be a function that takes the warning's text.");
  }
  if (options.onTrace !== undefined && typeof options.onTrace !== "function") {
    throw new ArgumentError("onTrace must be a function that takes a trace event.");
  }
  options.signal?.throwIfAborted();

  // Throws ArgumentError for bad TLS options (a damaged caCerts entry, say) before anything is
  // opened or sent.
  const transport = createTransport({
    tls: options.tls,
    fetch: options.fetch,
    warn: options.onWarning,
  });
  const controller = new AbortController();
  const outer = options.signal;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  const detach = (): void => outer?.removeEventListener("abort", onOuterAbort);
  const authorization = basicAuthorization(username, password);
  const wire: WireContext = {
    transport,
    baseUrl: `https://${host}:${port}`,
    headers: {
      "authorization": authorization,
      "content-type": "application/x-www-form-urlencoded; charset=utf-8",
      "accept": "application/json",
    },
    requestTimeoutMs,
    deadlines: new Deadlines(),
    signal: controller.signal,
    redactor: clientRedactor(username, password, authorization),
    maxResponseBytes,
    onTrace: options.onTrace,
  };
  // One listener for the whole client: closing it (or its signal) aborts the requests in flight.
  controller.signal.addEventListener(
    "abort",
    () => wire.deadlines.abortAll(controller.signal.reason),
    { once: true },
  );
  let metadata: readonly FunctionMetadata[] | null;
  try {
    if (metadataOption === "fetch") {
      // MailStore Server may answer get-metadata without credentials (protocol.md §3, §10.6).
      // Both are reads, sent again after a blip like any read (ClientOptions.retries).
      const again = <T>(send: (retry: number) => Promise<T>): Promise<T> =>
        withRetries(retries, [wire.signal], send);
      if (product === "server") await again((retry) => checkServerCredentials(wire, retry));
      metadata = Object.freeze(await again((retry) => fetchMetadata(wire, undefined, retry)));
    } else if (metadataOption === "bundled") {
      metadata = catalog(product);
    } else if (metadataOption === "none") {
      metadata = null;
    } else {
      metadata = Object.freeze(checkMetadataList(metadataOption));
    }
  } catch (error) {
    detach();
    wire.deadlines.close();
    transport.close();
    throw redactError(error, wire.redactor);
  }
  const state: ClientState = {
    wire,
    product,
    preparation: {
      index: metadata ? indexMetadata(metadata, product) : null,
      product,
      defaultInstanceID: instanceID,
    },
    statusTimeoutMs,
    pollRetries,
    retries,
    cancelRequested: new Map(),
    inflight: 0,
    idle: [],
  };
  const client = new MspeClient({
    product,
    url: wire.baseUrl,
    username,
    instanceID,
    metadata,
    transport,
    controller,
    state,
    detach,
  });
  return client as unknown as Client<ProductOf<O>, DefaultInstanceOf<O>>;
}
