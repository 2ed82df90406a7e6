/**
 * `mspe-run tls-info`: shows the server's certificate (subject, validity, SHA-256 fingerprint) and a
 * ready-to-paste `--pin-sha256` flag, so that an admin can pin a self-signed certificate instead of
 * turning verification off. Internal to the CLI.
 *
 * @module
 */

import { getCertificateInfo } from "../../tls_info.ts";
import { defineCommand } from "../command.ts";
import { ExitCode } from "../exit_codes.ts";
import { TimeLimits } from "../session/timeouts.ts";
import { UsageError } from "../usage_error.ts";
import { attachProfile, readConnection } from "../settings/resolve.ts";
import { address, readCaCerts, serverPort } from "../session/connect.ts";
import { HELP_FLAGS, SERVER_FLAGS } from "../settings/flags.ts";
import { readOutput } from "../output/read_output.ts";

/** `mspe-run tls-info`. */
export const tlsInfoCommand = defineCommand({
  name: "tls-info",
  summary: "Show the server's certificate and the --pin-sha256 flag to trust exactly it.",
  usage: "mspe-run tls-info [--host <host>] [--port <port>] [flags]",
  description:
    `Connects without checking the certificate, only to look at it; no user name or password
is sent. Compare the fingerprint with the one the server's console shows (for SPE: the
certificate of the Management API HTTP server) before you pin it.

It takes the connection flags, MSPE_ variables and profile of every command that connects;
only the server, --ca-cert and --pin-sha256 (it says whether the pin matches) are used.`,
  // Every connection flag is accepted, so that a profile, an alias or flags before the command
  // (`mspe-run --profile prod tls-info`) work as for every command that connects. Only --host,
  // --port, --product, --ca-cert, --pin-sha256 and --timeout matter here: nothing is signed in.
  flags: { ...HELP_FLAGS, ...SERVER_FLAGS },
  examples: [
    "mspe-run tls-info --host spe.example.com",
    "mspe-run tls-info --host mailstore.example.com --product server --format json",
  ],
  async run(parsed, io) {
    if (parsed.positionals.length > 0) {
      throw new UsageError("tls-info takes no arguments; give the server with --host and --port.");
    }
    parsed = await attachProfile(parsed, io);
    const settings = readConnection(parsed, io);
    const out = readOutput(parsed, io);
    const caCerts = await readCaCerts(io, settings.caCertFiles);
    const port = serverPort(settings);
    // One request: its limit is the whole command's.
    const limits = new TimeLimits(settings.timeoutMs);
    const signal = limits.deadline ?? AbortSignal.timeout(limits.requestTimeoutMs);
    let info;
    try {
      info = await getCertificateInfo(settings.host, port, {
        signal,
        ...(caCerts.length > 0 ? { caCerts } : {}),
      });
    } catch (error) {
      throw limits.explain(error, address(settings));
    }
    const pin = `--pin-sha256 ${info.sha256}`;
    if (out.format === "json" || out.format === "ndjson") {
      out.show({ ...info, pinFlag: pin });
      return ExitCode.Ok;
    }
    out.show({
      host: `${info.host}:${info.port}`,
      subject: info.subject,
      issuer: info.issuer,
      validFrom: info.validFrom,
      validTo: info.validTo,
      sha256: info.sha256,
      subjectAltNames: info.subjectAltNames,
      selfSigned: info.selfSigned,
      expired: info.expired,
      accepted: info.authorized,
      whyNot: info.authorizationError,
      protocol: info.protocol,
    });
    out.line("");
    out.line(
      info.authorized
        ? "The certificate is trusted as it is. To trust exactly this certificate anyway, add:"
        : "Not trusted by default. After checking the fingerprint, trust exactly this certificate with:",
    );
    out.line(`  ${pin}`);
    if (settings.pinSha256 !== undefined) {
      out.line(
        sameFingerprint(settings.pinSha256, info.sha256)
          ? "The pin given (--pin-sha256, MSPE_PIN_SHA256 or the profile) matches this certificate."
          : "The pin given (--pin-sha256, MSPE_PIN_SHA256 or the profile) does NOT match this " +
            "certificate: the server's certificate changed, or this is not the server you pinned.",
      );
    }
    return ExitCode.Ok;
  },
});

/** Fingerprints compared as hex digits, whatever the colons and case. */
function sameFingerprint(a: string, b: string): boolean {
  const hex = (text: string) => text.replace(/[^0-9a-f]/gi, "").toLowerCase();
  return hex(a) === hex(b);
}
