import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPids, existingCgroupDirs, readCgroupLimits, removeCgroup } from '../../../../ts-core/src/backends/linux/cgroups.js';
import { isRunning, waitForExit } from '../../../../ts-core/src/processes/procfs/index.js';

const fixtures = path.join(import.meta.dirname, 'fixtures', 'cgroupfs');
const container = '/windowscontainers/96e4fc7bdc-web';
const limited = { memoryBytes: 32 * 1024 * 1024, cpu: { quotaMicros: 50_000, periodMicros: 100_000 } };

describe.each([
  ['v2', path.join(fixtures, 'v2'), [''], [27687, 27701]],
  ['v1', path.join(fixtures, 'v1-hybrid'), ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd', 'unified'], [27687]],
] as const)('a container cgroup on the %s layout (cgroupfs tree under tests/core fixtures)', (layout, root, hierarchies, pids) => {
  it('finds the directory in every hierarchy that has it', () => {
    expect(existingCgroupDirs(container, root).sort()).toEqual(hierarchies.map((h) => path.join(root, h, container)).sort());
  });

  it('lists the processes in it once', () => {
    expect(cgroupPids(container, root).sort()).toEqual([...pids]);
  });

  it('reads the limits runc set: 32 MiB and half a CPU', () => {
    expect(readCgroupLimits(container, root)).toEqual({ layout, ...limited });
  });

  it('reads "no limit" as null', () => {
    expect(readCgroupLimits('/windowscontainers', root)).toEqual({ layout, memoryBytes: null, cpu: null });
  });

  it('knows nothing of a cgroup that is not there, or of a path that leaves the hierarchy', () => {
    expect(readCgroupLimits('/windowscontainers/none', root)).toBeNull();
    expect(existingCgroupDirs('/windowscontainers/none', root)).toEqual([]);
    expect(existingCgroupDirs('/windowscontainers/../../etc', root)).toEqual([]);
    expect(readCgroupLimits('/', root)).toBeNull();
  });
});

describe('removing a cgroup', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'wc-cgroupfs-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function copyTree(layout: string, procs: string | null): string[] {
    // The recorded tree with its container directories emptied: a real
    // cgroupfs directory can be removed with its control files in it, a plain
    // one only when empty.
    const tree = path.join(root, `${layout}-${Math.random().toString(36).slice(2)}`);
    cpSync(path.join(fixtures, layout), tree, { recursive: true });
    const dirs = existingCgroupDirs(container, tree);
    for (const dir of dirs) {
      rmSync(dir, { recursive: true });
      mkdirSync(dir);
      if (procs !== null) writeFileSync(path.join(dir, 'cgroup.procs'), procs);
    }
    return [tree, ...dirs];
  }

  it.each(['v2', 'v1-hybrid'])('removes the directory of every hierarchy on the %s layout', async (layout) => {
    const [tree, ...dirs] = copyTree(layout, null);
    expect(dirs.length).toBeGreaterThan(0);
    expect(await removeCgroup(container, tree)).toEqual([]);
    expect(existingCgroupDirs(container, tree!)).toEqual([]);
  });

  it('kills the processes still in it, and names the directories it could not remove', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
    const [tree, ...dirs] = copyTree('v2', `${child.pid}\n`);
    // The plain directory keeps its cgroup.procs, so it cannot be removed.
    expect(await removeCgroup(container, tree)).toEqual(dirs);
    expect(await exited).toBe('SIGKILL');
    expect(await waitForExit([{ pid: child.pid! }], 10_000)).toEqual([]);
    expect(isRunning({ pid: child.pid! })).toBe(false);
  });
});
