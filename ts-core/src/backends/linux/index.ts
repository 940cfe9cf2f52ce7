import fs from 'node:fs';
import { CoreError, toCoreError } from '../../protocol/errors.js';
import type { CommandContext } from '../../protocol/dispatcher.js';
import type { Backend, BackendStatus, ContainerInfo, ContainerSpec, ImageStore, ImageView, Isolation, ListProblem, ProbeOptions, RequestScope } from '../types.js';
import { getImage, importImage, listImages, removeImage, type ImageRecord } from './images.js';
import { validateImageName } from './names.js';
import { mergeEnvironment } from './oci.js';
import { resolveUser } from './imageUser.js';
import { CREATE_JOURNAL, removeJournal, writeJournal } from './journal.js';
import { runRecovery, type RecoveryActions } from './recovery.js';
import { waitForQemuExit } from './vm/qemuProcess.js';
import { signalIfSame } from '../../processes/procfs/index.js';
import { containerDir } from '../../paths.js';
import { assertUserNamespaceReachable, userNamespaceRange } from './userNamespace.js';
import { findRunc, RUNC_APT_PACKAGE } from './runc.js';
import { createRuncRuntime } from './runcRuntime.js';
import { createQemuRuntime } from './qemuRuntime.js';
import { vmHostStatus } from './vm/vmHostStatus.js';
import type { LinuxRuntime, RuntimeStatus } from './runtime.js';
import {
  cgroupsPathFor,
  containerExists,
  containersRoot,
  ensureStateLayout,
  isFreshReservation,
  listContainerNames,
  readMetadata,
  removeContainerDir,
  reserveContainerDir,
  storedContainerName,
  writeMetadata,
  type ContainerMetadata,
} from './state.js';
import { stateDir } from '../../paths.js';
import { readCappedLog } from './logReader.js';
import { isolations } from '../../domain/isolation.js';

export interface LinuxBackend extends Backend {
  /** Rolls back what killed cores left half-done (recovery.ts), before each linux command that lists or changes state. */
  recover(context: CommandContext): Promise<void>;
  /** The images its containers are made from. */
  readonly images: ImageStore;
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

/** What the module shows for an image (the store's record minus internals). */
function imageView(image: ImageRecord & { rootfs: string }): ImageView {
  return {
    name: image.name,
    format: image.format,
    source: image.source,
    importedAt: image.importedAt,
    layers: image.layers,
    sizeBytes: image.sizeBytes,
    files: image.files,
    defaultCommand: [...(image.config.entrypoint ?? []), ...(image.config.cmd ?? [])],
    env: image.config.env,
    workingDir: image.config.workingDir,
    rootfs: image.rootfs,
  };
}

const imageStore: ImageStore = {
  async import(options) {
    const record = await importImage(options);
    return imageView({ ...record, rootfs: getImage(record.name).rootfs });
  },
  list: () => listImages().map(imageView),
  remove: removeImage,
};

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

  // What recovery does with a container a killed core was creating: its
  // runtime's destroy, and the QEMU the journal recorded (by PID + start time).
  const recoveryActions: RecoveryActions = {
    async destroy(name, metadata, journal, context) {
      if (journal.worker && signalIfSame(journal.worker, 'SIGKILL')) {
        await waitForQemuExit(journal.worker, 10_000);
        context.verbose(`Killed QEMU process ${journal.worker.pid}, the half-booted utility VM of '${name}'.`);
      }
      if (metadata) await runtimeOf(metadata).destroy(name, metadata, context);
      else for (const runtime of runtimes.values()) await runtime.destroy(name, null, context);
    },
  };
  const recover = (context: CommandContext) => (isRoot() ? runRecovery(recoveryActions, context) : Promise.resolve());

  const statusOf = async (metadata: ContainerMetadata): Promise<RuntimeStatus> =>
    (await runtimeOf(metadata).statusAll([metadata])).get(metadata.name) ?? { state: 'unknown', hostPid: null };

  const backend: LinuxBackend = {
    name: 'linux',
    capabilities: { create: true, isolations },

    registerRuntime: register,
    images: {
      ...imageStore,
      async import(options) {
        if (options.context) await recover(options.context);
        return imageStore.import(options);
      },
    },

    // The module's own state: a directory lookup, no runtime query.
    async owns(name) {
      return process.platform === 'linux' && containerExists(name);
    },

    recover,

    async probe(_scope?: RequestScope, options: ProbeOptions = {}): Promise<BackendStatus> {
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
      const name = spec.name;
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
      // The image's User is honoured (as Docker does); -User overrides it. Resolved before anything is written.
      const userSpec = spec.user ?? image.config.user ?? null;
      const user = userSpec === null ? null : resolveUser(image.rootfs, userSpec);
      if (user) {
        context.verbose(`'${name}' runs as uid ${user.uid}, gid ${user.gid}${user.additionalGids.length ? ` (groups ${user.additionalGids.join(',')})` : ''}${spec.user ? ' (-User)' : ` (the image's User ${JSON.stringify(user.spec)})`}.`);
      }
      if (spec.userNamespace && runtime.kind !== 'runc') {
        throw new CoreError('InvalidArgument', `-UserNamespace applies to process isolation; a HyperV container already has its own kernel and users. Leave it out, or use -Isolation Process.`, { details: { isolation: spec.isolation } });
      }
      if (spec.userNamespace) assertUserNamespaceReachable();

      await recover(context);
      reserveContainerDir(name);
      // The journal names this core: if it is killed mid-create, the next command of any core rolls back.
      writeJournal(containerDir(name), CREATE_JOURNAL, { operation: 'create', name });
      let metadata: ContainerMetadata = {
        schemaVersion: 2,
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
        user,
        userNamespace: spec.userNamespace ? userNamespaceRange() : null,
      };
      try {
        writeMetadata(metadata);
        metadata = await runtime.start(metadata, image, context);
        writeMetadata(metadata);
        removeJournal(containerDir(name), CREATE_JOURNAL);
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
      // Just started: the runtime says whether that means running, without being asked again.
      return toInfo(metadata, runtime.runningAfterStart(metadata) ? { state: 'running', hostPid: metadata.hostPid } : await statusOf(metadata));
    },

    async list({ all }, scope) {
      // The dispatcher's request context is the scope: recovery reports through its verbose stream.
      if (scope && 'verbose' in scope) await recover(scope as CommandContext);
      const containers: ContainerInfo[] = [];
      const problems: ListProblem[] = [];
      for (const [name, info] of await backend.inspectMany(listContainerNames())) {
        if (info instanceof CoreError) {
          if (!isFreshReservation(name)) problems.push({ name, error: info }); // a fresh reservation is being created right now
        } else if (all || info.state === 'running' || info.state === 'created') {
          containers.push(info);
        }
      }
      containers.sort((a, b) => a.name.localeCompare(b.name));
      return { containers, problems };
    },

    // One status query per runtime for the whole batch.
    async inspectMany(names) {
      const results = new Map<string, ContainerInfo | CoreError>();
      const byRuntime = new Map<LinuxRuntime, ContainerMetadata[]>();
      // Keyed by the name as asked for: a lookup in another case finds the stored name.
      const asked = new Map<ContainerMetadata, string>();
      for (const name of names) {
        try {
          const metadata = readMetadata(name);
          const runtime = runtimeOf(metadata);
          asked.set(metadata, name);
          byRuntime.set(runtime, [...(byRuntime.get(runtime) ?? []), metadata]);
        } catch (error) {
          results.set(name, toCoreError(error));
        }
      }
      for (const [runtime, list] of byRuntime) {
        const statuses = await runtime.statusAll(list);
        for (const metadata of list) results.set(asked.get(metadata) ?? metadata.name, toInfo(metadata, statuses.get(metadata.name) ?? { state: 'unknown', hostPid: null }));
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

    async processView(name) {
      const metadata = readMetadata(name);
      const runtime = runtimeOf(metadata);
      if (runtime.processView) return runtime.processView(metadata);
      const processes = await runtime.processes(metadata);
      // The utility VM's processes come from its guest agent: the guest kernel's own /proc.
      const view = runtime.isolation === 'HyperV'
        ? { source: 'guest-agent' as const, independent: true, note: null }
        : { source: 'runtime' as const, independent: false, note: null };
      return { processes, view, gaps: [] };
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

    async start(name, context) {
      requireRoot();
      await recover(context);
      const metadata = readMetadata(name);
      const runtime = runtimeOf(metadata);
      const before = await statusOf(metadata);
      if (before.state === 'running' || before.state === 'created') {
        context.verbose(`Container '${metadata.name}' is already ${before.state}.`);
        return toInfo(metadata, before);
      }
      if (before.state === 'unknown') {
        // A utility VM that does not answer may still run: a second one must not boot beside it.
        throw new CoreError('RuntimeFailed', `Cannot tell whether container '${metadata.name}' still runs (its runtime does not answer), so it was not started again. Stop it first (Stop-IsolatedContainer -Name ${metadata.name}), then start it.`, { details: { name: metadata.name } });
      }
      if (runtime.kind === 'runc') requireRuncInstalled();
      let image: ReturnType<typeof getImage>;
      try {
        image = getImage(metadata.image);
      } catch (error) {
        const coreError = toCoreError(error);
        throw new CoreError(coreError.code, `Container '${metadata.name}' cannot start again: its image '${metadata.image}' is gone (${coreError.message}). Import the image again, or remove the container.`, { cause: error, details: { name: metadata.name, image: metadata.image } });
      }
      context.verbose(`Starting '${metadata.name}' again with ${metadata.isolation} isolation, image '${metadata.image}' and its command ${JSON.stringify(metadata.command)}.`);
      const started = await runtime.restart(metadata, image, context);
      writeMetadata(started);
      return toInfo(started, runtime.runningAfterStart(started) ? { state: 'running', hostPid: started.hostPid } : await statusOf(started));
    },

    async logs(name, request, context) {
      const metadata = readMetadata(name);
      const runtime = runtimeOf(metadata);
      const { state } = await statusOf(metadata);
      const running = state === 'running' || state === 'created';
      const chunk = readCappedLog({
        dir: containerDir(metadata.name), file: runtime.logFile, stream: runtime.logStream,
        tail: request.tail, cursor: request.cursor, maxBytes: request.maxBytes, live: running, since: request.since,
      });
      const { untimed, ...rest } = chunk;
      if (untimed > 0) context.warning(`${untimed} line(s) of '${name}' carry no time (written by an older version or without the log writer) and were left out by -Since.`);
      return { ...rest, running };
    },

    async exec(name, request, context) {
      requireRoot();
      const metadata = readMetadata(name);
      return runtimeOf(metadata).exec(metadata, request, context);
    },

    async remove(given, force, context) {
      const name = storedContainerName(given);
      requireRoot();
      await recover(context);
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
