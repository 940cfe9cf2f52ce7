import { CoreError } from '../protocol/errors.js';
import { takeLinuxSnapshot } from './linuxSnapshot.js';
import { takeWindowsSnapshot } from './windowsSnapshot.js';
import type { HostSnapshot } from './types.js';

export interface SnapshotOptions {
  /** Read only these PIDs; every process otherwise. */
  pids?: readonly number[];
}

/**
 * One snapshot of the host's process table. Take it once per command, however
 * many containers that command serves: every verdict in one pipeline then
 * judges against the same picture of the host.
 */
export async function takeHostSnapshot(options: SnapshotOptions = {}): Promise<HostSnapshot> {
  switch (process.platform) {
    case 'linux': {
      const { takenAtMs, processes, unreadable } = takeLinuxSnapshot(options.pids ? { pids: options.pids } : {});
      return { takenAtMs, processes, unreadable };
    }
    case 'win32': {
      // Get-CimInstance Win32_Process through Windows PowerShell (see windowsSnapshot.ts) reads every process; keep the asked-for PIDs.
      const snapshot = await takeWindowsSnapshot();
      if (!options.pids) return snapshot;
      const wanted = new Set(options.pids);
      return { ...snapshot, processes: snapshot.processes.filter((p) => wanted.has(p.pid)), unreadable: snapshot.unreadable.filter((pid) => wanted.has(pid)) };
    }
    default:
      throw new CoreError('BackendUnavailable', `Reading the host process table is not supported on '${process.platform}'. Supported: Linux and Windows.`, {
        details: { platform: process.platform },
      });
  }
}
