/**
 * Reading procfs: the files of one process, the process list, and the clock
 * every start time is measured with. Parsing lives in parse.ts; this file
 * owns the I/O and what an I/O error means (a process that exited while it
 * was read is "gone", not an error).
 */
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import { CoreError } from '../../protocol/errors.js';
import {
  ProcParseError, argumentsFromCmdline, parseAuxv, parseBootTimeSeconds, parseFilesystems, parseMountInfo, parseNamespaceLink, parseStatus, type MountEntry, type ParsedStatus,
} from './parse.js';

export const defaultProcRoot = '/proc';

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** ENOENT/ESRCH: the process exited between listing and reading. */
export function isGone(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ESRCH';
}

/**
 * Reads procfs files into one reused buffer: open + read until EOF + close,
 * no fstat (procfs sizes are 0 anyway) and no per-file allocation. Measured
 * here about twice as cheap as readFileSync for /proc/<pid>/{stat,status,cmdline}.
 */
export class ProcReader {
  #buffer = Buffer.allocUnsafe(16 * 1024);

  /**
   * The file's bytes; valid only until the next read. `lineFile`: a seq_file
   * document that ends in a newline (stat, status). The kernel generates it
   * whole and hands out all of it that fits, so a short first read ending in
   * '\n' is the complete file and the read that would return 0 is skipped.
   */
  read(path: string, lineFile = false): Buffer {
    const fd = openSync(path, 'r');
    try {
      let length = 0;
      for (;;) {
        if (length === this.#buffer.length) {
          const bigger = Buffer.allocUnsafe(this.#buffer.length * 2);
          this.#buffer.copy(bigger, 0, 0, length);
          this.#buffer = bigger;
        }
        const room = this.#buffer.length - length;
        const n = readSync(fd, this.#buffer, length, room, null);
        if (n === 0) return this.#buffer.subarray(0, length);
        length += n;
        if (lineFile && n < room && this.#buffer[length - 1] === 0x0a) return this.#buffer.subarray(0, length);
      }
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * One file of one process parsed, or null when the process is gone, the file
 * cannot be read, or it does not parse: for callers to whom such a process
 * simply offers no answer (the snapshot, which must tell these apart, reads
 * through ProcReader itself).
 */
function readParsed<T>(file: string, parse: (bytes: Buffer) => T): T | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  try {
    return parse(bytes);
  } catch (error) {
    if (error instanceof ProcParseError) return null;
    throw error;
  }
}

/** /proc/<pid>/status parsed; null when unavailable. */
export function readStatus(pid: number, procRoot = defaultProcRoot): ParsedStatus | null {
  return readParsed(`${procRoot}/${pid}/status`, (bytes) => parseStatus(bytes.toString('latin1')));
}

/** A process's argv from /proc/<pid>/cmdline; null when unavailable, [] for kernel threads and zombies. */
export function readArguments(pid: number, procRoot = defaultProcRoot): string[] | null {
  return readParsed(`${procRoot}/${pid}/cmdline`, argumentsFromCmdline);
}

/** Every PID in the process table, ascending. BackendUnavailable when procfs cannot be listed. */
export function listPids(procRoot = defaultProcRoot): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procRoot);
  } catch (error) {
    throw new CoreError('BackendUnavailable', `Could not list the host's processes in ${procRoot} (${errnoCode(error) ?? 'error'}). Mount procfs there (mount -t proc proc /proc) and try again.`, { cause: error });
  }
  for (const entry of entries) {
    if (/^[1-9]\d{0,9}$/.test(entry)) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

/** This process's mount table; [] where there is none (no procfs: not Linux, so nothing the core mounted). */
export function readMounts(mountInfoFile = `${defaultProcRoot}/self/mountinfo`): MountEntry[] {
  try {
    return parseMountInfo(readFileSync(mountInfoFile, 'utf8'));
  } catch {
    return [];
  }
}

/** The filesystem types the running kernel supports; null when /proc/filesystems cannot be read. */
export function readKernelFilesystems(procRoot = defaultProcRoot): Set<string> | null {
  try {
    return parseFilesystems(readFileSync(`${procRoot}/filesystems`, 'utf8'));
  } catch {
    return null;
  }
}

/** Our PID namespace when procfs is mounted for it (our own NSpid has one entry), else null. */
export function readOwnPidNamespace(procRoot = defaultProcRoot): string | null {
  try {
    const own = parseStatus(readFileSync(`${procRoot}/self/status`, 'latin1'));
    if (own.nsPids.length !== 1) return null;
    return parseNamespaceLink(readlinkSync(`${procRoot}/self/ns/pid`));
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------
// Clock: USER_HZ and boot time, read once per core process so that two
// readings give identical start times for the same process.

export interface ProcClock {
  ticksPerSecond: number;
  bootTimeMs: number;
}

let clock: ProcClock | undefined;

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;

interface SystemConstants {
  ticksPerSecond: number;
  pageBytes: number;
}

let constants: SystemConstants | undefined;

/**
 * USER_HZ and the page size as the kernel handed them to this process
 * (AT_CLKTCK, AT_PAGESZ): what sysconf(_SC_CLK_TCK) and sysconf(_SC_PAGESIZE)
 * return, so what .NET uses, read from one file instead of starting getconf.
 * Where auxv cannot be read, 100 (USER_HZ on every architecture Linux still
 * supports except alpha, include/asm-generic/param.h) and 4096.
 */
export function systemConstants(): SystemConstants {
  if (!constants) {
    constants = { ticksPerSecond: 100, pageBytes: 4096 };
    try {
      const wordBytes = ['arm', 'ia32', 'mips', 'mipsel', 'ppc'].includes(process.arch) ? 4 : 8;
      const auxv = parseAuxv(readFileSync('/proc/self/auxv'), wordBytes, os.endianness() === 'LE');
      const ticks = Number(auxv.get(AT_CLKTCK) ?? 0n);
      const page = Number(auxv.get(AT_PAGESZ) ?? 0n);
      if (Number.isInteger(ticks) && ticks > 0 && ticks <= 100_000) constants.ticksPerSecond = ticks;
      if (Number.isInteger(page) && page >= 4096 && page <= 1 << 20) constants.pageBytes = page;
    } catch {
      // keep the documented defaults
    }
  }
  return constants;
}

export function procClock(): ProcClock {
  if (!clock) {
    let bootTimeMs: number;
    try {
      bootTimeMs = parseBootTimeSeconds(readFileSync('/proc/stat', 'latin1')) * 1000;
    } catch (error) {
      throw new CoreError('ExternalDataInvalid', `Could not read the boot time (btime) from /proc/stat, which every process start time is measured from: ${(error as Error).message}. Is /proc mounted?`, { cause: error });
    }
    clock = { ticksPerSecond: systemConstants().ticksPerSecond, bootTimeMs };
  }
  return clock;
}

/** Start time in ms since the epoch, rounded to whole ms (exact for CLK_TCK 100). */
export function startTimeMsFromTicks(startTimeTicks: number, c: ProcClock = procClock()): number {
  return c.bootTimeMs + Math.round((startTimeTicks * 1000) / c.ticksPerSecond);
}
