import type { HostProcess } from './types.js';
import type { WorkerClaim } from '../domain/container.js';

/**
 * The worker process of a Windows utility VM, for every backend that knows
 * the VM's id (docker via HCS, hcs itself). A worker is only claimed when it
 * is tied to the VM by its id, never by a name alone, and only when exactly
 * one process qualifies: a look-alike or an ambiguity gives no claim, and the
 * verdict then stays Inconclusive.
 */

export const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits a command line on blanks, dropping one level of double quotes. */
export function commandLineArguments(commandLine: string): string[] {
  return [...commandLine.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

/**
 * Windows Hyper-V isolation: the system's `vmwp.exe` whose command line holds
 * the utility VM's id (as an argument of its own) and which runs as
 * `NT VIRTUAL MACHINE\<id>` when its user is readable, corroborated by a `vmmem`
 * running as `NT VIRTUAL MACHINE\<id>`. Without a vmwp, the vmmem alone is
 * claimed through its user.
 */
export function findHyperVWorker(snapshot: readonly HostProcess[], utilityVmId: string): WorkerClaim | null {
  if (!guidPattern.test(utilityVmId)) return null;
  const vmId = utilityVmId.toLowerCase();
  const vmUser = `nt virtual machine\\${vmId}`;
  // The real vmwp.exe is the system's (…\System32\vmwp.exe) and runs as the VM's own account:
  // a program of the same name elsewhere, or run by a person, is a look-alike.
  const workers = snapshot.filter((p) => {
    const args = commandLineArguments(p.commandLine);
    return p.name.toLowerCase() === 'vmwp'
      && /(^|\\)system32\\vmwp\.exe$/i.test(args[0] ?? '')
      && args.slice(1).some((arg) => arg.toLowerCase() === vmId)
      && (p.user === null || p.user.toLowerCase() === vmUser);
  });
  const memory = snapshot.filter((p) => /^vmmem/i.test(p.name) && (p.user ?? '').toLowerCase() === vmUser);
  if (workers.length === 1) {
    const worker = workers[0]!;
    const token = commandLineArguments(worker.commandLine).find((arg) => arg.toLowerCase() === vmId)!;
    return {
      pid: worker.pid,
      name: worker.name,
      startTimeMs: worker.startTimeMs,
      tieToken: token,
      tieField: 'commandLine',
      how: `vmwp.exe (PID ${worker.pid}) whose command line holds utility VM id ${utilityVmId}` +
        (memory.length === 1 ? `; ${memory[0]!.name} (PID ${memory[0]!.pid}) runs as NT VIRTUAL MACHINE\\${utilityVmId}` : '; no vmmem for it was seen'),
    };
  }
  if (workers.length === 0 && memory.length === 1) {
    const vmmem = memory[0]!;
    return {
      pid: vmmem.pid,
      name: vmmem.name,
      startTimeMs: vmmem.startTimeMs,
      tieToken: vmmem.user!,
      tieField: 'user',
      how: `no vmwp.exe names utility VM ${utilityVmId}; ${vmmem.name} (PID ${vmmem.pid}) runs as ${vmmem.user}`,
    };
  }
  return null;
}
