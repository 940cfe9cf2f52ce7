/**
 * Whether this host can run utility VMs, for the linux backend's probe and
 * Get-ContainerHost: QEMU, a kernel, a static busybox, and KVM or TCG.
 */
import { CoreError } from '../../../protocol/errors.js';
import { locateKernel, locateQemu } from './hostTools.js';
import { locateStaticBusybox } from './initramfs.js';
import { probeKvm } from './kvmProbe.js';

export interface VmHostStatus {
  usable: boolean;
  reason: string;
  details: {
    qemu: string | null;
    kernel: string | null;
    busybox: string | null;
    accelerator: 'kvm' | 'tcg' | null;
    acceleratorReason: string | null;
    missing: { what: string; package: string; message: string }[];
  };
}

export async function vmHostStatus(): Promise<VmHostStatus> {
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
  const kernel = await find('kernel', 'linux-image-amd64', () => locateKernel());
  const busybox = await find('static busybox', 'busybox-static', () => locateStaticBusybox());
  const details: VmHostStatus['details'] = { qemu, kernel, busybox, accelerator: null, acceleratorReason: null, missing };
  if (!qemu || !kernel || !busybox) {
    return { usable: false, reason: `Hyper-V-class isolation needs ${missing.map((m) => `${m.what} (apt-get install ${m.package})`).join(', ')}.`, details };
  }
  const kvm = await probeKvm({ qemuPath: qemu, kernelPath: kernel });
  details.accelerator = kvm.accel;
  details.acceleratorReason = kvm.reason;
  return { usable: true, reason: `utility VMs: ${qemu}, kernel ${kernel}, ${kvm.accel.toUpperCase()} (${kvm.reason})`, details };
}
