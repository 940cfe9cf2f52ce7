/**
 * Finds what a utility VM needs on the host: the QEMU binary and a kernel
 * (and how to boot it).
 * A missing one is a DependencyMissing error naming the Debian package and
 * the setup command that provides it.
 */
import { access, constants, open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CoreError } from '../../../protocol/errors.js';

export const qemuBinaryName = 'qemu-system-x86_64';

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const st = await stat(file);
    if (!st.isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** WINDOWSCONTAINERS_QEMU, else qemu-system-x86_64 on PATH. */
export async function locateQemu(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const override = env.WINDOWSCONTAINERS_QEMU;
  if (override) {
    if (await isExecutableFile(override)) return path.resolve(override);
    throw new CoreError('DependencyMissing', `WINDOWSCONTAINERS_QEMU is '${override}', which is not an executable file. Unset it to use ${qemuBinaryName} from PATH (apt-get install qemu-system-x86).`,
      { details: { package: 'qemu-system-x86', path: override } });
  }
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, qemuBinaryName);
    if (await isExecutableFile(candidate)) return candidate;
  }
  throw new CoreError('DependencyMissing',
    `${qemuBinaryName} is not installed: Hyper-V-class isolation on Linux runs each container in a QEMU utility VM. Install it with 'apt-get install qemu-system-x86' (or run 'npm run setup').`,
    { details: { package: 'qemu-system-x86', setup: 'npm run setup' } });
}

/**
 * Where set-up installs the utility-VM kernels, for a checkout and an
 * installed module alike: WINDOWSCONTAINERS_KERNEL_DIR, else
 * /var/lib/windowscontainers/kernels. Deliberately not under a
 * WINDOWSCONTAINERS_STATE_DIR override: kernels are host tooling shared by
 * every state directory (the tests' private ones included), not state.
 */
export function kernelsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.WINDOWSCONTAINERS_KERNEL_DIR || '/var/lib/windowscontainers/kernels');
}

/** The kernels set-up installs, best first, with the file each flavour ships as. */
export const kernelFlavours = [
  { flavour: 'minimal', file: 'vmlinux', hint: "'npm test' and 'npm run bench' set-up build it from Debian's linux-source-6.1 with build/kernel/minimal.config" },
  { flavour: 'cloud', file: 'vmlinuz', hint: "set-up fetches it from Debian's linux-image-cloud-amd64" },
  { flavour: 'generic', file: 'vmlinuz', hint: "set-up fetches it from Debian's linux-image-amd64" },
] as const;

export type KernelFlavour = (typeof kernelFlavours)[number]['flavour'] | 'host' | 'custom';

/** The kernel a utility VM boots, how, and why this one. */
export interface KernelChoice {
  path: string;
  flavour: KernelFlavour;
  /** From the version file set-up wrote beside it, when there is one. */
  version: string | null;
  /** 'pvh': an ELF vmlinux that QEMU loads directly; 'bzimage': through the firmware's real-mode entry. */
  boot: 'pvh' | 'bzimage';
  /** -bios for this kernel: qboot for a PVH kernel where QEMU ships it, else QEMU's default (SeaBIOS). */
  bios: string | null;
  /** One sentence: which kernel and why (the -Verbose line at create, Get-ContainerHost). */
  why: string;
}

/** qboot, shipped with Debian's QEMU: a minimal firmware that starts a PVH kernel sooner than SeaBIOS. */
export const qbootCandidates = ['/usr/share/qemu/qboot.rom', '/usr/share/seabios/qboot.rom'];

async function isReadableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** An ELF file (a vmlinux with a PVH note) rather than a bzImage. */
async function isElf(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

async function readVersion(file: string): Promise<string | null> {
  try {
    // Set-up writes "<kernel release> <package version or 'minimal'> [<hash>]": one short line.
    const text = (await readFile(file, 'utf8')).slice(0, 200).split('\n')[0]!.trim();
    const release = text.split(/\s+/)[0] ?? '';
    return /^[0-9][0-9A-Za-z.+~_-]{0,80}$/.test(release) ? release : null;
  } catch {
    return null;
  }
}

async function describeChoice(file: string, flavour: KernelFlavour, version: string | null, reason: string, qboot: readonly string[]): Promise<KernelChoice> {
  const pvh = await isElf(file);
  let bios: string | null = null;
  if (pvh) for (const candidate of qboot) if (await isReadableFile(candidate)) { bios = candidate; break; }
  const how = pvh ? `PVH${bios ? ' with qboot' : ''}` : 'bzImage';
  return { path: file, flavour, version, boot: pvh ? 'pvh' : 'bzimage', bios, why: `${flavour} kernel${version ? ` ${version}` : ''} (${file}, ${how}): ${reason}` };
}

export interface ChooseKernelOptions {
  env?: NodeJS.ProcessEnv;
  dir?: string;
  bootDir?: string;
  qboot?: readonly string[];
}

/**
 * The kernel for utility VMs. WINDOWSCONTAINERS_KERNEL wins; else the best
 * one set-up installed under kernelsDir(): minimal, then cloud, then generic;
 * else the newest /boot/vmlinuz-* of the host. The answer says why, naming
 * what it passed over.
 */
export async function chooseKernel(options: ChooseKernelOptions = {}): Promise<KernelChoice> {
  const env = options.env ?? process.env;
  const dir = options.dir ?? kernelsDir(env);
  const bootDir = options.bootDir ?? '/boot';
  const qboot = options.qboot ?? qbootCandidates;
  const override = env.WINDOWSCONTAINERS_KERNEL;
  if (override) {
    const file = path.resolve(override);
    if (!(await isReadableFile(file))) {
      throw new CoreError('DependencyMissing', `WINDOWSCONTAINERS_KERNEL is '${override}', which is not a readable file. Point it at a bzImage or a PVH vmlinux, or unset it to use the kernels set-up installs in ${dir} (Debian's linux-image-cloud-amd64 and others: 'npm run setup').`,
        { details: { package: 'linux-image-cloud-amd64', path: override } });
    }
    // A kernel set-up installed, chosen by path (the benchmarks do this), keeps its flavour.
    const known = kernelFlavours.find((k) => file === path.join(dir, k.flavour, k.file));
    const version = known ? await readVersion(path.join(dir, known.flavour, 'version')) : null;
    return describeChoice(file, known?.flavour ?? 'custom', version, 'WINDOWSCONTAINERS_KERNEL names it', qboot);
  }
  const passedOver: string[] = [];
  for (const k of kernelFlavours) {
    const file = path.join(dir, k.flavour, k.file);
    if (await isReadableFile(file)) {
      if (k.flavour === 'minimal' && !(await isElf(file))) {
        passedOver.push(`${file} is not an ELF vmlinux`);
        continue;
      }
      const reason = passedOver.length === 0 ? `the best kernel present (fallbacks: ${kernelFlavours.filter((f) => f.flavour !== k.flavour).map((f) => f.flavour).join(', ')})` : `the best kernel present; passed over: ${passedOver.join('; ')}`;
      return describeChoice(file, k.flavour, await readVersion(path.join(dir, k.flavour, 'version')), reason, qboot);
    }
    passedOver.push(`no ${k.flavour} kernel at ${file} (${k.hint})`);
  }
  try {
    const kernels = (await readdir(bootDir)).filter((n) => n.startsWith('vmlinuz-')).sort(compareVersions).reverse();
    for (const kernel of kernels) {
      const file = path.join(bootDir, kernel);
      if (await isReadableFile(file)) return describeChoice(file, 'host', kernel.slice('vmlinuz-'.length), `the host's own kernel; passed over: ${passedOver.join('; ')}`, qboot);
    }
  } catch {
    // no /boot
  }
  throw new CoreError('DependencyMissing',
    `No kernel for the utility VM was found in ${dir} or ${bootDir}. Run 'npm run setup' (build/setup.d/30-kernel.sh puts Debian's linux-image-cloud-amd64 kernel there with apt-get download, without installing it into /boot), or set WINDOWSCONTAINERS_KERNEL.`,
    { details: { package: 'linux-image-cloud-amd64', setup: 'bash build/setup.sh', looked: [...kernelFlavours.map((k) => path.join(dir, k.flavour, k.file)), `${bootDir}/vmlinuz-*`] } });
}

/** The path of chooseKernel()'s answer. */
export async function locateKernel(env: NodeJS.ProcessEnv = process.env, dir = kernelsDir(env), bootDir = '/boot'): Promise<string> {
  return (await chooseKernel({ env, dir, bootDir })).path;
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
