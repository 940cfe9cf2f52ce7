/**
 * Recognising a process the core recorded, and waiting for it to end. A PID
 * alone names a process only until it exits: once it is reaped the kernel
 * may give the number to another process. So a recorded process is a PID
 * plus its start time, and "alive" means that pair still runs (a zombie has
 * exited; only its parent's wait is missing).
 */
import { readFileSync } from 'node:fs';
import { ProcParseError, parseStat } from './parse.js';
import { defaultProcRoot, startTimeMsFromTicks, systemConstants } from './read.js';

/** A process's identity and size from its stat alone (one read): what lifecycle code needs to recognise a PID it recorded. */
export interface ProcessStat {
  pid: number;
  comm: string;
  /** The kernel's state letter: R, S, D, Z (zombie), X (dead), … */
  state: string;
  /** Start time in ms since the epoch, exactly as a snapshot gives it for the same process. */
  startTimeMs: number;
  /** Resident set size in bytes. */
  rssBytes: number;
}

/** /proc/<pid>/stat of one process; null when it does not exist or its stat does not parse. */
export function readProcessStat(pid: number, procRoot = defaultProcRoot): ProcessStat | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  try {
    const stat = parseStat(text, pid);
    return { pid, comm: stat.comm, state: stat.state, startTimeMs: startTimeMsFromTicks(stat.startTimeTicks), rssBytes: stat.rssPages * systemConstants().pageBytes };
  } catch (error) {
    if (error instanceof ProcParseError) return null;
    throw error;
  }
}

/** A process as recorded: its PID and, when known, its start time (without one, the PID alone is followed). */
export interface ProcessIdentity {
  pid: number;
  startTimeMs?: number | null;
}

function isSame(stat: ProcessStat | null, identity: ProcessIdentity): stat is ProcessStat {
  return stat !== null && (identity.startTimeMs == null || stat.startTimeMs === identity.startTimeMs);
}

/** The process's stat while it still is the recorded one and has not exited; null otherwise. */
export function runningProcess(identity: ProcessIdentity, procRoot = defaultProcRoot): ProcessStat | null {
  const stat = readProcessStat(identity.pid, procRoot);
  return isSame(stat, identity) && stat.state !== 'Z' && stat.state !== 'X' ? stat : null;
}

/** True while the recorded process runs. */
export function isRunning(identity: ProcessIdentity, procRoot = defaultProcRoot): boolean {
  return runningProcess(identity, procRoot) !== null;
}

/** Sends a signal to the process only if it still is the one recorded; false when it is not (or the signal failed). */
export function signalIfSame(identity: ProcessIdentity, signal: NodeJS.Signals): boolean {
  if (!isRunning(identity)) return false;
  try {
    process.kill(identity.pid, signal);
    return true;
  } catch {
    return false;
  }
}

export interface WaitForExitOptions {
  /**
   * After every process has exited, how long to wait, best effort, for
   * whoever is its parent to reap it. A process whose launching core has
   * gone belongs to PID 1, which reaps it a moment later: until then the
   * host still lists it as a zombie. 0: exited is enough.
   */
  reapGraceMs?: number;
  /** Tests point this at a fake tree; default /proc. */
  procRoot?: string;
}

/** The first poll comes soon (a killed process is gone within a millisecond or two), later ones back off to POLL_MS. */
const FIRST_POLL_MS = 2;
const POLL_MS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextPoll = (ms: number) => Math.min(ms * 2, POLL_MS);

/**
 * Waits until none of the processes runs. Returns those still running at the
 * deadline (empty: all exited). Polls: Linux has no way to wait for a process
 * that is not our child short of a pidfd, which Node does not offer.
 */
export async function waitForExit<T extends ProcessIdentity>(processes: readonly T[], timeoutMs: number, options: WaitForExitOptions = {}): Promise<T[]> {
  const procRoot = options.procRoot ?? defaultProcRoot;
  const deadline = Date.now() + timeoutMs;
  let running = processes.filter((p) => isRunning(p, procRoot));
  let poll = FIRST_POLL_MS;
  while (running.length > 0 && Date.now() < deadline) {
    await sleep(poll);
    poll = nextPoll(poll);
    running = running.filter((p) => isRunning(p, procRoot));
  }
  if (running.length > 0 || !options.reapGraceMs) return running;
  const reapDeadline = Date.now() + options.reapGraceMs;
  let unreaped = processes.filter((p) => isSame(readProcessStat(p.pid, procRoot), p));
  poll = FIRST_POLL_MS;
  while (unreaped.length > 0 && Date.now() < reapDeadline) {
    await sleep(poll);
    poll = nextPoll(poll);
    unreaped = unreaped.filter((p) => isSame(readProcessStat(p.pid, procRoot), p));
  }
  return [];
}
