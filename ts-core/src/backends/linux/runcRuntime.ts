import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CoreError } from '../../protocol/errors.js';
import { containerDir } from '../../paths.js';
import type { ContainerProcess, ContainerState } from '../types.js';
import { cgroupPids, removeCgroup } from './cgroups.js';
import { copyTree } from './copyTree.js';
import { mountOverlayRootfs, remountOverlayRootfs, unmountUnder } from './rootfsMount.js';
import { buildOciConfig } from './oci.js';
import { startLogWriter } from './containerLog.js';
import { openPathForRange, shiftOwnership } from './userNamespace.js';
import { takeLinuxSnapshot } from '../../processes/linuxSnapshot.js';
import { isRunning, readContainerProcfs, readProcessStat, signalIfSame, waitForExit } from '../../processes/procfs/index.js';
import type { HostProcess } from '../../processes/types.js';
import type { ProcessView } from '../types.js';
import { requireRunc, runcDelete, runcKill, runcList, runcRunDetached, runcState, type RuncState } from './runc.js';
import { runcRoot } from './state.js';
import { boundedSpawn } from '../../util/boundedSpawn.js';
import type { ContainerMetadata as Metadata } from './state.js';
import type { LinuxRuntime, RuntimeStatus } from './runtime.js';
import { cgroupsPathFor, LOG_FILE, type ContainerMetadata } from './state.js';
import { resolveUser } from './imageUser.js';

const POLL_MS = 100;
const FAST_POLL_MS = 10;

function stateOf(runcStatus: RuncState | undefined | null): RuntimeStatus {
  if (!runcStatus) return { state: 'unknown', hostPid: null };
  const map: Record<RuncState['status'], ContainerState> = {
    creating: 'created', created: 'created', running: 'running', paused: 'running', stopped: 'exited',
  };
  const state = map[runcStatus.status];
  return { state, hostPid: state === 'running' || state === 'created' ? runcStatus.pid || null : null };
}

/** null: the main process's identity is not known, so only runc can tell. */
function mainProcessRunning(metadata: ContainerMetadata): boolean | null {
  if (metadata.hostPid === null || metadata.hostPidStartTimeMs === null) return null;
  const stat = readProcessStat(metadata.hostPid);
  return stat !== null && stat.startTimeMs === metadata.hostPidStartTimeMs && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * runc calls a container stopped once its main process is gone. Where the
 * core recorded that process's PID and start time, /proc answers that every
 * few milliseconds without starting a runc per poll; otherwise runc state does.
 */
async function waitUntilStopped(metadata: ContainerMetadata, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = mainProcessRunning(metadata);
    if (running === false) return true;
    if (running === null) {
      const state = await runcState(metadata.runtimeId);
      if (!state || state.status === 'stopped') return true;
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, running === null ? POLL_MS : FAST_POLL_MS));
  }
}

/** `runc run` of the bundle in the container directory, output to the capped log; the metadata with the new main process. */
async function runBundle(metadata: Metadata, dir: string, context: { verbose(message: string): void }): Promise<Pick<Metadata, 'hostPid' | 'hostPidStartTimeMs' | 'startedAt'>> {
  const logPipe = await startLogWriter(dir, LOG_FILE);
  if (!logPipe) context.verbose(`The output of '${metadata.name}' goes straight to ${LOG_FILE}, without a size cap: no pipe could be made here (libc through koffi is unavailable).`);
  else if (logPipe.fallbackReason) context.verbose(`The output of '${metadata.name}' goes to ${LOG_FILE} through the node log writer rather than the native one: ${logPipe.fallbackReason}.`);
  try {
    await runcRunDetached(metadata.runtimeId, dir, path.join(dir, LOG_FILE), path.join(dir, 'runc.log'), undefined, logPipe?.writeFd);
  } finally {
    // The container holds its own copy of the write end; the writer ends when the container does.
    logPipe?.close();
  }
  // runc wrote the main process's host PID to the pid file (cheaper than another runc state).
  const pidText = fs.readFileSync(path.join(dir, 'init.pid'), 'utf8').trim();
  const hostPid = /^[1-9]\d*$/.test(pidText) ? Number(pidText) : null;
  const startTimeMs = hostPid === null ? null : readProcessStat(hostPid)?.startTimeMs ?? null;
  return { hostPid, hostPidStartTimeMs: startTimeMs, startedAt: new Date().toISOString() };
}

/** A host process as a container process, as the host sees it (the fallback when the container has no view of its own). */
function fromHost(proc: HostProcess): ContainerProcess {
  return {
    containerPid: proc.nsPids.at(-1) ?? proc.pid,
    name: proc.name,
    commandLine: proc.commandLine,
    claimedHostPid: proc.pid,
    startTimeMs: proc.startTimeMs,
    workingSetBytes: proc.workingSetBytes,
    privateBytes: proc.privateBytes,
    pagedBytes: proc.pagedBytes,
    nonPagedBytes: proc.nonPagedBytes,
    cpuSeconds: proc.cpuSeconds,
    sessionId: proc.sessionId,
  };
}

/**
 * The container's processes as the CONTAINER sees them (its own procfs, read
 * through /proc/<init>/root/proc), each paired with the host process the
 * host says it is: the member of the container's cgroup whose innermost
 * NSpid is that PID. The pairing is only a claim; the verdict checks it
 * against the host snapshot (name, start time, NSpid). Where the container
 * has no procfs, the host's own list of the cgroup is used and the verdict
 * says so; where what is at its /proc is not its procfs, that is a gap.
 */
export async function runcProcessView(metadata: ContainerMetadata, cgroupsPath = cgroupsPathFor(metadata.name)): Promise<ProcessView> {
  // The cgroup's members: the very list `runc ps` reads, without starting a runc process per container.
  const hostSide = takeLinuxSnapshot({ pids: cgroupPids(cgroupsPath) }).processes;
  const sorted = (list: ContainerProcess[]) => list.sort((a, b) => a.containerPid - b.containerPid);
  const fallback = (note: string) => ({ source: 'host-cgroup' as const, independent: false, note });
  if (metadata.hostPid === null) {
    return { processes: sorted(hostSide.map(fromHost)), view: fallback("no main process was recorded for the container, so its processes were read from the host (its cgroup's members): that list is not independent of the host snapshot"), gaps: [] };
  }
  const reading = readContainerProcfs({ pid: metadata.hostPid, startTimeMs: metadata.hostPidStartTimeMs });
  switch (reading.kind) {
    case 'gone':
      return { processes: [], view: { source: 'container-procfs', independent: true, note: reading.reason }, gaps: [] };
    case 'absent':
      return {
        processes: sorted(hostSide.map(fromHost)),
        view: fallback(`${reading.reason}, so its processes were read from the host (its cgroup's members, with their namespace PIDs): that list is not independent of the host snapshot`),
        gaps: [],
      };
    case 'untrusted':
      return {
        processes: sorted(hostSide.map(fromHost)),
        view: fallback(`${reading.reason}; the processes shown are the host's list of its cgroup`),
        gaps: [`The container's own view of its processes cannot be used: ${reading.reason}.`],
      };
    case 'read': {
      // A process's PID in the container's namespace is its NSpid entry at the container's level
      // (a process in a PID namespace nested inside the container's has deeper entries too).
      const atLevel = (proc: HostProcess): number | undefined => (proc.nsPids.length > reading.level ? proc.nsPids[reading.level] : undefined);
      const byNsPid = new Map<number, HostProcess>();
      for (const proc of hostSide) {
        const own = atLevel(proc);
        if (own !== undefined) byNsPid.set(own, proc);
      }
      const seen = new Set(reading.processes.map((p) => p.pid));
      const processes = reading.processes.map((v): ContainerProcess => {
        const host = byNsPid.get(v.pid) ?? null;
        return {
          containerPid: v.pid,
          name: v.comm,
          commandLine: v.commandLine,
          claimedHostPid: host?.pid ?? null,
          startTimeMs: v.startTimeMs,
          // Sizes and CPU are the host's numbers for the paired process (display only; the verdict does not use them).
          workingSetBytes: host?.workingSetBytes ?? null,
          privateBytes: host?.privateBytes ?? null,
          pagedBytes: host?.pagedBytes ?? null,
          nonPagedBytes: host?.nonPagedBytes ?? null,
          cpuSeconds: host?.cpuSeconds ?? null,
          sessionId: host?.sessionId ?? null,
        };
      });
      // The other direction: a process the host sees in the container's cgroup that started before the
      // container's view was read must be in that view; if it is not, the two observations disagree.
      const hidden = hostSide.filter((h) => {
        const own = atLevel(h);
        return own !== undefined && !seen.has(own) && h.startTimeMs < reading.readStartedAtMs - 10;
      });
      const gaps = hidden.length === 0 ? [] : [
        `The host sees ${hidden.length} process(es) in the container's cgroup that the container's own /proc does not list (host PID ${hidden.slice(0, 10).map((h) => h.pid).join(', ')}): the container's view is incomplete or forged.`,
      ];
      return { processes: sorted(processes), view: { source: 'container-procfs', independent: true, note: null }, gaps };
    }
  }
}

type StopContext = { verbose(message: string): void; warning(message: string): void };

/**
 * The one stop sequence: SIGTERM (where `term` is given), up to the timeout
 * for the processes to go, then SIGKILL and up to 10 s more. The stopped
 * metadata, with exit code 137 when SIGKILL was needed (it cannot be caught:
 * the exit status is certain). `stillRunning` names what is left, for the
 * error when even SIGKILL did not end it.
 */
async function stopWith(
  metadata: ContainerMetadata, timeoutSeconds: number, context: StopContext,
  signals: { term: (() => Promise<unknown>) | null; kill: () => Promise<unknown>; stopped: (timeoutMs: number) => Promise<boolean>; stillRunning?: () => string },
): Promise<ContainerMetadata> {
  let exitCode: number | null = null;
  if (signals.term) {
    context.verbose(`Sending SIGTERM to container '${metadata.name}' (waiting up to ${timeoutSeconds} s).`);
    await signals.term();
  }
  if (!(await signals.stopped(timeoutSeconds * 1000))) {
    context.verbose(`Container '${metadata.name}' did not stop within ${timeoutSeconds} s: sending SIGKILL.`);
    await signals.kill();
    if (!(await signals.stopped(10_000))) {
      throw new CoreError('OperationTimeout', `Container '${metadata.name}' did not stop even after SIGKILL${signals.stillRunning?.() ?? ''}.`, { details: { name: metadata.name } });
    }
    exitCode = 137;
  }
  return { ...metadata, stoppedAt: new Date().toISOString(), exitCode };
}

/**
 * Stop where runc has no record of the container (its state was deleted
 * behind the module's back) but the container's cgroup still holds
 * processes: they are signalled directly, each only while it is still the
 * process read from the cgroup (PID and start time). Nothing left: nothing to do.
 */
async function stopWithoutRunc(metadata: ContainerMetadata, timeoutSeconds: number, context: StopContext): Promise<ContainerMetadata> {
  const members = cgroupPids(cgroupsPathFor(metadata.name))
    .map((pid) => ({ pid, startTimeMs: readProcessStat(pid)?.startTimeMs }))
    .filter((p): p is { pid: number; startTimeMs: number } => p.startTimeMs !== undefined);
  if (members.length === 0) return metadata;
  context.warning(`runc has no record of container '${metadata.name}', but its cgroup still holds ${members.length} process(es); they are stopped directly.`);
  let left = members;
  const signalAll = (signal: NodeJS.Signals) => { for (const member of left) signalIfSame(member, signal); };
  return stopWith(metadata, timeoutSeconds, context, {
    term: async () => signalAll('SIGTERM'),
    kill: async () => signalAll('SIGKILL'),
    stopped: async (timeoutMs) => (left = await waitForExit(left, timeoutMs)).length === 0,
    stillRunning: () => ` (host PID ${left.map((p) => p.pid).join(', ')})`,
  });
}

/** Process isolation: an OCI bundle in the container directory, run by runc. */
export function createRuncRuntime(): LinuxRuntime {
  return {
    kind: 'runc',
    isolation: 'Process',

    async start(metadata, image, context) {
      const dir = containerDir(metadata.name);
      const rootfs = path.join(dir, 'rootfs');
      // An overlay of the image costs a mount; a copy costs every file (busybox: ~400 symlinks).
      let rootfsKind: 'overlay' | 'copy';
      if (metadata.userNamespace) {
        const range = metadata.userNamespace;
        context.verbose(`-UserNamespace: root in '${metadata.name}' is host uid ${range.hostUid}. runc 1.1.5 here has no idmapped mounts, so the rootfs is a copy of image '${image.name}' with its owners shifted into host ids ${range.hostUid}–${range.hostUid + range.size - 1}, not an overlay (it costs a copy of every file).`);
        context.progress('Creating container', `Copying image '${image.name}' for the user namespace`, 10);
        copyTree(image.rootfs, rootfs);
        shiftOwnership(rootfs, range);
        openPathForRange(dir, range);
        rootfsKind = 'copy';
      } else {
        context.progress('Creating container', `Mounting image '${image.name}'`, 10);
        const overlayRefused = await mountOverlayRootfs(image.rootfs, dir);
        if (overlayRefused !== null) {
          context.verbose(`The rootfs of '${metadata.name}' is a copy of image '${image.name}', not an overlay: ${overlayRefused}.`);
          copyTree(image.rootfs, rootfs);
        }
        rootfsKind = overlayRefused === null ? 'overlay' : 'copy';
      }
      const runtimeData = { ...metadata.runtimeData, rootfs: rootfsKind };
      // Derived from the state dir and the name by the core, never taken from container.json.
      const cgroupsPath = cgroupsPathFor(metadata.name);
      const config = buildOciConfig(
        { args: metadata.command, env: metadata.env, cwd: metadata.workingDir },
        {
          hostname: metadata.hostname, rootfs: 'rootfs', cgroupsPath, memoryMB: metadata.memoryMB ?? undefined, cpuCount: metadata.cpuCount ?? undefined,
          user: metadata.user, userNamespace: metadata.userNamespace,
        },
      );
      fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
      context.progress('Creating container', 'runc run', 50);
      const started = await runBundle(metadata, dir, context);
      return { ...metadata, runtimeData, cgroupsPath, ...started };
    },

    logFile: LOG_FILE,
    logStream: 'output',

    async restart(metadata, image, context) {
      const dir = containerDir(metadata.name);
      // runc's record of the old run (gone after a reboot) and its cgroup go first: the id is reused.
      await runcDelete(metadata.runtimeId, true);
      if (metadata.runtimeData.rootfs === 'overlay') {
        // After a host reboot the overlay is not mounted: mount it again over the kept writable layer.
        context.progress('Starting container', `Mounting image '${image.name}' and the container's writable layer`, 20);
        await remountOverlayRootfs(image.rootfs, dir);
      }
      if (!fs.existsSync(path.join(dir, 'config.json'))) {
        throw new CoreError('ContainerStateCorrupt', `The runtime bundle of '${metadata.name}' (config.json) is missing. Remove the container with -Force and create it again.`, { details: { name: metadata.name } });
      }
      context.progress('Starting container', 'runc run', 50);
      let started: Awaited<ReturnType<typeof runBundle>>;
      try {
        started = await runBundle(metadata, dir, context);
      } catch (error) {
        // Nothing half-started stays: runc's record and the mount go again (the writable layer is kept).
        await runcDelete(metadata.runtimeId, true).catch(() => undefined);
        await unmountUnder(path.join(dir, 'rootfs'), context).catch(() => undefined);
        throw error;
      }
      return { ...metadata, ...started, stoppedAt: null, exitCode: null };
    },

    async exec(metadata, request) {
      const state = await runcState(metadata.runtimeId);
      if (!state || state.status !== 'running') {
        throw new CoreError('ContainerNotRunning', `Container '${metadata.name}' is not running, so no command can run in it. Start it with Start-IsolatedContainer -Name ${metadata.name} first.`, { details: { name: metadata.name } });
      }
      // runc exec starts from the container's own process spec (its User, capabilities, no_new_privileges)
      // and the container's seccomp filter; only what is given here is changed. Argument array, no shell.
      const args = ['--root', runcRoot(), 'exec'];
      for (const [key, value] of Object.entries(request.env)) args.push('--env', `${key}=${value}`);
      if (request.workingDir) args.push('--cwd', request.workingDir);
      if (request.user) {
        // runc takes only numbers: a name resolves in the container's own /etc/passwd and /etc/group,
        // as the workload's User did at create (InvalidUser, naming it, when it is not there).
        const user = resolveUser(path.join(containerDir(metadata.name), 'rootfs'), request.user);
        args.push('--user', `${user.uid}:${user.gid}`);
        for (const gid of user.additionalGids) args.push('--additional-gids', String(gid));
      }
      // The exec'd process's host PID, so a command past its deadline is killed too, not only runc.
      const pidFile = path.join(containerDir(metadata.name), `exec-${randomUUID()}.pid`);
      args.push('--pid-file', pidFile, metadata.runtimeId, ...request.command);
      let result: Awaited<ReturnType<typeof boundedSpawn>>;
      try {
        result = await boundedSpawn(requireRunc(), args, { maxBytes: request.maxOutputBytes, timeoutMs: request.timeoutSeconds * 1000 });
        if (result.timedOut) {
          let text = '';
          try { text = fs.readFileSync(pidFile, 'utf8').trim(); } catch { /* runc died before writing it */ }
          if (/^[1-9]\d{0,9}$/.test(text) && cgroupPids(cgroupsPathFor(metadata.name)).includes(Number(text))) process.kill(Number(text), 'SIGKILL');
        }
      } finally {
        fs.rmSync(pidFile, { force: true });
      }
      if (result.timedOut) {
        throw new CoreError('OperationTimeout', `The command in '${metadata.name}' did not finish within ${request.timeoutSeconds} s; it was killed. Give a longer -TimeoutSeconds.`, { details: { name: metadata.name } });
      }
      return { exitCode: result.exitCode ?? 128 + 9, stdout: result.stdout, stderr: result.stderr, truncated: result.truncated };
    },

    runningAfterStart(metadata) {
      // runc wrote the main process's PID: alive means running.
      return metadata.hostPid !== null && isRunning({ pid: metadata.hostPid });
    },

    async statusAll(list) {
      // runc answers "running" when the init process it recorded still runs with the start time it
      // recorded (libcontainer's refreshState reads /proc/<pid>/stat), "stopped" when it does not.
      // Where the core recorded the same two facts, /proc answers the same without a runc process,
      // so listing and inspecting stay flat as containers grow; runc is asked only about the rest.
      const answers = new Map<string, RuntimeStatus>();
      const ask: typeof list[number][] = [];
      for (const m of list) {
        const running = mainProcessRunning(m);
        if (running === true) answers.set(m.name, { state: 'running', hostPid: m.hostPid });
        else if (running === false && cgroupPids(cgroupsPathFor(m.name)).length === 0) answers.set(m.name, { state: 'exited', hostPid: null });
        else ask.push(m);
      }
      if (ask.length === 0) return answers;
      // One container: its own state (runc list reads every container's).
      let states: Map<string, RuncState>;
      if (ask.length === 1) {
        const one = await runcState(ask[0]!.runtimeId);
        states = new Map(one ? [[ask[0]!.name, one]] : []);
      } else states = await runcList();
      for (const m of ask) {
        const known = states.get(m.name);
        // runc has no record (a remove killed after runc delete, a lost runc root): nothing can run
        // unless the container's cgroup still holds processes, so that is exited, not unknown.
        if (!known && cgroupPids(cgroupsPathFor(m.name)).length === 0) answers.set(m.name, { state: 'exited', hostPid: null });
        else answers.set(m.name, stateOf(known));
      }
      return answers;
    },

    async processes(metadata) {
      return (await runcProcessView(metadata)).processes;
    },

    async processView(metadata) {
      return runcProcessView(metadata);
    },

    async worker() {
      return null; // process isolation: the host runs the container's processes itself
    },

    async stop(metadata, timeoutSeconds, context) {
      const id = metadata.runtimeId;
      // A main process known to be gone needs no runc at all.
      if (mainProcessRunning(metadata) === false) return metadata;
      const state = await runcState(id);
      if (!state) return stopWithoutRunc(metadata, timeoutSeconds, context);
      if (state.status === 'stopped') return metadata;
      return stopWith(metadata, timeoutSeconds, context, {
        term: state.status === 'running' ? () => runcKill(id, 'TERM') : null,
        kill: () => runcKill(id, 'KILL', true),
        stopped: (timeoutMs) => waitUntilStopped(metadata, timeoutMs),
      });
    },

    async destroy(name, metadata, context) {
      // Identity from what the core derives and runc records, never from editable fields of
      // container.json: the runc id is the name, the cgroup is the one cgroupsPathFor gives it.
      const id = name;
      const cgroupsPath = cgroupsPathFor(name);
      if (metadata?.cgroupsPath && metadata.cgroupsPath !== cgroupsPath) {
        context?.warning(`container.json of '${name}' names the cgroup ${metadata.cgroupsPath}, not ${cgroupsPath} where this module put it; that field was ignored.`);
      }
      const pids = cgroupPids(cgroupsPath);
      // `runc delete --force` of a running container sends SIGKILL and then
      // checks every 100 ms until the init process is gone (runc's
      // killContainer in delete.go): at least 100 ms a container. `runc kill`
      // (runc checks it is still the container's init), a wait on /proc that
      // ends as soon as the processes are gone (its own PID namespace ends
      // with init), then the delete of a stopped container, which is immediate.
      // Nothing to wait for where runc signalled nothing (no record, or not running).
      if (pids.length > 0 && (await runcKill(id, 'KILL'))) await waitForExit(pids.map((pid) => ({ pid })), 2_000);
      await runcDelete(id, true);
      // Whatever is left in the cgroup (runc had no record of it, or it outlived init) is killed here.
      const left = await removeCgroup(cgroupsPath);
      // The caller is promised the processes are gone.
      const alive = (await waitForExit(pids.map((pid) => ({ pid })), 10_000)).map((p) => p.pid);
      // The rootfs overlay (if any) is found by path, so damaged metadata does not leave it mounted.
      await unmountUnder(containerDir(name), context);
      if (left.length > 0 || alive.length > 0) {
        throw new CoreError('RuntimeFailed',
          `Container '${name}' could not be removed completely:${left.length ? ` cgroups left: ${left.join(', ')}.` : ''}${alive.length ? ` processes still alive: ${alive.join(', ')}.` : ''}`,
          { details: { name, left, alive } });
      }
    },
  };
}
