import { access } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CoreError } from '../../protocol/errors.js';
import { readArguments } from '../../processes/procfs/index.js';
import type { ContainerProcess } from '../types.js';
import { parseRunscPs } from './top.js';

/**
 * gVisor's own view of a container. `docker top` is wrong for runsc
 * containers (it lists host PID 1, measured), so the backend asks runsc.
 * runsc keeps its state under the runtime root the shim passed as `--root`:
 * measured with Docker 20.10 that is `<exec-root>/runtime-runc/moby` even
 * for the runsc runtime, newer shims use `<exec-root>/runtime-runsc/moby`.
 */

function stateFileName(containerId: string): string {
  return `${containerId}_sandbox:${containerId}.state`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** `--root=<dir>` or `--root <dir>` from a process's argv. */
export function rootFromCommandLine(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith('--root=')) return arg.slice('--root='.length);
    if (arg === '--root' && i + 1 < args.length) return args[i + 1]!;
  }
  return null;
}

/**
 * Finds the runtime root that holds this container's sandbox state: first the
 * root the sandbox process itself was started with (Docker's State.Pid), then
 * the known layouts under the exec root. A root is only used when the state
 * file for this exact container is there.
 */
export async function findRunscRoot(containerId: string, sandboxPid: number, execRoots: readonly string[]): Promise<string | null> {
  const candidates: string[] = [];
  if (sandboxPid > 0) {
    // null: the sandbox may have exited; the exec-root layouts remain.
    const args = readArguments(sandboxPid);
    const root = args && rootFromCommandLine(args);
    if (root && path.isAbsolute(root)) candidates.push(root);
  }
  for (const execRoot of execRoots) {
    candidates.push(path.join(execRoot, 'runtime-runsc', 'moby'), path.join(execRoot, 'runtime-runc', 'moby'));
  }
  for (const root of candidates) {
    if (await exists(path.join(root, stateFileName(containerId)))) return root;
  }
  return null;
}

export async function runscProcesses(runscPath: string, root: string, containerId: string): Promise<ContainerProcess[]> {
  const result = await execa(runscPath, ['--root', root, 'ps', containerId], { reject: false, timeout: 20_000, stdin: 'ignore' });
  if (result.timedOut) throw new CoreError('OperationTimeout', `runsc ps ${containerId} did not answer within 20 s.`);
  if (result.exitCode !== 0) {
    throw new CoreError('RuntimeFailed', `runsc --root ${root} ps ${containerId} failed (exit ${result.exitCode ?? 'none'}): ${String(result.stderr).trim().slice(0, 500)}`);
  }
  return parseRunscPs(String(result.stdout));
}
