import { describe, expect, it } from 'vitest';
import { qemuArgs } from '../../../../../ts-core/src/backends/linux/vm/qemuProcess.js';
import { workerProcessName } from '../../../../../ts-core/src/backends/linux/vm/utilityVm.js';

const base = {
  accel: 'tcg' as const, memoryMB: 256, cpuCount: 1, kernel: '/k/vmlinuz', initramfs: '/c/initramfs.cpio',
  append: 'console=ttyS0 quiet panic=-1', consoleLog: '/c/console.log', agentSocket: '/c/agent.sock', qmpSocket: '/c/qmp.sock',
  pidFile: '/c/qemu.pid', guestName: 'web-1', processName: 'wc-web-1', uuid: '6f1c1a8e-8f0e-4a43-9d7e-3f2b8c1d2e4f',
};

describe('QEMU command line', () => {
  it('should be one argument vector with the console and agent on two serial ports and the VM named for its container', () => {
    expect(qemuArgs(base)).toEqual([
      '-accel', 'tcg', '-m', '256', '-smp', '1', '-nographic', '-monitor', 'none', '-nic', 'none', '-no-reboot',
      '-kernel', '/k/vmlinuz', '-initrd', '/c/initramfs.cpio', '-append', 'console=ttyS0 quiet panic=-1',
      '-serial', 'file:/c/console.log', '-serial', 'unix:/c/agent.sock,server=on,wait=off',
      '-qmp', 'unix:/c/qmp.sock,server=on,wait=off',
      '-name', 'guest=web-1,process=wc-web-1', '-uuid', base.uuid, '-pidfile', '/c/qemu.pid',
    ]);
  });

  it('should put qboot before the kernel for a PVH kernel, and no -bios otherwise', () => {
    const args = qemuArgs({ ...base, kernel: '/k/vmlinux', bios: '/usr/share/qemu/qboot.rom' });
    expect(args.slice(args.indexOf('-bios'), args.indexOf('-bios') + 4)).toEqual(['-bios', '/usr/share/qemu/qboot.rom', '-kernel', '/k/vmlinux']);
    expect(qemuArgs({ ...base, bios: null })).not.toContain('-bios');
  });

  it("should double commas so that a value cannot inject QEMU sub-options", () => {
    const args = qemuArgs({ ...base, guestName: 'a,debug-threads=on', agentSocket: '/x,y/agent.sock' });
    expect(args).toContain('guest=a,,debug-threads=on,process=wc-web-1');
    expect(args).toContain('unix:/x,,y/agent.sock,server=on,wait=off');
  });

  it('should give the worker a name within the 15 characters Linux keeps', () => {
    expect(workerProcessName('web-1')).toBe('wc-web-1');
    expect(workerProcessName('a-very-long-container-name')).toBe('wc-a-very-long-');
    expect(workerProcessName('a-very-long-container-name').length).toBe(15);
  });
});
