import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Writes ustar archives for tests, including ones no well-behaved tar would
 * write (absolute names, '..', links out of the tree), so the image code can
 * be shown to refuse them.
 */
export interface TestEntry {
  path: string;
  type?: 'file' | 'directory' | 'symlink' | 'hardlink' | 'char';
  content?: string | Buffer;
  mode?: number;
  linkTarget?: string;
  uid?: number;
  gid?: number;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

export function header(entry: TestEntry, size: number): Buffer {
  const block = Buffer.alloc(512);
  let name = entry.path;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 1 - 0);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  block.write(name, 0, 100, 'utf8');
  const type = entry.type ?? 'file';
  block.write(octal(entry.mode ?? (type === 'directory' ? 0o755 : 0o644), 8), 100, 'ascii');
  block.write(octal(entry.uid ?? 0, 8), 108, 'ascii');
  block.write(octal(entry.gid ?? 0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(0, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write({ file: '0', hardlink: '1', symlink: '2', char: '3', directory: '5' }[type], 156, 'ascii');
  block.write(entry.linkTarget ?? '', 157, 100, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

export function makeTar(entries: readonly TestEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === undefined || entry.type === 'file' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    parts.push(header(entry, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function makeTarGz(entries: readonly TestEntry[]): Buffer {
  return gzipSync(makeTar(entries));
}

/** A minimal busybox rootfs built from the host's static busybox. */
export function busyboxRootfsEntries(): TestEntry[] {
  const busybox = fs.readFileSync(fs.existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox');
  const applets = ['sh', 'sleep', 'ping', 'ps', 'cat', 'echo', 'true', 'false', 'ls', 'hostname', 'ip', 'id'];
  return [
    { path: 'bin/', type: 'directory' },
    { path: 'bin/busybox', content: busybox, mode: 0o755 },
    ...applets.map((a) => ({ path: `bin/${a}`, type: 'symlink' as const, linkTarget: '/bin/busybox' })),
    { path: 'etc/', type: 'directory' },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/sh\n' },
    { path: 'etc/hosts', content: '127.0.0.1 localhost\n' },
    { path: 'tmp/', type: 'directory', mode: 0o1777 },
    { path: 'proc/', type: 'directory' },
    { path: 'sys/', type: 'directory' },
    { path: 'dev/', type: 'directory' },
  ];
}

export function writeBusyboxTar(dir: string): string {
  const file = path.join(dir, 'busybox-rootfs.tar');
  fs.writeFileSync(file, makeTar(busyboxRootfsEntries()));
  return file;
}
