/**
 * The hcs backend end to end on this machine: the real koffi binding, the
 * stand-in serving recorded HCS documents, the recorded Windows snapshot,
 * and the verdict engine deciding Process / HyperV from them.
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
const utilityVm = `${hypervContainer}@vm`;

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
  it('lists the two containers with their isolation, not the utility VM', async () => {
    const list = (await backend.list({ all: true })).containers;
    expect(list.map((c) => [c.id, c.isolation, c.state, c.utilityVmId])).toEqual([
      [processContainer, 'Process', 'running', null],
      [hypervContainer, 'HyperV', 'running', utilityVm],
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

  it('shows every compute system with its role, the utility VM with its VM GUID', async () => {
    const systems = await backend.computeSystems();
    expect(systems.map((s) => [s.role, s.runtimeId, s.utilityVmRuntimeId])).toEqual([
      ['ProcessContainer', null, null],
      ['HyperVContainer', null, '5d2c6c7e-1a0b-4b7e-9f43-2f4f0c3a8e11'],
      ['UtilityVm', '5d2c6c7e-1a0b-4b7e-9f43-2f4f0c3a8e11', null],
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

  it('does not treat the utility VM as a container', async () => {
    expect((await rejection(backend.inspect(utilityVm))).code).toBe('ContainerNotFound');
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

describe('worker', () => {
  it('has none for a process-isolated container', async () => {
    expect(await backend.worker(processContainer, snapshot.processes)).toBeNull();
  });

  it("names the vmwp whose command line holds the utility VM's GUID, in the host's spelling", async () => {
    expect(await backend.worker(hypervContainer, snapshot.processes)).toMatchObject({
      pid: 5012,
      name: 'vmwp',
      tieField: 'commandLine',
      tieToken: '5D2C6C7E-1A0B-4B7E-9F43-2F4F0C3A8E11',
      startTimeMs: Date.parse('2026-11-29T08:02:35.778Z'),
    });
  });

  it('falls back to vmmem running as NT VIRTUAL MACHINE\\<VM GUID> when no vmwp shows it', async () => {
    const withoutVmwp = snapshot.processes.filter((p) => p.pid !== 5012);
    expect(await backend.worker(hypervContainer, withoutVmwp)).toMatchObject({
      pid: 5040,
      name: 'vmmem',
      tieField: 'user',
      tieToken: 'NT VIRTUAL MACHINE\\5D2C6C7E-1A0B-4B7E-9F43-2F4F0C3A8E11',
    });
  });

  it('does not take a vmwp.exe outside System32 for the worker, even with the GUID on its command line', async () => {
    const real = snapshot.processes.find((p) => p.pid === 5012)!;
    const lookalike = { ...real, pid: 8888, commandLine: real.commandLine.replace('C:\\Windows\\System32\\vmwp.exe', 'C:\\Users\\eve\\vmwp.exe') };
    expect(lookalike.commandLine).toContain('Users');
    const withoutRealWorkers = snapshot.processes.filter((p) => p.pid !== 5012 && !/^vmmem/i.test(p.name));
    expect(await backend.worker(hypervContainer, [...withoutRealWorkers, lookalike])).toBeNull();
  });

  it('does not pick one of two vmwp that both claim the VM', async () => {
    const twin = { ...snapshot.processes.find((p) => p.pid === 5012)!, pid: 7777 };
    expect(await backend.worker(hypervContainer, [...snapshot.processes, twin])).toBeNull();
  });

  it('names nothing when the utility VM is not visible to HCS', async () => {
    standin.reset();
    standin.addSystem({ id: hypervContainer, systemType: 'Container', state: 'Running', hostingSystemId: utilityVm, processList: fixture('processlist-hyperv.json') });
    expect(await backend.worker(hypervContainer, snapshot.processes)).toBeNull();
  });
});

describe('utilityVmId (the docker backend asks this on Windows)', () => {
  it("answers the VM GUID of a Hyper-V container by Docker's full id, in any case", async () => {
    expect(await backend.utilityVmId(hypervContainer.toUpperCase())).toBe('5d2c6c7e-1a0b-4b7e-9f43-2f4f0c3a8e11');
  });

  it('answers null for a process-isolated container, the utility VM itself, or an unknown id', async () => {
    expect(await backend.utilityVmId(processContainer)).toBeNull();
    expect(await backend.utilityVmId(utilityVm)).toBeNull();
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
    expect(verdict.hostMatches.map((m) => m.outcome)).toEqual(['SameProcess', 'SameProcess', 'SameProcess']);
  });

  it('finds none of the Hyper-V container on the host and its own vmwp alive: HyperV', async () => {
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

  it('is not fooled by another VM\'s vmwp: with only that one on the host, Inconclusive', async () => {
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

describe("Docker's schema-v1 Hyper-V container (its own partition, no separate utility VM)", () => {
  const v1 = 'c0ffee0d15ea5e0fb0a7c0ffee0d15ea5e0fb0a7c0ffee0d15ea5e0fb0a7c0ff';

  beforeEach(() => {
    standin.reset();
    loadRecordedSystems(standin, { [v1]: fixture('processlist-hyperv.json') }, 'enumerate-v1-hyperv.json');
  });

  it('is Hyper-V isolated with its own RuntimeId as the VM GUID', async () => {
    expect((await backend.inspect(v1)).isolation).toBe('HyperV');
    const [view] = await backend.computeSystems();
    expect(view).toMatchObject({ role: 'HyperVContainer', hostingSystemId: null, utilityVmRuntimeId: '0b7e4c33-91a2-4e5f-8d6c-aa12bc34de56' });
  });

  it('names the vmwp of that partition and is judged HyperV', async () => {
    const e = await evidence(backend, v1);
    expect(e.worker).toMatchObject({ pid: 6120, tieToken: '0B7E4C33-91A2-4E5F-8D6C-AA12BC34DE56' });
    const verdict = decideIsolation({
      container: { name: e.info.name, id: e.info.id, backend: 'hcs', configuredIsolation: 'HyperV' },
      containerProcesses: e.containerProcesses,
      snapshot,
      worker: e.worker,
      gaps: [],
    });
    expect(verdict.observed).toBe('HyperV');
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
    expect(status).toMatchObject({ name: 'hcs', usable: true, isolations: [], details: { computeSystems: 3, containers: 2, overridden: true } });
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
