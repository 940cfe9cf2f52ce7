import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArchive, encodeEntry, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, treeEntries, writeArchive, type CpioEntry } from '../../../../../ts-core/src/backends/linux/vm/cpio.js';

let root: string;
let tree: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'wc-cpio-'));
  tree = path.join(root, 'tree');
  await mkdir(path.join(tree, 'bin'), { recursive: true });
  await mkdir(path.join(tree, 'etc/empty'), { recursive: true });
  await writeFile(path.join(tree, 'bin/tool'), Buffer.from([0, 1, 2, 3, 4, 5, 6])); // length not a multiple of 4
  await chmod(path.join(tree, 'bin/tool'), 0o4755);
  await writeFile(path.join(tree, 'etc/hostname'), 'box\n');
  await chmod(path.join(tree, 'etc/hostname'), 0o640);
  await writeFile(path.join(tree, 'etc/empty-file'), '');
  await symlink('tool', path.join(tree, 'bin/sh'));
  await symlink('/etc/hostname', path.join(tree, 'etc/abs-link'));
  await writeFile(path.join(tree, 'name with spaces and ünïcode'), 'x');
  for (const rel of ['bin/tool', 'etc/hostname', 'etc/empty-file', 'name with spaces and ünïcode', 'bin', 'etc/empty', 'etc', '.']) {
    await utimes(path.join(tree, rel), 1_700_000_000, 1_700_000_000);
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The entries GNU cpio would write for these names: real inode, device and link count. */
async function entriesLikeGnuCpio(names: string[]): Promise<CpioEntry[]> {
  const entries: CpioEntry[] = [];
  for (const name of names) {
    const full = path.join(tree, name);
    const st = await lstat(full, { bigint: true });
    const type = Number(st.mode) & S_IFMT;
    const dev = st.dev;
    entries.push({
      name,
      mode: Number(st.mode),
      uid: Number(st.uid),
      gid: Number(st.gid),
      nlink: Number(st.nlink),
      mtime: Number(st.mtimeMs / 1000n),
      ino: Number(st.ino),
      devMajor: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)),
      devMinor: Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)),
      rdevMajor: 0,
      rdevMinor: 0,
      data: type === S_IFREG ? await readFile(full) : type === S_IFLNK ? Buffer.from(await readlink(full)) : new Uint8Array(0),
    });
  }
  return entries;
}

describe('cpio newc writer', () => {
  it('should produce byte-for-byte what GNU cpio -o -H newc produces for the same files', async () => {
    const names = ['bin', 'bin/sh', 'bin/tool', 'etc', 'etc/abs-link', 'etc/empty', 'etc/empty-file', 'etc/hostname', 'name with spaces and ünïcode'];
    const gnu = execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: tree, input: `${names.join('\n')}\n` });
    const ours = encodeArchive(await entriesLikeGnuCpio(names));
    expect(ours.length).toBe(gnu.length);
    expect(ours.equals(gnu)).toBe(true);
  });

  it('should lay out one entry exactly as the newc specification says', () => {
    const bytes = encodeEntry({
      name: 'ab', mode: S_IFREG | 0o644, uid: 1, gid: 2, nlink: 1, mtime: 0x5f5e100, ino: 7,
      devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, data: Buffer.from('hello'),
    });
    const expected =
      '070701' + '00000007' + '000081A4' + '00000001' + '00000002' + '00000001' + '05F5E100' + '00000005' +
      '00000000' + '00000000' + '00000000' + '00000000' + '00000003' + '00000000' +
      'ab\0' + '\0\0\0' + // 110 + 3 = 113 → padded to 116
      'hello' + '\0\0\0'; // 5 → padded to 8
    expect(bytes.toString('latin1')).toBe(expected);
  });

  it('should end with the TRAILER!!! entry and pad the archive to 512 bytes', () => {
    const archive = encodeArchive([]);
    expect(archive.length).toBe(512);
    expect(archive.subarray(0, 6).toString()).toBe('070701');
    expect(archive.subarray(110, 120).toString()).toBe('TRAILER!!!');
  });

  it('should refuse a value that does not fit a 32-bit field, naming the entry', () => {
    expect(() => encodeEntry({ name: 'big', mode: S_IFREG, uid: 2 ** 32, gid: 0, nlink: 1, mtime: 0, ino: 1, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, data: new Uint8Array(0) }))
      .toThrow(/uid 4294967296 of 'big'/);
  });

  it('should archive a directory tree that GNU cpio lists back with the same names, types, modes and contents', async () => {
    const out = path.join(root, 'tree.cpio');
    await rm(out, { force: true });
    const sockPath = path.join(tree, 'ignored.sock');
    const server = net.createServer().listen(sockPath);
    await new Promise((r) => server.once('listening', r));
    try {
      await writeArchive(out, treeEntries(tree));
    } finally {
      server.close();
    }
    const listing = execFileSync('cpio', ['-it', '--quiet'], { input: await readFile(out) }).toString().trim().split('\n');
    expect(listing).toEqual(['bin', 'bin/sh', 'bin/tool', 'etc', 'etc/abs-link', 'etc/empty', 'etc/empty-file', 'etc/hostname', 'name with spaces and ünïcode']);
    const extract = path.join(root, 'extract');
    await mkdir(extract);
    execFileSync('cpio', ['-idm', '--quiet'], { cwd: extract, input: await readFile(out) });
    expect(await readFile(path.join(extract, 'bin/tool'))).toEqual(Buffer.from([0, 1, 2, 3, 4, 5, 6]));
    expect((await lstat(path.join(extract, 'bin/tool'))).mode & 0o7777).toBe(0o4755);
    expect((await lstat(path.join(extract, 'etc/hostname'))).mode & 0o7777).toBe(0o640);
    expect(await readlink(path.join(extract, 'bin/sh'))).toBe('tool');
    expect(await readlink(path.join(extract, 'etc/abs-link'))).toBe('/etc/hostname');
    expect((await lstat(path.join(extract, 'etc/empty'))).isDirectory()).toBe(true);
  });

  it('should give every entry its own inode and one link, parents before children', async () => {
    const entries: CpioEntry[] = [];
    for await (const e of treeEntries(tree, { firstIno: 10 })) entries.push(e);
    expect(entries.map((e) => e.ino)).toEqual(entries.map((_, i) => 10 + i));
    expect(entries.every((e) => e.nlink === 1)).toBe(true);
    const dirIndex = entries.findIndex((e) => e.name === 'etc');
    expect(entries.findIndex((e) => e.name === 'etc/hostname')).toBeGreaterThan(dirIndex);
    expect(entries.find((e) => e.name === 'etc')!.mode & S_IFMT).toBe(S_IFDIR);
  });

  it('should carry device numbers of character devices', async () => {
    const archive = encodeArchive([{ name: 'dev/console', mode: S_IFCHR | 0o600, uid: 0, gid: 0, nlink: 1, mtime: 0, ino: 1, devMajor: 0, devMinor: 0, rdevMajor: 5, rdevMinor: 1, data: new Uint8Array(0) }]);
    const listing = execFileSync('cpio', ['-itv', '--quiet'], { input: archive }).toString();
    expect(listing).toMatch(/^crw------- .* 5, +1 .*dev\/console$/m);
  });
});
