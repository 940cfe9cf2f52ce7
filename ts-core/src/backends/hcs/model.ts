/**
 * HCS documents → the core's records. Pure: documents in, records out.
 *
 * Which compute systems each creator leaves in HCS, and how isolation shows:
 * - Docker (moby libcontainerd/local/local_windows.go) creates one schema v1
 *   compute system per container: SystemType "Container", Name = the Docker
 *   container id, Owner "docker", HvPartition true for Hyper-V isolation.
 *   Its utility VM is that partition: HCS lists no separate VirtualMachine.
 *   A process-isolated one (Windows Server container, "Argon") shares the
 *   host kernel, so the ProcessIds HCS reports for it are host PIDs
 *   (Microsoft's "Isolation modes" article: `docker top` PID 3964 is the
 *   host's `Get-Process -Name ping` PID 3964). Which RuntimeId each reports
 *   is not documented: this module reads a non-zero RuntimeId as the
 *   HvPartition's VM GUID and an absent or zero one as process isolation,
 *   and tests/pester/Hcs.Windows.Tests.ps1 checks both on a Windows host.
 * - containerd with hcsshim (cmd/containerd-shim-runhcs-v1, internal/uvm)
 *   creates for a Hyper-V-isolated pod or task only the utility VM: a
 *   compute system of SystemType "VirtualMachine" with the id `<id>@vm`,
 *   owned by the shim executable, whose RuntimeId is the VM GUID. The
 *   containers live inside it, created through the guest connection (GCS),
 *   so HCS on the host has no Container for them and cannot list their
 *   processes. Its process-isolated containers are host Containers.
 * - A "Container" whose HostingSystemId names a VirtualMachine is the older
 *   hcsshim schema v2 shape; current hcsshim does not create it for Windows
 *   containers. It is still read (the VM's RuntimeId is the GUID).
 * Either way a Hyper-V container's ProcessIds are PIDs of the VM's own
 * kernel and claim nothing on the host; the host sees the VM as its vmmem
 * process running as NT VIRTUAL MACHINE\<VM GUID> (see processes/hyperVWorker.ts).
 */
import { findHyperVWorker, guidPattern } from '../../processes/hyperVWorker.js';
import { isContainerName } from '../../domain/names.js';
import type { ContainerInfo, ContainerProcess, ContainerState, Isolation, WorkerClaim } from '../types.js';
import type { HostProcess } from '../../processes/types.js';
import type { ComputeSystemSummary, ProcessDetails } from './schema.js';

/**
 * - ProcessContainer / HyperVContainer: a Container compute system.
 * - GuestContainerVm: a utility VM `<id>@vm` that no host Container names:
 *   containerd/hcsshim put the containers inside it (listed as a container
 *   whose processes only the guest can list).
 * - UtilityVm: a VirtualMachine that hosts a Container (legacy v2 shape).
 * - Other: anything else HCS lists (a WSL VM, …).
 */
export type ComputeSystemRole = 'ProcessContainer' | 'HyperVContainer' | 'GuestContainerVm' | 'UtilityVm' | 'Other';

/** hcsshim names a pod's or task's utility VM `<id>@vm` (cmd/containerd-shim-runhcs-v1). */
export const UTILITY_VM_SUFFIX = '@vm';

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
  /** Hyper-V containers: the VM GUID of their utility VM (v1 HvPartition: their own RuntimeId; v2: the hosting VM's; guest-container VMs: their own). */
  utilityVmRuntimeId: string | null;
  /** Who made it, as far as HCS shows: 'docker' (Owner docker), 'hcsshim' (a `<id>@vm` utility VM or a Container it hosts), or null. */
  creator: 'docker' | 'hcsshim' | null;
}

export function classifySystems(summaries: readonly ComputeSystemSummary[]): ComputeSystemView[] {
  const byId = new Map(summaries.map((s) => [s.Id, s] as const));
  const hosted = new Set(summaries.map((s) => s.HostingSystemId?.trim()).filter((h): h is string => !!h));
  return summaries.map((s) => {
    const hosting = s.HostingSystemId?.trim() || null;
    let role: ComputeSystemRole;
    if (s.SystemType === 'Container') role = hosting || s.RuntimeId ? 'HyperVContainer' : 'ProcessContainer';
    else if (s.SystemType === 'VirtualMachine') role = hosted.has(s.Id) ? 'UtilityVm' : s.Id.endsWith(UTILITY_VM_SUFFIX) && s.Id.length > UTILITY_VM_SUFFIX.length ? 'GuestContainerVm' : 'Other';
    else role = 'Other';
    const host = hosting ? byId.get(hosting) : undefined;
    let vmGuid: string | null = null;
    if (hosting) vmGuid = host?.SystemType === 'VirtualMachine' ? host.RuntimeId : null;
    else if (role === 'HyperVContainer' || role === 'GuestContainerVm') vmGuid = s.RuntimeId;
    const owner = s.Owner ?? null;
    const creator = owner?.toLowerCase() === 'docker' ? 'docker' : role === 'GuestContainerVm' || hosting?.endsWith(UTILITY_VM_SUFFIX) ? 'hcsshim' : null;
    return {
      id: s.Id,
      name: role === 'GuestContainerVm' ? s.Id.slice(0, -UTILITY_VM_SUFFIX.length) : s.Name?.trim() || s.Id,
      role,
      systemType: s.SystemType,
      owner,
      state: s.State ?? null,
      runtimeOsType: s.RuntimeOsType ?? null,
      runtimeId: s.RuntimeId,
      hostingSystemId: hosting,
      utilityVmRuntimeId: vmGuid,
      creator,
    };
  });
}

/** What the container cmdlets list: host containers and the utility VMs whose containers live in the guest. */
export function isContainer(view: ComputeSystemView): boolean {
  return view.role === 'ProcessContainer' || view.role === 'HyperVContainer' || view.role === 'GuestContainerVm';
}

export function isolationOf(view: ComputeSystemView): Isolation {
  return view.role === 'HyperVContainer' || view.role === 'GuestContainerVm' ? 'HyperV' : 'Process';
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
    utilityVmId: view.role === 'GuestContainerVm' ? view.id : view.hostingSystemId,
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
  // A 64-hex name: a Docker container's id, or the pod id of an hcsshim utility VM `<id>@vm`.
  if (/^[0-9a-f]{64}$/i.test(view.name) && view.id.toLowerCase().startsWith(view.name.toLowerCase())) return view.name.slice(0, 12).toLowerCase();
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

/** The worker of a utility VM in a host snapshot, by the same rule the docker backend uses (processes/hyperVWorker.ts). */
export function findUtilityVmWorker(runtimeId: string, snapshot: readonly HostProcess[]): WorkerClaim | null {
  return findHyperVWorker(snapshot, runtimeId);
}

/**
 * The VM GUID behind a Hyper-V container, by its compute system id: for
 * Docker's v1 HvPartition container (moby libcontainerd/local/local_windows.go)
 * its own RuntimeId (or the utility VM that the older HostingSystemId shape
 * names); for an hcsshim utility VM `<id>@vm`, the VM's RuntimeId. That GUID is
 * what vmmem's user (hcsshim internal/vm/vmutils/vmmem.go) and vmwp's command
 * line carry. Null for a process-isolated container, one HCS does not list,
 * or a RuntimeId that is not a usable GUID (absent, malformed or all zeros).
 */
export function utilityVmIdOf(systems: readonly ComputeSystemView[], containerId: string): string | null {
  const system = systems.find((s) => s.id.toLowerCase() === containerId.toLowerCase() && (s.role === 'HyperVContainer' || s.role === 'GuestContainerVm'));
  const runtimeId = system?.utilityVmRuntimeId?.replace(/^\{|\}$/g, '') ?? null;
  return runtimeId && guidPattern.test(runtimeId) && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(runtimeId) ? runtimeId : null;
}
