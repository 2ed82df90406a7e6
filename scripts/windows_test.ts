/**
 * The Windows lane (`deno task test:windows`): runs the test suite with deno.exe for Windows under
 * Wine, on a Linux machine, as root.
 *
 * Wine 10 comes from Debian trixie, installed into a debootstrap chroot so that the host keeps its
 * own release; deno.exe comes from npm (`@deno/win32-x64`) at the version of the Deno that runs
 * this script, so both lanes test with the same Deno. Both are cached (`/var/cache/mspe-windows`,
 * or `MSPE_WINDOWS_CACHE`): the first run builds them in one and a half to two minutes, later
 * runs reuse them after checking them, and a new Deno version fetches only the new deno.exe.
 *
 * Every mount lives in a private mount namespace, inside a PID namespace that dies with this
 * process (`setpriv --pdeathsig`, `unshare --kill-child`): whatever happens to a run (a test that
 * hangs, Ctrl-C, kill -9), the host never sees one of its mounts, and no Wine process outlives it.
 * Each run writes into a throw-away overlay on the cached chroot, so one run cannot change what the
 * next one starts from.
 *
 * The last line is the lane's `windows: N passed, N failed, N skipped` (`.ci/run` adds it to the
 * Linux lane's). TypeScript rather than bash: the version comes from `Deno.version`, the test
 * command from deno.json's `test` task, and the summary is parsed where it is typed; the few
 * steps that must be inside the namespaces run as this same script, re-executed by `unshare`.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** What the cached chroot is made of; a change here rebuilds it on the next run. */
const ROOTFS_RECIPE = {
  recipe: 1,
  suite: "trixie",
  variant: "minbase",
  packages: ["wine", "wine64"],
} as const;

const DEFAULT_MIRROR = "http://deb.debian.org/debian";
const CACHE = Deno.env.get("MSPE_WINDOWS_CACHE") ?? "/var/cache/mspe-windows";
/**
 * The suite takes 2 to 11 minutes under Wine on a 2-core machine (each mspe-run subprocess starts
 * a deno.exe); a hung test must not hold CI for long.
 */
const TIMEOUT_SECONDS = Number(Deno.env.get("MSPE_WINDOWS_TIMEOUT") ?? "1800");
const PROJECT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const VERSION = Deno.version.deno;

const ROOTFS = `${CACHE}/rootfs`;
const ROOTFS_STAMP = `${CACHE}/rootfs.json`;
const DENO_EXE_DIR = `${CACHE}/deno-${VERSION}`;
/** deno.exe's own cache (npm packages, compiled modules), kept across runs. */
const DENO_DIR = `${CACHE}/deno-dir`;
const RUNS = `${CACHE}/runs`;

/** Where things are inside the chroot; Wine shows `/` as drive Z:. */
const IN_ROOT = {
  project: "/project",
  denoExe: "/opt/deno/deno.exe",
  denoDir: "/deno-dir",
  ca: "/etc/mspe-host-ca.pem",
} as const;

/** The proxy settings the host uses, passed on to apt and to deno.exe by name. */
const PROXY_VARIABLES = [
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "NPM_CONFIG_REGISTRY",
];

/** The permissions of `deno task test:windows`, also those of the re-executed script. */
export const PERMISSIONS: readonly string[] = [
  "--allow-run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=uid",
];

class LaneError extends Error {}

// ---------------------------------------------------------------------------------------------
// Small process helpers

interface RunOptions {
  /** Keep the output for the caller instead of showing it. */
  readonly quiet?: boolean;
  readonly env?: Record<string, string>;
  readonly clearEnv?: boolean;
}

/** Runs a command to its end; throws with its output when it fails. Returns its stdout. */
async function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const output = await new Deno.Command(command, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.clearEnv === undefined ? {} : { clearEnv: options.clearEnv }),
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  if (!output.success) {
    throw new LaneError(
      `${command} ${args.join(" ")} exited with ${output.code}\n${stdout}${stderr}`.trimEnd(),
    );
  }
  if (options.quiet !== true && stdout.trim() !== "") console.log(stdout.trimEnd());
  return stdout;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function commandExists(name: string): Promise<boolean> {
  const { success } = await new Deno.Command("sh", {
    args: ["-c", `command -v ${name}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return success;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(0)} s`;
}

// ---------------------------------------------------------------------------------------------
// Inside the namespaces: mounts, chroot, Wine

/** The environment Wine starts with: nothing of the host's (its Linux paths break deno.exe). */
function wineEnv(extra: Record<string, string> = {}): string[] {
  const env: Record<string, string> = {
    HOME: "/root",
    PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C.UTF-8",
    WINEPREFIX: "/root/.wine",
    WINEDEBUG: "-all",
    // Wine's start-up complains once per process without one.
    XDG_RUNTIME_DIR: "/tmp/xdg",
    ...extra,
  };
  return Object.entries(env).map(([name, value]) => `${name}=${value}`);
}

/** Runs `args` in the chroot at `root` with a clean environment. */
function inChroot(root: string, env: string[], args: string[], options: RunOptions = {}) {
  return run("chroot", [root, "/usr/bin/env", "-i", ...env, ...args], options);
}

/** Mounts what Wine and apt need: a /proc of this PID namespace, /dev, /sys, name resolution. */
async function mountSystem(root: string): Promise<void> {
  await mount(["-t", "proc", "proc"], `${root}/proc`);
  await mount(["--rbind", "/dev"], `${root}/dev`);
  await mount(["--rbind", "/sys"], `${root}/sys`);
  // Without the host's hosts file `localhost` does not resolve in the chroot.
  for (const file of ["/etc/hosts", "/etc/resolv.conf"]) {
    if (await exists(file)) await Deno.writeFile(`${root}${file}`, await Deno.readFile(file));
  }
  await Deno.mkdir(`${root}/tmp/xdg`, { recursive: true, mode: 0o700 });
}

/** Ends every Wine process of the chroot, then unmounts everything under `root`. */
async function teardown(root: string): Promise<void> {
  try {
    await inChroot(root, wineEnv(), ["wineserver", "-k"], { quiet: true });
  } catch {
    // No wineserver running: nothing to end.
  }
  try {
    await inChroot(root, wineEnv(), ["wineserver", "-w"], { quiet: true });
  } catch {
    // Same.
  }
  // The namespace drops these mounts anyway when it ends; unmounting here keeps the run's
  // directory removable right away. The last made first: the overlay under everything else.
  for (const path of mounted.splice(0).reverse()) {
    await run("umount", ["--recursive", path], { quiet: true }).catch(() =>
      run("umount", ["--recursive", "--lazy", path], { quiet: true }).catch(() => {})
    );
  }
}

/** The mount points made so far, each unmounted (with what is under it) by `teardown`. */
const mounted: string[] = [];

/** `mount ... <target>`, remembered for `teardown`. */
async function mount(args: string[], target: string): Promise<void> {
  await run("mount", [...args, target]);
  mounted.push(target);
}

function passThroughEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) {
    const value = Deno.env.get(name);
    if (value !== undefined && value !== "") env[name] = value;
  }
  return env;
}

/** `inside build <dir>`: debootstrap, Wine from Debian, a Wine prefix. */
async function insideBuild(dir: string): Promise<void> {
  const mirror = Deno.env.get("MSPE_WINDOWS_MIRROR") ?? DEFAULT_MIRROR;
  let started = performance.now();
  await run("debootstrap", [
    `--variant=${ROOTFS_RECIPE.variant}`,
    ROOTFS_RECIPE.suite,
    dir,
    mirror,
  ], { quiet: true });
  console.log(`   debootstrap ${ROOTFS_RECIPE.suite}: ${seconds(started)}`);
  await Deno.writeTextFile(
    `${dir}/etc/apt/sources.list`,
    `deb ${mirror} ${ROOTFS_RECIPE.suite} main\n`,
  );
  await mountSystem(dir);
  try {
    started = performance.now();
    const aptEnv = Object.entries({
      PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
      DEBIAN_FRONTEND: "noninteractive",
      ...passThroughEnv(),
    }).map(([name, value]) => `${name}=${value}`);
    await inChroot(dir, aptEnv, ["apt-get", "update", "-qq"], { quiet: true });
    await inChroot(dir, aptEnv, [
      "apt-get",
      "install",
      "-y",
      "-qq",
      "--no-install-recommends",
      ...ROOTFS_RECIPE.packages,
    ], { quiet: true });
    // The downloaded packages and lists are of no use to the lane: 400 MB less to keep.
    await inChroot(dir, aptEnv, ["apt-get", "clean"], { quiet: true });
    await inChroot(dir, aptEnv, ["sh", "-c", "rm -rf /var/lib/apt/lists/*"], { quiet: true });
    console.log(`   apt-get install ${ROOTFS_RECIPE.packages.join(" ")}: ${seconds(started)}`);
    started = performance.now();
    // The first start of Wine makes its prefix (the C: drive, the registry): once, here.
    await inChroot(dir, wineEnv(), ["wine", "wineboot", "--init"], { quiet: true });
    console.log(`   wineboot --init: ${seconds(started)}`);
    const wine = (await inChroot(dir, wineEnv(), ["wine", "--version"], { quiet: true })).trim();
    await Deno.writeTextFile(`${dir}/.mspe-wine-version`, wine);
  } finally {
    await teardown(dir);
  }
}

/** `inside run <json>`: the overlay, the bind mounts, a check of deno.exe, then the suite. */
async function insideRun(plan: RunPlan): Promise<number> {
  const runDir = await Deno.makeTempDir({ dir: RUNS });
  const root = `${runDir}/root`;
  for (const name of ["upper", "work", "root"]) await Deno.mkdir(`${runDir}/${name}`);
  await mount([
    "-t",
    "overlay",
    "overlay",
    "-o",
    `lowerdir=${ROOTFS},upperdir=${runDir}/upper,workdir=${runDir}/work`,
  ], root);
  try {
    await mountSystem(root);
    for (const dir of [IN_ROOT.project, IN_ROOT.denoDir, "/opt/deno"]) {
      await Deno.mkdir(`${root}${dir}`, { recursive: true });
    }
    await mount(["--bind", PROJECT], `${root}${IN_ROOT.project}`);
    await mount(["--bind", DENO_DIR], `${root}${IN_ROOT.denoDir}`);
    await mount(["--bind", "-o", "ro", DENO_EXE_DIR], `${root}/opt/deno`);
    if (plan.caFile !== null) {
      await Deno.writeFile(`${root}${IN_ROOT.ca}`, await Deno.readFile(plan.caFile));
    }
    const env = wineEnv({
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      DENO_DIR: windowsPath(IN_ROOT.denoDir),
      ...(plan.caFile === null ? {} : { DENO_CERT: windowsPath(IN_ROOT.ca) }),
      ...plan.env,
    });

    // The check: the cached deno.exe starts under Wine and is the version this lane wants.
    const version = await inChroot(root, env, ["wine", IN_ROOT.denoExe, "--version"], {
      quiet: true,
    });
    if (!version.startsWith(`deno ${VERSION} `)) {
      throw new LaneError(`the cached deno.exe says ${JSON.stringify(version.split("\n")[0])}`);
    }
    console.log(
      `== ${plan.command.join(" ")} (deno.exe ${VERSION}, Wine, timeout ${plan.timeout} s)`,
    );
    const test = new Deno.Command("chroot", {
      args: [
        root,
        "/usr/bin/env",
        "-i",
        ...env,
        "/usr/bin/env",
        `--chdir=${IN_ROOT.project}`,
        "timeout",
        "--kill-after=10",
        String(plan.timeout),
        "wine",
        IN_ROOT.denoExe,
        ...plan.command.slice(1),
      ],
      stdout: "inherit",
      stderr: "inherit",
      stdin: "null",
    });
    const { code } = await test.output();
    if (code === 124 || code === 137) console.log(`timed out after ${plan.timeout} s`);
    return code;
  } finally {
    await teardown(root);
    // Only the run's own directories: `root` is empty once unmounted, and is never recursed into
    // (were an unmount to fail, it would still hold the project).
    await Deno.remove(`${runDir}/upper`, { recursive: true });
    await Deno.remove(`${runDir}/work`, { recursive: true });
    await Deno.remove(root).catch(() => {});
    await Deno.remove(runDir).catch(() => {});
  }
}

/** `/project` as deno.exe names it under Wine. */
function windowsPath(path: string): string {
  return `Z:${path.replaceAll("/", "\\")}`;
}

// ---------------------------------------------------------------------------------------------
// Outside: the cache, the lock, the namespaces, the summary

interface RunPlan {
  readonly command: string[];
  readonly caFile: string | null;
  readonly env: Record<string, string>;
  readonly timeout: number;
}

/** Runs this script again inside a new mount and PID namespace that dies with `unshare`. */
function unshared(args: string[], stdout: "inherit" | "piped"): Deno.ChildProcess {
  // setpriv: should this process be killed outright (kill -9), `unshare` gets SIGKILL too, and
  // with it the namespace; without it, an orphaned run would go on to its own timeout.
  return new Deno.Command("setpriv", {
    args: [
      "--pdeathsig=SIGKILL",
      "--",
      "unshare",
      "--mount",
      "--propagation=private",
      "--pid",
      "--fork",
      "--kill-child",
      "--",
      Deno.execPath(),
      "run",
      "--quiet",
      "--no-config",
      ...PERMISSIONS,
      fileURLToPath(import.meta.url),
      "inside",
      ...args,
    ],
    stdout,
    stderr: "inherit",
    stdin: "null",
  }).spawn();
}

/** The child in flight, for the signal handlers: killing `unshare` ends the whole namespace. */
let current: Deno.ChildProcess | null = null;

async function waitUnshared(child: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  current = child;
  try {
    return await child.status;
  } finally {
    current = null;
  }
}

async function rootfsReady(): Promise<boolean> {
  try {
    const stamp = JSON.parse(await Deno.readTextFile(ROOTFS_STAMP)) as { recipe?: unknown };
    return JSON.stringify(stamp.recipe) === JSON.stringify(ROOTFS_RECIPE) &&
      await exists(`${ROOTFS}/usr/bin/wine`) &&
      await exists(`${ROOTFS}/root/.wine/system.reg`);
  } catch {
    return false;
  }
}

async function ensureRootfs(): Promise<boolean> {
  if (await rootfsReady()) return false;
  console.log(`== building the Wine chroot (Debian ${ROOTFS_RECIPE.suite}) in ${ROOTFS}`);
  if (!await commandExists("debootstrap")) {
    console.log("   apt-get install debootstrap");
    await run("apt-get", ["update", "-qq"], { quiet: true });
    await run("apt-get", ["install", "-y", "-qq", "debootstrap"], {
      quiet: true,
      env: { DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  const building = `${ROOTFS}.new`;
  await Deno.remove(building, { recursive: true }).catch(() => {});
  await Deno.remove(ROOTFS_STAMP).catch(() => {});
  const status = await waitUnshared(unshared(["build", building], "inherit"));
  if (!status.success) throw new LaneError("building the Wine chroot failed (see above)");
  await Deno.remove(ROOTFS, { recursive: true }).catch(() => {});
  await Deno.rename(building, ROOTFS);
  const wine = (await Deno.readTextFile(`${ROOTFS}/.mspe-wine-version`)).trim();
  await Deno.writeTextFile(
    ROOTFS_STAMP,
    JSON.stringify({ recipe: ROOTFS_RECIPE, wine, built: new Date().toISOString() }, null, 2) +
      "\n",
  );
  console.log(`   ${wine}`);
  return true;
}

/** deno.exe at this Deno's version, from npm through npm's own client (its cache, proxy, CA). */
async function ensureDenoExe(): Promise<boolean> {
  if (await exists(`${DENO_EXE_DIR}/deno.exe`)) return false;
  const name = `@deno/win32-x64@${VERSION}`;
  console.log(`== npm pack ${name}`);
  const staging = await Deno.makeTempDir({ dir: CACHE, prefix: "deno-exe-" });
  try {
    await run("npm", ["pack", "--silent", name, "--pack-destination", staging], { quiet: true });
    const tarball = `${staging}/deno-win32-x64-${VERSION}.tgz`;
    await run("tar", ["-xzf", tarball, "-C", staging, "--strip-components=1", "package/deno.exe"]);
    await Deno.mkdir(DENO_EXE_DIR);
    await Deno.rename(`${staging}/deno.exe`, `${DENO_EXE_DIR}/deno.exe`);
  } finally {
    await Deno.remove(staging, { recursive: true });
  }
  // Older versions are of no further use.
  for await (const entry of Deno.readDir(CACHE)) {
    if (/^deno-\d/.test(entry.name) && `${CACHE}/${entry.name}` !== DENO_EXE_DIR) {
      await Deno.remove(`${CACHE}/${entry.name}`, { recursive: true });
    }
  }
  return true;
}

/** The `deno test ...` part of deno.json's `test` task: one test command for both lanes. */
export async function testCommand(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${PROJECT}/deno.json`)) as {
    tasks: Record<string, string | { command: string }>;
  };
  const task = config.tasks["test"];
  const line = typeof task === "string" ? task : task?.command ?? "";
  const part = line.split("&&").map((piece) => piece.trim()).find((piece) =>
    piece.startsWith("deno test ")
  );
  if (part === undefined) throw new LaneError("deno.json's test task has no `deno test` part");
  return part.split(/\s+/);
}

/**
 * The test command with `tests/` replaced by `only` (test files or folders of the project, as
 * `deno task test:windows tests/cli_csv_test.ts` names them), for a quicker run while fixing.
 */
export function withOnly(command: readonly string[], only: readonly string[]): string[] {
  if (only.length === 0) return [...command];
  return command.flatMap((word) => word === "tests/" ? only : [word]);
}

/** npm's proxy and registry settings, for deno.exe's npm downloads when the environment has none. */
async function npmSettings(): Promise<Record<string, string>> {
  const env = passThroughEnv();
  const read = async (key: string) => {
    const value = (await run("npm", ["config", "get", key], { quiet: true }).catch(() => ""))
      .trim();
    return value === "" || value === "null" || value === "undefined" ? null : value;
  };
  const proxy = await read("https-proxy") ?? await read("proxy");
  if (proxy !== null && env["HTTPS_PROXY"] === undefined && env["https_proxy"] === undefined) {
    env["HTTPS_PROXY"] = proxy;
  }
  const registry = await read("registry");
  if (registry !== null && env["NPM_CONFIG_REGISTRY"] === undefined) {
    env["NPM_CONFIG_REGISTRY"] = registry;
  }
  return env;
}

async function hostCaFile(): Promise<string | null> {
  const candidates = [
    Deno.env.get("DENO_CERT"),
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
  ];
  for (const file of candidates) {
    if (file !== undefined && file !== "" && await exists(file)) return file;
  }
  return null;
}

/** A lane's counts, from Deno's summary line. */
export interface Counts {
  passed: number;
  failed: number;
  ignored: number;
}

/** Deno's own summary line: `FAILED | 492 passed (18 steps) | 54 failed (72 steps) | 9 ignored`. */
export function parseSummary(output: string): Counts | null {
  const lines = output.split(/\r?\n/).filter((line) => /^(ok|FAILED) \| \d+ passed/.test(line));
  const line = lines.at(-1);
  if (line === undefined) return null;
  const count = (word: string) => Number(new RegExp(`\\| (\\d+) ${word}`).exec(line)?.[1] ?? 0);
  return { passed: count("passed"), failed: count("failed"), ignored: count("ignored") };
}

/** Copies the child's stdout to ours as it comes, and keeps it for the summary. */
async function tee(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    await Deno.stdout.write(chunk);
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}

async function outside(only: readonly string[] = []): Promise<number> {
  if (Deno.build.os !== "linux") throw new LaneError("the Windows lane runs on Linux (Wine)");
  if (Deno.uid() !== 0) {
    throw new LaneError("the Windows lane needs root (debootstrap, mount, chroot): run it as root");
  }
  for (const tool of ["setpriv", "unshare", "chroot", "mount", "npm", "tar"]) {
    if (!await commandExists(tool)) throw new LaneError(`the Windows lane needs ${tool}`);
  }
  await Deno.mkdir(RUNS, { recursive: true });
  await Deno.mkdir(DENO_DIR, { recursive: true });
  const lock = await Deno.open(`${CACHE}/lock`, { create: true, write: true });
  try {
    // Set-up is exclusive; runs share the lock, each in its own overlay.
    const setupStart = performance.now();
    await lock.lock(true);
    // No run holds the shared lock now, so whatever is left under runs/ is a killed run's.
    for await (const entry of Deno.readDir(RUNS)) {
      await Deno.remove(`${RUNS}/${entry.name}`, { recursive: true }).catch(() => {});
    }
    const builtRoot = await ensureRootfs();
    const fetchedExe = await ensureDenoExe();
    await lock.unlock();
    await lock.lock(false);
    const cold = builtRoot || fetchedExe ? "built" : "cached";
    console.log(`== Windows lane set-up: ${seconds(setupStart)} (${cold}, ${CACHE})`);

    const plan: RunPlan = {
      command: withOnly(await testCommand(), only),
      caFile: await hostCaFile(),
      env: { ...await npmSettings(), ...(Deno.env.get("CI") ? { CI: "true" } : {}) },
      timeout: TIMEOUT_SECONDS,
    };
    const suiteStart = performance.now();
    const child = unshared(["run", JSON.stringify(plan)], "piped");
    current = child;
    // The backstop: should the run not end by itself after its own timeout, end the namespace.
    const backstop = setTimeout(() => {
      console.log(`the Windows lane did not end ${TIMEOUT_SECONDS + 120} s after it started`);
      child.kill("SIGKILL");
    }, (TIMEOUT_SECONDS + 120) * 1000);
    const [output, status] = await Promise.all([tee(child.stdout), waitUnshared(child)]);
    clearTimeout(backstop);
    console.log(`== Windows suite: ${seconds(suiteStart)}`);
    const counts = parseSummary(output);
    if (counts === null) {
      console.log("no test summary from deno.exe (see above)");
      printCounts({ passed: 0, failed: 1, ignored: 0 });
      return status.code === 0 ? 1 : status.code;
    }
    if (!status.success && counts.failed === 0) counts.failed = 1;
    printCounts(counts);
    return status.code;
  } finally {
    lock.close();
  }
}

function printCounts({ passed, failed, ignored }: Counts): void {
  console.log(`windows: ${passed} passed, ${failed} failed, ${ignored} skipped`);
}

async function main(): Promise<number> {
  const [mode, action, argument] = Deno.args;
  if (mode === "inside" && action === "build" && argument !== undefined) {
    await insideBuild(argument);
    return 0;
  }
  if (mode === "inside" && action === "run" && argument !== undefined) {
    return await insideRun(JSON.parse(argument) as RunPlan);
  }
  const only = Deno.args.filter((arg) => arg.startsWith("tests/"));
  if (only.length !== Deno.args.length) {
    throw new LaneError(`unknown arguments: ${Deno.args.join(" ")} (test files start with tests/)`);
  }
  // Ctrl-C or a kill: ending `unshare` ends its namespace, its mounts and every Wine process.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => {
      current?.kill("SIGKILL");
      console.log(`windows: 0 passed, 1 failed (stopped by ${signal})`);
      Deno.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  return await outside(only);
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    console.error(error instanceof LaneError ? `error: ${error.message}` : error);
    if (Deno.args[0] !== "inside") printCounts({ passed: 0, failed: 1, ignored: 0 });
    Deno.exit(1);
  }
}
