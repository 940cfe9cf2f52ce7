import { CoreError } from '../../protocol/errors.js';
import type { Backend } from '../types.js';

/** Placeholder until the linux backend lands: it reports itself unusable and refuses every operation. */
export function createLinuxBackend(): Backend {
  const refuse = (): never => {
    throw new CoreError('BackendUnavailable', 'The linux backend is not built in this version of the core.');
  };
  return {
    name: 'linux',
    probe: async () => ({ name: 'linux', usable: false, reason: 'Not built in this version of the core.', isolations: [], details: {} }),
    create: async () => refuse(),
    list: async () => [],
    inspect: async () => refuse(),
    processes: async () => refuse(),
    worker: async () => refuse(),
    stop: async () => refuse(),
    remove: async () => refuse(),
  };
}
