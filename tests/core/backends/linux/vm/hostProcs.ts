/** Test helpers that look at the host's real process table. */
import { readdirSync, readFileSync } from 'node:fs';

export interface HostProc {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

export function hostProcesses(): HostProc[] {
  const procs: HostProc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      if (fields[0] === 'Z') continue;
      procs.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        comm: stat.slice(stat.indexOf('(') + 1, close),
        cmdline: readFileSync(`/proc/${entry}/cmdline`, 'latin1').replaceAll('\0', ' ').trim(),
      });
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
