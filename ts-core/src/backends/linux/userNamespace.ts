/**
 * -UserNamespace for process isolation: the container's uids and gids 0–65535
 * are host ids HOST_BASE…HOST_BASE+65535, so root in the container is an
 * unprivileged user on the host (Docker's userns-remap does the same with one
 * range for all containers). runc 1.1.5, the version here, has no idmapped
 * mounts, so the image cannot be overlaid as it is: the rootfs is a copy whose
 * owners are shifted into the range (what Docker does for userns-remap too).
 * The container directory and the containers folder get group HOST_BASE and
 * mode 0710, so the remapped root can reach its rootfs and nobody else can list
 * or enter them; every folder above the state dir must be searchable.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../protocol/errors.js';
import { stateDir } from '../../paths.js';

/** The first host id of the range; WINDOWSCONTAINERS_USERNS_BASE moves it. */
export const DEFAULT_USERNS_BASE = 1_000_000_000;
export const USERNS_SIZE = 65_536;

export function userNamespaceRange(env: NodeJS.ProcessEnv = process.env): { hostUid: number; size: number } {
  const text = env.WINDOWSCONTAINERS_USERNS_BASE;
  const hostUid = text ? Number(text) : DEFAULT_USERNS_BASE;
  if (!Number.isSafeInteger(hostUid) || hostUid < 65_536 || hostUid + USERNS_SIZE > 4_294_967_294) {
    throw new CoreError('InvalidArgument', 'WINDOWSCONTAINERS_USERNS_BASE must be a whole number from 65536 to 4294901758: the first host uid of the 65536 the container maps.', { details: { variable: 'WINDOWSCONTAINERS_USERNS_BASE' } });
  }
  return { hostUid, size: USERNS_SIZE };
}

/** Refuses (before anything is written) a state dir whose ancestors the remapped root could not pass through. */
export function assertUserNamespaceReachable(): void {
  let dir = path.dirname(stateDir());
  for (;;) {
    const mode = fs.statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new CoreError('InvalidArgument',
        `-UserNamespace cannot be used with the state dir ${stateDir()}: the folder ${dir} above it is not searchable by others (mode ${(mode & 0o7777).toString(8)}), so the container's remapped root could not reach its rootfs. Use a state dir under searchable folders (the default /var/lib/windowscontainers is).`,
        { details: { path: dir } });
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** Lets the remapped root (by group) pass through the folders down to a container's rootfs. */
export function openPathForRange(containerDir: string, range: { hostUid: number }): void {
  for (const dir of [stateDir(), path.dirname(containerDir), containerDir]) {
    const stat = fs.statSync(dir);
    if (dir === stateDir()) {
      if ((stat.mode & 0o001) === 0 && (stat.mode & 0o010) === 0) fs.chmodSync(dir, (stat.mode & 0o7777) | 0o001);
      continue;
    }
    fs.chownSync(dir, 0, range.hostUid);
    fs.chmodSync(dir, 0o710);
  }
}

/** Shifts every owner under `root` (not following links) by hostUid. */
export function shiftOwnership(root: string, range: { hostUid: number; size: number }): void {
  const visit = (file: string): void => {
    const stat = fs.lstatSync(file);
    const uid = stat.uid < range.size ? stat.uid + range.hostUid : range.hostUid;
    const gid = stat.gid < range.size ? stat.gid + range.hostUid : range.hostUid;
    fs.lchownSync(file, uid, gid);
    // chown clears set-id bits; put them back (copyTree kept the mode).
    if (!stat.isSymbolicLink() && (stat.mode & 0o6000) !== 0) fs.chmodSync(file, stat.mode & 0o7777);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
  };
  visit(root);
}
