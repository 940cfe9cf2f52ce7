import { CoreError } from '../../protocol/errors.js';
import type { Isolation, RequestedIsolation } from '../types.js';
import type { DockerContainerInspect, DockerInfo } from './schemas.js';

/**
 * Pure isolation decisions for Docker daemons. Windows daemons take
 * `HostConfig.Isolation` (`process`/`hyperv`); Linux daemons only know
 * `default` (they answer `hyperv` with 500 "Invalid isolation"), so
 * HyperV-class isolation there means a runtime that puts the container behind
 * its own kernel: gVisor's runsc or Kata.
 */

export interface DaemonFacts {
  endpoint: string;
  osType: 'windows' | 'linux' | string;
  /** Windows: the daemon's default isolation; null on Linux. */
  defaultIsolation: Isolation | null;
  defaultRuntime: string | null;
  runtimes: Record<string, { path: string | null }>;
}

export function daemonFacts(info: DockerInfo, endpoint: string): DaemonFacts {
  return {
    endpoint,
    osType: info.OSType.toLowerCase(),
    defaultIsolation: toIsolation(info.Isolation),
    defaultRuntime: info.DefaultRuntime ?? null,
    runtimes: Object.fromEntries(Object.entries(info.Runtimes).map(([name, runtime]) => [name, { path: runtime.path ?? null }])),
  };
}

function toIsolation(value: string | undefined): Isolation | null {
  const v = value?.toLowerCase();
  return v === 'hyperv' ? 'HyperV' : v === 'process' ? 'Process' : null;
}

/** A runtime whose containers run on their own (user-space or VM) kernel. */
export function isVmClassRuntime(name: string, path: string | null): boolean {
  const base = (path ?? '').replace(/^.*[\\/]/, '');
  return /^(runsc|gvisor|kata)/i.test(name) || /runsc\.v1|kata\.v2/i.test(name) || /^(runsc|kata-runtime|containerd-shim-kata-v2|containerd-shim-runsc-v1)$/i.test(base);
}

export function vmClassRuntimes(facts: DaemonFacts): string[] {
  return Object.entries(facts.runtimes)
    .filter(([name, runtime]) => isVmClassRuntime(name, runtime.path))
    .map(([name]) => name)
    .sort((a, b) => (a === 'runsc' ? -1 : b === 'runsc' ? 1 : a.localeCompare(b)));
}

/**
 * The HostConfig fields that give a container the requested isolation on this daemon.
 *
 * `Default` sends no isolation at all: dockerd then decides, as `docker run`
 * without --isolation does. On Windows it honours `exec-opts isolation=…`
 * from its configuration before the edition's default (Hyper-V on client
 * editions, process on Server): moby/moby daemon/daemon_windows.go
 * setDefaultIsolation. It writes the choice into HostConfig.Isolation at
 * create (daemon/create_windows.go), so the isolation is read back from
 * inspect, never assumed.
 */
export function hostConfigForIsolation(isolation: RequestedIsolation, facts: DaemonFacts): { Isolation?: string; Runtime?: string } {
  if (facts.osType === 'windows') return isolation === 'Default' ? {} : { Isolation: isolation === 'HyperV' ? 'hyperv' : 'process' };
  if (facts.osType !== 'linux') {
    throw new CoreError('IsolationNotSupported', `The Docker daemon at ${facts.endpoint} reports OSType '${facts.osType}'; only windows and linux daemons are supported.`);
  }
  if (isolation === 'Process' || isolation === 'Default') return {};
  const runtime = vmClassRuntimes(facts)[0];
  if (runtime === undefined) {
    const names = Object.keys(facts.runtimes).sort();
    throw new CoreError('IsolationNotSupported',
      `The Docker daemon at ${facts.endpoint} runs Linux, where Docker has no Hyper-V isolation, and it has no VM-class runtime ` +
      `for HyperV-class isolation (its runtimes: ${names.length ? names.join(', ') : 'none reported'}). Install gVisor ` +
      `(Debian: apt-get install runsc) and register it in /etc/docker/daemon.json as ` +
      `{"runtimes":{"runsc":{"path":"/usr/bin/runsc"}}}, restart dockerd, or create the container with -Isolation Process.`,
      { details: { endpoint: facts.endpoint, runtimes: names } });
  }
  return { Runtime: runtime };
}

/**
 * What isolation a container really was created with, from inspect: Windows
 * `HostConfig.Isolation` (empty or `default` → the daemon's default), Linux
 * the runtime's class. This is the configuration; the verdict checks it.
 */
export function effectiveIsolation(container: DockerContainerInspect, facts: DaemonFacts): Isolation {
  // Windows: dockerd fills HostConfig.Isolation at create; an empty one (an older container) is the daemon's default.
  if (facts.osType === 'windows') {
    return toIsolation(container.HostConfig.Isolation) ?? facts.defaultIsolation ?? 'Process';
  }
  const runtime = container.HostConfig.Runtime || facts.defaultRuntime || 'runc';
  return isVmClassRuntime(runtime, facts.runtimes[runtime]?.path ?? null) ? 'HyperV' : 'Process';
}

/** What dockerd will choose for `Default` on this daemon, in words (for -Verbose): /info's Isolation is its setDefaultIsolation result. */
export function describeDaemonDefault(facts: DaemonFacts): string {
  if (facts.osType !== 'windows') return `Isolation Default: the daemon at ${facts.endpoint} runs ${facts.osType}, where Default is process isolation (its default runtime).`;
  const chosen = facts.defaultIsolation ?? 'its own default';
  return `Isolation Default: left to dockerd at ${facts.endpoint}, which reports ${chosen} as its default (its exec-opts isolation=… setting, else the edition's default); the isolation it chose is read back from the container.`;
}
