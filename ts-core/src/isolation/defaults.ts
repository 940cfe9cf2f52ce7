import type { BackendName, Isolation, RequestedIsolation } from '../domain/isolation.js';

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

/** Why `Default` means what it means here, in an admin's words (for -Verbose). */
export function describeDefaultIsolation(
  host: { platform: NodeJS.Platform | string; hostClass: HostClass | null },
  backend?: BackendName,
): string {
  const isolation = defaultIsolation(host, backend);
  if (backend === 'linux') return `Isolation Default means ${isolation}: the linux backend's default is process isolation.`;
  if (host.platform !== 'win32') return `Isolation Default means ${isolation}: this host is not Windows, where the default is process isolation.`;
  if (host.hostClass === 'Client') return `Isolation Default means ${isolation}: Windows client hosts (Windows 10/11) default to Hyper-V isolation.`;
  if (host.hostClass === 'Server') return `Isolation Default means ${isolation}: Windows Server hosts default to process isolation.`;
  return `Isolation Default means ${isolation}: the host's edition (Server or Client) is unknown, and Windows defaults to process isolation unless it is a client edition.`;
}
