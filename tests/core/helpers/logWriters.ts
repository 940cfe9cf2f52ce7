/**
 * The two log writers the core can start (containerLog.ts): the native one,
 * built from ts-core/native/log-writer.c into dist/native/<os>-<cpu>/, and
 * node running the fixed script. Tests of the writer run against both.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LOG_WRITER_VARIABLE, NATIVE_LOG_WRITER } from '../../../ts-core/src/backends/linux/containerLog.js';

const repo = path.resolve(import.meta.dirname, '..', '..', '..');
export const nativeWriterFile = path.join(repo, 'dist', 'native', `${process.platform}-${process.arch}`, NATIVE_LOG_WRITER);

/** Builds the native writer when its source changed (build/native.mjs caches by hash); fails when it cannot. */
export function buildNativeWriter(): string {
  execFileSync(process.execPath, [path.join(repo, 'build', 'native.mjs')], { cwd: repo, stdio: 'pipe' });
  if (!fs.existsSync(nativeWriterFile)) throw new Error(`${nativeWriterFile} was not built: is a C compiler installed (apt-get install gcc libc6-dev)?`);
  return nativeWriterFile;
}

export interface WriterUnderTest {
  kind: 'native' | 'node';
  /** The environment that makes startLogWriter choose it. */
  env: NodeJS.ProcessEnv;
  /** For logWriterCommand. */
  command: { kind: 'native'; file: string } | { kind: 'node' };
}

export const writersUnderTest: WriterUnderTest[] = [
  { kind: 'native', env: { [LOG_WRITER_VARIABLE]: nativeWriterFile }, command: { kind: 'native', file: nativeWriterFile } },
  { kind: 'node', env: { [LOG_WRITER_VARIABLE]: 'node' }, command: { kind: 'node' } },
];

/** Waits until the process is gone (reaped: a zombie still answers kill 0). */
export async function waitUntilGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A process's resident memory in kB (VmRSS), or null when it is gone. */
export function residentKb(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}
