/**
 * Runs a program with an argument array (never a shell) and collects its
 * stdout and stderr up to a byte bound each, with a deadline: past the bound
 * the rest is drained and dropped (truncated), past the deadline the process
 * is killed. For `runc exec`: the output is the container's, untrusted.
 */
import { spawn } from 'node:child_process';
import { CoreError } from '../protocol/errors.js';

export interface BoundedResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
  timedOut: boolean;
}

/** How long output is still read after the program has exited (see the 'exit' handler). */
const EXIT_GRACE_MS = 500;

export function boundedSpawn(file: string, args: readonly string[], options: { maxBytes: number; timeoutMs: number }): Promise<BoundedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let truncated = false;
    let timedOut = false;
    const collect = (target: Buffer[], size: () => number, add: (n: number) => void) => (chunk: Buffer) => {
      const room = options.maxBytes - size();
      if (room <= 0) { truncated = true; return; }
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      if (kept.length < chunk.length) truncated = true;
      target.push(kept);
      add(kept.length);
    };
    child.stdout.on('data', collect(out, () => outBytes, (n) => { outBytes += n; }));
    child.stderr.on('data', collect(err, () => errBytes, (n) => { errBytes += n; }));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new CoreError('RuntimeFailed', `Could not run ${file}: ${error.message}`, { cause: error }));
    });
    let grace: NodeJS.Timeout | null = null;
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (grace) clearTimeout(grace);
      resolve({
        exitCode: code, signal, truncated, timedOut,
        stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'),
      });
    };
    child.on('exit', (code, signal) => {
      // The program has ended, but a process it left running in the background
      // (sh -c 'sleep 50 & echo started') may hold its output open: what is
      // still in the pipes is read for a moment, then the answer goes out with
      // the program's own exit code, rather than waiting for the deadline and
      // reporting a kill that did not happen.
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, EXIT_GRACE_MS);
    });
    child.on('close', (code, signal) => finish(code, signal));
  });
}
