/**
 * Issue case 5: a killed core leaves nothing behind that the next command does
 * not clean up, and removal trusts only identities the core recorded or
 * derives (never editable fields or look-alike processes). Each kill -9 point
 * is a real core process killed while it works; "the next command" is a new
 * core's request. A completed container beside them is never touched.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTar, writeBusyboxTar } from '../core/helpers/tarWriter.js';
import { CoreServer } from './helpers/core.js';
import { runsAsRoot } from './helpers/user.js';

let work: string;
let state: string;
let env: NodeJS.ProcessEnv;
let core: CoreServer;
const made = new Set<string>();

async function until<T>(what: string, probe: () => T | null | undefined | false, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function freshCore(): Promise<CoreServer> {
  await core?.stop();
  core = await CoreServer.start(env);
  return core;
}

async function createRunning(name: string, isolation: 'Process' | 'HyperV' = 'Process'): Promise<{ hostPid: number | null }> {
  made.add(name);
  const answer = await core.request('container.create', { name, image: 'busybox', isolation, command: ['sleep', '3600'] }, 240_000);
  expect(answer.error).toBeUndefined();
  return answer.body as { hostPid: number | null };
}

beforeAll(async () => {
  await execa('node', ['build/bundle.mjs']);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-sec-recover-'));
  state = path.join(work, 'state');
  env = { ...process.env, WINDOWSCONTAINERS_STATE_DIR: state };
  core = await CoreServer.start(env);
  expect((await core.request('image.import', { path: writeBusyboxTar(work), name: 'busybox' })).success).toBe(true);
}, 120_000);

afterAll(async () => {
  for (const name of made) await core?.request('container.remove', { name, force: true }, 120_000).catch(() => undefined);
  await core?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}, 300_000);

describe.skipIf(!runsAsRoot)('recovery from a killed core', () => {
  it('should remove a partial import at the next command and say so', async () => {
    // Many small files: applying them takes long enough to kill the core in the middle.
    const big = path.join(work, 'many.tar');
    fs.writeFileSync(big, makeTar(Array.from({ length: 30_000 }, (_, i) => ({ path: `d${i % 100}/f${i}`, content: 'x'.repeat(100) }))));
    const doomed = await freshCore();
    doomed.send('image.import', { path: big, name: 'many' });
    const images = path.join(state, 'images');
    await until('the import to write files', () => fs.readdirSync(images).find((n) => n.startsWith('.import-') && fs.existsSync(path.join(images, n, 'rootfs', 'd1'))));
    await doomed.kill();
    expect(fs.readdirSync(images).filter((n) => n.startsWith('.import-'))).toHaveLength(1);

    const next = await freshCore();
    const listed = await next.request('container.list', { names: ['*'], all: true });
    expect(listed.success).toBe(true);
    expect(fs.readdirSync(images).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(next.messages.some((m) => /partial import .* of image 'many'/.test(m))).toBe(true);
  }, 180_000);

  it('should roll back a HyperV create whose core died while the VM booted, and leave a finished container alone', async () => {
    const keeper = await createRunning('rec-keeper');
    const doomed = await freshCore();
    made.add('rec-vm');
    doomed.send('container.create', { name: 'rec-vm', image: 'busybox', isolation: 'HyperV', command: ['sleep', '3600'] });
    const journalFile = path.join(state, 'containers', 'rec-vm', '.create-journal.json');
    const qemu = await until('QEMU to be journaled', () => {
      try {
        return (JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { worker: { pid: number } | null }).worker;
      } catch {
        return null;
      }
    });
    await doomed.kill();
    expect(alive(qemu.pid)).toBe(true); // QEMU outlives the core by design

    const next = await freshCore();
    const list = await next.request('container.list', { names: ['*'], all: true });
    expect(list.success).toBe(true);
    await until('QEMU to be gone', () => !alive(qemu.pid), 30_000);
    expect(fs.existsSync(path.join(state, 'containers', 'rec-vm'))).toBe(false);
    expect((list.body as { containers: { name: string }[] }).containers.map((c) => c.name)).not.toContain('rec-vm');
    expect(next.messages.some((m) => /Rolling back container 'rec-vm'/.test(m))).toBe(true);
    // The finished container: still running, untouched.
    expect(alive(keeper.hostPid!)).toBe(true);
    expect(fs.existsSync(path.join(state, 'containers', 'rec-keeper', '.create-journal.json'))).toBe(false);
  }, 300_000);

  it('should show containers as exited after their processes and mounts are gone (a host reboot) and remove them cleanly', async () => {
    const info = await createRunning('rec-reboot');
    const rootfs = path.join(state, 'containers', 'rec-reboot', 'rootfs');
    process.kill(info.hostPid!, 'SIGKILL');
    await until('the container to die', () => !alive(info.hostPid!), 30_000);
    execFileSync('umount', ['-l', rootfs]);
    const next = await freshCore();
    const got = await next.request('container.get', { name: 'rec-reboot' });
    expect(got.body).toMatchObject({ state: 'exited' });
    expect((await next.request('container.remove', { name: 'rec-reboot', force: true }, 120_000)).success).toBe(true);
    made.delete('rec-reboot');
    expect(fs.existsSync(path.join(state, 'containers', 'rec-reboot'))).toBe(false);
  }, 180_000);
});

describe.skipIf(!runsAsRoot)('recovery from a killed remove', () => {
  it('should show a container whose remove died after runc delete as exited, and remove its overlay at the next remove', async () => {
    await createRunning('rec-halfremoved');
    const rootfs = path.join(state, 'containers', 'rec-halfremoved', 'rootfs');
    // Where a remove killed mid-way stops: runc's state and the processes gone, the overlay still mounted.
    execFileSync('runc', ['--root', path.join(state, 'runc'), 'delete', '--force', 'rec-halfremoved']);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${rootfs} `);
    const next = await freshCore();
    expect((await next.request('container.get', { name: 'rec-halfremoved' })).body).toMatchObject({ state: 'exited' });
    expect((await next.request('container.remove', { name: 'rec-halfremoved', force: true }, 120_000)).success).toBe(true);
    made.delete('rec-halfremoved');
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${rootfs} `);
    expect(fs.existsSync(path.join(state, 'containers', 'rec-halfremoved'))).toBe(false);
  }, 180_000);
});

describe.skipIf(!runsAsRoot)('removal trusts only recorded identities', () => {
  it('should not kill what lives in a cgroup that an edited container.json names', async () => {
    await createRunning('rec-edited');
    // A bystander in a cgroup of its own.
    const victimCgroup = `/windowscontainers-victim-${process.pid}`;
    const cpuRoot = '/sys/fs/cgroup/pids';
    const dir = path.join(cpuRoot, victimCgroup);
    fs.mkdirSync(dir, { recursive: true });
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore', detached: true });
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(bystander.pid));
      const file = path.join(state, 'containers', 'rec-edited', 'container.json');
      const metadata = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(file, JSON.stringify({ ...metadata, cgroupsPath: victimCgroup, runtimeId: 'someone-else' }));
      const removed = await core.request('container.remove', { name: 'rec-edited', force: true }, 120_000);
      expect(removed.success).toBe(true);
      made.delete('rec-edited');
      expect(alive(bystander.pid!)).toBe(true);
      expect(core.messages.some((m) => /that field was ignored/.test(m))).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      await new Promise((r) => bystander.once('exit', r));
      fs.rmdirSync(dir);
    }
  }, 180_000);

  it('should clean up a container with damaged metadata by name, from runc\'s own state', async () => {
    const info = await createRunning('rec-damaged');
    fs.writeFileSync(path.join(state, 'containers', 'rec-damaged', 'container.json'), '{"trunc');
    const removed = await core.request('container.remove', { name: 'rec-damaged', force: true }, 120_000);
    expect(removed.error).toBeUndefined();
    made.delete('rec-damaged');
    await until('the container process to end', () => !alive(info.hostPid!), 30_000);
    expect(fs.existsSync(path.join(state, 'containers', 'rec-damaged'))).toBe(false);
    expect(fs.readdirSync(path.join(state, 'runc'))).not.toContain('rec-damaged');
  }, 180_000);

  it('should not kill a process that only looks like a removed HyperV container\'s QEMU', async () => {
    const name = 'rec-lookalike';
    const dir = path.join(state, 'containers', name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dir, 'container.json'), '{"damaged');
    // The same comm (wc-<name>) and -initrd argument as the container's QEMU would have.
    const fake = path.join(work, `wc-${name.slice(0, 12)}`);
    fs.copyFileSync('/bin/bash', fake);
    fs.chmodSync(fake, 0o755);
    // bash -c 'sleep 600; true' keeps running as itself (no exec of the last command), with the look-alike arguments after it.
    const lookalike = spawn(fake, ['-c', 'sleep 600; true', '-initrd', path.join(dir, 'initramfs.cpio')], { stdio: 'ignore', detached: true });
    try {
      await until('the look-alike to run', () => alive(lookalike.pid!) && fs.readFileSync(`/proc/${lookalike.pid!}/comm`, 'utf8').trim() === `wc-${name.slice(0, 12)}`, 10_000);
      const removed = await core.request('container.remove', { name, force: true }, 120_000);
      expect(removed.error).toBeUndefined();
      expect(alive(lookalike.pid!)).toBe(true);
    } finally {
      process.kill(-lookalike.pid!, 'SIGKILL'); // its process group: bash and its sleep
    }
  }, 120_000);
});
