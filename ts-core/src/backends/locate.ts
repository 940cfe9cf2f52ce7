import { CoreError } from '../protocol/errors.js';
import { newRequestScope, type RequestScope } from '../protocol/scope.js';
import { getBackend } from './registry.js';
import { backendNames, type Backend, type BackendName } from './types.js';

/**
 * Finds which backend holds a container, so that commands acting on an
 * existing container need no -Backend: each backend in turn says whether it
 * owns the name (linux first: a directory lookup), and a backend that
 * cannot be asked here owns nothing. The one place that decides this.
 */
export async function locateBackend(name: string, options: { except?: BackendName; scope?: RequestScope } = {}): Promise<Backend | null> {
  const scope = options.scope ?? newRequestScope();
  for (const backendName of backendNames) {
    if (backendName === options.except) continue;
    const backend = getBackend(backendName);
    if (await backend.owns(name, scope)) return backend;
  }
  return null;
}

/** The backend holding the container, or ContainerNotFound. */
export async function requireBackendFor(name: string, scope?: RequestScope): Promise<Backend> {
  const backend = await locateBackend(name, scope ? { scope } : {});
  if (backend) return backend;
  throw new CoreError('ContainerNotFound',
    `There is no container named '${name}' on any usable backend. List the containers with Get-IsolatedContainer.`, { details: { name } });
}
