import type { HostProcess } from '../../processes/types.js';
import type { WorkerClaim } from '../types.js';
import { commandLineArguments } from '../../processes/hyperVWorker.js';

export { findHyperVWorker } from '../../processes/hyperVWorker.js';

/**
 * Pure worker-process matching. A worker is only claimed when it is tied to
 * this container by an id (VM id, container id), never by a name alone, and
 * only when exactly one process qualifies: a look-alike or an ambiguity gives
 * no claim, and the verdict then stays Inconclusive.
 */

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
