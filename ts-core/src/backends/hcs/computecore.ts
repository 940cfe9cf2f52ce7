/**
 * The binding to computecore.dll (HCS v2) through koffi.
 *
 * Signatures follow ComputeCore.h as Microsoft documents it and as hcsshim's
 * internal/computecore declares it: every function returns an HRESULT
 * (int32), HCS_OPERATION and HCS_SYSTEM are opaque handles, strings are
 * UTF-16 (PCWSTR), calls are WINAPI (__stdcall; the same as the default on
 * x64). Results arrive through an operation: create it, hand it to the
 * function, wait for it (HcsWaitForOperationResult, run on koffi's worker
 * thread with `.async` so the event loop is never blocked), free the result
 * document with LocalFree, close the operation. Every handle is closed on
 * every path.
 *
 * Which library: `computecore.dll` on Windows. The setting
 * WINDOWSCONTAINERS_HCS_LIBRARY (tests only) names another library with the
 * same exports — the stand-in built from tests/hcs-standin/standin.c. The
 * result documents must then be freed by that library's own `LocalFree`
 * (it allocated them), so with the setting the binding takes LocalFree from
 * the same library; without it, from kernel32.dll as Microsoft documents.
 *
 * Cancelling: Microsoft's HcsCancelOperation reference says the function "is
 * not currently implemented and will always return an E_NOTIMPL HRESULT". A
 * wait that times out therefore asks for cancellation, reads the answer, and
 * tells the user the truth: with E_NOTIMPL the operation goes on in HCS.
 *
 * A call that fails at once may still leave HCS's ResultError document on the
 * operation: it is read with HcsGetOperationResult (Microsoft's reference;
 * hcsshim's internal/computecore reads the result the same way), so the
 * error names HCS's own message, not only the HRESULT.
 *
 * Threads: koffi runs `.async` calls on libuv's thread pool, 4 threads unless
 * UV_THREADPOOL_SIZE says otherwise (Node's documentation, "UV_THREADPOOL_SIZE").
 * A wait queued behind other long waits has not started, so its watchdog must
 * not run yet: the binding lets at most (pool size − 1) of its own calls into
 * the pool at once (one thread stays free for file I/O) and starts each
 * watchdog only when its call has been let in.
 */
import { CoreError } from '../../protocol/errors.js';
import { E_NOTIMPL, hcsFailure, HCS_E_OPERATION_TIMEOUT, isFailure, toUint32 } from './hresult.js';
import { parseResultError } from './schema.js';

export const HCS_LIBRARY_SETTING = 'WINDOWSCONTAINERS_HCS_LIBRARY';
const GENERIC_ALL = 0x10000000;
/** Win32 INFINITE; never used by the core, which always bounds its waits. */
export const INFINITE = 0xffffffff;

type Handle = unknown; // koffi external pointer (a bigint in koffi 3)
type KoffiFunction = ((...args: unknown[]) => unknown) & {
  async: (...args: unknown[]) => void;
};

interface Functions {
  HcsCreateOperation: KoffiFunction;
  HcsCloseOperation: KoffiFunction;
  HcsCancelOperation: KoffiFunction | null;
  HcsGetOperationResult: KoffiFunction | null;
  HcsWaitForOperationResult: KoffiFunction;
  HcsEnumerateComputeSystems: KoffiFunction;
  HcsOpenComputeSystem: KoffiFunction;
  HcsCloseComputeSystem: KoffiFunction;
  HcsGetComputeSystemProperties: KoffiFunction;
  HcsStartComputeSystem: KoffiFunction;
  HcsShutDownComputeSystem: KoffiFunction;
  HcsTerminateComputeSystem: KoffiFunction;
  LocalFree: KoffiFunction;
  decodeUtf16: (pointer: unknown) => string;
}

export interface ComputeCoreInfo {
  /** The library that was loaded. */
  library: string;
  /** True when WINDOWSCONTAINERS_HCS_LIBRARY chose it (tests). */
  overridden: boolean;
}

/** What a wait found: HRESULT and the result document (already freed on the native side). */
interface OperationOutcome {
  hresult: number;
  document: string | null;
}

export interface ComputeCoreOptions {
  /**
   * How long past its own timeout a wait may stay in HcsWaitForOperationResult
   * before the core stops waiting for it (default 10 s). HCS honours the
   * timeout; this guards the event loop against a service that does not.
   */
  watchdogMarginMs?: number;
  /**
   * How many of the binding's own calls may be in libuv's thread pool at once.
   * Default: the pool size (UV_THREADPOOL_SIZE, else 4) minus one.
   */
  maxConcurrentCalls?: number;
}

/** libuv's thread-pool size as this process was started with it (Node's documented default: 4). */
export function threadPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n >= 1 && n <= 1024 ? n : 4;
}

/**
 * A counting gate for calls into the thread pool: `enter` resolves when a
 * slot is free. A caller that waits rejects with OperationTimeout only when
 * no call has left the pool for `waitMs`: a long queue that moves is fine,
 * a pool held by stuck calls must not hold every later request forever.
 */
export class PoolGate {
  private inUse = 0;
  private readonly queue: Array<{ grant: () => void; arm: () => void; timer: NodeJS.Timeout | undefined }> = [];
  constructor(readonly slots: number) {}

  get busy(): number {
    return this.inUse;
  }

  async enter(waitMs: number, what: string): Promise<() => void> {
    if (this.inUse < this.slots) {
      this.inUse++;
      return this.releaser();
    }
    return new Promise<() => void>((resolve, reject) => {
      const entry = {
        timer: undefined as NodeJS.Timeout | undefined,
        grant: () => {
          clearTimeout(entry.timer);
          this.inUse++;
          resolve(this.releaser());
        },
        arm: () => {
          clearTimeout(entry.timer);
          entry.timer = setTimeout(() => {
            const at = this.queue.indexOf(entry);
            if (at >= 0) this.queue.splice(at, 1);
            reject(new CoreError('OperationTimeout',
              `${what} could not start: none of the core's ${this.slots} HCS calls in progress has returned for ${waitMs} ms. Restart the vmcompute service if this repeats.`,
              { details: { waitMs, slots: this.slots } }));
          }, waitMs);
        },
      };
      entry.arm();
      this.queue.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const next = this.queue.shift();
      if (next) next.grant();
      // The pool moves: the callers still waiting get their full time again.
      for (const waiting of this.queue) waiting.arm();
    };
  }
}

export class ComputeCore {
  private constructor(
    private readonly fns: Functions,
    readonly info: ComputeCoreInfo,
    private readonly watchdogMarginMs: number,
    private readonly gate: PoolGate,
  ) {}

  /**
   * Loads the library: the setting's, else computecore.dll on Windows.
   * Throws HcsUnavailable with a reason a person can act on.
   */
  static async load(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, options: ComputeCoreOptions = {}): Promise<ComputeCore> {
    const override = env[HCS_LIBRARY_SETTING]?.trim();
    if (!override && platform !== 'win32') {
      throw new CoreError('HcsUnavailable', `HCS exists only on Windows (computecore.dll); this host is ${platform}. Use -Backend linux or -Backend docker here.`);
    }
    const library = override || 'computecore.dll';
    let koffi: typeof import('koffi').default;
    try {
      koffi = (await import('koffi')).default;
    } catch (error) {
      throw new CoreError('DependencyMissing', `The koffi package (FFI for Node.js) could not be loaded: ${(error as Error).message}. Reinstall the module's npm dependencies.`, { cause: error });
    }
    let lib: ReturnType<typeof koffi.load>;
    try {
      lib = koffi.load(library);
    } catch (error) {
      const reason = override
        ? `The library named by ${HCS_LIBRARY_SETTING} (${library}) could not be loaded: ${(error as Error).message}`
        : `computecore.dll could not be loaded (${(error as Error).message}): the Host Compute Service is not installed. Enable the Containers feature (Windows Server: Install-WindowsFeature Containers; Windows 10/11: Enable-WindowsOptionalFeature -Online -FeatureName Containers, and Microsoft-Hyper-V for Hyper-V isolation), then restart.`;
      throw new CoreError('HcsUnavailable', reason, { cause: error, details: { library } });
    }
    const declare = (prototype: string): KoffiFunction => {
      try {
        return lib.func(prototype) as unknown as KoffiFunction;
      } catch (error) {
        throw new CoreError(
          'HcsUnavailable',
          `${library} does not export a function the core needs (${prototype.replace(/^.*__stdcall (\w+)\(.*$/, '$1')}): HCS v2 needs Windows 10 1809 / Windows Server 2019 or later.`,
          { cause: error, details: { library } },
        );
      }
    };
    const optional = (prototype: string): KoffiFunction | null => {
      try {
        return lib.func(prototype) as unknown as KoffiFunction;
      } catch {
        return null;
      }
    };
    // Handles are plain `void *`: koffi passes them through as opaque pointer values.
    const fns: Functions = {
      HcsCreateOperation: declare('void * __stdcall HcsCreateOperation(void *context, void *callback)'),
      HcsCloseOperation: declare('void __stdcall HcsCloseOperation(void *operation)'),
      HcsCancelOperation: optional('int32_t __stdcall HcsCancelOperation(void *operation)'),
      HcsGetOperationResult: optional('int32_t __stdcall HcsGetOperationResult(void *operation, _Out_ void **resultDocument)'),
      HcsWaitForOperationResult: declare('int32_t __stdcall HcsWaitForOperationResult(void *operation, uint32_t timeoutMs, _Out_ void **resultDocument)'),
      HcsEnumerateComputeSystems: declare('int32_t __stdcall HcsEnumerateComputeSystems(const char16_t *query, void *operation)'),
      HcsOpenComputeSystem: declare('int32_t __stdcall HcsOpenComputeSystem(const char16_t *id, uint32_t requestedAccess, _Out_ void **computeSystem)'),
      HcsCloseComputeSystem: declare('void __stdcall HcsCloseComputeSystem(void *computeSystem)'),
      HcsGetComputeSystemProperties: declare('int32_t __stdcall HcsGetComputeSystemProperties(void *computeSystem, void *operation, const char16_t *propertyQuery)'),
      HcsStartComputeSystem: declare('int32_t __stdcall HcsStartComputeSystem(void *computeSystem, void *operation, const char16_t *options)'),
      HcsShutDownComputeSystem: declare('int32_t __stdcall HcsShutDownComputeSystem(void *computeSystem, void *operation, const char16_t *options)'),
      HcsTerminateComputeSystem: declare('int32_t __stdcall HcsTerminateComputeSystem(void *computeSystem, void *operation, const char16_t *options)'),
      LocalFree: override
        ? declare('void * __stdcall LocalFree(void *memory)')
        : (koffi.load('kernel32.dll').func('void * __stdcall LocalFree(void *memory)') as unknown as KoffiFunction),
      decodeUtf16: (pointer) => koffi.decode.string16(pointer),
    };
    const slots = options.maxConcurrentCalls ?? Math.max(1, threadPoolSize(env) - 1);
    return new ComputeCore(fns, { library, overridden: Boolean(override) }, options.watchdogMarginMs ?? 10_000, new PoolGate(slots));
  }

  /**
   * Runs one HCS operation: `start` hands the operation handle to an HCS
   * function and returns its HRESULT; the result document is returned.
   * A wait that times out asks HCS to cancel the operation and closes it:
   * HCS allows closing an operation that is still running and discards its
   * result. On Windows the cancel answers E_NOTIMPL and the operation keeps
   * running; the error says so.
   */
  async runOperation(action: string, timeoutMs: number, start: (operation: Handle) => number): Promise<string | null> {
    const operation = this.fns.HcsCreateOperation(null, null);
    if (!operation) throw new CoreError('HcsError', `${action} failed: HcsCreateOperation returned no handle (out of memory or the service is gone).`);
    // Who closes the operation: this function, unless a wait that outlived the watchdog still uses it.
    let closeHere = true;
    try {
      const started = start(operation);
      if (isFailure(started)) throw hcsFailure(action, started, parseResultError(this.operationResultDocument(operation)));
      const release = await this.gate.enter(timeoutMs + this.watchdogMarginMs, action);
      const waiting = this.wait(operation, timeoutMs);
      // The thread-pool slot is held until the wait really returns, even after the watchdog gave up on it.
      void waiting.then(release, release);
      const outcome = await this.watch(waiting, timeoutMs);
      if (outcome === 'stuck') {
        // Closing now would free a handle the worker thread is still inside: ask to cancel, and close when the wait returns.
        closeHere = false;
        const cancelled = this.cancel(operation);
        void waiting.then(
          () => this.fns.HcsCloseOperation(operation),
          () => this.fns.HcsCloseOperation(operation),
        );
        throw new CoreError(
          'OperationTimeout',
          `${action} did not complete: HcsWaitForOperationResult did not return within ${timeoutMs} ms plus ${this.watchdogMarginMs} ms of grace. ${cancelled.sentence} The handle is closed when HCS lets go of it; restart the vmcompute service if this repeats.`,
          { details: { timeoutMs, watchdogMarginMs: this.watchdogMarginMs, cancel: cancelled.result } },
        );
      }
      const { hresult, document } = outcome;
      if (toUint32(hresult) === HCS_E_OPERATION_TIMEOUT) {
        const cancelled = this.cancel(operation);
        throw new CoreError('OperationTimeout', `${action} did not complete within ${timeoutMs} ms (HCS_E_OPERATION_TIMEOUT). ${cancelled.sentence}`, {
          details: { timeoutMs, hresult: '0x80370118', hresultName: 'HCS_E_OPERATION_TIMEOUT', cancel: cancelled.result },
        });
      }
      if (isFailure(hresult)) throw hcsFailure(action, hresult, parseResultError(document));
      return document;
    } finally {
      if (closeHere) this.fns.HcsCloseOperation(operation);
    }
  }

  /**
   * Asks HCS to cancel, and says what really happened. Windows answers
   * E_NOTIMPL (Microsoft's HcsCancelOperation reference): nothing is cancelled.
   */
  private cancel(operation: Handle): { result: 'cancelled' | 'notImplemented' | 'failed' | 'unavailable'; sentence: string } {
    const fn = this.fns.HcsCancelOperation;
    if (!fn) return { result: 'unavailable', sentence: 'HCS offers no way to cancel it: the operation may still complete in the service.' };
    const hresult = fn(operation) as number;
    if (!isFailure(hresult)) return { result: 'cancelled', sentence: 'HCS accepted the request to cancel it.' };
    if (toUint32(hresult) === E_NOTIMPL) {
      return { result: 'notImplemented', sentence: 'HCS cannot cancel it (HcsCancelOperation answers E_NOTIMPL on Windows): the operation goes on in the service and may still complete.' };
    }
    return { result: 'failed', sentence: `HCS refused to cancel it (HRESULT 0x${toUint32(hresult).toString(16).toUpperCase().padStart(8, '0')}): the operation may still complete in the service.` };
  }

  /** The ResultError an operation carries after a call that failed at once (HcsGetOperationResult), or null. */
  private operationResultDocument(operation: Handle): string | null {
    const fn = this.fns.HcsGetOperationResult;
    if (!fn) return null;
    const out: unknown[] = [null];
    fn(operation, out);
    const pointer = out[0];
    if (!pointer) return null;
    try {
      return this.fns.decodeUtf16(pointer);
    } finally {
      this.fns.LocalFree(pointer);
    }
  }

  /** The wait's outcome, or 'stuck' when it outlives its own timeout by the watchdog margin. */
  private async watch(waiting: Promise<OperationOutcome>, timeoutMs: number): Promise<OperationOutcome | 'stuck'> {
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<'stuck'>((resolve) => {
      timer = setTimeout(() => resolve('stuck'), timeoutMs + this.watchdogMarginMs);
    });
    try {
      return await Promise.race([waiting, watchdog]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async wait(operation: Handle, timeoutMs: number): Promise<OperationOutcome> {
    const out: unknown[] = [null];
    const hresult = await new Promise<number>((resolve, reject) => {
      this.fns.HcsWaitForOperationResult.async(operation, timeoutMs >>> 0, out, (error: unknown, value: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(value as number);
      });
    });
    const pointer = out[0];
    if (!pointer) return { hresult, document: null };
    try {
      return { hresult, document: this.fns.decodeUtf16(pointer) };
    } finally {
      this.fns.LocalFree(pointer);
    }
  }

  /** Opens a compute system by id, runs `use`, closes the handle whatever happens. */
  async withComputeSystem<T>(id: string, use: (system: Handle) => Promise<T>): Promise<T> {
    const out: unknown[] = [null];
    // Opening is an RPC to the vmcompute service: off the event loop too, through the same pool gate.
    const release = await this.gate.enter(60_000, `Opening compute system '${id}'`);
    let hresult: number;
    try {
      hresult = await new Promise<number>((resolve, reject) => {
        this.fns.HcsOpenComputeSystem.async(id, GENERIC_ALL, out, (error: unknown, value: unknown) => {
          if (error) reject(error instanceof Error ? error : new Error(String(error)));
          else resolve(value as number);
        });
      });
    } finally {
      release();
    }
    const system = out[0];
    if (isFailure(hresult)) {
      if (system) this.fns.HcsCloseComputeSystem(system);
      throw hcsFailure(`Opening compute system '${id}'`, hresult, null);
    }
    if (!system) throw new CoreError('HcsError', `Opening compute system '${id}' returned success but no handle.`);
    try {
      return await use(system);
    } finally {
      this.fns.HcsCloseComputeSystem(system);
    }
  }

  /** HcsEnumerateComputeSystems with a SystemQuery document (or none). */
  enumerate(queryJson: string | null, timeoutMs: number): Promise<string | null> {
    return this.runOperation('Enumerating compute systems', timeoutMs, (op) => this.fns.HcsEnumerateComputeSystems(queryJson, op) as number);
  }

  /** HcsGetComputeSystemProperties with a property query document (or none for the summary). */
  properties(id: string, queryJson: string | null, timeoutMs: number): Promise<string | null> {
    return this.withComputeSystem(id, (system) =>
      this.runOperation(`Reading the properties of compute system '${id}'`, timeoutMs, (op) => this.fns.HcsGetComputeSystemProperties(system, op, queryJson) as number),
    );
  }

  start(id: string, timeoutMs: number): Promise<string | null> {
    return this.withComputeSystem(id, (system) =>
      this.runOperation(`Starting compute system '${id}'`, timeoutMs, (op) => this.fns.HcsStartComputeSystem(system, op, null) as number),
    );
  }

  shutDown(id: string, timeoutMs: number): Promise<string | null> {
    return this.withComputeSystem(id, (system) =>
      this.runOperation(`Shutting down compute system '${id}'`, timeoutMs, (op) => this.fns.HcsShutDownComputeSystem(system, op, null) as number),
    );
  }

  terminate(id: string, timeoutMs: number): Promise<string | null> {
    return this.withComputeSystem(id, (system) =>
      this.runOperation(`Terminating compute system '${id}'`, timeoutMs, (op) => this.fns.HcsTerminateComputeSystem(system, op, null) as number),
    );
  }
}

let loaded: Promise<ComputeCore> | null = null;

/** The process-wide binding; a failed load is retried on the next call (the feature may have been installed). */
export function computeCore(): Promise<ComputeCore> {
  if (!loaded) {
    loaded = ComputeCore.load().catch((error: unknown) => {
      loaded = null;
      throw error;
    });
  }
  return loaded;
}
