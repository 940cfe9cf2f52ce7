import { describe, expect, it } from 'vitest';
import { buildOciConfig, DEFAULT_PATH, mergeEnvironment } from '../../../../ts-core/src/backends/linux/oci.js';

describe('the OCI config', () => {
  const config = buildOciConfig(
    { args: ['ping', '127.0.0.1'], env: { PATH: '/bin', A: 'b' }, cwd: '/tmp' },
    { hostname: 'web-1', rootfs: 'rootfs', cgroupsPath: '/windowscontainers/abc-web-1', memoryMB: 64, cpuCount: 1.5 },
  ) as any;

  it('carries the command, environment, working directory and hostname', () => {
    expect(config.process.args).toEqual(['ping', '127.0.0.1']);
    expect(config.process.env).toEqual(['PATH=/bin', 'A=b']);
    expect(config.process.cwd).toBe('/tmp');
    expect(config.process.terminal).toBe(false);
    expect(config.hostname).toBe('web-1');
    expect(config.root).toEqual({ path: 'rootfs', readonly: false });
  });

  it('gives the container its own pid, mount, uts, ipc and network namespaces', () => {
    expect(config.linux.namespaces.map((n: { type: string }) => n.type).sort()).toEqual(['ipc', 'mount', 'network', 'pid', 'uts']);
    expect(config.linux.namespaces.every((n: { path?: string }) => n.path === undefined)).toBe(true);
  });

  it('grants CAP_NET_RAW (busybox ping) but not CAP_SYS_ADMIN', () => {
    for (const set of ['bounding', 'effective', 'permitted']) {
      expect(config.process.capabilities[set]).toContain('CAP_NET_RAW');
      expect(config.process.capabilities[set]).not.toContain('CAP_SYS_ADMIN');
    }
    expect(config.process.noNewPrivileges).toBe(true);
  });

  it('masks and write-protects the sensitive kernel interfaces', () => {
    expect(config.linux.maskedPaths).toEqual(expect.arrayContaining(['/proc/kcore', '/proc/keys', '/sys/firmware']));
    expect(config.linux.readonlyPaths).toEqual(expect.arrayContaining(['/proc/sys', '/proc/sysrq-trigger']));
    expect(config.mounts.find((m: { destination: string }) => m.destination === '/sys').options).toContain('ro');
  });

  it('puts the cgroup path and limits in place', () => {
    expect(config.linux.cgroupsPath).toBe('/windowscontainers/abc-web-1');
    expect(config.linux.resources.memory).toEqual({ limit: 64 * 1024 * 1024, swap: 64 * 1024 * 1024 });
    expect(config.linux.resources.cpu).toEqual({ quota: 150_000, period: 100_000 });
  });

  it('sets no limits when none are asked for', () => {
    const plain = buildOciConfig({ args: ['sh'], env: {}, cwd: '/' }, { hostname: 'h', rootfs: 'rootfs', cgroupsPath: '/x/y' }) as any;
    expect(plain.linux.resources.memory).toBeUndefined();
    expect(plain.linux.resources.cpu).toBeUndefined();
  });
});

describe('environment merging', () => {
  it('starts from a default PATH, applies the image env, then the request', () => {
    expect(mergeEnvironment([], {})).toEqual({ PATH: DEFAULT_PATH });
    expect(mergeEnvironment(['PATH=/opt/bin', 'A=1', 'B=2', 'junk'], { B: 'x', C: 'y=z' })).toEqual({ PATH: '/opt/bin', A: '1', B: 'x', C: 'y=z' });
  });
});
