/**
 * Which process holds a Unix socket: the listening socket bound at a path
 * (/proc/net/unix, proc(5)) and a process's open descriptors
 * (/proc/<pid>/fd/* → "socket:[inode]"). A process that serves a socket can
 * only be one that holds its listening end; a look-alike with the same name
 * and command line cannot, short of the real holder handing it over.
 */
import { closeSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { defaultProcRoot } from './read.js';

/** __SO_ACCEPTCON in /proc/net/unix Flags: a listening socket. */
const SO_ACCEPTCON = 0x10000;
/** /proc/net/unix grows with every socket on the host; read this much at most. */
export const MAX_NET_UNIX_BYTES = 8 << 20;
/** A process with more descriptors than this is not looked through. */
export const MAX_FDS_SCANNED = 65536;

/** The inodes of listening sockets in /proc/net/unix text bound at exactly `socketPath`. */
export function parseUnixListeners(text: string, socketPath: string): string[] {
  const inodes: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    // Num: RefCount Protocol Flags Type St Inode [Path] — the path is the rest of the line.
    const match = /^\s*[0-9a-f]+: [0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ +(\d+) (.*)$/i.exec(line);
    if (!match || match[3] !== socketPath) continue;
    if ((parseInt(match[1]!, 16) & SO_ACCEPTCON) !== 0) inodes.push(match[2]!);
  }
  return inodes;
}

function readBounded(file: string, max: number): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) return null;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Does process `pid` hold the listening socket bound at `socketPath`? null when that cannot be told (no such listener, unreadable). */
export function holdsListeningSocket(pid: number, socketPath: string, procRoot = defaultProcRoot): boolean | null {
  const text = readBounded(`${procRoot}/net/unix`, MAX_NET_UNIX_BYTES);
  if (text === null) return null;
  const inodes = new Set(parseUnixListeners(text, socketPath).map((i) => `socket:[${i}]`));
  if (inodes.size === 0) return null;
  let fds: string[];
  try {
    fds = readdirSync(`${procRoot}/${pid}/fd`);
  } catch {
    return false; // gone, or not readable: it is not shown to hold anything
  }
  if (fds.length > MAX_FDS_SCANNED) return null;
  for (const fd of fds) {
    try {
      if (inodes.has(readlinkSync(`${procRoot}/${pid}/fd/${fd}`))) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}
