/**
 * The help of one API function, like PowerShell's `Get-Help -Full`: what it does, whether it runs
 * long or destroys something, each argument with its type, whether it is mandatory, its allowed
 * values and (for json arguments) its fields, the result's fields where they are known, and a
 * ready example in PowerShell and POSIX shell form. Used by `mspe-run help <Function>`,
 * `mspe-run call <Function> --help` and `mspe-run functions <Function>`. Internal to the CLI.
 *
 * @module
 */

import type { CatalogArgument, CatalogFunction, Product } from "../../metadata.ts";
import { resultFields } from "../output/result_fields.ts";
import { shellQuote } from "../output/shell_quote.ts";

/** Sample values for arguments the examples often need, by argument name. */
const SAMPLES: Readonly<Record<string, string | number | boolean>> = {
  instanceID: "acme",
  instanceIDs: "acme",
  instanceFilter: "acme",
  userName: "bob",
  fullName: "Bob",
  emailAddress: "bob@example.com",
  emailAddresses: "bob@example.com",
  id: 1,
  storeID: 1,
  jobID: 1,
  name: "store1",
  folder: "bob",
  privileges: "login,changePassword",
  serverName: "spe1.example.com",
  instanceHost: "spe1.example.com",
  port: 8474,
  alias: "acme",
  displayName: "Acme",
  // As SPE reports them (functions.md, the tutorial's GetInstances output).
  startMode: "automatic",
  baseDirectory: "E:\\MailStore\\acme",
  path: "E:\\MailStore\\acme\\Data",
  databasePath: "E:\\MailStore\\acme\\Data\\2026-01",
  thumbprint: "A6153D0E9B2C7F4E81D6C0A2B5E9F3D7C1A4EE12",
  serverType: "instanceHost",
  fromFolder: "bob/Inbox",
  toFolder: "bob/Archive",
  // Ready to run as they are (none needs quoting in any shell): a month of history, in UTC.
  fromIncluding: "2026-01-01T00:00:00",
  toExcluding: "2026-02-01T00:00:00",
  timeZoneID: "UTC",
  timeZoneId: "UTC",
  recipients: "admin@example.com",
  oldUserName: "bob",
  newUserName: "robert",
  reason: "cleanup",
};

function sampleScalar(name: string, type: string, enums: readonly (string | number)[] | undefined) {
  if (enums && enums.length > 0) return enums[0]!;
  if (Object.hasOwn(SAMPLES, name)) {
    const known = SAMPLES[name]!;
    if (type === "number" && typeof known !== "number") return 1;
    if (type === "string" && typeof known !== "string") return String(known);
    return known;
  }
  if (type === "number") return 1;
  if (type === "bool") return true;
  // A placeholder that needs no quoting in any shell.
  return `my${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

/** An example value for a json argument's documented fields (nested objects included). */
function sampleObject(fields: { readonly [field: string]: unknown }): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [field, type] of Object.entries(fields)) {
    if (typeof type === "object" && type !== null) {
      value[field] = sampleObject(type as { readonly [field: string]: unknown });
    } else {
      const note = String(type);
      const simple = note === "number" || note === "bool" ? note : "string";
      value[field] = sampleScalar(field, simple, undefined);
    }
  }
  return value;
}

function sampleJson(arg: CatalogArgument): string {
  return JSON.stringify(arg.fields ? sampleObject(arg.fields) : {});
}

/** The two forms of an example: PowerShell lines and POSIX shell lines. */
export interface ExampleCommand {
  /** PowerShell (Windows PowerShell 5.1 and PowerShell 7). */
  readonly powershell: readonly string[];
  /** sh, bash, zsh. */
  readonly posix: readonly string[];
}

/**
 * A ready example call of `fn` with its mandatory arguments: secrets from stdin or a file (never
 * on the command line), json arguments from stdin or a file in PowerShell (Windows PowerShell 5.1
 * drops the quotes inside a JSON argument) and single-quoted in POSIX shells.
 *
 * @example
 * ```ts
 * import { findFunction } from "../../catalog.ts";
 * import { exampleCommand } from "./function_help.ts";
 * const fn = findFunction("spe", "GetUsers")!;
 * console.log(exampleCommand(fn, "spe").posix); // ["mspe-run call GetUsers instanceID=acme"]
 * ```
 */
export function exampleCommand(fn: CatalogFunction, product: Product): ExampleCommand {
  const mandatory = fn.args.filter((arg) => !arg.nullable);
  const psBefore: string[] = [];
  const shBefore: string[] = [];
  const ps: string[] = [];
  const sh: string[] = [];
  let psStdin: string | undefined;
  let shStdin: string | undefined;
  for (const arg of mandatory) {
    if (arg.secret) {
      // The first secret comes from stdin, any other from a file; neither is on the command line.
      if (psStdin === undefined) {
        psStdin = `Get-Content ${arg.name}.txt | `;
        shStdin = ` < ${arg.name}.txt`;
        ps.push(`${arg.name}=@-`);
        sh.push(`${arg.name}=@-`);
      } else {
        ps.push(`${arg.name}=@${arg.name}.txt`);
        sh.push(`${arg.name}=@${arg.name}.txt`);
      }
      continue;
    }
    if (arg.type === "json") {
      const json = sampleJson(arg);
      sh.push(`${arg.name}='${json}'`);
      if (psStdin === undefined && !mandatory.some((a) => a.secret)) {
        psStdin = `'${json}' | `;
        ps.push(`${arg.name}=@-`);
      } else {
        psBefore.push(`Set-Content ${arg.name}.json '${json}'`);
        ps.push(`${arg.name}=@${arg.name}.json`);
      }
      continue;
    }
    // No sample holds a space or a quote, so PowerShell takes each as it is; a POSIX shell would
    // eat the backslashes of a Windows path.
    const value = String(sampleScalar(arg.name, arg.type, arg.enums));
    ps.push(`${arg.name}=${value}`);
    sh.push(`${arg.name}=${shellQuote(value)}`);
  }
  const productFlag = product === "server" ? " --product server" : "";
  const tail = (args: string[]) => (args.length > 0 ? ` ${args.join(" ")}` : "") + productFlag;
  const psLine = `${psStdin ?? ""}mspe-run call ${fn.name}${tail(ps)}`;
  const shLine = `mspe-run call ${fn.name}${tail(sh)}${shStdin ?? ""}`;
  return { powershell: [...psBefore, psLine], posix: [...shBefore, shLine] };
}

function fieldLines(fields: { readonly [field: string]: unknown }, depth: number): string[] {
  const lines: string[] = [];
  const pad = " ".repeat(depth);
  for (const [field, type] of Object.entries(fields)) {
    if (typeof type === "object" && type !== null) {
      lines.push(`${pad}${field}: object with`);
      lines.push(...fieldLines(type as { readonly [field: string]: unknown }, depth + 2));
    } else {
      lines.push(`${pad}${field}: ${String(type)}`);
    }
  }
  return lines;
}

/** Prose indented by `n` spaces and wrapped at word boundaries to fit 100 columns. */
function paragraph(text: string, n: number): string[] {
  const room = 100 - n;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines.map((l) => `${" ".repeat(n)}${l}`);
}

/** The product's name for headings. */
function productName(product: Product): string {
  return product === "server" ? "MailStore Server" : "MailStore SPE";
}

/**
 * The whole help text of one function.
 *
 * @example
 * ```ts
 * import { findFunction } from "../../catalog.ts";
 * import { functionHelp } from "./function_help.ts";
 * console.log(functionHelp(findFunction("spe", "CreateInstance")!, "spe"));
 * ```
 */
export function functionHelp(fn: CatalogFunction, product: Product): string {
  const indent = (text: string, n = 4) => `${" ".repeat(n)}${text}`;
  const lines: string[] = [
    "NAME",
    indent(`${fn.name}  (${productName(product)}${fn.group ? `, group ${fn.group}` : ""})`),
    "",
    "DESCRIPTION",
    ...paragraph(fn.description, 4),
  ];
  if (fn.longRunning) {
    lines.push(
      ...paragraph(
        "Long-running: mspe-run shows its progress on stderr and waits for the end; --no-wait " +
          "prints its token at once (follow it with mspe-run watch <token>).",
        4,
      ),
    );
  }
  if (fn.destructive) {
    lines.push(
      ...paragraph(
        `Destructive: ${fn.destructive} mspe-run call shows what it will touch and asks first ` +
          "(y/N on a terminal); --yes answers for it, --what-if only shows.",
        4,
      ),
    );
  }
  if (fn.readOnly) lines.push(indent("Read-only: it changes nothing on the server."));
  const syntax = fn.args.map((arg) => {
    const value = arg.type === "bool" ? "<true|false>" : `<${arg.type}>`;
    return arg.nullable ? `[${arg.name}=${value}]` : `${arg.name}=${value}`;
  });
  lines.push("", "SYNTAX", indent(["mspe-run call", fn.name, ...syntax].join(" ")), "");
  lines.push("ARGUMENTS");
  if (fn.args.length === 0) lines.push(indent("None."));
  for (const arg of fn.args) {
    lines.push(indent(`${arg.name} <${arg.type}>  ${arg.nullable ? "Optional" : "Mandatory"}`));
    const notes: string[] = [];
    if (arg.nullable) notes.push("Leave it out to not send it.");
    if (arg.type === "bool") notes.push("true or false.");
    if (arg.type === "number") notes.push("A number.");
    if (arg.type === "json") notes.push("JSON text, or @file.json, or @- for stdin.");
    if (arg.list) notes.push("A comma-separated list.");
    if (arg.enums) notes.push(`One of: ${arg.enums.join(", ")}.`);
    if (arg.secret) {
      notes.push("Secret: give it as @file or @- (stdin), never on the command line.");
    }
    lines.push(...paragraph(notes.join(" "), 8));
    if (arg.fields) {
      lines.push(indent("Fields:", 8), ...fieldLines(arg.fields, 10));
    }
  }
  lines.push("", "RESULT");
  const result = resultFields(product, fn.name);
  if (result) {
    lines.push(indent(result.list ? "A list of objects with these fields:" : "An object:"));
    const width = Math.max(...Object.keys(result.fields).map((f) => f.length));
    for (const [field, type] of Object.entries(result.fields)) {
      lines.push(indent(`${field.padEnd(width)}  ${type}`, 6));
    }
  } else {
    lines.push(
      ...paragraph(
        "Not described in the catalogue: see it with --format json (--status for the whole " +
          "status object).",
        4,
      ),
    );
  }
  const example = exampleCommand(fn, product);
  lines.push("", "EXAMPLE", indent("PowerShell:"));
  lines.push(...example.powershell.map((line) => indent(line, 6)));
  if (fn.readOnly) {
    // Piped output is JSON: ConvertFrom-Json makes objects to work with.
    lines.push(indent(`$result = ${example.powershell.at(-1)} | ConvertFrom-Json`, 6));
  }
  lines.push(indent("sh, bash, zsh:"));
  lines.push(...example.posix.map((line) => indent(line, 6)));
  return `${lines.join("\n")}\n`;
}
