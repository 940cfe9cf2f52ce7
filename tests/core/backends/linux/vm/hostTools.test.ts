import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateKernel, locateQemu } from '../../../../../ts-core/src/backends/linux/vm/hostTools.js';
import { probeKvm } from '../../../../../ts-core/src/backends/linux/vm/kvmProbe.js';
import { pidsWithCommandLine } from './hostProcs.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wc-tools-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});


describe('locating the kernel', () => {
  it('should name the apt package and the setup command when no kernel is found', async () => {
    const locating = locateKernel({}, [path.join(dir, 'no-repo')], path.join(dir, 'no-boot'));
    await expect(locating).rejects.toMatchObject({ code: 'DependencyMissing', message: expect.stringMatching(/linux-image-amd64/), details: { package: 'linux-image-amd64' } });
    await expect(locating).rejects.toThrow(/npm run setup/);
  });

  it('should refuse an override that is not a file, naming it', async () => {
    await expect(locateKernel({ WINDOWSCONTAINERS_KERNEL: path.join(dir, 'nope') })).rejects.toMatchObject({
      code: 'DependencyMissing',
      message: expect.stringContaining(path.join(dir, 'nope')),
    });
  });

  it('should prefer the override, then the extracted kernel, then the newest /boot kernel', async () => {
    const repo = path.join(dir, 'repo');
    const boot = path.join(dir, 'boot');
    await mkdir(path.join(repo, '.tools/kernel'), { recursive: true });
    await mkdir(boot, { recursive: true });
    await writeFile(path.join(boot, 'vmlinuz-6.1.0-9-amd64'), 'k');
    await writeFile(path.join(boot, 'vmlinuz-6.1.0-10-amd64'), 'k');
    expect(await locateKernel({}, [repo], boot)).toBe(path.join(boot, 'vmlinuz-6.1.0-10-amd64'));
    await writeFile(path.join(repo, '.tools/kernel/vmlinuz'), 'k');
    expect(await locateKernel({}, [repo], boot)).toBe(path.join(repo, '.tools/kernel/vmlinuz'));
    expect(await locateKernel({ WINDOWSCONTAINERS_KERNEL: path.join(boot, 'vmlinuz-6.1.0-9-amd64') }, [repo], boot)).toBe(path.join(boot, 'vmlinuz-6.1.0-9-amd64'));
  });

  it('should find the kernel that build/setup.d/30-kernel.sh extracted into this checkout', async () => {
    const kernel = await locateKernel({});
    expect(kernel).toBe(path.resolve('.tools/kernel/vmlinuz'));
    expect((await readFile(path.resolve('.tools/kernel/version'), 'utf8'))).toMatch(/^\d+\.\d+\.\d+-\d+-amd64 /);
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
