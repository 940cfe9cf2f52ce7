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

/** Why a backend cannot be asked here at all: then it holds nothing that commands can reach. */
const unreachable: ReadonlySet<CoreError['errorClass']> = new Set(['unavailable', 'denied', 'timeout']);

/**
 * Backend.owns from a lookup by name: true when it finds the container,
 * false when the backend does not hold it or cannot be asked here (no
 * daemon, a socket this user may not open, a daemon that does not answer,
 * no HCS): either way no command can reach the container through it.
 */
export async function ownsByLookup(lookup: () => Promise<unknown>): Promise<boolean> {
  try {
    await lookup();
    return true;
  } catch (error) {
    if (error instanceof CoreError && (error.code === 'ContainerNotFound' || unreachable.has(error.errorClass))) return false;
    throw error;
  }
}
