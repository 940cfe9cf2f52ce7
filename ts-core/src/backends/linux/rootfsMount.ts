import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { CoreError } from '../../protocol/errors.js';
import type { CommandContext } from '../../protocol/dispatcher.js';
import { loadLibc } from './libc.js';
import { readKernelFilesystems, readMounts, type MountEntry } from '../../processes/procfs/index.js';

/**
 * A container's rootfs as an overlay of the image's rootfs (read-only lower
 * layer) and the container's own upper directory, instead of a copy of the
 * image: mounting takes a few milliseconds where copying busybox's ~400
 * applet symlinks took 130–280 ms. The mount is made in the core's (the
 * host's) mount namespace with the mount(2) system call through koffi (the
 * FFI the hcs backend uses: 0.4 ms against 20–45 ms for spawning mount(8) on
 * a loaded host), or with `mount(8)` and an argument array where koffi cannot
 * be loaded; it is unmounted when the container is destroyed.
 *
 *   <container>/upper/   what the container wrote
 *   <container>/work/    overlayfs's own work directory (same filesystem as upper)
 *   <container>/rootfs/  the merged view runc starts the container in
 *
 * /proc/self/mountinfo (read and parsed by processes/procfs) is the truth
 * about what is mounted, never trusted beyond its documented shape.
 */

export const OVERLAY_UPPER = 'upper';
export const OVERLAY_WORK = 'work';

/** Mounts at `dir` or below it, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string, mounts: readonly MountEntry[] = readMounts()): MountEntry[] {
  let root = path.resolve(dir);
  try {
    root = fs.realpathSync(root); // mountinfo shows resolved paths
  } catch {
    // gone already: compare as given
  }
  return mounts
    .filter((m) => m.mountPoint === root || m.mountPoint.startsWith(root + path.sep))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
}

/** The lower directories of an overlay mount (`lowerdir=a:b`), or [] for any other mount. */
export function overlayLowerDirs(entry: MountEntry): string[] {
  if (entry.fsType !== 'overlay') return [];
  const option = entry.superOptions.find((o) => o.startsWith('lowerdir='));
  return option ? option.slice('lowerdir='.length).split(':') : [];
}

/** Why a path cannot go into mount(8)'s overlay option string (`,` and `:` are separators there), or null. */
function unmountablePath(p: string): string | null {
  return /[,:\\\n\r\0]/.test(p) ? `the path ${JSON.stringify(p)} holds a character (',', ':', '\\' or a line break) that overlayfs options cannot carry` : null;
}

/** mount(2) and umount2(2) from libc, or null where koffi or libc cannot be loaded (then mount(8) / umount(8) serve). */
interface MountCalls {
  mount(source: string, target: string, fsType: string, flags: number, data: string): number;
  umount2(target: string, flags: number): number;
  errno(): number;
}

const MNT_DETACH = 2;
let mountCalls: Promise<MountCalls | null> | undefined;

function loadMountCalls(): Promise<MountCalls | null> {
  mountCalls ??= (async () => {
    const loaded = await loadLibc();
    if (!loaded) return null;
    try {
      const { koffi, lib } = loaded;
      const mount = lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)');
      const umount2 = lib.func('int umount2(const char *target, int flags)');
      return {
        mount: (source, target, fsType, flags, data) => mount(source, target, fsType, flags, data) as number,
        umount2: (target, flags) => umount2(target, flags) as number,
        errno: () => koffi.errno(),
      };
    } catch {
      return null;
    }
  })();
  return mountCalls;
}

function errnoText(errno: number): string {
  const name = Object.entries(os.constants.errno).find(([, value]) => value === errno)?.[0];
  return name ? `${name} (errno ${errno})` : `errno ${errno}`;
}

/** mount -t overlay; null on success, else why not. */
async function mountOverlay(options: string, target: string): Promise<string | null> {
  const calls = await loadMountCalls();
  if (calls) {
    if (calls.mount('overlay', target, 'overlay', 0, options) === 0) return null;
    return `mount(2) of an overlay failed: ${errnoText(calls.errno())}`;
  }
  const result = await execa('mount', ['-t', 'overlay', 'overlay', '-o', options, target], { reject: false, timeout: 30_000, stdin: 'ignore' });
  if (result.exitCode === 0) return null;
  if (result.exitCode === undefined || result.timedOut) {
    throw new CoreError('OperationTimeout', `Mounting the container's rootfs at ${target} did not finish.`, { details: { target } });
  }
  return `mount -t overlay failed (exit ${result.exitCode}): ${String(result.stderr).trim() || String(result.stdout).trim() || 'no message'}`;
}

/** umount, lazily (MNT_DETACH) if asked; null on success, else why not. */
async function unmount(target: string, lazy: boolean): Promise<string | null> {
  const calls = await loadMountCalls();
  if (calls) return calls.umount2(target, lazy ? MNT_DETACH : 0) === 0 ? null : errnoText(calls.errno());
  const result = await execa('umount', [...(lazy ? ['--lazy'] : []), target], { reject: false, timeout: 30_000, stdin: 'ignore' });
  return result.exitCode === 0 ? null : String(result.stderr).trim() || `exit ${result.exitCode ?? 'none'}`;
}

let overlayUnusable: string | null | undefined; // undefined: not looked at yet in this core process

/** Why overlayfs cannot be used on this host at all (the kernel lacks it), or null if it is worth trying. */
export function overlayUnavailableReason(): string | null {
  if (overlayUnusable !== undefined) return overlayUnusable;
  const filesystems = readKernelFilesystems();
  if (filesystems === null) return (overlayUnusable = '/proc/filesystems cannot be read');
  if (!filesystems.has('overlay')) return (overlayUnusable = 'the kernel has no overlay filesystem (not in /proc/filesystems)');
  return null;
}

/** Test hook: go through mount(8) / umount(8) as where koffi cannot be loaded (false: the system calls again). */
export function useMountBinary(yes: boolean): void {
  mountCalls = yes ? Promise.resolve(null) : undefined;
}

/** Test hook: forget what was learnt about overlayfs on this host. */
export function resetOverlayProbe(value?: string | null): void {
  overlayUnusable = value;
}

/**
 * Mounts `lower` (read-only) under `<containerDir>/rootfs` with an upper and
 * a work directory beside it. Returns null when mounted, or the reason the
 * overlay could not be used (the caller falls back to a copy), having removed
 * the directories it made.
 */
export async function mountOverlayRootfs(lower: string, containerDir: string): Promise<string | null> {
  const unavailable = overlayUnavailableReason();
  if (unavailable) return unavailable;
  const upper = path.join(containerDir, OVERLAY_UPPER);
  const work = path.join(containerDir, OVERLAY_WORK);
  const target = path.join(containerDir, 'rootfs');
  for (const p of [lower, upper, work]) {
    const why = unmountablePath(p);
    if (why) return why;
  }
  const lowerStat = fs.statSync(lower, { throwIfNoEntry: false });
  if (!lowerStat?.isDirectory()) return `the image rootfs ${lower} is not a directory (ENOENT)`;
  for (const dir of [upper, work, target]) fs.mkdirSync(dir, { mode: 0o700 });
  // The container's / has the image's mode (runc does not change it).
  fs.chmodSync(upper, lowerStat.mode & 0o7777);
  const why = await mountOverlay(`lowerdir=${lower},upperdir=${upper},workdir=${work}`, target);
  if (why === null) return null;
  // A failed mount leaves nothing mounted; the empty directories go so a copy can take their place.
  if (mountsUnder(target).length === 0) {
    for (const dir of [upper, work, target]) fs.rmSync(dir, { recursive: true, force: true });
  }
  return why; // not remembered: it may be about this path only, and another attempt costs a system call
}

/**
 * Mounts the overlay of an existing container again (its upper and work
 * directories kept, e.g. after a host reboot unmounted it), so the
 * container's writable layer comes back. Throws RuntimeFailed when it cannot.
 */
export async function remountOverlayRootfs(lower: string, containerDir: string): Promise<void> {
  const upper = path.join(containerDir, OVERLAY_UPPER);
  const work = path.join(containerDir, OVERLAY_WORK);
  const target = path.join(containerDir, 'rootfs');
  if (mountsUnder(target).some((m) => m.mountPoint === target)) return;
  const unavailable = overlayUnavailableReason() ?? [lower, upper, work].map(unmountablePath).find((why) => why) ?? null;
  if (!fs.statSync(upper, { throwIfNoEntry: false })?.isDirectory() || !fs.statSync(lower, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CoreError('RuntimeFailed', `The writable layer (${upper}) or the image (${lower}) of this container is missing; it cannot start again. Remove it and create it anew.`);
  }
  if (unavailable) throw new CoreError('RuntimeFailed', `The container's rootfs cannot be mounted again: ${unavailable}.`);
  for (const dir of [work, target]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const why = await mountOverlay(`lowerdir=${lower},upperdir=${upper},workdir=${work}`, target);
  if (why !== null) throw new CoreError('RuntimeFailed', `The container's rootfs could not be mounted again: ${why}.`);
}

/**
 * Unmounts everything at or below `dir`, deepest first: a plain umount,
 * then, as a last resort for a mount something still holds, a lazy one
 * (with a warning). Throws RuntimeFailed if anything is still mounted.
 */
export async function unmountUnder(dir: string, context: CommandContext | null): Promise<void> {
  for (const entry of mountsUnder(dir)) {
    const failed = await unmount(entry.mountPoint, false);
    if (failed === null) continue;
    if (mountsUnder(entry.mountPoint).every((m) => m.mountPoint !== entry.mountPoint)) continue; // gone meanwhile
    context?.warning(`Unmounting ${entry.mountPoint} failed (${failed}); detaching it lazily instead.`);
    await unmount(entry.mountPoint, true);
  }
  const left = mountsUnder(dir).map((m) => m.mountPoint);
  if (left.length > 0) {
    throw new CoreError('RuntimeFailed', `Could not unmount ${left.join(', ')}. Unmount it by hand (umount -l <path>) and remove the container again.`, { details: { mounts: left } });
  }
}
