import fs from 'node:fs';
import { CoreError, toCoreError } from '../../protocol/errors.js';
import type { CommandContext } from '../../protocol/dispatcher.js';
import type { Backend, BackendStatus, ContainerInfo, ContainerSpec, Isolation, ProbeOptions } from '../types.js';
import { isAlive } from './cgroups.js';
import { getImage } from './images.js';
import { validateContainerName, validateImageName } from './names.js';
import { mergeEnvironment } from './oci.js';
import { findRunc, RUNC_APT_PACKAGE } from './runc.js';
import { createRuncRuntime } from './runcRuntime.js';
import { createQemuRuntime } from './qemuRuntime.js';
import { vmHostStatus } from './vm/vmHostStatus.js';
import type { LinuxRuntime, RuntimeStatus } from './runtime.js';
import {
  cgroupsPathFor,
  containersRoot,
  ensureStateLayout,
  isFreshReservation,
  listContainerNames,
  readMetadata,
  removeContainerDir,
  reserveContainerDir,
  writeMetadata,
  type ContainerMetadata,
} from './state.js';
import { stateDir } from '../../paths.js';

/** Errors met while listing, reported beside the containers that could be read. */
export interface ListProblem {
  name: string;
  error: CoreError;
}

export interface LinuxBackend extends Backend {
  /** Like list(), but also returns the containers whose state could not be read. */
  listWithProblems(options: { all: boolean }): Promise<{ containers: ContainerInfo[]; problems: ListProblem[] }>;
  /** inspect() for several containers with one runtime status query per runtime; a failure per name is returned, not thrown. */
  inspectMany(names: readonly string[]): Promise<Map<string, ContainerInfo | CoreError>>;
  /** Plugs in the runtime for an isolation (the QEMU utility VM registers itself for HyperV). */
  registerRuntime(runtime: LinuxRuntime): void;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function requireRoot(): void {
  if (!isRoot()) {
    throw new CoreError('NotRoot',
      `The linux backend must run as root (runc creates namespaces and cgroups); this core runs as uid ${process.getuid?.()}. Start PowerShell as root (sudo pwsh) and try again.`);
  }
}

function requireRuncInstalled(): void {
  if (findRunc() === null) {
    throw new CoreError('DependencyMissing',
      `runc is not installed (not found on PATH). Install the Debian package '${RUNC_APT_PACKAGE}': apt-get install ${RUNC_APT_PACKAGE}.`,
      { details: { dependency: 'runc', aptPackage: RUNC_APT_PACKAGE } });
  }
}

/**
 * What the backend needs for anything: a Linux host, root, runc on PATH and a
 * writable state directory (created if missing). Process isolation needs
 * nothing more.
 */
function basicUsability(): { ok: true; runc: string } | { ok: false; runc: string | null; reason: string } {
  if (process.platform !== 'linux') return { ok: false, runc: null, reason: `The linux backend needs a Linux host (this is ${process.platform}).` };
  if (!isRoot()) return { ok: false, runc: null, reason: `The linux backend must run as root (this core runs as uid ${process.getuid?.()}).` };
  const runc = findRunc();
  if (runc === null) return { ok: false, runc, reason: `runc is not installed: apt-get install ${RUNC_APT_PACKAGE}.` };
  try {
    ensureStateLayout();
    fs.accessSync(containersRoot(), fs.constants.W_OK);
  } catch (error) {
    return { ok: false, runc, reason: `The state directory ${stateDir()} is not writable: ${(error as Error).message}.` };
  }
  return { ok: true, runc };
}

function toInfo(metadata: ContainerMetadata, status: RuntimeStatus): ContainerInfo {
  return {
    name: metadata.name,
    id: metadata.runtimeId,
    backend: 'linux',
    image: metadata.image,
    isolation: metadata.isolation,
    state: status.state,
    command: metadata.command,
    createdAt: metadata.createdAt,
    startedAt: metadata.startedAt,
    exitCode: status.state === 'exited' ? (status.exitCode ?? metadata.exitCode) : null,
    hostPid: status.hostPid,
    // The utility VM's own id: QEMU's -uuid, which is on the worker's command line as the VM GUID is on vmwp's.
    utilityVmId: metadata.runtime === 'qemu' ? (typeof metadata.runtimeData.vmId === 'string' ? metadata.runtimeData.vmId : metadata.runtimeId) : null,
    managed: true,
  };
}

export function createLinuxBackend(): LinuxBackend {
  const runtimes = new Map<Isolation, LinuxRuntime>();
  const register = (runtime: LinuxRuntime) => runtimes.set(runtime.isolation, runtime);
  register(createRuncRuntime());
  register(createQemuRuntime());

  const runtimeOf = (metadata: ContainerMetadata): LinuxRuntime => {
    for (const runtime of runtimes.values()) if (runtime.kind === metadata.runtime) return runtime;
    throw new CoreError('IsolationNotSupported',
      `Container '${metadata.name}' uses the '${metadata.runtime}' runtime, which this version of the core does not have.`, { details: { name: metadata.name } });
  };

  const statusOf = async (metadata: ContainerMetadata): Promise<RuntimeStatus> =>
    (await runtimeOf(metadata).statusAll([metadata])).get(metadata.name) ?? { state: 'unknown', hostPid: null };

  const backend: LinuxBackend = {
    name: 'linux',

    registerRuntime: register,

    async probe(options: ProbeOptions = {}): Promise<BackendStatus> {
      const details: Record<string, unknown> = { stateDir: stateDir() };
      const basics = basicUsability();
      details.runc = basics.runc;
      if (!basics.ok) return { name: 'linux', usable: false, reason: basics.reason, isolations: [], details };
      const { runc } = basics;
      // HyperV needs QEMU, a kernel and a static busybox; KVM or TCG is decided (and cached) here,
      // unless the caller boots nothing (then a cached answer, or none).
      const vm = await vmHostStatus({ accelerator: options.thorough !== false });
      details.utilityVm = { usable: vm.usable, reason: vm.reason, ...vm.details };
      const isolations = [...runtimes.keys()].filter((isolation) => isolation !== 'HyperV' || vm.usable);
      return { name: 'linux', usable: true, reason: `runc at ${runc}; isolations: ${isolations.join(', ')}; ${vm.reason}.`, isolations, details };
    },

    // Process isolation needs only what probe() checks before the utility-VM
    // facts, so a create need not wait for those.
    async canCreate() {
      const basics = basicUsability();
      return basics.ok ? { ok: true } : { ok: false, reason: basics.reason };
    },

    async create(spec: ContainerSpec, context: CommandContext): Promise<ContainerInfo> {
      // Everything that can be refused is refused before anything is written.
      const name = validateContainerName(spec.name);
      validateImageName(spec.image);
      requireRoot();
      const runtime = runtimes.get(spec.isolation);
      if (!runtime) {
        throw new CoreError('IsolationNotSupported',
          `The linux backend cannot create ${spec.isolation}-isolated containers in this version (available: ${[...runtimes.keys()].join(', ')}). Use -Isolation Process, or another backend.`,
          { details: { isolation: spec.isolation } });
      }
      if (runtime.kind === 'runc') requireRuncInstalled();
      const image = getImage(spec.image);
      const command = spec.command.length > 0 ? spec.command : [...(image.config.entrypoint ?? []), ...(image.config.cmd ?? [])];
      if (command.length === 0) {
        throw new CoreError('InvalidArgument', `The image '${image.name}' has no default command. Give one with -Command (for example -Command sh, -c, 'sleep 3600').`, { details: { image: image.name } });
      }
      const env = mergeEnvironment(image.config.env, spec.env);

      reserveContainerDir(name);
      let metadata: ContainerMetadata = {
        schemaVersion: 1,
        name,
        backend: 'linux',
        runtime: runtime.kind,
        isolation: spec.isolation,
        image: image.name,
        command,
        env,
        workingDir: spec.workingDir || image.config.workingDir || '/',
        hostname: spec.hostname || name,
        memoryMB: spec.memoryMB ?? null,
        cpuCount: spec.cpuCount ?? null,
        createdAt: new Date().toISOString(),
        startedAt: null,
        runtimeId: name,
        hostPid: null,
        hostPidStartTimeMs: null,
        workerPid: null,
        workerStartTimeMs: null,
        stoppedAt: null,
        exitCode: null,
        cgroupsPath: runtime.kind === 'runc' ? cgroupsPathFor(name) : null,
        runtimeData: {},
      };
      try {
        writeMetadata(metadata);
        metadata = await runtime.start(metadata, image, context);
        writeMetadata(metadata);
      } catch (error) {
        context.verbose(`Creating '${name}' failed; rolling back.`);
        try {
          await runtime.destroy(name, metadata, context);
        } catch (cleanupError) {
          context.warning(`Rollback of '${name}' was incomplete: ${toCoreError(cleanupError).message}`);
        }
        try {
          removeContainerDir(name);
        } catch (cleanupError) {
          context.warning(`Rollback of '${name}' was incomplete: ${toCoreError(cleanupError).message}`);
        }
        throw error;
      }
      // Just started: a live main process means running, without asking the runtime again.
      const started = metadata.hostPid !== null && isAlive(metadata.hostPid);
      return toInfo(metadata, started ? { state: 'running', hostPid: metadata.hostPid } : await statusOf(metadata));
    },

    async listWithProblems({ all }) {
      const containers: ContainerInfo[] = [];
      const problems: ListProblem[] = [];
      const byRuntime = new Map<LinuxRuntime, ContainerMetadata[]>();
      for (const name of listContainerNames()) {
        try {
          const metadata = readMetadata(name);
          const runtime = runtimeOf(metadata);
          byRuntime.set(runtime, [...(byRuntime.get(runtime) ?? []), metadata]);
        } catch (error) {
          if (isFreshReservation(name)) continue; // being created right now
          problems.push({ name, error: toCoreError(error) });
        }
      }
      for (const [runtime, list] of byRuntime) {
        const statuses = await runtime.statusAll(list);
        for (const metadata of list) {
          const info = toInfo(metadata, statuses.get(metadata.name) ?? { state: 'unknown', hostPid: null });
          if (all || info.state === 'running' || info.state === 'created') containers.push(info);
        }
      }
      containers.sort((a, b) => a.name.localeCompare(b.name));
      return { containers, problems };
    },

    async list(options) {
      return (await backend.listWithProblems(options)).containers;
    },

    async inspectMany(names) {
      const results = new Map<string, ContainerInfo | CoreError>();
      const byRuntime = new Map<LinuxRuntime, ContainerMetadata[]>();
      for (const name of names) {
        try {
          const metadata = readMetadata(name);
          const runtime = runtimeOf(metadata);
          byRuntime.set(runtime, [...(byRuntime.get(runtime) ?? []), metadata]);
        } catch (error) {
          results.set(name, toCoreError(error));
        }
      }
      for (const [runtime, list] of byRuntime) {
        const statuses = await runtime.statusAll(list);
        for (const metadata of list) results.set(metadata.name, toInfo(metadata, statuses.get(metadata.name) ?? { state: 'unknown', hostPid: null }));
      }
      return results;
    },

    async inspect(name) {
      const metadata = readMetadata(name);
      return toInfo(metadata, await statusOf(metadata));
    },

    async processes(name) {
      const metadata = readMetadata(name);
      return runtimeOf(metadata).processes(metadata);
    },

    async worker(name, snapshot) {
      const metadata = readMetadata(name);
      return runtimeOf(metadata).worker(metadata, snapshot);
    },

    async stop(name, timeoutSeconds, context) {
      requireRoot();
      const metadata = readMetadata(name);
      const stopped = await runtimeOf(metadata).stop(metadata, timeoutSeconds, context);
      if (stopped !== metadata) writeMetadata(stopped);
      return toInfo(stopped, await statusOf(stopped));
    },

    async remove(name, force, context) {
      validateContainerName(name);
      requireRoot();
      let metadata: ContainerMetadata | null;
      try {
        metadata = readMetadata(name);
      } catch (error) {
        const coreError = toCoreError(error);
        if (coreError.code !== 'ContainerStateCorrupt' || !force) throw coreError;
        // Damaged metadata: clean up by name with every runtime.
        context.warning(`${coreError.message.split('\n')[0]} Cleaning up by name.`);
        for (const runtime of runtimes.values()) await runtime.destroy(name, null, context);
        removeContainerDir(name);
        return;
      }
      const runtime = runtimeOf(metadata);
      if (!force) {
        const { state } = await statusOf(metadata);
        if (state === 'running' || state === 'created') {
          throw new CoreError('ContainerRunning',
            `Container '${name}' is ${state}. Stop it first (Stop-IsolatedContainer -Name ${name}) or remove it with -Force.`, { details: { name, state } });
        }
      }
      await runtime.destroy(name, metadata, context);
      removeContainerDir(name);
    },
  };
  return backend;
}
