import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPosixSpawn, runCaptured, startAndWait, useCapturePipes, useChildProcess, type PosixSpawner } from '../../../../ts-core/src/backends/linux/posixSpawn.js';
import { listPids, parseStat, readProcessStat } from '../../../../ts-core/src/processes/procfs/index.js';

/**
 * posix_spawn through koffi: the child must get what child_process would
 * give it (default signals, /dev/null stdin, only stdio open, the
 * environment), its exit must be reported, and a timeout must kill it.
 */
const onLinux = process.platform === 'linux';

describe.runIf(onLinux)('posix_spawn', () => {
  let spawner: PosixSpawner;
  let dir: string;

  beforeAll(async () => {
    const loaded = await loadPosixSpawn();
    expect(loaded).not.toBeNull();
    spawner = loaded!;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-spawn-'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the program with stdout and stderr on one file and returns the exit and what it wrote. */
  async function run(file: string, args: string[], timeoutMs = 10_000) {
    const out = path.join(dir, `out-${Math.random().toString(16).slice(2)}`);
    const fd = fs.openSync(out, 'w');
    try {
      const exit = await spawner.run(file, args, { stdoutFd: fd, stderrFd: fd, timeoutMs });
      return { ...exit, output: fs.readFileSync(out, 'utf8') };
    } finally {
      fs.closeSync(fd);
    }
  }

  it('passes the arguments as they are, with no shell, and reports the exit status', async () => {
    const result = await run('/bin/echo', ['a b', '$HOME', '; false']);
    expect(result).toEqual({ exitCode: 0, signal: null, timedOut: false, output: 'a b $HOME ; false\n' });
    expect((await run('/bin/false', [])).exitCode).toBe(1);
  });

  it('gives the child stdout and stderr on the descriptor, and stdin from /dev/null', async () => {
    const result = await run('/bin/ls', ['-l', '/proc/self/fd/0', '/no/such/file']);
    expect(result.exitCode).toBe(2);
    expect(result.output).toMatch(/\/proc\/self\/fd\/0 -> \/dev\/null/);
    expect(result.output).toMatch(/\/no\/such\/file/);
  });

  it('passes the child no descriptor that child_process would not, and none this process opened', async () => {
    const opened = fs.openSync(path.join(dir, 'held-open'), 'w');
    try {
      const listed = (text: string) => text.trim().split('\n').map(Number).sort((a, b) => a - b);
      // Each ls opens the directory it lists; anything else comes from the parent.
      const ours = listed((await run('/bin/ls', ['/proc/self/fd'])).output);
      const theirs = listed(execFileSync('/bin/ls', ['/proc/self/fd'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
      expect(ours).toEqual(theirs);
      expect(ours).not.toContain(opened);
      expect(ours.slice(0, 3)).toEqual([0, 1, 2]);
    } finally {
      fs.closeSync(opened);
    }
  });

  it('starts the child with no signal ignored or blocked, though node ignores SIGPIPE', async () => {
    const result = await run('/bin/grep', ['-E', '^Sig(Ign|Blk):', '/proc/self/status']);
    expect(result.output).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('hands the child this process\'s environment', async () => {
    process.env.WC_SPAWN_TEST = 'x=y z';
    try {
      expect((await run('/usr/bin/env', [])).output.split('\n')).toContain('WC_SPAWN_TEST=x=y z');
    } finally {
      delete process.env.WC_SPAWN_TEST;
    }
  });

  /** This process's children that have exited but were never reaped. */
  function zombieChildren(): number[] {
    return listPids().filter((pid) => {
      try {
        const stat = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), pid);
        return stat.state === 'Z' && stat.ppid === process.pid;
      } catch {
        return false; // gone since it was listed
      }
    });
  }

  it('kills a child that outlives the timeout, says so, and still reaps it', async () => {
    // timedOut with SIGKILL: the 300 ms timer ended it, not sleep's own 30 s.
    const result = await run('/bin/sleep', ['30'], 300);
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    // The kill is answered at once; the reap follows when the wait returns.
    for (let i = 0; i < 50 && zombieChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(zombieChildren()).toEqual([]);
  });

  it('leaves no zombie behind after children that exit on their own', async () => {
    await Promise.all([run('/bin/true', []), run('/bin/false', []), run('/bin/sleep', ['0.1'])]);
    expect(zombieChildren()).toEqual([]);
  });

  it('rejects, naming the error, when the program does not exist', async () => {
    await expect(run(path.join(dir, 'no-such-program'), [])).rejects.toThrow(/posix_spawn of .*no-such-program failed: ENOENT/);
  });

  it('answers the same through child_process where posix_spawn cannot be loaded', async () => {
    const fd = fs.openSync(path.join(dir, 'fallback'), 'w');
    useChildProcess(true);
    try {
      const options = { stdoutFd: fd, stderrFd: fd, timeoutMs: 300 };
      expect(await startAndWait('/bin/false', [], options)).toEqual({ exitCode: 1, signal: null, timedOut: false });
      expect(await startAndWait('/bin/sleep', ['30'], options)).toEqual({ exitCode: null, signal: 'SIGKILL', timedOut: true });
      await expect(startAndWait(path.join(dir, 'no-such-program'), [], options)).rejects.toThrow(/ENOENT/);
    } finally {
      useChildProcess(false);
      fs.closeSync(fd);
    }
  });

  it('keeps the event loop serving while it waits', async () => {
    // The child waits for a file that only a timer of this process creates,
    // and gives up (exit 3) after about 20 s: had the wait blocked the event
    // loop, the timer could not run and the child would give up.
    const flag = path.join(dir, `go-${Math.random().toString(16).slice(2)}`);
    const timer = setTimeout(() => fs.writeFileSync(flag, ''), 20);
    try {
      const exit = await run('/bin/sh', ['-c', 'i=0; while [ ! -e "$1" ]; do i=$((i + 1)); [ "$i" -gt 2000 ] && exit 3; sleep 0.01; done', 'sh', flag], 60_000);
      expect(exit).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    } finally {
      clearTimeout(timer);
    }
  });

  describe('with the output captured (runCaptured, as every runc call but run uses it)', () => {
    const script = 'printf "out %s" "$1"; printf "err line\\n" >&2; head -c 300000 /dev/zero | tr "\\0" x; exit 3';

    async function both(check: () => Promise<void>): Promise<void> {
      await check();
      useCapturePipes(true);
      try {
        await check();
      } finally {
        useCapturePipes(false);
      }
    }

    it('returns stdout and stderr apart, more than a pipe holds, and the exit status', () => both(async () => {
      const result = await runCaptured('/bin/sh', ['-c', script, 'sh', 'a b; $x'], { timeoutMs: 10_000 });
      expect(result.exitCode).toBe(3);
      expect(result.timedOut).toBe(false);
      expect(result.stderr).toBe('err line\n');
      expect(result.stdout.startsWith('out a b; $x')).toBe(true);
      expect(result.stdout.length).toBe('out a b; $x'.length + 300_000);
    }));

    it('cuts each stream at the limit', () => both(async () => {
      const result = await runCaptured('/bin/sh', ['-c', script, 'sh', '1'], { timeoutMs: 10_000, maxOutputBytes: 100 });
      expect(result.stdout).toHaveLength(100);
      expect(result.stderr).toBe('err line\n');
    }));

    it('kills a program that runs past the timeout and says so', () => both(async () => {
      const started = Date.now();
      const result = await runCaptured('/bin/sleep', ['30'], { timeoutMs: 300 });
      expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
      expect(Date.now() - started).toBeLessThan(5_000);
    }));

    it('leaves no descriptor open behind it', async () => {
      const before = fs.readdirSync('/proc/self/fd').length;
      for (let i = 0; i < 20; i++) await runCaptured('/bin/true', [], { timeoutMs: 10_000 });
      expect(fs.readdirSync('/proc/self/fd').length).toBeLessThanOrEqual(before);
    });

    it('rejects when the program does not exist', () => both(async () => {
      await expect(runCaptured(path.join(dir, 'no-such-program'), [], { timeoutMs: 1000 })).rejects.toThrow(/ENOENT/);
    }));
  });
});
