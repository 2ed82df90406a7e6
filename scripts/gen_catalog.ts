/**
 * Generates the function catalogue (`lib/_catalog/spe.ts`, `lib/_catalog/server.ts`) from the shared
 * spec (`../shared/spec/spe-functions.json`, `server-functions.json`). The output is committed, so the
 * package builds without `../shared`; run `deno task gen` after the spec changes.
 *
 * @module
 */

interface SpecArgument {
  name: string;
  type: "string" | "number" | "bool" | "json";
  nullable: boolean;
  enums?: (string | number)[];
  "x-list"?: boolean;
  configShape?: Record<string, unknown>;
  "x-observedShape"?: Record<string, unknown>;
}

interface SpecFunction {
  name: string;
  args: SpecArgument[];
  description: string;
  group: string;
  "x-longRunning"?: boolean;
}

/**
 * Functions that only read: sending one twice changes nothing on the server. Everything else may
 * change state, so the client sends it at most once (issue 7). `Get*` functions read, with the
 * exceptions below; the other readers are listed by name.
 */
const READ_ONLY_EXTRA = new Set(["Ping", "CanRunArchiveProfiles"]);
const NOT_READ_ONLY = new Set<string>([]);

function isReadOnly(name: string): boolean {
  if (NOT_READ_ONLY.has(name)) return false;
  return name.startsWith("Get") || READ_ONLY_EXTRA.has(name);
}

/**
 * Functions that delete, stop, freeze, detach, merge, overwrite or reset something, each with the
 * one line that mspe-run shows before it asks for confirmation. Shared by SPE and Server where the
 * name exists in both.
 */
const DESTRUCTIVE: Readonly<Record<string, string>> = {
  DeleteInstances: "Deletes the instances and all their archived e-mail.",
  StopInstances: "Stops the instances: their users cannot reach the archive and jobs do not run.",
  RestartInstances: "Restarts the instances, interrupting users and running jobs.",
  FreezeInstances: "Freezes the instances: nobody can use them until they are thawed.",
  DeleteUser: "Deletes the user and the user's archive access.",
  DeleteAppPasswords: "Deletes every app password of the user; their mail clients stop working.",
  DisableMFA: "Turns off multi-factor authentication for the user.",
  InitializeMFA: "Resets the user's multi-factor authentication; it must be set up again.",
  ClearUserPrivilegesOnFolders: "Removes every folder privilege the user has.",
  SyncUsersWithDirectoryServices:
    "May delete or change users to match the directory (use dryRun=true to preview).",
  DetachStore: "Detaches the archive store: its e-mail is no longer searchable.",
  MergeStore: "Merges one archive store into another and removes the source store.",
  RecoverStore: "Rebuilds the store's database from recovery records, replacing the database.",
  RepairStoreDatabase: "Repairs the store's database; damaged entries may be removed.",
  DeleteEmptyFolders: "Deletes every empty folder under the given folder.",
  DeleteMessage: "Deletes an archived message for good.",
  ProcessRetentionPolicies: "Deletes archived e-mail whose retention period has ended.",
  SetRetentionPolicies: "Replaces every retention policy; messages may become due for deletion.",
  SetComplianceConfiguration:
    "Overwrites the compliance configuration (legal hold, archive access).",
  DeleteJob: "Deletes the job.",
  DeleteProfile: "Deletes the archiving profile.",
  CancelJobAsync: "Cancels the running job.",
  DeleteInstanceHost: "Removes the instance host from SPE.",
  DeleteClientAccessServer: "Removes the client access server from SPE.",
  DeleteSystemAdministrator: "Deletes the system administrator.",
  DeactivateSystemAdministratorMFA:
    "Turns off multi-factor authentication for the system administrator.",
  InitializeSystemAdministratorMFA:
    "Resets the system administrator's multi-factor authentication; it must be set up again.",
  RenewMasterKey: "Replaces the master key; keep the new one, older backups need the old one.",
  SetDirectoryServicesConfiguration:
    "Replaces the whole directory services configuration; the next sync follows the new one.",
  SetInstanceConfiguration:
    "Overwrites the instance's configuration (host, directories, start mode) with the one given.",
  SetStorePath: "Points the archive store at another folder; a wrong path makes it unavailable.",
  SetServiceCertificate:
    "Replaces the server's TLS certificate; clients that pinned the old one stop connecting.",
};

/** String arguments that carry a secret: redacted from every error, trace and line of output. */
const SECRET_ARGUMENTS = new Set(["password", "passphrase", "encryptionKey"]);

const specDir = new URL("../../shared/spec/", import.meta.url);
const outDir = new URL("../lib/_catalog/", import.meta.url);

function literal(value: string | number): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function shapeType(shape: unknown, indent: string): string {
  if (shape === "string") return "string";
  if (shape === "number") return "number";
  if (shape === "bool") return "boolean";
  if (typeof shape === "object" && shape !== null) {
    const inner = indent + "  ";
    const fields = Object.entries(shape).map(([key, value]) =>
      `${inner}readonly ${key}?: ${shapeType(value, inner)};`
    );
    return `{\n${fields.join("\n")}\n${indent}}`;
  }
  return "unknown";
}

function argType(arg: SpecArgument, indent: string): string {
  switch (arg.type) {
    case "bool":
      return "boolean";
    case "json":
      return arg.configShape ? `${shapeType(arg.configShape, indent)} | string` : "JsonArgument";
    case "number":
    case "string": {
      const base = arg.enums?.length ? arg.enums.map(literal).join(" | ") : arg.type;
      if (!arg["x-list"]) return base;
      return arg.enums?.length ? `${base} | readonly (${base})[]` : `${base} | readonly ${base}[]`;
    }
  }
}

const example = { spe: "GetUserInfo", server: "GetUserInfo" };
const exampleArgs = {
  spe: `{ instanceID: "acme", userName: "john.doe" }`,
  server: `{ userName: "john.doe" }`,
};

function generate(product: "spe" | "server", spec: SpecFunction[]): string {
  const upper = product.toUpperCase();
  const title = product === "spe" ? "Spe" : "Server";
  const sorted = [...spec].sort((a, b) => a.name.localeCompare(b.name));
  const catalog = sorted.map((fn) => ({
    name: fn.name,
    args: fn.args.map((arg) => ({
      name: arg.name,
      type: arg.type,
      nullable: arg.nullable,
      ...(arg.enums ? { enums: arg.enums } : {}),
      list: arg["x-list"] === true,
      ...(SECRET_ARGUMENTS.has(arg.name) ? { secret: true } : {}),
      ...(arg.configShape ?? arg["x-observedShape"]
        ? { fields: arg.configShape ?? arg["x-observedShape"] }
        : {}),
    })),
    description: fn.description,
    group: fn.group,
    longRunning: fn["x-longRunning"] === true,
    readOnly: isReadOnly(fn.name),
    ...(DESTRUCTIVE[fn.name] ? { destructive: DESTRUCTIVE[fn.name] } : {}),
  }));
  const unknown = Object.keys(DESTRUCTIVE).filter((name) => !spec.some((fn) => fn.name === name));
  if (product === "server") {
    const neither = unknown.filter((name) => !SPE_NAMES.has(name));
    if (neither.length) throw new Error(`DESTRUCTIVE names unknown functions: ${neither}`);
  }
  const lines: string[] = [];
  lines.push(
    `// Generated by scripts/gen_catalog.ts from ../shared/spec/${product}-functions.json. Do not edit.`,
    `import type { CatalogFunction, JsonArgument } from "../metadata.ts";`,
    ``,
    `/** Every ${
      product === "spe" ? "SPE Management API" : "MailStore Server Administration API"
    } function with its arguments (${catalog.length}). */`,
    `export const ${upper}_CATALOG: readonly CatalogFunction[] = ${
      JSON.stringify(catalog, null, 2)
    };`,
    ``,
    `/**`,
    ` * The arguments of every ${upper} function, by function name: mandatory arguments are required`,
    ` * properties, nullable ones optional, documented values are literal unions.`,
    ` *`,
    ` * @example`,
    ` * \`\`\`ts`,
    ` * import type { ${title}Args } from "@mspe/mspe";`,
    ` * const args: ${title}Args["${example[product]}"] = ${exampleArgs[product]};`,
    ` * console.log(args);`,
    ` * \`\`\``,
    ` */`,
    `export interface ${title}Args {`,
  );
  for (const fn of sorted) {
    lines.push(`  /** ${fn.description.replaceAll("*/", "* /")} */`);
    if (fn.args.length === 0) {
      lines.push(`  ${fn.name}: Record<string, never>;`);
      continue;
    }
    lines.push(`  ${fn.name}: {`);
    for (const arg of fn.args) {
      const optional = arg.nullable ? "?" : "";
      lines.push(`    readonly ${arg.name}${optional}: ${argType(arg, "    ")};`);
    }
    lines.push(`  };`);
  }
  lines.push(
    `}`,
    ``,
    `/**`,
    ` * The name of an ${upper} function.`,
    ` *`,
    ` * @example`,
    ` * \`\`\`ts`,
    ` * import type { ${title}FunctionName } from "@mspe/mspe";`,
    ` * const fn: ${title}FunctionName = "${example[product]}";`,
    ` * console.log(fn);`,
    ` * \`\`\``,
    ` */`,
  );
  lines.push(`export type ${title}FunctionName = keyof ${title}Args;`, ``);
  return lines.join("\n");
}

const SPE_NAMES = new Set(
  (JSON.parse(await Deno.readTextFile(new URL("spe-functions.json", specDir))) as SpecFunction[])
    .map((fn) => fn.name),
);

for (const product of ["spe", "server"] as const) {
  const text = await Deno.readTextFile(new URL(`${product}-functions.json`, specDir));
  const spec = JSON.parse(text) as SpecFunction[];
  const out = new URL(`${product}.ts`, outDir);
  await Deno.writeTextFile(out, generate(product, spec));
  console.log(`wrote ${out.pathname} (${spec.length} functions)`);
}
