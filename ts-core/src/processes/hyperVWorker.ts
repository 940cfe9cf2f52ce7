import type { HostProcess } from './types.js';
import type { WorkerClaim } from '../domain/container.js';

/**
 * The host process of a Windows utility VM, for every backend that knows the
 * VM's id (docker via HCS, hcs itself). A worker is only claimed when it is
 * tied to the VM by its id, never by a name alone, and only when exactly one
 * process qualifies: a look-alike or an ambiguity gives no claim, and the
 * verdict then stays Inconclusive.
 *
 * The rule, and where it comes from:
 * 1. hcsshim ties a utility VM to its host process as the process named
 *    `vmmem` or `vmmem.exe` whose token user is `NT VIRTUAL MACHINE\<VM id>`,
 *    the id being the compute system's RuntimeId in upper case, compared
 *    case-insensitively (microsoft/hcsshim internal/vm/vmutils/vmmem.go
 *    LookupVMMEM; internal/uvm/stats.go lookupVMMEM before it). That is the
 *    primary rule. `vmmemWSL` or any other `vmmem…` name does not qualify.
 * 2. Without such a vmmem (a physically backed VM has none: hcsshim reads
 *    vmmem only for VA-backed VMs), the VM worker process: Microsoft's
 *    "Isolation modes" article shows `vmwp` on the host for a Hyper-V
 *    container. It qualifies only as the system's own image
 *    (<drive>:\Windows\System32\vmwp.exe), with the VM id as an argument of
 *    its command line, AND running as `NT VIRTUAL MACHINE\<VM id>` — an owner
 *    that could not be read does not qualify. That vmwp runs as the VM's
 *    account is not stated by a public reference this module found; the
 *    Windows Pester suite checks it (tests/pester/Hcs.Windows.Tests.ps1).
 */

export const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits a command line on blanks, dropping one level of double quotes. */
export function commandLineArguments(commandLine: string): string[] {
  return [...commandLine.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/** `NT VIRTUAL MACHINE\<ID>` as hcsshim spells the account it looks for. */
export function virtualMachineAccount(vmId: string): string {
  return `NT VIRTUAL MACHINE\\${vmId.toUpperCase()}`;
}

/** Case-insensitive, as hcsshim compares (strings.EqualFold). */
const sameText = (a: string | null, b: string): boolean => a !== null && a.toUpperCase() === b.toUpperCase();

/** `vmmem` / `vmmem.exe` exactly (Get-Process drops the extension; Win32_Process may keep it). */
export function isVmmemName(name: string): boolean {
  return /^vmmem(\.exe)?$/i.test(name);
}

/** The system's vmwp.exe: <drive>:\Windows\System32\vmwp.exe, optionally as a \\?\ path. */
export function isSystemVmwpImage(path: string): boolean {
  return /^(\\\\\?\\)?[a-z]:\\windows\\system32\\vmwp\.exe$/i.test(path);
}

export function findHyperVWorker(snapshot: readonly HostProcess[], utilityVmId: string): WorkerClaim | null {
  const bare = utilityVmId.replace(/^\{|\}$/g, '');
  if (!guidPattern.test(bare) || /^[0-]+$/.test(bare)) return null;
  const account = virtualMachineAccount(bare);
  const memory = snapshot.filter((p) => isVmmemName(p.name) && sameText(p.user, account));
  const workers = snapshot.filter((p) => {
    const args = commandLineArguments(p.commandLine);
    return p.name.toLowerCase() === 'vmwp'
      && isSystemVmwpImage(args[0] ?? '')
      && args.slice(1).some((arg) => arg.toLowerCase() === bare.toLowerCase())
      && sameText(p.user, account);
  });
  if (memory.length === 1) {
    const vmmem = memory[0]!;
    return {
      pid: vmmem.pid,
      name: vmmem.name,
      startTimeMs: vmmem.startTimeMs,
      tieToken: vmmem.user!,
      tieField: 'user',
      how: `${vmmem.name} (PID ${vmmem.pid}) runs as ${vmmem.user}, the account of utility VM ${bare} (hcsshim's rule)` +
        (workers.length === 1 ? `; its worker vmwp.exe (PID ${workers[0]!.pid}) names the same VM` : ''),
    };
  }
  if (memory.length === 0 && workers.length === 1) {
    const worker = workers[0]!;
    const token = commandLineArguments(worker.commandLine).find((arg) => arg.toLowerCase() === bare.toLowerCase())!;
    return {
      pid: worker.pid,
      name: worker.name,
      startTimeMs: worker.startTimeMs,
      tieToken: token,
      tieField: 'commandLine',
      how: `no vmmem runs as ${account}; the system's vmwp.exe (PID ${worker.pid}) runs as ${worker.user} and its command line holds utility VM id ${bare}`,
    };
  }
  return null;
}
