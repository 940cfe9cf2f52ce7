import { CoreError } from '../protocol/errors.js';
import type { RequestScope } from '../protocol/scope.js';
import type { ContainerInfo } from '../domain/container.js';

/**
 * Backend.inspectMany for a backend that answers one name at a time (its
 * scope still shares what the names have in common, such as Docker's /info
 * or the HCS enumeration): a CoreError per name is returned, not thrown.
 */
export async function inspectEach(
  inspect: (name: string, scope?: RequestScope) => Promise<ContainerInfo>,
  names: readonly string[],
  scope?: RequestScope,
): Promise<Map<string, ContainerInfo | CoreError>> {
  const results = new Map<string, ContainerInfo | CoreError>();
  for (const name of names) {
    try {
      results.set(name, await inspect(name, scope));
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      results.set(name, error);
    }
  }
  return results;
}

/**
 * Backend.owns from a lookup by name: true when it finds the container,
 * false when the backend does not hold it or cannot be asked here (no
 * daemon, no HCS): either way the container is not this backend's.
 */
export async function ownsByLookup(lookup: () => Promise<unknown>): Promise<boolean> {
  try {
    await lookup();
    return true;
  } catch (error) {
    if (error instanceof CoreError && (error.code === 'ContainerNotFound' || error.errorClass === 'unavailable')) return false;
    throw error;
  }
}
