/**
 * Whether this host can run utility VMs, for the linux backend's probe and
 * Get-ContainerHost: QEMU, a kernel, a static busybox, and KVM or TCG.
 */
import { CoreError } from '../../../protocol/errors.js';
import { chooseKernel, locateQemu, type KernelChoice } from './hostTools.js';
import { locateStaticBusybox } from './initramfs.js';
import { cachedKvmProbe, probeKvm } from './kvmProbe.js';

export interface VmHostStatus {
  usable: boolean;
  reason: string;
  details: {
    qemu: string | null;
    kernel: string | null;
    /** Which kernel (minimal, cloud, generic, host, custom), its version, how it boots and why it was chosen. */
    kernelFlavour: KernelChoice['flavour'] | null;
    kernelVersion: string | null;
    kernelBoot: KernelChoice['boot'] | null;
    kernelReason: string | null;
    busybox: string | null;
    accelerator: 'kvm' | 'tcg' | null;
    acceleratorReason: string | null;
    missing: { what: string; package: string; message: string }[];
  };
}

/**
 * With `accelerator: false` no KVM test boot runs (it can take 8 s on a
 * nested host): the cached answer is reported if there is one, else the
 * accelerator is left to the first HyperV create. Commands that boot nothing
 * (listing, testing, process containers) ask for that.
 */
export async function vmHostStatus(options: { accelerator?: boolean } = {}): Promise<VmHostStatus> {
  const missing: VmHostStatus['details']['missing'] = [];
  const find = async (what: string, pkg: string, locate: () => Promise<string>): Promise<string | null> => {
    try {
      return await locate();
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      missing.push({ what, package: pkg, message: error.message });
      return null;
    }
  };
  const qemu = await find('qemu-system-x86_64', 'qemu-system-x86', () => locateQemu());
  let choice: KernelChoice | null = null;
  const kernel = await find('kernel', 'linux-image-cloud-amd64', async () => (choice = await chooseKernel()).path);
  const busybox = await find('static busybox', 'busybox-static', () => locateStaticBusybox());
  const chosen = choice as KernelChoice | null;
  const details: VmHostStatus['details'] = {
    qemu, kernel, kernelFlavour: chosen?.flavour ?? null, kernelVersion: chosen?.version ?? null, kernelBoot: chosen?.boot ?? null, kernelReason: chosen?.why ?? null,
    busybox, accelerator: null, acceleratorReason: null, missing,
  };
  if (!qemu || !kernel || !busybox || !chosen) {
    return { usable: false, reason: `Hyper-V-class isolation needs ${missing.map((m) => `${m.what} (apt-get install ${m.package})`).join(', ')}.`, details };
  }
  const probe = { qemuPath: qemu, kernelPath: kernel, bios: chosen.bios };
  const kvm = options.accelerator === false ? await cachedKvmProbe(probe) : await probeKvm(probe);
  const kernelText = `${chosen.flavour} kernel${chosen.version ? ` ${chosen.version}` : ''}`;
  if (!kvm) {
    details.acceleratorReason = 'not checked yet: the first HyperV container (or Get-ContainerHost) runs a short KVM test boot and caches the answer';
    return { usable: true, reason: `utility VMs: ${qemu}, ${kernelText}, KVM or TCG decided at the first HyperV create`, details };
  }
  details.accelerator = kvm.accel;
  details.acceleratorReason = kvm.reason;
  return { usable: true, reason: `utility VMs: ${qemu}, ${kernelText}, ${kvm.accel.toUpperCase()} (${kvm.reason})`, details };
}
