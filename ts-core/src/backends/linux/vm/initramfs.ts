/**
 * Builds the utility VM's initramfs: the image rootfs plus the guest agent
 * (under /.wc, with the host's static busybox) and /init.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { CoreError } from '../../../protocol/errors.js';
import { S_IFCHR, S_IFDIR, S_IFLNK, S_IFREG, treeEntries, writeArchive, type CpioEntry } from './cpio.js';
import { agentApplets, execRunner, initScript, psAwk, specScript, type GuestSpec } from './guestAgent.js';

/** Where the static busybox comes from: Debian's busybox-static puts it here. */
export const defaultBusyboxCandidates = ['/bin/busybox', '/usr/bin/busybox'];

/** True when the ELF file has no PT_INTERP header, i.e. runs without a dynamic loader. */
export async function isStaticElf(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const header = Buffer.alloc(64);
    await handle.read(header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return false; // ELF64 LE only
    const phoff = Number(header.readBigUInt64LE(0x20));
    const phentsize = header.readUInt16LE(0x36);
    const phnum = header.readUInt16LE(0x38);
    const table = Buffer.alloc(phentsize * phnum);
    await handle.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    return true;
  } finally {
    await handle.close();
  }
}

export async function locateStaticBusybox(candidates = defaultBusyboxCandidates): Promise<string> {
  for (const candidate of candidates) {
    try {
      if ((await stat(candidate)).isFile() && (await isStaticElf(candidate))) return candidate;
    } catch {
      // next candidate
    }
  }
  throw new CoreError('DependencyMissing',
    `No statically linked busybox found (looked at ${candidates.join(', ')}). The utility VM's guest agent runs on it: install it with 'apt-get install busybox-static'.`,
    { details: { package: 'busybox-static', looked: candidates } });
}

function entry(name: string, mode: number, data: Uint8Array | string = new Uint8Array(0), rdev: [number, number] = [0, 0]): Omit<CpioEntry, 'ino'> {
  return {
    name, mode, uid: 0, gid: 0, nlink: 1, mtime: 0, devMajor: 0, devMinor: 0,
    rdevMajor: rdev[0], rdevMinor: rdev[1], data: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
  };
}

/** The agent's own files, as archive entries (names without leading '/'). */
export async function agentEntries(spec: GuestSpec, busyboxPath: string): Promise<Omit<CpioEntry, 'ino'>[]> {
  const busybox = await readFile(busyboxPath);
  return [
    entry('.wc', S_IFDIR | 0o755),
    entry('.wc/busybox', S_IFREG | 0o755, busybox),
    entry('.wc/bin', S_IFDIR | 0o755),
    ...agentApplets.map((applet) => entry(`.wc/bin/${applet}`, S_IFLNK | 0o777, '../busybox')),
    entry('.wc/spec.sh', S_IFREG | 0o644, specScript(spec)),
    entry('.wc/ps.awk', S_IFREG | 0o644, psAwk),
    entry('.wc/exec.sh', S_IFREG | 0o644, execRunner),
    entry('init', S_IFREG | 0o755, initScript),
  ];
}

/**
 * Writes the initramfs to `outFile` (which must not exist). The image's own
 * /init and /.wc are left out: the agent's take their place. /dev/console is
 * added when the image has none, because the kernel opens it for PID 1's stdio
 * before anything could mount devtmpfs. On failure the partial file is removed.
 */
export async function buildInitramfs(options: { rootfsDir: string; outFile: string; spec: GuestSpec; busyboxPath: string }): Promise<{ bytes: number }> {
  try {
    specScript(options.spec);
  } catch (error) {
    throw new CoreError('InvalidArgument', `The container cannot run in a utility VM: ${(error as Error).message}.`);
  }
  try {
    const rootStat = await stat(options.rootfsDir);
    if (!rootStat.isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new CoreError('ImageNotFound', `The image rootfs '${options.rootfsDir}' is not a readable directory: ${(error as Error).message}.`);
  }
  const agent = await agentEntries(options.spec, options.busyboxPath);
  let ino = 1;
  let hasDev = false;
  let hasConsole = false;
  async function* all(): AsyncGenerator<CpioEntry> {
    for await (const e of treeEntries(options.rootfsDir, { firstIno: 1 })) {
      if (e.name === 'init' || e.name === '.wc' || e.name.startsWith('.wc/')) continue;
      if (e.name === 'dev') hasDev = true;
      if (e.name === 'dev/console') hasConsole = true;
      ino = e.ino + 1;
      yield e;
    }
    if (!hasDev) yield { ...entry('dev', S_IFDIR | 0o755), ino: ino++ };
    if (!hasConsole) yield { ...entry('dev/console', S_IFCHR | 0o600, undefined, [5, 1]), ino: ino++ };
    for (const e of agent) yield { ...e, ino: ino++ };
  }
  try {
    const bytes = await writeArchive(options.outFile, all());
    return { bytes };
  } catch (error) {
    // 'wx' refused an existing file: that file is not ours to remove.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(options.outFile, { force: true });
    if (error instanceof CoreError) throw error;
    throw new CoreError('RuntimeFailed', `Could not build the utility VM's initramfs at '${options.outFile}': ${(error as Error).message}`, { cause: error });
  }
}
