import type { CommandContext } from '../protocol/dispatcher.js';
import type { CoreError } from '../protocol/errors.js';
import type { RequestScope } from '../protocol/scope.js';
import type { HostProcess } from '../processes/types.js';
import type { BackendName, Isolation } from '../domain/isolation.js';
import type { ContainerInfo, ContainerProcess, ContainerSpec, WorkerClaim } from '../domain/container.js';
import type { ResponseOf } from '../domain/responses.js';
import type { ContainerView } from '../domain/verdict.js';

export { backendNames } from '../domain/isolation.js';
export type { BackendName, Isolation, RequestedIsolation } from '../domain/isolation.js';
export type { ContainerInfo, ContainerProcess, ContainerSpec, ContainerState, WorkerClaim } from '../domain/container.js';
export type { RequestScope } from '../protocol/scope.js';

/** What container.logs asks for: the last `tail` lines, lines after `since`, or what came after `cursor` (follow). */
export interface LogRequest {
  tail: number | null;
  since: string | null;
  /** Opaque position an earlier answer gave; the answer then holds only what was written after it. */
  cursor: string | null;
  maxBytes: number;
}

export interface LogLine {
  /** output: stdout and stderr together (the linux backend keeps one stream); console: a utility VM's serial console. */
  stream: 'output' | 'stdout' | 'stderr' | 'console';
  text: string;
  timestamp: string | null;
}

export interface LogChunk {
  lines: LogLine[];
  /** Where the next follow request starts. */
  cursor: string;
  /** Whether the container still runs (follow stops when it does not). */
  running: boolean;
  truncated: boolean;
}

export interface ExecRequest {
  command: string[];
  env: Record<string, string>;
  workingDir: string | null;
  user: string | null;
  timeoutSeconds: number;
  maxOutputBytes: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

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

/** The answer to Backend.canCreate: yes, or why not. */
export type CreatableStatus = { ok: true } | { ok: false; reason: string };

/** What a backend can do at all, whatever the host: fixed per backend. */
export interface BackendCapabilities {
  /** Whether it creates containers (hcs only observes and stops them). */
  create: boolean;
  /** The isolations it can create when the host allows (probe() says which ones here). */
  isolations: readonly Isolation[];
}

/** An image as the module shows it (the store's record minus internals). */
export type ImageView = ResponseOf<'image.import'>;

/** The linux backend's image store: images come from files, never from a registry. */
export interface ImageStore {
  /** With `context`, interrupted operations a killed core left are rolled back first (reported through its verbose stream). */
  import(options: { name: string; path: string; onProgress?: (status: string, percent: number) => void; context?: CommandContext }): Promise<ImageView>;
  list(): ImageView[];
  remove(name: string): void;
}

/** A container a backend holds but could not read, reported beside the ones it could. */
export interface ListProblem {
  name: string;
  error: CoreError;
}

export interface ContainerListing {
  containers: ContainerInfo[];
  problems: ListProblem[];
}

/** thorough false: skip checks that only creating some containers needs (the linux backend's KVM test boot); commands that boot nothing ask for that. */
export interface ProbeOptions {
  thorough?: boolean;
}

/**
 * One backend. Every read takes the request's scope, so what one request
 * asks several times (Docker's /info, the HCS enumeration, one inspect) is
 * asked once; without a scope nothing is shared.
 */
/** A container's process list and where it came from. */
export interface ProcessView {
  processes: ContainerProcess[];
  view: ContainerView;
  /** What makes this list unusable as evidence (a forged or unreadable container procfs): each one makes the verdict Inconclusive. */
  gaps: string[];
}

export interface Backend {
  readonly name: BackendName;
  readonly capabilities: BackendCapabilities;
  probe(scope?: RequestScope, options?: ProbeOptions): Promise<BackendStatus>;
  /**
   * Whether create() can be tried here (usable, with at least one isolation),
   * for backends that can tell more cheaply than probe(): autoBackend asks
   * before every create. Without it, autoBackend reads probe().
   */
  canCreate?(scope?: RequestScope): Promise<CreatableStatus>;
  /**
   * Whether this backend holds a container of that name. False when it does
   * not or cannot be asked (unusable here); an unreadable record is still held.
   */
  owns(name: string, scope?: RequestScope): Promise<boolean>;
  /** Creates and starts; on failure leaves nothing behind. */
  create(spec: ContainerSpec, context: CommandContext): Promise<ContainerInfo>;
  /**
   * For a backend whose engine decides what "no isolation given" means
   * (dockerd honours `exec-opts isolation=…` before the Windows edition's
   * default: moby daemon/daemon_windows.go setDefaultIsolation): creates
   * without naming an isolation, and reports the one the engine chose.
   * Backends without it get -Isolation Default resolved by the core.
   */
  createWithEngineDefault?(spec: Omit<ContainerSpec, 'isolation'>, context: CommandContext): Promise<ContainerInfo>;
  /** Every container (`all`: stopped ones too), and those it holds but could not read. */
  list(options: { all: boolean }, scope?: RequestScope): Promise<ContainerListing>;
  /** Throws ContainerNotFound when the backend does not hold it. */
  inspect(name: string, scope?: RequestScope): Promise<ContainerInfo>;
  /** inspect() for several containers at once; a failure per name is returned, not thrown. */
  inspectMany(names: readonly string[], scope?: RequestScope): Promise<Map<string, ContainerInfo | CoreError>>;
  processes(name: string, scope?: RequestScope): Promise<ContainerProcess[]>;
  /**
   * The processes with where they were read from (the container's own
   * procfs, a guest agent, the host's cgroup…) and what that reading could
   * not prove. The evidence path prefers it to processes() when present.
   */
  processView?(name: string, scope?: RequestScope): Promise<ProcessView>;
  /** The worker claim for a container that has one; null for process isolation. */
  worker(name: string, snapshot: readonly HostProcess[], scope?: RequestScope): Promise<WorkerClaim | null>;
  stop(name: string, timeoutSeconds: number, context: CommandContext): Promise<ContainerInfo>;
  /**
   * Starts an exited container again with the isolation, image and command it
   * was created with (after a host reboot too). A running one is answered as is.
   */
  start?(name: string, context: CommandContext): Promise<ContainerInfo>;
  /** The container's output (stdout and stderr as the backend keeps it), bounded. */
  logs?(name: string, request: LogRequest, context: CommandContext): Promise<LogChunk>;
  /** Runs a command (an argument array, never a shell) in a running container; ContainerNotRunning otherwise. */
  exec?(name: string, request: ExecRequest, context: CommandContext): Promise<ExecResult>;
  remove(name: string, force: boolean, context: CommandContext): Promise<void>;
}
