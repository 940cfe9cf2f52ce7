/**
 * Starts a program with glibc's posix_spawn(3) through koffi and waits for it
 * on libuv's thread pool.
 *
 * Why not child_process.spawn: libuv forks the whole core process, copying
 * its page tables, and returns only once the child has exec'd. Measured on
 * this project's machine: spawn() of /bin/true returns after 4.5 ms in a small
 * node process and runc's after 8.5 ms in the core, against 0.7 ms for
 * posix_spawn, which glibc implements with clone(CLONE_VM | CLONE_VFORK) and
 * so copies nothing. A container create waits for exactly one such start.
 *
 * The child gets what libuv would give it: every signal at its default
 * disposition and none blocked (node ignores SIGPIPE, and an ignored signal
 * survives exec into runc and the container), stdin from /dev/null, stdout
 * and stderr on the descriptors given, no other descriptor (everything node
 * and this core open is close-on-exec; the tests check), the core's
 * environment and working directory. Arguments go to the program as an argv
 * array: no shell is involved.
 *
 * Linux only. loadPosixSpawn() answers null where libc or koffi cannot be
 * loaded; startAndWait() then uses child_process.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { readProcessStat } from '../../processes/procfs/index.js';
import { loadLibc } from './libc.js';
import { readAt } from '../../util/readAt.js';

export interface SpawnedExit {
  /** The exit status, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal that ended it (e.g. 'SIGKILL'), or null. */
  signal: NodeJS.Signals | null;
  /** True when the timeout ran out and the process was killed. */
  timedOut: boolean;
}

export interface SpawnOptions {
  /** Descriptors (open in this process) that become the child's stdout and stderr. */
  stdoutFd: number;
  stderrFd: number;
  /** Kill the child with SIGKILL after this long. */
  timeoutMs: number;
}

export interface PosixSpawner {
  /** Starts `file` with `args` (argv[0] is `file`) and resolves when it has exited. Rejects when it could not be started. */
  run(file: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedExit>;
  /**
   * Starts `file` in a session of its own (setsid, as child_process's
   * `detached`), stdin on `stdinFd`, stdout and stderr on /dev/null, and an
   * EMPTY environment, and returns its PID at once. The core does not wait
   * for it, but reaps it when it exits (on SIGCHLD), so it never lingers as
   * the core's zombie; a core that exits first leaves it to init. Throws
   * when it could not be started.
   */
  spawnDetached(file: string, args: readonly string[], stdinFd: number): number;
}

/** What start() gives the child: stdin, stdout and stderr (null: /dev/null), the environment, a new session or not. */
interface StartPlan {
  stdinFd: number | null;
  stdoutFd: number | null;
  stderrFd: number | null;
  environment: readonly string[];
  setsid: boolean;
}

// glibc's values (bits/spawn.h, fcntl.h); the structures are opaque, so they
// get generous buffers: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t
// 336 and sigset_t 128 on x86-64 and arm64.
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const O_RDONLY = 0;
const O_WRONLY = 1;
// sys/wait.h
const P_PID = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const WNOHANG = 1;
const STRUCT_BYTES = 1024;

let spawner: Promise<PosixSpawner | null> | undefined;

export function loadPosixSpawn(): Promise<PosixSpawner | null> {
  spawner ??= (async () => {
    const libc = await loadLibc();
    if (!libc) return null;
    try {
      const { lib } = libc;
      const posixSpawn = lib.func('int posix_spawn(_Out_ int *pid, const char *path, void *fileActions, void *attributes, const char **argv, const char **envp)');
      const actionsInit = lib.func('int posix_spawn_file_actions_init(void *fileActions)');
      const actionsDestroy = lib.func('int posix_spawn_file_actions_destroy(void *fileActions)');
      const addOpen = lib.func('int posix_spawn_file_actions_addopen(void *fileActions, int fd, const char *path, int oflag, uint32_t mode)');
      const addDup2 = lib.func('int posix_spawn_file_actions_adddup2(void *fileActions, int fd, int newfd)');
      const attrInit = lib.func('int posix_spawnattr_init(void *attributes)');
      const attrDestroy = lib.func('int posix_spawnattr_destroy(void *attributes)');
      const setFlags = lib.func('int posix_spawnattr_setflags(void *attributes, short flags)');
      const setSigDefault = lib.func('int posix_spawnattr_setsigdefault(void *attributes, void *sigset)');
      const setSigMask = lib.func('int posix_spawnattr_setsigmask(void *attributes, void *sigset)');
      const sigFillSet = lib.func('int sigfillset(void *sigset)');
      const sigEmptySet = lib.func('int sigemptyset(void *sigset)');
      const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
      const waitid = lib.func('int waitid(int idtype, uint32_t id, void *info, int options)');

      const check = (what: string, rc: number) => {
        if (rc !== 0) throw new Error(`${what} failed: ${errnoName(rc)}`);
      };

      const start = (file: string, args: readonly string[], plan: StartPlan): number => {
        const actions = Buffer.alloc(STRUCT_BYTES);
        const attributes = Buffer.alloc(STRUCT_BYTES);
        const allSignals = Buffer.alloc(STRUCT_BYTES);
        const noSignals = Buffer.alloc(STRUCT_BYTES);
        check('posix_spawn_file_actions_init', actionsInit(actions) as number);
        try {
          check('posix_spawnattr_init', attrInit(attributes) as number);
          try {
            const stdio: [number | null, number][] = [[plan.stdinFd, O_RDONLY], [plan.stdoutFd, O_WRONLY], [plan.stderrFd, O_WRONLY]];
            stdio.forEach(([fd, mode], target) => {
              if (fd === null) check('posix_spawn_file_actions_addopen', addOpen(actions, target, '/dev/null', mode, 0) as number);
              else check('posix_spawn_file_actions_adddup2', addDup2(actions, fd, target) as number);
            });
            check('sigfillset', sigFillSet(allSignals) as number);
            // sigfillset leaves out glibc's two internal signals (32 and 33), and
            // posix_spawn then starts the child with them ignored, which exec
            // keeps. Setting every bit of the first 64 signals makes them
            // default too, as in a child of child_process (either byte order).
            allSignals.fill(0xff, 0, 8);
            check('sigemptyset', sigEmptySet(noSignals) as number);
            check('posix_spawnattr_setsigdefault', setSigDefault(attributes, allSignals) as number);
            check('posix_spawnattr_setsigmask', setSigMask(attributes, noSignals) as number);
            check('posix_spawnattr_setflags', setFlags(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (plan.setsid ? POSIX_SPAWN_SETSID : 0)) as number);
            const pid = [0];
            const rc = posixSpawn(pid, file, actions, attributes, [file, ...args, null], [...plan.environment, null]) as number;
            if (rc !== 0) throw Object.assign(new Error(`posix_spawn of ${file} failed: ${errnoName(rc)}`), { code: errnoName(rc) });
            return pid[0]!;
          } finally {
            attrDestroy(attributes);
          }
        } finally {
          actionsDestroy(actions);
        }
      };

      /**
       * Waits on the thread pool (one of libuv's four threads, for as long as
       * the child runs) until the child has exited, WITHOUT reaping it
       * (WNOWAIT): its zombie keeps the PID, so nothing else can be given
       * that PID until reap() below, which runs on the main thread.
       */
      const waitUntilExited = (pid: number): Promise<void> =>
        new Promise((resolve, reject) => {
          const info = Buffer.alloc(STRUCT_BYTES);
          const attempt = (triesLeft: number) =>
            waitid.async(P_PID, pid, info, WEXITED | WNOWAIT, (error: unknown, result: number) => {
              if (error) reject(error);
              else if (result === 0) resolve();
              // -1: interrupted by a signal (EINTR), which a retry handles; ECHILD would repeat, and ends here.
              else if (triesLeft > 0) attempt(triesLeft - 1);
              else reject(new Error(`waiting for process ${pid} failed`));
            });
          attempt(10);
        });

      /** Reaps the exited child (it is a zombie, so this does not block) and decodes its wait status. */
      const reap = (pid: number): { exitCode: number | null; signal: NodeJS.Signals | null } => {
        const status = [0];
        if ((waitpid(pid, status, WNOHANG) as number) !== pid) throw new Error(`reaping process ${pid} failed`);
        const termSignal = status[0]! & 0x7f;
        return termSignal === 0 ? { exitCode: (status[0]! >> 8) & 0xff, signal: null } : { exitCode: null, signal: signalName(termSignal) };
      };

      return {
        run(file, args, options) {
          const environment = Object.entries(process.env).flatMap(([key, value]) => (value === undefined ? [] : [`${key}=${value}`]));
          const pid = start(file, args, { stdinFd: null, stdoutFd: options.stdoutFd, stderrFd: options.stderrFd, environment, setsid: false });
          return new Promise<SpawnedExit>((resolve, reject) => {
            // The timer and the reap both run on the main thread, and the reap
            // clears the timer first: the kill can only reach our child or its
            // zombie, never a process that has since been given the PID.
            const timer = setTimeout(() => {
              // Exited just as time ran out, and not reaped yet: not a timeout.
              if (readProcessStat(pid)?.state === 'Z') return;
              try {
                process.kill(pid, 'SIGKILL');
              } catch {
                // exited a moment ago; its zombie is ours until reaped
              }
              // Do not wait for a child stuck in the kernel to die; it is reaped whenever it does.
              resolve({ exitCode: null, signal: 'SIGKILL', timedOut: true });
            }, options.timeoutMs);
            waitUntilExited(pid).then(
              () => {
                clearTimeout(timer);
                try {
                  const exit = reap(pid);
                  resolve({ ...exit, timedOut: false });
                } catch (error) {
                  reject(error);
                }
              },
              (error: unknown) => {
                clearTimeout(timer);
                reject(error);
              },
            );
          });
        },
        spawnDetached(file, args, stdinFd) {
          // Reap on every SIGCHLD (signals coalesce, so each one sweeps all of
          // them). waitpid on our own child's PID is safe: the PID cannot be
          // given to another process until it is reaped. The listener does not
          // keep the core alive.
          if (!reaperInstalled) {
            process.on('SIGCHLD', () => {
              for (const pid of detachedChildren) {
                const reaped = waitpid(pid, [0], WNOHANG) as number;
                if (reaped !== 0) detachedChildren.delete(pid); // reaped, or not ours any more (ECHILD)
              }
            });
            reaperInstalled = true;
          }
          const pid = start(file, args, { stdinFd, stdoutFd: null, stderrFd: null, environment: [], setsid: true });
          detachedChildren.add(pid);
          return pid;
        },
      };
    } catch {
      return null;
    }
  })();
  return spawner;
}

/** Detached children (spawnDetached) not reaped yet. */
const detachedChildren = new Set<number>();
let reaperInstalled = false;

function errnoName(errno: number): string {
  return Object.entries(os.constants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`;
}

function signalName(signal: number): NodeJS.Signals | null {
  return (Object.entries(os.constants.signals).find(([, value]) => value === signal)?.[0] as NodeJS.Signals | undefined) ?? null;
}

/**
 * Starts a program and waits for it: through posix_spawn where it can be
 * loaded, otherwise through child_process, with the same answer either way.
 * Rejects when the program could not be started or waited for.
 */
export async function startAndWait(file: string, args: readonly string[], options: SpawnOptions): Promise<SpawnedExit> {
  const posix = await loadPosixSpawn();
  if (posix) return posix.run(file, args, options);
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', options.stdoutFd, options.stderrFd] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code, signal, timedOut: false });
    });
  });
}

/** Test hook: start programs through child_process, as where koffi cannot be loaded (false: posix_spawn again). */
export function useChildProcess(yes: boolean): void {
  spawner = yes ? Promise.resolve(null) : undefined;
}

export interface CapturedExit extends SpawnedExit {
  stdout: string;
  stderr: string;
}

export interface CaptureOptions {
  timeoutMs: number;
  /** Each of stdout and stderr is cut at this many bytes (the rest is not read). */
  maxOutputBytes?: number;
}

const MFD_CLOEXEC = 1;
let memfd: Promise<((name: string) => number) | null> | undefined;

/** memfd_create(2): an anonymous in-memory file, so output needs neither a pipe to drain nor a file on disk. */
function loadMemfd(): Promise<((name: string) => number) | null> {
  memfd ??= (async () => {
    const libc = await loadLibc();
    if (!libc) return null;
    try {
      const create = libc.lib.func('int memfd_create(const char *name, unsigned int flags)');
      return (name: string) => create(name, MFD_CLOEXEC) as number;
    } catch {
      return null;
    }
  })();
  return memfd;
}

function readCapture(fd: number, maxBytes: number): string {
  return readAt(fd, Math.min(fs.fstatSync(fd).size, maxBytes)).toString('utf8');
}

/**
 * Runs a program to its end and returns what it printed, without forking the
 * core: posix_spawn with stdout and stderr on two memfds, read once it has
 * exited (the program cannot block on a full pipe, and nothing is left on
 * disk). Where posix_spawn or memfd_create cannot be loaded, child_process
 * with pipes gives the same answer. Rejects when the program could not be
 * started.
 */
export async function runCaptured(file: string, args: readonly string[], options: CaptureOptions): Promise<CapturedExit> {
  const maxBytes = options.maxOutputBytes ?? 4 * 1024 * 1024;
  const [posix, createMemfd] = await Promise.all([loadPosixSpawn(), loadMemfd()]);
  if (posix && createMemfd) {
    const out = createMemfd('wc-stdout');
    if (out < 0) return runCapturedByChildProcess(file, args, options.timeoutMs, maxBytes);
    const err = createMemfd('wc-stderr');
    if (err < 0) {
      fs.closeSync(out);
      return runCapturedByChildProcess(file, args, options.timeoutMs, maxBytes);
    }
    try {
      const exit = await posix.run(file, args, { stdoutFd: out, stderrFd: err, timeoutMs: options.timeoutMs });
      return { ...exit, stdout: readCapture(out, maxBytes), stderr: readCapture(err, maxBytes) };
    } finally {
      fs.closeSync(out);
      fs.closeSync(err);
    }
  }
  return runCapturedByChildProcess(file, args, options.timeoutMs, maxBytes);
}

function runCapturedByChildProcess(file: string, args: readonly string[], timeoutMs: number, maxBytes: number): Promise<CapturedExit> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (stream: NodeJS.ReadableStream) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        if (bytes < maxBytes) chunks.push(chunk.subarray(0, maxBytes - bytes));
        bytes += chunk.length;
      });
      return () => Buffer.concat(chunks).toString('utf8');
    };
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: timedOut ? null : code, signal: timedOut ? 'SIGKILL' : signal, timedOut, stdout: stdout(), stderr: stderr() });
    });
  });
}

/** Test hook: capture through child_process pipes, as where memfd_create cannot be loaded (false: memfds again). */
export function useCapturePipes(yes: boolean): void {
  memfd = yes ? Promise.resolve(null) : undefined;
}
