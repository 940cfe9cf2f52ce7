/**
 * Hyper-V-class isolation for the linux backend: each container runs in its
 * own QEMU utility VM (vm/). The host sees the QEMU process, named for the
 * container, and none of the container's processes; those are listed by the
 * guest agent.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { containerDir } from '../../paths.js';
import { CoreError, toCoreError } from '../../protocol/errors.js';
import type { ContainerProcess, WorkerClaim } from '../types.js';
import type { LinuxRuntime, RuntimeStatus } from './runtime.js';
import type { ContainerMetadata } from './state.js';
import type { ImageRecord } from './images.js';
import type { CommandContext } from '../../protocol/dispatcher.js';
import { USER_HZ } from './vm/agentClient.js';
import { recordJournalWorker } from './journal.js';
import { waitForQemuExit } from './vm/qemuProcess.js';
import { holdsListeningSocket, listPids, readArguments, readProcessStat, signalIfSame, type ProcessIdentity } from '../../processes/procfs/index.js';
import {
  bootUtilityVm, defaultCpuCount, defaultMemoryMB, destroyUtilityVm, guestStartTimeMs, isVmAlive, readVmRecord,
  agentSocketOf, stopUtilityVm, vmExec, vmExitStatus, vmProcesses, workerProcessName, type VmRecord,
} from './vm/utilityVm.js';
import { defaultGuestPath, execScript } from './vm/guestAgent.js';

/** Status calls ask the agent too; a wedged VM must not stall Get-IsolatedContainer for long. */
const STATUS_AGENT_TIMEOUT_MS = 3000;

/**
 * Who an exec runs as in the guest: -User as uid or uid:gid (the guest's
 * users are the image's, which the host does not read again here), else the
 * container's own user, else root.
 */
export function execUser(metadata: ContainerMetadata, user: string | null): { uid: number; gid: number; additionalGids: number[] } {
  if (user === null || user === '') {
    const own = metadata.user;
    return own ? { uid: own.uid, gid: own.gid, additionalGids: own.additionalGids } : { uid: 0, gid: 0, additionalGids: [] };
  }
  const match = /^(\d{1,10})(?::(\d{1,10}))?$/.exec(user);
  const uid = match ? Number(match[1]) : NaN;
  const gid = match?.[2] !== undefined ? Number(match[2]) : 0;
  if (!match || uid > 4_294_967_294 || gid > 4_294_967_294) {
    throw new CoreError('InvalidArgument', `-User '${user}' is not a uid or uid:gid. In a HyperV container a command's user is given by number (e.g. 1000 or 1000:1000).`, { details: { user } });
  }
  return { uid, gid, additionalGids: [] };
}

/** The token that ties the QEMU process to this container: QEMU's -name value, delimited. */
export function workerTieToken(containerId: string): string {
  return `guest=${containerId.replaceAll(',', ',,')},`;
}

async function recordOf(metadata: ContainerMetadata): Promise<VmRecord | null> {
  return readVmRecord(containerDir(metadata.name));
}

/** How long after its start QEMU may write its pid file (it does so while it sets up, well within this). */
const PIDFILE_SLACK_MS = 60_000;

/**
 * The QEMU process of this container that no vm.json records (a core that
 * died mid-boot, a damaged record), from QEMU's own record: the pid file QEMU
 * wrote into the container's 0700 directory. The process must be the one that
 * wrote it: started no later than the file was written (and not long before),
 * under the container's worker name. A process that only looks alike (name,
 * command line) is never taken for it.
 */
async function strayWorkers(name: string): Promise<{ pid: number; startTimeMs: number }[]> {
  const pidFile = path.join(containerDir(name), 'qemu.pid');
  let text: string;
  let writtenMs: number;
  try {
    text = await readFile(pidFile, 'utf8');
    writtenMs = (await stat(pidFile)).mtimeMs;
  } catch {
    return [];
  }
  if (!/^[1-9]\d{0,9}\s*$/.test(text)) return [];
  const pid = Number(text.trim());
  const proc = readProcessStat(pid);
  if (!proc || proc.comm !== workerProcessName(name)) return [];
  if (proc.startTimeMs > writtenMs + 1000 || proc.startTimeMs < writtenMs - PIDFILE_SLACK_MS) return [];
  return [{ pid, startTimeMs: proc.startTimeMs }];
}

async function boot(metadata: ContainerMetadata, image: ImageRecord & { rootfs: string }, context: CommandContext, reuseInitramfs: boolean): Promise<ContainerMetadata> {
  const record = await bootUtilityVm({
    containerId: metadata.runtimeId,
    dir: containerDir(metadata.name),
    rootfsDir: image.rootfs,
    memoryMB: metadata.memoryMB ?? defaultMemoryMB,
    cpuCount: metadata.cpuCount ?? defaultCpuCount,
    reuseInitramfs,
    onLaunched: (worker) => recordJournalWorker(containerDir(metadata.name), worker),
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
}

export function createQemuRuntime(): LinuxRuntime {
  return {
    kind: 'qemu',
    isolation: 'HyperV',

    async start(metadata, image, context) {
      return boot(metadata, image, context, false);
    },

    logFile: 'console.log',
    logStream: 'console',

    async restart(metadata, image, context) {
      // The same VM again: a fresh QEMU booting the kept kernel and initramfs (a host reboot loses nothing it needs).
      return boot(metadata, image, context, true);
    },

    async exec(metadata, request) {
      const record = await recordOf(metadata);
      const status = record && (await isVmAlive(record)) ? await vmExitStatus(record, STATUS_AGENT_TIMEOUT_MS) : null;
      if (!record || !status || status.state !== 'running') {
        throw new CoreError('ContainerNotRunning', `Container '${metadata.name}' is not running, so no command can run in it. Start it with Start-IsolatedContainer -Name ${metadata.name} first.`, { details: { name: metadata.name } });
      }
      const user = execUser(metadata, request.user);
      // The guest starts from nothing (env -i): the container's environment, then the request's, as the workload gets it.
      const env: Record<string, string> = { PATH: defaultGuestPath, HOSTNAME: metadata.hostname, ...metadata.env, ...request.env };
      const entries = Object.entries(env).map(([key, value]) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new CoreError('InvalidArgument', `The environment variable name '${key}' is not valid: use letters, digits and '_', not starting with a digit.`, { details: { name: key } });
        return `${key}=${value}`;
      });
      const first = request.command[0]!;
      let result: Awaited<ReturnType<typeof vmExec>>;
      try {
        result = await vmExec(record, {
          argv: [...entries, '/.wc/busybox', 'sh', '-c', execScript, first, ...request.command],
          workingDir: request.workingDir ?? (metadata.workingDir || '/'),
          uid: user.uid, gid: user.gid, additionalGids: user.additionalGids,
          timeoutSeconds: request.timeoutSeconds, maxOutputBytes: request.maxOutputBytes,
        });
      } catch (error) {
        if (error instanceof CoreError && error.code === 'AgentProtocolError' && error.details?.refusal === 'unknown-verb') {
          throw new CoreError('BackendOperationNotSupported', `The guest agent of '${metadata.name}' predates running commands (its initramfs was built by an older version). Remove and create the container again to use Invoke-ContainerCommand in it.`, { details: { name: metadata.name } });
        }
        throw error;
      }
      if (result.timedOut) {
        throw new CoreError('OperationTimeout', `The command in '${metadata.name}' did not finish within ${request.timeoutSeconds} s; it was killed. Give a longer -TimeoutSeconds.`, { details: { name: metadata.name } });
      }
      return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, truncated: result.truncated };
    },

    runningAfterStart() {
      // The guest agent says it is ready just before it starts the workload: asking it at once
      // (another connection and round trip, ~120 ms under TCG) could only answer running.
      return true;
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
        // The guest's answers come through this socket: its listening end must be in the claimed process.
        channel: { socketPath: agentSocketOf(record), heldByClaimedPid: holdsListeningSocket(record.pid, agentSocketOf(record)) },
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
        if (signalIfSame(stray, 'SIGKILL')) {
          if (!(await waitForQemuExit(stray, 10_000))) {
            throw new CoreError('RuntimeFailed', `QEMU process ${stray.pid} of container '${name}' survived SIGKILL.`, { details: { name, pid: stray.pid } });
          }
        }
      }
    },
  };
}
