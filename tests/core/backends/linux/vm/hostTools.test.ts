import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseKernel, kernelsDir, locateKernel, locateQemu } from '../../../../../ts-core/src/backends/linux/vm/hostTools.js';
import { cachedKvmProbe, probeKvm } from '../../../../../ts-core/src/backends/linux/vm/kvmProbe.js';
import { pidsWithCommandLine } from './hostProcs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wc-tools-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});


describe('choosing the kernel', () => {
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(57)]);
  async function layout(name: string): Promise<{ kernels: string; boot: string; qboot: string }> {
    const base = path.join(dir, name);
    await mkdir(path.join(base, 'kernels'), { recursive: true });
    await mkdir(path.join(base, 'boot'), { recursive: true });
    await writeFile(path.join(base, 'qboot.rom'), 'firmware');
    return { kernels: path.join(base, 'kernels'), boot: path.join(base, 'boot'), qboot: path.join(base, 'qboot.rom') };
  }
  async function install(kernels: string, flavour: string, file: string, content: string | Buffer, version: string): Promise<string> {
    await mkdir(path.join(kernels, flavour), { recursive: true });
    await writeFile(path.join(kernels, flavour, file), content);
    await writeFile(path.join(kernels, flavour, 'version'), `${version}\n`);
    return path.join(kernels, flavour, file);
  }

  it('should name the apt package and the setup command when no kernel is found', async () => {
    const { kernels, boot } = await layout('none');
    const choosing = chooseKernel({ env: {}, dir: kernels, bootDir: path.join(boot, 'missing') });
    await expect(choosing).rejects.toMatchObject({
      code: 'DependencyMissing',
      message: expect.stringMatching(/linux-image-cloud-amd64/),
      details: { package: 'linux-image-cloud-amd64' },
    });
    await expect(choosing).rejects.toThrow(/npm run setup/);
    await expect(choosing).rejects.toThrow(kernels);
  });

  it('should refuse an override that is not a file, naming it', async () => {
    await expect(locateKernel({ WINDOWSCONTAINERS_KERNEL: path.join(dir, 'nope') })).rejects.toMatchObject({
      code: 'DependencyMissing',
      message: expect.stringContaining(path.join(dir, 'nope')),
    });
  });

  it('should fall back minimal -> cloud -> generic -> the newest /boot kernel, saying what it passed over', async () => {
    const { kernels, boot, qboot } = await layout('order');
    await writeFile(path.join(boot, 'vmlinuz-6.1.0-9-amd64'), 'k');
    await writeFile(path.join(boot, 'vmlinuz-6.1.0-10-amd64'), 'k');
    const choose = () => chooseKernel({ env: {}, dir: kernels, bootDir: boot, qboot: [qboot] });

    let choice = await choose();
    expect(choice).toMatchObject({ path: path.join(boot, 'vmlinuz-6.1.0-10-amd64'), flavour: 'host', boot: 'bzimage', bios: null });
    expect(choice.why).toMatch(/no minimal kernel at .*linux-source-6\.1.* no cloud kernel at .* no generic kernel at /);

    await install(kernels, 'generic', 'vmlinuz', 'bz', '6.1.0-57-amd64 6.1.158-1');
    choice = await choose();
    expect(choice).toMatchObject({ flavour: 'generic', version: '6.1.0-57-amd64', boot: 'bzimage', bios: null });

    await install(kernels, 'cloud', 'vmlinuz', 'bz', '6.1.0-57-cloud-amd64 6.1.158-1');
    choice = await choose();
    expect(choice).toMatchObject({ path: path.join(kernels, 'cloud/vmlinuz'), flavour: 'cloud', version: '6.1.0-57-cloud-amd64' });
    expect(choice.why).toMatch(/^cloud kernel 6\.1\.0-57-cloud-amd64 .*bzImage.*passed over: no minimal kernel/);

    // A "minimal" kernel that is not an ELF vmlinux cannot boot PVH: passed over, with the reason.
    await install(kernels, 'minimal', 'vmlinux', 'not elf', '6.1.158 minimal 1234');
    choice = await choose();
    expect(choice.flavour).toBe('cloud');
    expect(choice.why).toContain('is not an ELF vmlinux');

    await install(kernels, 'minimal', 'vmlinux', elf, '6.1.158 minimal 1234');
    choice = await choose();
    expect(choice).toMatchObject({ path: path.join(kernels, 'minimal/vmlinux'), flavour: 'minimal', version: '6.1.158', boot: 'pvh', bios: qboot });
    expect(choice.why).toMatch(/PVH with qboot\): the best kernel present \(fallbacks: cloud, generic\)/);
  });

  it('should boot a PVH kernel with QEMU\'s default firmware where qboot is missing', async () => {
    const { kernels, boot } = await layout('noqboot');
    await install(kernels, 'minimal', 'vmlinux', elf, '6.1.158 minimal 1234');
    const choice = await chooseKernel({ env: {}, dir: kernels, bootDir: boot, qboot: [path.join(dir, 'no-qboot.rom')] });
    expect(choice).toMatchObject({ boot: 'pvh', bios: null });
    expect(choice.why).toMatch(/PVH\)/);
  });

  it('should take the override, keeping the flavour of a kernel set-up installed', async () => {
    const { kernels, boot } = await layout('override');
    const cloud = await install(kernels, 'cloud', 'vmlinuz', 'bz', '6.1.0-57-cloud-amd64 6.1.158-1');
    await install(kernels, 'minimal', 'vmlinux', elf, '6.1.158 minimal 1234');
    expect(await chooseKernel({ env: { WINDOWSCONTAINERS_KERNEL: cloud }, dir: kernels, bootDir: boot })).toMatchObject({ path: cloud, flavour: 'cloud', version: '6.1.0-57-cloud-amd64' });
    const other = path.join(dir, 'override', 'bzImage');
    await writeFile(other, 'bz');
    const custom = await chooseKernel({ env: { WINDOWSCONTAINERS_KERNEL: other }, dir: kernels, bootDir: boot });
    expect(custom).toMatchObject({ path: other, flavour: 'custom', version: null });
    expect(custom.why).toContain('WINDOWSCONTAINERS_KERNEL');
  });

  it('should look in WINDOWSCONTAINERS_KERNEL_DIR, else the machine-wide kernels directory, never under a state-dir override', () => {
    expect(kernelsDir({ WINDOWSCONTAINERS_KERNEL_DIR: '/srv/k' })).toBe('/srv/k');
    expect(kernelsDir({ WINDOWSCONTAINERS_STATE_DIR: '/tmp/private' })).toBe('/var/lib/windowscontainers/kernels');
  });

  it('should find a kernel that build/setup.d/30-kernel.sh installed in the kernels directory', async () => {
    const choice = await chooseKernel();
    expect(['minimal', 'cloud', 'generic']).toContain(choice.flavour);
    expect(path.dirname(path.dirname(choice.path))).toBe(kernelsDir());
    expect(await readFile(path.join(path.dirname(choice.path), 'version'), 'utf8')).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('locating QEMU', () => {
  it('should name the apt package when qemu-system-x86_64 is not on PATH', async () => {
    await expect(locateQemu({ PATH: dir })).rejects.toMatchObject({ code: 'DependencyMissing', message: expect.stringMatching(/apt-get install qemu-system-x86/) });
  });

  it('should find it on PATH', async () => {
    expect(await locateQemu({ PATH: `${dir}:/usr/bin` })).toBe('/usr/bin/qemu-system-x86_64');
  });
});

describe('KVM probe', () => {
  it('should choose TCG at once when the KVM device does not exist', async () => {
    const result = await probeKvm({ qemuPath: '/usr/bin/qemu-system-x86_64', kernelPath: '/nonexistent', devicePath: path.join(dir, 'kvm'), cacheFile: null });
    expect(result.accel).toBe('tcg');
    // Decided from the missing device alone: no test boot was tried (that reason would name it).
    expect(result.reason).toMatch(/does not exist/);
  });

  it('should still answer when the cache cannot be written', async () => {
    const blocker = path.join(dir, 'not-a-dir');
    await writeFile(blocker, '');
    const result = await probeKvm({ qemuPath: '/usr/bin/qemu-system-x86_64', kernelPath: '/nonexistent', devicePath: path.join(dir, 'kvm'), cacheFile: path.join(blocker, 'kvm-probe.json') });
    expect(result).toMatchObject({ accel: 'tcg', cached: false });
  });

  it('should boot nothing when only a cached answer is wanted (listing, testing), and use the cache once there is one', async () => {
    // A "QEMU" that leaves a mark if it is ever started.
    const marker = path.join(dir, 'lazy-started');
    const fakeQemu = path.join(dir, 'marking-qemu');
    await writeFile(fakeQemu, `#!/bin/sh\ntouch ${marker}\n`);
    await chmod(fakeQemu, 0o755);
    const device = path.join(dir, 'lazy-kvm');
    await writeFile(device, '');
    const cacheFile = path.join(dir, 'lazy-cache/kvm-probe.json');
    const options = { qemuPath: fakeQemu, kernelPath: '/nonexistent', devicePath: device, timeoutMs: 1500, cacheFile };
    expect(await cachedKvmProbe(options)).toBeNull();
    await new Promise((r) => setTimeout(r, 200));
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
    // The device decides alone where it is missing: still no boot.
    expect(await cachedKvmProbe({ ...options, devicePath: path.join(dir, 'no-kvm') })).toMatchObject({ accel: 'tcg', cached: false });
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
    // A full probe boots (this fake exits at once without a kernel line: TCG) and caches; the lazy one then reads it.
    const full = await probeKvm(options);
    expect(full).toMatchObject({ accel: 'tcg', cached: false });
    expect(await readFile(marker, 'utf8')).toBe('');
    expect(await cachedKvmProbe(options)).toMatchObject({ accel: 'tcg', cached: true, reason: full.reason });
    // Another guest kernel does not invalidate the answer.
    expect(await cachedKvmProbe({ ...options, kernelPath: '/other/vmlinux' })).toMatchObject({ accel: 'tcg', cached: true });
  });

  it('should bound a test boot that hangs, kill it, choose TCG and cache the answer', async () => {
    // A "QEMU" that never exits, and a device node it may open: the nested-KVM hang in miniature.
    const fakeQemu = path.join(dir, 'hanging-qemu');
    // A unique sleep duration marks it in the process table.
    const token = `600.${process.pid}`;
    await writeFile(fakeQemu, `#!/bin/sh\nexec sleep ${token}\n`);
    await chmod(fakeQemu, 0o755);
    const device = path.join(dir, 'fake-kvm');
    await writeFile(device, '');
    const cacheFile = path.join(dir, 'cache/kvm-probe.json');
    // The probe's work directory goes under the temp dir: a private one, so
    // that other probes on this machine cannot show up in the check below.
    const tmp = path.join(dir, 'tmp');
    await mkdir(tmp);
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const started = Date.now();
      const result = await probeKvm({ qemuPath: fakeQemu, kernelPath: '/nonexistent', devicePath: device, timeoutMs: 1500, cacheFile });
      expect(result.accel).toBe('tcg');
      expect(result.reason).toMatch(/did not finish within 1500 ms/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
      expect(pidsWithCommandLine(token)).toEqual([]);
      const again = await probeKvm({ qemuPath: fakeQemu, kernelPath: '/nonexistent', devicePath: device, timeoutMs: 1500, cacheFile });
      expect(again).toMatchObject({ accel: 'tcg', cached: true });
      expect(os.tmpdir()).toBe(tmp);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
  });
});
