/**
 * A writer of the cpio "newc" format (the SVR4 portable format without
 * checksums), which is what the Linux kernel unpacks as an initramfs.
 * Uncompressed: the kernel accepts it and it spares a compressor dependency.
 *
 * Layout of one entry: the 6-byte magic "070701", thirteen 8-digit
 * upper-case hex fields, the NUL-terminated name padded so that header+name
 * is a multiple of 4, then the data padded to a multiple of 4. The archive
 * ends with an entry named "TRAILER!!!" and, like GNU cpio's output, is
 * padded with NULs to a multiple of 512 bytes.
 */
import { lstat, open, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

export interface CpioEntry {
  /** Path inside the archive, relative, '/'-separated, without a leading "./". */
  name: string;
  /** st_mode: file type bits and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Seconds since the epoch. */
  mtime: number;
  ino: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  /** File contents, or the target of a symlink; empty for everything else. */
  data: Uint8Array;
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;
export const S_IFSOCK = 0o140000;

const MAGIC = '070701';
const HEADER_BYTES = 110;
const MAX_FIELD = 0xffffffff;

function hex8(value: number, field: string, name: string): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_FIELD) {
    throw new RangeError(`cpio: ${field} ${value} of '${name}' does not fit the newc format's 32-bit field`);
  }
  return value.toString(16).toUpperCase().padStart(8, '0');
}

function pad4(length: number): number {
  return (4 - (length % 4)) % 4;
}

/** The bytes of one entry: header, name, padding, data, padding. */
export function encodeEntry(entry: CpioEntry): Buffer {
  const nameBytes = Buffer.from(`${entry.name}\0`, 'utf8');
  const fields = [
    entry.ino, entry.mode, entry.uid, entry.gid, entry.nlink, entry.mtime, entry.data.length,
    entry.devMajor, entry.devMinor, entry.rdevMajor, entry.rdevMinor, nameBytes.length, 0,
  ];
  const labels = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'];
  const header = MAGIC + fields.map((v, i) => hex8(v, labels[i]!, entry.name)).join('');
  const namePad = pad4(HEADER_BYTES + nameBytes.length);
  const dataPad = pad4(entry.data.length);
  return Buffer.concat([
    Buffer.from(header, 'ascii'), nameBytes, Buffer.alloc(namePad), entry.data, Buffer.alloc(dataPad),
  ]);
}

export const trailerEntry: CpioEntry = {
  name: 'TRAILER!!!', mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, ino: 0,
  devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, data: new Uint8Array(0),
};

/** A whole archive in memory: entries, trailer, padding to 512 bytes. */
export function encodeArchive(entries: Iterable<CpioEntry>): Buffer {
  const parts: Buffer[] = [];
  let length = 0;
  for (const entry of [...entries, trailerEntry]) {
    const bytes = encodeEntry(entry);
    parts.push(bytes);
    length += bytes.length;
  }
  parts.push(Buffer.alloc((512 - (length % 512)) % 512));
  return Buffer.concat(parts);
}

/** Streams entries to a file without holding the whole archive in memory. */
export async function writeArchive(file: string, entries: AsyncIterable<CpioEntry> | Iterable<CpioEntry>, fileMode = 0o600): Promise<number> {
  const handle = await open(file, 'wx', fileMode);
  let length = 0;
  try {
    const write = async (bytes: Buffer): Promise<void> => {
      await handle.write(bytes);
      length += bytes.length;
    };
    for await (const entry of entries) await write(encodeEntry(entry));
    await write(encodeEntry(trailerEntry));
    const padding = (512 - (length % 512)) % 512;
    if (padding) await write(Buffer.alloc(padding));
  } finally {
    await handle.close();
  }
  return length;
}

function major(dev: number): number {
  // glibc's gnu_dev_major for 64-bit dev_t; node gives st_rdev as a number.
  return ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
}
function minor(dev: number): number {
  return (dev & 0xff) | ((dev >>> 12) & ~0xff);
}

/**
 * Walks a directory tree (lstat: symlinks are archived as links, never
 * followed) and yields its entries, parents before children, names sorted so
 * the archive is reproducible. Every entry gets its own inode number and
 * nlink 1 (directories included), so hard links become copies: the kernel
 * then never has to pair links up, and nothing outside the tree is read.
 * Sockets are skipped (they cannot live in an archive).
 */
export async function* treeEntries(root: string, options: { prefix?: string; firstIno?: number } = {}): AsyncGenerator<CpioEntry> {
  let ino = options.firstIno ?? 1;
  const prefix = options.prefix ?? '';
  async function* walk(relative: string): AsyncGenerator<CpioEntry> {
    const names = (await readdir(path.join(root, relative))).sort();
    for (const name of names) {
      const rel = relative ? `${relative}/${name}` : name;
      const full = path.join(root, rel);
      const st = await lstat(full);
      const type = st.mode & S_IFMT;
      if (type === S_IFSOCK) continue;
      let data: Uint8Array = new Uint8Array(0);
      if (type === S_IFREG) data = await readFile(full);
      else if (type === S_IFLNK) data = Buffer.from(await readlink(full, { encoding: 'buffer' }));
      const isDevice = type === S_IFCHR || type === S_IFBLK;
      yield {
        name: prefix + rel,
        mode: st.mode,
        uid: st.uid,
        gid: st.gid,
        nlink: 1,
        mtime: Math.floor(st.mtimeMs / 1000),
        ino: ino++,
        devMajor: 0,
        devMinor: 0,
        rdevMajor: isDevice ? major(st.rdev) : 0,
        rdevMinor: isDevice ? minor(st.rdev) : 0,
        data,
      };
      if (type === S_IFDIR) yield* walk(rel);
    }
  }
  yield* walk('');
}
