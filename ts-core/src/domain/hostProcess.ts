/** One process in the host's process table, as one snapshot saw it. */
import { z } from 'zod';

export const hostProcessSchema = z.object({
  pid: z.number().int().nonnegative(),
  parentPid: z.number().int().nonnegative().nullable(),
  /** What Get-Process shows as ProcessName. */
  name: z.string(),
  commandLine: z.string(),
  /** ms since the Unix epoch; the identity check compares these. */
  startTimeMs: z.number(),
  user: z.string().nullable(),
  /** Linux: NSpid chain from /proc/<pid>/status, outermost first; [] elsewhere. */
  nsPids: z.array(z.number().int()),
  /** Linux: the PID namespace inode (readlink /proc/<pid>/ns/pid), null when not readable. */
  pidNamespace: z.string().nullable(),
  workingSetBytes: z.number(),
  privateBytes: z.number(),
  pagedBytes: z.number(),
  nonPagedBytes: z.number(),
  cpuSeconds: z.number(),
  sessionId: z.number().int(),
});
export type HostProcess = z.infer<typeof hostProcessSchema>;

export interface HostSnapshot {
  takenAtMs: number;
  processes: HostProcess[];
  /** PIDs whose details could not be read (permission, exited while reading). */
  unreadable: number[];
}
