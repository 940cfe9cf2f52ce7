import fs from 'node:fs';
import path from 'node:path';

/**
 * What runc leaves in the cgroup hierarchies when it is interrupted
 * half-way: finding it (tests count it), removing it (rollback, forced
 * remove), and the limits the kernel holds for it. Works on cgroup v1 (one
 * directory per controller, Debian's hybrid layout adds a cgroup2 `unified`
 * directory beside them) and v2 (one tree at the root: Debian 12's default).
 * Every function takes the cgroupfs root, so tests run the v2 path against
 * cgroupfs trees kept as fixtures on a v1 host.
 */

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** v2 mounts the unified tree at the root itself (it has cgroup.controllers there); v1 has one directory per controller. */
function isUnified(root: string): boolean {
  return fs.existsSync(path.join(root, 'cgroup.controllers'));
}

function hierarchies(root: string): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  // On v2 the directories below the root are cgroups of the one tree, not hierarchies.
  if (isUnified(root)) return [root];
  return entries.filter((entry) => entry.isDirectory()).map((entry) => path.join(root, entry.name));
}

/** The cgroup path below a hierarchy, or null when it would leave it. */
function relativeCgroupPath(cgroupsPath: string): string | null {
  const relative = cgroupsPath.replace(/^\/+/, '');
  return relative === '' || relative.split('/').includes('..') ? null : relative;
}

/** Directories of this cgroup path that exist in any hierarchy. */
export function existingCgroupDirs(cgroupsPath: string, root = CGROUP_ROOT): string[] {
  const relative = relativeCgroupPath(cgroupsPath);
  if (relative === null) return [];
  return hierarchies(root).map((hierarchy) => path.join(hierarchy, relative)).filter((dir) => fs.existsSync(dir));
}

/** PIDs still in the cgroup (any hierarchy). */
export function cgroupPids(cgroupsPath: string, root = CGROUP_ROOT): number[] {
  const pids = new Set<number>();
  for (const dir of existingCgroupDirs(cgroupsPath, root)) {
    try {
      for (const line of fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
        const pid = Number(line.trim());
        if (Number.isInteger(pid) && pid > 0) pids.add(pid);
      }
    } catch {
      // hierarchy without cgroup.procs or already gone
    }
  }
  return [...pids];
}

/** Memory and CPU limits as the kernel holds them for one cgroup. */
export interface CgroupLimits {
  layout: 'v1' | 'v2';
  /** Memory limit in bytes; null when unlimited (or no memory controller). */
  memoryBytes: number | null;
  /** CPU bandwidth: `quotaMicros` of CPU time per `periodMicros`; null when unlimited (or no cpu controller). */
  cpu: { quotaMicros: number; periodMicros: number } | null;
}

/** v1 writes "no limit" as the largest page-aligned counter (9223372036854771712 with 4 KiB pages): anything this large is none. */
const V1_UNLIMITED = 2 ** 62;

function readNumbers(file: string): string[] | null {
  try {
    return fs.readFileSync(file, 'utf8').trim().split(/\s+/);
  } catch {
    return null;
  }
}

function integer(text: string | undefined): number | null {
  return text !== undefined && /^-?\d{1,19}$/.test(text) ? Number(text) : null;
}

/**
 * The limits of one cgroup; null when it exists in no hierarchy.
 * v2 (cgroup-v2.rst): `memory.max` is bytes or "max", `cpu.max` is
 * "$MAX $PERIOD" with $MAX "max" for none. v1: `memory.limit_in_bytes`,
 * `cpu.cfs_quota_us` (-1 for none) and `cpu.cfs_period_us`, in the hierarchy
 * whose directory name lists the controller ("cpu", or "cpu,cpuacct").
 */
export function readCgroupLimits(cgroupsPath: string, root = CGROUP_ROOT): CgroupLimits | null {
  const relative = relativeCgroupPath(cgroupsPath);
  if (relative === null) return null;
  if (isUnified(root)) {
    const dir = path.join(root, relative);
    if (!fs.existsSync(dir)) return null;
    const memory = readNumbers(path.join(dir, 'memory.max'));
    const cpu = readNumbers(path.join(dir, 'cpu.max'));
    const quota = integer(cpu?.[0]);
    const period = integer(cpu?.[1]);
    return {
      layout: 'v2',
      memoryBytes: integer(memory?.[0]),
      cpu: quota !== null && period !== null ? { quotaMicros: quota, periodMicros: period } : null,
    };
  }
  const dirs = existingCgroupDirs(cgroupsPath, root);
  if (dirs.length === 0) return null;
  const controllerDir = (controller: string) =>
    dirs.find((dir) => path.relative(root, dir).split(path.sep)[0]!.split(',').includes(controller));
  const memoryDir = controllerDir('memory');
  const cpuDir = controllerDir('cpu');
  const memory = memoryDir ? integer(readNumbers(path.join(memoryDir, 'memory.limit_in_bytes'))?.[0]) : null;
  const quota = cpuDir ? integer(readNumbers(path.join(cpuDir, 'cpu.cfs_quota_us'))?.[0]) : null;
  const period = cpuDir ? integer(readNumbers(path.join(cpuDir, 'cpu.cfs_period_us'))?.[0]) : null;
  return {
    layout: 'v1',
    memoryBytes: memory !== null && memory < V1_UNLIMITED ? memory : null,
    cpu: quota !== null && quota > 0 && period !== null ? { quotaMicros: quota, periodMicros: period } : null,
  };
}

/** Kills what is left in the cgroup and removes its directories; returns the directories it could not remove. */
export async function removeCgroup(cgroupsPath: string, root = CGROUP_ROOT): Promise<string[]> {
  for (const pid of cgroupPids(cgroupsPath, root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const left: string[] = [];
  for (const dir of existingCgroupDirs(cgroupsPath, root)) {
    let removed = false;
    for (let attempt = 0; attempt < 20 && !removed; attempt++) {
      try {
        fs.rmdirSync(dir);
        removed = true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') removed = true;
        else await new Promise((resolve) => setTimeout(resolve, 50)); // EBUSY while killed processes exit
      }
    }
    if (!removed) left.push(dir);
  }
  return left;
}
