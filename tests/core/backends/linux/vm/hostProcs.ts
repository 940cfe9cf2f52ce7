/** Test helpers that look at the host's real process table. */
import { readFileSync } from 'node:fs';
import { listPids, parseStat, readArguments } from '../../../../../ts-core/src/processes/procfs/index.js';

export interface HostProc {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

export function hostProcesses(): HostProc[] {
  const procs: HostProc[] = [];
  for (const pid of listPids()) {
    try {
      const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'latin1'), pid);
      const args = readArguments(pid);
      if (stat.state === 'Z' || args === null) continue;
      procs.push({ pid, ppid: stat.ppid, comm: stat.comm, cmdline: args.join(' ').trim() });
    } catch {
      // exited while we looked
    }
  }
  return procs;
}

/** PIDs of live processes whose command line contains the token. */
export function pidsWithCommandLine(token: string): number[] {
  return hostProcesses().filter((p) => p.cmdline.includes(token)).map((p) => p.pid);
}

/** Every live descendant of a process. */
export function descendantsOf(pid: number): HostProc[] {
  const all = hostProcesses();
  const found: HostProc[] = [];
  const frontier = [pid];
  while (frontier.length) {
    const parent = frontier.pop()!;
    for (const p of all) if (p.ppid === parent) { found.push(p); frontier.push(p.pid); }
  }
  return found;
}
