/**
 * The local attacker of the security suite: a throwaway unprivileged user made
 * with useradd and removed again with userdel. Commands run as it through
 * runuser with argument arrays, never a shell string.
 */
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
}

export function createTestUser(): TestUser {
  const name = `wcsec${Math.floor(100000 + Math.random() * 900000)}`;
  execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', '--home-dir', '/nonexistent', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { name, uid, gid };
}

export function removeTestUser(user: TestUser | undefined): void {
  if (!user) return;
  try {
    execFileSync('userdel', [user.name], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

export function runAs(user: TestUser, command: string[], options: ExecFileSyncOptions = {}): string {
  return String(execFileSync('runuser', ['-u', user.name, '--', ...command], { encoding: 'utf8', ...options }));
}

export const runsAsRoot = process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;
