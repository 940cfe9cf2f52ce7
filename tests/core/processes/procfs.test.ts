import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  argumentsFromCmdline,
  isRunning,
  listPids,
  parseFilesystems,
  parseStat,
  readKernelFilesystems,
  readArguments,
  readProcessStat,
  readStatus,
  runningProcess,
  signalIfSame,
  waitForExit,
} from '../../../ts-core/src/processes/procfs/index.js';

const onLinux = process.platform === 'linux';

describe('argumentsFromCmdline', () => {
  it.each([
    ['a\0b c\0', ['a', 'b c']],
    ['a\0\0', ['a', '']],
    ['rewritten without NULs', ['rewritten without NULs']],
    ['', []],
  ])('splits %j into %j', (raw, args) => {
    expect(argumentsFromCmdline(Buffer.from(raw))).toEqual(args);
  });
});

describe('parseFilesystems', () => {
  it('reads the type of each line, device-less or not', () => {
    expect(parseFilesystems('nodev\tsysfs\nnodev\tproc\n\text4\nnodev\toverlay\n')).toEqual(new Set(['sysfs', 'proc', 'ext4', 'overlay']));
    expect(parseFilesystems('garbage without tabs\n')).toEqual(new Set());
  });

  it.runIf(onLinux)('knows this kernel has procfs', () => {
    expect(readKernelFilesystems()?.has('proc')).toBe(true);
    expect(readKernelFilesystems('/nonexistent')).toBeNull();
  });
});

describe.runIf(onLinux)('reading one file of a recorded /proc tree', () => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'wc-procfs-'));
    mkdirSync(path.join(root, '20'));
    writeFileSync(path.join(root, '20', 'cmdline'), '/usr/bin/runsc-sandbox\0--root=/run/x\0boot\0');
    writeFileSync(path.join(root, '20', 'status'), 'Name:\trunsc\nPid:\t20\nNSpid:\t20\t7\n');
    mkdirSync(path.join(root, '21'));
    writeFileSync(path.join(root, '21', 'status'), 'Name:\tx\nNSpid:\t21\tseven\n');
    mkdirSync(path.join(root, 'self'));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('gives argv and the NSpid chain of a process', () => {
    expect(readArguments(20, root)).toEqual(['/usr/bin/runsc-sandbox', '--root=/run/x', 'boot']);
    expect(readStatus(20, root)?.nsPids).toEqual([20, 7]);
  });

  it('says null for a process that is gone and for a document that does not parse', () => {
    expect(readArguments(22, root)).toBeNull();
    expect(readStatus(22, root)).toBeNull();
    expect(readStatus(21, root)).toBeNull();
  });

  it('lists only numeric entries, in order', () => {
    mkdirSync(path.join(root, '3'), { recursive: true });
    expect(listPids(root)).toEqual([3, 20, 21]);
  });
});

describe.runIf(onLinux)('following a recorded process', () => {
  const children: ChildProcess[] = [];

  function start(args: string[]): ChildProcess {
    const child = spawn(args[0]!, args.slice(1), { stdio: 'ignore' });
    children.push(child);
    return child;
  }

  async function recorded(child: ChildProcess): Promise<{ pid: number; startTimeMs: number }> {
    // Wait for the exec: the start time does not change with it, but the test's reading of state does.
    for (let i = 0; i < 400; i++) {
      const stat = readProcessStat(child.pid!);
      if (stat && stat.comm !== 'node') return { pid: stat.pid, startTimeMs: stat.startTimeMs };
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`child ${child.pid} did not exec`);
  }

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('knows a process by PID and start time: another start time is another process', async () => {
    const me = { pid: process.pid, startTimeMs: readProcessStat(process.pid)!.startTimeMs };
    expect(isRunning(me)).toBe(true);
    expect(isRunning({ pid: process.pid })).toBe(true);
    expect(isRunning({ ...me, startTimeMs: me.startTimeMs - 10 })).toBe(false);
    expect(runningProcess({ pid: 4_194_304 })).toBeNull();
  });

  it('signals only the recorded process', async () => {
    const child = start(['sleep', '30']);
    const identity = await recorded(child);
    expect(signalIfSame({ ...identity, startTimeMs: identity.startTimeMs + 10 }, 'SIGKILL')).toBe(false);
    expect(isRunning(identity)).toBe(true);
    const exited = new Promise((r) => child.once('exit', r));
    expect(signalIfSame(identity, 'SIGKILL')).toBe(true);
    await exited;
    expect(await waitForExit([identity], 10_000)).toEqual([]);
    expect(signalIfSame(identity, 'SIGKILL')).toBe(false);
  });

  it('returns what still runs at the deadline, and nothing once it has exited', async () => {
    const child = start(['sleep', '30']);
    const identity = await recorded(child);
    expect(await waitForExit([identity, { pid: 4_194_304 }], 50)).toEqual([identity]);
    const waiting = waitForExit([identity], 60_000);
    child.kill('SIGKILL');
    expect(await waiting).toEqual([]);
  });

  it('counts a zombie as exited, and gives up waiting for its reaping after the grace time', async () => {
    // sh execs sleep, which never waits for the `true` sh forked first: a zombie until sleep ends.
    const parent = start(['sh', '-c', 'true & exec sleep 30']);
    let zombie: number | undefined;
    for (let i = 0; i < 400 && zombie === undefined; i++) {
      zombie = listPids().find((pid) => pid !== parent.pid && readProcessStat(pid)?.state === 'Z' && parentOf(pid) === parent.pid);
      if (zombie === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    expect(zombie).toBeDefined();
    expect(isRunning({ pid: zombie! })).toBe(false);
    expect(readProcessStat(zombie!)).not.toBeNull();
    expect(await waitForExit([{ pid: zombie! }], 10_000, { reapGraceMs: 100 })).toEqual([]);
    expect(readProcessStat(zombie!)?.state).toBe('Z'); // nobody reaped it: the grace only bounds the wait
  });
});

function parentOf(pid: number): number | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), pid).ppid;
  } catch {
    return null;
  }
}
