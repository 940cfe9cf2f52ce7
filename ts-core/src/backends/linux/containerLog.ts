/**
 * The container's stdout and stderr with a cap: `yes` in a container wrote
 * container.log at ~900 MB/s until the disk was full. runc gets the write end
 * of a pipe instead of the file; a small detached writer (node, the same
 * binary as the core, running a fixed script — no shell, no user input in
 * it) reads the other end, writes container.log and, when the file would pass
 * the cap, renames it to container.log.1 (replacing the older one) and starts
 * anew. At most 2 × (cap + 64 KiB) of log on disk per container. The writer
 * exits when the last process of the container closes its output.
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

/** The writer: argv = [dir, file name, cap]. Fixed text; the values arrive as arguments. */
const WRITER_SCRIPT = `
'use strict';
const fs = require('fs');
const path = require('path');
const [dir, name, capText] = process.argv.slice(1);
const cap = Number(capText);
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
 */
export async function startLogWriter(dir: string, fileName: string): Promise<LogPipe | null> {
  const cap = logMaxBytes();
  const fds = await makePipe();
  if (!fds) return null;
  const [readFd, writeFd] = fds;
  let writerPid: number | null = null;
  try {
    const child = spawn(process.execPath, ['-e', WRITER_SCRIPT, path.resolve(dir), fileName, String(cap)], {
      detached: true, stdio: [readFd, 'ignore', 'ignore'], env: {},
    });
    child.on('error', () => undefined);
    writerPid = child.pid ?? null;
    child.unref();
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
    close: () => {
      if (!closed) fs.closeSync(writeFd);
      closed = true;
    },
  };
}
