import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chooseLogWriter, LOG_MAX_BYTES_VARIABLE, LOG_TIME_PREFIX_BYTES, LOG_WRITER_VARIABLE, logWriterCommand, nativeLogWriterPath,
  startLogWriter, unsafeToRunReason, type LogPipe,
} from '../../../../ts-core/src/backends/linux/containerLog.js';
import { useChildProcess } from '../../../../ts-core/src/backends/linux/posixSpawn.js';
import { buildNativeWriter, nativeWriterFile, residentKb, waitUntilGone, writersUnderTest } from '../../helpers/logWriters.js';

/**
 * The capped log writer, run for real (a pipe, a detached process, files on
 * disk), the native one and the node fallback alike: both must leave the
 * very same bytes. And the check that decides whether the native one may be
 * run at all.
 */
const onLinux = process.platform === 'linux';
const asRoot = onLinux && process.getuid?.() === 0;
const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z `;

let dir: string;
beforeAll(() => {
  if (onLinux) buildNativeWriter();
});
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-logwriter-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const logFile = () => path.join(dir, 'container.log');
const readLog = (name = 'container.log') => { try { return fs.readFileSync(path.join(dir, name), 'latin1'); } catch { return ''; } };

/** Waits until the writer has put `text` in the log or its rotated copy, so the next write is a separate read. */
async function taken(text: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(readLog('container.log.1') + readLog()).includes(text)) {
    if (Date.now() > until) throw new Error(`the writer did not write ${JSON.stringify(text.slice(0, 40))}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Closes the core's end, as after runc started the container, and waits for the writer to end. */
async function finish(pipe: LogPipe): Promise<void> {
  pipe.close();
  expect(await waitUntilGone(pipe.writerPid!)).toBe(true);
}

describe.runIf(onLinux).each(writersUnderTest)('the $kind log writer', (writer) => {
  async function start(cap: number, name = 'container.log'): Promise<LogPipe> {
    const pipe = await startLogWriter(dir, name, { ...writer.env, [LOG_MAX_BYTES_VARIABLE]: String(cap) });
    expect(pipe).not.toBeNull();
    expect(pipe!.writer).toBe(writer.kind);
    return pipe!;
  }

  it('runs as the program it says, exits when the last writer closes the pipe, and is not left a zombie', async () => {
    const pipe = await start(1 << 20);
    fs.writeSync(pipe.writeFd, 'hello\n');
    await taken('hello');
    const exe = fs.readlinkSync(`/proc/${pipe.writerPid}/exe`);
    expect(path.basename(exe)).toBe(writer.kind === 'native' ? 'wc-log-writer' : path.basename(process.execPath));
    expect(pipe.fallbackReason).toBe(writer.kind === 'native' ? null : `${LOG_WRITER_VARIABLE} asks for it`);
    // Measured, not asserted: what one container's writer costs in memory.
    console.log(`[measure] resident memory of the ${writer.kind} log writer: ${residentKb(pipe.writerPid!)} kB`);
    // Its own session (detached: a Ctrl-C to the core's group does not reach it), no environment.
    expect(fs.readFileSync(`/proc/${pipe.writerPid}/stat`, 'utf8').split(') ')[1]!.split(' ')[3]).toBe(String(pipe.writerPid));
    if (writer.kind === 'native') {
      expect(fs.readFileSync(`/proc/${pipe.writerPid}/environ`, 'latin1')).toBe('');
      // stdin the pipe, stdout and stderr /dev/null, the log, and nothing else: not the pipe's write end (it
      // would never see EOF), nor what this process inherited itself (here vitest's IPC channel, which a
      // child of child_process gets too).
      const fds = Object.fromEntries(fs.readdirSync(`/proc/${pipe.writerPid}/fd`).map((fd) => [fd, fs.readlinkSync(`/proc/${pipe.writerPid}/fd/${fd}`)]));
      expect(fds).toEqual({ 0: expect.stringMatching(/^pipe:\[\d+\]$/), 1: '/dev/null', 2: '/dev/null', 3: logFile() });
      expect(fs.readlinkSync(`/proc/${pipe.writerPid}/cwd`)).toBe('/');
    }
    await finish(pipe);
    expect(fs.existsSync(`/proc/${pipe.writerPid}`)).toBe(false);
    expect(readLog()).toMatch(new RegExp(`^${STAMP}hello\n$`));
    expect(fs.statSync(logFile()).mode & 0o777).toBe(0o600);
  });

  it('stamps each line with the time it was read, a line split across reads once', async () => {
    const before = Date.now();
    const pipe = await start(1 << 20);
    fs.writeSync(pipe.writeFd, 'first\nsec');
    await taken('sec');
    fs.writeSync(pipe.writeFd, 'ond\n\nthird\n');
    await taken('third');
    await finish(pipe);
    const after = Date.now();
    const text = readLog();
    expect(text).toMatch(new RegExp(`^${STAMP}first\n${STAMP}second\n${STAMP}\n${STAMP}third\n$`));
    for (const stamp of text.split('\n').filter(Boolean).map((line) => line.slice(0, LOG_TIME_PREFIX_BYTES - 1))) {
      expect(new Date(Date.parse(stamp)).toISOString()).toBe(stamp);
      expect(Date.parse(stamp)).toBeGreaterThanOrEqual(before);
      expect(Date.parse(stamp)).toBeLessThanOrEqual(after);
    }
  });

  it('rotates to <file>.1 before a write that would take a non-empty file past the cap, and appends below it', async () => {
    const cap = 4096;
    const old = `${'x'.repeat(3999)}\n`;
    fs.writeFileSync(logFile(), old);
    fs.writeFileSync(`${logFile()}.1`, 'the older rotation\n');
    const pipe = await start(cap);
    fs.writeSync(pipe.writeFd, 'hello\n'); // 4000 + 31 bytes: still under the cap
    await taken('hello');
    fs.writeSync(pipe.writeFd, `${'y'.repeat(100)}\n`); // 4031 + 126 would pass it
    await taken('yyyy');
    await finish(pipe);
    expect(readLog('container.log.1')).toMatch(new RegExp(`^${old}${STAMP}hello\n$`));
    expect(readLog()).toMatch(new RegExp(`^${STAMP}y{100}\n$`));
  });

  it('never rotates an empty file: a first write past the cap goes to it, and the older rotation stays', async () => {
    fs.writeFileSync(`${logFile()}.1`, 'older\n');
    const pipe = await start(4096);
    const long = 'c'.repeat(10_000);
    fs.writeSync(pipe.writeFd, `${long}\n`);
    await taken(`${long}\n`);
    expect(readLog('container.log.1')).toBe('older\n');
    fs.writeSync(pipe.writeFd, 'more\n');
    await taken('more');
    await finish(pipe);
    expect(readLog('container.log.1')).toMatch(new RegExp(`^${STAMP}c{10000}\n$`));
    expect(readLog()).toMatch(new RegExp(`^${STAMP}more\n$`));
  });

  it('keeps whole lines across rotations while a stream of lines passes the cap several times', async () => {
    const pipe = await start(4096);
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${String(i).padStart(4, '0')}\n`);
    for (let batch = 0; batch < 20; batch++) fs.writeSync(pipe.writeFd, lines.slice(batch * 100, batch * 100 + 100).join(''));
    await finish(pipe);
    const rotated = readLog('container.log.1');
    const current = readLog();
    for (const text of [rotated, current]) {
      expect(text.length).toBeGreaterThan(0);
      expect(text.length).toBeLessThanOrEqual(4096 + 65536);
      expect(text).toMatch(new RegExp(`^(?:${STAMP}line \\d{4}\n)+$`));
    }
    // The newest lines, in order, none lost between the two files.
    const kept = (rotated + current).split('\n').filter(Boolean).map((l) => l.slice(LOG_TIME_PREFIX_BYTES));
    expect(kept).toEqual(lines.slice(lines.length - kept.length).map((l) => l.trimEnd()));
  });

  it('writes a line longer than its buffer whole, behind one prefix', async () => {
    const pipe = await start(1 << 20);
    const long = 'a'.repeat(200_000);
    fs.writeSync(pipe.writeFd, `${long}\nnext\n`);
    await finish(pipe);
    const text = readLog();
    expect(text.length).toBe(LOG_TIME_PREFIX_BYTES + long.length + 1 + LOG_TIME_PREFIX_BYTES + 5);
    expect(text).toMatch(new RegExp(`^${STAMP}a{200000}\n${STAMP}next\n$`));
  });

  it('writes at most 64 KiB at once: with a small cap, each write of a long line lands in a file of its own', async () => {
    const pipe = await start(4096);
    const long = 'b'.repeat(300_000);
    fs.writeSync(pipe.writeFd, `${long}\n`);
    await finish(pipe);
    const rotated = readLog('container.log.1');
    const current = readLog();
    expect(rotated.length).toBeGreaterThan(0);
    expect(rotated.length).toBeLessThanOrEqual(65536);
    expect(current.length).toBeLessThanOrEqual(65536);
    // The two newest writes, in order: the end of the one stamped line.
    expect(`${rotated}${current}`).toMatch(/^(?:[-\dT:.Z ]*)b+\n$/);
    expect(long.endsWith(`${rotated}${current}`.replace(/\n$/, '').replace(new RegExp(`^${STAMP}`), ''))).toBe(true);
  });

  it('does not follow a symbolic link planted as the log: it ends and writes nothing', async () => {
    const target = path.join(dir, 'secret');
    fs.writeFileSync(target, 'secret\n');
    fs.symlinkSync(target, logFile());
    const pipe = await startLogWriter(dir, 'container.log', { ...writer.env });
    expect(await waitUntilGone(pipe!.writerPid!)).toBe(true); // ended on its own, before any output
    pipe!.close();
    expect(fs.readFileSync(target, 'utf8')).toBe('secret\n');
    expect(fs.lstatSync(logFile()).isSymbolicLink()).toBe(true);
    const [file, args] = logWriterCommand(writer.command, [dir, 'container.log', '4096']);
    const run = spawnSync(file, args, { input: 'x\n', env: {}, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(fs.readFileSync(target, 'utf8')).toBe('secret\n');
  });

  it('refuses bad arguments with status 2 and a message, creating nothing', () => {
    const bad: string[][] = [
      [dir, 'container.log'],
      [dir, 'container.log', '4096', 'extra'],
      ['relative/dir', 'container.log', '4096'],
      [dir, 'sub/container.log', '4096'],
      [dir, '..', '4096'],
      [dir, '', '4096'],
      [dir, 'container.log', ''],
      [dir, 'container.log', '4k'],
      [dir, 'container.log', '-4096'],
      [dir, 'container.log', '4095'],
      [dir, 'container.log', '9007199254740992'],
    ];
    for (const args of bad) {
      const [file, argv] = logWriterCommand(writer.command, args);
      const run = spawnSync(file, argv, { input: '', env: {}, encoding: 'utf8' });
      expect({ args, status: run.status }).toEqual({ args, status: 2 });
      expect(run.stderr).toMatch(/cap|directory|file name|arguments/);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    const [file, argv] = logWriterCommand(writer.command, [dir, 'container.log', '9007199254740991']);
    expect(spawnSync(file, argv, { input: 'ok\n', env: {} }).status).toBe(0);
    expect(readLog()).toMatch(new RegExp(`^${STAMP}ok\n$`));
  });

  it.runIf(asRoot)('drops what does not fit on a full disk and keeps draining the pipe', async () => {
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', small]);
    try {
      const pipe = await startLogWriter(small, 'container.log', { ...writer.env, [LOG_MAX_BYTES_VARIABLE]: String(1 << 20) });
      const line = `${'z'.repeat(99)}\n`;
      // 1 MiB through a 64 KiB pipe: these writes only return because the writer keeps reading.
      for (let i = 0; i < 16; i++) fs.writeSync(pipe!.writeFd, line.repeat(655));
      await finish(pipe!);
      const size = fs.statSync(path.join(small, 'container.log')).size;
      expect(size).toBeGreaterThan(0);
      expect(size).toBeLessThanOrEqual(64 * 1024);
    } finally {
      execFileSync('umount', [small]);
    }
  });
});

describe.runIf(onLinux)('which writer runs', () => {
  let place: string;
  let copy: string;
  beforeEach(() => {
    place = path.join(dir, 'bin');
    fs.mkdirSync(place, { mode: 0o755 });
    copy = path.join(place, 'wc-log-writer');
    fs.copyFileSync(nativeWriterFile, copy);
    fs.chmodSync(copy, 0o755);
  });
  const choose = (file: string) => chooseLogWriter({ [LOG_WRITER_VARIABLE]: file });

  it('finds the native writer beside the bundle (here: the checkout\'s dist/native)', () => {
    expect(nativeLogWriterPath({})).toBe(nativeWriterFile);
    expect(chooseLogWriter({})).toEqual({ kind: 'native', file: nativeWriterFile });
    expect(chooseLogWriter({ [LOG_WRITER_VARIABLE]: 'node' })).toEqual({ kind: 'node', reason: `${LOG_WRITER_VARIABLE} asks for it` });
  });

  it('runs a root-owned copy in a private folder, and refuses it once group or others can write it or its folder', () => {
    expect(choose(copy)).toEqual({ kind: 'native', file: copy });
    fs.chmodSync(copy, 0o775);
    expect(choose(copy)).toEqual({ kind: 'node', reason: `the native writer is not safe to run: ${copy} is writable by group or others (mode 775)` });
    fs.chmodSync(copy, 0o644);
    expect(unsafeToRunReason(copy)).toBe(`${copy} is not executable (mode 644)`);
    fs.chmodSync(copy, 0o755);
    fs.chmodSync(place, 0o777);
    expect(unsafeToRunReason(copy)).toBe(`the folder ${place} is writable by group or others (mode 777)`);
    fs.chmodSync(place, 0o1777);
    expect(unsafeToRunReason(copy)).toBe(`the folder ${place} is writable by group or others (mode 1777)`);
  });

  it('gives a copy of its own uid back the execute bits a package lost, and runs it; never one that others can write', () => {
    fs.chmodSync(copy, 0o644); // as Install-PSResource leaves it: NuGet keeps no Unix modes
    expect(choose(copy)).toEqual({ kind: 'native', file: copy });
    expect(fs.statSync(copy).mode & 0o7777).toBe(0o755);
    fs.chmodSync(copy, 0o664);
    expect(choose(copy)).toEqual({ kind: 'node', reason: `the native writer is not safe to run: ${copy} is writable by group or others (mode 664)` });
    expect(fs.statSync(copy).mode & 0o7777).toBe(0o664);
    fs.chmodSync(copy, 0o644);
    fs.chmodSync(place, 0o777);
    expect(choose(copy).kind).toBe('node'); // its folder is open to all
    // Judged whole before any change: a file in an unsafe folder does not get its bits back either.
    expect(fs.statSync(copy).mode & 0o7777).toBe(0o644);
  });

  it('accepts a sticky folder above (like /tmp) but not one anyone can rename entries in', () => {
    fs.chmodSync(dir, 0o1777);
    expect(unsafeToRunReason(copy)).toBeNull();
    fs.chmodSync(dir, 0o777);
    expect(unsafeToRunReason(copy)).toBe(`the folder ${dir} is writable by group or others (mode 777)`);
    fs.chmodSync(dir, 0o700);
  });

  it.runIf(asRoot)('refuses a writer or a folder owned by another user', () => {
    fs.chownSync(copy, 4242, 4242);
    expect(unsafeToRunReason(copy)).toBe(`${copy} belongs to uid 4242, neither root nor this core's uid 0`);
    fs.chmodSync(copy, 0o644);
    expect(choose(copy).kind).toBe('node'); // another user's file: its bits stay as they are
    expect(fs.statSync(copy).mode & 0o7777).toBe(0o644);
    fs.chmodSync(copy, 0o755);
    fs.chownSync(copy, 0, 0);
    fs.chownSync(place, 4242, 0);
    expect(unsafeToRunReason(copy)).toBe(`the folder ${place} belongs to uid 4242, neither root nor this core's uid 0`);
  });

  it('checks the file a link leads to, not the link', () => {
    const elsewhere = path.join(dir, 'open');
    fs.mkdirSync(elsewhere, { mode: 0o755 });
    fs.chmodSync(elsewhere, 0o777);
    const target = path.join(elsewhere, 'wc-log-writer');
    fs.copyFileSync(nativeWriterFile, target);
    fs.chmodSync(target, 0o755);
    const link = path.join(place, 'link');
    fs.symlinkSync(target, link);
    expect(unsafeToRunReason(link)).toBe(`the folder ${elsewhere} is writable by group or others (mode 777)`);
    expect(unsafeToRunReason(path.join(place, 'missing'))).toMatch(/cannot be resolved \(ENOENT\)/);
    expect(choose(path.join(place, 'missing')).kind).toBe('node');
  });

  it('runs the file it checked, not a link to it that another user could point elsewhere', () => {
    const open = path.join(dir, 'shared');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o777); // anyone may replace the link in here
    const link = path.join(open, 'writer');
    fs.symlinkSync(copy, link);
    expect(choose(link)).toEqual({ kind: 'native', file: fs.realpathSync(copy) });
  });

  it('falls back to the node writer with the reason when the native one may not run, and the log is the same', async () => {
    fs.chmodSync(copy, 0o775);
    const pipe = await startLogWriter(dir, 'container.log', { [LOG_WRITER_VARIABLE]: copy });
    expect(pipe!.writer).toBe('node');
    expect(pipe!.fallbackReason).toBe(`the native writer is not safe to run: ${copy} is writable by group or others (mode 775)`);
    expect(path.basename(fs.readlinkSync(`/proc/${pipe!.writerPid}/exe`))).toBe(path.basename(process.execPath));
    expect(fs.readlinkSync(`/proc/${pipe!.writerPid}/cwd`)).toBe('/');
    fs.writeSync(pipe!.writeFd, 'through node\n');
    await finish(pipe!);
    expect(readLog()).toMatch(new RegExp(`^${STAMP}through node\n$`));
  });

  it('starts the native writer through child_process where posix_spawn cannot be loaded, with the same result', async () => {
    useChildProcess(true);
    let pipe: LogPipe | null;
    try {
      pipe = await startLogWriter(dir, 'container.log', { [LOG_WRITER_VARIABLE]: copy });
    } finally {
      useChildProcess(false);
    }
    expect(pipe!.writer).toBe('native');
    expect(path.basename(fs.readlinkSync(`/proc/${pipe!.writerPid}/exe`))).toBe('wc-log-writer');
    expect(fs.readFileSync(`/proc/${pipe!.writerPid}/environ`, 'latin1')).toBe('');
    fs.writeSync(pipe!.writeFd, 'by fork\n');
    await finish(pipe!); // libuv reaps it: gone, not a zombie
    expect(readLog()).toMatch(new RegExp(`^${STAMP}by fork\n$`));
  });

  it('falls back to the node writer when the native one cannot be started', async () => {
    fs.writeFileSync(copy, 'not a program\n'); // executable bit kept, no #! and no ELF: exec fails
    const pipe = await startLogWriter(dir, 'container.log', { [LOG_WRITER_VARIABLE]: copy });
    expect(pipe!.writer).toBe('node');
    expect(pipe!.fallbackReason).toMatch(new RegExp(`^the native writer ${copy} could not be started \\(ENOEXEC\\)$`));
    fs.writeSync(pipe!.writeFd, 'still kept\n');
    await finish(pipe!);
    expect(readLog()).toMatch(new RegExp(`^${STAMP}still kept\n$`));
  });
});
