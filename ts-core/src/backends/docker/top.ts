import { CoreError } from '../../protocol/errors.js';
import type { ContainerProcess } from '../types.js';
import type { DockerTop } from './schemas.js';

/**
 * Pure parsers for what Docker and runsc say runs in a container. Inputs are
 * already shape-checked by zod; these check the content (titles, numbers) and
 * fail with DockerResponseInvalid naming the bad value.
 */

/** The `ps_args` the backend sends to a Linux daemon: one variable-width column, last. */
export const linuxPsArgs = '-o pid,ppid,etimes,rss,time,args';

export const windowsTopTitles = ['Name', 'PID', 'CPU', 'Private Working Set'] as const;

function emptyProcess(containerPid: number, name: string): ContainerProcess {
  return {
    containerPid,
    name,
    commandLine: null,
    claimedHostPid: null,
    startTimeMs: null,
    workingSetBytes: null,
    privateBytes: null,
    pagedBytes: null,
    nonPagedBytes: null,
    cpuSeconds: null,
    sessionId: null,
  };
}

function invalid(message: string): CoreError {
  return new CoreError('DockerResponseInvalid', message);
}

function parsePid(value: string | undefined, source: string): number {
  if (value === undefined || !/^\d{1,10}$/.test(value)) throw invalid(`${source}: '${value ?? ''}' is not a process id.`);
  return Number(value);
}

/** `00:01:02.345` (hours may exceed two digits) → seconds. Docker on Windows formats CPU time so. */
export function parseWindowsCpu(value: string): number | null {
  const match = /^(\d+):([0-5]\d):([0-5]\d)\.(\d{3})$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) + Number(match[4]) / 1000;
}

const decimalUnits: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, PB: 1e15 };

/** go-units HumanSize (`217.1kB`, `1.2MB`, `512B`; decimal units) → bytes, rounded. */
export function parseHumanSize(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([kKMGTP]?B)$/.exec(value.trim());
  if (!match) return null;
  const unit = decimalUnits[match[2]!];
  return unit === undefined ? null : Math.round(Number(match[1]) * unit);
}

/**
 * Windows `top`: titles `Name, PID, CPU, Private Working Set`. With process
 * isolation the PID is a host PID (the kernel is shared); with Hyper-V it is
 * the utility VM's, so no host PID is claimed.
 */
export function parseWindowsTop(top: DockerTop, processIsolated: boolean): ContainerProcess[] {
  const index = windowsTopTitles.map((title) => top.Titles.indexOf(title));
  if (index.some((i) => i < 0)) {
    throw invalid(`Docker's process list has titles [${top.Titles.join(', ')}], not the Windows titles [${windowsTopTitles.join(', ')}].`);
  }
  const [nameAt, pidAt, cpuAt, memoryAt] = index as [number, number, number, number];
  return top.Processes.map((row) => {
    const pid = parsePid(row[pidAt], 'Docker top PID');
    const imageName = row[nameAt] ?? '';
    if (imageName === '') throw invalid(`Docker top: process ${pid} has no name.`);
    return {
      ...emptyProcess(pid, imageName.replace(/\.exe$/i, '')),
      commandLine: null,
      claimedHostPid: processIsolated ? pid : null,
      cpuSeconds: parseWindowsCpu(row[cpuAt] ?? ''),
      // The private part of the working set: what Docker reports, a lower bound of the working set.
      workingSetBytes: parseHumanSize(row[memoryAt] ?? ''),
    };
  });
}

/** `[dd-]hh:mm:ss` or `mm:ss` (ps TIME) → seconds. */
export function parsePsTime(value: string): number | null {
  const match = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(value.trim());
  if (!match) return null;
  return Number(match[1] ?? 0) * 86400 + Number(match[2] ?? 0) * 3600 + Number(match[3]) * 60 + Number(match[4]);
}

/** Name of a process from its argv[0]: `/bin/sleep 1000` → `sleep`, `-sh` → `sh`. */
export function nameFromArgs(args: string): string {
  const first = args.trim().split(/\s+/)[0] ?? '';
  const base = first.replace(/^.*\//, '').replace(/^-/, '');
  return base.slice(0, 15);
}

/**
 * Linux `top`: `ps` ran on the daemon's host, so the PIDs are host PIDs. Works
 * with our `ps_args` titles (PID PPID ELAPSED RSS TIME COMMAND) and with
 * Docker's default `-ef` titles (UID PID PPID C STIME TTY TIME CMD).
 */
export function parseLinuxTop(top: DockerTop): ContainerProcess[] {
  const at = (title: string): number => top.Titles.indexOf(title);
  const pidAt = at('PID');
  if (pidAt < 0) throw invalid(`Docker's process list has no PID column (titles: [${top.Titles.join(', ')}]).`);
  const commandAt = ['COMMAND', 'CMD', 'ARGS'].map(at).find((i) => i >= 0) ?? -1;
  const rssAt = at('RSS');
  const timeAt = at('TIME');
  return top.Processes.map((row) => {
    const pid = parsePid(row[pidAt], 'Docker top PID');
    const commandLine = commandAt >= 0 ? (row[commandAt] ?? '') : '';
    const rss = rssAt >= 0 && /^\d+$/.test(row[rssAt] ?? '') ? Number(row[rssAt]) * 1024 : null;
    return {
      ...emptyProcess(pid, nameFromArgs(commandLine) || `pid ${pid}`),
      commandLine: commandLine || null,
      claimedHostPid: pid,
      workingSetBytes: rss,
      cpuSeconds: timeAt >= 0 ? parsePsTime(row[timeAt] ?? '') : null,
    };
  });
}

/**
 * `runsc ps <id>` table (`UID PID PPID C TTY STIME TIME CMD`): the sandbox's
 * own view, with sandbox-local PIDs. Nothing here is a host PID.
 */
export function parseRunscPs(text: string): ContainerProcess[] {
  const lines = text.split('\n').map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
  const header = lines.shift();
  const titles = header?.trim().split(/\s+/) ?? [];
  const pidAt = titles.indexOf('PID');
  const cmdAt = titles.indexOf('CMD');
  if (pidAt < 0 || cmdAt !== titles.length - 1) {
    throw new CoreError('ExternalDataInvalid', `runsc ps printed an unexpected header: '${header ?? ''}'.`);
  }
  const timeAt = titles.indexOf('TIME');
  return lines.map((line) => {
    const fields = line.trim().split(/\s+/);
    const head = fields.slice(0, titles.length - 1);
    const command = fields.slice(titles.length - 1).join(' ');
    const pidText = head[pidAt];
    if (pidText === undefined || !/^\d{1,10}$/.test(pidText) || command === '') {
      throw new CoreError('ExternalDataInvalid', `runsc ps printed a line that is not a process: '${line}'.`);
    }
    return {
      ...emptyProcess(Number(pidText), command.slice(0, 15)),
      cpuSeconds: timeAt >= 0 ? parseGoDurationSeconds(head[timeAt] ?? '') : null,
    };
  });
}

/** runsc prints CPU time as a Go duration (`0s`, `10ms`, `1m2.5s`). */
export function parseGoDurationSeconds(value: string): number | null {
  if (!/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/.test(value)) return null;
  const scale: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, 'µs': 1e-6, ns: 1e-9 };
  let total = 0;
  for (const part of value.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) total += Number(part[1]) * scale[part[2]!]!;
  return total;
}
