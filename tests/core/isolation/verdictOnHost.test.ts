/**
 * The verdict fed with real evidence: real processes in a real PID namespace,
 * read from the real /proc, then killed mid-check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerProcess, WorkerClaim } from '../../../ts-core/src/backends/types.js';
import { decideIsolation, type VerdictEvidence } from '../../../ts-core/src/isolation/verdict.js';
import { takeLinuxSnapshot } from '../../../ts-core/src/processes/linuxSnapshot.js';
import type { HostProcess } from '../../../ts-core/src/processes/types.js';

const canUnshare = process.platform === 'linux' && process.getuid?.() === 0;

describe.runIf(canUnshare)('the verdict on real host evidence', () => {
  const children: ChildProcess[] = [];
  const token = `vm-${randomUUID()}`;

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function exitOf(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((r) => child.once('exit', r));
  }

  /** A "container": sleep as PID 1 of a new PID namespace. */
  async function startNamespacedSleep(): Promise<{ unshare: ChildProcess; inner: HostProcess }> {
    const unshare = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'sleep', '30'], { stdio: 'ignore' });
    children.push(unshare);
    const inner = await until(() => takeLinuxSnapshot().processes.find((p) => p.parentPid === unshare.pid && p.name === 'sleep'), 'the namespaced sleep');
    return { unshare, inner };
  }

  /** A "VM worker": a host process whose command line carries the token. */
  async function startWorker(): Promise<{ child: ChildProcess; claim: WorkerClaim }> {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)', '--', `guest=${token}`], { stdio: 'ignore' });
    children.push(child);
    const host = await until(() => takeLinuxSnapshot({ pids: [child.pid!] }).processes.find((p) => p.commandLine.includes(token)), 'the worker');
    return { child, claim: { pid: host.pid, name: host.name, startTimeMs: host.startTimeMs, tieToken: token, tieField: 'commandLine', how: 'started by the test' } };
  }

  function evidence(processes: ContainerProcess[], worker: WorkerClaim | null): VerdictEvidence {
    return {
      container: { name: 'real', id: token, backend: 'linux', configuredIsolation: 'Process' },
      containerProcesses: processes,
      snapshot: takeLinuxSnapshot(),
      worker,
      gaps: [],
    };
  }

  function asContainerSees(inner: HostProcess, claim: boolean): ContainerProcess {
    return {
      containerPid: 1,
      name: 'sleep',
      commandLine: 'sleep 30',
      claimedHostPid: claim ? inner.pid : null,
      startTimeMs: claim ? inner.startTimeMs : null,
      workingSetBytes: null,
      privateBytes: null,
      pagedBytes: null,
      nonPagedBytes: null,
      cpuSeconds: null,
      sessionId: null,
    };
  }

  it('says Process for a namespaced process claimed at its host PID, and Inconclusive once it has exited', async () => {
    const { unshare, inner } = await startNamespacedSleep();
    const live = decideIsolation(evidence([asContainerSees(inner, true)], null));
    expect(live.observed).toBe('Process');
    expect(live.hostMatches[0]).toMatchObject({ hostPid: inner.pid, matched: true, outcome: 'SameProcess' });

    unshare.kill('SIGKILL'); // --kill-child takes the namespaced sleep with it
    await exitOf(unshare);
    await until(() => (takeLinuxSnapshot({ pids: [inner.pid] }).processes.length === 0 ? true : undefined), 'the sleep to be gone');
    const gone = decideIsolation(evidence([asContainerSees(inner, true)], null));
    expect(gone.observed).toBe('Inconclusive');
    expect(gone.hostMatches[0]?.outcome).toBe('ClaimedPidMissing');
  });

  it('does not call a namespaced process VM-isolated when the claim is missing, even with a live tied worker', async () => {
    const { inner } = await startNamespacedSleep();
    const { claim } = await startWorker();
    const v = decideIsolation(evidence([asContainerSees(inner, false)], claim));
    expect(v.observed).toBe('Inconclusive');
    // Any namespaced sleep that is PID 1 in its namespace blocks HyperV: ours,
    // or one in another container on this busy host.
    const match = v.hostMatches[0]!;
    expect(match.outcome).toBe('UnclaimedInContainerNamespace');
    const found = v.hostMatches[0]!.hostPid!;
    const host = takeLinuxSnapshot({ pids: [found] }).processes[0];
    expect(host?.name).toBe('sleep');
    expect(host?.nsPids.at(-1)).toBe(1);
    expect(host?.nsPids.length).toBeGreaterThan(1);
    expect(inner.nsPids).toEqual([inner.pid, 1]);
    expect(v.worker).toMatchObject({ alive: true, tied: true });
  });

  it('says HyperV for processes the host cannot see with a live tied worker, and Inconclusive when the worker dies', async () => {
    const { child, claim } = await startWorker();
    const guestOnly: ContainerProcess = { ...asContainerSees({} as HostProcess, false), name: `guest-${token.slice(3, 11)}`, commandLine: null };
    const live = decideIsolation(evidence([guestOnly], claim));
    expect(live.observed).toBe('HyperV');

    child.kill('SIGKILL');
    await exitOf(child);
    const dead = decideIsolation(evidence([guestOnly], claim));
    expect(dead.observed).toBe('Inconclusive');
    expect(dead.worker).toMatchObject({ alive: false, tied: false });
  });
});
