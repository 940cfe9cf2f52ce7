/** One process in the host's process table, as one snapshot saw it. */
export interface HostProcess {
  pid: number;
  parentPid: number | null;
  /** What Get-Process shows as ProcessName. */
  name: string;
  commandLine: string;
  /** ms since the Unix epoch; the identity check compares these. */
  startTimeMs: number;
  user: string | null;
  /** Linux: NSpid chain from /proc/<pid>/status, outermost first; [] elsewhere. */
  nsPids: number[];
  /** Linux: the PID namespace inode (readlink /proc/<pid>/ns/pid), null when not readable. */
  pidNamespace: string | null;
  workingSetBytes: number;
  privateBytes: number;
  pagedBytes: number;
  nonPagedBytes: number;
  cpuSeconds: number;
  sessionId: number;
}

export interface HostSnapshot {
  takenAtMs: number;
  processes: HostProcess[];
  /** PIDs whose details could not be read (permission, exited while reading). */
  unreadable: number[];
}
