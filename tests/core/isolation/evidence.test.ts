import { describe, expect, it } from 'vitest';
import { gatherEvidence, judgeEvidence, type ContainerEvidence, type EvidenceSource } from '../../../ts-core/src/isolation/evidence.js';
import { CoreError } from '../../../ts-core/src/protocol/errors.js';
import { newRequestScope } from '../../../ts-core/src/protocol/scope.js';
import type { ContainerInfo, ContainerProcess } from '../../../ts-core/src/domain/container.js';
import type { HostProcess, HostSnapshot } from '../../../ts-core/src/domain/hostProcess.js';

/**
 * The host PID a ContainerProcess record carries is what Stop-Process acts
 * on, so a backend's claim only becomes a host PID when the verdict's own
 * comparison matched the host's process: Get-ContainerProcess and
 * Test-ContainerIsolation read it from the same place.
 */
const claim: ContainerProcess = {
  containerPid: 1, name: 'ping', commandLine: 'ping 127.0.0.1', claimedHostPid: 4242, startTimeMs: 1_767_000_000_000,
  workingSetBytes: 1, privateBytes: 1, pagedBytes: 0, nonPagedBytes: 0, cpuSeconds: 0, sessionId: 1,
};

function hostProcess(overrides: Partial<HostProcess> = {}): HostProcess {
  return {
    pid: 4242, parentPid: 1, name: 'ping', commandLine: 'ping 127.0.0.1', startTimeMs: claim.startTimeMs!, user: 'root',
    nsPids: [4242, 1], pidNamespace: 'pid:[1]', workingSetBytes: 1, privateBytes: 1, pagedBytes: 0, nonPagedBytes: 0, cpuSeconds: 0, sessionId: 1,
    ...overrides,
  };
}

const info: ContainerInfo = {
  name: 'web', id: 'web', backend: 'linux', image: 'busybox', isolation: 'Process', state: 'running', command: ['ping'],
  createdAt: '2026-12-01T00:00:00.000Z', startedAt: null, exitCode: null, hostPid: 4242, utilityVmId: null, managed: true,
};

function snapshotOf(processes: HostProcess[], unreadable: number[] = []): HostSnapshot {
  return { takenAtMs: claim.startTimeMs! + 60_000, processes, unreadable };
}

function source(processes: ContainerProcess[] | CoreError, infos: Record<string, ContainerInfo | CoreError> = { web: info }): EvidenceSource & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'linux',
    calls,
    async inspectMany(names) {
      calls.push(`inspectMany ${names.join(',')}`);
      return new Map(names.map((n) => [n, infos[n] ?? new CoreError('ContainerNotFound', `no ${n}`)]));
    },
    async processes(name) {
      calls.push(`processes ${name}`);
      if (processes instanceof CoreError) throw processes;
      return processes;
    },
    async worker(name) {
      calls.push(`worker ${name}`);
      return null;
    },
  };
}

function evidence(processes: ContainerProcess[]): ContainerEvidence {
  return { name: 'web', source: source(processes), info, processes, processesError: null, worker: null, gaps: [], view: null };
}

describe('judgeEvidence: the host PID comes from the verdict\'s match', () => {
  it('gives the host PID of the same PID, name, start time and namespace PID', () => {
    const { verdict, processes } = judgeEvidence(evidence([claim]), snapshotOf([hostProcess()]), 'Process');
    expect(verdict.hostMatches[0]).toMatchObject({ matched: true, outcome: 'SameProcess', hostPid: 4242 });
    expect(processes[0]).toMatchObject({ containerName: 'web', hostPid: 4242, visibleOnHost: true, startTime: '2025-12-29T09:20:00.000Z' });
  });

  it('gives the host PID of a process in a PID namespace nested inside the container (innermost NSpid is its own PID)', () => {
    const nested: ContainerProcess = { ...claim, name: 'sleep', claimedHostPid: 5000, containerPid: 1 };
    const host = hostProcess({ pid: 5000, name: 'sleep', nsPids: [5000, 7, 1] });
    const { processes } = judgeEvidence(evidence([claim, nested]), snapshotOf([hostProcess(), host]), 'Process');
    expect(processes.map((p) => [p.name, p.hostPid])).toEqual([['ping', 4242], ['sleep', 5000]]);
  });

  it('gives the host PID of a nested process the container reports at its own level (its own procfs shows PID 7, the nested namespace 1)', () => {
    const seenByContainer: ContainerProcess = { ...claim, name: 'sleep', claimedHostPid: 5000, containerPid: 7 };
    const host = hostProcess({ pid: 5000, name: 'sleep', nsPids: [5000, 7, 1] });
    const { verdict, processes } = judgeEvidence(evidence([claim, seenByContainer]), snapshotOf([hostProcess(), host]), 'Process');
    expect(processes.map((p) => [p.containerPid, p.hostPid])).toEqual([[1, 4242], [7, 5000]]);
    expect(verdict.decidedBy).toBe('host-match');
  });

  it.each([
    ['the process is gone', []],
    ['the PID now runs another program', [hostProcess({ name: 'sshd' })]],
    ['the PID was reused (other start time)', [hostProcess({ startTimeMs: claim.startTimeMs! + 5000 })]],
    ['no namespace PID below the host\'s is the container\'s one', [hostProcess({ nsPids: [4242, 3, 7] })]],
  ])('gives no host PID when %s', (_why, processes) => {
    const result = judgeEvidence(evidence([claim]), snapshotOf(processes), 'Process');
    expect(result.processes[0]).toMatchObject({ hostPid: null, visibleOnHost: false });
    expect(result.verdict.hostMatches[0]!.matched).toBe(false);
  });

  it('gives no host PID when the backend claims none (a VM-isolated process), even beside a look-alike', () => {
    const { processes } = judgeEvidence(evidence([{ ...claim, claimedHostPid: null }]), snapshotOf([hostProcess({ pid: 1, nsPids: [1] })]), 'HyperV');
    expect(processes[0]!.hostPid).toBeNull();
  });

  it('pairs records and matches by position, so two processes with the same PID and name keep their own answers', () => {
    const twin: ContainerProcess = { ...claim, claimedHostPid: 4343 };
    const { processes } = judgeEvidence(evidence([claim, twin]), snapshotOf([hostProcess()]), 'Process');
    expect(processes.map((p) => p.hostPid)).toEqual([4242, null]);
  });
});

describe('gatherEvidence', () => {
  it('asks each source once for its names, reports a missing container as that item\'s error, and a process-list failure as a gap', async () => {
    const failing = new CoreError('RuntimeFailed', 'runc ps failed');
    const a = source([claim], { web: info, db: { ...info, name: 'db' } });
    const b = source(failing, { api: { ...info, name: 'api' } });
    const notFound = new CoreError('ContainerNotFound', 'nowhere');
    const result = await gatherEvidence(
      [{ name: 'web', source: a }, { name: 'db', source: a }, { name: 'gone', source: notFound }, { name: 'api', source: b }, { name: 'ghost', source: a }],
      { scope: newRequestScope(), snapshot: 'claimed' },
    );
    expect(a.calls.filter((c) => c.startsWith('inspectMany'))).toEqual(['inspectMany web,db,ghost']);
    expect(result.items.map((i) => [i.name, i.error?.code ?? null])).toEqual([
      ['web', null], ['db', null], ['gone', 'ContainerNotFound'], ['api', null], ['ghost', 'ContainerNotFound'],
    ]);
    const api = result.items[3]!.evidence!;
    expect(api.processesError).toBe(failing);
    expect(api.gaps[0]).toContain('runc ps failed');
    // 'claimed' confirms claims only: no worker is asked for.
    expect(a.calls.some((c) => c.startsWith('worker'))).toBe(false);
  });

  it('reads no host process at all when confirming claims and nothing is claimed (a utility-VM container)', async () => {
    const a = source([{ ...claim, claimedHostPid: null }]);
    const result = await gatherEvidence([{ name: 'web', source: a }], { scope: newRequestScope(), snapshot: 'claimed' });
    expect(result.snapshot).toMatchObject({ processes: [], unreadable: [] });
    expect(result.items[0]!.evidence!.processes).toHaveLength(1);
  });

  it("asks for the workers against the whole host table when a verdict needs them", async () => {
    const a = source([{ ...claim, claimedHostPid: process.pid, name: 'node' }]);
    const result = await gatherEvidence([{ name: 'web', source: a }], { scope: newRequestScope(), snapshot: 'all' });
    expect(a.calls).toContain('worker web');
    expect(result.snapshot.processes.length).toBeGreaterThan(1);
  });
});
