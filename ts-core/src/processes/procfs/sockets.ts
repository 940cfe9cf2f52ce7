/**
 * Which process holds a Unix socket: the listening socket bound at a path
 * (/proc/net/unix, proc(5)) and a process's open descriptors
 * (/proc/<pid>/fd/* → "socket:[inode]"). A process that serves a socket can
 * only be one that holds its listening end; a look-alike with the same name
 * and command line cannot, short of the real holder handing it over.
 */
import { closeSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { defaultProcRoot } from './read.js';

/** __SO_ACCEPTCON in /proc/net/unix Flags: a listening socket. */
const SO_ACCEPTCON = 0x10000;
/** /proc/net/unix grows with every socket on the host; read this much at most. */
export const MAX_NET_UNIX_BYTES = 8 << 20;
/** A process with more descriptors than this is not looked through. */
export const MAX_FDS_SCANNED = 65536;

/** Listening sockets in /proc/net/unix text: inode → the name they were bound at (as given to bind(2): relative names stay relative). */
export function parseUnixListeners(text: string): Map<string, string> {
  const listeners = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    // Num: RefCount Protocol Flags Type St Inode [Path] — the path is the rest of the line.
    const match = /^\s*[0-9a-f]+: [0-9a-f]+ [0-9a-f]+ ([0-9a-f]+) [0-9a-f]+ [0-9a-f]+ +(\d+) (.+)$/i.exec(line);
    if (match && (parseInt(match[1]!, 16) & SO_ACCEPTCON) !== 0) listeners.set(match[2]!, match[3]!);
  }
  return listeners;
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

/**
 * Does process `pid` hold the listening socket bound at `socketPath`? A
 * socket bound at a relative name (QEMU is started in the container's
 * directory and given "agent.sock", to stay within sun_path's 108 bytes)
 * is resolved against the process's working directory. false: it holds no
 * such listener; null: that cannot be told (procfs unreadable, too many
 * descriptors).
 *
 * What this does not prove: a root process that binds a same-named socket
 * elsewhere and then moves its working directory into the container's
 * would pass. The peer credentials of the agent connection itself
 * (SO_PEERCRED) would close that; see the README.
 */
export function holdsListeningSocket(pid: number, socketPath: string, procRoot = defaultProcRoot): boolean | null {
  const text = readBounded(`${procRoot}/net/unix`, MAX_NET_UNIX_BYTES);
  if (text === null) return null;
  const listeners = parseUnixListeners(text);
  let fds: string[];
  let cwd: string;
  try {
    fds = readdirSync(`${procRoot}/${pid}/fd`);
    cwd = readlinkSync(`${procRoot}/${pid}/cwd`);
  } catch {
    return false; // gone, or not readable: it is not shown to hold anything
  }
  if (fds.length > MAX_FDS_SCANNED) return null;
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    const bound = inode === undefined ? undefined : listeners.get(inode);
    if (bound === undefined) continue;
    if ((bound.startsWith('/') ? bound : path.join(cwd, bound)) === socketPath) return true;
  }
  return false;
}
