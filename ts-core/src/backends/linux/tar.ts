import { gunzipSync } from 'node:zlib';
import { CoreError } from '../../protocol/errors.js';
import type { ImportBudget } from './importLimits.js';

/**
 * A small tar reader (ustar, GNU long names, pax headers) over an in-memory
 * buffer. Image archives are untrusted: reading the entries ourselves, rather
 * than handing the archive to `tar -x`, lets the layer code decide about
 * every path, link and whiteout before anything touches the disk.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** The path exactly as the archive spells it (after pax / GNU long-name overrides). */
  path: string;
  type: TarEntryType;
  mode: number;
  uid: number;
  gid: number;
  mtimeSeconds: number;
  /** Symlink target or hardlink source, as the archive spells it. */
  linkTarget: string;
  /** Contents of a regular file (a view into the archive buffer). */
  data: Buffer;
}

const BLOCK = 512;

function invalid(source: string, why: string): CoreError {
  return new CoreError('InvalidImageArchive', `${source} is not a readable tar archive: ${why}.`, { details: { source } });
}

/**
 * Gunzips when the buffer starts with the gzip magic; zstd and others are
 * refused by name. With a budget, inflating stops as soon as the output
 * passes what the budget allows (ImageTooLarge), and the inflated output is
 * charged to it (an uncompressed buffer was charged when it was read).
 */
export function decompress(buffer: Buffer, source: string, budget?: ImportBudget): Buffer {
  if (buffer.length >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) {
    const cap = budget?.inflateCap(buffer.length);
    let output: Buffer;
    try {
      output = cap ? gunzipSync(buffer, { maxOutputLength: Math.max(1, cap.bytes) }) : gunzipSync(buffer);
    } catch (error) {
      if (cap && (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw budget!.tooLarge(cap.limit);
      throw new CoreError('InvalidImageArchive', `${source} looks gzip-compressed but does not decompress: ${(error as Error).message}.`, { cause: error, details: { source } });
    }
    budget?.addBytes(output.length);
    return output;
  }
  if (buffer.length >= 4 && buffer.readUInt32LE(0) === 0xfd2fb528) {
    throw new CoreError('InvalidImageArchive', `${source} is zstd-compressed, which this version cannot read. Re-export it uncompressed or with gzip (docker save | gzip).`, { details: { source } });
  }
  return buffer; // already charged when it was read
}

function cString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('utf8');
}

function numberField(block: Buffer, start: number, length: number, source: string): number {
  const field = block.subarray(start, start + length);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian two's complement in the remaining bytes.
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    if (!Number.isSafeInteger(value)) throw invalid(source, 'a numeric header field is too large');
    return value;
  }
  const text = cString(block, start, length).replace(/[ \0]+$/, '').trim();
  if (text === '') return 0;
  // The field's bytes are not quoted: a file that is not a tar archive at all (say /etc/shadow) must not leak into the message.
  if (!/^[0-7]+$/.test(text)) throw invalid(source, `a header field at bytes ${start}–${start + length - 1} of a header is not an octal number`);
  return Number.parseInt(text, 8);
}

function checksumMatches(block: Buffer, source: string): boolean {
  let stored: number;
  try {
    stored = numberField(block, 148, 8, source);
  } catch {
    return false; // not even a number where the checksum belongs: not a tar header
  }
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored;
}

function parsePax(data: Buffer, source: string): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(offset, space).toString('ascii'), 10);
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) throw invalid(source, 'a pax header record is malformed');
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
  return records;
}

const typeByFlag: Record<string, TarEntryType> = {
  '0': 'file', '\0': 'file', '7': 'file', '': 'file',
  '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'directory', '6': 'fifo',
};

/** Every entry of an uncompressed tar buffer, in archive order; each entry is counted against the budget. */
export function readTar(buffer: Buffer, source: string, budget?: ImportBudget): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let pax: Map<string, string> | null = null;
  let longName: string | null = null;
  let longLink: string | null = null;
  let sawHeader = false;
  while (offset + BLOCK <= buffer.length) {
    const header = buffer.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // end of archive
    if (!checksumMatches(header, source)) {
      throw invalid(source, sawHeader ? `the header at byte ${offset} has a bad checksum (truncated or corrupt)` : 'it does not start with a tar header');
    }
    sawHeader = true;
    budget?.addEntry();
    const paxSize = pax?.get('size');
    const size = paxSize !== undefined && /^\d+$/.test(paxSize) ? Number(paxSize) : numberField(header, 124, 12, source);
    const dataStart = offset + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > buffer.length) throw invalid(source, `the entry at byte ${offset} claims ${size} bytes but the archive ends first (truncated)`);
    const data = buffer.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    const flag = String.fromCharCode(header[156]!);
    if (flag === 'x') { pax = parsePax(data, source); continue; }
    if (flag === 'g') continue; // global pax header: nothing we use
    if (flag === 'L') { longName = cString(data, 0, data.length); continue; }
    if (flag === 'K') { longLink = cString(data, 0, data.length); continue; }
    const type = typeByFlag[flag === '\0' ? '\0' : flag];
    if (!type) throw invalid(source, `entry type '${flag}' is not supported`);
    const magic = header.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\0' ? cString(header, 345, 155) : '';
    let path = longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
    let linkTarget = longLink ?? cString(header, 157, 100);
    let uid = numberField(header, 108, 8, source);
    let gid = numberField(header, 116, 8, source);
    if (pax) {
      path = pax.get('path') ?? path;
      linkTarget = pax.get('linkpath') ?? linkTarget;
      uid = Number(pax.get('uid') ?? uid);
      gid = Number(pax.get('gid') ?? gid);
    }
    pax = null;
    longName = null;
    longLink = null;
    if (path.includes('\0') || linkTarget.includes('\0')) throw invalid(source, 'an entry name contains a NUL byte');
    entries.push({
      path,
      type,
      mode: numberField(header, 100, 8, source) & 0o7777,
      uid: Number.isSafeInteger(uid) && uid >= 0 ? uid : 0,
      gid: Number.isSafeInteger(gid) && gid >= 0 ? gid : 0,
      mtimeSeconds: numberField(header, 136, 12, source),
      linkTarget,
      data: type === 'file' ? data : Buffer.alloc(0),
    });
  }
  if (!sawHeader) throw invalid(source, 'it holds no entries');
  return entries;
}
