import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePasswd, takeLinuxSnapshot, untruncatedProcessName } from '../../../ts-core/src/processes/linuxSnapshot.js';
import {
  ProcParseError,
  commandLineFromCmdline,
  parseAuxv,
  parseBootTimeSeconds,
  parseNamespaceLink,
  parseStat,
  parseStatus,
  procClock,
  readProcessStat,
  startTimeMsFromTicks,
} from '../../../ts-core/src/processes/procfs/index.js';
import { getProcessColumns, toHostProcessRecord } from '../../../ts-core/src/processes/processRecord.js';
import type { HostProcess } from '../../../ts-core/src/processes/types.js';

const onLinux = process.platform === 'linux';
const isRoot = onLinux && process.getuid?.() === 0;

// ---------------------------------------------------------------------------
// Parsers, on recorded and hostile documents.

const recordedStat =
  '5054 (a b) c) S 5053 5047 3659 0 -1 4194304 127 0 0 0 7 3 0 0 20 0 1 0 40435 2990080 414 18446744073709551615 94276019605504 94276019623433 140722298376432 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94276019637520 94276019638784 94276978581504 140722298378508 140722298378527 140722298378527 140722298380265 0\n';

const recordedStatus = [
  'Name:\ta b) c',
  'Umask:\t0022',
  'State:\tS (sleeping)',
  'Tgid:\t5054',
  'Ngid:\t0',
  'Pid:\t5054',
  'PPid:\t5053',
  'Uid:\t1000\t1001\t1001\t1001',
  'Gid:\t0\t0\t0\t0',
  'NSpid:\t5054\t1',
  'VmPeak:\t    2924 kB',
  'VmSize:\t    2920 kB',
  'VmRSS:\t    1828 kB',
  'RssAnon:\t     108 kB',
  'VmData:\t     224 kB',
  'VmStk:\t     132 kB',
  'VmSwap:\t       4 kB',
  '',
].join('\n');

describe('parseStat', () => {
  it('splits at the last parenthesis, so a comm with spaces and ")" stays whole', () => {
    expect(parseStat(recordedStat, 5054)).toEqual({
      pid: 5054,
      comm: 'a b) c',
      state: 'S',
      ppid: 5053,
      session: 3659,
      flags: 4194304,
      utimeTicks: 7,
      stimeTicks: 3,
      startTimeTicks: 40435,
      rssPages: 414,
    });
  });

  it('keeps a comm that imitates the rest of the line', () => {
    const hostile = '77 (x) R 1 1 1 0 -1 0 0 0 0 0 999 999 0 0 20 0 1 0 1 (y) S 2 3 4 0 -1 4194304 0 0 0 0 1 2 0 0 20 0 1 0 500 0 0 0\n';
    const parsed = parseStat(hostile, 77);
    expect(parsed.comm).toBe('x) R 1 1 1 0 -1 0 0 0 0 0 999 999 0 0 20 0 1 0 1 (y');
    expect(parsed).toMatchObject({ ppid: 2, session: 4, utimeTicks: 1, stimeTicks: 2, startTimeTicks: 500 });
  });

  it('keeps newlines and parentheses inside comm', () => {
    const parsed = parseStat('9 (a\n(b)) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0 0\n', 9);
    expect(parsed.comm).toBe('a\n(b)');
    expect(parsed.startTimeTicks).toBe(5);
  });

  // Each malformed line is otherwise whole (24 fields and more), so each is refused for the fault it names.
  const tail = ' 0 0 0 0 0 0';
  it.each([
    ['empty', '', /no "\(comm\)" field/],
    ['no comm', '12 S 1 1', /no "\(comm\)" field/],
    ['pid not a number', `x (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5${tail}`, /no "\(comm\)" field|stat pid is not an integer/],
    ['too few fields', '12 (a) S 1 1 1', /stat has 6 fields, expected at least 24/],
    ['state not a letter', `12 (a) 7 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5${tail}`, /stat state is not a letter/],
    ['starttime not a number', `12 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5e3${tail}`, /stat field 22 is not an integer: "5e3"/],
    ['rss not a number', '12 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 0 x 0', /stat field 24 is not an integer: "x"/],
    ['negative utime', `12 (a) S 1 1 1 0 -1 0 0 0 0 0 -5 0 0 0 20 0 1 0 5${tail}`, /stat utime is not an integer: "-5"/],
    ['unsafe integer', `12 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99999999999999999999${tail}`, /stat field 22 is not an integer|stat starttime is too large/],
    ['double spaces shift fields', `12 (a) S 1  1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5${tail}`, /stat field 5 is not an integer: ""/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseStat(text, 12)).toThrow(ProcParseError);
    expect(() => parseStat(text, 12)).toThrow(message);
  });

  it('rejects a stat for another pid', () => {
    expect(() => parseStat(recordedStat, 5055)).toThrow(/stat is for pid 5054, not 5055/);
  });
});

describe('parseStatus', () => {
  it('reads the fields Get-Process uses, in bytes', () => {
    expect(parseStatus(recordedStatus)).toEqual({
      pid: 5054,
      effectiveUid: 1001,
      nsPids: [5054, 1],
      vmRssBytes: 1828 * 1024,
      vmDataBytes: 224 * 1024,
      vmStkBytes: 132 * 1024,
      vmSwapBytes: 4 * 1024,
    });
  });

  it('takes the first occurrence of a key, so a later line cannot override it', () => {
    const parsed = parseStatus(`${recordedStatus}NSpid:\t1\nVmRSS:\t1 kB\n`);
    expect(parsed.nsPids).toEqual([5054, 1]);
    expect(parsed.vmRssBytes).toBe(1828 * 1024);
  });

  it('gives zeros for a kernel thread without memory lines', () => {
    expect(parseStatus('Name:\tkthreadd\nPid:\t2\nUid:\t0\t0\t0\t0\nNSpid:\t2\n')).toMatchObject({ nsPids: [2], vmRssBytes: 0, vmDataBytes: 0, vmSwapBytes: 0 });
  });

  it.each([
    ['memory without unit', 'VmRSS:\t1828\n'],
    ['memory in another unit', 'VmRSS:\t1828 MB\n'],
    ['NSpid with a word', 'NSpid:\t5054\tone\n'],
    ['Uid with three fields', 'Uid:\t0\t0\t0\n'],
    ['Pid negative', 'Pid:\t-1\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseStatus(text)).toThrow(ProcParseError);
  });
});

describe('names and command lines', () => {
  const buf = (s: string) => Buffer.from(s, 'utf8');

  it.each([
    ['native executable: basename of argv[0]', 'sleep', '/bin/sleep\x0030\x00', 'sleep'],
    ['truncated comm: the untruncated argv[0]', 'averyveryverylo', '/tmp/averyveryverylongprogramname\x0030\x00', 'averyveryverylongprogramname'],
    ['script: argv[1] when argv[0] is the interpreter', 'myscriptwithalo', '/usr/bin/python3\x00/opt/x/myscriptwithalongname.py\x00', 'myscriptwithalongname.py'],
    ['argv[0] that does not start with comm (login shell "-bash")', 'bash', '-bash\x00', 'bash'],
    ['neither argument matches', 'sleep', '-weird\x00300\x00', 'sleep'],
    ['case-insensitive prefix, like .NET', 'ping', '/bin/PING6\x00::1\x00', 'PING6'],
    ['a near-miss under full case folding ("straße" vs "strasse-tool") keeps comm', 'straße', '/opt/strasse-tool\x00', 'straße'],
    ['setproctitle without NULs keeps comm', 'sshd', 'sshd: root@pts/0', 'sshd'],
    ['kernel thread: empty cmdline', 'kworker/0:1', '', 'kworker/0:1'],
    ['name with spaces and ")"', 'a b) c', '/tmp/x/a b) c\x0030\x00', 'a b) c'],
  ])('%s', (_what, comm, cmdline, expected) => {
    expect(untruncatedProcessName(comm, buf(cmdline))).toBe(expected);
  });

  it('turns NUL-separated argv into one line and drops trailing NULs', () => {
    expect(commandLineFromCmdline(buf('ping\x00-c\x001\x00127.0.0.1\x00'))).toBe('ping -c 1 127.0.0.1');
    expect(commandLineFromCmdline(buf(''))).toBe('');
    expect(commandLineFromCmdline(buf('nginx: master process'))).toBe('nginx: master process');
  });

  it('reads btime, passwd and namespace links strictly', () => {
    expect(parseBootTimeSeconds('cpu  1 2 3\nintr 5\nbtime 1795941420\nprocesses 9\n')).toBe(1795941420);
    expect(() => parseBootTimeSeconds('cpu 1\nxbtime 5\n')).toThrow(ProcParseError);
    const users = parsePasswd('root:x:0:0:root:/root:/bin/bash\nbroken line\nnobody:x:65534:65534::/:/usr/sbin/nologin\nevil:x:0:0::/:/bin/sh\n');
    expect(users.get(0)).toBe('root');
    expect(users.get(65534)).toBe('nobody');
    expect(parseNamespaceLink('pid:[4026531836]')).toBe('4026531836');
    expect(parseNamespaceLink('net:[4026531836]')).toBeNull();
  });

  it('converts start ticks exactly at USER_HZ 100', () => {
    expect(startTimeMsFromTicks(40435, { ticksPerSecond: 100, bootTimeMs: 1_795_941_420_000 })).toBe(1_795_941_824_350);
  });
});

describe('Get-Process columns', () => {
  const p: HostProcess = {
    pid: 42,
    parentPid: 1,
    name: 'ping',
    commandLine: 'ping 127.0.0.1',
    startTimeMs: 1_795_941_824_350,
    user: 'root',
    nsPids: [42, 1],
    pidNamespace: '4026532396',
    workingSetBytes: 1_871_872,
    privateBytes: 364_544,
    pagedBytes: 3 * 1048576,
    nonPagedBytes: 2560, // 2.5 KiB: PowerShell's [long] rounds half to even → 2
    cpuSeconds: 1.25,
    sessionId: 3659,
  };

  it('computes the columns the way the Get-Process view does', () => {
    expect(getProcessColumns(p)).toEqual({ 'NPM(K)': 2, 'PM(M)': 3, 'WS(M)': 1_871_872 / 1048576, 'CPU(s)': 1.25, Id: 42, SI: 3659, ProcessName: 'ping' });
    expect(getProcessColumns({ ...p, nonPagedBytes: 3584 })['NPM(K)']).toBe(4);
  });

  it('sends raw numbers under Get-Process property names', () => {
    expect(toHostProcessRecord(p)).toMatchObject({
      id: 42,
      processName: 'ping',
      sessionId: 3659,
      workingSet: 1_871_872,
      pagedMemorySize: 3 * 1048576,
      privateMemorySize: 364_544,
      nonpagedSystemMemorySize: 2560,
      startTime: '2026-11-29T08:43:44.350Z',
      namespacePids: [42, 1],
    });
  });
});

// ---------------------------------------------------------------------------
// A fake /proc tree: what becomes unreadable, what is dropped.

describe.runIf(onLinux)('takeLinuxSnapshot on a recorded /proc tree', () => {
  let root: string;

  function fakeProcess(pid: number, files: Partial<Record<'stat' | 'status' | 'cmdline', string>>, nsLink = 'pid:[4026531836]') {
    const dir = path.join(root, String(pid));
    mkdirSync(path.join(dir, 'ns'), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    symlinkSync(nsLink, path.join(dir, 'ns', 'pid'));
  }

  const stat = (pid: number, comm: string) => `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194304 0 0 0 0 12 8 0 0 20 0 1 0 250 0 0 0\n`;
  const status = (pid: number, extra = '') => `Name:\tx\nPid:\t${pid}\nUid:\t0\t65534\t0\t0\nNSpid:\t${pid}\nVmRSS:\t8 kB\nVmData:\t4 kB\nVmStk:\t2 kB\nVmSwap:\t1 kB\n${extra}`;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'wc-fakeproc-'));
    fakeProcess(10, { stat: stat(10, 'good one'), status: status(10), cmdline: '/usr/bin/good one\0--flag\0' });
    fakeProcess(11, { stat: '11 (broken S 1 2 3', status: status(11), cmdline: '' });
    // 12 exited between listing and reading: its directory is there, its files are not.
    mkdirSync(path.join(root, '12'));
    fakeProcess(13, { stat: stat(13, 'liar'), status: status(99), cmdline: '' });
    fakeProcess(14, { stat: stat(14, 'nested'), status: status(14).replace('NSpid:\t14', 'NSpid:\t14\t1'), cmdline: 'nested\0' }, 'pid:[4026532999]');
    // 15 is a kernel thread (PF_KTHREAD in stat's flags): stat alone describes it.
    fakeProcess(15, { stat: stat(15, 'kworker/0:1-events').replace(' 4194304 ', ` ${0x00208040} `) });
    // A user process that merely names itself like a kernel thread gets no shortcut.
    fakeProcess(16, { stat: stat(16, 'kworker/0:2') });
    mkdirSync(path.join(root, 'not-a-pid'));
    // /proc/self: the reader lives in the namespace this /proc shows.
    mkdirSync(path.join(root, 'self', 'ns'), { recursive: true });
    writeFileSync(path.join(root, 'self', 'status'), 'Name:\tnode\nPid:\t10\nNSpid:\t10\n');
    symlinkSync('pid:[4026531836]', path.join(root, 'self', 'ns', 'pid'));
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('fails with a CoreError that says what to do when there is no process table to read', () => {
    expect(() => takeLinuxSnapshot({ procRoot: path.join(root, 'missing') })).toThrow(
      expect.objectContaining({ code: 'BackendUnavailable', message: expect.stringMatching(/Mount procfs there/) }),
    );
  });

  it('reads good entries, marks malformed ones unreadable with a reason, and drops vanished ones', () => {
    const snap = takeLinuxSnapshot({ procRoot: root });
    // 16 has no cmdline/status files, so without the kernel-thread flag it reads as gone.
    expect(snap.processes.map((p) => p.pid)).toEqual([10, 14, 15]);
    expect(snap.unreadable).toEqual([11, 13]);
    expect(snap.processes[2]).toMatchObject({
      pid: 15,
      name: 'kworker/0:1-events',
      commandLine: '',
      user: 'root',
      nsPids: [15],
      pidNamespace: '4026531836',
      workingSetBytes: 0,
      privateBytes: 0,
      pagedBytes: 0,
      cpuSeconds: 0.2,
    });
    expect(snap.unreadableReasons[11]).toMatch(/stat/);
    expect(snap.unreadableReasons[13]).toMatch(/status is for pid 99, not 13/);
    const good = snap.processes[0]!;
    expect(good).toMatchObject({
      pid: 10,
      parentPid: 1,
      name: 'good one',
      commandLine: '/usr/bin/good one --flag',
      user: 'nobody',
      nsPids: [10],
      pidNamespace: '4026531836',
      workingSetBytes: 8192,
      privateBytes: 6144,
      pagedBytes: 1024,
      nonPagedBytes: 0,
      sessionId: 10,
    });
    expect(snap.processes[1]).toMatchObject({ pid: 14, nsPids: [14, 1], pidNamespace: '4026532999' });
  });
});

// ---------------------------------------------------------------------------
// Against the real /proc, with real children.

describe('parseAuxv', () => {
  const words = (values: number[], wordBytes: 4 | 8, littleEndian: boolean) => {
    const buffer = Buffer.alloc(values.length * wordBytes);
    values.forEach((v, i) => {
      if (wordBytes === 8) littleEndian ? buffer.writeBigUInt64LE(BigInt(v), i * 8) : buffer.writeBigUInt64BE(BigInt(v), i * 8);
      else littleEndian ? buffer.writeUInt32LE(v, i * 4) : buffer.writeUInt32BE(v, i * 4);
    });
    return buffer;
  };

  it.each([[8, true], [8, false], [4, true], [4, false]] as const)('reads %i-byte words (little-endian: %s) up to AT_NULL', (wordBytes, littleEndian) => {
    const auxv = parseAuxv(words([6, 65536, 17, 100, 0, 0, 17, 250], wordBytes, littleEndian), wordBytes, littleEndian);
    expect(auxv).toEqual(new Map([[6, 65536n], [17, 100n]]));
  });

  it('ignores a trailing half pair', () => {
    expect(parseAuxv(words([17, 100, 6], 8, true))).toEqual(new Map([[17, 100n]]));
  });

  it.runIf(onLinux)('gives what getconf gives for CLK_TCK and PAGESIZE on this host', () => {
    const auxv = parseAuxv(readFileSync('/proc/self/auxv'));
    const getconf = (name: string) => BigInt(execFileSync('getconf', [name], { encoding: 'utf8' }).trim());
    expect(auxv.get(17)).toBe(getconf('CLK_TCK'));
    expect(auxv.get(6)).toBe(getconf('PAGESIZE'));
    expect(procClock().ticksPerSecond).toBe(Number(getconf('CLK_TCK')));
  });
});

describe.runIf(onLinux)('readProcessStat', () => {
  it('reads this process with the start time a snapshot gives it, after boot and before now', () => {
    const me = readProcessStat(process.pid);
    expect(me).not.toBeNull();
    expect(me!.startTimeMs).toBe(takeLinuxSnapshot({ pids: [process.pid] }).processes[0]!.startTimeMs);
    expect(me!.startTimeMs).toBeGreaterThanOrEqual(procClock().bootTimeMs);
    expect(me!.startTimeMs).toBeLessThanOrEqual(Date.now());
    expect(me!.state).toMatch(/^[RS]$/);
    expect(me!.rssBytes).toBeGreaterThan(1024 * 1024);
  });

  it('says null for a PID that does not exist, and for a stat that does not parse', () => {
    expect(readProcessStat(4_194_304)).toBeNull();
    const root = mkdtempSync(path.join(tmpdir(), 'wc-stat-'));
    try {
      mkdirSync(path.join(root, '12'));
      writeFileSync(path.join(root, '12', 'stat'), '12 (a) S 1 1 1\n');
      expect(readProcessStat(12, root)).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe.runIf(onLinux)('takeLinuxSnapshot on this host', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  const innerPids: number[] = [];

  function start(file: string, args: string[]): { child: ChildProcess; spawnedAtMs: number } {
    const spawnedAtMs = Date.now();
    const child = spawn(file, args, { stdio: 'ignore' });
    children.push(child);
    return { child, spawnedAtMs };
  }

  async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const find = (pid: number) => takeLinuxSnapshot().processes.find((p) => p.pid === pid);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wc-snapshot-'));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of innerPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone with its parent, as intended
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees a child with its pid, parent, name, command line, user and a stable start time', async () => {
    const { child, spawnedAtMs } = start('sleep', ['30']);
    const pid = child.pid!;
    // Wait until the child has exec'd sleep (before exec it is a copy of node).
    const first = await until(() => {
      const p = find(pid);
      return p?.name === 'sleep' ? p : undefined;
    }, 'sleep to exec');
    const foundAtMs = Date.now();
    expect(first).toMatchObject({ pid, parentPid: process.pid, name: 'sleep', commandLine: 'sleep 30', user: 'root' });
    // Started between the spawn call and the reading that found it; the start
    // time may read early by the under-a-second fraction btime drops.
    expect(first.startTimeMs).toBeGreaterThan(spawnedAtMs - 1000);
    expect(first.startTimeMs).toBeLessThanOrEqual(foundAtMs);
    expect(first.nsPids).toEqual([pid]);
    expect(first.workingSetBytes).toBeGreaterThan(0);
    expect(first.privateBytes).toBeGreaterThan(0);
    expect(first.nonPagedBytes).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    const second = find(pid)!;
    expect(second.startTimeMs).toBe(first.startTimeMs);
    expect(second.sessionId).toBe(first.sessionId);
  });

  it('names a program called "a b) c" exactly, spaces and parenthesis included', async () => {
    const file = path.join(dir, 'a b) c');
    copyFileSync('/bin/sleep', file);
    const { child } = start(file, ['30']);
    const p = await until(() => {
      const found = find(child.pid!);
      return found?.name === 'a b) c' ? found : undefined;
    }, 'the renamed sleep');
    expect(p.commandLine).toBe(`${file} 30`);
  });

  it('shows the untruncated name of a program whose name is longer than 15 bytes', async () => {
    const file = path.join(dir, 'averyveryverylongprogramname');
    copyFileSync('/bin/sleep', file);
    const { child } = start(file, ['30']);
    const p = await until(() => {
      const found = find(child.pid!);
      return found && found.name !== 'node' ? found : undefined;
    }, 'the long-named sleep');
    expect(p.name).toBe('averyveryverylongprogramname');
  });

  it.runIf(isRoot)('maps a process in a new PID namespace through NSpid', async () => {
    // --kill-child: killing unshare must not leave the namespaced sleep behind.
    const { child } = start('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'sleep', '30']);
    const inner = await until(() => takeLinuxSnapshot().processes.find((p) => p.parentPid === child.pid && p.name === 'sleep'), 'the namespaced sleep');
    innerPids.push(inner.pid);
    expect(inner.nsPids).toEqual([inner.pid, 1]);
    const self = find(process.pid)!;
    expect(inner.pidNamespace).not.toBeNull();
    expect(inner.pidNamespace).not.toBe(self.pidNamespace);
  });

  it('loses a process once it is killed', async () => {
    const { child } = start('sleep', ['30']);
    const pid = child.pid!;
    await until(() => (find(pid)?.name === 'sleep' ? true : undefined), 'sleep to exec');
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited; // reaped by node: gone from /proc
    expect(find(pid)).toBeUndefined();
  });

  it('reads only the PIDs asked for, and ignores ones that do not exist', () => {
    const snap = takeLinuxSnapshot({ pids: [process.pid, 2 ** 22 + 7] });
    expect(snap.processes.map((p) => p.pid)).toEqual([process.pid]);
    expect(snap.unreadable).toEqual([]);
  });

  it('describes kernel threads exactly as their status and cmdline files would', () => {
    const snap = takeLinuxSnapshot();
    const kernelThreads = snap.processes.filter((p) => p.parentPid === 2 || p.pid === 2).slice(0, 20);
    expect(kernelThreads.length).toBeGreaterThan(0);
    for (const k of kernelThreads) {
      let statusText: string;
      let cmdline: Buffer;
      try {
        statusText = readFileSync(`/proc/${k.pid}/status`, 'latin1');
        cmdline = readFileSync(`/proc/${k.pid}/cmdline`);
      } catch {
        continue; // exited since
      }
      const status = parseStatus(statusText);
      expect(k.nsPids).toEqual(status.nsPids);
      expect(k.user).toBe(status.effectiveUid === 0 ? 'root' : String(status.effectiveUid));
      expect(k.workingSetBytes).toBe(status.vmRssBytes);
      expect(k.commandLine).toBe(commandLineFromCmdline(cmdline));
    }
  });

  it('lists the same PIDs as /proc and reads every one as root', () => {
    const snap = takeLinuxSnapshot();
    const readByMs = Date.now();
    expect(snap.processes.length).toBeGreaterThan(3);
    expect(new Set(snap.processes.map((p) => p.pid)).size).toBe(snap.processes.length);
    if (isRoot) expect(snap.unreadable).toEqual([]);
    for (const p of snap.processes) {
      expect(p.name.length).toBeGreaterThan(0);
      expect(Number.isSafeInteger(p.startTimeMs)).toBe(true);
      // Each one existed when it was read, so it started before the snapshot returned.
      expect(p.startTimeMs).toBeLessThanOrEqual(readByMs);
    }
  });
});
