/**
 * Hyper-V-class isolation for the linux backend: each container runs in its
 * own QEMU utility VM (vm/). The host sees the QEMU process, named for the
 * container, and none of the container's processes; those are listed by the
 * guest agent.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { containerDir } from '../../paths.js';
import { CoreError, toCoreError } from '../../protocol/errors.js';
import type { ContainerProcess, WorkerClaim } from '../types.js';
import type { LinuxRuntime, RuntimeStatus } from './runtime.js';
import type { ContainerMetadata } from './state.js';
import { USER_HZ } from './vm/agentClient.js';
import { signalIfSame, waitForExit } from './vm/qemuProcess.js';
import { readProcessStat } from '../../processes/linuxSnapshot.js';
import {
  bootUtilityVm, defaultCpuCount, defaultMemoryMB, destroyUtilityVm, guestStartTimeMs, isVmAlive, readVmRecord,
  stopUtilityVm, vmExitStatus, vmProcesses, workerProcessName, type VmRecord,
} from './vm/utilityVm.js';

/** Status calls ask the agent too; a wedged VM must not stall Get-IsolatedContainer for long. */
const STATUS_AGENT_TIMEOUT_MS = 3000;

/** The token that ties the QEMU process to this container: QEMU's -name value, delimited. */
export function workerTieToken(containerId: string): string {
  return `guest=${containerId.replaceAll(',', ',,')},`;
}

async function recordOf(metadata: ContainerMetadata): Promise<VmRecord | null> {
  return readVmRecord(containerDir(metadata.name));
}

/**
 * QEMU processes of this container that no vm.json records (a core that died
 * mid-boot): the only ones with this container directory's initramfs on their
 * command line and the container's worker name.
 */
async function strayWorkers(name: string): Promise<{ pid: number; startTimeMs: number }[]> {
  const initramfs = path.join(containerDir(name), 'initramfs.cpio');
  const found: { pid: number; startTimeMs: number }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
      const initrd = args.indexOf('-initrd');
      if (initrd < 0 || args[initrd + 1] !== initramfs) continue;
      const stat = readProcessStat(pid);
      if (stat && stat.comm === workerProcessName(name)) found.push({ pid, startTimeMs: stat.startTimeMs });
    } catch {
      // exited while we looked
    }
  }
  return found;
}

export function createQemuRuntime(): LinuxRuntime {
  return {
    kind: 'qemu',
    isolation: 'HyperV',

    async start(metadata, image, context) {
      const record = await bootUtilityVm({
        containerId: metadata.runtimeId,
        dir: containerDir(metadata.name),
        rootfsDir: image.rootfs,
        memoryMB: metadata.memoryMB ?? defaultMemoryMB,
        cpuCount: metadata.cpuCount ?? defaultCpuCount,
        guest: {
          containerId: metadata.runtimeId,
          hostname: metadata.hostname,
          workingDir: metadata.workingDir,
          command: metadata.command,
          env: metadata.env,
          user: metadata.user,
        },
      }, context);
      return {
        ...metadata,
        memoryMB: record.memoryMB,
        cpuCount: record.cpuCount,
        startedAt: new Date().toISOString(),
        hostPid: null,
        hostPidStartTimeMs: null,
        workerPid: record.pid,
        workerStartTimeMs: record.startTimeMs,
        runtimeData: { vmId: record.vmId, accelerator: record.accel, workerName: record.processName, readyAfterMs: record.readyAfterMs },
      };
    },

    async statusAll(list) {
      const statuses = new Map<string, RuntimeStatus>();
      for (const metadata of list) {
        let status: RuntimeStatus = { state: 'unknown', hostPid: null };
        try {
          const record = await recordOf(metadata);
          if (!record || !(await isVmAlive(record))) status = { state: 'exited', hostPid: null };
          else {
            // The VM may outlive its command: the agent says whether the command still runs, and its exit code.
            const agent = await vmExitStatus(record, STATUS_AGENT_TIMEOUT_MS);
            status = agent.state === 'running' ? { state: 'running', hostPid: null } : { state: 'exited', hostPid: null, exitCode: agent.code };
          }
        } catch {
          // A VM that does not answer is neither running nor exited as far as anyone can tell.
        }
        statuses.set(metadata.name, status);
      }
      return statuses;
    },

    async processes(metadata) {
      const record = await recordOf(metadata);
      if (!record || !(await isVmAlive(record))) return [];
      const list = await vmProcesses(record);
      return list.processes.map((p): ContainerProcess => ({
        containerPid: p.pid,
        name: p.name,
        commandLine: p.commandLine,
        claimedHostPid: null, // the guest's processes are not the host's
        startTimeMs: guestStartTimeMs(list, p.startTicks),
        workingSetBytes: p.rssBytes,
        privateBytes: null,
        pagedBytes: null,
        nonPagedBytes: null,
        cpuSeconds: p.cpuTicks / USER_HZ,
        sessionId: null,
      })).sort((a, b) => a.containerPid - b.containerPid);
    },

    async worker(metadata): Promise<WorkerClaim | null> {
      const record = await recordOf(metadata);
      if (!record) return null;
      return {
        pid: record.pid,
        name: record.processName,
        startTimeMs: record.startTimeMs,
        tieToken: workerTieToken(record.containerId),
        tieField: 'commandLine',
        how: `The QEMU process this module launched for the container's utility VM (recorded in vm.json at launch: PID ${record.pid}, started ${new Date(record.startTimeMs).toISOString()}); QEMU was started with -name guest=${record.containerId},process=${record.processName}.`,
      };
    },

    async stop(metadata, timeoutSeconds, context) {
      const record = await recordOf(metadata);
      if (!record || !(await isVmAlive(record))) return metadata;
      const outcome = await stopUtilityVm(record, timeoutSeconds * 1000, context);
      context.verbose(`The utility VM of '${metadata.name}' stopped (${outcome.how}).`);
      return { ...metadata, stoppedAt: new Date().toISOString(), exitCode: outcome.exitCode ?? metadata.exitCode };
    },

    async destroy(name, metadata, context) {
      let record: VmRecord | null = null;
      try {
        record = await readVmRecord(containerDir(name));
      } catch (error) {
        context?.warning(`${toCoreError(error).message.split('\n')[0]} Looking for its QEMU process by command line instead.`);
      }
      if (record) await destroyUtilityVm(record, context ?? undefined);
      // Also whatever a crashed create or a damaged record left running.
      const strays = await strayWorkers(name);
      if (metadata?.workerPid && metadata.workerStartTimeMs !== null) strays.push({ pid: metadata.workerPid, startTimeMs: metadata.workerStartTimeMs });
      for (const stray of strays) {
        if (await signalIfSame(stray.pid, stray.startTimeMs, 'SIGKILL')) {
          if (!(await waitForExit(stray.pid, stray.startTimeMs, 10_000))) {
            throw new CoreError('RuntimeFailed', `QEMU process ${stray.pid} of container '${name}' survived SIGKILL.`, { details: { name, pid: stray.pid } });
          }
        }
      }
    },
  };
}
