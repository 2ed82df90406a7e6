/**
 * The baseline of the client benchmarks: one API call by bare fetch (POST, the client's headers
 * and form body, reading and parsing the reply), on a given pool.
 *
 * @module
 */

const HEADERS = {
  "authorization": `Basic ${btoa("admin:admin")}`,
  "content-type": "application/x-www-form-urlencoded; charset=utf-8",
  "accept": "application/json",
};

/**
 * Returns `bare(fn, body)`, which invokes `fn` at `baseUrl` with the mock's admin/admin on `pool`
 * and resolves to the parsed reply; a reply other than a succeeded status throws.
 */
export function bareCaller(
  baseUrl: string,
  pool: Deno.HttpClient,
): (fn: string, body: string) => Promise<unknown> {
  return async (fn, body) => {
    const response = await fetch(`${baseUrl}/api/invoke/${fn}`, {
      method: "POST",
      headers: HEADERS,
      body,
      client: pool,
    });
    const value = JSON.parse(await response.text());
    if (response.status !== 200 || value.statusCode !== "succeeded") throw new Error("bad reply");
    return value;
  };
}
