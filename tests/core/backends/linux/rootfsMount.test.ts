import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountOverlayRootfs, mountsUnder, overlayLowerDirs, unmountUnder, useMountBinary } from '../../../../ts-core/src/backends/linux/rootfsMount.js';
import { parseMountInfo } from '../../../../ts-core/src/processes/procfs/index.js';

// Lines as /proc/self/mountinfo shows them on this kernel (6.1), including its octal escapes.
const sample = [
  '26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '43 26 0:38 / /state/containers/web/rootfs rw,relatime - overlay overlay rw,lowerdir=/state/images/busybox/rootfs,upperdir=/state/containers/web/upper,workdir=/state/containers/web/work',
  '44 26 0:39 / /state/containers/a\\040b/rootfs rw,relatime - overlay overlay rw,lowerdir=/img/lo\\054w\\040er:/img/base,upperdir=/u,workdir=/w,uuid=on',
  '45 43 0:40 / /state/containers/web/rootfs/proc rw - proc proc rw',
  '46 26 0:41 / /state/containers/webby rw - tmpfs tmpfs rw',
  'a line of another shape',
  '',
].join('\n');

describe('parseMountInfo', () => {
  it('reads mount points, types and per-superblock options, undoing the kernel escapes', () => {
    const mounts = parseMountInfo(sample);
    expect(mounts.map((m) => m.mountPoint)).toEqual(['/', '/state/containers/web/rootfs', '/state/containers/a b/rootfs', '/state/containers/web/rootfs/proc', '/state/containers/webby']);
    expect(mounts.map((m) => m.fsType)).toEqual(['ext4', 'overlay', 'overlay', 'proc', 'tmpfs']);
    expect(overlayLowerDirs(mounts[1]!)).toEqual(['/state/images/busybox/rootfs']);
    // An escaped comma inside a path is part of the path, not an option separator.
    expect(overlayLowerDirs(mounts[2]!)).toEqual(['/img/lo,w er', '/img/base']);
    expect(overlayLowerDirs(mounts[0]!)).toEqual([]);
  });
});

describe('mountsUnder', () => {
  it('finds the mounts at or below a directory, deepest first, and not those of a sibling with the same prefix', () => {
    const mounts = parseMountInfo(sample);
    expect(mountsUnder('/state/containers/web', mounts).map((m) => m.mountPoint)).toEqual(['/state/containers/web/rootfs/proc', '/state/containers/web/rootfs']);
    expect(mountsUnder('/state/containers/none', mounts)).toEqual([]);
  });
});

describe.skipIf(process.platform !== 'linux' || process.getuid?.() !== 0)('mountOverlayRootfs on this host', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-rootfs-mount-'));
  afterAll(async () => {
    await unmountUnder(work, null); // never delete through a mount a failed test left
    fs.rmSync(work, { recursive: true, force: true });
  });

  it.each([
    ['the mount(2) system call', false],
    ['mount(8)', true],
  ])('should mount an overlay with %s and unmount it, leaving no mount behind', async (_, binary) => {
    useMountBinary(binary);
    try {
      const lower = path.join(work, `lower-${binary}`);
      const container = path.join(work, `container-${binary}`);
      fs.mkdirSync(path.join(lower, 'etc'), { recursive: true });
      fs.writeFileSync(path.join(lower, 'etc', 'hosts'), 'image\n');
      fs.mkdirSync(container);
      expect(await mountOverlayRootfs(lower, container)).toBeNull();
      expect(mountsUnder(container).map((m) => [m.mountPoint, m.fsType])).toEqual([[path.join(container, 'rootfs'), 'overlay']]);
      expect(overlayLowerDirs(mountsUnder(container)[0]!)).toEqual([lower]);
      fs.writeFileSync(path.join(container, 'rootfs', 'etc', 'hosts'), 'container\n');
      expect(fs.readFileSync(path.join(lower, 'etc', 'hosts'), 'utf8')).toBe('image\n');
      await unmountUnder(container, null);
      expect(mountsUnder(container)).toEqual([]);
      expect(fs.readFileSync(path.join(container, 'upper', 'etc', 'hosts'), 'utf8')).toBe('container\n');
    } finally {
      useMountBinary(false);
    }
  });

  it('should give the reason and leave nothing (no mount, no directories) when the overlay cannot be mounted', async () => {
    // No image rootfs at all: refused before anything is made.
    const container = path.join(work, 'container-refused');
    fs.mkdirSync(container);
    expect(await mountOverlayRootfs(path.join(work, 'no-such-lower'), container)).toMatch(/not a directory/);
    expect(fs.readdirSync(container)).toEqual([]);
    // A state directory that is itself on overlayfs (as inside a Docker container): the kernel refuses an upper directory there.
    const outer = path.join(work, 'outer');
    const image = path.join(work, 'image');
    fs.mkdirSync(outer);
    fs.mkdirSync(image);
    expect(await mountOverlayRootfs(image, outer)).toBeNull();
    try {
      const nested = path.join(outer, 'rootfs', 'container');
      fs.mkdirSync(nested);
      expect(await mountOverlayRootfs(image, nested)).toMatch(/^mount\(2\) of an overlay failed: EINVAL \(errno \d+\)$/);
      expect(mountsUnder(nested)).toEqual([]);
      expect(fs.readdirSync(nested)).toEqual([]);
    } finally {
      await unmountUnder(outer, null);
    }
    expect(mountsUnder(work)).toEqual([]);
  });

  it('should refuse, without mounting, a path that overlayfs options cannot carry', async () => {
    const lower = path.join(work, 'a,b');
    fs.mkdirSync(lower);
    const container = path.join(work, 'container-comma');
    fs.mkdirSync(container);
    expect(await mountOverlayRootfs(lower, container)).toMatch(/cannot carry/);
    expect(mountsUnder(container)).toEqual([]);
    expect(fs.readdirSync(container)).toEqual([]);
  });
});
