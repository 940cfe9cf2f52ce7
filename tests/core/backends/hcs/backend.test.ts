/**
 * The hcs backend end to end on this machine: the real koffi binding, the
 * stand-in serving the HCS documents each creator produces (Docker's v1
 * containers, containerd/hcsshim's utility VM; see fixtures/README.md), the
 * Windows snapshot fixture, and the verdict engine deciding Process / HyperV.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHcsBackend } from '../../../../ts-core/src/backends/hcs/index.js';
import { ComputeCore, HCS_LIBRARY_SETTING } from '../../../../ts-core/src/backends/hcs/computecore.js';
import type { Backend, ContainerProcess, WorkerClaim } from '../../../../ts-core/src/backends/types.js';
import { decideIsolation } from '../../../../ts-core/src/isolation/verdict.js';
import type { CommandContext } from '../../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../../ts-core/src/protocol/scope.js';
import { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { parseWindowsSnapshot } from '../../../../ts-core/src/processes/windowsSnapshot.js';
import type { HostSnapshot } from '../../../../ts-core/src/processes/types.js';
import { buildStandin, fixture, loadRecordedSystems, type Standin } from './standin.js';

const processContainer = '3f1c0f3a9b5e4c2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
const hypervContainer = '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b';
const vmGuid = '5D2C6C7E-1A0B-4B7E-9F43-2F4F0C3A8E11';
const pod = 'c0ffee0d15ea5e0fb0a7c0ffee0d15ea5e0fb0a7c0ffee0d15ea5e0fb0a7c0ff';
const podVm = `${pod}@vm`;

let standin: Standin;
let core: ComputeCore;
let backend: ReturnType<typeof createHcsBackend>;
let snapshot: HostSnapshot;

const messages: string[] = [];
const context: CommandContext = {
  ...newRequestScope(),
  requestId: 1,
  progress: (activity, status) => messages.push(`progress: ${activity}: ${status}`),
  verbose: (m) => messages.push(`verbose: ${m}`),
  warning: (m) => messages.push(`warning: ${m}`),
};

beforeAll(async () => {
  standin = buildStandin();
  core = await ComputeCore.load({ [HCS_LIBRARY_SETTING]: standin.library }, 'linux');
  backend = createHcsBackend({ loadCore: async () => core, timeoutMs: 2000 });
  snapshot = parseWindowsSnapshot(fixture('windows-snapshot.json'));
});
afterAll(() => standin?.dispose());

beforeEach(() => {
  messages.length = 0;
  standin.reset();
  loadRecordedSystems(standin, {
    [processContainer]: fixture('processlist-process-isolated.json'),
    [hypervContainer]: fixture('processlist-hyperv.json'),
  });
});

afterEach(async () => {
  await standin.settle();
  expect(standin.openHandles()).toBe(0);
  expect(standin.outstandingDocuments()).toBe(0);
  expect(standin.misuse()).toBe(0);
});

async function rejection(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CoreError);
  return error as CoreError;
}

async function evidence(b: Backend, name: string) {
  const info = await b.inspect(name);
  const containerProcesses: ContainerProcess[] = await b.processes(name);
  const worker: WorkerClaim | null = await b.worker(name, snapshot.processes);
  return { info, containerProcesses, worker };
}

describe('list and inspect', () => {
  it("lists Docker's two v1 containers with their isolation: zero RuntimeId is process, an HvPartition's RuntimeId is Hyper-V", async () => {
    const list = (await backend.list({ all: true })).containers;
    expect(list.map((c) => [c.id, c.isolation, c.state, c.utilityVmId])).toEqual([
      [processContainer, 'Process', 'running', null],
      [hypervContainer, 'HyperV', 'running', null],
    ]);
    expect(list.every((c) => c.backend === 'hcs' && c.managed === false)).toBe(true);
  });

  it("goes by Docker's 12-character short id where HCS names a container by its 64-hex id, and finds it by that name", async () => {
    const list = (await backend.list({ all: true })).containers;
    expect(list.map((c) => c.name)).toEqual([processContainer.slice(0, 12), hypervContainer.slice(0, 12)]);
    expect((await backend.inspect(processContainer.slice(0, 12))).id).toBe(processContainer);
  });

  it('keeps a name HCS gives that the cmdlets can use as it is', async () => {
    standin.addSystem({ id: 'b'.repeat(64), systemType: 'Container', name: 'web-1', state: 'Running' });
    expect((await backend.inspect('web-1')).name).toBe('web-1');
  });

  it('leaves stopped containers out unless all are asked for', async () => {
    await backend.terminate(processContainer);
    expect(((await backend.list({ all: false })).containers).map((c) => c.id)).toEqual([hypervContainer]);
    expect(((await backend.list({ all: true })).containers).map((c) => [c.id, c.state])).toEqual([
      [processContainer, 'exited'],
      [hypervContainer, 'running'],
    ]);
  });

  it('shows every compute system with its role and creator, the HvPartition with its own RuntimeId as the VM GUID', async () => {
    const systems = await backend.computeSystems();
    expect(systems.map((s) => [s.role, s.creator, s.runtimeId, s.utilityVmRuntimeId])).toEqual([
      ['ProcessContainer', 'docker', null, null],
      ['HyperVContainer', 'docker', vmGuid.toLowerCase(), vmGuid.toLowerCase()],
    ]);
  });

  it('finds a container by a unique 12-character id prefix, as Docker prints it', async () => {
    expect((await backend.inspect(processContainer.slice(0, 12))).id).toBe(processContainer);
  });

  it('says which containers exist when the name is unknown', async () => {
    const error = await rejection(backend.inspect('web'));
    expect(error.code).toBe('ContainerNotFound');
    expect(error.message).toBe("HCS has no container 'web'. Get-IsolatedContainer -Backend hcs lists the ones it has.");
  });

  it('does not treat a VM that is neither <id>@vm nor hosts a container (a WSL VM) as a container', async () => {
    standin.addSystem({ id: 'wsl-vm', systemType: 'VirtualMachine', owner: 'WSL', runtimeId: '8e4b1c2d-3f4a-4b5c-9d6e-7f8091a2b3c4', state: 'Running' });
    expect((await rejection(backend.inspect('wsl-vm'))).code).toBe('ContainerNotFound');
    expect((await backend.computeSystems()).find((s) => s.id === 'wsl-vm')?.role).toBe('Other');
  });

  it('still reads the older v2 shape (a Container whose HostingSystemId names a VirtualMachine)', async () => {
    standin.reset();
    standin.addSystem({ id: 'legacy', systemType: 'Container', state: 'Running', hostingSystemId: 'legacy@vm' });
    standin.addSystem({ id: 'legacy@vm', systemType: 'VirtualMachine', runtimeId: vmGuid, state: 'Running' });
    const systems = await backend.computeSystems();
    expect(systems.map((s) => [s.id, s.role, s.utilityVmRuntimeId])).toEqual([
      ['legacy', 'HyperVContainer', vmGuid.toLowerCase()],
      ['legacy@vm', 'UtilityVm', null],
    ]);
  });

  it('round-trips a non-ASCII container name through enumerate, open and properties', async () => {
    const name = 'конт-容器-ü';
    standin.addSystem({ id: name, systemType: 'Container', name, state: 'Running', runtimeOsType: 'Windows', processList: '[{"ProcessId":42,"ImageName":"процесс.exe"}]' });
    expect((await backend.inspect(name)).name).toBe(name);
    expect((await backend.processes(name)).map((p) => p.name)).toEqual(['процесс']);
  });
});

describe('processes', () => {
  it('turns a process-isolated ProcessList into records that claim host PIDs', async () => {
    const processes = await backend.processes(processContainer);
    expect(processes.map((p) => [p.containerPid, p.name, p.claimedHostPid])).toEqual([
      [2876, 'CExecSvc', 2876],
      [3108, 'cmd', 3108],
      [3964, 'PING', 3964],
      [4100, 'пинг', 4100],
    ]);
    expect(processes[0]).toMatchObject({
      startTimeMs: Date.parse('2026-11-29T07:58:11.321Z'),
      workingSetBytes: 1019904 + 5005312,
      privateBytes: 1531904,
      cpuSeconds: (156250 + 312500) / 1e7,
    });
    expect(standin.lastCall()).toEqual({ fn: 'HcsGetComputeSystemProperties', argument: '{"PropertyTypes":["ProcessList"]}' });
  });

  it('claims no host PID for the processes of a Hyper-V container', async () => {
    const processes = await backend.processes(hypervContainer);
    expect(processes.map((p) => [p.containerPid, p.name, p.claimedHostPid])).toEqual([
      [1076, 'CExecSvc', null],
      [1160, 'PING', null],
    ]);
  });

  it('reports a malformed properties document as HcsDocumentInvalid naming the field', async () => {
    standin.setFault('HcsGetComputeSystemProperties', 0, '{"Id":"x","ProcessList":[{"ProcessId":"12"}]}', 5);
    const error = await rejection(backend.processes(processContainer));
    expect(error.code).toBe('HcsDocumentInvalid');
    expect(error.message).toContain("'ProcessList[0].ProcessId'");
  });

  it('reports an answer without ProcessList as a missing field', async () => {
    standin.setFault('HcsGetComputeSystemProperties', 0, '{"Id":"x","SystemType":"Container"}', 5);
    const error = await rejection(backend.processes(processContainer));
    expect(error.code).toBe('HcsDocumentInvalid');
    expect(error.details).toMatchObject({ field: 'ProcessList' });
  });

  it('reports a truncated enumeration as not JSON', async () => {
    standin.setFault('HcsEnumerateComputeSystems', 0, '[{"Id":"a","SystemType":"Contai', 5);
    const error = await rejection(backend.list({ all: true }));
    expect(error.code).toBe('HcsDocumentInvalid');
    expect(error.message).toMatch(/HcsEnumerateComputeSystems result that is not valid JSON/);
  });
});

describe('worker (hcsshim: vmmem / vmmem.exe running as NT VIRTUAL MACHINE\\<RuntimeId>)', () => {
  const without = (...pids: number[]) => snapshot.processes.filter((p) => !pids.includes(p.pid));

  it('has none for a process-isolated container', async () => {
    expect(await backend.worker(processContainer, snapshot.processes)).toBeNull();
  });

  it("claims the vmmem running as the HvPartition's account, in the host's spelling, with its vmwp as corroboration", async () => {
    const claim = await backend.worker(hypervContainer, snapshot.processes);
    expect(claim).toMatchObject({
      pid: 5040,
      name: 'vmmem',
      tieField: 'user',
      tieToken: `NT VIRTUAL MACHINE\\${vmGuid}`,
      startTimeMs: Date.parse('2026-11-29T08:02:36.001Z'),
    });
    expect(claim?.how).toContain('vmwp.exe (PID 5012)');
  });

  it('falls back to the System32 vmwp.exe that names the VM and runs as its account when no vmmem does', async () => {
    expect(await backend.worker(hypervContainer, without(5040))).toMatchObject({ pid: 5012, name: 'vmwp', tieField: 'commandLine', tieToken: vmGuid });
  });

  it('never ties the decoys: a vmmem.exe under another account and a vmwp.exe outside System32, both naming the VM', async () => {
    const decoysOnly = without(5040, 5012);
    expect(decoysOnly.map((p) => p.pid)).toEqual(expect.arrayContaining([7001, 7002]));
    expect(await backend.worker(hypervContainer, decoysOnly)).toBeNull();
  });

  it('does not take a System32 vmwp whose owner could not be read', async () => {
    const unreadable = without(5040).map((p) => (p.pid === 5012 ? { ...p, user: null } : p));
    expect(await backend.worker(hypervContainer, unreadable)).toBeNull();
  });

  it('does not take vmmemWSL or another vmmem-prefixed name, even under the right account', async () => {
    const renamed = without(5012).map((p) => (p.pid === 5040 ? { ...p, name: 'vmmemWSL' } : p));
    expect(await backend.worker(hypervContainer, renamed)).toBeNull();
  });

  it('does not pick one of two vmmem that both run as the VM', async () => {
    const twin = { ...snapshot.processes.find((p) => p.pid === 5040)!, pid: 7777 };
    expect(await backend.worker(hypervContainer, [...snapshot.processes, twin])).toBeNull();
  });
});

describe('containerd/hcsshim: only the utility VM <id>@vm is in HCS', () => {
  beforeEach(() => {
    standin.reset();
    loadRecordedSystems(standin, {}, 'enumerate-containerd.json');
  });

  it('lists the utility VM as a Hyper-V container under the pod id, and the shim\'s process-isolated container', async () => {
    const list = (await backend.list({ all: true })).containers;
    expect(list.map((c) => [c.name, c.id, c.isolation, c.utilityVmId])).toEqual([
      [pod.slice(0, 12), podVm, 'HyperV', podVm],
      ['d00dfeed0b5e', 'd00dfeed0b5e4c2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d', 'Process', null],
    ]);
    expect((await backend.computeSystems())[0]).toMatchObject({ role: 'GuestContainerVm', creator: 'hcsshim', owner: 'containerd-shim-runhcs-v1.exe' });
  });

  it('says plainly that its processes can only be listed from the guest, and asks HCS nothing it cannot answer', async () => {
    const error = await rejection(backend.processes(pod.slice(0, 12)));
    expect(error.code).toBe('BackendOperationNotSupported');
    expect(error.message).toContain(`HCS lists only the utility VM '${podVm}'`);
    expect(error.message).toContain('guest connection');
    expect(standin.callCount('HcsGetComputeSystemProperties')).toBe(0);
  });

  it("names the VM's vmmem.exe as its worker", async () => {
    expect(await backend.worker(pod, snapshot.processes)).toMatchObject({
      pid: 6150,
      name: 'vmmem',
      tieField: 'user',
      tieToken: 'NT VIRTUAL MACHINE\\0B7E4C33-91A2-4E5F-8D6C-AA12BC34DE56',
    });
  });

  it('is judged Inconclusive, never HyperV: the VM is alive but no container process could be listed', async () => {
    const info = await backend.inspect(pod);
    const gaps: string[] = [];
    await backend.processes(pod).catch((e: CoreError) => gaps.push(e.message));
    const worker = await backend.worker(pod, snapshot.processes);
    const verdict = decideIsolation({
      container: { name: info.name, id: info.id, backend: 'hcs', configuredIsolation: info.isolation },
      containerProcesses: [],
      snapshot,
      worker,
      gaps,
    });
    expect(verdict.observed).toBe('Inconclusive');
    expect(verdict.reasons[0]).toContain('guest');
    expect(verdict.worker).toMatchObject({ alive: true, tied: true });
  });
});

describe('utilityVmId (the docker backend asks this on Windows)', () => {
  it("answers the VM GUID of a Hyper-V container by Docker's full id, in any case", async () => {
    expect(await backend.utilityVmId(hypervContainer.toUpperCase())).toBe('5d2c6c7e-1a0b-4b7e-9f43-2f4f0c3a8e11');
  });

  it('answers null for a process-isolated container or an unknown id', async () => {
    expect(await backend.utilityVmId(processContainer)).toBeNull();
    expect(await backend.utilityVmId('0'.repeat(64))).toBeNull();
  });
});

describe('the verdict on recorded Windows evidence', () => {
  it('finds the process-isolated container on the host: Process', async () => {
    const e = await evidence(backend, processContainer);
    const verdict = decideIsolation({
      container: { name: e.info.name, id: e.info.id, backend: 'hcs', configuredIsolation: e.info.isolation },
      containerProcesses: e.containerProcesses,
      snapshot,
      worker: e.worker,
      gaps: [],
    });
    expect(verdict.observed).toBe('Process');
    // пинг.exe too: the snapshot decodes UTF-8 and HCS's UTF-16 name matches it.
    expect(verdict.hostMatches.map((m) => m.outcome)).toEqual(['SameProcess', 'SameProcess', 'SameProcess', 'SameProcess']);
  });

  it('finds none of the HvPartition container on the host and its own vmmem alive: HyperV', async () => {
    const e = await evidence(backend, hypervContainer);
    const verdict = decideIsolation({
      container: { name: e.info.name, id: e.info.id, backend: 'hcs', configuredIsolation: e.info.isolation },
      containerProcesses: e.containerProcesses,
      snapshot,
      worker: e.worker,
      gaps: [],
    });
    expect(verdict.observed).toBe('HyperV');
    expect(verdict.worker).toMatchObject({ alive: true, tied: true });
  });

  it("is not fooled by another VM's processes or the decoys: with only those on the host, Inconclusive", async () => {
    const e = await evidence(backend, hypervContainer);
    const otherVmOnly = { ...snapshot, processes: snapshot.processes.filter((p) => p.pid !== 5012 && p.pid !== 5040) };
    const worker = await backend.worker(hypervContainer, otherVmOnly.processes);
    expect(worker).toBeNull();
    const verdict = decideIsolation({
      container: { name: e.info.name, id: e.info.id, backend: 'hcs', configuredIsolation: 'HyperV' },
      containerProcesses: e.containerProcesses,
      snapshot: otherVmOnly,
      worker,
      gaps: [],
    });
    expect(verdict.observed).toBe('Inconclusive');
  });

  it('sees PID reuse: a process-isolated claim whose host PID started at another time is Inconclusive', async () => {
    const e = await evidence(backend, processContainer);
    const reused = {
      ...snapshot,
      processes: snapshot.processes.map((p) => (p.pid === 3964 ? { ...p, startTimeMs: p.startTimeMs + 60_000 } : p)),
    };
    const verdict = decideIsolation({
      container: { name: e.info.name, id: e.info.id, backend: 'hcs', configuredIsolation: 'Process' },
      containerProcesses: e.containerProcesses,
      snapshot: reused,
      worker: e.worker,
      gaps: [],
    });
    expect(verdict.observed).toBe('Inconclusive');
  });
});

describe('stop, create, remove', () => {
  it('shuts a running container down and reports it exited', async () => {
    const info = await backend.stop(processContainer, 5, context);
    expect(info.state).toBe('exited');
    expect(standin.callCount('HcsShutDownComputeSystem')).toBe(1);
    expect(standin.callCount('HcsTerminateComputeSystem')).toBe(0);
    expect(messages.some((m) => m.startsWith('progress: Stopping container'))).toBe(true);
  });

  it('terminates when the shutdown does not finish within the grace time', async () => {
    standin.setFault('HcsShutDownComputeSystem', 0, null, 1500);
    const info = await backend.stop(hypervContainer, 0.1, context);
    expect(standin.callCount('HcsShutDownComputeSystem')).toBe(1);
    expect(standin.callCount('HcsTerminateComputeSystem')).toBe(1);
    expect(info.state).toBe('exited');
    expect(messages.some((m) => m.startsWith('warning:') && m.includes('terminating it'))).toBe(true);
  });

  describe('answers read as hcsshim reads them (internal/hcs/system.go Shutdown/Terminate)', () => {
    const warnings = () => messages.filter((m) => m.startsWith('warning:'));

    it('takes 0xC0370110 (already stopped) from the shutdown as success: no terminate, no warning', async () => {
      standin.setFault('HcsShutDownComputeSystem', 0xc0370110, null, 0, true);
      standin.scheduleState(hypervContainer, 'Stopped', 0);
      const info = await backend.stop(hypervContainer, 5, context);
      expect(standin.callCount('HcsTerminateComputeSystem')).toBe(0);
      expect(warnings()).toEqual([]);
      expect(info.state).toBe('exited');
    });

    it('takes 0xC037010E (does not exist) from the shutdown as success, through the operation too', async () => {
      standin.setFault('HcsShutDownComputeSystem', 0xc037010e, null, 5);
      standin.scheduleState(hypervContainer, 'Stopped', 0);
      await backend.stop(hypervContainer, 5, context);
      expect(standin.callCount('HcsTerminateComputeSystem')).toBe(0);
      expect(warnings()).toEqual([]);
    });

    it('waits when the shutdown answers 0xC0370103 (pending) and the system stops on its own', async () => {
      standin.setFault('HcsShutDownComputeSystem', 0xc0370103, null, 0, true);
      standin.scheduleState(hypervContainer, 'Stopped', 400);
      const info = await backend.stop(hypervContainer, 20, context);
      expect(info.state).toBe('exited');
      expect(standin.callCount('HcsTerminateComputeSystem')).toBe(0);
      expect(warnings()).toEqual([]);
      expect(standin.callCount('HcsEnumerateComputeSystems')).toBeGreaterThan(2);
    });

    it('terminates when a pending shutdown has not stopped the system within the grace time, and says so', async () => {
      standin.setFault('HcsShutDownComputeSystem', 0xc0370103, null, 0, true);
      const info = await backend.stop(hypervContainer, 0.3, context);
      expect(standin.callCount('HcsTerminateComputeSystem')).toBe(1);
      expect(warnings()).toEqual([expect.stringContaining('still running 0.3 s after the shutdown request; terminating it')]);
      expect(info.state).toBe('exited');
    });

    it('takes 0xC0370110 from terminate as success too', async () => {
      standin.setFault('HcsTerminateComputeSystem', 0xc0370110, null, 0, true);
      await expect(backend.terminate(processContainer)).resolves.toMatchObject({ id: processContainer });
    });

    it('still terminates, with a warning naming the HRESULT, when the shutdown really fails', async () => {
      standin.setFault('HcsShutDownComputeSystem', 0x80370106, null, 0, true);
      const info = await backend.stop(processContainer, 5, context);
      expect(standin.callCount('HcsTerminateComputeSystem')).toBe(1);
      expect(warnings()).toEqual([expect.stringContaining('0x80370106')]);
      expect(info.state).toBe('exited');
    });

    it('rethrows a terminate that really fails', async () => {
      standin.setFault('HcsTerminateComputeSystem', 0x8037011b, null, 0, true);
      expect((await rejection(backend.terminate(processContainer))).code).toBe('PermissionDenied');
    });
  });

  it('does nothing to a container that is not running', async () => {
    await backend.terminate(processContainer);
    const info = await backend.stop(processContainer, 5, context);
    expect(standin.callCount('HcsShutDownComputeSystem')).toBe(0);
    expect(info.state).toBe('exited');
    expect(messages.some((m) => m.includes('nothing to stop'))).toBe(true);
  });

  it('refuses to create and points to the docker backend', async () => {
    const error = await rejection(backend.create({} as never, context));
    expect(error.code).toBe('BackendOperationNotSupported');
    expect(error.message).toContain('-Backend docker');
  });

  it('refuses to remove, names the owner, and changes nothing', async () => {
    const error = await rejection(backend.remove(processContainer, true, context));
    expect(error.code).toBe('BackendOperationNotSupported');
    expect(error.message).toContain("belongs to docker");
    expect((await backend.inspect(processContainer)).state).toBe('running');
    expect(standin.callCount('HcsTerminateComputeSystem') + standin.callCount('HcsShutDownComputeSystem')).toBe(0);
  });
});

describe('probe', () => {
  it('is usable where HCS answers, and creates nothing', async () => {
    const status = await backend.probe();
    expect(status).toMatchObject({ name: 'hcs', usable: true, isolations: [], details: { computeSystems: 2, containers: 2, guestContainerVms: 0, overridden: true } });
    expect(status.reason).toContain('-Backend docker');
  });

  it('says plainly that HCS exists only on Windows off Windows', async () => {
    const offWindows = createHcsBackend({ loadCore: () => ComputeCore.load({}, 'linux') });
    const status = await offWindows.probe();
    expect(status).toMatchObject({ usable: false, isolations: [] });
    expect(status.reason).toMatch(/^HCS exists only on Windows \(computecore\.dll\)/);
  });

  it('reports a service that does not answer', async () => {
    standin.setFault('HcsEnumerateComputeSystems', 0x8037011e, null, 0, true);
    const status = await backend.probe();
    expect(status.usable).toBe(false);
    expect(status.reason).toContain('HCS_E_SERVICE_DISCONNECT');
  });
});
