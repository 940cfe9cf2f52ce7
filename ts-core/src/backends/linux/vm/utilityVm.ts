/**
 * One utility VM per Hyper-V-isolated container: build the initramfs, boot
 * QEMU, wait for the guest agent, talk to it, stop it, remove every trace.
 * The VM's record (vm.json in the container directory) is what later core
 * processes use to find it again.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CoreError } from '../../../protocol/errors.js';
import { readJsonDocument } from '../../../util/jsonDocument.js';
import type { CommandContext } from '../../../protocol/dispatcher.js';
import { AgentClient, USER_HZ, withAgent, type AgentExecRequest, type AgentExecResult, type AgentExitStatus, type AgentProcessList } from './agentClient.js';
import type { GuestSpec } from './guestAgent.js';
import { chooseKernel, locateQemu, type KernelChoice } from './hostTools.js';
import { buildInitramfs, locateStaticBusybox } from './initramfs.js';
import { probeKvm } from './kvmProbe.js';
import { launchQemu, qemuArgs, waitForQemuExit, type Accelerator } from './qemuProcess.js';
import { isRunning, runningProcess, signalIfSame } from '../../../processes/procfs/index.js';
import { assertPrivateDirectory, withConnectablePath } from './socketPath.js';
import { startLogWriter } from '../containerLog.js';
import { splitLogTime } from '../logReader.js';

export const defaultMemoryMB = 256;
export const defaultCpuCount = 1;
/** Agent calls after boot: a ps round trip is 17–42 ms under TCG; allow for a contended host. */
export const defaultAgentTimeoutMs = 10_000;

const vmRecordSchema = z.object({
  version: z.literal(1),
  containerId: z.string().min(1),
  vmId: z.string().uuid(),
  pid: z.number().int().positive(),
  startTimeMs: z.number().int(),
  processName: z.string().min(1).max(15),
  accel: z.enum(['kvm', 'tcg']),
  memoryMB: z.number().int().positive(),
  cpuCount: z.number().int().positive(),
  qemuPath: z.string(),
  kernelPath: z.string(),
  qemuArgs: z.array(z.string()),
  dir: z.string(),
  socketDir: z.string(),
  files: z.object({
    initramfs: z.string(),
    console: z.string(),
    qemuLog: z.string(),
    agentSocket: z.string(),
    qmpSocket: z.string(),
    pidFile: z.string(),
  }),
  launchedAt: z.string(),
  readyAfterMs: z.number().nonnegative(),
});
export type VmRecord = z.infer<typeof vmRecordSchema>;

export const vmRecordFileName = 'vm.json';

export interface BootOptions {
  containerId: string;
  /** The container's own directory; the VM's files go here. */
  dir: string;
  rootfsDir: string;
  guest: GuestSpec;
  memoryMB?: number;
  cpuCount?: number;
  /** Forces an accelerator instead of the (cached) KVM probe. */
  accel?: Accelerator;
  bootTimeoutMs?: number;
  /** Boots the initramfs an earlier boot of this container built, when it is still there (a restart). */
  reuseInitramfs?: boolean;
  /** Told the QEMU process's identity as soon as it runs (the create journal records it). */
  onLaunched?: (worker: { pid: number; startTimeMs: number }) => void;
  /** Overrides for tests: a bad kernel must fail like a real one. */
  kernelPath?: string;
  qemuPath?: string;
}

/** The name the host shows for the QEMU process: "wc-" + up to 12 characters of the container id. */
export function workerProcessName(containerId: string): string {
  return `wc-${containerId.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 12)}`;
}

/**
 * The agent socket of a VM, checked first when an older record put it outside
 * the container directory (the shared-temp fallback of earlier versions).
 */
export function agentSocketOf(record: VmRecord): string {
  if (record.socketDir !== record.dir) assertPrivateDirectory(record.socketDir, `the agent socket of container '${record.containerId}'`);
  return record.files.agentSocket;
}

function tail(text: string, lines: number): string[] {
  // The console carries terminal escapes (the BIOS clears the screen); drop them.
  const clean = text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\x1bc/g, '').replace(/\r/g, '');
  return clean.split('\n').map((l) => splitLogTime(l).text.trimEnd()).filter((l) => l.length > 0).slice(-lines);
}

async function readTail(file: string, lines = 15): Promise<string[]> {
  try {
    return tail(await readFile(file, 'latin1'), lines);
  } catch {
    return [];
  }
}

export async function writeVmRecord(record: VmRecord): Promise<void> {
  const file = path.join(record.dir, vmRecordFileName);
  await writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** The VM record of a container directory; null when it has none; ContainerStateCorrupt when it is not ours. */
export async function readVmRecord(dir: string): Promise<VmRecord | null> {
  const file = path.join(dir, vmRecordFileName);
  return readJsonDocument(file, vmRecordSchema, (problem) => problem.kind === 'syntax'
    ? new CoreError('ContainerStateCorrupt', `${file} is not valid JSON: ${problem.message}. Remove the container with -Force.`)
    : new CoreError('ContainerStateCorrupt', `${file} is not a utility VM record:\n${problem.message}\nRemove the container with -Force.`));
}

function validateSize(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CoreError('InvalidArgument', `${name} ${value} is out of range: use a whole number from ${min} to ${max}.`, { details: { [name]: value } });
  }
}

/**
 * Boots the utility VM and returns once the agent said it is ready. On any
 * failure QEMU is killed and every file this call made is removed before the
 * error is thrown; a boot failure carries the last lines of the serial console.
 */
export async function bootUtilityVm(options: BootOptions, context: CommandContext): Promise<VmRecord> {
  const memoryMB = options.memoryMB ?? defaultMemoryMB;
  const cpuCount = options.cpuCount ?? defaultCpuCount;
  validateSize('MemoryMB', memoryMB, 6, 1_048_576);
  validateSize('CpuCount', cpuCount, 1, Math.max(1, os.availableParallelism()));
  const activity = `Booting the utility VM of container ${options.containerId}`;
  context.progress(activity, 'Locating QEMU and the kernel', 0);
  const qemuPath = options.qemuPath ?? (await locateQemu());
  const kernel: KernelChoice = options.kernelPath
    ? { path: options.kernelPath, flavour: 'custom', version: null, boot: 'bzimage', bios: null, why: `custom kernel (${options.kernelPath}): given by the caller` }
    : await chooseKernel();
  const kernelPath = kernel.path;
  context.verbose(`Utility VM kernel: ${kernel.why}.`);
  const busybox = await locateStaticBusybox();
  let accel: Accelerator;
  if (options.accel) accel = options.accel;
  else {
    context.progress(activity, 'Checking whether KVM works (cached after the first time)', 2);
    const probe = await probeKvm({ qemuPath, kernelPath, bios: kernel.bios });
    context.verbose(probe.reason);
    accel = probe.accel;
  }

  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  // Sockets stay in the container's own 0700 directory whatever its path's
  // length: QEMU binds them relative to its working directory (socketPath.ts).
  const socketDir = options.dir;
  assertPrivateDirectory(socketDir, `the sockets of container '${options.containerId}'`);
  const files = {
    initramfs: path.join(options.dir, 'initramfs.cpio'),
    console: path.join(options.dir, 'console.log'),
    qemuLog: path.join(options.dir, 'qemu.log'),
    agentSocket: path.join(socketDir, 'agent.sock'),
    qmpSocket: path.join(socketDir, 'qmp.sock'),
    pidFile: path.join(options.dir, 'qemu.pid'),
  };
  const created: string[] = [];
  let qemu: Awaited<ReturnType<typeof launchQemu>> | null = null;
  let client: AgentClient | null = null;
  const cleanUp = async (): Promise<void> => {
    client?.close();
    if (qemu) {
      signalIfSame(qemu, 'SIGKILL');
      await Promise.race([qemu.exited, waitForQemuExit(qemu, 10_000)]);
    }
    for (const file of created) await rm(file, { recursive: true, force: true });
  };

  try {
    context.progress(activity, 'Building the initramfs from the image', 5);
    const kept = options.reuseInitramfs === true && (await fileSize(files.initramfs)) > 0;
    if (kept) context.verbose(`Booting the kept initramfs of '${options.containerId}' again.`);
    else created.push(files.initramfs);
    if (!kept) await buildInitramfs({ rootfsDir: options.rootfsDir, outFile: files.initramfs, spec: options.guest, busyboxPath: busybox });

    const consolePipe = await startLogWriter(options.dir, path.basename(files.console));
    if (!consolePipe) context.verbose(`The console of '${options.containerId}' goes straight to ${path.basename(files.console)}, without a size cap: no pipe could be made here.`);
    else if (consolePipe.fallbackReason) context.verbose(`The console of '${options.containerId}' goes to ${path.basename(files.console)} through the node log writer rather than the native one: ${consolePipe.fallbackReason}.`);
    const vmId = randomUUID();
    const processName = workerProcessName(options.containerId);
    const args = qemuArgs({
      accel, memoryMB, cpuCount, kernel: kernelPath, bios: kernel.bios, initramfs: files.initramfs,
      // Relative to QEMU's working directory (the container directory): short
      // socket paths, and no state-dir path inside QEMU's option syntax.
      // The console (the workload's output) goes to QEMU's stdout, a pipe to the capped log writer
      // (containerLog.ts): `yes` in the guest must not fill the host's disk. Without a pipe, the file.
      append: 'console=ttyS0 quiet panic=-1', consoleLog: consolePipe ? null : path.basename(files.console),
      agentSocket: path.basename(files.agentSocket), qmpSocket: path.basename(files.qmpSocket), pidFile: path.basename(files.pidFile),
      guestName: options.containerId, processName, uuid: vmId,
    });
    created.push(files.console, files.qemuLog, files.agentSocket, files.qmpSocket, files.pidFile);
    context.progress(activity, `Starting ${path.basename(qemuPath)} (${accel.toUpperCase()}, ${memoryMB} MB, ${cpuCount} CPU)`, 10);
    const launchedAt = Date.now();
    try {
      qemu = await launchQemu(qemuPath, args, files.qemuLog, { cwd: options.dir, ...(consolePipe ? { stdoutFd: consolePipe.writeFd } : {}) });
    } finally {
      consolePipe?.close(); // QEMU holds its own copy; the writer ends when QEMU does
    }
    const launched = qemu;
    options.onLaunched?.({ pid: launched.pid, startTimeMs: launched.startTimeMs });

    const bootTimeoutMs = options.bootTimeoutMs ?? (accel === 'kvm' ? 30_000 : 120_000);
    const expectedMs = accel === 'kvm' ? 2_000 : 8_000;
    const ticker = setInterval(() => {
      const elapsed = Date.now() - launchedAt;
      const percent = Math.min(95, 10 + Math.floor((85 * elapsed) / (expectedMs * 1.5)));
      context.progress(activity, `Waiting for the guest agent (${(elapsed / 1000).toFixed(1)} s)`, percent);
    }, 500);
    try {
      const bootFailed = async (reason: string, cause?: unknown): Promise<CoreError> => {
        // Give QEMU a moment to flush the console before reading its tail.
        let why = reason;
        await new Promise((r) => setTimeout(r, 100));
        const consoleTail = await readTail(files.console);
        const qemuTail = await readTail(files.qemuLog, 5);
        const shown = [...qemuTail.map((l) => `qemu: ${l}`), ...consoleTail];
        const initramfsBytes = await fileSize(files.initramfs);
        // The kernel unpacks the initramfs into RAM: a VM smaller than a few times that cannot boot.
        if (memoryMB * 1024 * 1024 < 4 * initramfsBytes + 48 * 1024 * 1024) {
          why += ` (${memoryMB} MB is probably too little memory for the kernel and a ${Math.ceil(initramfsBytes / 1048576)} MB initramfs; the default is ${defaultMemoryMB} MB)`;
        }
        return new CoreError('VmBootFailed',
          `The utility VM of container '${options.containerId}' did not boot: ${why}.${shown.length ? ` Last lines of its serial console:\n${shown.join('\n')}` : ' The serial console is empty.'}`,
          { cause, details: { consoleTail, qemuTail, accel, memoryMB, kernel: kernelPath } });
      };
      const exitedEarly = launched.exited.then((exit) => exit);
      const deadline = launchedAt + bootTimeoutMs;
      try {
        client = await Promise.race([
          AgentClient.connect(files.agentSocket, bootTimeoutMs, () => !launched.hasExited()),
          exitedEarly.then(() => null),
        ]);
        if (!client) throw await bootFailed(`QEMU exited (${describeExit(await exitedEarly)}) before the guest agent's channel opened`);
        const ready = client.waitReady(options.containerId, Math.max(0, deadline - Date.now()));
        const outcome = await Promise.race([ready.then(() => 'ready' as const), exitedEarly.then(() => 'exited' as const)]);
        ready.catch(() => undefined);
        if (outcome === 'exited') throw await bootFailed(`QEMU exited (${describeExit(await exitedEarly)}) before the guest agent was ready`);
      } catch (error) {
        if (error instanceof CoreError && error.code === 'VmBootFailed') throw error;
        // The channel closes when QEMU exits; say that, not "timeout", when it is so.
        const exit = await Promise.race([exitedEarly, new Promise<null>((r) => setTimeout(r, 500, null))]);
        if (exit) throw await bootFailed(`QEMU exited (${describeExit(exit)}) before the guest agent was ready`, error);
        if (error instanceof CoreError && error.code === 'AgentTimeout') {
          throw await bootFailed(`the guest agent was not ready within ${Math.round(bootTimeoutMs / 1000)} s`, error);
        }
        throw error;
      }
    } finally {
      clearInterval(ticker);
    }
    const readyAfterMs = Date.now() - launchedAt;
    client.close();
    client = null;
    context.progress(activity, `Ready after ${(readyAfterMs / 1000).toFixed(1)} s`, 100);
    const record: VmRecord = {
      version: 1, containerId: options.containerId, vmId, pid: launched.pid, startTimeMs: launched.startTimeMs,
      processName, accel, memoryMB, cpuCount, qemuPath, kernelPath, qemuArgs: args, dir: options.dir, socketDir,
      files, launchedAt: new Date(launchedAt).toISOString(), readyAfterMs,
    };
    await writeVmRecord(record);
    return record;
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

export async function isVmAlive(record: VmRecord): Promise<boolean> {
  return isRunning(record);
}

function notRunning(record: VmRecord): CoreError {
  return new CoreError('RuntimeFailed', `The utility VM of container '${record.containerId}' is not running (QEMU process ${record.pid} is gone).`);
}

export async function vmProcesses(record: VmRecord, timeoutMs = defaultAgentTimeoutMs): Promise<AgentProcessList & { takenAtMs: number }> {
  if (!(await isVmAlive(record))) throw notRunning(record);
  return withAgent(agentSocketOf(record), timeoutMs, async (client) => {
    const list = await client.processes(timeoutMs);
    return { ...list, takenAtMs: Date.now() };
  });
}

export async function vmExitStatus(record: VmRecord, timeoutMs = defaultAgentTimeoutMs): Promise<AgentExitStatus> {
  if (!(await isVmAlive(record))) throw notRunning(record);
  return withAgent(agentSocketOf(record), timeoutMs, (client) => client.exitStatus(timeoutMs));
}

/**
 * Runs a command through the agent. The host waits the command's timeout, plus
 * 15 s, plus time for the output to cross the serial line (assumed no slower
 * than 32 KiB/s of base64): the agent answers itself once the timeout kills the command.
 */
export async function vmExec(record: VmRecord, request: AgentExecRequest): Promise<AgentExecResult> {
  if (!(await isVmAlive(record))) throw notRunning(record);
  const extraMs = 15_000 + Math.ceil((2 * request.maxOutputBytes * 4) / 3 / 32);
  return withAgent(agentSocketOf(record), defaultAgentTimeoutMs, (client) => client.exec(request, extraMs));
}

/** Host-clock start time of a guest process: the guest booted `uptime` seconds before the list was taken. */
export function guestStartTimeMs(list: { uptimeSeconds: number; takenAtMs: number }, startTicks: number): number {
  return Math.round(list.takenAtMs - list.uptimeSeconds * 1000 + (startTicks * 1000) / USER_HZ);
}

export interface WorkerInfo {
  pid: number;
  name: string;
  startTimeMs: number;
  rssBytes: number;
}

/** The QEMU process if it still is the one this record launched. */
export async function vmWorker(record: VmRecord): Promise<WorkerInfo | null> {
  const stat = runningProcess(record);
  if (!stat) return null;
  return { pid: stat.pid, name: stat.comm, startTimeMs: stat.startTimeMs, rssBytes: stat.rssBytes };
}

async function qmpQuit(socketPath: string, timeoutMs: number): Promise<void> {
  const net = await import('node:net');
  await withConnectablePath(socketPath, (connectPath) => new Promise<void>((resolve) => {
    const socket = net.connect(connectPath);
    const timer = setTimeout(() => { socket.destroy(); resolve(); }, timeoutMs);
    socket.on('error', () => { clearTimeout(timer); resolve(); });
    socket.on('close', () => { clearTimeout(timer); resolve(); });
    socket.on('connect', () => {
      socket.write('{"execute":"qmp_capabilities"}\n{"execute":"quit"}\n');
    });
    socket.resume();
  }));
}

export interface StopOutcome {
  /** Which step stopped it: agent shutdown, QEMU quit (QMP), kill, or it was not running. */
  how: 'agent' | 'qmp' | 'kill' | 'not-running';
  exitCode: number | null;
}

/**
 * Stops the VM: the agent stops the workload and powers the guest off; if the
 * VM is still there after the timeout, QEMU is told to quit over QMP, then
 * killed. The workload's exit code is read from the agent first, if it has one.
 */
export async function stopUtilityVm(record: VmRecord, timeoutMs: number, context?: CommandContext): Promise<StopOutcome> {
  if (!(await isVmAlive(record))) return { how: 'not-running', exitCode: null };
  let exitCode: number | null = null;
  const activity = `Stopping the utility VM of container ${record.containerId}`;
  context?.progress(activity, 'Asking the guest agent to shut down', 10);
  try {
    await withAgent(agentSocketOf(record), Math.min(timeoutMs, 5000), async (client) => {
      const status = await client.exitStatus(Math.min(timeoutMs, 5000));
      if (status.state === 'exited') exitCode = status.code;
      await client.shutdown(Math.min(timeoutMs, 5000));
    });
    if (await waitForQemuExit(record, timeoutMs)) return { how: 'agent', exitCode };
  } catch (error) {
    context?.verbose(`The guest agent did not shut the VM down: ${(error as Error).message}`);
  }
  context?.progress(activity, 'Telling QEMU to quit', 60);
  if (record.socketDir === record.dir) await qmpQuit(record.files.qmpSocket, 3000);
  if (await waitForQemuExit(record, 3000)) return { how: 'qmp', exitCode };
  context?.progress(activity, 'Killing QEMU', 90);
  signalIfSame(record, 'SIGKILL');
  if (await waitForQemuExit(record, 10_000)) return { how: 'kill', exitCode };
  throw new CoreError('RuntimeFailed', `QEMU process ${record.pid} of container '${record.containerId}' survived SIGKILL.`);
}

/** Stops the VM if needed and removes every file it had (the container directory itself is the caller's). */
export async function destroyUtilityVm(record: VmRecord, context?: CommandContext): Promise<void> {
  await stopUtilityVm(record, 5000, context);
  for (const file of Object.values(record.files)) await rm(file, { force: true });
  // An older record's socket folder in the shared temp folder: removed only if it is still ours and private.
  if (record.socketDir !== record.dir) {
    try {
      assertPrivateDirectory(record.socketDir, 'the sockets');
      await rm(record.socketDir, { recursive: true, force: true });
    } catch (error) {
      context?.verbose(`Left ${record.socketDir} alone: ${(error as Error).message}`);
    }
  }
  await rm(path.join(record.dir, vmRecordFileName), { force: true });
}

/** Bytes of a file or 0; used by the backend's status. */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
