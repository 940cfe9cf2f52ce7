import { CoreError } from '../protocol/errors.js';
import { newRequestScope, type RequestScope } from '../protocol/scope.js';
import { backendNames, type Backend, type BackendName, type BackendStatus, type CreatableStatus, type ProbeOptions } from './types.js';
import { createLinuxBackend, type LinuxBackend } from './linux/index.js';
import { createDockerBackend } from './docker/index.js';
import { createHcsBackend, type HcsBackend } from './hcs/index.js';

/**
 * Each backend's own type: linux offers its image store, hcs its
 * compute-system views beside the common interface. The registry is the one
 * place that knows the backend packages; everything else asks it.
 */
interface BackendTypes {
  linux: LinuxBackend;
  docker: Backend;
  hcs: HcsBackend;
}

const factories: { [N in BackendName]: () => BackendTypes[N] } = {
  linux: createLinuxBackend,
  // Docker's API does not say which utility VM runs a Hyper-V container; HCS does, through this backend only.
  docker: () => createDockerBackend({ resolveUtilityVmId: hcsUtilityVmId }),
  hcs: createHcsBackend,
};

/** The docker backend's Windows worker lookup; no answer (HCS absent or silent) means no worker is claimed. */
async function hcsUtilityVmId(containerId: string, scope: RequestScope): Promise<string | null> {
  if (process.platform !== 'win32') return null;
  try {
    return await getBackend('hcs').utilityVmId(containerId, scope);
  } catch {
    return null;
  }
}

const instances: { [N in BackendName]?: BackendTypes[N] } = {};

function instance<N extends BackendName>(name: N): BackendTypes[N] {
  const existing = instances[name];
  if (existing) return existing;
  const created = factories[name]();
  instances[name] = created;
  return created;
}

/** One instance per backend per core process; what a request reuses lives in its scope, not here. */
export function getBackend<N extends BackendName>(name: N): BackendTypes[N] {
  return instance(name);
}

export function parseBackendName(value: string): BackendName {
  const name = backendNames.find((n) => n === value.toLowerCase());
  if (!name) throw new CoreError('BackendNotFound', `Unknown backend '${value}'. Use one of: ${backendNames.join(', ')}.`);
  return name;
}

/** Probes every backend; a probe that throws is reported as unusable, not as a failed command. */
export async function probeAll(scope: RequestScope = newRequestScope(), options: ProbeOptions = {}): Promise<BackendStatus[]> {
  return Promise.all(
    backendNames.map(async (name) => {
      try {
        return await getBackend(name).probe(scope, options);
      } catch (error) {
        return { name, usable: false, reason: `The probe failed: ${(error as Error).message}`, isolations: [], details: {} };
      }
    }),
  );
}

/**
 * The order `auto` tries to create a container in: linux (not on Windows),
 * then docker. Only backends that create at all take part: hcs observes and
 * stops containers but leaves creating them to docker.
 */
export function autoCreateOrder(platform: NodeJS.Platform = process.platform): BackendName[] {
  const preferred: BackendName[] = platform === 'win32' ? ['docker'] : ['linux', 'docker'];
  return preferred.filter((name) => getBackend(name).capabilities.create);
}

/** The backend `auto` picks to create a container: the first in autoCreateOrder that can create here. */
export async function autoBackend(scope: RequestScope = newRequestScope()): Promise<Backend> {
  const reasons: string[] = [];
  for (const name of autoCreateOrder()) {
    const backend = getBackend(name);
    const status = backend.canCreate ? await backend.canCreate(scope) : creatableFrom(await backend.probe(scope));
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
