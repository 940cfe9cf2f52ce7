import type { ComputeSystemView } from '../hcs/model.js';
import type { HostProcess } from '../../processes/types.js';
import type { WorkerClaim } from '../types.js';

/**
 * Pure worker-process matching. A worker is only claimed when it is tied to
 * this container by an id (VM id, container id), never by a name alone, and
 * only when exactly one process qualifies: a look-alike or an ambiguity gives
 * no claim, and the verdict then stays Inconclusive.
 */

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Splits a command line on blanks, dropping one level of double quotes. */
function commandLineArguments(commandLine: string): string[] {
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

/**
 * gVisor: the `runsc-sandbox` process (kernel name `exe`, user nobody) whose
 * command line ends with this container's full id. Docker reports that
 * process as the container's State.Pid; when it does, the two must agree.
 */
export function findRunscSandbox(snapshot: readonly HostProcess[], containerId: string, statePid: number | null): WorkerClaim | null {
  if (!/^[0-9a-f]{64}$/.test(containerId)) return null;
  const candidates = snapshot.filter((p) => {
    const args = commandLineArguments(p.commandLine);
    return p.name === 'exe'
      && args[0] === 'runsc-sandbox'
      && args.includes(containerId)
      && (p.user === 'nobody' || p.user === '65534');
  });
  if (candidates.length !== 1) return null;
  const sandbox = candidates[0]!;
  if (statePid !== null && statePid > 0 && statePid !== sandbox.pid) return null;
  return {
    pid: sandbox.pid,
    name: sandbox.name,
    startTimeMs: sandbox.startTimeMs,
    tieToken: containerId,
    tieField: 'commandLine',
    how: `runsc-sandbox (PID ${sandbox.pid}, user ${sandbox.user}) whose command line holds container id ${containerId}` +
      (statePid ? '; Docker reports it as the container\'s State.Pid' : ''),
  };
}

/**
 * Docker's API does not expose a Hyper-V container's utility VM. HCS does:
 * Docker's HCS container has the Docker container id as its Id and names its
 * utility VM in HostingSystemId, whose RuntimeId is the VM GUID (the hcs
 * backend's model reads that; this picks the one for a Docker id).
 */
export function utilityVmIdFromComputeSystems(systems: readonly ComputeSystemView[], containerId: string): string | null {
  const system = systems.find((s) => s.id.toLowerCase() === containerId.toLowerCase() && s.role === 'HyperVContainer');
  const runtimeId = system?.utilityVmRuntimeId?.replace(/^\{|\}$/g, '') ?? null;
  return runtimeId && guidPattern.test(runtimeId) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(runtimeId) ? runtimeId : null;
}
