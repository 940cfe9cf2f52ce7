import { CoreError } from '../protocol/errors.js';
import { containerExists } from './linux/state.js';
import { validateContainerName } from './linux/names.js';
import { getBackend } from './registry.js';
import { backendNames, type Backend, type BackendName } from './types.js';

/**
 * Finds which backend holds a container, so that commands acting on an
 * existing container need no -Backend: the linux backend's own state first
 * (a directory lookup), then every other backend that is usable here, by
 * inspect. The one place that decides this.
 */
export async function locateBackend(name: string, options: { except?: BackendName } = {}): Promise<Backend | null> {
  validateContainerName(name);
  if (options.except !== 'linux' && containerExists(name)) return getBackend('linux');
  for (const backendName of backendNames) {
    if (backendName === 'linux' || backendName === options.except) continue;
    const backend = getBackend(backendName);
    try {
      if (!(await backend.probe()).usable) continue;
      await backend.inspect(name);
      return backend;
    } catch (error) {
      if (error instanceof CoreError && error.code === 'ContainerNotFound') continue;
      throw error;
    }
  }
  return null;
}

/** The backend holding the container, or ContainerNotFound. */
export async function requireBackendFor(name: string): Promise<Backend> {
  const backend = await locateBackend(name);
  if (backend) return backend;
  throw new CoreError('ContainerNotFound',
    `There is no container named '${name}' on any usable backend. List the containers with Get-IsolatedContainer.`, { details: { name } });
}
