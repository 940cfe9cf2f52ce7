/**
 * The OCI runtime config (config.json) of a process-isolated container.
 * Starts from what `runc spec` generates, with Docker's default capability
 * set (which includes CAP_NET_RAW, so busybox `ping` works), the usual
 * masked and read-only paths, and its own pid/mount/uts/ipc/network
 * namespaces; runc brings up loopback in the new network namespace.
 */

import { CoreError } from '../../protocol/errors.js';
import defaultSeccompProfile from './seccomp/default.json';

export interface OciProcessSpec {
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export interface OciOptions {
  hostname: string;
  /** Path of the rootfs relative to the bundle (or absolute). */
  rootfs: string;
  /** Absolute cgroup path; unique per state directory so concurrent state dirs never share one. */
  cgroupsPath: string;
  memoryMB?: number | undefined;
  cpuCount?: number | undefined;
  /** The process's user (imageUser.ts); root when absent. */
  user?: { uid: number; gid: number; additionalGids: number[] } | null | undefined;
  /** Container uids/gids 0–size-1 are host hostUid… (a user namespace); absent: the host's own. */
  userNamespace?: { hostUid: number; size: number } | null | undefined;
}

/** Docker's default set (moby oci/caps/defaults.go). */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
] as const;

export const MASKED_PATHS = [
  '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Image env (KEY=VALUE list) overlaid with the request's env; PATH defaults like Docker's. */
export function mergeEnvironment(imageEnv: readonly string[], requested: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH };
  for (const entry of imageEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return { ...env, ...requested };
}

export function buildOciConfig(process: OciProcessSpec, options: OciOptions): Record<string, unknown> {
  const resources: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
  if (options.memoryMB !== undefined) {
    const bytes = options.memoryMB * 1024 * 1024;
    resources.memory = { limit: bytes, swap: bytes };
  }
  if (options.cpuCount !== undefined) {
    const period = 100_000;
    const quota = Math.round(options.cpuCount * period);
    // The kernel's smallest quota is 1 ms; a quota that rounds below it would mean "no limit" to the runtime.
    if (!(quota >= 1000)) {
      throw new CoreError('InvalidArgument', `CpuCount ${options.cpuCount} is below 0.01, the smallest CPU limit the runtime can enforce. Use 0.01 or more.`, { details: { cpuCount: options.cpuCount } });
    }
    resources.cpu = { quota, period };
  }
  const capabilities = [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: options.user
        ? { uid: options.user.uid, gid: options.user.gid, ...(options.user.additionalGids.length ? { additionalGids: options.user.additionalGids } : {}) }
        : { uid: 0, gid: 0 },
      args: process.args,
      env: Object.entries(process.env).map(([key, value]) => `${key}=${value}`),
      cwd: process.cwd,
      capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: options.rootfs, readonly: false },
    hostname: options.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      cgroupsPath: options.cgroupsPath,
      resources,
      namespaces: [
        { type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' },
        ...(options.userNamespace ? [{ type: 'user' }] : []),
      ],
      ...(options.userNamespace ? {
        uidMappings: [{ containerID: 0, hostID: options.userNamespace.hostUid, size: options.userNamespace.size }],
        gidMappings: [{ containerID: 0, hostID: options.userNamespace.hostUid, size: options.userNamespace.size }],
      } : {}),
      // Docker's default seccomp profile, generated from moby's (seccomp/README.md).
      seccomp: defaultSeccompProfile,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
