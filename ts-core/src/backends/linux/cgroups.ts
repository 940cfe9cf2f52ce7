import fs from 'node:fs';
import path from 'node:path';

/**
 * What runc leaves in the cgroup hierarchies when it is interrupted
 * half-way: finding it (tests count it) and removing it (rollback, forced
 * remove). Works on cgroup v1 (one directory per controller) and v2.
 */

const CGROUP_ROOT = '/sys/fs/cgroup';

function hierarchies(): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(CGROUP_ROOT, { withFileTypes: true });
  } catch {
    return [];
  }
  // v2 mounts the unified tree at the root itself; v1 has one directory per controller.
  const roots = fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers')) ? [CGROUP_ROOT] : [];
  for (const entry of entries) if (entry.isDirectory()) roots.push(path.join(CGROUP_ROOT, entry.name));
  return roots;
}

/** Directories of this cgroup path that exist in any hierarchy. */
export function existingCgroupDirs(cgroupsPath: string): string[] {
  const relative = cgroupsPath.replace(/^\/+/, '');
  if (relative === '' || relative.split('/').includes('..')) return [];
  return hierarchies().map((root) => path.join(root, relative)).filter((dir) => fs.existsSync(dir));
}

/** PIDs still in the cgroup (any hierarchy). */
export function cgroupPids(cgroupsPath: string): number[] {
  const pids = new Set<number>();
  for (const dir of existingCgroupDirs(cgroupsPath)) {
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

/** Kills what is left in the cgroup and removes its directories; returns the directories it could not remove. */
export async function removeCgroup(cgroupsPath: string): Promise<string[]> {
  for (const pid of cgroupPids(cgroupsPath)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const left: string[] = [];
  for (const dir of existingCgroupDirs(cgroupsPath)) {
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
