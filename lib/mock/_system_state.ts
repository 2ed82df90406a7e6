/**
 * The system-wide part of the simulated server that is not per instance: client access servers,
 * the system SMTP settings, the license, API passwords, and the outbox where functions that talk
 * to the outside world (SendStatusReport, TestSystemSmtpConfiguration, PairWithManagementServer,
 * ReloadBranding, CreateLicenseRequest, CreateBackup, ...) record what they would have done.
 *
 * Plain data only (strings, numbers, arrays, Maps), so the state can be saved generically.
 *
 * @module
 */

import type { ProblemLevel } from "./_model.ts";

/** A client access server of the SPE. */
export interface MockClientAccessServer {
  /** Host name. */
  serverName: string;
  /** Port (8473 by default). */
  port: number;
  /** SHA-1 thumbprint of its certificate. */
  thumbprint: string;
  /** Whether it answers (false: GetServiceStatus reports it). */
  active: boolean;
}

/** Something the mock would have sent or done outside itself. */
export interface MockOutboxEntry {
  /** When (UTC, "YYYY-MM-DDThh:mm:ss"). */
  timeUtc: string;
  /** What: `statusReport`, `smtpTest`, `pairing`, `brandingReload`, `licenseRequest`, `backup`, ... */
  kind: string;
  /** The function that did it. */
  fn: string;
  /** Its details (recipients, server, counts); never a password. */
  details: Record<string, unknown>;
}

/** A logged-on session (MailStore Server GetActiveSessions). */
export interface MockSession {
  /** User name. */
  userName: string;
  /** Client application. */
  clientApplication: string;
  /** Client address. */
  ipAddress: string;
  /** Logon time (UTC, "YYYY-MM-DDThh:mm:ss"). */
  logonTimeUtc: string;
}

/** The system-wide state. */
export interface SystemState {
  /** Client access servers (SPE). */
  clientAccessServers: MockClientAccessServer[];
  /** The system SMTP settings (Get/SetSystemSmtpConfiguration); `password` is always null here. */
  smtp: Record<string, unknown>;
  /** The SMTP password set through the API; never sent in any reply. */
  smtpPassword: string | null;
  /** API passwords of system administrators (CreateSystemAdministratorAPIPassword), by lower-case name. */
  apiPasswords: Map<string, string>;
  /** The license. */
  license: {
    licenseeName: string;
    licenseeID: number;
    licenseType: string;
    numberOfLicenses: number;
    validUntilUtc: string;
    /** What CanRunArchiveProfiles answers. */
    canRunArchiveProfiles: boolean;
  };
  /** The service certificate (MailStore Server SetServiceCertificate). */
  serviceCertificateThumbprint: string;
  /** When the master key was last renewed (UTC), or null. */
  masterKeyRenewedUtc: string | null;
  /** When the master database was last compacted (UTC), or null. */
  masterDatabaseCompactedUtc: string | null;
  /** Sessions other than the caller's (MailStore Server). */
  sessions: MockSession[];
  /** What was sent or done outside, in order. */
  outbox: MockOutboxEntry[];
}

function thumbprintFrom(random: () => number): string {
  let thumbprint = "";
  for (let i = 0; i < 40; i++) thumbprint += "0123456789ABCDEF"[Math.floor(random() * 16)];
  return thumbprint;
}

/** The seeded system state; `many` problems add a client access server that does not answer. */
export function seedSystem(random: () => number, problems: ProblemLevel, now: number): SystemState {
  const clientAccessServers: MockClientAccessServer[] = [{
    serverName: "spe.mock.test",
    port: 8473,
    thumbprint: "0F1E2D3C4B5A69788796A5B4C3D2E1F00F1E2D3C",
    active: true,
  }];
  if (problems === "many") {
    clientAccessServers.push({
      serverName: "cas02.spe.mock.test",
      port: 8473,
      thumbprint: thumbprintFrom(random),
      active: false,
    });
  }
  const day = new Date(now).toISOString().slice(0, 10);
  return {
    clientAccessServers,
    smtp: {
      serverName: "smtp.spe.mock.test",
      port: 587,
      protocol: "SMTP-TLS",
      ignoreSslPolicyErrors: false,
      authenticationRequired: true,
      userName: "spe@spe.mock.test",
      password: null,
      fromEmailAddress: "spe@spe.mock.test",
      fromDisplayName: "MailStore SPE",
      recipientEmailAddress: "admin@spe.mock.test",
    },
    smtpPassword: null,
    apiPasswords: new Map(),
    license: {
      licenseeName: "Mock Hosting Inc.",
      licenseeID: 1234,
      licenseType: "Service Provider",
      numberOfLicenses: 5000,
      validUntilUtc: `${Number(day.slice(0, 4)) + 1}${day.slice(4)}T00:00:00`,
      canRunArchiveProfiles: true,
    },
    serviceCertificateThumbprint: thumbprintFrom(random),
    masterKeyRenewedUtc: null,
    masterDatabaseCompactedUtc: null,
    sessions: [{
      userName: "jane.smith",
      clientApplication: "MailStore Web Access",
      ipAddress: "10.0.0.23",
      logonTimeUtc: `${day}T07:12:40`,
    }],
    outbox: [],
  };
}
