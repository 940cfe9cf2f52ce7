import type { BackendName, Isolation, RequestedIsolation } from '../backends/types.js';

export type HostClass = 'Server' | 'Client';

/**
 * The isolation `Default` stands for. Windows Server defaults to process
 * isolation and Windows client editions to Hyper-V (as dockerd does); the
 * linux backend has no Windows edition and means process isolation.
 */
export function defaultIsolation(host: { platform: NodeJS.Platform | string; hostClass: HostClass | null }, backend?: BackendName): Isolation {
  if (backend === 'linux' || host.platform !== 'win32') return 'Process';
  return host.hostClass === 'Client' ? 'HyperV' : 'Process';
}

export function resolveIsolation(
  requested: RequestedIsolation,
  host: { platform: NodeJS.Platform | string; hostClass: HostClass | null },
  backend?: BackendName,
): { isolation: Isolation; defaulted: boolean } {
  if (requested !== 'Default') return { isolation: requested, defaulted: false };
  return { isolation: defaultIsolation(host, backend), defaulted: true };
}
