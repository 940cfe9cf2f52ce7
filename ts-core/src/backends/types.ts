import type { CommandContext } from '../protocol/dispatcher.js';
import type { HostProcess } from '../processes/types.js';

export const backendNames = ['linux', 'docker', 'hcs'] as const;
export type BackendName = (typeof backendNames)[number];

export type Isolation = 'Process' | 'HyperV';
export type RequestedIsolation = Isolation | 'Default';
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** What a backend says about whether it can be used on this host. */
export interface BackendStatus {
  name: BackendName;
  usable: boolean;
  /** Why not, or what will be used (e.g. "KVM does not answer: TCG will be used"), in words. */
  reason: string;
  /** Isolations this backend can create here. */
  isolations: Isolation[];
  details: Record<string, unknown>;
}

/** A request to create and start a container; validated before it reaches a backend. */
export interface ContainerSpec {
  name: string;
  image: string;
  isolation: Isolation;
  command: string[];
  env: Record<string, string>;
  workingDir: string;
  hostname: string;
  memoryMB: number | undefined;
  cpuCount: number | undefined;
}

export interface ContainerInfo {
  name: string;
  /** The backend's own id (runc id, Docker id, HCS id). */
  id: string;
  backend: BackendName;
  image: string;
  isolation: Isolation;
  state: ContainerState;
  command: string[];
  createdAt: string;
  startedAt: string | null;
  exitCode: number | null;
  /** Host PID of the container's main process when the host can see it. */
  hostPid: number | null;
  /** Id of the utility VM / sandbox that hosts the container, when there is one. */
  utilityVmId: string | null;
  /** True when this module created it (Docker label, module state). */
  managed: boolean;
}

/**
 * A process as the container itself reports it. Memory in bytes, CPU in
 * seconds; null where the source does not say.
 */
export interface ContainerProcess {
  /** PID inside the container (its own PID namespace, or the guest kernel). */
  containerPid: number;
  name: string;
  commandLine: string | null;
  /**
   * Host PID the backend claims for this process (runc ps, docker top on
   * Linux). A claim, not a fact: the verdict checks it against the host.
   */
  claimedHostPid: number | null;
  /** Start time in ms since the Unix epoch on the host clock, when known. */
  startTimeMs: number | null;
  workingSetBytes: number | null;
  privateBytes: number | null;
  pagedBytes: number | null;
  nonPagedBytes: number | null;
  cpuSeconds: number | null;
  sessionId: number | null;
}

/** The host process that the backend says runs this container's utility VM or sandbox. */
export interface WorkerClaim {
  pid: number;
  /** The name the host shows for it (vmwp, qemu-wc-<id>, exe). */
  name: string;
  /** Start time recorded by the backend when it launched or found it. */
  startTimeMs: number | null;
  /** A string that ties the worker to this container: must occur in `tieField` of the host process. */
  tieToken: string;
  tieField: 'commandLine' | 'user';
  /** How the backend found it, in words. */
  how: string;
}

/** The answer to Backend.canCreate: yes, or why not. */
export type CreatableStatus = { ok: true } | { ok: false; reason: string };

/** thorough false: skip checks that only creating some containers needs (the linux backend's KVM test boot); commands that boot nothing ask for that. */
export interface ProbeOptions {
  thorough?: boolean;
}

export interface Backend {
  readonly name: BackendName;
  probe(options?: ProbeOptions): Promise<BackendStatus>;
  /**
   * Whether create() can be tried here (usable, with at least one isolation),
   * for backends that can tell more cheaply than probe(): autoBackend asks
   * before every create. Without it, autoBackend reads probe().
   */
  canCreate?(): Promise<CreatableStatus>;
  /** Creates and starts; on failure leaves nothing behind. */
  create(spec: ContainerSpec, context: CommandContext): Promise<ContainerInfo>;
  list(options: { all: boolean }): Promise<ContainerInfo[]>;
  /** Throws ContainerNotFound when the backend does not hold it. */
  inspect(name: string): Promise<ContainerInfo>;
  processes(name: string): Promise<ContainerProcess[]>;
  /** The worker claim for a container that has one; null for process isolation. */
  worker(name: string, snapshot: readonly HostProcess[]): Promise<WorkerClaim | null>;
  stop(name: string, timeoutSeconds: number, context: CommandContext): Promise<ContainerInfo>;
  remove(name: string, force: boolean, context: CommandContext): Promise<void>;
}
