/**
 * Real QEMU (TCG) boots. Each boot costs seconds of CPU on a shared 2-core
 * machine, so one boot carries the whole happy path and the agent-timeout
 * fault; the boot failures die within a second.
 */
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootUtilityVm, destroyUtilityVm, guestStartTimeMs, isVmAlive, readVmRecord, stopUtilityVm, vmExitStatus, vmProcesses, vmWorker, workerProcessName,
} from '../../../../../ts-core/src/backends/linux/vm/utilityVm.js';
import type { CommandContext } from '../../../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../../../ts-core/src/protocol/scope.js';
import { kernelsDir } from '../../../../../ts-core/src/backends/linux/vm/hostTools.js';
import { descendantsOf, hostProcesses, pidsWithCommandLine } from './hostProcs.js';

let work: string;
let rootfs: string;
const previousState = process.env.WINDOWSCONTAINERS_STATE_DIR;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'wc-vm-'));
  process.env.WINDOWSCONTAINERS_STATE_DIR = path.join(work, 'state');
  // A minimal busybox image: what the image store holds for "busybox".
  rootfs = path.join(work, 'rootfs');
  await mkdir(path.join(rootfs, 'bin'), { recursive: true });
  await copyFile('/bin/busybox', path.join(rootfs, 'bin/busybox'));
  for (const applet of ['sh', 'ping', 'sleep']) await symlink('busybox', path.join(rootfs, 'bin', applet));
});

afterAll(async () => {
  if (previousState === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
  else process.env.WINDOWSCONTAINERS_STATE_DIR = previousState;
  await rm(work, { recursive: true, force: true });
});

describe('utility VM on real QEMU', () => {
  it('should boot a busybox VM whose ping only the guest sees, with a worker tied to the container, and stop and remove it without a trace', async () => {
    const id = `vmt${process.pid}`;
    const dir = path.join(work, 'containers', id);
    // An unusual packet size makes this ping's command line unique on a host shared with other tests.
    const size = String(100 + (process.pid % 800));
    const progress: Array<{ status: string; percent?: number }> = [];
    const context: CommandContext = { ...newRequestScope(), requestId: 1, progress: (_a, status, percent) => progress.push({ status, percent }), verbose: () => undefined, warning: () => undefined };
    const record = await bootUtilityVm({
      containerId: id, dir, rootfsDir: rootfs,
      guest: { containerId: id, hostname: 'vmtest', workingDir: '/', command: ['sh', '-c', `ping -s ${size} 127.0.0.1 & sleep 2; exit 3`], env: {} },
    }, context);
    let stopped = false;
    try {
      expect(record.accel).toBe('tcg'); // no usable /dev/kvm on these machines
      expect(progress.some((p) => /Waiting for the guest agent|Ready after/.test(p.status))).toBe(true);
      expect(progress.at(-1)?.percent).toBe(100);
      expect(await readVmRecord(dir)).toEqual(record);

      // The worker: the QEMU process under the container's process name, the container id in its command line.
      const worker = await vmWorker(record);
      expect(worker).toMatchObject({ pid: record.pid, name: workerProcessName(id), startTimeMs: record.startTimeMs });
      expect(workerProcessName(id).length).toBeLessThanOrEqual(15);
      const qemuHost = hostProcesses().find((p) => p.pid === record.pid)!;
      expect(qemuHost.comm).toBe(workerProcessName(id));
      expect(qemuHost.cmdline).toContain(`guest=${id}`);
      expect(worker!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);

      // What the container sees.
      const list = await vmProcesses(record);
      const ping = list.processes.find((p) => p.name === 'ping');
      expect(ping).toBeDefined();
      expect(ping!.commandLine).toBe(`ping -s ${size} 127.0.0.1`);
      expect(list.processes.some((p) => p.pid === 1)).toBe(false); // the agent is not the container's
      const start = guestStartTimeMs(list, ping!.startTicks);
      expect(Math.abs(start - Date.parse(record.launchedAt))).toBeLessThan(120_000);

      // What the host sees: no such ping anywhere, and QEMU has no child processes at all.
      expect(pidsWithCommandLine(`ping -s ${size} 127.0.0.1`)).toEqual([]);
      expect(descendantsOf(record.pid)).toEqual([]);

      // The container command's exit is reported (ping, started in its session, keeps running).
      let status = await vmExitStatus(record);
      for (let i = 0; status.state === 'running' && i < 100; i++) {
        await new Promise((r) => setTimeout(r, 300));
        status = await vmExitStatus(record);
      }
      expect(status).toMatchObject({ state: 'exited', code: 3 });
      expect((await vmProcesses(record)).processes.some((p) => p.name === 'ping')).toBe(true);

      // An agent that stops answering: a timeout, not a hang.
      process.kill(record.pid, 'SIGSTOP');
      try {
        // AgentTimeout (not an answer, not a hang) is the whole claim; how long it took depends on the machine.
        await expect(vmProcesses(record, 1500)).rejects.toMatchObject({ code: 'AgentTimeout' });
      } finally {
        process.kill(record.pid, 'SIGCONT');
      }
      expect((await vmProcesses(record)).processes.some((p) => p.name === 'ping')).toBe(true);

      const outcome = await stopUtilityVm(record, 20_000);
      stopped = true;
      expect(outcome).toEqual({ how: 'agent', exitCode: 3 });
      expect(await isVmAlive(record)).toBe(false);
      await destroyUtilityVm(record);
      expect(await readdir(dir)).toEqual([]);
      expect(pidsWithCommandLine(`guest=${id}`)).toEqual([]);
    } finally {
      if (!stopped) await destroyUtilityVm(record).catch(() => undefined);
    }
  }, 240_000);

  it('should report garbage a guest writes on the agent port as AgentProtocolError, and stop such a VM through QEMU (QMP)', async () => {
    // The workload is root in the guest and can write to the agent's serial port: its output is untrusted.
    const id = `vmg${process.pid}`;
    const dir = path.join(work, 'containers', id);
    const context: CommandContext = { ...newRequestScope(), requestId: 1, progress: () => undefined, verbose: () => undefined, warning: () => undefined };
    const record = await bootUtilityVm({
      containerId: id, dir, rootfsDir: rootfs, accel: 'tcg',
      guest: { containerId: id, hostname: 'liar', workingDir: '/', command: ['sh', '-c', 'while :; do echo "the guest lies"; sleep 0.05; done >/dev/ttyS1'], env: {} },
    }, context);
    try {
      await expect(vmProcesses(record, 5000)).rejects.toMatchObject({ code: 'AgentProtocolError', message: expect.stringContaining('"the guest lies"') });
      const outcome = await stopUtilityVm(record, 3000);
      expect(outcome.how).toBe('qmp');
      expect(await isVmAlive(record)).toBe(false);
    } finally {
      await destroyUtilityVm(record);
    }
    expect(await readdir(dir)).toEqual([]);
    expect(pidsWithCommandLine(`guest=${id},`)).toEqual([]);
  }, 240_000);

  it('should fail a boot with a bad kernel with VmBootFailed quoting QEMU, and leave no process or file', async () => {
    const id = `vmk${process.pid}`;
    const dir = path.join(work, 'containers', id);
    const badKernel = path.join(work, 'not-a-kernel');
    await writeFile(badKernel, 'this is not a bzImage\n'.repeat(100));
    await expect(bootUtilityVm({
      containerId: id, dir, rootfsDir: rootfs, kernelPath: badKernel, accel: 'tcg', bootTimeoutMs: 60_000,
      guest: { containerId: id, hostname: 'x', workingDir: '/', command: ['sleep', '100'], env: {} },
    }, { ...newRequestScope(), requestId: 1, progress: () => undefined, verbose: () => undefined, warning: () => undefined })).rejects.toMatchObject({
      code: 'VmBootFailed',
      message: expect.stringMatching(/QEMU exited .* before/),
      details: { qemuTail: expect.arrayContaining([expect.stringMatching(/kernel|linux/i)]) },
    });
    expect(pidsWithCommandLine(`guest=${id}`)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  }, 120_000);

  it('should fail a VM with too little memory with the tail of its serial console, and leave no process or file', async () => {
    const id = `vmm${process.pid}`;
    const dir = path.join(work, 'containers', id);
    // The generic bzImage triple-faults at 16 MB and QEMU exits at once. (The minimal PVH
    // kernel instead hangs at 16 MB until the boot timeout: see the VM README's facts.)
    const booting = bootUtilityVm({
      containerId: id, dir, rootfsDir: rootfs, memoryMB: 16, accel: 'tcg', bootTimeoutMs: 60_000,
      kernelPath: path.join(kernelsDir(), 'generic', 'vmlinuz'),
      guest: { containerId: id, hostname: 'x', workingDir: '/', command: ['sleep', '100'], env: {} },
    }, { ...newRequestScope(), requestId: 1, progress: () => undefined, verbose: () => undefined, warning: () => undefined });
    await expect(booting).rejects.toMatchObject({ code: 'VmBootFailed', message: expect.stringMatching(/Last lines of its serial console:\n(.|\n)*Booting from ROM/) });
    await expect(booting).rejects.toThrow(/16 MB is probably too little memory/);
    expect(pidsWithCommandLine(`guest=${id}`)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  }, 120_000);

  it('should refuse a CPU count the host does not have before starting anything', async () => {
    const id = `vmc${process.pid}`;
    await expect(bootUtilityVm({
      containerId: id, dir: path.join(work, 'containers', id), rootfsDir: rootfs, cpuCount: 4096, accel: 'tcg',
      guest: { containerId: id, hostname: 'x', workingDir: '/', command: ['sleep', '1'], env: {} },
    }, { ...newRequestScope(), requestId: 1, progress: () => undefined, verbose: () => undefined, warning: () => undefined })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/CpuCount 4096 is out of range/),
    });
    expect(pidsWithCommandLine(`guest=${id}`)).toEqual([]);
  });
});

