/**
 * Launching QEMU. Its process is followed by identity (PID + start time,
 * processes/procfs), never by PID alone: a PID can be reused once the VM is gone.
 */
import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import { readProcessStat, waitForExit, type ProcessIdentity, type WaitForExitOptions } from '../../../processes/procfs/index.js';

export type Accelerator = 'kvm' | 'tcg';

export interface QemuLaunch {
  accel: Accelerator;
  memoryMB: number;
  cpuCount: number;
  kernel: string;
  /** -bios: qboot for a PVH kernel (hostTools.chooseKernel); absent means QEMU's default firmware. */
  bios?: string | null;
  initramfs: string | null;
  append: string;
  /** -serial file:… for the console; null sends the console to QEMU's stdout. */
  consoleLog: string | null;
  agentSocket: string | null;
  qmpSocket: string | null;
  pidFile: string | null;
  /** Goes into -name guest=… (QEMU's own name for the VM) and therefore the command line. */
  guestName: string | null;
  /** The name the host shows for the process (prctl PR_SET_NAME; at most 15 bytes). */
  processName: string | null;
  uuid: string | null;
}

/** QEMU's option syntax: a comma inside a value is written twice. */
export function qemuOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** The argument vector (never a shell string) for one utility VM. */
export function qemuArgs(launch: QemuLaunch): string[] {
  const args = [
    '-accel', launch.accel,
    '-m', String(launch.memoryMB),
    '-smp', String(launch.cpuCount),
    '-nographic', '-monitor', 'none',
    '-nic', 'none',
    '-no-reboot',
  ];
  if (launch.bios) args.push('-bios', launch.bios);
  args.push('-kernel', launch.kernel);
  if (launch.initramfs) args.push('-initrd', launch.initramfs);
  args.push('-append', launch.append);
  args.push('-serial', launch.consoleLog ? `file:${qemuOptionValue(launch.consoleLog)}` : 'stdio');
  if (launch.agentSocket) args.push('-serial', `unix:${qemuOptionValue(launch.agentSocket)},server=on,wait=off`);
  if (launch.qmpSocket) args.push('-qmp', `unix:${qemuOptionValue(launch.qmpSocket)},server=on,wait=off`);
  if (launch.guestName || launch.processName) {
    const parts: string[] = [];
    if (launch.guestName) parts.push(`guest=${qemuOptionValue(launch.guestName)}`);
    if (launch.processName) parts.push(`process=${qemuOptionValue(launch.processName)}`);
    args.push('-name', parts.join(','));
  }
  if (launch.uuid) args.push('-uuid', launch.uuid);
  if (launch.pidFile) args.push('-pidfile', launch.pidFile);
  return args;
}

/**
 * How to wait for a QEMU process to end: a QEMU whose launching core has gone
 * belongs to PID 1, which reaps it a moment later, so wait briefly for that
 * too, so that "stopped" also means "gone from the process table" wherever
 * PID 1 reaps.
 */
const qemuExitWait: WaitForExitOptions = { reapGraceMs: 2000 };

/** Waits until the recorded QEMU process has exited (and, best effort, been reaped); false when it still runs at the deadline. */
export async function waitForQemuExit(qemu: ProcessIdentity, timeoutMs: number): Promise<boolean> {
  return (await waitForExit([qemu], timeoutMs, qemuExitWait)).length === 0;
}

export interface LaunchedQemu {
  pid: number;
  startTimeMs: number;
  /** Resolves with the exit code/signal if QEMU exits while this core process runs. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

/**
 * Starts QEMU detached (its own session, stdio to a log file), so the VM
 * outlives the core process that started it: the core is one per PowerShell
 * runspace, containers are not.
 */
export async function launchQemu(qemuPath: string, args: string[], logFile: string, options: { cwd?: string; stdoutFd?: number } = {}): Promise<LaunchedQemu> {
  const log = await open(logFile, 'a', 0o600);
  let child;
  try {
    // cwd: relative file and socket names in args resolve in the container's own directory.
    // stdoutFd: where `-serial stdio` (the console) goes, e.g. the capped log writer's pipe.
    child = spawn(qemuPath, args, { detached: true, stdio: ['ignore', options.stdoutFd ?? log.fd, log.fd], ...(options.cwd ? { cwd: options.cwd } : {}) });
  } finally {
    await log.close();
  }
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => { done = true; resolve({ code, signal }); });
    child.once('error', () => { done = true; resolve({ code: null, signal: null }); });
  });
  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`could not start ${qemuPath}`);
  }
  child.unref();
  const stat = readProcessStat(pid);
  // Read right after spawn; if QEMU died already the start time is unknowable and the caller reports the exit.
  return { pid, startTimeMs: stat?.startTimeMs ?? -1, exited, hasExited: () => done };
}
