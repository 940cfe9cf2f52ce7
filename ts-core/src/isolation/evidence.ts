/**
 * The one evidence path: a container's processes as it reports them, one
 * host snapshot, and the worker the backend names, judged by the verdict.
 * Get-ContainerProcess (container.processes) and Test-ContainerIsolation
 * (isolation.test) both come through here, so a process's host PID is the
 * one the verdict's own match confirmed, in both.
 */
import { CoreError, toCoreError } from '../protocol/errors.js';
import type { RequestScope } from '../protocol/scope.js';
import type { BackendName, Isolation } from '../domain/isolation.js';
import type { ContainerInfo, ContainerProcess, WorkerClaim } from '../domain/container.js';
import type { HostProcess, HostSnapshot } from '../domain/hostProcess.js';
import type { ContainerProcessRecord } from '../domain/responses.js';
import type { ContainerView } from '../domain/verdict.js';
import type { ProcessView } from '../backends/types.js';
export type { ProcessView } from '../backends/types.js';
import { takeHostSnapshot } from '../processes/snapshot.js';
import { judge, type JudgedVerdict } from './verdict.js';

/** What the evidence path needs of a backend (the Backend interface has it). */
export interface EvidenceSource {
  readonly name: BackendName;
  inspectMany(names: readonly string[], scope?: RequestScope): Promise<Map<string, ContainerInfo | CoreError>>;
  processes(name: string, scope?: RequestScope): Promise<ContainerProcess[]>;
  /** The processes with where they were read from and what that reading could not prove; preferred over processes() when present. */
  processView?(name: string, scope?: RequestScope): Promise<ProcessView>;
  worker(name: string, snapshot: readonly HostProcess[], scope?: RequestScope): Promise<WorkerClaim | null>;
}

/** One container to gather for: where it lives, or why that could not be found. */
export interface EvidenceTarget {
  name: string;
  source: EvidenceSource | CoreError;
}

export interface ContainerEvidence {
  name: string;
  source: EvidenceSource;
  info: ContainerInfo;
  processes: ContainerProcess[];
  /** Why the container's own process list could not be read; the verdict counts it as a gap. */
  processesError: CoreError | null;
  worker: WorkerClaim | null;
  gaps: string[];
  /** Where the process list came from; null when the backend did not say. */
  view: ContainerView | null;
}

export type EvidenceItem = { name: string; evidence: ContainerEvidence; error: null } | { name: string; evidence: null; error: CoreError };

export interface Evidence {
  snapshot: HostSnapshot;
  items: EvidenceItem[];
}

export interface GatherOptions {
  scope: RequestScope;
  /**
   * 'all' reads the whole host table (what a verdict needs); 'claimed' reads
   * only the PIDs the backends claim, which is enough to confirm those
   * claims: the verdict matches a claimed process by its PID alone, and a
   * process nobody claimed is never matched.
   */
  snapshot: 'all' | 'claimed';
  progress?: (status: string, percent: number) => void;
}

/**
 * Gathers for a batch against ONE host snapshot: first every container's
 * own process list, then the snapshot, then the worker claims (which are
 * checked against that snapshot). Twenty containers cost one reading of
 * the host's process table, and every verdict judges the same picture.
 */
export async function gatherEvidence(targets: readonly EvidenceTarget[], options: GatherOptions): Promise<Evidence> {
  const items: EvidenceItem[] = [];
  const bySource = new Map<EvidenceSource, string[]>();
  for (const target of targets) {
    if (target.source instanceof CoreError) continue;
    bySource.set(target.source, [...(bySource.get(target.source) ?? []), target.name]);
  }
  const infos = new Map<string, ContainerInfo | CoreError>();
  for (const [source, names] of bySource) {
    for (const [name, info] of await source.inspectMany(names, options.scope)) infos.set(name, info);
  }
  const gathered: ContainerEvidence[] = [];
  for (const target of targets) {
    const info = target.source instanceof CoreError ? target.source : infos.get(target.name);
    if (info === undefined || info instanceof CoreError || target.source instanceof CoreError) {
      const error = info instanceof CoreError ? info : new CoreError('ContainerNotFound', `There is no container named '${target.name}'.`, { details: { name: target.name } });
      items.push({ name: target.name, evidence: null, error });
      continue;
    }
    const evidence: ContainerEvidence = { name: target.name, source: target.source, info, processes: [], processesError: null, worker: null, gaps: [], view: null };
    gathered.push(evidence);
    items.push({ name: target.name, evidence, error: null });
  }
  for (const [i, e] of gathered.entries()) {
    options.progress?.(`Listing the processes of '${e.name}'`, Math.round((50 * i) / Math.max(1, gathered.length)));
    try {
      if (e.source.processView) {
        const read = await e.source.processView(e.name, options.scope);
        e.processes = read.processes;
        e.view = read.view;
        e.gaps.push(...read.gaps);
      } else {
        e.processes = await e.source.processes(e.name, options.scope);
      }
    } catch (error) {
      e.processesError = toCoreError(error);
      e.gaps.push(`The ${e.source.name} backend could not list the container's processes: ${e.processesError.message}`);
    }
  }
  options.progress?.('Reading the host process table', 50);
  const claimed = gathered.flatMap((e) => e.processes.flatMap((p) => (p.claimedHostPid === null ? [] : [p.claimedHostPid])));
  // Nothing claimed (a utility-VM container): nothing to confirm, so the host table is not read at all.
  const snapshot = options.snapshot === 'claimed' && claimed.length === 0
    ? { takenAtMs: Date.now(), processes: [], unreadable: [] }
    : await takeHostSnapshot(options.snapshot === 'claimed' ? { pids: claimed } : {});
  if (options.snapshot === 'all') {
    for (const e of gathered) {
      try {
        e.worker = await e.source.worker(e.name, snapshot.processes, options.scope);
      } catch (error) {
        e.gaps.push(`The ${e.source.name} backend could not name the container's worker process: ${toCoreError(error).message}`);
      }
    }
  }
  return { snapshot, items };
}

/** The verdict on one container's evidence, and its processes with the host PIDs that verdict confirmed. */
export function judgeEvidence(e: ContainerEvidence, snapshot: HostSnapshot, expected: Isolation): { verdict: JudgedVerdict; processes: ContainerProcessRecord[] } {
  const verdict = judge({
    container: { name: e.name, id: e.info.id, backend: e.source.name, configuredIsolation: e.info.isolation },
    containerProcesses: e.processes,
    snapshot,
    worker: e.worker,
    gaps: e.gaps,
    containerView: e.view,
  }, expected);
  // hostMatches[i] is the verdict's comparison of processes[i]: the host PID is only ever the one it matched.
  const processes = e.processes.map((p, i): ContainerProcessRecord => {
    const match = verdict.hostMatches[i];
    const hostPid = match?.matched ? match.hostPid : null;
    return toContainerProcessRecord(p, e.name, hostPid);
  });
  return { verdict, processes };
}

/** A container process as it travels: timestamps in ISO 8601, the host PID only when confirmed. */
export function toContainerProcessRecord(p: ContainerProcess, containerName: string, hostPid: number | null): ContainerProcessRecord {
  const { startTimeMs, ...reported } = p;
  return { ...reported, containerName, hostPid, visibleOnHost: hostPid !== null, startTime: isoOrNull(startTimeMs) };
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
