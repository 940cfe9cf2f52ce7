import { CoreError } from '../../protocol/errors.js';
import type { CommandContext } from '../../protocol/dispatcher.js';
import type { HostProcess } from '../../processes/types.js';
import { readContainerProcfs, readProcessStat, readStatus } from '../../processes/procfs/index.js';
import type { Backend, BackendStatus, ContainerInfo, ExecRequest, ExecResult, LogChunk, LogRequest, ContainerProcess, ContainerSpec, ProcessView, ContainerState, RequestedIsolation, RequestScope, WorkerClaim } from '../types.js';
import { inspectEach, ownsByLookup } from '../byName.js';
import { newRequestScope } from '../../protocol/scope.js';
import { isolations } from '../../domain/isolation.js';
import { DockerClient } from './client.js';
import { parseDockerHost, type DockerEndpoint } from './endpoint.js';
import { daemonFacts, describeDaemonDefault, effectiveIsolation, hostConfigForIsolation, vmClassRuntimes, type DaemonFacts } from './isolation.js';
import { findRunscRoot, runscProcesses } from './runsc.js';
import {
  containerInspectSchema,
  containerListSchema,
  createResponseSchema,
  infoSchema,
  topSchema,
  type DockerContainerInspect,
} from './schemas.js';
import { framesToLines, parseMultiplexedStream } from './stream.js';
import { z } from 'zod';
import { linuxPsArgs, parseLinuxTop, parseWindowsTop } from './top.js';
import { findHyperVWorker, findRunscSandbox } from './worker.js';

export const managedLabel = 'io.windowscontainers.managed';
export const nameLabel = 'io.windowscontainers.name';

export interface DockerBackendOptions {
  /** A DOCKER_HOST-style endpoint; default: DOCKER_HOST, else the platform's default socket or pipe. */
  host?: string;
  connectTimeoutMs?: number;
  timeoutMs?: number;
  /** Where to look for runsc state when the sandbox's own `--root` cannot be read. */
  execRoots?: string[];
  /**
   * Windows: the utility VM id of a Hyper-V-isolated container. Docker's API
   * does not expose it; HCS does, and the registry passes the hcs backend's
   * lookup here (the only way docker reaches hcs). Without it no worker is claimed.
   */
  resolveUtilityVmId?: (containerId: string, scope: RequestScope) => Promise<string | null>;
  /** The platform this core runs on; tests of a Windows daemon set 'win32'. Default: process.platform. */
  hostPlatform?: NodeJS.Platform;
}

/**
 * PIDs from a daemon are host PIDs only when the daemon runs on this host's
 * kernel: a Linux engine reached from Windows (Docker Desktop) or a Windows
 * daemon reached over a forwarded socket reports PIDs of another machine.
 */
export function sharesHostKernel(osType: string, hostPlatform: NodeJS.Platform): boolean {
  return (osType === 'linux' && hostPlatform === 'linux') || (osType === 'windows' && hostPlatform === 'win32');
}

/**
 * What the docker backend's create accepts: a ContainerSpec, or one whose
 * isolation is still `Default`, which is then left to dockerd (see
 * hostConfigForIsolation) and read back from inspect.
 */
export type DockerContainerSpec = Omit<ContainerSpec, 'isolation'> & { isolation: RequestedIsolation };

export type DockerBackend = Backend & { create(spec: DockerContainerSpec, context: CommandContext): Promise<ContainerInfo> };

/** The docker backend: the Engine API over the local socket or named pipe, no docker CLI. */
const execInspectSchema = z.object({ Running: z.boolean(), ExitCode: z.number().int().nullable() });

/** RFC 3339 with nine fraction digits (Docker trims trailing zeros), so times compare as strings. */
function paddedTime(iso: string): string {
  const match = /^(.*?)(?:\.(\d{1,9}))?Z$/.exec(iso);
  return match ? `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z` : iso;
}

/** An ISO time as Docker's `since`: seconds.nanoseconds since the epoch. */
function unixTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new CoreError('InvalidArgument', `'${iso}' is not a time. Give one such as 2026-01-31T12:00:00Z.`);
  const fraction = /\.(\d{1,9})Z$/.exec(iso)?.[1] ?? '';
  return `${Math.floor(ms / 1000)}.${fraction.padEnd(9, '0')}`;
}

export function createDockerBackend(options: DockerBackendOptions = {}): DockerBackend {
  const clients = new Map<string, DockerClient>();

  /** Read per call, so DOCKER_HOST set after the core started is honoured. */
  function client(): DockerClient {
    const endpoint: DockerEndpoint = parseDockerHost(options.host ?? process.env.DOCKER_HOST);
    let existing = clients.get(endpoint.display);
    if (!existing) {
      existing = new DockerClient({ endpoint, connectTimeoutMs: options.connectTimeoutMs, timeoutMs: options.timeoutMs });
      clients.set(endpoint.display, existing);
    }
    return existing;
  }

  /** The daemon's /info, once per request. */
  function facts(docker: DockerClient, scope: RequestScope): Promise<DaemonFacts> {
    return scope.memo(`docker:${docker.endpoint.display}:info`, async () =>
      daemonFacts(await docker.request('GET', '/info', { schema: infoSchema }), docker.endpoint.display));
  }

  /** One container's inspect, once per request: a check reads it for the info, the processes and the worker. */
  function inspectRaw(docker: DockerClient, name: string, scope: RequestScope): Promise<DockerContainerInspect> {
    return scope.memo(`docker:${docker.endpoint.display}:inspect:${name}`, () => inspectFresh(docker, name));
  }

  async function inspectFresh(docker: DockerClient, name: string): Promise<DockerContainerInspect> {
    return docker.request('GET', `/containers/${encodeURIComponent(name)}/json`, { schema: containerInspectSchema, notFound: 'container' });
  }

  const hostPlatform = options.hostPlatform ?? process.platform;

  function toInfo(container: DockerContainerInspect, daemon: DaemonFacts): ContainerInfo {
    const isolation = effectiveIsolation(container, daemon);
    const state = toState(container.State.Status);
    const vmClassOnLinux = daemon.osType === 'linux' && isolation === 'HyperV';
    return {
      // Docker's own name, not the label: it is what later calls find the container by, even after `docker rename`.
      name: container.Name.replace(/^\//, ''),
      id: container.Id,
      backend: 'docker',
      image: container.Config.Image,
      isolation,
      state,
      command: [...(container.Config.Entrypoint ?? []), ...container.Config.Cmd],
      createdAt: container.Created,
      startedAt: container.State.StartedAt && !container.State.StartedAt.startsWith('0001-') ? container.State.StartedAt : null,
      exitCode: state === 'exited' ? container.State.ExitCode : null,
      // On a VM-class runtime State.Pid is the sandbox, and with Hyper-V it is not a host process at all.
      hostPid: isolation === 'Process' && container.State.Running && container.State.Pid > 0 && sharesHostKernel(daemon.osType, hostPlatform)
        ? container.State.Pid : null,
      utilityVmId: vmClassOnLinux ? container.Id : null,
      managed: container.Config.Labels[managedLabel] === 'true',
    };
  }

  async function removeQuietly(docker: DockerClient, id: string): Promise<void> {
    try {
      await docker.request('DELETE', `/containers/${id}`, { query: { force: true, v: true }, notFound: 'container' });
    } catch (error) {
      if (!(error instanceof CoreError && error.code === 'ContainerNotFound')) throw error;
    }
  }

  const backend: DockerBackend = {
    name: 'docker',
    capabilities: { create: true, isolations },

    async probe(scope = newRequestScope()): Promise<BackendStatus> {
      let endpointText = options.host ?? process.env.DOCKER_HOST ?? '(default)';
      try {
        const probeClient = new DockerClient({ endpoint: parseDockerHost(options.host ?? process.env.DOCKER_HOST), connectTimeoutMs: 2_000, timeoutMs: 8_000 });
        endpointText = probeClient.endpoint.display;
        const { apiVersion, version } = await probeClient.negotiate();
        const daemon = await facts(probeClient, scope);
        const vmRuntimes = vmClassRuntimes(daemon);
        const windows = daemon.osType === 'windows';
        const offered: BackendStatus['isolations'] = windows || vmRuntimes.length > 0 ? [...isolations] : ['Process'];
        const hyperv = windows ? 'Hyper-V isolation through HostConfig.Isolation' :
          vmRuntimes.length ? `HyperV-class isolation through runtime ${vmRuntimes[0]}` : 'no VM-class runtime (register runsc for HyperV-class isolation)';
        return {
          name: 'docker',
          usable: true,
          reason: `Docker ${version.Version} at ${endpointText} (${daemon.osType}, API ${apiVersion}); ${hyperv}.`,
          isolations: offered,
          details: {
            endpoint: endpointText,
            reachable: true,
            daemonVersion: version.Version,
            apiVersion,
            daemonApiVersion: version.ApiVersion,
            osType: daemon.osType,
            defaultIsolation: windows ? daemon.defaultIsolation : 'Process',
            defaultRuntime: daemon.defaultRuntime,
            runtimes: Object.keys(daemon.runtimes).sort(),
            vmClassRuntimes: vmRuntimes,
          },
        };
      } catch (error) {
        const coreError = error instanceof CoreError ? error : null;
        return {
          name: 'docker',
          usable: false,
          reason: (error as Error).message,
          isolations: [],
          details: { endpoint: endpointText, reachable: false, errorCode: coreError?.code ?? 'Internal' },
        };
      }
    },

    async createWithEngineDefault(spec: Omit<ContainerSpec, 'isolation'>, context: CommandContext): Promise<ContainerInfo> {
      return backend.create({ ...spec, isolation: 'Default' }, context);
    },

    async create(spec: DockerContainerSpec, context: CommandContext): Promise<ContainerInfo> {
      if (spec.userNamespace) {
        throw new CoreError('BackendOperationNotSupported',
          'The docker backend cannot put one container in a user namespace: that is the daemon\'s setting (dockerd --userns-remap). Leave -UserNamespace out, or use the linux backend.',
          { details: { backend: 'docker' } });
      }
      const docker = client();
      const daemon = await facts(docker, context);
      const isolationConfig = hostConfigForIsolation(spec.isolation, daemon);
      context.verbose(spec.isolation === 'Default'
        ? describeDaemonDefault(daemon)
        : `Docker at ${docker.endpoint.display} (${daemon.osType}): ${JSON.stringify(isolationConfig)} for ${spec.isolation} isolation.`);
      context.progress('Creating container', `Creating ${spec.name} from ${spec.image}`, 10);
      const created = await explainCreateFailure(spec, () =>
        docker.request('POST', '/containers/create', {
          query: { name: spec.name },
          schema: createResponseSchema,
          notFound: 'image',
          body: {
            Image: spec.image,
            ...(spec.command.length ? { Cmd: spec.command } : {}),
            Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
            ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
            ...(spec.hostname ? { Hostname: spec.hostname } : {}),
            // -User: Docker resolves it against the image itself (and uses the image's User without it).
            ...(spec.user ? { User: spec.user } : {}),
            Labels: { [managedLabel]: 'true', [nameLabel]: spec.name },
            HostConfig: {
              ...isolationConfig,
              ...(spec.memoryMB ? { Memory: spec.memoryMB * 1024 * 1024 } : {}),
              ...(spec.cpuCount ? { NanoCpus: Math.round(spec.cpuCount * 1e9) } : {}),
            },
          },
        }));
      for (const warning of created.Warnings) context.warning(`Docker: ${warning}`);
      try {
        context.progress('Creating container', `Starting ${spec.name}`, 60);
        // A Hyper-V container boots a utility VM first: give start minutes, not seconds.
        await docker.request('POST', `/containers/${created.Id}/start`, { notFound: 'container', okStatuses: [304], timeoutMs: 300_000 });
        const info = toInfo(await inspectFresh(docker, created.Id), daemon);
        if (spec.isolation === 'Default') context.verbose(`dockerd gave '${spec.name}' ${info.isolation} isolation.`);
        context.progress('Creating container', `Started ${spec.name}`, 100);
        return info;
      } catch (error) {
        // Creates and starts, or leaves nothing: a container that did not start is removed.
        context.verbose(`Start of ${spec.name} failed; removing the created container ${created.Id}.`);
        await removeQuietly(docker, created.Id).catch(() => undefined);
        throw error;
      }
    },

    async owns(name, scope = newRequestScope()) {
      return ownsByLookup(() => inspectRaw(client(), name, scope));
    },

    async list({ all }, scope = newRequestScope()) {
      const docker = client();
      const daemon = await facts(docker, scope);
      // `all` as the other backends read it (stopped ones too) and as Docker users expect of -All
      // (containers this module did not make too); without it: this module's live containers.
      const summaries = await docker.request('GET', '/containers/json', {
        query: all ? { all: true } : { all: true, filters: JSON.stringify({ label: [`${managedLabel}=true`], status: ['created', 'running'] }) },
        schema: containerListSchema,
      });
      const infos: ContainerInfo[] = [];
      for (const summary of summaries) {
        try {
          infos.push(toInfo(await inspectRaw(docker, summary.Id, scope), daemon));
        } catch (error) {
          // Removed between list and inspect: it is simply no longer there.
          if (!(error instanceof CoreError && error.code === 'ContainerNotFound')) throw error;
        }
      }
      return { containers: infos.sort((a, b) => a.name.localeCompare(b.name)), problems: [] };
    },

    async inspect(name: string, scope = newRequestScope()): Promise<ContainerInfo> {
      const docker = client();
      const [daemon, container] = await Promise.all([facts(docker, scope), inspectRaw(docker, name, scope)]);
      return toInfo(container, daemon);
    },

    async inspectMany(names, scope = newRequestScope()) {
      return inspectEach(backend.inspect, names, scope);
    },

    async processes(name: string, scope = newRequestScope()): Promise<ContainerProcess[]> {
      return (await backend.processView!(name, scope)).processes;
    },

    async processView(name: string, scope = newRequestScope()): Promise<ProcessView> {
      const docker = client();
      const [daemon, container] = await Promise.all([facts(docker, scope), inspectRaw(docker, name, scope)]);
      if (!container.State.Running) {
        throw new CoreError('DockerError', `Container '${name}' is ${container.State.Status}, not running: it has no processes. Start it first.`);
      }
      const isolation = effectiveIsolation(container, daemon);
      if (daemon.osType === 'windows') {
        const top = await docker.request('GET', `/containers/${container.Id}/top`, { schema: topSchema, notFound: 'container' });
        // HCS's own list of the compute system's processes: the runtime's observation, not the host's.
        return { processes: parseWindowsTop(top, isolation === 'Process' && sharesHostKernel(daemon.osType, hostPlatform)), view: { source: 'runtime', independent: true, note: null }, gaps: [] };
      }
      // runsc's own ps: the sandbox's kernel answers, not the host's.
      if (isolation === 'HyperV') return { processes: await sandboxProcesses(container, daemon), view: { source: 'sandbox', independent: true, note: null }, gaps: [] };
      const top = await docker.request('GET', `/containers/${container.Id}/top`, {
        query: { ps_args: linuxPsArgs }, schema: topSchema, notFound: 'container',
      });
      const processes = parseLinuxTop(top);
      // Another machine's PIDs claim nothing here; the verdict then says Inconclusive, never Process.
      if (!sharesHostKernel(daemon.osType, hostPlatform)) {
        return { processes: processes.map((p) => ({ ...p, claimedHostPid: null })), view: { source: 'runtime', independent: true, note: null }, gaps: [] };
      }
      return linuxProcessView(processes, container.State.Pid || null);
    },

    async worker(name: string, snapshot: readonly HostProcess[], scope = newRequestScope()): Promise<WorkerClaim | null> {
      const docker = client();
      const [daemon, container] = await Promise.all([facts(docker, scope), inspectRaw(docker, name, scope)]);
      if (effectiveIsolation(container, daemon) !== 'HyperV' || !container.State.Running) return null;
      if (daemon.osType === 'windows') {
        const vmId = options.resolveUtilityVmId ? await options.resolveUtilityVmId(container.Id, scope) : null;
        return vmId ? findHyperVWorker(snapshot, vmId) : null;
      }
      return findRunscSandbox(snapshot, container.Id, container.State.Pid || null);
    },

    async stop(name: string, timeoutSeconds: number, context: CommandContext): Promise<ContainerInfo> {
      const docker = client();
      const container = await inspectFresh(docker, name);
      context.progress('Stopping container', `Stopping ${name} (up to ${timeoutSeconds} s)`);
      // Docker waits t seconds, then kills: allow that plus time for the kill, and answer before the bridge (t + 60 s) gives up.
      await docker.request('POST', `/containers/${container.Id}/stop`, {
        query: { t: timeoutSeconds }, notFound: 'container', okStatuses: [304], timeoutMs: (timeoutSeconds + 45) * 1000,
      });
      const daemon = await facts(docker, context);
      return toInfo(await inspectFresh(docker, container.Id), daemon);
    },

    async start(name: string, context: CommandContext): Promise<ContainerInfo> {
      const docker = client();
      const container = await inspectFresh(docker, name);
      context.progress('Starting container', `Starting ${name}`);
      // 304: already running; Docker keeps the container's isolation, image and command.
      await docker.request('POST', `/containers/${container.Id}/start`, { notFound: 'container', okStatuses: [304], timeoutMs: 120_000 });
      const daemon = await facts(docker, context);
      return toInfo(await inspectFresh(docker, container.Id), daemon);
    },

    async logs(name: string, request: LogRequest, context: CommandContext): Promise<LogChunk> {
      const docker = client();
      const container = await inspectFresh(docker, name);
      // The cursor is the time of the last line already given (Docker's since is a Unix time with nanoseconds).
      let since: string | undefined;
      let after: string | null = null;
      if (request.cursor !== null) {
        if (!/^\d{4}-\d{2}-\d{2}T[0-9:.]+Z$/.test(request.cursor)) throw new CoreError('InvalidArgument', 'The log cursor is not one this core gave out. Leave it out to read from the start.');
        after = request.cursor;
        since = unixTime(request.cursor);
      } else if (request.since !== null) {
        since = unixTime(request.since);
      }
      const { body, truncated } = await docker.requestBytes('GET', `/containers/${container.Id}/logs`, {
        query: { stdout: true, stderr: true, timestamps: true, follow: false, since, tail: request.cursor === null && request.tail !== null ? request.tail : undefined },
        notFound: 'container', maxBytes: request.maxBytes, timeoutMs: 30_000,
      });
      const parsed = parseMultiplexedStream(body, { keepPartial: truncated });
      if (parsed.malformed) context.warning(`The Docker daemon's log stream for '${name}' broke the stream format; the lines after that point were dropped.`);
      let lines = framesToLines(parsed.frames, true);
      // Docker's since is inclusive: the lines of the cursor's own instant were given already.
      if (after !== null) lines = lines.filter((line) => line.timestamp === null || paddedTime(line.timestamp) > paddedTime(after!));
      if (request.tail !== null && request.cursor === null) lines = lines.slice(-request.tail);
      const last = lines.findLast((line) => line.timestamp !== null)?.timestamp ?? after ?? new Date(0).toISOString();
      return { lines, cursor: last, running: container.State.Running, truncated: truncated || parsed.incomplete || parsed.malformed };
    },

    async exec(name: string, request: ExecRequest): Promise<ExecResult> {
      const docker = client();
      const container = await inspectFresh(docker, name);
      if (!container.State.Running) {
        throw new CoreError('ContainerNotRunning', `Container '${name}' is not running, so no command can run in it. Start it with Start-IsolatedContainer -Name ${name} first.`, { details: { name } });
      }
      // An argument array (Cmd), never a shell; output multiplexed (no TTY).
      const created = await docker.request('POST', `/containers/${container.Id}/exec`, {
        body: {
          Cmd: request.command, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false,
          Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
          ...(request.workingDir ? { WorkingDir: request.workingDir } : {}), ...(request.user ? { User: request.user } : {}),
        },
        schema: z.object({ Id: z.string().regex(/^[0-9a-f]{64}$/) }), notFound: 'container',
      });
      const { body, truncated } = await docker.requestBytes('POST', `/exec/${created.Id}/start`, {
        body: { Detach: false, Tty: false }, maxBytes: request.maxOutputBytes * 2 + 4096, timeoutMs: request.timeoutSeconds * 1000,
      });
      const parsed = parseMultiplexedStream(body, { keepPartial: truncated });
      const out = (stream: 'stdout' | 'stderr') => {
        const text = Buffer.concat(parsed.frames.filter((f) => f.stream === stream).map((f) => f.payload));
        return { text: text.subarray(0, request.maxOutputBytes).toString('utf8'), cut: text.length > request.maxOutputBytes };
      };
      const stdout = out('stdout');
      const stderr = out('stderr');
      let inspect = await docker.request('GET', `/exec/${created.Id}/json`, { schema: execInspectSchema });
      // The stream can end a moment before the daemon records the exit code.
      for (let i = 0; i < 50 && inspect.Running; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        inspect = await docker.request('GET', `/exec/${created.Id}/json`, { schema: execInspectSchema });
      }
      if (inspect.Running || inspect.ExitCode === null) {
        throw new CoreError('OperationTimeout', `The command in '${name}' did not report an exit code (its output was cut at ${request.maxOutputBytes} bytes or it still runs).`, { details: { name } });
      }
      return { exitCode: inspect.ExitCode, stdout: stdout.text, stderr: stderr.text, truncated: truncated || stdout.cut || stderr.cut || parsed.incomplete || parsed.malformed };
    },

    async remove(name: string, force: boolean, context: CommandContext): Promise<void> {
      const docker = client();
      const container = await inspectFresh(docker, name);
      context.verbose(`Removing Docker container ${container.Id}${force ? ' (forced)' : ''}.`);
      try {
        await docker.request('DELETE', `/containers/${container.Id}`, { query: { force, v: true }, notFound: 'container', timeoutMs: 120_000 });
      } catch (error) {
        if (error instanceof CoreError && error.code === 'ContainerRunning') {
          throw new CoreError('ContainerRunning', `Container '${name}' is running. Stop it first, or remove it with -Force. (${error.message})`,
            { cause: error, details: error.details });
        }
        throw error;
      }
    },
  };
  return backend;

  async function sandboxProcesses(container: DockerContainerInspect, daemon: DaemonFacts): Promise<ContainerProcess[]> {
    const runtime = container.HostConfig.Runtime ?? '';
    const runtimePath = daemon.runtimes[runtime]?.path ?? null;
    if (!runtimePath || !/(^|\/)runsc$/.test(runtimePath)) {
      throw new CoreError('IsolationNotSupported',
        `Container '${container.Name.replace(/^\//, '')}' runs on runtime '${runtime}', whose own process view this module cannot read ` +
        `(only runsc is supported), and Docker's top is not trustworthy for sandboxed runtimes.`);
    }
    const execRoots = options.execRoots ?? [process.env.WINDOWSCONTAINERS_DOCKER_EXEC_ROOT ?? '/var/run/docker'];
    const root = await findRunscRoot(container.Id, container.State.Pid, execRoots);
    if (!root) {
      throw new CoreError('RuntimeFailed',
        `Cannot find runsc's state for container ${container.Id} (looked at the sandbox's --root and under ${execRoots.join(', ')}). ` +
        `Set WINDOWSCONTAINERS_DOCKER_EXEC_ROOT to the daemon's --exec-root.`);
    }
    return runscProcesses(runtimePath, root, container.Id);
  }
}

/** Docker's words for a create that lacks something the user can give, turned into what to do. */
async function explainCreateFailure<T>(spec: Pick<ContainerSpec, 'image'>, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof CoreError && error.code === 'DockerError' && /no command specified/i.test(error.message)) {
      throw new CoreError('InvalidArgument',
        `Image '${spec.image}' has no default command, and none was given. Give one with -Command (for example -Command '/bin/sh', '-c', 'sleep 3600').`,
        { cause: error, details: error.details });
    }
    throw error;
  }
}

function toState(status: string): ContainerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
      return 'running';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      return 'unknown';
  }
}

/**
 * On a Linux host running the daemon's containers: the container's own
 * procfs (read through /proc/<main PID>/root/proc, checked and bounded by
 * readContainerProcfs) gives its PIDs, names and start times; Docker's top
 * gives the host PIDs, each paired with the view's PID through the host's
 * NSpid. The pairing is a claim the verdict checks against the host
 * snapshot. Without a procfs in the container, top with the host's NSpid is
 * the list, stated as not independent; a forged one is a gap.
 */
function linuxProcessView(top: ContainerProcess[], mainPid: number | null): ProcessView {
  const hostSide = (note: string): ProcessView['view'] => ({ source: 'runtime', independent: false, note });
  if (process.platform !== 'linux' || mainPid === null) {
    return { processes: withNamespacePids(top), view: hostSide("Docker gave no main process to read the container's own /proc through; the list is Docker's top with the host's namespace PIDs"), gaps: [] };
  }
  const reading = readContainerProcfs({ pid: mainPid });
  switch (reading.kind) {
    case 'gone':
      return { processes: [], view: { source: 'container-procfs', independent: true, note: reading.reason }, gaps: [] };
    case 'absent':
      return { processes: withNamespacePids(top), view: hostSide(`${reading.reason}, so the list is Docker's top with the host's namespace PIDs: not independent of the host snapshot`), gaps: [] };
    case 'untrusted':
      return { processes: withNamespacePids(top), view: hostSide(`${reading.reason}; the processes shown are Docker's top`), gaps: [`The container's own view of its processes cannot be used: ${reading.reason}.`] };
    case 'read': {
      const byNsPid = new Map<number, { entry: ContainerProcess; startTimeMs: number | null }>();
      for (const entry of top) {
        if (entry.claimedHostPid === null) continue;
        const nsPids = readStatus(entry.claimedHostPid)?.nsPids ?? [];
        // Its PID in the container's namespace: the NSpid entry at the container's level (deeper ones are nested namespaces).
        const own = nsPids.length > reading.level ? nsPids[reading.level] : undefined;
        if (own !== undefined) byNsPid.set(own, { entry, startTimeMs: readProcessStat(entry.claimedHostPid)?.startTimeMs ?? null });
      }
      const seen = new Set(reading.processes.map((p) => p.pid));
      const processes = reading.processes.map((v): ContainerProcess => {
        const paired = byNsPid.get(v.pid)?.entry ?? null;
        return {
          ...(paired ?? { workingSetBytes: null, privateBytes: null, pagedBytes: null, nonPagedBytes: null, cpuSeconds: null, sessionId: null }),
          containerPid: v.pid,
          name: v.comm,
          commandLine: v.commandLine,
          claimedHostPid: paired?.claimedHostPid ?? null,
          startTimeMs: v.startTimeMs,
        };
      });
      const hidden = [...byNsPid].filter(([inner, h]) => !seen.has(inner) && h.startTimeMs !== null && h.startTimeMs < reading.readStartedAtMs - 10);
      const gaps = hidden.length === 0 ? [] : [
        `Docker's top lists ${hidden.length} process(es) of the container that its own /proc does not (host PID ${hidden.slice(0, 10).map(([, h]) => h.entry.claimedHostPid).join(', ')}): the container's view is incomplete or forged.`,
      ];
      return { processes: processes.sort((a, b) => a.containerPid - b.containerPid), view: { source: 'container-procfs', independent: true, note: null }, gaps };
    }
  }
}

/**
 * Docker's top on Linux lists PIDs as the daemon's host sees them. The PID
 * inside the container comes from the innermost NSpid entry when this host
 * can read it (the daemon is local); otherwise the two stay equal.
 */
function withNamespacePids(processes: ContainerProcess[]): ContainerProcess[] {
  if (process.platform !== 'linux') return processes;
  return processes.map((p) => {
    const nsPids = (p.claimedHostPid === null ? null : readStatus(p.claimedHostPid))?.nsPids ?? [];
    const inner = nsPids[nsPids.length - 1];
    return inner !== undefined && inner > 0 ? { ...p, containerPid: inner } : p;
  });
}
