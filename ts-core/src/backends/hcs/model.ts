/**
 * HCS documents → the core's records. Pure: documents in, records out.
 *
 * How isolation shows in HCS (hcsshim internal/uvm/create.go, CreateContainer):
 * - a process-isolated Windows container (Windows Server container, "Argon")
 *   is a compute system of SystemType "Container" with no HostingSystemId;
 *   it shares the host kernel, so the ProcessIds HCS reports for it are host
 *   PIDs (Microsoft's "Isolation modes" article: `docker top` PID 3964 is the
 *   host's `Get-Process -Name ping` PID 3964);
 * - a Hyper-V-isolated container comes in two shapes. Schema v2 (hcsshim's
 *   utility VMs, containerd/runhcs): a "Container" whose HostingSystemId names
 *   its utility VM, a compute system of SystemType "VirtualMachine" whose
 *   RuntimeId is the Hyper-V VM GUID. Schema v1 (Docker's HvPartition
 *   containers, hcsshim schema1.ContainerProperties): one "Container" that is
 *   its own partition, whose RuntimeId is the VM GUID (a process-isolated
 *   container has none, or the zero GUID).
 *   Either way its ProcessIds are PIDs of the VM's own kernel: they claim
 *   nothing on the host. The host sees the VM through its worker process
 *   vmwp.exe, whose command line holds the VM GUID, and the VM's memory
 *   through vmmem, running as NT VIRTUAL MACHINE\<VM GUID>.
 */
import { findHyperVWorker, guidPattern } from '../../processes/hyperVWorker.js';
import { isContainerName } from '../../domain/names.js';
import type { ContainerInfo, ContainerProcess, ContainerState, Isolation, WorkerClaim } from '../types.js';
import type { HostProcess } from '../../processes/types.js';
import type { ComputeSystemSummary, ProcessDetails } from './schema.js';

export type ComputeSystemRole = 'ProcessContainer' | 'HyperVContainer' | 'UtilityVm' | 'Other';

export interface ComputeSystemView {
  id: string;
  name: string;
  role: ComputeSystemRole;
  systemType: string;
  owner: string | null;
  state: string | null;
  runtimeOsType: string | null;
  /** VM GUID (VirtualMachine) or null. */
  runtimeId: string | null;
  /** Containers: the utility VM's compute system id (Hyper-V) or null (process). */
  hostingSystemId: string | null;
  /** Hyper-V containers: the VM GUID of their utility VM (v2: when it is among the systems seen; v1: their own RuntimeId). */
  utilityVmRuntimeId: string | null;
}

export function classifySystems(summaries: readonly ComputeSystemSummary[]): ComputeSystemView[] {
  const byId = new Map(summaries.map((s) => [s.Id, s] as const));
  return summaries.map((s) => {
    const hosting = s.HostingSystemId?.trim() || null;
    let role: ComputeSystemRole;
    if (s.SystemType === 'Container') role = hosting || s.RuntimeId ? 'HyperVContainer' : 'ProcessContainer';
    else if (s.SystemType === 'VirtualMachine') role = 'UtilityVm';
    else role = 'Other';
    const host = hosting ? byId.get(hosting) : undefined;
    // v2: the hosting utility VM's GUID; v1: the container is its own partition.
    const vmGuid = hosting ? (host?.SystemType === 'VirtualMachine' ? host.RuntimeId : null) : role === 'HyperVContainer' ? s.RuntimeId : null;
    return {
      id: s.Id,
      name: s.Name?.trim() || s.Id,
      role,
      systemType: s.SystemType,
      owner: s.Owner ?? null,
      state: s.State ?? null,
      runtimeOsType: s.RuntimeOsType ?? null,
      runtimeId: s.RuntimeId,
      hostingSystemId: hosting,
      utilityVmRuntimeId: vmGuid,
    };
  });
}

export function isContainer(view: ComputeSystemView): boolean {
  return view.role === 'ProcessContainer' || view.role === 'HyperVContainer';
}

export function isolationOf(view: ComputeSystemView): Isolation {
  return view.role === 'HyperVContainer' ? 'HyperV' : 'Process';
}

const stateMap: Record<string, ContainerState> = {
  created: 'created',
  running: 'running',
  stopped: 'exited',
};

export function toContainerState(state: string | null): ContainerState {
  return (state && stateMap[state.toLowerCase()]) || 'unknown';
}

/**
 * A container compute system as ContainerInfo. HCS knows neither the image,
 * the command nor the creation time (Docker/containerd do), so those stay
 * empty; `managed` is false because the hcs backend creates nothing.
 */
export function toContainerInfo(view: ComputeSystemView): ContainerInfo {
  return {
    name: containerName(view),
    id: view.id,
    backend: 'hcs',
    image: '',
    isolation: isolationOf(view),
    state: toContainerState(view.state),
    command: [],
    createdAt: '',
    startedAt: null,
    exitCode: null,
    hostPid: null,
    utilityVmId: view.hostingSystemId,
    managed: false,
  };
}


/**
 * The name the cmdlets show and accept. HCS names Docker's and containerd's
 * containers by their 64-hex id, one character over the cmdlets' 63-character
 * name limit: those go by the 12-character short id Docker prints (the hcs
 * backend resolves unique id prefixes). Any other name stays as HCS has it.
 */
export function containerName(view: Pick<ComputeSystemView, 'id' | 'name'>): string {
  if (isContainerName(view.name)) return view.name;
  if (view.name === view.id && /^[0-9a-f]{64}$/i.test(view.id)) return view.id.slice(0, 12).toLowerCase();
  return view.name;
}

/** "PING.EXE" → "PING": the name Get-Process shows (it drops only the extension). */
export function processNameFromImage(imageName: string): string {
  const base = imageName.split(/[\\/]/).pop() ?? imageName;
  return base.replace(/\.exe$/i, '');
}

/** Go's zero time and anything before 1970 mean "not known". */
function timestampMs(value: string | undefined): number | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/**
 * ProcessDetails as ContainerProcess, Get-Process-consistent: WS is the whole
 * working set (private + shared), PM is the commit charge (PrivateMemorySize),
 * CPU is user + kernel time in seconds. The uint64 counters are exact
 * bigints in the document; the record's numbers are exact up to 2^53 bytes
 * (8 PiB) and the nearest double beyond.
 */
export function toContainerProcesses(list: readonly ProcessDetails[], isolation: Isolation): ContainerProcess[] {
  return list.map((p) => ({
    containerPid: p.ProcessId,
    name: processNameFromImage(p.ImageName),
    commandLine: null,
    // Process isolation shares the host kernel: HCS's PID is the host PID. In a utility VM it is the guest's.
    claimedHostPid: isolation === 'Process' ? p.ProcessId : null,
    startTimeMs: timestampMs(p.CreateTimestamp),
    workingSetBytes: Number(p.MemoryWorkingSetPrivateBytes + p.MemoryWorkingSetSharedBytes),
    privateBytes: Number(p.MemoryCommitBytes),
    pagedBytes: null,
    nonPagedBytes: null,
    cpuSeconds: Number(p.UserTime100ns + p.KernelTime100ns) / 1e7,
    sessionId: null,
  }));
}

/**
 * The worker of a utility VM in a host snapshot: the system's vmwp.exe whose
 * command line holds the VM GUID (else the one vmmem running as
 * NT VIRTUAL MACHINE\<VM GUID>), by the same rules the docker backend uses.
 */
export function findUtilityVmWorker(runtimeId: string, snapshot: readonly HostProcess[]): WorkerClaim | null {
  return findHyperVWorker(snapshot, runtimeId);
}

/**
 * The VM GUID behind a Hyper-V container, by its compute system id (Docker's
 * full container id): HostingSystemId names the utility VM, whose RuntimeId
 * is what vmwp's command line and vmmem's user carry. Null for a
 * process-isolated container, one HCS does not list, or a RuntimeId that is
 * not a usable GUID (absent, malformed or all zeros).
 */
export function utilityVmIdOf(systems: readonly ComputeSystemView[], containerId: string): string | null {
  const system = systems.find((s) => s.id.toLowerCase() === containerId.toLowerCase() && s.role === 'HyperVContainer');
  const runtimeId = system?.utilityVmRuntimeId?.replace(/^\{|\}$/g, '') ?? null;
  return runtimeId && guidPattern.test(runtimeId) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(runtimeId) ? runtimeId : null;
}
