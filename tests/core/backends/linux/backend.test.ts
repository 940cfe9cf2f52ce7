import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxBackend } from '../../../../ts-core/src/backends/linux/index.js';
import { importImage, removeImage } from '../../../../ts-core/src/backends/linux/images.js';
import { resetOverlayProbe, useMountBinary } from '../../../../ts-core/src/backends/linux/rootfsMount.js';
import { useChildProcess } from '../../../../ts-core/src/backends/linux/posixSpawn.js';
import { cgroupsPathFor, metadataFile, runcRoot } from '../../../../ts-core/src/backends/linux/state.js';
import { existingCgroupDirs, readCgroupLimits } from '../../../../ts-core/src/backends/linux/cgroups.js';
import { isRunning, waitForExit } from '../../../../ts-core/src/processes/procfs/index.js';
import { findRunc } from '../../../../ts-core/src/backends/linux/runc.js';
import type { CommandContext } from '../../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../../ts-core/src/protocol/scope.js';
import type { ContainerSpec } from '../../../../ts-core/src/backends/types.js';
import { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { writeBusyboxTar } from '../../helpers/tarWriter.js';
import { buildNativeWriter, nativeWriterFile, residentKb, waitUntilGone } from '../../helpers/logWriters.js';
import { LOG_WRITER_VARIABLE } from '../../../../ts-core/src/backends/linux/containerLog.js';

/**
 * The linux backend against real runc, real namespaces and the real host
 * process table, in a private state directory. Every test counts what a
 * container can leave behind (runc state, cgroup directories, container
 * directories, live processes) and proves it is gone.
 */
const canRun = process.platform === 'linux' && process.getuid?.() === 0 && findRunc() !== null;

const context: CommandContext & { messages: string[] } = {
  ...newRequestScope(),
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

/** Mount points at or below the state directory, read straight from the kernel's table. */
function mountsInState(): string[] {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map((line) => line.split(' ')[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((mountPoint) => mountPoint === state || mountPoint.startsWith(`${state}/`));
}

/** Everything containers of this state directory can leave on the host. */
function leftovers(names: readonly string[]) {
  const runcIds = execFileSync(findRunc()!, ['--root', runcRoot(), 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const containerDirs = fs.existsSync(path.join(state, 'containers')) ? fs.readdirSync(path.join(state, 'containers')) : [];
  const cgroups = names.flatMap((n) => existingCgroupDirs(cgroupsPathFor(n)));
  const tag = cgroupsPathFor('x').slice(0, -1); // "/windowscontainers/<hash>-"
  const processes = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(tag) && isRunning({ pid });
    } catch {
      return false;
    }
  });
  return { runcIds, containerDirs, cgroups, processes, mounts: mountsInState() };
}

const nothing = { runcIds: [], containerDirs: [], cgroups: [], processes: [], mounts: [] };

/** The log writers of a container: the processes whose arguments name its directory (the writer's first argument). */
function logWritersOf(name: string): { pid: number; program: string }[] {
  const dir = path.join(state, 'containers', name);
  return fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number).flatMap((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.includes(dir) ? [{ pid, program: path.basename(fs.readlinkSync(`/proc/${pid}/exe`)) }] : [];
    } catch {
      return [];
    }
  });
}

async function logContains(name: string, text: string): Promise<string> {
  const file = path.join(state, 'containers', name, 'container.log');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const content = fs.existsSync(file) ? fs.readFileSync(file, 'latin1') : '';
    if (content.includes(text) || Date.now() > deadline) return content;
    await new Promise((r) => setTimeout(r, 20));
  }
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

  it('answers canCreate as probe does, without the utility-VM checks', async () => {
    expect(await backend.canCreate!()).toEqual({ ok: true });
    const path_ = process.env.PATH;
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-no-runc-'));
    try {
      const status = await backend.probe();
      expect(status.usable).toBe(false);
      expect(await backend.canCreate!()).toEqual({ ok: false, reason: status.reason });
      expect(status.reason).toMatch(/apt-get install runc/);
    } finally {
      fs.rmSync(process.env.PATH, { recursive: true, force: true });
      process.env.PATH = path_;
    }
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

    // The limits reached the kernel, on this host's layout (the other layout: cgroups.test.ts, on recorded trees).
    expect(readCgroupLimits(cgroupsPathFor('vt-ping'))).toMatchObject({ memoryBytes: 32 * 1024 * 1024, cpu: { quotaMicros: 50_000, periodMicros: 100_000 } });

    expect(((await backend.list({ all: true })).containers).map((c) => c.name)).toEqual(['vt-ping']);
    expect((await backend.inspect('vt-ping')).state).toBe('running');
    expect(leftovers(['vt-ping']).runcIds).toEqual(['vt-ping']);

    await expect(backend.remove('vt-ping', false, context)).rejects.toMatchObject({ code: 'ContainerRunning' });
    await backend.remove('vt-ping', true, context);
    expect(leftovers(['vt-ping'])).toEqual(nothing);
    expect(isRunning({ pid: info.hostPid! })).toBe(false);
    await expect(backend.inspect('vt-ping')).rejects.toMatchObject({ code: 'ContainerNotFound' });
  });

  it('force-removes a running container of several processes that ignore SIGTERM, without a trace', async () => {
    // Killed before runc delete (which would otherwise poll in 100 ms steps): every process of the container must be gone.
    const info = await backend.create(spec('vt-many', ['sh', '-c', 'trap "" TERM; sleep 600 & sleep 601 & (trap "" TERM; sleep 602) & wait']), context);
    let members = await backend.processes('vt-many');
    // The shell forks its children after runc returns: wait for all four (sh, three sleeps).
    for (const deadline = Date.now() + 10_000; members.length < 4 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      members = await backend.processes('vt-many');
    }
    expect(members.length).toBeGreaterThanOrEqual(4);
    const hostPids = members.map((p) => p.claimedHostPid!);
    await backend.remove('vt-many', true, context);
    expect(leftovers(['vt-many'])).toEqual(nothing);
    expect(hostPids.filter((pid) => isRunning({ pid }))).toEqual([]);
    expect(isRunning({ pid: info.hostPid! })).toBe(false);
  });

  it('tells running from exited through /proc, without starting runc, where it recorded the main process', async () => {
    const info = await backend.create(spec('vt-proc', ['sleep', '600']), context);
    const savedPath = process.env.PATH;
    // runc cannot be found: any answer now comes from /proc and the cgroup, not from a runc process.
    process.env.PATH = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-no-runc-'));
    try {
      expect(await backend.inspect('vt-proc')).toMatchObject({ state: 'running', hostPid: info.hostPid });
      expect((await backend.list({ all: true })).containers.find((c) => c.name === 'vt-proc')).toMatchObject({ state: 'running' });
      process.kill(info.hostPid!, 'SIGKILL');
      await waitForExit([{ pid: info.hostPid! }], 10_000);
      expect((await backend.inspect('vt-proc')).state).toBe('exited');
    } finally {
      fs.rmSync(process.env.PATH, { recursive: true, force: true });
      process.env.PATH = savedPath;
    }
    await backend.remove('vt-proc', false, context);
    expect(leftovers(['vt-proc'])).toEqual(nothing);
  });

  it('stops a container whose runc record was deleted behind its back, through its cgroup, and says so', async () => {
    const info = await backend.create(spec('vt-norecord', ['sh', '-c', 'trap "" TERM; sleep 600 & wait']), context);
    fs.rmSync(path.join(runcRoot(), 'vt-norecord'), { recursive: true, force: true });
    context.messages.length = 0;
    const stopped = await backend.stop('vt-norecord', 1, context);
    expect(stopped.state).toBe('exited');
    expect(stopped.exitCode).toBe(137); // it ignored SIGTERM: SIGKILL after the timeout
    expect(context.messages.some((m) => /runc has no record of container 'vt-norecord'/.test(m))).toBe(true);
    expect(leftovers(['vt-norecord']).processes).toEqual([]);
    expect(isRunning({ pid: info.hostPid! })).toBe(false);
    await backend.remove('vt-norecord', false, context);
    expect(leftovers(['vt-norecord'])).toEqual(nothing);
  });

  it('runs the container on an overlay of the image: writes stay in the container, removal unmounts it', async () => {
    const rootfs = path.join(state, 'containers', 'vt-overlay', 'rootfs');
    await backend.create(spec('vt-overlay', ['sh', '-c', 'echo changed > /etc/hosts; echo written > /etc/from-container; sleep 600']), context);
    expect(JSON.parse(fs.readFileSync(metadataFile('vt-overlay'), 'utf8')).runtimeData.rootfs).toBe('overlay');
    expect(mountsInState()).toEqual([rootfs]);
    const line = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === rootfs)!;
    expect(line.split(' - ')[1]!.split(' ')[0]).toBe('overlay');
    for (let i = 0; i < 100 && !fs.existsSync(path.join(rootfs, 'etc', 'from-container')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(path.join(rootfs, 'etc', 'from-container'), 'utf8')).toBe('written\n');
    expect(fs.readFileSync(path.join(rootfs, 'etc', 'hosts'), 'utf8')).toBe('changed\n');
    // The image is untouched: the new file and the changed one live in the container's upper directory.
    const imageRootfs = path.join(state, 'images', 'busybox', 'rootfs');
    expect(fs.existsSync(path.join(imageRootfs, 'etc', 'from-container'))).toBe(false);
    expect(fs.readFileSync(path.join(imageRootfs, 'etc', 'hosts'), 'utf8')).toBe('127.0.0.1 localhost\n');
    expect(fs.readFileSync(path.join(state, 'containers', 'vt-overlay', 'upper', 'etc', 'hosts'), 'utf8')).toBe('changed\n');
    await backend.remove('vt-overlay', true, context);
    expect(leftovers(['vt-overlay'])).toEqual(nothing);
  });

  it('refuses to remove an image a container overlays, naming the container, and removes it once the container is gone', async () => {
    await importImage({ name: 'busybox-two', path: writeBusyboxTar(state) });
    await backend.create(spec('vt-user', ['sleep', '600'], { image: 'busybox-two' }), context);
    await expect(Promise.resolve().then(() => removeImage('busybox-two'))).rejects.toMatchObject({
      code: 'ImageInUse',
      message: expect.stringContaining("'vt-user'"),
      details: { name: 'busybox-two', containers: ['vt-user'] },
    });
    expect(fs.existsSync(path.join(state, 'images', 'busybox-two', 'rootfs', 'bin', 'busybox'))).toBe(true);
    // Damaged metadata does not hide the user: the mount table still names it.
    const file = metadataFile('vt-user');
    const intact = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, intact.slice(0, 20));
    await expect(Promise.resolve().then(() => removeImage('busybox-two'))).rejects.toMatchObject({ details: { containers: ['vt-user'] } });
    fs.writeFileSync(file, intact);
    await backend.remove('vt-user', true, context);
    removeImage('busybox-two');
    expect(fs.existsSync(path.join(state, 'images', 'busybox-two'))).toBe(false);
    expect(leftovers(['vt-user'])).toEqual(nothing);
  });

  it('mounts and unmounts the overlay with mount(8) where the mount(2) system call cannot be reached', async () => {
    useMountBinary(true);
    try {
      await backend.create(spec('vt-mount8', ['sleep', '600']), context);
      expect(mountsInState()).toEqual([path.join(state, 'containers', 'vt-mount8', 'rootfs')]);
      expect(JSON.parse(fs.readFileSync(metadataFile('vt-mount8'), 'utf8')).runtimeData.rootfs).toBe('overlay');
      await backend.remove('vt-mount8', true, context);
      expect(leftovers(['vt-mount8'])).toEqual(nothing);
    } finally {
      useMountBinary(false);
    }
  });

  it('starts runc through child_process where posix_spawn cannot be loaded, with the same result', async () => {
    useChildProcess(true);
    try {
      const info = await backend.create(spec('vt-fork', ['sleep', '600']), context);
      expect(info.state).toBe('running');
      expect(isRunning({ pid: info.hostPid! })).toBe(true);
      await backend.remove('vt-fork', true, context);
      expect(leftovers(['vt-fork'])).toEqual(nothing);
    } finally {
      useChildProcess(false);
    }
  });

  it('keeps the output in the container log through the native writer, which ends with the container', async () => {
    buildNativeWriter();
    context.messages.length = 0;
    await backend.create(spec('vt-log', ['sh', '-c', 'echo hello from vt-log; exec sleep 600']), context);
    expect(await logContains('vt-log', 'hello from vt-log')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z hello from vt-log\n$/);
    const writers = logWritersOf('vt-log');
    expect(writers.map((w) => w.program)).toEqual(['wc-log-writer']);
    console.log(`[measure] resident memory of a runc container's native log writer: ${residentKb(writers[0]!.pid)} kB`);
    expect(context.messages.filter((m) => m.includes('log writer'))).toEqual([]);
    await backend.remove('vt-log', true, context);
    expect(leftovers(['vt-log'])).toEqual(nothing);
    expect(await waitUntilGone(writers[0]!.pid)).toBe(true);
  });

  it('says in one verbose line why the node writer keeps the log where the native one may not run', async () => {
    const place = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-writer-'));
    const copy = path.join(place, 'wc-log-writer');
    fs.copyFileSync(nativeWriterFile, copy);
    fs.chmodSync(copy, 0o775); // group-writable: someone else could swap it
    process.env[LOG_WRITER_VARIABLE] = copy;
    try {
      context.messages.length = 0;
      await backend.create(spec('vt-nodelog', ['sh', '-c', 'echo hello through node; exec sleep 600']), context);
      expect(context.messages.filter((m) => m.includes('log writer'))).toEqual([
        `The output of 'vt-nodelog' goes to container.log through the node log writer rather than the native one: the native writer is not safe to run: ${copy} is writable by group or others (mode 775).`,
      ]);
      expect(await logContains('vt-nodelog', 'hello through node')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z hello through node\n$/);
      const writers = logWritersOf('vt-nodelog');
      expect(writers.map((w) => w.program)).toEqual([path.basename(process.execPath)]);
      console.log(`[measure] resident memory of a runc container's node log writer: ${residentKb(writers[0]!.pid)} kB`);
      await backend.remove('vt-nodelog', true, context);
      expect(leftovers(['vt-nodelog'])).toEqual(nothing);
      expect(await waitUntilGone(writers[0]!.pid)).toBe(true);
    } finally {
      delete process.env[LOG_WRITER_VARIABLE];
      fs.rmSync(place, { recursive: true, force: true });
    }
  });

  it('falls back to a copy of the image, and says so, where overlayfs cannot be used', async () => {
    resetOverlayProbe('overlayfs switched off by this test');
    try {
      context.messages.length = 0;
      await backend.create(spec('vt-copy', ['sleep', '600']), context);
      expect(context.messages.join('\n')).toContain("The rootfs of 'vt-copy' is a copy of image 'busybox', not an overlay: overlayfs switched off by this test.");
      expect(JSON.parse(fs.readFileSync(metadataFile('vt-copy'), 'utf8')).runtimeData.rootfs).toBe('copy');
      expect(mountsInState()).toEqual([]);
      expect(fs.lstatSync(path.join(state, 'containers', 'vt-copy', 'rootfs', 'bin', 'ping')).isSymbolicLink()).toBe(true);
      await backend.remove('vt-copy', true, context);
      expect(leftovers(['vt-copy'])).toEqual(nothing);
    } finally {
      resetOverlayProbe(undefined);
    }
  });

  it('rolls back a create whose command does not exist', async () => {
    await expect(backend.create(spec('vt-bad', ['/no/such/binary']), context)).rejects.toMatchObject({ code: 'RuntimeFailed', message: expect.stringContaining('/no/such/binary') });
    expect(leftovers(['vt-bad'])).toEqual(nothing);
  });

  it('refuses bad input before it writes anything', async () => {
    await expect(backend.create(spec('bad name', ['true']), context)).rejects.toMatchObject({ code: 'InvalidContainerName' });
    await expect(backend.create(spec('vt-img', ['true'], { image: 'nosuch' }), context)).rejects.toMatchObject({ code: 'ImageNotFound' });
    await expect(backend.create(spec('vt-cmd', [], {}), context)).rejects.toMatchObject({ code: 'InvalidArgument' });
    expect(leftovers(['vt-img', 'vt-cmd'])).toEqual(nothing);
  });

  it('refuses a duplicate name and leaves the first container running', async () => {
    const first = await backend.create(spec('vt-dup', ['sleep', '600']), context);
    await expect(backend.create(spec('vt-dup', ['sleep', '600']), context)).rejects.toMatchObject({ code: 'ContainerAlreadyExists' });
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
    // sh is the container's PID 1, which the kernel gives no default signal action: a SIGTERM
    // that came before the trap would be ignored. Stop only once the trap is set (it says so).
    await backend.create(spec('vt-term', ['sh', '-c', 'trap "exit 0" TERM; touch /tmp/trap-set; while :; do sleep 1; done']), context);
    const marker = path.join(state, 'containers', 'vt-term', 'rootfs', 'tmp', 'trap-set');
    for (const deadline = Date.now() + 20_000; !fs.existsSync(marker) && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(marker)).toBe(true);
    const stopped = await backend.stop('vt-term', 30, context);
    expect(stopped.state).toBe('exited');
    // Not 137: no SIGKILL after the 30 s timeout. It chose its own exit status, which runc cannot report.
    expect(stopped.exitCode).toBeNull();
    await backend.remove('vt-term', false, context);
  });

  it('reports truncated metadata with its path, and a forced remove cleans up by name', async () => {
    const info = await backend.create(spec('vt-corrupt', ['sleep', '600']), context);
    expect(mountsInState()).toEqual([path.join(state, 'containers', 'vt-corrupt', 'rootfs')]);
    const file = metadataFile('vt-corrupt');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 30));
    await expect(backend.inspect('vt-corrupt')).rejects.toMatchObject({ code: 'ContainerStateCorrupt', message: expect.stringContaining(file) });
    const listed = await backend.list({ all: true });
    expect(listed.problems.map((p) => [p.name, p.error.code])).toEqual([['vt-corrupt', 'ContainerStateCorrupt']]);
    await expect(backend.remove('vt-corrupt', false, context)).rejects.toMatchObject({ code: 'ContainerStateCorrupt' });
    expect(isRunning({ pid: info.hostPid! })).toBe(true);
    await backend.remove('vt-corrupt', true, context);
    expect(isRunning({ pid: info.hostPid! })).toBe(false);
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
