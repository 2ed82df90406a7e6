/**
 * `mspe-run profile add|list|show|remove`: named connection settings in the config file, so that
 * `--host`, `--username` and `--pin-sha256` are typed once. `add` looks at the server's certificate
 * first (as `tls-info` does, without sending credentials) and offers to pin it. Internal to the CLI.
 *
 * @module
 */

import { getCertificateInfo } from "../../tls_info.ts";
import type { FlagSpec, FlagSpecs, ParsedArgs } from "../args.ts";
import { defineCommand } from "../command.ts";
import { askYesNo, CONFIRM_FLAGS } from "../confirm.ts";
import { ExitCode } from "../exit_codes.ts";
import { type CliIo, whyUnreadable } from "../io/io.ts";
import { TimeLimits } from "../session/timeouts.ts";
import { UsageError } from "../usage_error.ts";
import { closest } from "../../_suggest.ts";
import {
  type Config,
  DEFAULT_PROFILE,
  formatConfig,
  loadConfig,
  type LoadedConfig,
  noSuchProfile,
  parseConfig,
  type Profile,
} from "../settings/config.ts";
import { address, readCaCerts, serverPort } from "../session/connect.ts";
import { PROFILE_SETTINGS, type Setting, SETTINGS } from "../settings/table.ts";
import { readTimeoutMs } from "../settings/checks.ts";
import { HELP_FLAGS, OUTPUT_FLAGS } from "../settings/flags.ts";
import { readOutput } from "../output/read_output.ts";

/** The settings a profile can keep, as flags of `profile add`: the table's, with its help for a profile. */
const PROFILE_FLAGS: FlagSpecs = Object.fromEntries(
  PROFILE_SETTINGS.map((name) => {
    const row: Setting = SETTINGS[name];
    const flag: FlagSpec = { ...row.flag, help: row.profile?.help ?? row.flag.help };
    // A profile keeps a path; stdin (-) cannot be kept.
    return [name, name === "password-file" ? { ...flag, value: "<path>" } : flag];
  }),
);

const ADD_FLAGS = {
  // Accepted like every command's --profile (before the command too): the profile to show, or
  // the name of the one to add or remove when none follows the action.
  profile: {
    ...SETTINGS.profile.flag,
    help: "The profile to show (default: MSPE_PROFILE, else default), or to add or remove " +
      "when no name follows the action.",
  },
  "no-check": {
    type: "boolean",
    help: "Save without connecting to the server (for a server that is not reachable yet).",
  },
  yes: {
    ...CONFIRM_FLAGS.yes,
    help: "Answer yes: pin the certificate seen when the system does not trust it, and replace " +
      "an existing profile of the same name.",
  },
  timeout: SETTINGS.timeout.flag,
} as const satisfies FlagSpecs;

/**
 * The output flags of list and show, but --format: it is a setting `profile add` keeps (and
 * list and show print in it as every command does).
 */
const { format: _format, ...LIST_OUTPUT_FLAGS } = OUTPUT_FLAGS;

/** `mspe-run profile`. */
export const profileCommand = defineCommand({
  name: "profile",
  summary: "Keep connection settings as named profiles in the config file.",
  usage: "mspe-run profile add <name> [--host <host> ...]\n" +
    "mspe-run profile list\n" +
    "mspe-run profile show [<name>]\n" +
    "mspe-run profile remove <name>",
  description:
    `A profile keeps the connection settings of one server: host, port, product, username,
password file (a path; never a password), CA certificate, pin, TLS version, default instance,
output format and fleet concurrency. Use it with --profile <name> or MSPE_PROFILE; the profile
named "default" applies when none is named. A flag wins over its MSPE_ variable, which wins over
the profile, which wins over the built-in default.

add connects to the server first, only to look at its certificate (no user name or password is
sent): when the system does not trust it, add shows its SHA-256 fingerprint and offers to pin it
(--yes pins it without asking; compare the fingerprint with the server's console first).
--no-check saves without connecting.

The config file is %APPDATA%\\mspe\\config.json on Windows, $XDG_CONFIG_HOME/mspe/config.json or
~/.config/mspe/config.json elsewhere; MSPE_CONFIG names another.`,
  flags: { ...HELP_FLAGS, ...PROFILE_FLAGS, ...ADD_FLAGS, ...LIST_OUTPUT_FLAGS },
  examples: [
    "# A profile for a server with a self-signed certificate: add offers to pin it",
    "mspe-run profile add prod --host spe.example.com --username admin --password-file C:\\ops\\spe.pw",
    "mspe-run --profile prod call GetInstances instanceFilter=*",
    "# The profile named default applies when none is named",
    "mspe-run profile add default --host spe-test.example.com --username admin --no-check",
    "mspe-run profile list",
    "mspe-run profile show prod --format json",
    "mspe-run profile remove prod",
  ],
  async run(parsed, io) {
    const [action, ...names] = parsed.positionals;
    switch (action) {
      case "add":
        return await add(parsed, io, oneName(withProfileFlag(parsed, names), "add"));
      case "list":
        if (names.length > 0) throw new UsageError("profile list takes no name.");
        return await list(parsed, io);
      case "show":
        if (names.length > 1) throw new UsageError("profile show takes one name.");
        return await show(parsed, io, withProfileFlag(parsed, names)[0]);
      case "remove":
        return await remove(parsed, io, oneName(withProfileFlag(parsed, names), "remove"));
      default: {
        const suggestion = action === undefined
          ? undefined
          : closest(action, ["add", "list", "show", "remove"]);
        throw new UsageError(
          `${
            action === undefined
              ? "Name what to do"
              : `Unknown profile action ${JSON.stringify(action)}`
          }: ` +
            `mspe-run profile add|list|show|remove.${
              suggestion ? ` Did you mean ${suggestion}?` : ""
            }`,
        );
      }
    }
  },
});

/** The names after the action, or the --profile flag's when none follows it. */
function withProfileFlag(parsed: ParsedArgs, names: readonly string[]): readonly string[] {
  const flag = parsed.string("profile");
  if (flag === undefined) return names;
  if (names.length === 0) return [flag];
  if (names.length === 1 && names[0] === flag) return names;
  throw new UsageError(
    `Give the profile once: either after the action or with --profile, not ${
      JSON.stringify(names[0])
    } and --profile ${flag}.`,
  );
}

function oneName(names: readonly string[], action: string): string {
  const [name, ...extra] = names;
  if (name === undefined || extra.length > 0) {
    throw new UsageError(`Give one profile name: mspe-run profile ${action} <name>.`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new UsageError(
      `The profile name ${JSON.stringify(name)} is not usable: use letters, digits, ., _ and -.`,
    );
  }
  return name;
}

async function requireConfig(io: CliIo): Promise<LoadedConfig> {
  const loaded = await loadConfig(io);
  if (loaded === undefined) {
    throw new UsageError(
      "The config file cannot be located: set HOME (APPDATA on Windows), or MSPE_CONFIG to its path.",
    );
  }
  return loaded;
}

async function save(io: CliIo, path: string, config: Config): Promise<void> {
  if (io.writeTextFile === undefined) {
    throw new UsageError(`Cannot write ${path} here.`);
  }
  const text = formatConfig(config);
  // What is written must read back: the same checks as every command's.
  parseConfig(text, path);
  try {
    await io.writeTextFile(path, text);
  } catch (error) {
    throw new UsageError(`Cannot write the config file ${path}: ${whyUnreadable(error)}.`);
  }
}

/** The profile the flags describe; only what was given, checked as every command checks it. */
function profileFromFlags(parsed: ParsedArgs): Record<string, unknown> {
  const profile: Record<string, unknown> = {};
  for (const name of PROFILE_SETTINGS) {
    const row: Setting = SETTINGS[name];
    const { key, kind } = row.profile!;
    if (kind === "strings") {
      const values = parsed.strings(name);
      if (values.length > 0) profile[key] = values.length === 1 ? values[0] : values;
      continue;
    }
    const text = parsed.string(name);
    if (text === undefined) continue;
    profile[key] = row.check === undefined ? text : row.check(text, "");
  }
  if (profile.passwordFile === "-") {
    throw new UsageError(
      "A profile keeps the path of a password file; - (stdin) cannot be kept. Give a path.",
    );
  }
  return profile;
}

async function add(parsed: ParsedArgs, io: CliIo, name: string): Promise<number> {
  const loaded = await requireConfig(io);
  const out = readOutput(parsed, io);
  const profile = profileFromFlags(parsed);
  if (Object.keys(profile).length === 0) {
    throw new UsageError(
      `Give the settings of profile ${name}, such as --host spe.example.com --username admin.`,
    );
  }
  if (Object.hasOwn(loaded.config.profiles, name)) {
    const replace = parsed.bool("yes") || await askYesNo(io, `Profile ${name} exists. Replace it?`);
    if (!replace) {
      throw new UsageError(
        `Profile ${name} exists in ${loaded.path}. Add --yes to replace it, or remove it first.`,
      );
    }
  }
  if (!parsed.bool("no-check")) await checkServer(parsed, io, out, profile);
  const profiles = { ...loaded.config.profiles, [name]: profile as Profile };
  await save(io, loaded.path, { profiles });
  out.note(
    `Saved profile ${name} in ${loaded.path}.${
      name === DEFAULT_PROFILE ? " It applies when no profile is named." : ""
    } Use it with --profile ${name}.`,
  );
  return ExitCode.Ok;
}

/**
 * Connects to the profile's server to look at its certificate. When the system (and the profile's
 * CA) do not trust it and no pin is set, offers to pin it; a pin that does not match is refused.
 */
async function checkServer(
  parsed: ParsedArgs,
  io: CliIo,
  out: ReturnType<typeof readOutput>,
  profile: Record<string, unknown>,
): Promise<void> {
  const host = typeof profile.host === "string" ? profile.host : "localhost";
  const product = profile.product === "server" ? "server" : "spe";
  const target = {
    host,
    product,
    port: typeof profile.port === "number" ? profile.port : undefined,
  } as const;
  const port = serverPort(target);
  const caFiles = typeof profile.caCert === "string"
    ? [profile.caCert]
    : Array.isArray(profile.caCert)
    ? profile.caCert as string[]
    : [];
  const caCerts = await readCaCerts(io, caFiles);
  const timeoutText = parsed.string("timeout");
  const limits = new TimeLimits(timeoutText === undefined ? undefined : readTimeoutMs(timeoutText));
  const signal = limits.deadline ?? AbortSignal.timeout(limits.requestTimeoutMs);
  let info;
  try {
    info = await getCertificateInfo(host, port, {
      signal,
      ...(caCerts.length > 0 ? { caCerts } : {}),
    });
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n", 1)[0] : String(error);
    throw new UsageError(
      `Cannot reach ${
        address(target)
      } to check it (${why}). Check --host and --port, or add --no-check ` +
        "to save the profile without checking.",
    );
  }
  const normalize = (pin: string) => pin.replace(/[:\s]/g, "").toUpperCase();
  io.stderr.write(
    `${host}:${port} shows the certificate of ${info.subject}\n  issued by ${info.issuer}, ` +
      `valid until ${info.validTo}\n  SHA-256 ${info.sha256}\n`,
  );
  if (typeof profile.pinSha256 === "string") {
    if (normalize(profile.pinSha256) !== normalize(info.sha256)) {
      throw new UsageError(
        `The server's certificate does not match --pin-sha256: it shows ${info.sha256}. ` +
          "Check which certificate the server should have before you pin it.",
      );
    }
    out.note("The pin matches the server's certificate.");
    return;
  }
  if (info.authorized) {
    out.note("The certificate is trusted; no pin is needed.");
    return;
  }
  const pin = parsed.bool("yes") ||
    await askYesNo(
      io,
      `The certificate is not trusted (${
        info.authorizationError ?? "unknown issuer"
      }). Compare the fingerprint with the server's console. Pin it?`,
    );
  if (!pin) {
    throw new UsageError(
      "Not saved: the server's certificate is not trusted and was not pinned. Add --yes to pin " +
        "it, --pin-sha256 <fingerprint>, --ca-cert <pem>, or --no-check to save anyway.",
    );
  }
  profile.pinSha256 = info.sha256;
  out.note(`Pinned the certificate with SHA-256 ${info.sha256}.`);
}

async function list(parsed: ParsedArgs, io: CliIo): Promise<number> {
  const loaded = await requireConfig(io);
  const out = readOutput(parsed, io, "table");
  const rows = Object.entries(loaded.config.profiles).map(([name, profile]) => ({
    name,
    host: profile.host ?? null,
    port: profile.port ?? null,
    product: profile.product ?? null,
    username: profile.username ?? null,
    trust: profile.pinSha256 !== undefined ? "pin" : profile.caCert !== undefined ? "ca" : null,
  }));
  if (rows.length === 0) {
    out.note(
      `No profiles in ${loaded.path}${
        loaded.exists ? "" : " (it does not exist yet)"
      }. Add one with \`mspe-run profile add <name> --host <host> ...\`.`,
    );
    if (out.format === "json" || out.format === "ndjson") out.show([]);
    return ExitCode.Ok;
  }
  out.show(rows);
  out.note(`From ${loaded.path}.`);
  return ExitCode.Ok;
}

async function show(parsed: ParsedArgs, io: CliIo, name: string | undefined): Promise<number> {
  const loaded = await requireConfig(io);
  const out = readOutput(parsed, io);
  const wanted = name ?? io.env("MSPE_PROFILE") ?? DEFAULT_PROFILE;
  const profile = loaded.config.profiles[wanted];
  if (profile === undefined || !Object.hasOwn(loaded.config.profiles, wanted)) {
    throw noSuchProfile(loaded, wanted);
  }
  out.show({ name: wanted, ...profile });
  out.note(`From ${loaded.path}.`);
  return ExitCode.Ok;
}

async function remove(parsed: ParsedArgs, io: CliIo, name: string): Promise<number> {
  const loaded = await requireConfig(io);
  const out = readOutput(parsed, io);
  if (!Object.hasOwn(loaded.config.profiles, name)) throw noSuchProfile(loaded, name);
  const profiles = { ...loaded.config.profiles };
  delete profiles[name];
  await save(io, loaded.path, { profiles });
  out.note(`Removed profile ${name} from ${loaded.path}.`);
  return ExitCode.Ok;
}
