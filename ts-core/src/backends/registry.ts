import { CoreError } from '../protocol/errors.js';
import { backendNames, type Backend, type BackendName, type BackendStatus, type CreatableStatus, type ProbeOptions } from './types.js';
import { createLinuxBackend } from './linux/index.js';
import { createDockerBackend } from './docker/index.js';
import { createHcsBackend, type HcsExtras } from './hcs/index.js';

const factories: Record<BackendName, () => Backend> = {
  linux: createLinuxBackend,
  // Docker's API does not say which utility VM runs a Hyper-V container; HCS does.
  docker: () => createDockerBackend({ resolveUtilityVmId: hcsUtilityVmId }),
  hcs: createHcsBackend,
};

/** The docker backend's Windows worker lookup; no answer (HCS absent or silent) means no worker is claimed. */
async function hcsUtilityVmId(containerId: string): Promise<string | null> {
  try {
    return await (getBackend('hcs') as Backend & HcsExtras).utilityVmId(containerId);
  } catch {
    return null;
  }
}

const instances = new Map<BackendName, Backend>();

/** One instance per backend per core process; backends keep no per-request state. */
export function getBackend(name: BackendName): Backend {
  let backend = instances.get(name);
  if (!backend) {
    backend = factories[name]();
    instances.set(name, backend);
  }
  return backend;
}

export function parseBackendName(value: string): BackendName {
  const name = backendNames.find((n) => n === value.toLowerCase());
  if (!name) throw new CoreError('BackendNotFound', `Unknown backend '${value}'. Use one of: ${backendNames.join(', ')}.`);
  return name;
}

/** Probes every backend; a probe that throws is reported as unusable, not as a failed command. */
export async function probeAll(options: ProbeOptions = {}): Promise<BackendStatus[]> {
  return Promise.all(
    backendNames.map(async (name) => {
      try {
        return await getBackend(name).probe(options);
      } catch (error) {
        return { name, usable: false, reason: `The probe failed: ${(error as Error).message}`, isolations: [], details: {} };
      }
    }),
  );
}

/**
 * The backend `auto` picks to create a container: on Windows hcs, then docker;
 * elsewhere linux, then docker. A backend that can create no isolation here
 * is passed over even when usable: hcs observes and stops containers but
 * leaves creating them to docker.
 */
export async function autoBackend(): Promise<Backend> {
  const order: BackendName[] = process.platform === 'win32' ? ['hcs', 'docker'] : ['linux', 'docker'];
  const reasons: string[] = [];
  for (const name of order) {
    const backend = getBackend(name);
    const status = backend.canCreate ? await backend.canCreate() : creatableFrom(await backend.probe());
    if (status.ok) return backend;
    reasons.push(`${name}: ${status.reason}`);
  }
  throw new CoreError('BackendUnavailable', `No backend is usable on this host. ${reasons.join(' ')}`, { details: { reasons } });
}

/** What a full probe says about creating: usable with at least one isolation. */
function creatableFrom(status: BackendStatus): CreatableStatus {
  if (status.usable && status.isolations.length > 0) return { ok: true };
  return { ok: false, reason: status.usable ? `${status.reason} It creates no containers here.` : status.reason };
}
