/**
 * Pure parsers for the procfs documents the core reads (proc(5)). Each takes
 * the bytes or text of one file and returns checked numbers, or throws
 * ProcParseError naming the bad part.
 *
 * /proc is untrusted input: a process chooses its own comm (spaces, ')',
 * newlines) and command line. stat is split at the LAST ')', every number is
 * checked, and nothing here quotes more than the one bad field.
 */

/** stat fields we use, as numbers; `comm` raw. */
export interface ParsedStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  session: number;
  /** Kernel PF_* flags (field 9). */
  flags: number;
  utimeTicks: number;
  stimeTicks: number;
  startTimeTicks: number;
  /** Resident set size in pages (field 24). */
  rssPages: number;
}

export interface ParsedStatus {
  pid: number | null;
  /** Effective UID (second field of `Uid:`), as `ps` shows for USER. */
  effectiveUid: number | null;
  nsPids: number[];
  vmRssBytes: number;
  vmDataBytes: number;
  vmStkBytes: number;
  vmSwapBytes: number;
}

/** Why a document could not be used: a sentence naming the bad part. */
export class ProcParseError extends Error {
  override readonly name = 'ProcParseError';
}

const unsignedInteger = /^\d{1,19}$/;
const signedInteger = /^-?\d{1,19}$/;

function toSafeInteger(text: string | undefined, what: string, signed = false): number {
  if (text === undefined || !(signed ? signedInteger : unsignedInteger).test(text)) {
    throw new ProcParseError(`${what} is not an integer: ${JSON.stringify(text)}`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new ProcParseError(`${what} is too large: ${text}`);
  return value;
}

/**
 * Parses /proc/<pid>/stat. comm sits between the first '(' and the LAST ')':
 * a process may name itself "a b) c", and everything after the last ')' is
 * kernel-written numbers.
 */
export function parseStat(text: string, expectedPid?: number): ParsedStat {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open <= 0 || close < open + 1) throw new ProcParseError('stat has no "(comm)" field');
  const pid = toSafeInteger(text.slice(0, open), 'stat pid');
  if (expectedPid !== undefined && pid !== expectedPid) {
    throw new ProcParseError(`stat is for pid ${pid}, not ${expectedPid}`);
  }
  const comm = text.slice(open + 2, close);
  // After ") " come fields 3.. (state, ppid, ...), single spaces, one line.
  const rest = text.slice(close + 1).replace(/\n$/, '');
  if (!rest.startsWith(' ')) throw new ProcParseError('stat has no fields after comm');
  const fields = rest.slice(1).split(' ');
  // fields[n - 3] is stat field n (proc(5) numbering).
  if (fields.length < 22) throw new ProcParseError(`stat has ${fields.length + 2} fields, expected at least 24`);
  const state = fields[0]!;
  if (!/^[A-Za-z]$/.test(state)) throw new ProcParseError(`stat state is not a letter: ${JSON.stringify(state)}`);
  // Every field up to rss is a kernel-written integer; one that is not
  // means the line is not what we think it is (shifted or forged).
  for (let i = 1; i <= 21; i++) {
    if (!signedInteger.test(fields[i]!)) throw new ProcParseError(`stat field ${i + 3} is not an integer: ${JSON.stringify(fields[i])}`);
  }
  return {
    pid,
    comm,
    state,
    ppid: toSafeInteger(fields[1], 'stat ppid'),
    session: toSafeInteger(fields[3], 'stat session', true),
    flags: toSafeInteger(fields[6], 'stat flags'),
    utimeTicks: toSafeInteger(fields[11], 'stat utime'),
    stimeTicks: toSafeInteger(fields[12], 'stat stime'),
    startTimeTicks: toSafeInteger(fields[19], 'stat starttime'),
    rssPages: toSafeInteger(fields[21], 'stat rss'),
  };
}

function kilobytes(value: string, key: string): number {
  const match = /^\s*(\d{1,15}) kB$/.exec(value);
  if (!match) throw new ProcParseError(`status ${key} is not "<n> kB": ${JSON.stringify(value)}`);
  return Number(match[1]) * 1024;
}

const statusKeys = ['Pid', 'Uid', 'NSpid', 'VmRSS', 'VmData', 'VmStk', 'VmSwap'] as const;

/** The value of the first line starting with "<key>:", or null. Keys only ever start a line: the kernel escapes newlines in Name. */
function statusValue(text: string, key: string): string | null {
  const needle = `${key}:`;
  let at: number;
  if (text.startsWith(needle)) at = 0;
  else {
    const found = text.indexOf(`\n${needle}`);
    if (found === -1) return null;
    at = found + 1;
  }
  const from = at + needle.length;
  const end = text.indexOf('\n', from);
  return text.slice(from, end === -1 ? text.length : end);
}

/** Parses /proc/<pid>/status: only the keys we use, each the first occurrence, each checked. */
export function parseStatus(text: string): ParsedStatus {
  const v: Partial<Record<(typeof statusKeys)[number], string | null>> = {};
  for (const key of statusKeys) v[key] = statusValue(text, key);
  let effectiveUid: number | null = null;
  if (v.Uid != null) {
    const ids = v.Uid.trim().split(/\s+/);
    if (ids.length !== 4) throw new ProcParseError(`status Uid has ${ids.length} fields, expected 4`);
    effectiveUid = toSafeInteger(ids[1], 'status effective Uid');
  }
  const nsPidText = v.NSpid?.trim() ?? '';
  return {
    pid: v.Pid == null ? null : toSafeInteger(v.Pid.trim(), 'status Pid'),
    effectiveUid,
    nsPids: nsPidText === '' ? [] : nsPidText.split(/\s+/).map((p) => toSafeInteger(p, 'status NSpid')),
    vmRssBytes: v.VmRSS == null ? 0 : kilobytes(v.VmRSS, 'VmRSS'),
    vmDataBytes: v.VmData == null ? 0 : kilobytes(v.VmData, 'VmData'),
    vmStkBytes: v.VmStk == null ? 0 : kilobytes(v.VmStk, 'VmStk'),
    vmSwapBytes: v.VmSwap == null ? 0 : kilobytes(v.VmSwap, 'VmSwap'),
  };
}

/** /proc/<pid>/cmdline: NUL-separated argv → one line with spaces; '' for kernel threads and zombies. */
export function commandLineFromCmdline(raw: Buffer): string {
  let end = raw.length;
  while (end > 0 && raw[end - 1] === 0) end--;
  return raw.subarray(0, end).toString('utf8').replaceAll('\0', ' ');
}

/**
 * /proc/<pid>/cmdline → argv. Each argument is NUL-terminated; a process that
 * rewrote its command line without the final NUL still gets its last word.
 */
export function argumentsFromCmdline(raw: Buffer): string[] {
  if (raw.length === 0) return [];
  const end = raw[raw.length - 1] === 0 ? raw.length - 1 : raw.length;
  return raw.subarray(0, end).toString('utf8').split('\0');
}

/** /proc/stat `btime`: boot time in seconds since the epoch. */
export function parseBootTimeSeconds(procStat: string): number {
  const match = /(?:^|\n)btime (\d{1,15})\n/.exec(procStat);
  if (!match) throw new ProcParseError('/proc/stat has no btime line');
  return Number(match[1]);
}

/** "pid:[4026531836]" → "4026531836". */
export function parseNamespaceLink(link: string): string | null {
  const match = /^pid:\[(\d{1,20})\]$/.exec(link);
  return match ? match[1]! : null;
}

/**
 * The (type, value) pairs of an ELF auxiliary vector (/proc/self/auxv):
 * native-endian words of the process's width, ending at AT_NULL (0).
 */
export function parseAuxv(bytes: Buffer, wordBytes: 4 | 8 = 8, littleEndian = true): Map<number, bigint> {
  const read = (at: number): bigint =>
    wordBytes === 8
      ? (littleEndian ? bytes.readBigUInt64LE(at) : bytes.readBigUInt64BE(at))
      : BigInt(littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const values = new Map<number, bigint>();
  for (let at = 0; at + 2 * wordBytes <= bytes.length; at += 2 * wordBytes) {
    const type = read(at);
    if (type === 0n) break;
    if (type <= 0xffffn && !values.has(Number(type))) values.set(Number(type), read(at + wordBytes));
  }
  return values;
}

/** One line of /proc/<pid>/mountinfo, the parts the core uses. */
export interface MountEntry {
  /** Mount point, unescaped. */
  mountPoint: string;
  fsType: string;
  /** Per-superblock options (for overlay: lowerdir=…,upperdir=…,workdir=…), unescaped per option. */
  superOptions: string[];
}

/** The kernel escapes space, tab, newline and backslash (and, in overlay's options, comma) as \ooo. */
function unescapeMountField(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses mountinfo text (proc(5)); lines of another shape are skipped, not guessed at. */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 4 || fields[4] === undefined) continue;
    entries.push({
      mountPoint: unescapeMountField(fields[4]),
      fsType: fields[separator + 1]!,
      // Split before unescaping: an escaped comma (\054) inside a path is not a separator.
      superOptions: fields[separator + 3]!.split(',').map(unescapeMountField),
    });
  }
  return entries;
}

/** /proc/filesystems: the filesystem types the kernel knows ("nodev\tproc", "\text4"). */
export function parseFilesystems(text: string): Set<string> {
  const types = new Set<string>();
  for (const line of text.split('\n')) {
    const type = line.slice(line.indexOf('\t') + 1).trim();
    if (line.includes('\t') && type !== '') types.add(type);
  }
  return types;
}
