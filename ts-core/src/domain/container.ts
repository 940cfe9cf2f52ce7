/** Containers, their processes and worker claims as they cross the core's boundaries. */
import { z } from 'zod';
import { backendNameSchema, isolationSchema } from './isolation.js';

export const containerStateSchema = z.enum(['created', 'running', 'exited', 'unknown']);
export type ContainerState = z.infer<typeof containerStateSchema>;

/** An ISO 8601 timestamp: the one form timestamps take on the wire (PowerShell reads it as a DateTime). */
export const timestampSchema = z.string().max(64);

export const containerInfoSchema = z.object({
  name: z.string(),
  /** The backend's own id (runc id, Docker id, HCS id). */
  id: z.string(),
  backend: backendNameSchema,
  image: z.string(),
  isolation: isolationSchema,
  state: containerStateSchema,
  command: z.array(z.string()),
  /** ISO 8601; '' when the backend does not say (HCS). */
  createdAt: z.union([timestampSchema, z.literal('')]),
  startedAt: timestampSchema.nullable(),
  exitCode: z.number().int().nullable(),
  /** Host PID of the container's main process when the host can see it. */
  hostPid: z.number().int().positive().nullable(),
  /** Id of the utility VM / sandbox that hosts the container, when there is one. */
  utilityVmId: z.string().nullable(),
  /** True when this module created it (Docker label, module state). */
  managed: z.boolean(),
});
export type ContainerInfo = z.infer<typeof containerInfoSchema>;

/**
 * A process as the container itself reports it. Memory in bytes, CPU in
 * seconds; null where the source does not say.
 */
export const containerProcessSchema = z.object({
  /** PID inside the container (its own PID namespace, or the guest kernel). */
  containerPid: z.number().int().nonnegative(),
  name: z.string(),
  commandLine: z.string().nullable(),
  /**
   * Host PID the backend claims for this process (runc ps, docker top on
   * Linux). A claim, not a fact: the verdict checks it against the host.
   */
  claimedHostPid: z.number().int().positive().nullable(),
  /** Start time in ms since the Unix epoch on the host clock, when known (inside the core; the wire carries ISO). */
  startTimeMs: z.number().nullable(),
  workingSetBytes: z.number().nullable(),
  privateBytes: z.number().nullable(),
  pagedBytes: z.number().nullable(),
  nonPagedBytes: z.number().nullable(),
  cpuSeconds: z.number().nullable(),
  sessionId: z.number().int().nullable(),
});
export type ContainerProcess = z.infer<typeof containerProcessSchema>;

/** The host process that the backend says runs this container's utility VM or sandbox. */
export const workerClaimSchema = z.object({
  pid: z.number().int().positive(),
  /** The name the host shows for it (vmwp, qemu-wc-<id>, exe). */
  name: z.string(),
  /** Start time recorded by the backend when it launched or found it (ms since the epoch). */
  startTimeMs: z.number().nullable(),
  /** A string that ties the worker to this container: must occur in `tieField` of the host process. */
  tieToken: z.string(),
  tieField: z.enum(['commandLine', 'user']),
  /**
   * The channel the container's processes were read through (a utility VM's
   * agent socket) and whether the claimed PID holds its listening end, checked
   * on the host when the claim was made: the worker must be the process that
   * serves the VM, not one that merely carries its name and id. Absent or null
   * where the backend has no such channel.
   */
  channel: z.object({ socketPath: z.string(), heldByClaimedPid: z.boolean().nullable() }).nullable().optional(),
  /** How the backend found it, in words. */
  how: z.string(),
});
export type WorkerClaim = z.infer<typeof workerClaimSchema>;

/** A request to create and start a container; validated at the boundary before it reaches a backend. */
export interface ContainerSpec {
  name: string;
  image: string;
  isolation: z.infer<typeof isolationSchema>;
  command: string[];
  env: Record<string, string>;
  workingDir: string;
  hostname: string;
  memoryMB: number | undefined;
  cpuCount: number | undefined;
  /** Overrides the image's User (Docker's forms: uid[:gid], name[:group]); unset: the image's, else root. */
  user?: string | undefined;
  /** Map the container's root to an unprivileged host uid range (linux backend, process isolation). */
  userNamespace?: boolean | undefined;
}
