import { CoreError } from '../protocol/errors.js';
import { takeLinuxSnapshot } from './linuxSnapshot.js';
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
    case 'win32':
      throw new CoreError(
        'BackendUnavailable',
        'Reading the host process table is not implemented for Windows in this version of the core, so isolation cannot be verified here yet. Run Get-Process on the host to compare by hand.',
        { details: { platform: process.platform } },
      );
    default:
      throw new CoreError('BackendUnavailable', `Reading the host process table is not supported on '${process.platform}'. Supported: Linux (and Windows, planned).`, {
        details: { platform: process.platform },
      });
  }
}
