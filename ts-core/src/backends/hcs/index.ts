import { CoreError } from '../../protocol/errors.js';
import type { Backend } from '../types.js';

/** Placeholder until the hcs backend lands: it reports itself unusable and refuses every operation. */
export function createHcsBackend(): Backend {
  const refuse = (): never => {
    throw new CoreError('BackendUnavailable', 'The hcs backend is not built in this version of the core.');
  };
  return {
    name: 'hcs',
    probe: async () => ({ name: 'hcs', usable: false, reason: 'Not built in this version of the core.', isolations: [], details: {} }),
    create: async () => refuse(),
    list: async () => [],
    inspect: async () => refuse(),
    processes: async () => refuse(),
    worker: async () => refuse(),
    stop: async () => refuse(),
    remove: async () => refuse(),
  };
}
