import fs from 'node:fs';

/**
 * Reads one process from /proc the way .NET's Process class does on Linux,
 * so that the numbers line up with Get-Process: WorkingSet64 = VmRSS,
 * PrivateMemorySize64 = VmData, PagedMemorySize64 = VmSwap, NPM = 0,
 * SessionId = the session field of /proc/<pid>/stat, CPU = utime + stime.
 * /proc is untrusted input: anything that does not parse, or a process that
 * exits while it is read, yields null.
 */

/** USER_HZ: 100 on every Linux architecture Node runs on (sysconf is not reachable from Node). */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcDetails {
  pid: number;
  name: string;
  /** NSpid chain, outermost (host) first. */
  nsPids: number[];
  parentPid: number;
  sessionId: number;
  startTimeMs: number;
  cpuSeconds: number;
  workingSetBytes: number;
  privateBytes: number;
  pagedBytes: number;
  commandLine: string;
}

let bootTimeMs: number | null = null;

/** Boot time from /proc/stat btime (whole seconds, as every /proc reader uses it). */
export function readBootTimeMs(): number {
  if (bootTimeMs !== null) return bootTimeMs;
  const match = /^btime\s+(\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
  if (!match) throw new Error('/proc/stat has no btime line');
  bootTimeMs = Number(match[1]) * 1000;
  return bootTimeMs;
}

function kib(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Fields of /proc/<pid>/stat after the parenthesised comm (which may itself contain ') '). */
export function parseStat(stat: string): { comm: string; fields: string[] } | null {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open === -1 || close < open) return null;
  return { comm: stat.slice(open + 1, close), fields: stat.slice(close + 2).trim().split(/\s+/) };
}

export function startTimeMsFromTicks(ticks: number): number {
  return readBootTimeMs() + Math.round((ticks * 1000) / CLOCK_TICKS_PER_SECOND);
}

export function readProc(pid: number): ProcDetails | null {
  let stat: string;
  let status: string;
  let cmdline: Buffer;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`);
  } catch {
    return null; // gone, or not ours to read
  }
  const parsed = parseStat(stat);
  if (!parsed) return null;
  // fields[0] is state (field 3); field N of stat(5) is fields[N - 3].
  const parentPid = Number(parsed.fields[1]);
  const sessionId = Number(parsed.fields[3]);
  const utime = Number(parsed.fields[11]);
  const stime = Number(parsed.fields[12]);
  const startTicks = Number(parsed.fields[19]);
  if (![parentPid, sessionId, utime, stime, startTicks].every(Number.isFinite)) return null;
  const nameMatch = /^Name:\t(.*)$/m.exec(status);
  const nsPidMatch = /^NSpid:\t(.*)$/m.exec(status);
  const nsPids = nsPidMatch ? nsPidMatch[1]!.trim().split(/\s+/).map(Number).filter(Number.isInteger) : [pid];
  return {
    pid,
    name: nameMatch ? nameMatch[1]! : parsed.comm,
    nsPids: nsPids.length > 0 ? nsPids : [pid],
    parentPid,
    sessionId,
    startTimeMs: startTimeMsFromTicks(startTicks),
    cpuSeconds: (utime + stime) / CLOCK_TICKS_PER_SECOND,
    workingSetBytes: kib(status, 'VmRSS'),
    privateBytes: kib(status, 'VmData'),
    pagedBytes: kib(status, 'VmSwap'),
    commandLine: cmdline.toString('utf8').split('\0').filter((part) => part !== '').join(' '),
  };
}
