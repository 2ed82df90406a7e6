/**
 * How messages name the server a request went to.
 *
 * Internal module.
 *
 * @module
 */

/**
 * The server of `url` as `host:port` for messages (`[::1]:8474` for IPv6; the port even when it is
 * the scheme's default), or "the server" when the URL does not parse. Never a path, a query or
 * user info, which may hold data.
 *
 * @example
 * ```ts
 * import { serverName } from "./_server_name.ts";
 * serverName("https://[::1]:8474/api/get-metadata"); // "[::1]:8474"
 * ```
 */
export function serverName(url: string): string {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
    return `${parsed.hostname}:${port}`;
  } catch {
    return "the server";
  }
}

/**
 * `host:port` for messages and URLs, with an IPv6 address in brackets (`[::1]:8474`).
 *
 * @example
 * ```ts
 * import { joinHostPort } from "./_server_name.ts";
 * joinHostPort("::1", 8474); // "[::1]:8474"
 * ```
 */
export function joinHostPort(host: string, port: number): string {
  return `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}
