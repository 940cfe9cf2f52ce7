import path from 'node:path';
import { validateContainerName } from './domain/names.js';

/**
 * Where the module keeps its own state (images, containers, runc root, VM
 * files). WINDOWSCONTAINERS_STATE_DIR moves it, which the tests use to work
 * in a private directory; the defaults are machine-wide because containers
 * outlive the PowerShell session that made them.
 */
export function stateDir(): string {
  const override = process.env.WINDOWSCONTAINERS_STATE_DIR;
  if (override) return path.resolve(override);
  if (process.platform === 'win32') return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'WindowsContainers');
  return '/var/lib/windowscontainers';
}

/** The local image store of the linux backend: <state>/images/<name>/{rootfs/,image.json}. */
export function imageDir(name: string): string {
  return path.join(stateDir(), 'images', name);
}

export function imageRootfsDir(name: string): string {
  return path.join(imageDir(name), 'rootfs');
}

/**
 * One directory per container of the linux backend: bundle, metadata, VM
 * files. Requests are checked at the boundary; this is where a name becomes
 * a path, so it holds the name to the same rule once more rather than let
 * any caller join '..' or a separator into the state directory.
 */
export function containerDir(name: string): string {
  return path.join(stateDir(), 'containers', validateContainerName(name));
}
