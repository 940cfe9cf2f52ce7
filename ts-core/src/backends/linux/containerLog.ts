/**
 * The container's stdout and stderr with a cap: `yes` in a container wrote
 * container.log at ~900 MB/s until the disk was full. runc gets the write end
 * of a pipe instead of the file; a small detached writer reads the other end,
 * writes container.log and, when the file would pass the cap, renames it to
 * container.log.1 (replacing the older one) and starts anew. At most
 * 2 × (cap + 64 KiB) of log on disk per container. The writer exits when the
 * last process of the container closes its output.
 *
 * The writer is a small C program (ts-core/native/log-writer.c, built beside
 * the bundle as dist/native/<os>-<cpu>/wc-log-writer): 0.7 MB resident, 60 kB
 * of it its own, started with posix_spawn in well under a millisecond. Where
 * it is not there, or could be swapped by another user (see
 * unsafeToRunReason), the same job is done by node (the same binary as the
 * core) running WRITER_SCRIPT, a fixed script with no shell and no user input
 * in it: 39 MB resident, 5 MB or more of it its own, several times the CPU,
 * and a few milliseconds to start; the create says so in a -Verbose line.
 * Both write the same bytes.
 *
 * Each line starts with the time its first byte reached the writer, in
 * RFC 3339 UTC with milliseconds and a space (`2026-12-02T07:36:00.123Z `,
 * LOG_TIME_PREFIX_BYTES); logReader.ts strips it into LogLine.timestamp, which
 * is what -Since filters on. The writer still writes at most 64 KiB at once,
 * so the bound above holds with the prefixes counted.
 *
 * The cap is WINDOWSCONTAINERS_LOG_MAX_BYTES (default 16 MiB per file).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../protocol/errors.js';
import { loadLibc } from './libc.js';
import { loadPosixSpawn } from './posixSpawn.js';

export const LOG_MAX_BYTES_VARIABLE = 'WINDOWSCONTAINERS_LOG_MAX_BYTES';
export const DEFAULT_LOG_MAX_BYTES = 16 * 1024 * 1024;

export function logMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const text = env[LOG_MAX_BYTES_VARIABLE];
  if (text === undefined || text === '') return DEFAULT_LOG_MAX_BYTES;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 4096) {
    throw new CoreError('InvalidArgument', `The environment variable ${LOG_MAX_BYTES_VARIABLE} must be a whole number of bytes, at least 4096.`, { details: { variable: LOG_MAX_BYTES_VARIABLE } });
  }
  return value;
}

/**
 * The node writer: argv = [dir, file name, cap]. Fixed text; the values
 * arrive as arguments, checked as the native writer checks them (exit 2).
 */
const WRITER_SCRIPT = `
'use strict';
const fs = require('fs');
const path = require('path');
const usage = (why) => { process.stderr.write('log writer: ' + why + '\\n'); process.exit(2); };
if (process.argv.length !== 4) usage('expected three arguments');
const [dir, name, capText] = process.argv.slice(1);
if (!/^\\d+$/.test(capText)) usage('the cap must be a whole number of bytes');
const cap = Number(capText);
if (!Number.isSafeInteger(cap)) usage('the cap is too large (at most 9007199254740991)');
if (cap < 4096) usage('the cap must be at least 4096 bytes');
if (!path.isAbsolute(dir)) usage('the directory must be an absolute path');
if (name === '' || name.includes('/') || name === '.' || name === '..') usage("the file name must be a plain name, without '/'");
const file = path.join(dir, name);
const flags = fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW;
const open = () => fs.openSync(file, flags, 0o600);
let fd = open();
let size = fs.fstatSync(fd).size;
const buffer = Buffer.allocUnsafe(65536);
const out = Buffer.allocUnsafe(65536);
let used = 0;
let lineStart = true;
const flush = () => {
  if (used === 0) return;
  if (size > 0 && size + used > cap) {
    fs.closeSync(fd);
    fs.renameSync(file, file + '.1');
    fd = open();
    size = 0;
  }
  try { fs.writeSync(fd, out, 0, used); size += used; } catch { /* disk full: drop the output, keep draining */ }
  used = 0;
};
const put = (bytes) => {
  let at = 0;
  while (at < bytes.length) {
    if (used === out.length) flush();
    const n = bytes.copy(out, used, at);
    used += n;
    at += n;
  }
};
for (;;) {
  let n;
  try { n = fs.readSync(0, buffer, 0, buffer.length, null); }
  catch (error) { if (error.code === 'EINTR' || error.code === 'EAGAIN') continue; break; }
  if (n === 0) break;
  const stamp = Buffer.from(new Date().toISOString() + ' ', 'latin1');
  let at = 0;
  while (at < n) {
    const newline = buffer.indexOf(10, at);
    const end = newline < 0 || newline >= n ? n : newline + 1;
    // A rotation falls between lines (unless one line alone is longer than the buffer).
    if (used > 0 && used + (lineStart ? stamp.length : 0) + end - at > out.length) flush();
    if (lineStart) { put(stamp); lineStart = false; }
    put(buffer.subarray(at, end));
    if (end === newline + 1) lineStart = true;
    at = end;
  }
  flush();
}
`;

/** Bytes of the time prefix the writer puts before each line. */
export const LOG_TIME_PREFIX_BYTES = 25;

export interface LogPipe {
  /** Give this to the runtime as the container's stdout and stderr, then call close(). */
  writeFd: number;
  /** Closes the core's copies of the pipe (the container and the writer keep theirs). */
  close(): void;
  writerPid: number | null;
  /** Which writer reads the pipe. */
  writer: 'native' | 'node';
  /** Why the node writer runs instead of the native one (for the caller's -Verbose line); null for the native one. */
  fallbackReason: string | null;
}

/**
 * Names the writer program to use instead of the one beside the core (tests,
 * benchmarks), or `node` for the node writer. The file is held to the same
 * safety rules as the default one.
 */
export const LOG_WRITER_VARIABLE = 'WINDOWSCONTAINERS_LOG_WRITER';
export const NATIVE_LOG_WRITER = 'wc-log-writer';

/**
 * Where the native writer is: dist/native/<os>-<cpu>/ beside the core bundle
 * (node gives the CommonJS bundle its own path as __filename), in a checkout
 * and in the installed module alike. From the TypeScript sources (the tests)
 * the same folder of the checkout they belong to.
 */
export function nativeLogWriterPath(env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env[LOG_WRITER_VARIABLE];
  if (override) return override === 'node' ? null : path.resolve(override);
  if (typeof __filename !== 'string') return null;
  const here = path.dirname(__filename);
  const dist = __filename.endsWith('.ts') ? path.resolve(here, '..', '..', '..', '..', 'dist') : here;
  return path.join(dist, 'native', `${process.platform}-${process.arch}`, NATIVE_LOG_WRITER);
}

/**
 * Why `file` must not be run by this core (as root, usually), or null when
 * it may: it must be a regular file (after resolving links) with an execute
 * bit, owned by root or by this core's uid and writable by neither group nor
 * others, and so must its folder and every folder above it: whoever can
 * write one of them can put their own program in its place and have root run
 * it. OpenSSH's safe_path() (misc.c) holds the files StrictModes trusts to
 * the same rule; this one also lets a folder above (not its own) be writable
 * by all when it is sticky, like /tmp, where only an entry's owner may
 * rename or remove it.
 */
const NOT_EXECUTABLE = 'is not executable';

export function unsafeToRunReason(file: string): string | null {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (error) {
    return `${file} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const owner = (stat: fs.Stats, what: string) =>
    stat.uid !== 0 && stat.uid !== uid ? `${what} belongs to uid ${stat.uid}, neither root nor this core's uid ${uid}` : null;
  const mode = (stat: fs.Stats) => (stat.mode & 0o7777).toString(8);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(real);
  } catch (error) {
    return `${real} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (!stat.isFile()) return `${real} is not a regular file`;
  const fileOwner = owner(stat, real);
  if (fileOwner) return fileOwner;
  if ((stat.mode & 0o022) !== 0) return `${real} is writable by group or others (mode ${mode(stat)})`;
  // Said last, after the folders: only a file that is safe but for its execute bits may get them back.
  const notExecutable = (stat.mode & 0o100) === 0 ? `${real} ${NOT_EXECUTABLE} (mode ${mode(stat)})` : null;
  let dir = path.dirname(real);
  for (let own = true; ; own = false) {
    try {
      stat = fs.lstatSync(dir);
    } catch (error) {
      return `the folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    }
    const dirOwner = owner(stat, `the folder ${dir}`);
    if (dirOwner) return dirOwner;
    const sticky = (stat.mode & 0o1000) !== 0;
    if ((stat.mode & 0o022) !== 0 && (own || !sticky)) return `the folder ${dir} is writable by group or others (mode ${mode(stat)})`;
    const parent = path.dirname(dir);
    if (parent === dir) return notExecutable;
    dir = parent;
  }
}

/**
 * Gives the writer back the execute bits a package lost: NuGet packages
 * (Install-PSResource, Save-PSResource) keep no Unix modes, so the installed
 * file arrives 0644. Only a regular file of this core's own uid that neither
 * group nor others can write; true when it changed the mode.
 */
export function restoreExecuteBits(file: string): boolean {
  try {
    const real = fs.realpathSync(file);
    const stat = fs.lstatSync(real);
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    if (!stat.isFile() || stat.uid !== uid || (stat.mode & 0o111) !== 0 || (stat.mode & 0o022) !== 0) return false;
    // x wherever r is: 0644 -> 0755, 0600 -> 0700.
    fs.chmodSync(real, (stat.mode & 0o777) | ((stat.mode & 0o444) >> 2));
    return true;
  } catch {
    return false;
  }
}

/** The writer to start: the native one, or node with the reason. */
export function chooseLogWriter(env: NodeJS.ProcessEnv = process.env): { kind: 'native'; file: string } | { kind: 'node'; reason: string } {
  if (env[LOG_WRITER_VARIABLE] === 'node') return { kind: 'node', reason: `${LOG_WRITER_VARIABLE} asks for it` };
  const file = nativeLogWriterPath(env);
  if (file === null) return { kind: 'node', reason: 'the core cannot tell where it was installed' };
  if (!fs.existsSync(file)) return { kind: 'node', reason: `the native writer ${file} is not there (bundling builds it where a C compiler is installed: apt-get install gcc libc6-dev, then node build/bundle.mjs)` };
  // Checked and run as the file the path resolves to, never through a link: a link on the way
  // (in a folder another user can write) could be pointed elsewhere between the check and the spawn.
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch (error) {
    return { kind: 'node', reason: `the native writer is not safe to run: ${file} cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  let unsafe = unsafeToRunReason(real);
  // Only the execute bits may be missing (the file and every folder above it are otherwise safe);
  // checked again in full after they are back.
  if (unsafe !== null && unsafe.includes(` ${NOT_EXECUTABLE} `) && restoreExecuteBits(real)) unsafe = unsafeToRunReason(real);
  if (unsafe) return { kind: 'node', reason: `the native writer is not safe to run: ${unsafe}` };
  return { kind: 'native', file: real };
}

/** The program and arguments that run a writer with argv [dir, file name, cap] (for the tests, and startLogWriter). */
export function logWriterCommand(writer: { kind: 'native'; file: string } | { kind: 'node' }, args: readonly string[]): [string, string[]] {
  return writer.kind === 'native' ? [writer.file, [...args]] : [process.execPath, ['-e', WRITER_SCRIPT, ...args]];
}

/** Starts the native writer detached, stdin on the pipe; its PID, or throws. */
async function spawnNativeWriter(file: string, args: string[], readFd: number): Promise<number> {
  const posix = await loadPosixSpawn();
  if (posix) return posix.spawnDetached(file, args, readFd);
  return spawnDetachedChild(file, args, readFd);
}

/** child_process.spawn, detached, no environment; libuv reaps it. Its PID, or throws. */
function spawnDetachedChild(file: string, args: string[], readFd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { detached: true, stdio: [readFd, 'ignore', 'ignore'], env: {}, cwd: '/' });
    child.once('error', reject);
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid!);
    });
  });
}

let pipe2: ((fds: number[], flags: number) => number) | null | undefined;

async function makePipe(): Promise<[number, number] | null> {
  if (pipe2 === undefined) {
    const libc = await loadLibc();
    // koffi fills the whole JS array behind an `_Out_ int *` (checked: both descriptors arrive).
    pipe2 = libc ? (libc.lib.func('int pipe2(_Out_ int *fds, int flags)') as unknown as (fds: number[], flags: number) => number) : null;
  }
  if (!pipe2) return null;
  const fds = [0, 0];
  const O_CLOEXEC = 0o2000000;
  if (pipe2(fds, O_CLOEXEC) !== 0) return null;
  return [fds[0]!, fds[1]!];
}

/**
 * Starts the log writer for a container directory and returns the pipe's
 * write end; null when no pipe can be made here (no libc through koffi), in
 * which case the caller writes the file directly, uncapped, and says so.
 * The native writer where it may run, else node (fallbackReason says why).
 */
export async function startLogWriter(dir: string, fileName: string, env: NodeJS.ProcessEnv = process.env): Promise<LogPipe | null> {
  const cap = logMaxBytes(env);
  const fds = await makePipe();
  if (!fds) return null;
  const [readFd, writeFd] = fds;
  const args = [path.resolve(dir), fileName, String(cap)];
  let writerPid: number | null = null;
  let writer: LogPipe['writer'] = 'node';
  const choice = chooseLogWriter(env);
  let fallbackReason = choice.kind === 'node' ? choice.reason : null;
  try {
    if (choice.kind === 'native') {
      try {
        writerPid = await spawnNativeWriter(choice.file, args, readFd);
        writer = 'native';
      } catch (error) {
        fallbackReason = `the native writer ${choice.file} could not be started (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      }
    }
    if (writerPid === null) {
      const [node, nodeArgs] = logWriterCommand({ kind: 'node' }, args);
      // cwd '/': it lives as long as the container and must hold no folder of the caller busy (the native writer chdirs there too).
      const child = spawn(node, nodeArgs, {
        detached: true, stdio: [readFd, 'ignore', 'ignore'], env: {}, cwd: '/',
      });
      child.on('error', () => undefined);
      writerPid = child.pid ?? null;
      child.unref();
    }
  } finally {
    fs.closeSync(readFd);
  }
  if (writerPid === null) {
    fs.closeSync(writeFd);
    return null;
  }
  let closed = false;
  return {
    writeFd,
    writerPid,
    writer,
    fallbackReason: writer === 'native' ? null : fallbackReason,
    close: () => {
      if (!closed) fs.closeSync(writeFd);
      closed = true;
    },
  };
}
