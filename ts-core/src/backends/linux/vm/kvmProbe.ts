/**
 * Decides between KVM and TCG. /dev/kvm existing proves nothing (nested
 * virtualization here exposes it and then hangs), so KVM counts only after a
 * real test boot finishes in time: the kernel without an initramfs runs until
 * it cannot mount a root filesystem, panics, and with panic=-1 and -no-reboot
 * QEMU exits. The probe is bounded and its answer cached in the state dir.
 */
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { stateDir } from '../../../paths.js';
import { readJsonDocument } from '../../../util/jsonDocument.js';
import { launchQemu, qemuArgs, waitForQemuExit, type Accelerator } from './qemuProcess.js';
import { signalIfSame } from '../../../processes/procfs/index.js';

export interface KvmProbeResult {
  accel: Accelerator;
  /** Why, in words (shown by the backend's probe and Get-ContainerHost). */
  reason: string;
  probedAt: string;
  durationMs: number;
  cached: boolean;
}

export interface KvmProbeOptions {
  qemuPath: string;
  kernelPath: string;
  /** The firmware the VMs will use with this kernel (qboot for a PVH kernel), so the test boot takes the same path. */
  bios?: string | null;
  devicePath?: string;
  timeoutMs?: number;
  /** null disables the cache (tests). */
  cacheFile?: string | null;
}

const cacheSchema = z.object({
  key: z.string(),
  accel: z.enum(['kvm', 'tcg']),
  reason: z.string(),
  probedAt: z.string(),
  durationMs: z.number(),
});

export function defaultKvmCacheFile(): string {
  return path.join(stateDir(), 'vm', 'kvm-probe.json');
}

async function cacheKey(options: Required<Omit<KvmProbeOptions, 'cacheFile'>>): Promise<string> {
  const describe = async (file: string): Promise<string> => {
    try {
      const st = await stat(file);
      return `${file}:${st.size}:${Math.floor(st.mtimeMs)}`;
    } catch {
      return `${file}:missing`;
    }
  };
  // Whether KVM works is a property of the host, its QEMU and its KVM device, not of the guest
  // kernel: set-up installing a better kernel (or a benchmark switching kernels) must not cost
  // another test boot of up to 8 s.
  return [await describe(options.qemuPath), await describe(options.devicePath), os.release()].join('|');
}

function fullOptions(options: KvmProbeOptions): Required<Omit<KvmProbeOptions, 'cacheFile'>> {
  return { devicePath: '/dev/kvm', timeoutMs: 8000, ...options, bios: options.bios ?? null };
}

async function readCache(cacheFile: string | null, key: string): Promise<KvmProbeResult | null> {
  if (!cacheFile) return null;
  try {
    const cached = readJsonDocument(cacheFile, cacheSchema, () => new Error('stale cache'));
    if (cached?.key === key) return { accel: cached.accel, reason: cached.reason, probedAt: cached.probedAt, durationMs: cached.durationMs, cached: true };
  } catch {
    // missing, stale or unreadable
  }
  return null;
}

/**
 * The answer without a test boot: /dev/kvm missing or unusable decides at
 * once, else only a cached answer counts; null means a test boot is needed.
 */
export async function cachedKvmProbe(options: KvmProbeOptions): Promise<KvmProbeResult | null> {
  const full = fullOptions(options);
  try {
    await access(full.devicePath, constants.R_OK | constants.W_OK);
  } catch {
    return testBoot(full); // answers from the device check alone, boots nothing
  }
  return readCache(options.cacheFile === undefined ? defaultKvmCacheFile() : options.cacheFile, await cacheKey(full));
}

export async function probeKvm(options: KvmProbeOptions): Promise<KvmProbeResult> {
  const full = fullOptions(options);
  const cacheFile = options.cacheFile === undefined ? defaultKvmCacheFile() : options.cacheFile;
  const key = await cacheKey(full);
  const cached = await readCache(cacheFile, key);
  if (cached) return cached;
  const result = await testBoot(full);
  if (cacheFile) {
    // A cache that cannot be written (read-only state dir) only costs a probe next time.
    try {
      await mkdir(path.dirname(cacheFile), { recursive: true });
      const temp = `${cacheFile}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify({ key, ...result, cached: undefined })}\n`);
      await rename(temp, cacheFile);
    } catch {
      // keep the answer for this call
    }
  }
  return result;
}

async function testBoot(options: Required<Omit<KvmProbeOptions, 'cacheFile'>>): Promise<KvmProbeResult> {
  const started = Date.now();
  const done = (accel: Accelerator, reason: string): KvmProbeResult =>
    ({ accel, reason, probedAt: new Date().toISOString(), durationMs: Date.now() - started, cached: false });
  try {
    await access(options.devicePath, constants.R_OK | constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return done('tcg', code === 'ENOENT'
      ? `${options.devicePath} does not exist: QEMU will emulate the CPU (TCG), which is slower but isolates the same way.`
      : `${options.devicePath} is not usable (${code}): QEMU will emulate the CPU (TCG).`);
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'wc-kvm-probe-'));
  const log = path.join(work, 'console.log');
  try {
    const args = qemuArgs({
      accel: 'kvm', memoryMB: 128, cpuCount: 1, kernel: options.kernelPath, bios: options.bios, initramfs: null,
      append: 'console=ttyS0 panic=-1', consoleLog: log, agentSocket: null, qmpSocket: null, pidFile: null,
      guestName: null, processName: 'wc-kvm-probe', uuid: null,
    });
    const qemu = await launchQemu(options.qemuPath, args, path.join(work, 'qemu.log'));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, options.timeoutMs, 'timeout'));
    const outcome = await Promise.race([qemu.exited, timer]);
    if (outcome === 'timeout') {
      signalIfSame(qemu, 'SIGKILL');
      await Promise.race([qemu.exited, waitForQemuExit(qemu, 5000)]);
      return done('tcg', `${options.devicePath} exists but a KVM test boot did not finish within ${options.timeoutMs} ms (nested virtualization?): QEMU will emulate the CPU (TCG).`);
    }
    const consoleText = await readFile(log, 'utf8').catch(() => '');
    if (/Kernel panic|Linux version/.test(consoleText)) {
      return done('kvm', `A KVM test boot reached the kernel in ${Date.now() - started} ms: QEMU will use KVM.`);
    }
    const qemuLog = (await readFile(path.join(work, 'qemu.log'), 'utf8').catch(() => '')).trim().split('\n').slice(-3).join(' ');
    return done('tcg', `A KVM test boot failed (exit ${outcome.code ?? outcome.signal}${qemuLog ? `: ${qemuLog}` : ''}): QEMU will emulate the CPU (TCG).`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
