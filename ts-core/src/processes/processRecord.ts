/**
 * Host processes as they travel to PowerShell: raw numbers with the names of
 * the Get-Process properties they correspond to, so the module's views can
 * compute the same columns Get-Process shows (NPM(K), PM(M), WS(M), CPU(s),
 * Id, SI, ProcessName). The core does not format; PowerShell does.
 */
import type { HostProcess } from './types.js';
import type { HostProcessRecord } from '../domain/responses.js';

export type { HostProcessRecord } from '../domain/responses.js';

export function toHostProcessRecord(p: HostProcess): HostProcessRecord {
  return {
    id: p.pid,
    processName: p.name,
    parentProcessId: p.parentPid,
    sessionId: p.sessionId,
    nonpagedSystemMemorySize: p.nonPagedBytes,
    pagedMemorySize: p.pagedBytes,
    privateMemorySize: p.privateBytes,
    workingSet: p.workingSetBytes,
    cpuSeconds: p.cpuSeconds,
    startTime: new Date(p.startTimeMs).toISOString(),
    commandLine: p.commandLine,
    userName: p.user,
    namespacePids: p.nsPids,
    pidNamespace: p.pidNamespace,
  };
}

/** .NET's default Math.Round: to the nearest, ties to even (what PowerShell's [long] cast does). */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * The values behind Get-Process's default table columns, computed the way
 * its view does (`[long]($_.NPM / 1024)`, `$_.PM / 1MB`, `$_.WS / 1MB`,
 * `$_.CPU`): for tests and for a module view that must agree with it.
 */
export function getProcessColumns(p: HostProcess): { 'NPM(K)': number; 'PM(M)': number; 'WS(M)': number; 'CPU(s)': number; Id: number; SI: number; ProcessName: string } {
  return {
    'NPM(K)': roundHalfToEven(p.nonPagedBytes / 1024),
    'PM(M)': p.pagedBytes / 1048576,
    'WS(M)': p.workingSetBytes / 1048576,
    'CPU(s)': p.cpuSeconds,
    Id: p.pid,
    SI: p.sessionId,
    ProcessName: p.name,
  };
}
