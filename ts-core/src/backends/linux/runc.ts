import { runCaptured, startAndWait, type SpawnedExit } from './posixSpawn.js';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CoreError } from '../../protocol/errors.js';
import { parseJsonDocument } from '../../util/jsonDocument.js';
import { runcRoot } from './state.js';

/**
 * The runc command line, always with `--root <state>/runc` (never the
 * system-wide /run/runc) and argument arrays (never a shell). runc's output
 * is untrusted: JSON goes through zod, failures become CoreErrors here.
 */

export const RUNC_APT_PACKAGE = 'runc';

/** The last answer, for the PATH it was found on (every runc call asks; a PATH walk is two system calls a directory). */
let lastFound: { searched: string; found: string } | null = null;

/** Finds runc on PATH (so a PATH without it really means "not installed"). */
export function findRunc(env: NodeJS.ProcessEnv = process.env): string | null {
  const searched = env.PATH ?? '';
  if (lastFound?.searched === searched) {
    try {
      fs.accessSync(lastFound.found, fs.constants.X_OK);
      return lastFound.found;
    } catch {
      lastFound = null; // removed since: search again
    }
  }
  const found = searchPath(searched);
  lastFound = found === null ? null : { searched, found };
  return found;
}

function searchPath(searched: string): string | null {
  for (const dir of searched.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'runc');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export function requireRunc(): string {
  const found = findRunc();
  if (found) return found;
  throw new CoreError('DependencyMissing',
    `runc is not installed (it is not on PATH: ${process.env.PATH ?? ''}). Install the Debian package '${RUNC_APT_PACKAGE}': apt-get install ${RUNC_APT_PACKAGE}.`,
    { details: { dependency: 'runc', aptPackage: RUNC_APT_PACKAGE } });
}

export const runcStateSchema = z.object({
  id: z.string(),
  pid: z.number().int().nonnegative(),
  status: z.enum(['creating', 'created', 'running', 'paused', 'stopped']),
  bundle: z.string(),
  created: z.string(),
});
export type RuncState = z.infer<typeof runcStateSchema>;

const runcListSchema = z.array(runcStateSchema).nullable();
const runcPsSchema = z.array(z.number().int().positive()).nullable();

/** The message of runc's last error line (`time=… level=error msg="…"`, or plain text). */
export function runcErrorMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines.reverse()) {
    const logfmt = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (logfmt) return logfmt[1]!.replace(/\\"/g, '"');
    try {
      const json = JSON.parse(line) as { level?: string; msg?: string };
      if (json.level === 'error' && json.msg) return json.msg;
    } catch {
      // not a json log line
    }
  }
  return lines.at(0) ?? '(runc printed nothing)';
}

export function isNotExist(message: string): boolean {
  return /does not exist|container not found|no such file or directory/i.test(message) && !/exec:/.test(message);
}

export interface RuncResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * One runc command to its end, its output captured. Started with posix_spawn
 * (posixSpawn.ts), not by forking the core: state, list, kill and delete run
 * once or more per container a command touches.
 */
export async function runc(args: string[], timeoutMs = 30_000): Promise<RuncResult> {
  const binary = requireRunc();
  let result;
  try {
    result = await runCaptured(binary, ['--root', runcRoot(), ...args], { timeoutMs });
  } catch (error) {
    throw new CoreError('RuntimeFailed', `runc could not be started: ${(error as Error).message}`, { cause: error, details: { args } });
  }
  if (result.timedOut) {
    throw new CoreError('OperationTimeout', `runc ${args[0]} did not finish within ${timeoutMs / 1000} s.`, { details: { args } });
  }
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

async function runcOrThrow(args: string[], what: string, timeoutMs?: number): Promise<RuncResult> {
  const result = await runc(args, timeoutMs);
  if (result.exitCode !== 0) {
    throw new CoreError('RuntimeFailed', `runc could not ${what}: ${runcErrorMessage(result.stderr)}`, { details: { args, exitCode: result.exitCode } });
  }
  return result;
}

function parseOutput<T>(schema: z.ZodType<T>, stdout: string, what: string): T {
  return parseJsonDocument(stdout, schema, (problem) => problem.kind === 'syntax'
    ? new CoreError('ExternalDataInvalid', `runc ${what} printed something that is not JSON: ${JSON.stringify(stdout.slice(0, 200))}.`, { cause: problem.cause })
    : new CoreError('ExternalDataInvalid', `runc ${what} printed JSON of an unexpected shape:\n${problem.message}`));
}

/**
 * `runc run --detach` (create and start in one runc process) with the
 * container's stdio on the log file, so the container's output outlives
 * this process and nothing waits on a pipe. runc's own messages go to
 * `runcLog` (json), which is where errors are read.
 */
export async function runcRunDetached(id: string, bundle: string, logFile: string, runcLog: string, timeoutMs = 60_000, outputFd?: number): Promise<void> {
  const binary = requireRunc();
  // outputFd: the write end of the capped log writer's pipe (containerLog.ts); else the file itself.
  const fd = outputFd ?? fs.openSync(logFile, 'a', 0o600);
  try {
    const args = ['--root', runcRoot(), '--log', runcLog, '--log-format', 'json', 'run', '--detach', '--bundle', bundle, '--pid-file', path.join(bundle, 'init.pid'), id];
    let exit: SpawnedExit;
    try {
      exit = await startAndWait(binary, args, { stdoutFd: fd, stderrFd: fd, timeoutMs });
    } catch (error) {
      throw new CoreError('RuntimeFailed', `runc could not be started: ${(error as Error).message}`, { cause: error });
    }
    if (exit.timedOut) throw new CoreError('OperationTimeout', `runc run did not finish within ${timeoutMs / 1000} s.`);
    const exitCode = exit.exitCode ?? 128;
    if (exitCode !== 0) {
      let log = '';
      try {
        log = fs.readFileSync(runcLog, 'utf8');
      } catch {
        // no log written
      }
      throw new CoreError('RuntimeFailed', `runc could not create the container: ${runcErrorMessage(log)}`, { details: { exitCode } });
    }
  } finally {
    if (outputFd === undefined) fs.closeSync(fd);
  }
}

/** The container's runc state, or null when runc does not know it. */
export async function runcState(id: string): Promise<RuncState | null> {
  const result = await runc(['state', id]);
  if (result.exitCode !== 0) {
    const message = runcErrorMessage(result.stderr);
    if (isNotExist(message)) return null;
    throw new CoreError('RuntimeFailed', `runc could not read the state of '${id}': ${message}`);
  }
  return parseOutput(runcStateSchema, result.stdout, 'state');
}

/** Every container under this module's runc root, by id. */
export async function runcList(): Promise<Map<string, RuncState>> {
  if (!fs.existsSync(runcRoot())) return new Map();
  const result = await runcOrThrow(['list', '--format', 'json'], 'list containers');
  const list = parseOutput(runcListSchema, result.stdout.trim() || 'null', 'list') ?? [];
  return new Map(list.map((state) => [state.id, state]));
}

/** Host PIDs of the container's processes; [] when it is not running. */
export async function runcPs(id: string): Promise<number[]> {
  const result = await runc(['ps', '--format', 'json', id]);
  if (result.exitCode !== 0) {
    const message = runcErrorMessage(result.stderr);
    if (isNotExist(message) || /stopped|not running/i.test(message)) return [];
    throw new CoreError('RuntimeFailed', `runc could not list the processes of '${id}': ${message}`);
  }
  return parseOutput(runcPsSchema, result.stdout.trim() || 'null', 'ps') ?? [];
}

/** Sends a signal to the container's processes; a container that is already gone is not an error. */
/** Sends the signal; false when there was nothing to signal (no such container, or it is not running). */
export async function runcKill(id: string, signal: 'TERM' | 'KILL', all = false): Promise<boolean> {
  const result = await runc(['kill', ...(all ? ['--all'] : []), id, signal]);
  if (result.exitCode !== 0) {
    const message = runcErrorMessage(result.stderr);
    if (isNotExist(message) || /not running|process already finished|no such process/i.test(message)) return false;
    throw new CoreError('RuntimeFailed', `runc could not send SIG${signal} to '${id}': ${message}`);
  }
  return true;
}

/** Deletes runc's state and the container's cgroup; idempotent. */
export async function runcDelete(id: string, force: boolean): Promise<void> {
  const result = await runc(['delete', ...(force ? ['--force'] : []), id]);
  if (result.exitCode !== 0) {
    const message = runcErrorMessage(result.stderr);
    if (isNotExist(message)) return;
    throw new CoreError('RuntimeFailed', `runc could not delete '${id}': ${message}`);
  }
}
