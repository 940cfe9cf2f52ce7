/**
 * The isolation verdict: evidence in, verdict out, no I/O.
 *
 * - Process: every process the container reports is found on the host as the
 *   SAME process: the host process at the backend's claimed PID exists, has
 *   the same name, the same start time (when the claim carries one) and, on
 *   Linux, its innermost NSpid is the PID the container reports.
 * - HyperV: the container reports at least one process, none of them is on
 *   the host, nothing on the host even looks like one of them from inside a
 *   container PID namespace, the host snapshot had no unreadable process, and
 *   the worker the backend names for THIS container is alive (same PID, name
 *   and start time) and tied to it by a non-trivial token in its command line
 *   or user, not by its name.
 * - Inconclusive: everything else, with a reason. A false HyperV is a security
 *   bug (a process-isolated container reported as VM-isolated), so every
 *   doubt lands here.
 */
import type { BackendName, Isolation } from '../domain/isolation.js';
import type { ContainerProcess, WorkerClaim } from '../domain/container.js';
import type { HostProcess, HostSnapshot } from '../domain/hostProcess.js';
import type { ContainerView, HostMatch, HostMatchOutcome, JudgedVerdict, Verdict, VerdictRule, WorkerCheck } from '../domain/verdict.js';

import type { ObservedIsolation } from '../domain/isolation.js';
export type { ObservedIsolation } from '../domain/isolation.js';
export type { ContainerView, HostMatch, HostMatchOutcome, JudgedVerdict, Verdict, VerdictRule, WorkerCheck } from '../domain/verdict.js';

export interface VerdictEvidence {
  container: { name: string; id: string; backend: BackendName; configuredIsolation: Isolation };
  containerProcesses: readonly ContainerProcess[];
  snapshot: HostSnapshot;
  worker: WorkerClaim | null;
  /** Problems met while gathering (permission denied, a backend that could not list), in words. */
  gaps: readonly string[];
  /** Where the container's process list came from, when the backend said. */
  containerView?: ContainerView | null;
}

/** The rule a doubtful comparison stands for. */
const ruleOfOutcome: Record<Exclude<HostMatchOutcome, 'SameProcess' | 'NotOnHost'>, VerdictRule> = {
  ClaimedPidMissing: 'pid-missing',
  ClaimedPidShared: 'pid-shared',
  ClaimedPidUnreadable: 'pid-unreadable',
  NameMismatch: 'name',
  StartTimeMismatch: 'start-time',
  NamespacePidMismatch: 'namespace-pid',
  UnclaimedInContainerNamespace: 'namespace-lookalike',
  UnclaimedHostLookalike: 'host-lookalike',
};

/** The rule of the first comparison that did not hold (the order of the container's list). */
function firstDoubt(matches: readonly HostMatch[]): VerdictRule {
  for (const m of matches) {
    if (m.outcome !== 'SameProcess' && m.outcome !== 'NotOnHost') return ruleOfOutcome[m.outcome];
  }
  return 'partial-match';
}

/**
 * Start times from the same clock agree exactly; allow one Linux clock tick
 * (10 ms at USER_HZ 100) for claims rounded from another unit (Windows 100 ns
 * FILETIMEs rounded to ms). Anything further apart is a different process.
 */
export const START_TIME_TOLERANCE_MS = 10;

/**
 * For a process the backend did not locate: a same-named host process that
 * started further than this from the container's own start time is another
 * process. Generous on purpose: a guest clock is close to, not equal to, the
 * host's, and a near miss only costs an Inconclusive.
 */
export const UNCLAIMED_START_WINDOW_MS = 1000;

/** Shorter tokens (a bare "1", "root", "qemu") tie a worker to nothing in particular. */
export const MIN_TIE_TOKEN_LENGTH = 8;

/** Linux comm is cut to 15 bytes; the other side may show the untruncated name. */
const COMM_LENGTH = 15;

function normalizeName(name: string): string {
  // Windows compares process names case-insensitively and HCS reports
  // "ping.exe" where Get-Process says "ping".
  return name.trim().toLowerCase().replace(/\.exe$/, '');
}

/**
 * Same process name, allowing for the two legitimate differences: case and
 * ".exe" (Windows), and Linux's 15-byte comm against the untruncated name.
 */
export function sameProcessName(a: string, b: string): boolean {
  const x = normalizeName(a);
  const y = normalizeName(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return Buffer.byteLength(short, 'utf8') === COMM_LENGTH && long.startsWith(short);
}

function innermostNsPid(p: HostProcess): number | null {
  return p.nsPids.length > 0 ? p.nsPids[p.nsPids.length - 1]! : null;
}

/** In a PID namespace below the one the snapshot was read from (a container's). */
function inChildPidNamespace(p: HostProcess): boolean {
  return p.nsPids.length >= 2;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

function describe(p: { name: string }, pid: number): string {
  return `'${p.name}' (PID ${pid})`;
}

function compareClaimed(cp: ContainerProcess, claimed: number, byPid: Map<number, HostProcess>, unreadable: Set<number>): HostMatch {
  const host = byPid.get(claimed) ?? null;
  const base = { containerPid: cp.containerPid, name: cp.name, hostPid: claimed, hostProcess: host };
  const it = `The container's process ${describe(cp, cp.containerPid)}`;
  if (unreadable.has(claimed)) {
    return { ...base, matched: false, outcome: 'ClaimedPidUnreadable', reason: `${it} is said to be host PID ${claimed}, but the host could not read that process, so it cannot be confirmed.` };
  }
  if (!host) {
    return {
      ...base,
      matched: false,
      outcome: 'ClaimedPidMissing',
      reason: `${it} is said to be host PID ${claimed}, but no host process has that PID: it exited during the check, or the claim is wrong.`,
    };
  }
  if (!sameProcessName(host.name, cp.name)) {
    return {
      ...base,
      matched: false,
      outcome: 'NameMismatch',
      reason: `${it} is said to be host PID ${claimed}, but that host process is '${host.name}': the PID was reused or the claim is wrong.`,
    };
  }
  if (cp.startTimeMs !== null && !(Math.abs(host.startTimeMs - cp.startTimeMs) <= START_TIME_TOLERANCE_MS)) {
    return {
      ...base,
      matched: false,
      outcome: 'StartTimeMismatch',
      reason: `${it} started at ${iso(cp.startTimeMs)}, but host PID ${claimed} ('${host.name}') started at ${iso(host.startTimeMs)}: a different process now has that PID.`,
    };
  }
  // The container may report the process from its own PID namespace while the process sits in one nested
  // below it: any namespace level below the host's may hold the container's PID. Outside any child
  // namespace (a single entry), that entry must be it.
  const inner = innermostNsPid(host);
  const levels = host.nsPids.length >= 2 ? host.nsPids.slice(1) : host.nsPids;
  if (inner !== null && !levels.includes(cp.containerPid)) {
    return {
      ...base,
      matched: false,
      outcome: 'NamespacePidMismatch',
      reason: `${it} is said to be host PID ${claimed}, but inside its PID namespace that host process is PID ${inner}, not ${cp.containerPid}.`,
    };
  }
  const startNote = cp.startTimeMs === null ? ' (the backend gave no start time, so only PID, name and namespace PID were compared)' : '';
  return {
    ...base,
    matched: true,
    outcome: 'SameProcess',
    reason: `${it} is host process ${describe(host, claimed)}${startNote}.`,
  };
}

/** Executable basename of the first word: what a `ps` that shows argv instead of the name would give. */
function firstWordBasename(text: string | null): string {
  const first = (text ?? '').trim().split(/\s+/)[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

function compareUnclaimed(cp: ContainerProcess, processes: readonly HostProcess[]): HostMatch {
  const base = { containerPid: cp.containerPid, name: cp.name };
  const it = `The container's process ${describe(cp, cp.containerPid)}`;
  // A process-isolated container whose backend did not say where its processes
  // are must not look VM-isolated: search for the process ourselves, under
  // every name the container side might have given it.
  const names = [cp.name, firstWordBasename(cp.name), firstWordBasename(cp.commandLine)].filter((n) => n !== '');
  const sameNameAnyTime = processes.filter((h) => names.some((n) => sameProcessName(h.name, n)));
  // The same process has the same start time. When the container says when
  // its process started, a host process that started more than a second away
  // is provably another one (say, PID 1 of some other container on a busy
  // host) and does not count against this container.
  const sameName = cp.startTimeMs === null
    ? sameNameAnyTime
    : sameNameAnyTime.filter((h) => Math.abs(h.startTimeMs - cp.startTimeMs!) <= UNCLAIMED_START_WINDOW_MS);
  const excluded = sameNameAnyTime.length - sameName.length;
  // A process that exec'd between the container's reading and the host's has another name on each side,
  // but not another start time: the same PID in a container namespace started at that very tick is it too.
  const sameStart = cp.startTimeMs === null
    ? []
    : processes.filter((h) => Math.abs(h.startTimeMs - cp.startTimeMs!) <= START_TIME_TOLERANCE_MS);
  const nested = [...sameName, ...sameStart].find((h) => inChildPidNamespace(h) && innermostNsPid(h) === cp.containerPid);
  if (nested) {
    return {
      ...base,
      hostPid: nested.pid,
      hostProcess: nested,
      matched: false,
      outcome: 'UnclaimedInContainerNamespace',
      reason: `${it} was not located by the backend, but host process ${describe(nested, nested.pid)} has the same name and is PID ${cp.containerPid} inside a container PID namespace: it may well be this very process, so the container cannot be called VM-isolated.`,
    };
  }
  const lookalike = sameName.find((h) => h.pid === cp.containerPid && !inChildPidNamespace(h));
  if (lookalike) {
    return {
      ...base,
      hostPid: lookalike.pid,
      hostProcess: lookalike,
      matched: false,
      outcome: 'UnclaimedHostLookalike',
      reason: `${it} was not located by the backend, and the host has a process with the same name and PID ${lookalike.pid}: the two cannot be told apart.`,
    };
  }
  const note = excluded > 0 ? ` (${excluded} host process(es) with that name started at other times, so none of them is it)` : '';
  return { ...base, hostPid: null, hostProcess: null, matched: false, outcome: 'NotOnHost', reason: `${it} is not on the host${note}.` };
}

/** Is the claimed worker alive (same PID, name, start time) and tied to this container? */
export function checkWorker(claim: WorkerClaim, byPid: Map<number, HostProcess>, unreadable: Set<number>): WorkerCheck {
  const w = `The worker process ${describe(claim, claim.pid)}`;
  if (unreadable.has(claim.pid)) {
    return { claim, hostProcess: null, alive: false, tied: false, reason: `${w} could not be read on the host, so it cannot be confirmed.` };
  }
  const host = byPid.get(claim.pid) ?? null;
  if (!host) {
    return { claim, hostProcess: null, alive: false, tied: false, reason: `${w} is not running on the host.` };
  }
  if (!sameProcessName(host.name, claim.name)) {
    return { claim, hostProcess: host, alive: false, tied: false, reason: `${w} is not running: host PID ${claim.pid} is '${host.name}' now.` };
  }
  if (claim.startTimeMs !== null && !(Math.abs(host.startTimeMs - claim.startTimeMs) <= START_TIME_TOLERANCE_MS)) {
    return {
      claim,
      hostProcess: host,
      alive: false,
      tied: false,
      reason: `${w} started at ${iso(claim.startTimeMs)}, but host PID ${claim.pid} started at ${iso(host.startTimeMs)}: the worker exited and its PID was reused.`,
    };
  }
  if (claim.channel && claim.channel.heldByClaimedPid !== true) {
    const why = claim.channel.heldByClaimedPid === false
      ? `does not hold the listening end of the socket the container's processes were read through (${claim.channel.socketPath}): it is not the process serving this container's VM, whatever its name and command line say`
      : `could not be shown to hold the listening end of the socket the container's processes were read through (${claim.channel.socketPath})`;
    return { claim, hostProcess: host, alive: false, tied: false, reason: `${w} ${why}.` };
  }
    const token = claim.tieToken.trim();
  if (token.length < MIN_TIE_TOKEN_LENGTH) {
    return { claim, hostProcess: host, alive: true, tied: false, reason: `${w} is running, but the token that should tie it to this container ('${token}') is too short to prove anything (at least ${MIN_TIE_TOKEN_LENGTH} characters).` };
  }
  if (sameProcessName(token, host.name) || normalizeName(host.name).includes(token.toLowerCase())) {
    return { claim, hostProcess: host, alive: true, tied: false, reason: `${w} is running, but the token that should tie it to this container is part of its name, and a name proves nothing.` };
  }
  const field = claim.tieField === 'commandLine' ? host.commandLine : (host.user ?? '');
  const fieldName = claim.tieField === 'commandLine' ? 'command line' : 'user';
  if (!field.includes(token)) {
    return {
      claim,
      hostProcess: host,
      alive: true,
      tied: false,
      reason: `${w} is running, but its ${fieldName} does not contain this container's id '${token}': it is a look-alike, not this container's worker.`,
    };
  }
  return { claim, hostProcess: host, alive: true, tied: true, reason: `${w} is running and its ${fieldName} contains this container's id '${token}'.` };
}

const isolationWords: Record<Isolation, string> = { Process: 'process isolation', HyperV: 'Hyper-V isolation' };

export function decideIsolation(e: VerdictEvidence): Verdict {
  const byPid = new Map(e.snapshot.processes.map((p) => [p.pid, p] as const));
  const unreadable = new Set(e.snapshot.unreadable);
  const claimCounts = new Map<number, number>();
  for (const cp of e.containerProcesses) {
    if (cp.claimedHostPid !== null) claimCounts.set(cp.claimedHostPid, (claimCounts.get(cp.claimedHostPid) ?? 0) + 1);
  }
  const hostMatches = e.containerProcesses.map((cp): HostMatch => {
    if (cp.claimedHostPid === null) return compareUnclaimed(cp, e.snapshot.processes);
    const shared = claimCounts.get(cp.claimedHostPid)!;
    if (shared > 1) {
      return {
        containerPid: cp.containerPid,
        name: cp.name,
        hostPid: cp.claimedHostPid,
        hostProcess: byPid.get(cp.claimedHostPid) ?? null,
        matched: false,
        outcome: 'ClaimedPidShared',
        reason: `The container's process ${describe(cp, cp.containerPid)} is said to be host PID ${cp.claimedHostPid}, but ${shared} of the container's processes are said to be that one host process: the backend's claims cannot all be right.`,
      };
    }
    return compareClaimed(cp, cp.claimedHostPid, byPid, unreadable);
  });
  const worker = e.worker ? checkWorker(e.worker, byPid, unreadable) : null;
  const gaps = [...e.gaps];
  const configured = e.container.configuredIsolation;
  const view = e.containerView ?? null;
  const viewNote = view?.note ? [`The container's process list: ${view.note}`] : [];
  const verdict = (observed: ObservedIsolation, decidedBy: VerdictRule, headline: string, more: string[] = []): Verdict => ({
    observed,
    decidedBy,
    containerView: view,
    reasons: [
      headline,
      ...more,
      ...viewNote,
      ...(observed !== 'Inconclusive' && observed !== configured
        ? [`The ${e.container.backend} backend created this container for ${isolationWords[configured]}, but the evidence shows ${isolationWords[observed]}.`]
        : []),
    ],
    hostMatches,
    worker,
    gaps,
    snapshotTakenAtMs: e.snapshot.takenAtMs,
  });
  const who = `Container '${e.container.name}'`;
  const matchReasons = hostMatches.map((m) => m.reason);
  const workerReasons = worker ? [worker.reason] : [];

  if (gaps.length > 0) {
    return verdict('Inconclusive', 'evidence-gap', `${who}: the evidence is incomplete, so no isolation can be confirmed: ${gaps.join(' ')}`, [...matchReasons, ...workerReasons]);
  }
  if (hostMatches.length === 0) {
    return verdict('Inconclusive', 'no-processes', `${who} reports no processes (stopped, or nothing running yet): an empty container proves nothing about its isolation.`, workerReasons);
  }

  const matched = hostMatches.filter((m) => m.matched);
  if (matched.length === hostMatches.length) {
    const more = worker ? [...matchReasons, `The backend also named a worker process, but the container's own processes run on the host kernel. ${worker.reason}`] : matchReasons;
    const timed = e.containerProcesses.every((cp) => cp.startTimeMs !== null);
    const same = timed ? 'same PID, name and start time' : 'same PID and name, and start time where the backend gave one';
    return verdict('Process', 'host-match', `${who}: all ${matched.length} of its processes are processes of the host (${same}): it shares the host's kernel.`, more);
  }
  if (matched.length > 0) {
    return verdict(
      'Inconclusive',
      // A comparison that failed for a reason (start time, name…) names that rule; plain absence is a partial match.
      firstDoubt(hostMatches),
      `${who}: ${matched.length} of its ${hostMatches.length} processes are on the host and the others are not; a container is either fully visible to the host or not at all, so this cannot be decided.`,
      matchReasons,
    );
  }

  // None matched. HyperV needs every process to be clearly absent ...
  const doubtful = hostMatches.filter((m) => m.outcome !== 'NotOnHost');
  if (doubtful.length > 0) {
    return verdict(
      'Inconclusive',
      firstDoubt(doubtful),
      `${who}: none of its processes could be confirmed on the host, but ${doubtful.length === 1 ? 'one of them' : `${doubtful.length} of them`} cannot be ruled out either (a backend claim that does not hold, PID reuse, a process that exited during the check, or a look-alike).`,
      [...doubtful.map((m) => m.reason), ...workerReasons],
    );
  }
  if (e.snapshot.unreadable.length > 0) {
    const shown = e.snapshot.unreadable.slice(0, 10).join(', ');
    return verdict(
      'Inconclusive',
      'unreadable-host-process',
      `${who}: none of its processes is visible on the host, but ${e.snapshot.unreadable.length} host process(es) could not be read (PID ${shown}${e.snapshot.unreadable.length > 10 ? ', …' : ''}) and could be the container's. Run as root/Administrator.`,
      [...matchReasons, ...workerReasons],
    );
  }
  // ... and the worker of THIS container to be alive.
  if (!worker) {
    return verdict(
      'Inconclusive',
      'no-worker',
      `${who}: none of its processes is visible on the host, but the backend names no worker process (utility VM or sandbox) for it, so nothing shows the container is running in a VM rather than somewhere the host cannot see.`,
      matchReasons,
    );
  }
  if (!worker.alive || !worker.tied) {
    return verdict('Inconclusive', worker.alive ? 'worker-tie' : 'worker-identity', `${who}: none of its processes is visible on the host, but its worker process is not confirmed. ${worker.reason}`, matchReasons);
  }
  return verdict(
    'HyperV',
    'worker',
    `${who}: none of its ${hostMatches.length} processes is visible on the host, and its own worker process ${describe(worker.hostProcess!, worker.claim.pid)} is running: it runs in its own kernel inside a utility VM.`,
    [...matchReasons, worker.reason],
  );
}

/** The verdict against an expectation; `passed` only when observed equals expected. */
export function judge(e: VerdictEvidence, expected: Isolation): JudgedVerdict {
  const v = decideIsolation(e);
  const passed = v.observed === expected;
  const observedWords = v.observed === 'Inconclusive' ? 'could not be confirmed' : `is ${isolationWords[v.observed]}`;
  const summary = passed
    ? `Expected ${isolationWords[expected]} and observed it. ${v.reasons[0]}`
    : `Expected ${isolationWords[expected]}, but the isolation ${observedWords}. ${v.reasons[0]}`;
  return { ...v, expected, passed, summary };
}
