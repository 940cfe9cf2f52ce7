import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProcessRecords } from '../../../../../ts-core/src/backends/linux/vm/agentClient.js';
import { execRunner, initScript, psAwk, shQuote, specScript } from '../../../../../ts-core/src/backends/linux/vm/guestAgent.js';

let root: string;

/** A /proc/<pid>/stat line; fields after comm are given from field 3 (state) on. */
function statLine(pid: number, comm: string, o: { ppid: number; session: number; flags?: number; utime?: number; stime?: number; start?: number; rss?: number; state?: string }): string {
  const f = new Array<string>(50).fill('0');
  f[3] = o.state ?? 'S';
  f[4] = String(o.ppid);
  f[5] = String(o.session);
  f[6] = String(o.session);
  f[9] = String(o.flags ?? 0x400000);
  f[14] = String(o.utime ?? 0);
  f[15] = String(o.stime ?? 0);
  f[22] = String(o.start ?? 0);
  f[23] = '1000000';
  f[24] = String(o.rss ?? 0);
  return `${pid} (${comm}) ${f.slice(3, 52).join(' ')}\n`;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'wc-agent-'));
  const procs: Array<[number, string, Parameters<typeof statLine>[2]]> = [
    [1, 'init', { ppid: 0, session: 0 }], // the agent
    [2, 'kthreadd', { ppid: 0, session: 0, flags: 0x208040 }],
    [7, 'kworker/0:1', { ppid: 2, session: 0, flags: 0x4208060 }],
    [40, 'sh', { ppid: 1, session: 0 }], // the agent's waiter
    [41, 'ping', { ppid: 40, session: 41, utime: 3, stime: 4, start: 229, rss: 12 }],
    [42, 'we ird) (x', { ppid: 41, session: 41, state: 'R', start: 300, rss: 1 }],
    [43, 'awk', { ppid: 1, session: 0 }], // answering this very request
  ];
  for (const [pid, comm, o] of procs) {
    await mkdir(path.join(root, 'proc', String(pid)), { recursive: true });
    await writeFile(path.join(root, 'proc', String(pid), 'stat'), statLine(pid, comm, o));
  }
  await writeFile(path.join(root, 'proc/uptime'), '12.34 10.00\n');
  await mkdir(path.join(root, 'run/wc'), { recursive: true });
  await writeFile(path.join(root, 'run/wc/args'), '  PID COMMAND\n   41 ping 127.0.0.1\n   42 {we ird) (x} /bin/odd --flag=%\n');
  await writeFile(path.join(root, 'ps.awk'), psAwk);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function runPsAwk(extra: string[] = []): string {
  const dirs = [1, 2, 7, 40, 41, 42, 43, 99].map((pid) => path.join(root, 'proc', String(pid))); // 99 exited meanwhile
  return execFileSync('busybox', ['awk', '-v', 'seq=17', '-v', `root=${root}`, ...extra, '-f', path.join(root, 'ps.awk'), ...dirs]).toString();
}

describe('guest agent ps (busybox awk over /proc)', () => {
  it("should list only the container's processes: not kernel threads, not the agent's session", () => {
    const lines = runPsAwk().trimEnd().split('\n');
    expect(lines[0]).toBe('17 BEGIN ps');
    expect(lines[1]).toBe('17 U 12.34');
    expect(lines.slice(2, -1)).toEqual([
      '17 P 41 40 49152 7 229 S ping ping%20127.0.0.1',
      '17 P 42 41 4096 0 300 R we%20ird%29%20%28x %7Bwe%20ird%29%20%28x%7D%20/bin/odd%20%2D%2Dflag=%25',
    ]);
    expect(lines.at(-1)).toBe('17 END 3');
  });

  it('should be read back by the host parser into the same processes', () => {
    const lines = runPsAwk().trimEnd().split('\n');
    const records = lines.slice(1, -1).map((l) => l.slice('17 '.length));
    const list = parseProcessRecords(records, lines);
    expect(list.uptimeSeconds).toBe(12.34);
    expect(list.processes).toEqual([
      { pid: 41, ppid: 40, rssBytes: 49152, cpuTicks: 7, startTicks: 229, state: 'S', name: 'ping', commandLine: 'ping 127.0.0.1' },
      { pid: 42, ppid: 41, rssBytes: 4096, cpuTicks: 0, startTicks: 300, state: 'R', name: 'we ird) (x', commandLine: '/bin/odd --flag=%' },
    ]);
  });

  it('should print only the PIDs when asked for the ones shutdown must stop', () => {
    expect(runPsAwk(['-v', 'pidsonly=1']).trim()).toBe('41 42');
  });
});

describe('spec script', () => {
  it('should hand the command and environment to env -i unchanged, whatever characters they hold', () => {
    const command = ['printf', '%s|', "it's", '$HOME', '`id`', 'a b', '"q"', '\\n'];
    const script = specScript({ containerId: 'c1', hostname: 'h', workingDir: '/', command, env: { FOO: "x'y $z", PATH: '/usr/bin:/bin' } });
    // Run the generated wc_start with the host's busybox instead of the guest's /.wc.
    const portable = (s: string) => s.replaceAll('/.wc/bin/setsid ', '').replaceAll('/.wc/bin/env', 'busybox env').replaceAll('/.wc/busybox', 'busybox');
    const out = execFileSync('busybox', ['sh', '-c', `${portable(script)}\nwc_start`]).toString();
    expect(out).toBe("it's|$HOME|`id`|a b|\"q\"|\\n|");
    const envScript = specScript({ containerId: 'c1', hostname: 'h', workingDir: '/', command: ['env'], env: { FOO: "x'y $z", PATH: '/usr/bin:/bin' } });
    const env = execFileSync('busybox', ['sh', '-c', `${portable(envScript)}\nwc_start`]).toString();
    expect(env.split('\n')).toEqual(expect.arrayContaining(["FOO=x'y $z", 'HOSTNAME=h', 'PATH=/usr/bin:/bin']));
  });

  it("should run the image's program found in the container's PATH, not busybox's applet of that name", () => {
    // busybox sh and env prefer their own applets for a bare name; the exec step must not.
    const script = specScript({ containerId: 'c1', hostname: 'h', workingDir: '/', command: ['sh', '-c', 'readlink /proc/$$/exe; echo "$0"'], env: { PATH: '/usr/bin:/bin' } });
    const portable = script.replaceAll('/.wc/bin/setsid ', '').replaceAll('/.wc/bin/env', 'busybox env').replaceAll('/.wc/busybox', 'busybox');
    const out = execFileSync('busybox', ['sh', '-c', `${portable}\nwc_start`]).toString().trim().split('\n');
    expect(out[0]).toBe(execFileSync('readlink', ['-f', '/bin/sh']).toString().trim()); // dash here, not busybox
    expect(out[1]).toBe('sh'); // argv[0] kept
  });

  it('should exit 127 naming the program when the PATH has no such program', () => {
    const script = specScript({ containerId: 'c1', hostname: 'h', workingDir: '/', command: ['no-such-program-wc'], env: { PATH: '/usr/bin:/bin' } });
    const portable = script.replaceAll('/.wc/bin/setsid ', '').replaceAll('/.wc/bin/env', 'busybox env').replaceAll('/.wc/busybox', 'busybox');
    let status = 0;
    let stderr = '';
    try {
      execFileSync('busybox', ['sh', '-c', `${portable}\nwc_start`], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = String((error as { stderr: Buffer }).stderr);
    }
    expect(status).toBe(127);
    expect(stderr).toContain('no-such-program-wc: not found');
  });

  it('should refuse variable names a shell or env(1) would misread', () => {
    expect(() => specScript({ containerId: 'c', hostname: 'h', workingDir: '/', command: ['sh'], env: { 'A-B': '1' } })).toThrow(/'A-B' is not valid/);
    expect(() => specScript({ containerId: 'c', hostname: 'h', workingDir: '/', command: ['X=1'], env: {} })).toThrow(/contains '='/);
    expect(() => specScript({ containerId: 'c', hostname: 'h', workingDir: '/', command: [], env: {} })).toThrow(/empty/);
  });

  it('should quote for sh so that nothing is expanded', () => {
    expect(execFileSync('busybox', ['sh', '-c', `printf %s ${shQuote("a'b$(x)`y`")}`]).toString()).toBe("a'b$(x)`y`");
  });

  it('should be valid sh syntax in /init', () => {
    execFileSync('busybox', ['sh', '-n', '-c', initScript]);
    execFileSync('busybox', ['sh', '-n', '-c', execRunner]);
    expect(initScript).toMatch(/^#!\/\.wc\/busybox sh\n/);
    expect(initScript).toContain("printf 'WCAGENT READY %s %s\\n' 1 \"$WC_ID\"");
  });

  it('should run the exec runner with every decoded value as one argument, in the asked directory', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-execrun-'));
    try {
      const bb = execFileSync('sh', ['-c', 'command -v busybox']).toString().trim();
      const argv = ['A=1 $(x)', bb, 'sh', '-c', 'printf "[%s]" "$@" "$A" "$(pwd)"', 'zero', '$(reboot)', 'two\n\n', ''];
      writeFileSync(path.join(dir, 'n'), `${argv.length}\n`);
      writeFileSync(path.join(dir, 'a.0'), Buffer.from('/tmp').toString('base64'));
      argv.forEach((a, i) => writeFileSync(path.join(dir, `a.${i + 1}`), Buffer.from(a).toString('base64')));
      // The guest's fixed paths, pointed at the host's busybox.
      const runner = execRunner.replaceAll('/.wc/bin/env', `${bb} env`).replaceAll('/.wc/busybox', bb);
      expect(execFileSync(bb, ['sh', '-c', runner, 'exec.sh', dir]).toString()).toBe('[$(reboot)][two\n\n][][1 $(x)][/tmp]');
      writeFileSync(path.join(dir, 'a.0'), Buffer.from('/no/such/dir').toString('base64'));
      expect(() => execFileSync(bb, ['sh', '-c', runner, 'exec.sh', dir], { stdio: 'pipe' })).toThrow(expect.objectContaining({ status: 126 }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
