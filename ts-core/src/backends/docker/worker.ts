import { z } from 'zod';
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
 * Windows Hyper-V isolation: the `vmwp.exe` whose command line holds the
 * utility VM's id (as an argument of its own), corroborated by a `vmmem`
 * running as `NT VIRTUAL MACHINE\<id>`. Without a vmwp, the vmmem alone is
 * claimed through its user.
 */
export function findHyperVWorker(snapshot: readonly HostProcess[], utilityVmId: string): WorkerClaim | null {
  if (!guidPattern.test(utilityVmId)) return null;
  const vmId = utilityVmId.toLowerCase();
  const workers = snapshot.filter((p) => p.name.toLowerCase() === 'vmwp'
    && commandLineArguments(p.commandLine).some((arg) => arg.toLowerCase() === vmId));
  const vmUser = `nt virtual machine\\${vmId}`;
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
 * HcsEnumerateComputeSystems answers (what `hcsdiag list` shows) carry, for a
 * Hyper-V-isolated container, the utility VM's GUID as `RuntimeId`. Docker's
 * API does not expose it, so the Windows worker lookup reads it here from a
 * document the hcs layer fetched.
 */
const computeSystemsSchema = z.array(z.looseObject({
  Id: z.string(),
  RuntimeId: z.string().optional(),
  SystemType: z.string().optional(),
}));

export function utilityVmIdFromComputeSystems(document: unknown, containerId: string): string | null {
  const parsed = computeSystemsSchema.safeParse(document);
  if (!parsed.success) return null;
  const system = parsed.data.find((s) => s.Id.toLowerCase() === containerId.toLowerCase());
  const runtimeId = system?.RuntimeId?.replace(/^\{|\}$/g, '');
  return runtimeId && guidPattern.test(runtimeId) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(runtimeId) ? runtimeId : null;
}
