import fs from 'node:fs';
import path from 'node:path';

/**
 * Copies an image rootfs into a container bundle in-process: directories,
 * regular files (reflinked where the filesystem can), symlinks verbatim and
 * hard links as hard links, with owners and modes. Spawning `cp -a` costs
 * more than the copy itself for a small rootfs on a loaded host; this never
 * follows a symlink, and the image store holds no device nodes to skip.
 */
export function copyTree(source: string, target: string): void {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const linked = new Map<string, string>(); // dev:ino of multiply-linked files → first copy
  const visit = (from: string, to: string): void => {
    const stat = fs.lstatSync(from);
    if (stat.isDirectory()) {
      fs.mkdirSync(to, { mode: 0o700 });
      for (const entry of fs.readdirSync(from)) visit(path.join(from, entry), path.join(to, entry));
    } else if (stat.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(from), to);
    } else if (stat.isFile()) {
      const key = `${stat.dev}:${stat.ino}`;
      const first = stat.nlink > 1 ? linked.get(key) : undefined;
      if (first !== undefined) {
        fs.linkSync(first, to);
        return;
      }
      fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE | fs.constants.COPYFILE_EXCL);
      if (stat.nlink > 1) linked.set(key, to);
    } else {
      return; // fifo, socket or device: not part of an image rootfs
    }
    if (isRoot) fs.lchownSync(to, stat.uid, stat.gid);
    if (!stat.isSymbolicLink()) fs.chmodSync(to, stat.mode & 0o7777);
  };
  visit(source, target);
}
