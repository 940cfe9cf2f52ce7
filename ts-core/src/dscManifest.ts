/**
 * The DSC v3 resource manifest WindowsContainers.IsolatedContainer.dsc.resource.json,
 * written by the build beside the module manifest: its instance schema is
 * generated from the same zod schema container.converge validates with, and
 * its exit codes from the core's error classes.
 * Manifest reference: https://learn.microsoft.com/powershell/dsc/reference/schemas/resource/manifest/root
 */
import { z } from 'zod';
import { containerInstanceSchema } from './domain/desiredState.js';
import { errorClasses } from './protocol/errors.js';

export const DSC_RESOURCE_TYPE = 'WindowsContainers/IsolatedContainer';
export const DSC_MANIFEST_FILE = 'WindowsContainers.IsolatedContainer.dsc.resource.json';
/** The wrapper shipped beside the manifest (found on PATH, as the manifest is): runs the bundle's `dsc` mode. */
export const DSC_EXECUTABLE = 'windowscontainers-dsc';

const exitCodeMeaning: Record<string, string> = {
  usage: 'Invalid input: the document is not valid JSON or not a valid instance (the schema\'s message is on stderr), or a desired state that cannot be reached (incompatible image, a backend that cannot create).',
  notFound: 'Not found: an image (or container) the desired state needs does not exist.',
  conflict: 'Conflict: the name is taken on another backend, or the container is in a state that prevents the change.',
  unavailable: 'A backend or a dependency it needs is not available on this host.',
  denied: 'Permission denied: run elevated (root / Administrator).',
  timeout: 'An operation timed out.',
  platform: 'The container runtime (runc, QEMU, dockerd, HCS) failed.',
  invalidData: 'A record the core read (container state, a runtime answer) is invalid.',
  limit: 'A limit was exceeded (input larger than 1 MiB, image too large).',
  resource: 'A host resource ran out (disk full).',
  security: 'Refused for safety (an unsafe path or link).',
  internal: 'An internal error: a bug (the message on stderr says where).',
};

export function dscResourceManifest(version: string): Record<string, unknown> {
  const command = (operation: string, extra: Record<string, unknown> = {}) => ({ executable: DSC_EXECUTABLE, args: [operation], ...extra });
  const exitCodes: Record<string, string> = { 0: 'Success: the state (or nothing, for delete) is on stdout.' };
  for (const [errorClass, { exitCode }] of Object.entries(errorClasses)) exitCodes[String(exitCode)] = exitCodeMeaning[errorClass] ?? errorClass;
  const instanceSchema = z.toJSONSchema(containerInstanceSchema, { io: 'input', unrepresentable: 'any' });
  return {
    $schema: 'https://aka.ms/dsc/schemas/v3/bundled/resource/manifest.json',
    type: DSC_RESOURCE_TYPE,
    version,
    description: 'A container with a given isolation (process or Hyper-V), kept as declared by the WindowsContainers module. Recreating a container (when image, isolation, command or backend differ) loses its writable layer.',
    tags: ['containers', 'isolation', 'hyper-v', 'windows', 'linux'],
    get: command('get', { input: 'stdin' }),
    set: command('set', { input: 'stdin', implementsPretest: false, handlesExist: true, return: 'state' }),
    test: command('test', { input: 'stdin', return: 'state' }),
    delete: command('delete', { input: 'stdin' }),
    export: command('export'),
    exitCodes,
    schema: { embedded: { ...instanceSchema, $schema: 'https://json-schema.org/draft/2020-12/schema' } },
  };
}
