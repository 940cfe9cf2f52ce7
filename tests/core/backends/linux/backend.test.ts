import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxBackend } from '../../../../ts-core/src/backends/linux/index.js';
import { importImage } from '../../../../ts-core/src/backends/linux/images.js';
import { cgroupsPathFor, metadataFile, runcRoot } from '../../../../ts-core/src/backends/linux/state.js';
import { existingCgroupDirs, isAlive } from '../../../../ts-core/src/backends/linux/cgroups.js';
import { findRunc } from '../../../../ts-core/src/backends/linux/runc.js';
import type { CommandContext } from '../../../../ts-core/src/protocol/dispatcher.js';
import type { ContainerSpec } from '../../../../ts-core/src/backends/types.js';
import { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { writeBusyboxTar } from '../../helpers/tarWriter.js';

/**
 * The linux backend against real runc, real namespaces and the real host
 * process table, in a private state directory. Every test counts what a
 * container can leave behind (runc state, cgroup directories, container
 * directories, live processes) and proves it is gone.
 */
const canRun = process.platform === 'linux' && process.getuid?.() === 0 && findRunc() !== null;

const context: CommandContext & { messages: string[] } = {
  requestId: 'test',
  messages: [],
  progress() {},
  verbose(message) { this.messages.push(message); },
  warning(message) { this.messages.push(message); },
};

let state: string;
const saved = process.env.WINDOWSCONTAINERS_STATE_DIR;
const backend = createLinuxBackend();

function spec(name: string, command: string[], extra: Partial<ContainerSpec> = {}): ContainerSpec {
  return { name, image: 'busybox', isolation: 'Process', command, env: {}, workingDir: '', hostname: '', memoryMB: undefined, cpuCount: undefined, ...extra };
}

/** Everything containers of this state directory can leave on the host. */
function leftovers(names: readonly string[]) {
  const runcIds = execFileSync(findRunc()!, ['--root', runcRoot(), 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const containerDirs = fs.existsSync(path.join(state, 'containers')) ? fs.readdirSync(path.join(state, 'containers')) : [];
  const cgroups = names.flatMap((n) => existingCgroupDirs(cgroupsPathFor(n)));
  const tag = cgroupsPathFor('x').slice(0, -1); // "/windowscontainers/<hash>-"
  const processes = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(tag) && isAlive(pid);
    } catch {
      return false;
    }
  });
  return { runcIds, containerDirs, cgroups, processes };
}

const nothing = { runcIds: [], containerDirs: [], cgroups: [], processes: [] };

async function thrown(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(CoreError);
  return error as CoreError;
}

describe.skipIf(!canRun)('the linux backend on real runc', () => {
  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-backend-'));
    process.env.WINDOWSCONTAINERS_STATE_DIR = state;
    await importImage({ name: 'busybox', path: writeBusyboxTar(state) });
  });

  afterAll(async () => {
    for (const name of fs.existsSync(path.join(state, 'containers')) ? fs.readdirSync(path.join(state, 'containers')) : []) {
      await backend.remove(name, true, context).catch(() => {});
    }
    fs.rmSync(state, { recursive: true, force: true });
    if (saved === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
    else process.env.WINDOWSCONTAINERS_STATE_DIR = saved;
  });

  it('probes usable with process isolation and keeps runc state private (0700)', async () => {
    const status = await backend.probe();
    expect(status.usable).toBe(true);
    expect(status.isolations).toContain('Process');
    expect(fs.statSync(runcRoot()).mode & 0o777).toBe(0o700);
    expect(runcRoot().startsWith(state)).toBe(true);
  });

  it('creates, lists, inspects, reports processes with host PIDs, and removes without a trace', async () => {
    const info = await backend.create(spec('vt-ping', ['ping', '127.0.0.1'], { memoryMB: 32, cpuCount: 0.5 }), context);
    expect(info).toMatchObject({ name: 'vt-ping', backend: 'linux', isolation: 'Process', state: 'running', utilityVmId: null });
    expect(info.hostPid).toBeGreaterThan(1);

    const processes = await backend.processes('vt-ping');
    expect(processes).toHaveLength(1);
    expect(processes[0]).toMatchObject({ containerPid: 1, name: 'ping', claimedHostPid: info.hostPid });
    const status = fs.readFileSync(`/proc/${info.hostPid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^NSpid:\\s+${info.hostPid}\\s+1$`, 'm'));
    expect(await backend.worker('vt-ping', [])).toBeNull();

    // The limits reached the kernel.
    const memoryDir = existingCgroupDirs(cgroupsPathFor('vt-ping')).find((d) => d.includes('/memory/'));
    if (fs.existsSync('/sys/fs/cgroup/memory')) expect(memoryDir).toBeDefined();
    if (memoryDir) expect(fs.readFileSync(path.join(memoryDir, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(32 * 1024 * 1024));
    const cpuDir = existingCgroupDirs(cgroupsPathFor('vt-ping')).find((d) => /\/cpu(,cpuacct)?\//.test(d));
    if (fs.existsSync('/sys/fs/cgroup/cpu/cpu.cfs_quota_us')) expect(cpuDir).toBeDefined();
    if (cpuDir) expect(fs.readFileSync(path.join(cpuDir, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');

    expect((await backend.list({ all: true })).map((c) => c.name)).toEqual(['vt-ping']);
    expect((await backend.inspect('vt-ping')).state).toBe('running');
    expect(leftovers(['vt-ping']).runcIds).toEqual(['vt-ping']);

    expect((await thrown(backend.remove('vt-ping', false, context))).code).toBe('ContainerRunning');
    await backend.remove('vt-ping', true, context);
    expect(leftovers(['vt-ping'])).toEqual(nothing);
    expect(isAlive(info.hostPid!)).toBe(false);
    expect((await thrown(backend.inspect('vt-ping'))).code).toBe('ContainerNotFound');
  });

  it('rolls back a create whose command does not exist', async () => {
    const error = await thrown(backend.create(spec('vt-bad', ['/no/such/binary']), context));
    expect(error.code).toBe('RuntimeFailed');
    expect(error.message).toContain('/no/such/binary');
    expect(leftovers(['vt-bad'])).toEqual(nothing);
  });

  it('refuses bad input before it writes anything', async () => {
    expect((await thrown(backend.create(spec('bad name', ['true']), context))).code).toBe('InvalidContainerName');
    expect((await thrown(backend.create(spec('vt-img', ['true'], { image: 'nosuch' }), context))).code).toBe('ImageNotFound');
    expect((await thrown(backend.create(spec('vt-cmd', [], {}), context))).code).toBe('InvalidArgument');
    expect(leftovers(['vt-img', 'vt-cmd'])).toEqual(nothing);
  });

  it('refuses a duplicate name and leaves the first container running', async () => {
    const first = await backend.create(spec('vt-dup', ['sleep', '600']), context);
    expect((await thrown(backend.create(spec('vt-dup', ['sleep', '600']), context))).code).toBe('ContainerAlreadyExists');
    expect(await backend.inspect('vt-dup')).toMatchObject({ state: 'running', hostPid: first.hostPid });
    await backend.remove('vt-dup', true, context);
    expect(leftovers(['vt-dup'])).toEqual(nothing);
  });

  it('shows a container whose main process was killed from outside as exited, and removes it without force', async () => {
    const info = await backend.create(spec('vt-killed', ['sleep', '600']), context);
    process.kill(info.hostPid!, 'SIGKILL');
    for (let i = 0; i < 100 && (await backend.inspect('vt-killed')).state !== 'exited'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await backend.inspect('vt-killed')).toMatchObject({ state: 'exited', hostPid: null });
    expect(await backend.processes('vt-killed')).toEqual([]);
    await backend.remove('vt-killed', false, context);
    expect(leftovers(['vt-killed'])).toEqual(nothing);
  });

  it('stops with SIGTERM then SIGKILL after the timeout, recording exit code 137', async () => {
    await backend.create(spec('vt-stop', ['sleep', '600']), context);
    const started = Date.now();
    const stopped = await backend.stop('vt-stop', 1, context);
    expect(stopped).toMatchObject({ state: 'exited', exitCode: 137 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await backend.remove('vt-stop', false, context);
    expect(leftovers(['vt-stop'])).toEqual(nothing);
  });

  it('stops a container that honours SIGTERM without waiting for the timeout', async () => {
    await backend.create(spec('vt-term', ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done']), context);
    const started = Date.now();
    const stopped = await backend.stop('vt-term', 30, context);
    expect(stopped.state).toBe('exited');
    expect(stopped.exitCode).toBeNull(); // it chose its own exit status, which runc cannot report
    expect(Date.now() - started).toBeLessThan(15_000);
    await backend.remove('vt-term', false, context);
  });

  it('reports truncated metadata with its path, and a forced remove cleans up by name', async () => {
    const info = await backend.create(spec('vt-corrupt', ['sleep', '600']), context);
    const file = metadataFile('vt-corrupt');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 30));
    const error = await thrown(backend.inspect('vt-corrupt'));
    expect(error.code).toBe('ContainerStateCorrupt');
    expect(error.message).toContain(file);
    const listed = await backend.listWithProblems({ all: true });
    expect(listed.problems.map((p) => [p.name, p.error.code])).toEqual([['vt-corrupt', 'ContainerStateCorrupt']]);
    expect((await thrown(backend.remove('vt-corrupt', false, context))).code).toBe('ContainerStateCorrupt');
    expect(isAlive(info.hostPid!)).toBe(true);
    await backend.remove('vt-corrupt', true, context);
    expect(isAlive(info.hostPid!)).toBe(false);
    expect(leftovers(['vt-corrupt'])).toEqual(nothing);
  });

  it('gives exactly one of several concurrent creates of one name', async () => {
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => backend.create(spec('vt-race', ['sleep', '600']), context)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as CoreError).code).toBe('ContainerAlreadyExists');
    await backend.remove('vt-race', true, context);
    expect(leftovers(['vt-race'])).toEqual(nothing);
  });
});
