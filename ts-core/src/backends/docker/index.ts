import { CoreError } from '../../protocol/errors.js';
import type { Backend } from '../types.js';

/** Placeholder until the docker backend lands: it reports itself unusable and refuses every operation. */
export function createDockerBackend(): Backend {
  const refuse = (): never => {
    throw new CoreError('BackendUnavailable', 'The docker backend is not built in this version of the core.');
  };
  return {
    name: 'docker',
    probe: async () => ({ name: 'docker', usable: false, reason: 'Not built in this version of the core.', isolations: [], details: {} }),
    create: async () => refuse(),
    list: async () => [],
    inspect: async () => refuse(),
    processes: async () => refuse(),
    worker: async () => refuse(),
    stop: async () => refuse(),
    remove: async () => refuse(),
  };
}
