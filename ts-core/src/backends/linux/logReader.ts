/**
 * Reads the capped log a container's writer keeps (containerLog.ts:
 * `<file>` and one rotated `<file>.1`) for container.logs: the last lines,
 * or what was written after a cursor an earlier read gave (follow). The
 * cursor is `<inode>:<offset>` of the file it ended in, so a rotation between
 * two reads is noticed (the old file is then `.1`). Every read is bounded by
 * `maxBytes`; the content is the container's, untrusted: it is only split
 * into lines, never interpreted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CoreError } from '../../protocol/errors.js';
import type { LogChunk, LogLine } from '../types.js';

interface FilePart {
  ino: number;
  size: number;
  file: string;
}

function statOf(file: string): FilePart | null {
  try {
    const st = fs.lstatSync(file);
    if (!st.isFile()) return null;
    return { ino: st.ino, size: st.size, file };
  } catch {
    return null;
  }
}

function readRange(file: string, start: number, end: number): Buffer {
  if (end <= start) return Buffer.alloc(0);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.alloc(end - start);
    let read = 0;
    while (read < buffer.length) {
      const n = fs.readSync(fd, buffer, read, buffer.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

export function parseLogCursor(cursor: string): { ino: number; offset: number } {
  const match = /^(\d{1,20}):(\d{1,20})$/.exec(cursor);
  if (!match) throw new CoreError('InvalidArgument', 'The log cursor is not one this core gave out. Leave it out to read from the start.');
  return { ino: Number(match[1]), offset: Number(match[2]) };
}

/** The console carries terminal escapes and carriage returns; they are dropped. */
export function cleanConsoleText(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1bc/g, '').replace(/\r/g, '');
}

/** The writer's time prefix (containerLog.ts); a line without one (an older log, no writer) has no time. */
const timePrefix = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) /;

export function splitLogTime(line: string): { text: string; timestamp: string | null } {
  const match = timePrefix.exec(line);
  if (!match || Number.isNaN(Date.parse(match[1]!))) return { text: line, timestamp: null };
  return { text: line.slice(match[0].length), timestamp: match[1]! };
}

export interface LogReadOptions {
  dir: string;
  file: string;
  stream: LogLine['stream'];
  tail: number | null;
  cursor: string | null;
  maxBytes: number;
  /** Whether the writer may still add to the file: an unfinished last line is then held back. */
  live: boolean;
  /** Only lines written at or after this time (ISO 8601); lines without a time are then left out and counted. */
  since?: string | null;
}

export function readCappedLog(options: LogReadOptions): Omit<LogChunk, 'running'> & { untimed: number } {
  const current = statOf(path.join(options.dir, options.file));
  const rotated = statOf(path.join(options.dir, `${options.file}.1`));
  // The parts to read, oldest first, each from an offset.
  const parts: { part: FilePart; from: number }[] = [];
  if (options.cursor !== null) {
    const { ino, offset } = parseLogCursor(options.cursor);
    if (current && current.ino === ino) parts.push({ part: current, from: Math.min(offset, current.size) });
    else {
      if (rotated && rotated.ino === ino) parts.push({ part: rotated, from: Math.min(offset, rotated.size) });
      if (current) parts.push({ part: current, from: 0 });
    }
  } else {
    if (rotated) parts.push({ part: rotated, from: 0 });
    if (current) parts.push({ part: current, from: 0 });
  }
  // Bounded: only the newest maxBytes of what is asked for are read.
  let budget = options.maxBytes;
  let truncated = false;
  const buffers: Buffer[] = [];
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const { part, from } = parts[i]!;
    const length = part.size - from;
    const start = length > budget ? part.size - budget : from;
    if (start > from) truncated = true;
    buffers.unshift(readRange(part.file, start, part.size));
    budget -= part.size - start;
    if (budget <= 0) {
      if (i > 0) truncated = true;
      break;
    }
  }
  let bytes = Buffer.concat(buffers);
  let endOffset = current?.size ?? 0;
  if (options.live) {
    const lastNewline = bytes.lastIndexOf(0x0a);
    const held = bytes.length - (lastNewline + 1);
    // A line still being written comes with the next read (unless it alone fills the budget).
    if (held > 0 && held < options.maxBytes && current && held <= current.size) {
      bytes = bytes.subarray(0, lastNewline + 1);
      endOffset -= held;
    }
  }
  let text = bytes.toString('utf8');
  if (options.stream === 'console') text = cleanConsoleText(text);
  let lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (truncated && options.cursor === null && lines.length > 0) lines.shift(); // the first line was cut
  let timed = lines.map(splitLogTime);
  let untimed = 0;
  if (options.since !== undefined && options.since !== null) {
    const since = Date.parse(options.since);
    if (Number.isNaN(since)) throw new CoreError('InvalidArgument', `-Since '${options.since}' is not a time.`);
    untimed = timed.filter((l) => l.timestamp === null).length;
    timed = timed.filter((l) => l.timestamp !== null && Date.parse(l.timestamp) >= since);
  }
  if (options.tail !== null) timed = options.tail === 0 ? [] : timed.slice(-options.tail);
  return {
    untimed,
    lines: timed.map((line) => ({ stream: options.stream, text: line.text, timestamp: line.timestamp })),
    cursor: `${current?.ino ?? 0}:${endOffset}`,
    truncated,
  };
}
