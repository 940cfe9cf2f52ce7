/**
 * Unix socket paths are limited to 107 bytes (sun_path). A container directory
 * under a long state dir exceeds that, and the old answer (a short folder in
 * the shared temp folder) let another local user put a fake agent there.
 * Instead nothing here ever leaves the container's own 0700 directory:
 *
 * - QEMU runs with that directory as its working directory and binds the
 *   sockets by their relative names (`unix:agent.sock`), which also keeps
 *   the state-dir path out of QEMU's comma-separated option syntax;
 * - the core connects through `/proc/self/fd/<fd>/<name>`, where <fd> is the
 *   directory opened with O_DIRECTORY|O_NOFOLLOW: a short path that names the
 *   very directory the core checked, whatever its full path's length.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../../protocol/errors.js';

/** The longest socket path the core connects to directly (sun_path holds 108 bytes with the NUL). */
export const MAX_DIRECT_SOCKET_PATH = 100;

/**
 * Checks that a socket's directory is private to this user (a real directory,
 * owned by us, no access for group or others). UnsafePath otherwise.
 */
export function assertPrivateDirectory(dir: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return; // nothing there: the connect fails on its own
    throw error;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  let why: string | null = null;
  if (stat.isSymbolicLink()) why = 'is a symbolic link';
  else if (!stat.isDirectory()) why = 'is not a directory';
  else if (stat.uid !== uid) why = `belongs to uid ${stat.uid}, not to this user (uid ${uid})`;
  else if ((stat.mode & 0o077) !== 0) why = `is open to group or others (mode ${(stat.mode & 0o7777).toString(8)})`;
  if (why) {
    throw new CoreError('UnsafePath',
      `The folder ${dir} that holds ${what} ${why}, so it was not used: another user could have put a fake endpoint there. Remove the container with -Force; new containers keep their sockets in their own 0700 directory.`,
      { details: { path: dir } });
  }
}

/**
 * Runs `use` with a path to `socketPath` short enough for connect(2). Long
 * paths go through a descriptor of their directory (opened without following
 * a link), held open until `use` settles.
 */
export async function withConnectablePath<T>(socketPath: string, use: (connectPath: string) => Promise<T>): Promise<T> {
  if (Buffer.byteLength(socketPath) <= MAX_DIRECT_SOCKET_PATH) return use(socketPath);
  const dir = path.dirname(socketPath);
  let fd: number;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  } catch (error) {
    // A missing directory: let the connect fail the ordinary way (ENOENT) so callers that retry keep retrying.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return use(socketPath);
    throw error;
  }
  try {
    return await use(`/proc/self/fd/${fd}/${path.basename(socketPath)}`);
  } finally {
    fs.closeSync(fd);
  }
}
