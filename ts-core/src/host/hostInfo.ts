import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { execa } from 'execa';
import type { HostClass } from '../isolation/defaults.js';

export interface HostOs {
  platform: string;
  /** Human name: "Debian GNU/Linux 12 (bookworm)", "Windows Server 2022 Datacenter". */
  name: string;
  /** Kernel or NT version string as the OS reports it. */
  version: string;
  /** Windows build number; null elsewhere. */
  build: number | null;
  /** Windows update build revision (the registry's UBR: 10.0.14393.<UBR>); null elsewhere or unread. */
  revision: number | null;
  hostClass: HostClass | null;
  architecture: string;
}

let hostOs: Readonly<HostOs> | undefined;

/**
 * What kind of host this is, read once per core process: the OS, its build
 * and its update revision change only across a reboot, which no core
 * survives, and on Windows reading them costs a reg.exe process. An answer
 * with a gap (reg.exe failed or timed out, so no class or revision) is not
 * kept: the next caller reads again. No side effects; every source is optional.
 */
export async function readHostOs(): Promise<Readonly<HostOs>> {
  if (hostOs) return hostOs;
  const value = Object.freeze(await readHostOsNow());
  if (isComplete(value)) hostOs = value;
  return value;
}

/** Whether an answer holds everything its platform can tell: on Windows the build, the revision and the host class. */
export function isComplete(value: HostOs): boolean {
  return value.platform !== 'win32' || (value.build !== null && value.revision !== null && value.hostClass !== null);
}

async function readHostOsNow(): Promise<HostOs> {
  if (process.platform === 'win32') return readWindowsOs();
  return {
    platform: process.platform,
    name: (await readOsReleaseName()) ?? `${os.type()} ${os.release()}`,
    version: os.release(),
    build: null,
    revision: null,
    hostClass: null,
    architecture: os.arch(),
  };
}

async function readOsReleaseName(): Promise<string | null> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const match = /^PRETTY_NAME=(?:"([^"\n]*)"|([^\n]*))$/m.exec(text);
    return match ? (match[1] ?? match[2] ?? null) : null;
  } catch {
    return null;
  }
}

const ntKey = 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion';

async function readWindowsOs(): Promise<HostOs> {
  const release = os.release(); // "10.0.20348"
  const build = Number.parseInt(release.split('.')[2] ?? '', 10);
  const values = await readRegistryValues(ntKey, ['ProductName', 'InstallationType', 'UBR']);
  const revision = Number.parseInt(values.get('UBR') ?? '', 16);
  const installationType = values.get('InstallationType') ?? '';
  // "Server", "Server Core" and "Nano Server" are Server SKUs; "Client" is Windows 10/11.
  const hostClass: HostClass | null = /server/i.test(installationType) ? 'Server' : /client/i.test(installationType) ? 'Client' : null;
  return {
    platform: 'win32',
    name: values.get('ProductName') ?? os.version(),
    version: release,
    build: Number.isFinite(build) ? build : null,
    // Windows Server 2016 runs process-isolated containers only at the same revision.
    revision: Number.isFinite(revision) ? revision : null,
    hostClass,
    architecture: os.arch(),
  };
}

/** `reg query` with an argument array; an unreadable registry leaves the values out. */
async function readRegistryValues(key: string, names: string[]): Promise<Map<string, string>> {
  try {
    const { stdout } = await execa('reg.exe', ['query', key], { timeout: 5000, windowsHide: true });
    return parseRegQuery(stdout, names);
  } catch {
    // An unreadable registry leaves the class unknown; callers say so.
    return new Map();
  }
}

/**
 * The named values of `reg query` output. Only REG_SZ lines (their text) and
 * REG_DWORD lines (their hex digits, without 0x) are read; anything else in
 * the output is ignored, never interpreted.
 */
export function parseRegQuery(stdout: string, names: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of stdout.split(/\r?\n/)) {
    const text = /^\s+(\S+)\s+REG_SZ\s+(.*)$/.exec(line);
    if (text && names.includes(text[1]!)) values.set(text[1]!, text[2]!.trim());
    const dword = /^\s+(\S+)\s+REG_DWORD\s+0x([0-9a-fA-F]{1,8})\s*$/.exec(line);
    if (dword && names.includes(dword[1]!)) values.set(dword[1]!, dword[2]!);
  }
  return values;
}
