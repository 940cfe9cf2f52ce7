import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

/**
 * The vitest side of the private-daemon harness: one shell script
 * (tests/docker/private-dockerd.sh) starts and stops dockerd for vitest,
 * Pester and the bench alike, so all three prove cleanup the same way.
 */

const script = path.resolve(import.meta.dirname, '../../../docker/private-dockerd.sh');

export interface PrivateDockerd {
  dir: string;
  dockerHost: string;
  execRoot: string;
  image: string;
  pid: number;
  storageDriver: string;
  cgroupParent: string;
  runsc: string | null;
}

export function canStartDockerd(): { ok: boolean; why: string } {
  if (process.platform !== 'linux') return { ok: false, why: 'not Linux' };
  if (process.getuid?.() !== 0) return { ok: false, why: 'not root' };
  return { ok: true, why: '' };
}

export async function startPrivateDockerd(imageTar?: string): Promise<PrivateDockerd> {
  const { stdout } = await execa('bash', [script, 'start', ...(imageTar ? [imageTar] : [])], { timeout: 180_000, stdin: 'ignore' });
  const values = new Map(stdout.split('\n').map((line) => {
    const at = line.indexOf('=');
    return [line.slice(0, at), line.slice(at + 1)] as const;
  }));
  const get = (key: string): string => {
    const value = values.get(key);
    if (value === undefined) throw new Error(`private-dockerd.sh did not print ${key}: ${stdout}`);
    return value;
  };
  return {
    dir: get('DIR'),
    dockerHost: get('DOCKER_HOST'),
    execRoot: get('EXEC_ROOT'),
    image: get('IMAGE'),
    pid: Number(get('PID')),
    storageDriver: get('STORAGE_DRIVER'),
    cgroupParent: get('CGROUP_PARENT'),
    runsc: get('RUNSC') || null,
  };
}

/** What is left of the daemon right now (processes, mounts, cgroups), one line each. */
export async function daemonLeftovers(daemon: PrivateDockerd): Promise<string[]> {
  const { stdout } = await execa('bash', [script, 'leftovers', daemon.dir], { timeout: 60_000, stdin: 'ignore' });
  return stdout.split('\n').filter((line) => line.trim() !== '');
}

/** Stops the daemon; returns what was left behind (empty when clean). */
export async function stopPrivateDockerd(daemon: PrivateDockerd): Promise<{ clean: boolean; report: string }> {
  const result = await execa('bash', [script, 'stop', daemon.dir], { timeout: 180_000, reject: false, stdin: 'ignore' });
  return { clean: result.exitCode === 0, report: `${result.stdout}\n${result.stderr}`.trim() };
}

/** The docker CLI against the private daemon (for the harness and the bench, never for the backend). */
export async function dockerCli(daemon: PrivateDockerd, args: string[]): Promise<string> {
  // Debian's CLI from docker.io when present: the one setup installs.
  const cli = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
  const { stdout } = await execa(cli, args, { env: { DOCKER_HOST: daemon.dockerHost }, timeout: 120_000, stdin: 'ignore' });
  return stdout.trim();
}
