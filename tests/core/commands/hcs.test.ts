/**
 * hcs.systems and the public container commands on HCS containers, through
 * the dispatcher and the registry's hcs backend, which loads the stand-in
 * because WINDOWSCONTAINERS_HCS_LIBRARY names it. The same commands against
 * a real Windows host snapshot are in tests/pester/Hcs.Windows.Tests.ps1.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';
import { allCommands } from '../../../ts-core/src/commands/index.js';
import { HCS_LIBRARY_SETTING } from '../../../ts-core/src/backends/hcs/computecore.js';
import { buildStandin, fixture, loadRecordedSystems, type Standin } from '../backends/hcs/standin.js';

const processContainer = '3f1c0f3a9b5e4c2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';
let standin: Standin;
const previous = process.env[HCS_LIBRARY_SETTING];
const dispatcher = new Dispatcher(allCommands);

async function call(command: string, args: Record<string, unknown>) {
  const response = await dispatcher.handleLine(JSON.stringify({ id: 1, command, arguments: args }), () => {});
  return response as { success: boolean; body?: Record<string, unknown>; error?: { code: string; message: string } };
}

beforeAll(() => {
  standin = buildStandin();
  process.env[HCS_LIBRARY_SETTING] = standin.library;
});
afterAll(() => {
  if (previous === undefined) delete process.env[HCS_LIBRARY_SETTING];
  else process.env[HCS_LIBRARY_SETTING] = previous;
  standin?.dispose();
});
beforeEach(() => {
  standin.reset();
  loadRecordedSystems(standin, { [processContainer]: fixture('processlist-process-isolated.json') });
});
afterEach(async () => {
  await standin.settle();
  expect(standin.openHandles()).toBe(0);
  expect(standin.outstandingDocuments()).toBe(0);
});

describe('HCS containers through the commands', () => {
  it('hcs.systems lists containers and the utility VM with their roles', async () => {
    const response = await call('hcs.systems', {});
    expect(response.success).toBe(true);
    const systems = response.body!.systems as Array<{ role: string }>;
    expect(systems.map((s) => s.role)).toEqual(['ProcessContainer', 'HyperVContainer']);
  });

  it('container.processes (Get-ContainerProcess) returns Get-Process-consistent records of an HCS container by its short id', async () => {
    const short = processContainer.slice(0, 12);
    const response = await call('container.processes', { name: short });
    expect(response.success).toBe(true);
    expect(response.body!.backend).toBe('hcs');
    const processes = response.body!.processes as Array<{ name: string; claimedHostPid: number | null; hostPid: number | null; startTime: string | null }>;
    expect(processes.map((p) => p.name)).toEqual(['CExecSvc', 'cmd', 'PING', 'пинг']);
    // HCS claims its PIDs as host PIDs (process isolation), but this Linux host does not hold those processes: no host PID.
    expect(processes.every((p) => p.claimedHostPid !== null && p.hostPid === null)).toBe(true);
    expect(processes.every((p) => p.startTime === null || !Number.isNaN(Date.parse(p.startTime)))).toBe(true);
  });

  it('lets the generic container commands list and stop an HCS container by its short id (Stop-IsolatedContainer)', async () => {
    const short = processContainer.slice(0, 12);
    const listed = await call('container.list', { names: [short] });
    expect(listed.success).toBe(true);
    expect((listed.body!.containers as Array<{ name: string; backend: string }>).map((c) => [c.name, c.backend])).toEqual([[short, 'hcs']]);
    const stopped = await call('container.stop', { name: short, timeoutSeconds: 5 });
    expect(stopped.success).toBe(true);
    expect(stopped.body).toMatchObject({ name: short, backend: 'hcs', state: 'exited' });
    expect(standin.callCount('HcsShutDownComputeSystem')).toBe(1);
  });

  it('lets isolation.test (Test-ContainerIsolation) judge an HCS container; off Windows it must not pass', async () => {
    const short = processContainer.slice(0, 12);
    const response = await call('isolation.test', { names: [short], expected: { [short]: 'Process' } });
    expect(response.success).toBe(true);
    const [result] = response.body!.results as Array<{ backend: string; observedIsolation: string; passed: boolean }>;
    expect(result).toMatchObject({ backend: 'hcs', observedIsolation: 'Inconclusive', passed: false });
  });

  it('rejects a name with a line break before touching HCS', async () => {
    const response = await call('container.processes', { name: 'a\nb' });
    expect(response.success).toBe(false);
    expect(response.error!.code).toBe('InvalidContainerName');
    expect(standin.callCount('HcsEnumerateComputeSystems')).toBe(0);
  });

  it('isolation.test never passes recorded Windows claims against a host that does not hold them', async () => {
    // Off Windows the snapshot is this Linux host's /proc: HCS's claimed host PIDs (2876, 3108, 3964) are not
    // CExecSvc/cmd/PING here, so the verdict must refuse to call it process isolation.
    const short = processContainer.slice(0, 12);
    const response = await call('isolation.test', { names: [short], expected: { [short]: 'Process' } });
    expect(response.success).toBe(true);
    const [result] = response.body!.results as Array<{ observedIsolation: string; passed: boolean; hostMatches: Array<{ matched: boolean }> }>;
    expect(result!.observedIsolation).toBe('Inconclusive');
    expect(result!.passed).toBe(false);
    expect(result!.hostMatches).toHaveLength(4);
    expect(result!.hostMatches.some((m) => m.matched)).toBe(false);
    // One enumeration serves the whole request (locate, inspect, processes, worker).
    expect(standin.callCount('HcsEnumerateComputeSystems')).toBe(1);
  });
});
