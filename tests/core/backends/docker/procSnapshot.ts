import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { HostProcess } from '../../../../ts-core/src/processes/types.js';

/**
 * A small /proc reader for these tests, in the HostProcess shape: enough to
 * check host visibility and the runsc worker without depending on another
 * area's snapshot code.
 */
export function linuxHostSnapshot(): HostProcess[] {
  const users = new Map<number, string>();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && !users.has(Number(uid))) users.set(Number(uid), name);
  }
  const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0);
  const ticks = 100;
  const processes: HostProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
      let pidNamespace: string | null = null;
      try {
        pidNamespace = readlinkSync(`/proc/${entry}/ns/pid`);
      } catch {
        pidNamespace = null;
      }
      processes.push({
        pid: Number(entry),
        parentPid: Number(rest[1]),
        name,
        commandLine: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' '),
        startTimeMs: Math.round((bootTime + Number(rest[19]) / ticks) * 1000),
        user: users.get(uid) ?? String(uid),
        nsPids: (/^NSpid:\s+(.+)$/m.exec(status)?.[1] ?? '').trim().split(/\s+/).filter(Boolean).map(Number),
        pidNamespace,
        workingSetBytes: 0,
        privateBytes: 0,
        pagedBytes: 0,
        nonPagedBytes: 0,
        cpuSeconds: 0,
        sessionId: 0,
      });
    } catch {
      // Exited while being read.
    }
  }
  return processes;
}
