/**
 * The error hierarchy of mspe. Every error the library throws on purpose is an {@linkcode MspeError};
 * aborts and timeouts surface as the standard `AbortError` and `TimeoutError` `DOMException`s.
 *
 * No message, property, cause or stack of the errors a client throws shows a secret: the password,
 * its Basic value, the Authorization header and the call's secret arguments are replaced by `***`,
 * also where a server echoed them (verbatim, URL-encoded, JSON- or HTML-escaped, or in Base64).
 *
 * @module
 */

import type { Status } from "./status.ts";

/**
 * The common base of every error mspe throws on purpose.
 *
 * @example Telling mspe's errors from others
 * ```ts
 * import { MspeError } from "@mspe/mspe";
 * try {
 *   throw new MspeError("Something failed. Try again.");
 * } catch (error) {
 *   if (error instanceof MspeError) console.error(error.message);
 * }
 * ```
 */
export class MspeError extends Error {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "MspeError";
  }
}

/**
 * The server answered 401: the user name or password is wrong, or the account may not use the API.
 *
 * @example
 * ```ts
 * import { AuthenticationError } from "@mspe/mspe";
 * const error = new AuthenticationError();
 * console.log(error.message);
 * ```
 */
export class AuthenticationError extends MspeError {
  /** Creates the error. */
  constructor(
    message =
      "Authentication failed (HTTP 401). Check the user name and password, and that the account may use the API.",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AuthenticationError";
  }
}

/**
 * `get-status` answered 404: the token is unknown to the server, or it expired after the call ended.
 *
 * @example
 * ```ts
 * import { TokenExpiredError } from "@mspe/mspe";
 * const error = new TokenExpiredError("sa4c1dd3");
 * console.log(error.token);
 * ```
 */
export class TokenExpiredError extends MspeError {
  /** The token the server did not know. */
  readonly token: string;
  /** Creates the error. */
  constructor(token: string, options?: ErrorOptions) {
    super(
      `The server does not know the token ${token}: it expired or never existed. Start the call again.`,
      options,
    );
    this.name = "TokenExpiredError";
    this.token = token;
  }
}

/** The reason phrases of the statuses a server or a proxy in front of it answers with. */
const REASONS: Readonly<Record<number, string>> = {
  301: "Moved Permanently",
  302: "Found",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The longest gist of a body that goes into a message; the whole body is in `details`. */
const GIST_LENGTH = 80;

/** The entities error pages use in titles; numeric ones are decoded as well. */
const ENTITIES = new Map([["amp", "&"], ["lt", "<"], ["gt", ">"], ["quot", '"'], ["nbsp", " "]]);

/** An HTML fragment as plain text on one line: tags dropped, the common entities decoded. */
function plainText(html: string): string {
  return html.replace(/<[^>]*>/g, " ")
    .replace(
      /&(#\d+|[a-z]+);/gi,
      (entity, name: string) =>
        name.startsWith("#")
          ? String.fromCharCode(Number(name.slice(1)))
          : ENTITIES.get(name.toLowerCase()) ?? entity,
    )
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * What a reply body says, in a few words, for a message: an HTML page's title (a proxy's error
 * page, whose whole text would fill a fleet row), else its first line of text. At most
 * {@linkcode GIST_LENGTH} characters.
 */
function gistOf(body: string): string {
  const text = body.replace(/^\uFEFF/, "");
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1];
  let gist = title === undefined ? "" : plainText(title);
  if (gist === "") {
    const html = /^\s*</.test(text);
    const lines = html
      ? text.replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, "").split(
        /<br\s*\/?>|<\/(?:p|h\d|div|li|tr)>|\n/i,
      )
      : text.split("\n");
    gist = lines.map((line) => html ? plainText(line) : line.trim()).find((line) => line !== "") ??
      "";
  }
  return gist.length > GIST_LENGTH ? `${gist.slice(0, GIST_LENGTH - 1)}…` : gist;
}

/**
 * The server answered with an HTTP status other than 200 (and not 401, or 404 while polling). A
 * redirect (3xx) is one too: mspe never follows one, so nothing is sent to the place it points at.
 *
 * The message is short, whatever the body: the status line and the page's title or first line
 * of text (a proxy's error page is hundreds of characters of HTML). The body is in
 * {@linkcode HttpError.details}, whole, and its first characters in {@linkcode HttpError.excerpt}.
 *
 * @example
 * ```ts
 * import { HttpError } from "@mspe/mspe";
 * const page = "<html><head><title>503 Service Unavailable</title></head><body>...</body></html>";
 * const error = new HttpError(503, page.slice(0, 200), "/api/invoke/GetUsers", { details: page });
 * console.log(error.message); // The server answered HTTP 503 Service Unavailable to ... : "503 Service Unavailable". ...
 * console.log(error.details === page); // true
 * ```
 */
export class HttpError extends MspeError {
  /** The HTTP status code. */
  readonly status: number;
  /** The first characters of the body, for diagnosis. */
  readonly excerpt: string;
  /**
   * The whole body as the server sent it (secrets redacted), for diagnosis: `--debug` shows it
   * too. The {@linkcode HttpError.excerpt} when the whole body was not given.
   *
   * @example Logging the whole error page
   * ```ts
   * import { HttpError } from "@mspe/mspe";
   * const error = new HttpError(502, "<html>", "/api/invoke/GetUsers", { details: "<html>...</html>" });
   * console.error(error.message);
   * console.debug(error.details);
   * ```
   */
  readonly details: string;
  /** For a redirect: the host (and port) its `Location` points at, or a note that it gave none. */
  readonly redirectHost: string | null;
  /**
   * Creates the error. `options.details` is the whole body (the excerpt when left out), whose
   * title or first line the message quotes.
   */
  constructor(
    status: number,
    excerpt: string,
    path: string,
    options?: ErrorOptions & {
      redirectHost?: string | undefined;
      details?: string | undefined;
    },
  ) {
    const redirectHost = options?.redirectHost ?? null;
    const details = options?.details ?? excerpt;
    const reason = REASONS[status];
    const statusLine = reason === undefined ? `HTTP ${status}` : `HTTP ${status} ${reason}`;
    const gist = gistOf(details);
    // The gist is left out when it only repeats the status line ("503 Service Unavailable").
    const said = gist === "" || statusLine.includes(gist) ? "" : `: ${JSON.stringify(gist)}`;
    super(
      redirectHost !== null
        ? `The server answered ${statusLine} to ${path}, a redirect to ${redirectHost}. mspe ` +
          `follows no redirects, so nothing was sent there. Give the host and port of the API ` +
          `itself (not of a proxy or load balancer that redirects).`
        : `The server answered ${statusLine} to ${path}${said}. Check the server's state and ` +
          `logs, then try again.`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "HttpError";
    this.status = status;
    this.excerpt = excerpt;
    this.details = details;
    this.redirectHost = redirectHost;
  }
}

/**
 * The reply was not what the protocol promises: not JSON, truncated, or not an envelope.
 *
 * @example
 * ```ts
 * import { ProtocolError } from "@mspe/mspe";
 * const error = new ProtocolError("The reply is not JSON.", 200, "<html>");
 * console.log(error.status, error.excerpt);
 * ```
 */
export class ProtocolError extends MspeError {
  /** The HTTP status of the reply. */
  readonly status: number;
  /** The first characters of the body, for diagnosis. */
  readonly excerpt: string;
  /** Creates the error. */
  constructor(message: string, status: number, excerpt: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ProtocolError";
    this.status = status;
    this.excerpt = excerpt;
  }
}

/** How SPE and MailStore Server word the failure of a call to a function they do not have. */
const UNKNOWN_FUNCTION = /unknown api function/i;

/**
 * The call ended with `statusCode` "failed": the server's `error.message` and `details` are here,
 * and so is the whole final status.
 *
 * @example
 * ```ts
 * import { ApiError } from "@mspe/mspe";
 * try {
 *   // await invokeCall(client, "GetUserInfo", { instanceID: "acme", userName: "nobody" });
 * } catch (error) {
 *   if (error instanceof ApiError) console.error(error.message, error.status.statusVersion);
 * }
 * ```
 */
export class ApiError extends MspeError {
  /** The final status, with `statusCode` "failed". */
  readonly status: Status;
  /** The server's exception text, when given. */
  readonly details: string | null;
  /**
   * Whether the server failed the call because it has no such function ("Unknown API function
   * …"): it is the other product, or a version without it. Decided once, here, so that nobody
   * needs to match the message.
   *
   * @example Telling a missing function from a failed one
   * ```ts
   * import { ApiError, invokeCall, newClient, uncheckedFunction } from "@mspe/mspe";
   * await using client = await newClient({ username: "admin", password: "admin" });
   * try {
   *   await invokeCall(client, uncheckedFunction("GetSomethingNew"));
   * } catch (error) {
   *   if (error instanceof ApiError && error.unknownFunction) {
   *     console.error("This server does not have GetSomethingNew; upgrade it.");
   *   } else throw error;
   * }
   * ```
   */
  readonly unknownFunction: boolean;
  /** Creates the error from a failed status. */
  constructor(fn: string, status: Status, options?: ErrorOptions) {
    super(`${fn} failed on the server: ${status.error?.message ?? "no message given"}`, options);
    this.name = "ApiError";
    this.status = status;
    this.details = status.error?.details ?? null;
    this.unknownFunction = UNKNOWN_FUNCTION.test(status.error?.message ?? "");
  }
}

/**
 * The call was cancelled (after `cancel-async`) before it finished.
 *
 * @example
 * ```ts
 * import { CancelledError } from "@mspe/mspe";
 * // An operation whose server work was cancelled rejects its `final` promise with this error.
 * console.log(CancelledError.name);
 * ```
 */
export class CancelledError extends MspeError {
  /** The final status. */
  readonly status: Status;
  /** Creates the error from the final status. */
  constructor(fn: string, status: Status, options?: ErrorOptions) {
    super(`${fn} was cancelled before it finished.`, options);
    this.name = "CancelledError";
    this.status = status;
  }
}

/**
 * An argument or option was wrong before anything was sent: unknown function, unknown or missing
 * argument, a value of the wrong type, a bad client option.
 *
 * @example
 * ```ts
 * import { ArgumentError } from "@mspe/mspe";
 * const error = new ArgumentError("GetUsers has no argument instanceId. Did you mean instanceID?");
 * console.log(error.message);
 * ```
 */
export class ArgumentError extends MspeError {
  /** Creates the error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ArgumentError";
  }
}

/**
 * The server's certificate was not accepted: untrusted, expired, for another host, or not the pinned one.
 *
 * @example
 * ```ts
 * import { TlsError } from "@mspe/mspe";
 * const error = new TlsError("The server's certificate is not trusted.");
 * console.log(error.message);
 * ```
 */
export class TlsError extends MspeError {
  /**
   * When the refusal came with a damaged entry of `tls.caCerts` (a certificate changed inside, which
   * the check before connecting cannot see): the entry's position in `caCerts`, counted from 0.
   * The message names it `caCerts[n]`; a program that read the entries from files can name the
   * file instead. `undefined` otherwise.
   *
   * @example Naming the damaged CA file
   * ```ts
   * import { newClient, TlsError } from "@mspe/mspe";
   * const files = ["company-ca.pem", "backup-ca.pem"];
   * const caCerts = await Promise.all(files.map((file) => Deno.readTextFile(file)));
   * try {
   *   await using client = await newClient({ username: "admin", password: "admin", tls: { caCerts } });
   * } catch (error) {
   *   if (error instanceof TlsError && error.caCertIndex !== undefined) {
   *     console.error(`${files[error.caCertIndex]} is damaged: export the CA certificate again.`);
   *   } else throw error;
   * }
   * ```
   */
  readonly caCertIndex: number | undefined;
  /** Creates the error; `options.caCertIndex` names a damaged `caCerts` entry. */
  constructor(message: string, options?: ErrorOptions & { caCertIndex?: number | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "TlsError";
    this.caCertIndex = options?.caCertIndex;
  }
}

/**
 * The server could not be reached, or the connection broke before a reply arrived. When it broke
 * after a state-changing call's request was written, {@linkcode ConnectionError.mayHaveRun} is
 * `true`: the server may or may not have run the call, and mspe never sends it again by itself.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "@mspe/mspe";
 * const error = new ConnectionError("Could not connect to localhost:8474. Check the host and port.");
 * console.log(error.message, error.mayHaveRun); // ... false
 * ```
 */
export class ConnectionError extends MspeError {
  /**
   * `true` when the request had been written before the connection broke, so that the server may
   * have run the call; `false` when nothing reached the server.
   *
   * @example
   * ```ts
   * import { ConnectionError } from "@mspe/mspe";
   * declare const error: ConnectionError;
   * if (error.mayHaveRun) console.error("Check on the server before you send it again.");
   * ```
   */
  readonly mayHaveRun: boolean;
  /** Creates the error; `options.mayHaveRun` when the request had been written. */
  constructor(message: string, options?: ErrorOptions & { mayHaveRun?: boolean }) {
    super(message, options);
    this.name = "ConnectionError";
    this.mayHaveRun = options?.mayHaveRun === true;
  }
}
