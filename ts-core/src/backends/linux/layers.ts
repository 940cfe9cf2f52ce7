import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../protocol/errors.js';
import type { TarEntry } from './tar.js';

/**
 * Applies image layers onto a rootfs directory, the way overlay-based
 * runtimes do (OCI image spec "Representing Changes in Filesystems"):
 * `.wh.<name>` deletes <name> from the layers below, `.wh..wh..opq` makes a
 * directory opaque (its lower contents go away).
 *
 * Nothing here follows a symlink on the host: every parent of an entry must
 * be a real directory inside the rootfs, final components are replaced, not
 * written through, and links that point above the rootfs are refused. A
 * refused archive raises InvalidImageArchive; the caller throws the
 * half-written rootfs away.
 */

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';

export interface LayerStats {
  files: number;
  directories: number;
  symlinks: number;
  hardlinks: number;
  whiteouts: number;
  skippedDevices: number;
  bytes: number;
}

export function emptyStats(): LayerStats {
  return { files: 0, directories: 0, symlinks: 0, hardlinks: 0, whiteouts: 0, skippedDevices: 0, bytes: 0 };
}

function refuse(source: string, entryPath: string, why: string): CoreError {
  return new CoreError('InvalidImageArchive',
    `${source} was refused: the entry ${JSON.stringify(entryPath)} ${why}. Nothing was imported; rebuild the archive without it.`,
    { details: { source, entry: entryPath } });
}

/**
 * An archive path as path components inside the rootfs. `./a/b/` → ['a','b'];
 * '.' → [] (the root itself); absolute paths and '..' are refused.
 */
export function archivePathParts(entryPath: string, source: string): string[] {
  if (entryPath.startsWith('/')) throw refuse(source, entryPath, 'is an absolute path');
  const parts = entryPath.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse(source, entryPath, "climbs out of the image with '..'");
  return parts;
}

/**
 * True when a symlink stored at `linkParts` with `target` resolves inside the
 * rootfs. Absolute targets are resolved from the rootfs root, the way the
 * container sees them; relative ones from the link's directory. Any climb
 * above the root (where a host-side reader would leave the image) is refused.
 */
export function symlinkStaysInside(linkParts: readonly string[], target: string): boolean {
  if (target === '') return false;
  const stack = target.startsWith('/') ? [] : linkParts.slice(0, -1);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return false;
      stack.pop();
    } else {
      stack.push(part);
    }
  }
  return true;
}

function lstatOrNull(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Makes sure every parent of `parts` is a real directory (created 0755 when missing); never walks through a symlink. */
function ensureParents(rootfs: string, parts: readonly string[], source: string, entryPath: string): string {
  let current = rootfs;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const stat = lstatOrNull(current);
    if (stat === null) {
      fs.mkdirSync(current, { mode: 0o755 });
    } else if (stat.isSymbolicLink()) {
      throw refuse(source, entryPath, `would be written through the symlink ${JSON.stringify(path.relative(rootfs, current))}`);
    } else if (!stat.isDirectory()) {
      throw refuse(source, entryPath, `needs ${JSON.stringify(path.relative(rootfs, current))} to be a directory, but an earlier entry made it a file`);
    }
  }
  return path.join(rootfs, ...parts);
}

/** The parent directory of `parts` if it exists as a real directory (for whiteouts: nothing to delete otherwise). */
function existingParent(rootfs: string, parts: readonly string[], source: string, entryPath: string): string | null {
  let current = rootfs;
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const stat = lstatOrNull(current);
    if (stat === null) return null;
    if (stat.isSymbolicLink()) throw refuse(source, entryPath, `would delete through the symlink ${JSON.stringify(path.relative(rootfs, current))}`);
    if (!stat.isDirectory()) return null;
  }
  return current;
}

function removeTree(target: string): void {
  fs.rmSync(target, { recursive: true, force: true });
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function setOwnerAndMode(target: string, entry: TarEntry, isSymlink: boolean): void {
  if (isRoot) fs.lchownSync(target, entry.uid, entry.gid);
  if (!isSymlink) fs.chmodSync(target, entry.mode);
}

/** Applies one layer (or a whole rootfs tarball) onto `rootfs`. */
export function applyLayer(rootfs: string, entries: readonly TarEntry[], source: string, stats: LayerStats = emptyStats()): LayerStats {
  // Pass 1: whiteouts only remove what lower layers put there, so they go
  // first; entries of this same layer are written afterwards and survive.
  const regular: { entry: TarEntry; parts: string[] }[] = [];
  for (const entry of entries) {
    const parts = archivePathParts(entry.path, source);
    const base = parts.at(-1) ?? '';
    if (base.startsWith(WHITEOUT_PREFIX)) {
      stats.whiteouts++;
      const directory = existingParent(rootfs, parts, source, entry.path);
      if (directory === null) continue;
      if (base === OPAQUE_MARKER) {
        for (const child of fs.readdirSync(directory)) removeTree(path.join(directory, child));
      } else {
        const victim = base.slice(WHITEOUT_PREFIX.length);
        if (victim === '' || victim === '.' || victim === '..') throw refuse(source, entry.path, 'is a whiteout without a valid name');
        removeTree(path.join(directory, victim));
      }
      continue;
    }
    regular.push({ entry, parts });
  }

  // Pass 2: the entries themselves, in archive order.
  for (const { entry, parts } of regular) {
    if (parts.length === 0) continue; // the root directory itself
    if (entry.type === 'char' || entry.type === 'block' || entry.type === 'fifo') {
      stats.skippedDevices++; // runc provides /dev; device nodes from an image are not needed
      continue;
    }
    const target = ensureParents(rootfs, parts, source, entry.path);
    const existing = lstatOrNull(target);
    if (entry.type === 'directory') {
      if (existing && !existing.isDirectory()) removeTree(target);
      if (!existing || !existing.isDirectory()) fs.mkdirSync(target, { mode: 0o755 });
      setOwnerAndMode(target, entry, false);
      stats.directories++;
      continue;
    }
    if (existing) removeTree(target);
    switch (entry.type) {
      case 'file': {
        // 'wx' = O_CREAT|O_EXCL: never opens through a symlink planted at the path.
        fs.writeFileSync(target, entry.data, { flag: 'wx', mode: 0o600 });
        setOwnerAndMode(target, entry, false);
        stats.files++;
        stats.bytes += entry.data.length;
        break;
      }
      case 'symlink': {
        if (!symlinkStaysInside(parts, entry.linkTarget)) {
          throw refuse(source, entry.path, `is a symlink to ${JSON.stringify(entry.linkTarget)}, which points outside the image`);
        }
        fs.symlinkSync(entry.linkTarget, target);
        setOwnerAndMode(target, entry, true);
        stats.symlinks++;
        break;
      }
      case 'hardlink': {
        const sourceParts = archivePathParts(entry.linkTarget, source);
        if (sourceParts.length === 0) throw refuse(source, entry.path, 'is a hard link to the image root');
        const linked = existingParent(rootfs, sourceParts, source, entry.path);
        const sourcePath = linked === null ? null : path.join(linked, sourceParts.at(-1)!);
        const sourceStat = sourcePath === null ? null : lstatOrNull(sourcePath);
        if (sourcePath === null || sourceStat === null) throw refuse(source, entry.path, `is a hard link to ${JSON.stringify(entry.linkTarget)}, which the archive does not hold`);
        if (sourceStat.isDirectory()) throw refuse(source, entry.path, 'is a hard link to a directory');
        fs.linkSync(sourcePath, target);
        stats.hardlinks++;
        break;
      }
    }
  }
  return stats;
}
