/**
 * Finds what a utility VM needs on the host: the QEMU binary and a kernel.
 * A missing one is a DependencyMissing error naming the Debian package and
 * the setup command that provides it.
 */
import { access, constants, readdir, stat } from 'node:fs/promises';
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
 * The repository root seen from the running core: the bundle lives in
 * <repo>/dist/, the sources in <repo>/ts-core/src/backends/linux/vm/.
 */
export function repoRootCandidates(): string[] {
  // __dirname is <repo>/dist in the bundle and this source directory under
  // vitest. The working directory is never consulted: the directory a user
  // happens to be in must not choose the kernel.
  if (typeof __dirname !== 'string') return [];
  return [path.basename(__dirname) === 'dist' ? path.resolve(__dirname, '..') : path.resolve(__dirname, '../../../../..')];
}

/**
 * The kernel for utility VMs: WINDOWSCONTAINERS_KERNEL, else the one
 * build/setup.d/30-kernel.sh extracted to <repo>/.tools/kernel/vmlinuz, else
 * the newest /boot/vmlinuz-*.
 */
export async function locateKernel(env: NodeJS.ProcessEnv = process.env, roots = repoRootCandidates(), bootDir = '/boot'): Promise<string> {
  const override = env.WINDOWSCONTAINERS_KERNEL;
  if (override) {
    try {
      if ((await stat(override)).isFile()) return path.resolve(override);
    } catch {
      // reported below
    }
    throw new CoreError('DependencyMissing', `WINDOWSCONTAINERS_KERNEL is '${override}', which is not a file. Point it at a bzImage, or unset it to use the kernel 'npm run setup' extracts from Debian's linux-image-amd64.`,
      { details: { package: 'linux-image-amd64', path: override } });
  }
  for (const root of roots) {
    const candidate = path.join(root, '.tools', 'kernel', 'vmlinuz');
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // next
    }
  }
  try {
    const kernels = (await readdir(bootDir)).filter((n) => n.startsWith('vmlinuz-')).sort(compareVersions).reverse();
    for (const kernel of kernels) {
      const candidate = path.join(bootDir, kernel);
      try {
        await access(candidate, constants.R_OK);
        return candidate;
      } catch {
        // unreadable: next
      }
    }
  } catch {
    // no /boot
  }
  throw new CoreError('DependencyMissing',
    "No kernel for the utility VM was found. Run 'npm run setup' (build/setup.d/30-kernel.sh extracts vmlinuz from Debian's linux-image-amd64 package into .tools/kernel/ without installing it), or 'apt-get install linux-image-amd64', or set WINDOWSCONTAINERS_KERNEL.",
    { details: { package: 'linux-image-amd64', setup: 'bash build/setup.sh', looked: [...roots.map((r) => path.join(r, '.tools/kernel/vmlinuz')), `${bootDir}/vmlinuz-*`] } });
}

function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
