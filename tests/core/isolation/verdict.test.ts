import { describe, expect, it } from 'vitest';
import type { ContainerProcess, WorkerClaim } from '../../../ts-core/src/backends/types.js';
import type { HostProcess, HostSnapshot } from '../../../ts-core/src/processes/types.js';
import {
  START_TIME_TOLERANCE_MS,
  decideIsolation,
  judge,
  sameProcessName,
  type HostMatchOutcome,
  type ObservedIsolation,
  type VerdictEvidence,
  type VerdictRule,
} from '../../../ts-core/src/isolation/verdict.js';
import { parseUnixListeners } from '../../../ts-core/src/processes/procfs/sockets.js';

// ---------------------------------------------------------------------------
// Builders: a small host with a process-isolated container (ping as host PID
// 4242, PID 1 in its namespace) and a VM worker for a Hyper-V container.

const T0 = 1_795_941_420_000;
const VM_ID = '6f1c2a9e-0b7d-4c55-9a1e-2f3d4c5b6a70';

function hostProcess(over: Partial<HostProcess> & Pick<HostProcess, 'pid' | 'name'>): HostProcess {
  return {
    parentPid: 1,
    commandLine: over.name,
    startTimeMs: T0,
    user: 'root',
    nsPids: [over.pid],
    pidNamespace: '4026531836',
    workingSetBytes: 4096 * 100,
    privateBytes: 4096 * 50,
    pagedBytes: 0,
    nonPagedBytes: 0,
    cpuSeconds: 0.01,
    sessionId: 0,
    ...over,
  };
}

function containerProcess(over: Partial<ContainerProcess> & Pick<ContainerProcess, 'containerPid' | 'name'>): ContainerProcess {
  return {
    commandLine: null,
    claimedHostPid: null,
    startTimeMs: null,
    workingSetBytes: null,
    privateBytes: null,
    pagedBytes: null,
    nonPagedBytes: null,
    cpuSeconds: null,
    sessionId: null,
    ...over,
  };
}

const systemd = hostProcess({ pid: 1, name: 'systemd', parentPid: null, startTimeMs: T0 - 3_600_000 });
const hostSleep = hostProcess({ pid: 7, name: 'sleep', startTimeMs: T0 - 1000 });
// The process-isolated container's ping: host PID 4242, PID 1 inside.
const containerPing = hostProcess({ pid: 4242, name: 'ping', startTimeMs: T0 + 1230, nsPids: [4242, 1], pidNamespace: '4026532999', commandLine: 'ping 127.0.0.1' });
const containerSh = hostProcess({ pid: 4250, name: 'sh', startTimeMs: T0 + 1500, nsPids: [4250, 7], pidNamespace: '4026532999', commandLine: '/bin/sh' });
// This Hyper-V container's worker.
const worker = hostProcess({
  pid: 5000,
  name: 'qemu-wc-hv1',
  startTimeMs: T0 + 50,
  commandLine: `qemu-system-x86_64 -name guest=${VM_ID},process=qemu-wc-hv1 -accel tcg -m 256`,
});
// Look-alikes: a VM worker by name with nothing tying it to this container.
const strayQemu = hostProcess({ pid: 5100, name: 'qemu-system-x86_64', startTimeMs: T0 + 60, commandLine: 'qemu-system-x86_64 -name guest=other-vm -m 512' });
const fakeVmwp = hostProcess({ pid: 5200, name: 'vmwp', startTimeMs: T0 + 70, commandLine: 'vmwp.exe 00000000-0000-0000-0000-000000000000' });
const renamedQemu = hostProcess({ pid: 5300, name: 'qemu-wc-hv1', startTimeMs: T0 + 80, commandLine: 'qemu-wc-hv1 --pretend' });

function snapshot(processes: HostProcess[], unreadable: number[] = []): HostSnapshot {
  return { takenAtMs: T0 + 10_000, processes, unreadable };
}

const pingClaimed = containerProcess({ containerPid: 1, name: 'ping', claimedHostPid: 4242, startTimeMs: containerPing.startTimeMs });
const shClaimed = containerProcess({ containerPid: 7, name: 'sh', claimedHostPid: 4250, startTimeMs: containerSh.startTimeMs });
const guestPing = containerProcess({ containerPid: 1, name: 'ping' });
const guestSh = containerProcess({ containerPid: 2, name: 'sh' });

const workerClaim: WorkerClaim = { pid: 5000, name: 'qemu-wc-hv1', startTimeMs: worker.startTimeMs, tieToken: VM_ID, tieField: 'commandLine', how: 'launched by the linux backend' };

function processEvidence(over: Partial<VerdictEvidence> = {}): VerdictEvidence {
  return {
    container: { name: 'web', id: 'web', backend: 'linux', configuredIsolation: 'Process' },
    containerProcesses: [pingClaimed, shClaimed],
    snapshot: snapshot([systemd, hostSleep, containerPing, containerSh, strayQemu]),
    worker: null,
    gaps: [],
    ...over,
  };
}

function hyperVEvidence(over: Partial<VerdictEvidence> = {}): VerdictEvidence {
  return {
    container: { name: 'hv1', id: VM_ID, backend: 'linux', configuredIsolation: 'HyperV' },
    containerProcesses: [guestPing, guestSh],
    snapshot: snapshot([systemd, hostSleep, worker, strayQemu, fakeVmwp]),
    worker: workerClaim,
    gaps: [],
    ...over,
  };
}

interface Case {
  name: string;
  evidence: VerdictEvidence;
  observed: ObservedIsolation;
  /** The rule that must have decided it: a case that ends right for another reason fails. */
  decidedBy: VerdictRule;
  /** Every one must occur in the reasons (case-insensitive). */
  reasonIncludes: RegExp[];
  outcomes?: HostMatchOutcome[];
  worker?: { alive: boolean; tied: boolean };
}

const cases: Case[] = [
  // --- positive cases ---------------------------------------------------------
  {
    name: 'clean process isolation: every process is the same host process',
    evidence: processEvidence(),
    observed: 'Process',
    decidedBy: 'host-match',
    reasonIncludes: [/all 2 of its processes are processes of the host \(same PID, name and start time\)/i],
    outcomes: ['SameProcess', 'SameProcess'],
  },
  {
    name: 'clean Hyper-V isolation: nothing on the host, own worker alive and tied',
    evidence: hyperVEvidence(),
    observed: 'HyperV',
    decidedBy: 'worker',
    reasonIncludes: [/none of its 2 processes is visible/i, /contains this container's id/i],
    outcomes: ['NotOnHost', 'NotOnHost'],
    worker: { alive: true, tied: true },
  },
  {
    name: 'Hyper-V with a worker tied by user (vmmem as NT VIRTUAL MACHINE\\<VMID>)',
    evidence: hyperVEvidence({
      snapshot: snapshot([systemd, hostProcess({ pid: 6000, name: 'vmmem', user: `NT VIRTUAL MACHINE\\${VM_ID}`, startTimeMs: T0 })]),
      worker: { pid: 6000, name: 'vmmem', startTimeMs: null, tieToken: VM_ID, tieField: 'user', how: 'test' },
    }),
    observed: 'HyperV',
    decidedBy: 'worker',
    reasonIncludes: [/its user contains/i],
    worker: { alive: true, tied: true },
  },
  {
    name: 'start time within one clock tick still matches',
    evidence: processEvidence({
      containerProcesses: [{ ...pingClaimed, startTimeMs: containerPing.startTimeMs + START_TIME_TOLERANCE_MS }],
    }),
    observed: 'Process',
    decidedBy: 'host-match',
    reasonIncludes: [/is host process 'ping' \(PID 4242\)/],
  },
  {
    name: 'a claim without start time still matches on PID, name and NSpid, and says so',
    evidence: processEvidence({ containerProcesses: [{ ...pingClaimed, startTimeMs: null }] }),
    observed: 'Process',
    decidedBy: 'host-match',
    reasonIncludes: [/start time where the backend gave one/, /gave no start time/i],
  },
  {
    name: 'Windows-style names: ping.exe in the container is ping on the host',
    evidence: processEvidence({
      containerProcesses: [containerProcess({ containerPid: 3964, name: 'PING.EXE', claimedHostPid: 3964, startTimeMs: T0 })],
      snapshot: snapshot([hostProcess({ pid: 3964, name: 'PING', nsPids: [] })]),
    }),
    observed: 'Process',
    decidedBy: 'host-match',
    reasonIncludes: [/is host process/],
  },

  // --- look-alike workers -------------------------------------------------------
  {
    name: 'a host qemu-system-x86_64 that is not this container\'s worker (untied look-alike)',
    evidence: hyperVEvidence({ worker: { ...workerClaim, pid: strayQemu.pid, name: strayQemu.name, startTimeMs: strayQemu.startTimeMs } }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/look-alike/i, /does not contain this container's id/i],
    worker: { alive: true, tied: false },
  },
  {
    name: 'a process named vmwp with no tie to the container',
    evidence: hyperVEvidence({ worker: { pid: fakeVmwp.pid, name: 'vmwp', startTimeMs: null, tieToken: VM_ID, tieField: 'commandLine', how: 'found by name' } }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/look-alike/i],
    worker: { alive: true, tied: false },
  },
  {
    name: 'a process renamed qemu-wc-hv1 (right name, wrong process) with another start time',
    evidence: hyperVEvidence({
      snapshot: snapshot([systemd, renamedQemu]),
      worker: { ...workerClaim, pid: renamedQemu.pid },
    }),
    observed: 'Inconclusive',
    decidedBy: 'worker-identity',
    reasonIncludes: [/PID was reused/i],
    worker: { alive: false, tied: false },
  },
  {
    name: 'a renamed look-alike with no start-time claim still needs the tie',
    evidence: hyperVEvidence({
      snapshot: snapshot([systemd, renamedQemu]),
      worker: { ...workerClaim, pid: renamedQemu.pid, startTimeMs: null },
    }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/does not contain this container's id/i],
    worker: { alive: true, tied: false },
  },
  {
    name: 'a trivial tie token proves nothing',
    evidence: hyperVEvidence({ worker: { ...workerClaim, tieToken: 'qemu' } }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/too short/i],
    worker: { alive: true, tied: false },
  },
  {
    name: 'a whitespace-padded short token is still trivial',
    evidence: hyperVEvidence({ worker: { ...workerClaim, tieToken: '   -m      ' } }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/too short/i],
    worker: { alive: true, tied: false },
  },
  {
    name: 'a tie token that is only the worker\'s own name ties nothing',
    evidence: hyperVEvidence({ worker: { ...workerClaim, tieToken: 'qemu-wc-hv1' } }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/part of its name/i],
    worker: { alive: true, tied: false },
  },

  {
    name: 'a worker tied by user whose user the host could not name',
    evidence: hyperVEvidence({
      snapshot: snapshot([systemd, hostProcess({ pid: 6000, name: 'vmmem', user: null, commandLine: `vmmem ${VM_ID}` })]),
      worker: { pid: 6000, name: 'vmmem', startTimeMs: null, tieToken: `NT VIRTUAL MACHINE\\${VM_ID}`, tieField: 'user', how: 'test' },
    }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/its user does not contain/i],
    worker: { alive: true, tied: false },
  },
  {
    name: 'the tie token must match exactly: another VM id differing in one character is not a tie',
    evidence: hyperVEvidence({ worker: { ...workerClaim, tieToken: VM_ID.replace(/0$/, '1') } }),
    observed: 'Inconclusive',
    decidedBy: 'worker-tie',
    reasonIncludes: [/look-alike/i],
    worker: { alive: true, tied: false },
  },

  // --- dead or reused workers -----------------------------------------------------
  {
    name: 'the tied worker is dead (its PID is not in the snapshot)',
    evidence: hyperVEvidence({ snapshot: snapshot([systemd, hostSleep, strayQemu]) }),
    observed: 'Inconclusive',
    decidedBy: 'worker-identity',
    reasonIncludes: [/worker process 'qemu-wc-hv1' \(PID 5000\) is not running/i],
    worker: { alive: false, tied: false },
  },
  {
    name: 'worker PID reused by a process with the same name and tie but another start time',
    evidence: hyperVEvidence({ snapshot: snapshot([systemd, { ...worker, startTimeMs: worker.startTimeMs + 5000 }]) }),
    observed: 'Inconclusive',
    decidedBy: 'worker-identity',
    reasonIncludes: [/PID was reused/i],
    worker: { alive: false, tied: false },
  },
  {
    name: 'worker PID now runs something else',
    evidence: hyperVEvidence({ snapshot: snapshot([systemd, hostProcess({ pid: 5000, name: 'bash', commandLine: `bash -c ${VM_ID}` })]) }),
    observed: 'Inconclusive',
    decidedBy: 'worker-identity',
    reasonIncludes: [/host PID 5000 is 'bash' now/i],
    worker: { alive: false, tied: false },
  },
  {
    name: 'no worker claimed: invisible processes alone are not Hyper-V',
    evidence: hyperVEvidence({ worker: null }),
    observed: 'Inconclusive',
    decidedBy: 'no-worker',
    reasonIncludes: [/names no worker process/i],
  },
  {
    name: 'worker PID unreadable on the host',
    evidence: hyperVEvidence({ snapshot: snapshot([systemd], [5000]) }),
    observed: 'Inconclusive',
    decidedBy: 'unreadable-host-process',
    reasonIncludes: [/could not be read/i],
  },

  // --- container process identity -------------------------------------------------
  {
    name: 'container process PID reused on the host: same PID and name, different start time',
    evidence: processEvidence({ snapshot: snapshot([systemd, { ...containerPing, startTimeMs: containerPing.startTimeMs + 60_000 }, containerSh]) }),
    observed: 'Inconclusive',
    decidedBy: 'start-time',
    reasonIncludes: [/a different process now has that PID/i],
    outcomes: ['StartTimeMismatch', 'SameProcess'],
  },
  {
    name: 'start time one ms beyond the tolerance is a different process',
    evidence: processEvidence({
      containerProcesses: [{ ...pingClaimed, startTimeMs: containerPing.startTimeMs - START_TIME_TOLERANCE_MS - 1 }],
    }),
    observed: 'Inconclusive',
    decidedBy: 'start-time',
    reasonIncludes: [/different process now has that PID/i],
    outcomes: ['StartTimeMismatch'],
  },
  {
    name: 'a different name at the claimed PID',
    evidence: processEvidence({ snapshot: snapshot([systemd, { ...containerPing, name: 'nginx' }, containerSh]) }),
    observed: 'Inconclusive',
    decidedBy: 'name',
    reasonIncludes: [/that host process is 'nginx'/i],
    outcomes: ['NameMismatch', 'SameProcess'],
  },
  {
    name: 'the claimed host process has another PID inside its namespace',
    evidence: processEvidence({ snapshot: snapshot([systemd, { ...containerPing, nsPids: [4242, 9] }, containerSh]) }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-pid',
    reasonIncludes: [/is PID 9, not 1/i],
    outcomes: ['NamespacePidMismatch', 'SameProcess'],
  },
  {
    name: 'a process that exits mid-check (claimed PID missing from the snapshot)',
    evidence: processEvidence({ snapshot: snapshot([systemd, containerSh]) }),
    observed: 'Inconclusive',
    decidedBy: 'pid-missing',
    reasonIncludes: [/exited during the check/i],
    outcomes: ['ClaimedPidMissing', 'SameProcess'],
  },
  {
    name: 'all claimed processes exited mid-check: never Hyper-V, even with a live tied worker',
    evidence: processEvidence({ snapshot: snapshot([systemd, worker]), worker: workerClaim }),
    observed: 'Inconclusive',
    decidedBy: 'pid-missing',
    reasonIncludes: [/cannot be ruled out/i, /exited during the check/i],
    outcomes: ['ClaimedPidMissing', 'ClaimedPidMissing'],
  },
  {
    name: 'claimed PID unreadable on the host',
    evidence: processEvidence({ snapshot: snapshot([systemd, containerSh], [4242]) }),
    observed: 'Inconclusive',
    decidedBy: 'pid-unreadable',
    reasonIncludes: [/could not read that process/i],
    outcomes: ['ClaimedPidUnreadable', 'SameProcess'],
  },
  {
    name: 'an empty container',
    evidence: processEvidence({ containerProcesses: [] }),
    observed: 'Inconclusive',
    decidedBy: 'no-processes',
    reasonIncludes: [/reports no processes/i],
  },
  {
    name: 'an empty container with a live tied worker is still not Hyper-V',
    evidence: hyperVEvidence({ containerProcesses: [] }),
    observed: 'Inconclusive',
    decidedBy: 'no-processes',
    reasonIncludes: [/reports no processes/i],
  },
  {
    name: 'partial visibility: one process on the host, one not',
    evidence: hyperVEvidence({
      containerProcesses: [pingClaimed, guestSh],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'partial-match',
    reasonIncludes: [/1 of its 2 processes are on the host/i],
    outcomes: ['SameProcess', 'NotOnHost'],
  },

  {
    name: 'two container processes claiming one host process (Windows: no NSpid to tell them apart)',
    evidence: processEvidence({
      containerProcesses: [
        containerProcess({ containerPid: 100, name: 'ping', claimedHostPid: 3964, startTimeMs: T0 }),
        containerProcess({ containerPid: 101, name: 'ping', claimedHostPid: 3964, startTimeMs: T0 }),
      ],
      snapshot: snapshot([hostProcess({ pid: 3964, name: 'ping', nsPids: [] })]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'pid-shared',
    reasonIncludes: [/cannot all be right/i],
    outcomes: ['ClaimedPidShared', 'ClaimedPidShared'],
  },

  // --- backends that forget claims -----------------------------------------------------
  {
    name: 'a process-isolated container whose backend omitted the claims must not look Hyper-V',
    evidence: hyperVEvidence({
      containerProcesses: [guestPing],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-lookalike',
    reasonIncludes: [/inside a container PID namespace/i],
    outcomes: ['UnclaimedInContainerNamespace'],
  },
  {
    name: 'an unclaimed container process matched only by comm prefix (15-char truncation) is still found',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: 'averyveryverylo' })],
      snapshot: snapshot([systemd, hostProcess({ pid: 8000, name: 'averyveryverylongprogramname', nsPids: [8000, 1] }), worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-lookalike',
    reasonIncludes: [/inside a container PID namespace/i],
    outcomes: ['UnclaimedInContainerNamespace'],
  },
  {
    name: 'an unclaimed process reported by its argv ("ping 127.0.0.1") is still looked up as ping',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: '/bin/ping 127.0.0.1' })],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-lookalike',
    reasonIncludes: [/inside a container PID namespace/i],
    outcomes: ['UnclaimedInContainerNamespace'],
  },
  {
    name: 'an unclaimed process with an odd name is looked up by its command line too',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: '[busybox]', commandLine: 'ping 127.0.0.1' })],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-lookalike',
    reasonIncludes: [/inside a container PID namespace/i],
    outcomes: ['UnclaimedInContainerNamespace'],
  },
  {
    name: 'a same-named PID 1 of another container that started long before does not block Hyper-V',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: 'ping', startTimeMs: containerPing.startTimeMs + 60_000 })],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'HyperV',
    decidedBy: 'worker',
    reasonIncludes: [/started at other times/i],
    outcomes: ['NotOnHost'],
  },
  {
    name: 'a same-named namespaced process within a second of the reported start still blocks Hyper-V',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: 'ping', startTimeMs: containerPing.startTimeMs + 999 })],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-lookalike',
    reasonIncludes: [/inside a container PID namespace/i],
    outcomes: ['UnclaimedInContainerNamespace'],
  },
  {
    name: 'a forgotten claim with an exact start time is caught',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: 'ping', startTimeMs: containerPing.startTimeMs })],
      snapshot: snapshot([systemd, containerPing, worker]),
    }),
    observed: 'Inconclusive',
    decidedBy: 'namespace-lookalike',
    reasonIncludes: [/may well be this very process/i],
    outcomes: ['UnclaimedInContainerNamespace'],
  },
  {
    name: 'an ordinary host process sharing name and PID makes the result Inconclusive',
    evidence: hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 7, name: 'sleep' })],
    }),
    observed: 'Inconclusive',
    decidedBy: 'host-lookalike',
    reasonIncludes: [/cannot be told apart/i],
    outcomes: ['UnclaimedHostLookalike'],
  },
  {
    name: 'a host process with the same name but another PID does not block Hyper-V',
    evidence: hyperVEvidence({ containerProcesses: [containerProcess({ containerPid: 1, name: 'sleep' })] }),
    observed: 'HyperV',
    decidedBy: 'worker',
    reasonIncludes: [/is not on the host/i],
    outcomes: ['NotOnHost'],
  },

  // --- gaps ---------------------------------------------------------------------------
  {
    name: 'a permission gap while gathering evidence',
    evidence: hyperVEvidence({ gaps: ['Could not read /proc/4242/ns/pid: permission denied.'] }),
    observed: 'Inconclusive',
    decidedBy: 'evidence-gap',
    reasonIncludes: [/evidence is incomplete/i, /permission denied/i],
  },
  {
    name: 'a gap also blocks an otherwise clean Process verdict',
    evidence: processEvidence({ gaps: ['The backend could not list all processes.'] }),
    observed: 'Inconclusive',
    decidedBy: 'evidence-gap',
    reasonIncludes: [/evidence is incomplete/i],
  },
  {
    name: 'unreadable host processes could be the container\'s: no Hyper-V',
    evidence: hyperVEvidence({ snapshot: snapshot([systemd, worker], [4242]) }),
    observed: 'Inconclusive',
    decidedBy: 'unreadable-host-process',
    reasonIncludes: [/could not be read \(PID 4242\)/i],
  },
];

describe('decideIsolation', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const v = decideIsolation(c.evidence);
    expect(v.observed).toBe(c.observed);
    expect(v.decidedBy).toBe(c.decidedBy);
    const text = v.reasons.join('\n');
    for (const pattern of c.reasonIncludes) expect(text).toMatch(pattern);
    if (c.outcomes) expect(v.hostMatches.map((m) => m.outcome)).toEqual(c.outcomes);
    if (c.worker) expect({ alive: v.worker?.alive, tied: v.worker?.tied }).toEqual(c.worker);
    // The verdict carries its evidence: one host match per container process.
    expect(v.hostMatches).toHaveLength(c.evidence.containerProcesses.length);
    expect(v.snapshotTakenAtMs).toBe(c.evidence.snapshot.takenAtMs);
    for (const m of v.hostMatches) {
      expect(m.matched).toBe(m.outcome === 'SameProcess');
      // The evidence names the host process it compared with, and it is the one in the snapshot.
      expect(m.hostProcess?.pid ?? null).toBe(m.hostProcess === null ? null : m.hostPid);
      if (m.hostProcess) expect(c.evidence.snapshot.processes).toContain(m.hostProcess);
    }
  });

  it('never says HyperV unless the worker is alive and tied and no process is on the host', () => {
    for (const c of cases) {
      const v = decideIsolation(c.evidence);
      if (v.observed !== 'HyperV') continue;
      expect(v.worker?.alive && v.worker.tied).toBe(true);
      expect(v.hostMatches.length).toBeGreaterThan(0);
      expect(v.hostMatches.every((m) => m.outcome === 'NotOnHost')).toBe(true);
      expect(v.gaps).toEqual([]);
      expect(c.evidence.snapshot.unreadable).toEqual([]);
    }
  });

  it('points matched host processes at the host PID the backend claimed', () => {
    const v = decideIsolation(processEvidence());
    expect(v.hostMatches.map((m) => [m.containerPid, m.hostPid])).toEqual([
      [1, 4242],
      [7, 4250],
    ]);
  });

  it('names the unclaimed look-alike it found, so a person can check it', () => {
    const v = decideIsolation(hyperVEvidence({ containerProcesses: [guestPing], snapshot: snapshot([systemd, containerPing, worker]) }));
    expect(v.hostMatches[0]).toMatchObject({ hostPid: 4242, matched: false });
  });

  it('says when the evidence contradicts the isolation the backend was asked for', () => {
    const v = decideIsolation(processEvidence({ container: { name: 'web', id: 'web', backend: 'linux', configuredIsolation: 'HyperV' } }));
    expect(v.observed).toBe('Process');
    expect(v.reasons.at(-1)).toBe('The linux backend created this container for Hyper-V isolation, but the evidence shows process isolation.');
    expect(decideIsolation(processEvidence()).reasons.join(' ')).not.toMatch(/created this container for/);
  });

  it('keeps the worker\'s host process as evidence', () => {
    const v = decideIsolation(hyperVEvidence());
    expect(v.worker?.hostProcess?.pid).toBe(5000);
    expect(v.worker?.claim).toEqual(workerClaim);
  });
});

describe('judge', () => {
  it('passes when observed equals expected', () => {
    const j = judge(processEvidence(), 'Process');
    expect(j).toMatchObject({ expected: 'Process', observed: 'Process', passed: true });
    expect(j.summary).toMatch(/^Expected process isolation and observed it\./);
  });

  it('fails a Hyper-V container expected to be process-isolated, saying why', () => {
    const j = judge(hyperVEvidence(), 'Process');
    expect(j).toMatchObject({ expected: 'Process', observed: 'HyperV', passed: false });
    expect(j.summary).toMatch(/^Expected process isolation, but the isolation is Hyper-V isolation\./);
  });

  it('passes a Hyper-V container expected to be Hyper-V-isolated', () => {
    const j = judge(hyperVEvidence(), 'HyperV');
    expect(j).toMatchObject({ expected: 'HyperV', observed: 'HyperV', passed: true });
    expect(j.summary).toMatch(/^Expected Hyper-V isolation and observed it\. Container 'hv1': none of its 2 processes/);
  });

  it('fails on Inconclusive whatever was expected', () => {
    for (const expected of ['Process', 'HyperV'] as const) {
      const j = judge(processEvidence({ containerProcesses: [] }), expected);
      expect(j.passed).toBe(false);
      expect(j.summary).toMatch(/could not be confirmed/);
    }
  });
});

describe('sameProcessName', () => {
  it.each([
    ['ping', 'ping', true],
    ['PING.EXE', 'ping', true],
    ['Ping', 'ping', true],
    ['averyveryverylo', 'averyveryverylongprogramname', true],
    ['averyveryveryl', 'averyveryverylongprogramname', false],
    ['ping', 'ping6', false],
    ['', '', false],
    ['qemu-wc-hv1', 'qemu-system-x86_64', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(sameProcessName(a, b)).toBe(expected);
    expect(sameProcessName(b, a)).toBe(expected);
  });
});

describe('decidedBy and containerView', () => {
  it('carries where the container\'s list came from, and states a host-side fallback among the reasons', () => {
    const view = { source: 'host-cgroup' as const, independent: false, note: 'the container has no /proc directory, so its processes were read from the host' };
    const v = decideIsolation({ ...processEvidence(), containerView: view });
    expect(v.observed).toBe('Process');
    expect(v.decidedBy).toBe('host-match');
    expect(v.containerView).toEqual(view);
    expect(v.reasons.join('\n')).toMatch(/no \/proc directory/);
    expect(decideIsolation(processEvidence()).containerView).toBeNull();
  });

  it('names the failed comparison, not "partial", when one process matched and another was a reused PID', () => {
    const v = decideIsolation(processEvidence({ snapshot: snapshot([systemd, { ...containerPing, startTimeMs: containerPing.startTimeMs + 5000 }, containerSh]) }));
    expect(v.observed).toBe('Inconclusive');
    expect(v.decidedBy).toBe('start-time');
  });
});

describe('the worker must serve the VM (the agent socket\'s listening end)', () => {
  it('is confirmed when the claimed PID holds it, and not when it does not or cannot be shown to', () => {
    const withChannel = (held: boolean | null) => decideIsolation(hyperVEvidence({ worker: { ...workerClaim, channel: { socketPath: '/run/wc/agent.sock', heldByClaimedPid: held } } }));
    expect(withChannel(true)).toMatchObject({ observed: 'HyperV', decidedBy: 'worker' });
    expect(withChannel(false)).toMatchObject({ observed: 'Inconclusive', decidedBy: 'worker-identity' });
    expect(withChannel(false).worker?.reason).toMatch(/not the process serving this container's VM/);
    expect(withChannel(null)).toMatchObject({ observed: 'Inconclusive', decidedBy: 'worker-identity' });
    expect(withChannel(null).worker?.reason).toMatch(/could not be shown to hold/);
  });
});

describe('an unclaimed process that exec\'d between the two readings', () => {
  it('is still found by its start time in a container PID namespace, though its name changed', () => {
    const v = decideIsolation(hyperVEvidence({
      containerProcesses: [containerProcess({ containerPid: 1, name: 'runc:[2:INIT]', startTimeMs: containerPing.startTimeMs })],
      snapshot: snapshot([systemd, containerPing, worker]),
    }));
    expect(v.observed).toBe('Inconclusive');
    expect(v.decidedBy).toBe('namespace-lookalike');
  });
});

describe('parseUnixListeners', () => {
  const text = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '0000000073ef6a7f: 00000003 00000000 00000000 0001 03 1243478',
    '0000000026f0b25e: 00000002 00000000 00010000 0001 01 1241402 /run/wc/agent.sock',
    '0000000026f0b25f: 00000003 00000000 00000000 0001 03 1241500 /run/wc/agent.sock',
    '0000000026f0b260: 00000002 00000000 00010000 0001 01 1241600 /run/wc/agent.sock.evil',
    '0000000026f0b261: 00000002 00000000 00010000 0001 01 1241700 /run/wc/with space.sock',
  ].join('\n');
  it('maps listening sockets to the names they were bound at, relative names kept', () => {
    const listeners = parseUnixListeners(text + '\n0000000026f0b262: 00000002 00000000 00010000 0001 01 1241800 agent.sock');
    expect(listeners.get('1241402')).toBe('/run/wc/agent.sock');
    expect(listeners.get('1241700')).toBe('/run/wc/with space.sock');
    expect(listeners.get('1241800')).toBe('agent.sock');
    // Connected (not listening) and unnamed sockets are not listeners.
    expect(listeners.has('1241500')).toBe(false);
    expect(listeners.has('1243478')).toBe(false);
  });
});
