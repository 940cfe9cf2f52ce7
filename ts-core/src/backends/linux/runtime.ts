import type { CommandContext } from '../../protocol/dispatcher.js';
import type { HostProcess } from '../../processes/types.js';
import type { ProcessView } from '../types.js';
import type { ContainerProcess, ContainerState, ExecRequest, ExecResult, WorkerClaim } from '../types.js';
import type { ImageRecord } from './images.js';
import type { ContainerMetadata } from './state.js';

/** What a runtime says about one container right now. */
export interface RuntimeStatus {
  state: ContainerState;
  /** Host PID of the main process while it runs and the host sees it. */
  hostPid: number | null;
  /** The main process's exit code when the runtime knows it (the utility VM's agent does); else the stored one counts. */
  exitCode?: number | null;
}

/**
 * One way the linux backend runs a container: runc (process isolation) or a
 * QEMU utility VM (HyperV). The backend owns names, the container directory,
 * metadata and rollback; a runtime owns what it starts. The backend picks the
 * runtime by the requested isolation at create and by `metadata.runtime`
 * afterwards.
 */
export interface LinuxRuntime {
  readonly kind: ContainerMetadata['runtime'];
  readonly isolation: ContainerMetadata['isolation'];
  /**
   * Starts the container whose directory and metadata already exist and
   * returns the metadata to store. On failure it throws; the backend then
   * calls destroy() and removes the directory.
   */
  start(metadata: ContainerMetadata, image: ImageRecord & { rootfs: string }, context: CommandContext): Promise<ContainerMetadata>;
  /**
   * Starts an exited container again from what its directory keeps (bundle,
   * writable layer, kernel): after a host reboot too, when the runtime's own
   * state and mounts are gone. Returns the metadata to store.
   */
  restart(metadata: ContainerMetadata, image: ImageRecord & { rootfs: string }, context: CommandContext): Promise<ContainerMetadata>;
  /** The file (in the container directory) its output is kept in, capped and rotated once (containerLog.ts). */
  readonly logFile: string;
  readonly logStream: 'output' | 'console';
  /** Runs a command in the running container (argument array, no shell). */
  exec(metadata: ContainerMetadata, request: ExecRequest, context: CommandContext): Promise<ExecResult>;
  /**
   * Whether what start() or restart() just returned is known to run, without
   * asking again (false: the backend asks statusAll).
   */
  runningAfterStart(metadata: ContainerMetadata): boolean;
  /** Status of several containers in one go (list). */
  statusAll(metadata: readonly ContainerMetadata[]): Promise<Map<string, RuntimeStatus>>;
  processes(metadata: ContainerMetadata): Promise<ContainerProcess[]>;
  /** The processes with where they came from; without it the backend says the runtime listed them. */
  processView?(metadata: ContainerMetadata): Promise<ProcessView>;
  worker(metadata: ContainerMetadata, snapshot: readonly HostProcess[]): Promise<WorkerClaim | null>;
  /** Stops gracefully, then by force after the timeout; returns the metadata to store. */
  stop(metadata: ContainerMetadata, timeoutSeconds: number, context: CommandContext): Promise<ContainerMetadata>;
  /**
   * Removes everything the runtime holds for this container name (processes,
   * runtime state, cgroups), running or not. Idempotent; `metadata` is null
   * when it is damaged, so it must work from the name alone.
   */
  destroy(name: string, metadata: ContainerMetadata | null, context: CommandContext | null): Promise<void>;
}
