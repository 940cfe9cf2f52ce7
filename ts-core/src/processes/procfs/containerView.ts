/**
 * A container's own view of its processes: the procfs mounted at /proc
 * inside the container, reached through /proc/<init>/root/proc. That procfs
 * belongs to the container's PID namespace, so its PIDs, names and start
 * times are a second observation, from another mount and namespace than the
 * host's /proc, which the verdict cross-checks against the host snapshot.
 *
 * Everything read here is the CONTAINER's word, so untrusted:
 * - `/proc/<init>/root` is resolved by the kernel to the container's root,
 *   but an absolute symlink met after it would resolve against OUR root (the
 *   host's). The one component below the root, `proc`, is opened with
 *   O_NOFOLLOW|O_DIRECTORY, and every later path goes through that open
 *   descriptor (/proc/self/fd/<fd>/…), so nothing the container can change
 *   afterwards re-routes the walk; each file is opened O_NOFOLLOW too.
 * - The directory must be a procfs (statfs f_type PROC_SUPER_MAGIC), its
 *   PID 1 must be in the container's PID namespace (same ns/pid link as the
 *   host's /proc/<init>/ns/pid) and started when the host says the init
 *   started; its /proc/stat btime must equal the host's. A tmpfs dressed up
 *   as /proc, or the host's own procfs bind-mounted in, fails one of these.
 * - Counts and sizes are bounded (processes, bytes per file).
 *
 * Start times: /proc/<pid>/stat starttime is clock ticks since boot of the
 * one kernel every container on this host shares, and both the ticks and
 * btime are shown relative to the READER's time namespace (we read them; see
 * proc(5) and time_namespaces(7)), so the container's ticks convert with the
 * host's clock (procClock) and equal the host snapshot's start time for the
 * same process. The container's btime is only compared, never used.
 */
import { closeSync, constants, lstatSync, openSync, readSync, readdirSync, readlinkSync, statfsSync } from 'node:fs';
import { ProcParseError, argumentsFromCmdline, parseBootTimeSeconds, parseStat } from './parse.js';
import { defaultProcRoot, errnoCode, isGone, procClock, readStatus, startTimeMsFromTicks } from './read.js';
import { runningProcess, type ProcessIdentity } from './identity.js';

/** statfs(2) f_type of procfs (linux/magic.h). */
export const PROC_SUPER_MAGIC = 0x9fa0;

export interface ContainerViewLimits {
  /** More processes than this: the view is not compared (a container flooding its PID table). */
  maxProcesses: number;
  /** A stat file longer than this is not a kernel's. */
  maxStatBytes: number;
  /** Command lines are cut here. */
  maxCmdlineBytes: number;
  /** /proc/stat is read up to here for btime (it grows with CPUs). */
  maxProcStatBytes: number;
}

export const defaultContainerViewLimits: ContainerViewLimits = {
  maxProcesses: 4096,
  maxStatBytes: 4096,
  maxCmdlineBytes: 4096,
  maxProcStatBytes: 1 << 20,
};

/** One process as the container's procfs shows it. */
export interface ContainerViewProcess {
  /** PID in the container's PID namespace. */
  pid: number;
  comm: string;
  commandLine: string;
  /** Start time in ms since the epoch, converted with the host's clock (same kernel). */
  startTimeMs: number;
}

export type ContainerProcfsReading =
  /** The container's own procfs, checked to be one, for its PID namespace. */
  | {
    kind: 'read';
    processes: ContainerViewProcess[];
    readStartedAtMs: number;
    /** Index of the container's PID namespace in a host NSpid list (1 for a container directly below the host's): a process's PID in this view is nsPids[level]. */
    level: number;
  }
  /** Nothing mounted at the container's /proc (no such directory, or an empty one): no view to read. */
  | { kind: 'absent'; reason: string }
  /** Something is at the container's /proc but it is not the container's procfs, or it broke a bound: evidence that cannot be used. */
  | { kind: 'untrusted'; reason: string }
  /** The container's init (the recorded PID and start time) no longer runs. */
  | { kind: 'gone'; reason: string };

/** Reads at most `max` bytes of a file under an open directory; `over` when there was more. ENOENT/ESRCH → null (gone). */
function readBounded(path: string, max: number): { bytes: Buffer; over: boolean } | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isGone(error)) return null;
    throw error;
  }
  try {
    const buffer = Buffer.allocUnsafe(max + 1);
    let length = 0;
    while (length < buffer.length) {
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        if (isGone(error)) return null;
        throw error;
      }
      if (n === 0) break;
      length += n;
    }
    return { bytes: buffer.subarray(0, Math.min(length, max)), over: length > max };
  } finally {
    closeSync(fd);
  }
}

function nsLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

/**
 * The container's procfs, read and checked. `init` is the container's main
 * process as the host recorded it (host PID and start time).
 */
export function readContainerProcfs(
  init: ProcessIdentity,
  limits: ContainerViewLimits = defaultContainerViewLimits,
  procRoot = defaultProcRoot,
): ContainerProcfsReading {
  const initStat = runningProcess(init, procRoot);
  if (!initStat) return { kind: 'gone', reason: `the container's main process (host PID ${init.pid}) is no longer running` };
  // The init must be PID 1 of a PID namespace below ours; one that shares ours has no view of its own.
  const nsPids = readStatus(init.pid, procRoot)?.nsPids ?? null;
  if (nsPids === null) return { kind: 'gone', reason: `the container's main process (host PID ${init.pid}) exited while it was read` };
  if (nsPids.length < 2) return { kind: 'absent', reason: "the container shares the host's PID namespace, so it has no process view of its own" };
  if (nsPids[nsPids.length - 1] !== 1) {
    return { kind: 'untrusted', reason: `the container's main process (host PID ${init.pid}) is PID ${nsPids[nsPids.length - 1]}, not 1, in its PID namespace` };
  }
  const readStartedAtMs = Date.now();
  let dirFd: number;
  try {
    dirFd = openSync(`${procRoot}/${init.pid}/root/proc`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { kind: 'absent', reason: 'the container has no /proc directory' };
    if (code === 'ELOOP') return { kind: 'untrusted', reason: "the container's /proc is a symbolic link, which is not followed out of the container's root" };
    if (code === 'ENOTDIR') {
      // O_NOFOLLOW|O_DIRECTORY on a symbolic link fails ENOTDIR: say which it was (lstat follows nothing at the end).
      let link = false;
      try {
        link = lstatSync(`${procRoot}/${init.pid}/root/proc`).isSymbolicLink();
      } catch {
        // gone meanwhile: the generic sentence below
      }
      return { kind: 'untrusted', reason: link ? "the container's /proc is a symbolic link, which is not followed out of the container's root" : "the container's /proc is not a directory" };
    }
    if (code === 'ESRCH') return { kind: 'gone', reason: `the container's main process (host PID ${init.pid}) exited while its /proc was opened` };
    return { kind: 'untrusted', reason: `the container's /proc could not be opened (${code ?? 'error'})` };
  }
  try {
    // Every path below goes through the open directory, never through the container's root again.
    const dir = `/proc/self/fd/${dirFd}`;
    let type: number;
    try {
      type = statfsSync(dir).type;
    } catch (error) {
      return { kind: 'untrusted', reason: `the container's /proc could not be examined (${errnoCode(error) ?? 'error'})` };
    }
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch (error) {
      return { kind: 'untrusted', reason: `the container's /proc could not be listed (${errnoCode(error) ?? 'error'})` };
    }
    if (type !== PROC_SUPER_MAGIC) {
      if (entries.length === 0) return { kind: 'absent', reason: 'nothing is mounted at the container\'s /proc (an empty directory)' };
      return { kind: 'untrusted', reason: `the container's /proc is not a procfs (filesystem type 0x${type.toString(16)}): its process list cannot be believed` };
    }
    // It is a procfs; is it the one of the container's PID namespace?
    const hostNs = nsLink(`${procRoot}/${init.pid}/ns/pid`);
    const viewNs = nsLink(`${dir}/1/ns/pid`);
    if (hostNs === null) return { kind: 'gone', reason: `the container's main process (host PID ${init.pid}) exited while its /proc was read` };
    if (viewNs !== hostNs) {
      return { kind: 'untrusted', reason: `the procfs at the container's /proc belongs to another PID namespace (its PID 1 is in ${viewNs ?? 'no readable namespace'}, the container's main process in ${hostNs})` };
    }
    const clock = procClock();
    const procStat = readBounded(`${dir}/stat`, limits.maxProcStatBytes);
    let viewBootMs: number | null = null;
    try {
      viewBootMs = procStat && !procStat.over ? parseBootTimeSeconds(procStat.bytes.toString('latin1')) * 1000 : null;
    } catch (error) {
      if (!(error instanceof ProcParseError)) throw error;
    }
    if (viewBootMs !== clock.bootTimeMs) {
      return { kind: 'untrusted', reason: `the container's /proc/stat does not give the host's boot time (${viewBootMs === null ? 'none readable' : new Date(viewBootMs).toISOString()} against ${new Date(clock.bootTimeMs).toISOString()})` };
    }
    const pids = entries.filter((e) => /^[1-9]\d{0,9}$/.test(e)).map(Number).sort((a, b) => a - b);
    if (pids.length > limits.maxProcesses) {
      return { kind: 'untrusted', reason: `the container's /proc lists ${pids.length} processes, more than the ${limits.maxProcesses} that are compared` };
    }
    const processes: ContainerViewProcess[] = [];
    for (const pid of pids) {
      const stat = readBounded(`${dir}/${pid}/stat`, limits.maxStatBytes);
      if (stat === null) continue; // exited while listed
      if (stat.over) return { kind: 'untrusted', reason: `the container's /proc/${pid}/stat is longer than ${limits.maxStatBytes} bytes, which no kernel writes` };
      let parsed;
      try {
        parsed = parseStat(stat.bytes.toString('utf8'), pid);
      } catch (error) {
        if (error instanceof ProcParseError) return { kind: 'untrusted', reason: `the container's /proc/${pid}/stat does not parse: ${error.message}` };
        throw error;
      }
      if (parsed.state === 'Z' || parsed.state === 'X') continue; // exited, only its parent's wait is missing
      const cmdline = readBounded(`${dir}/${pid}/cmdline`, limits.maxCmdlineBytes);
      const commandLine = cmdline === null ? '' : argumentsFromCmdline(cmdline.bytes).join(' ');
      processes.push({ pid, comm: parsed.comm, commandLine, startTimeMs: startTimeMsFromTicks(parsed.startTimeTicks, clock) });
    }
    // PID 1 of the view must be the init the host recorded (same start): a procfs of this namespace cannot show another.
    const viewInit = processes.find((p) => p.pid === 1);
    if (!viewInit || viewInit.startTimeMs !== initStat.startTimeMs) {
      return { kind: 'untrusted', reason: `PID 1 of the container's /proc is not the container's main process as the host sees it (host PID ${init.pid}, started ${new Date(initStat.startTimeMs).toISOString()})` };
    }
    return { kind: 'read', processes, readStartedAtMs, level: nsPids.length - 1 };
  } finally {
    closeSync(dirFd);
  }
}
