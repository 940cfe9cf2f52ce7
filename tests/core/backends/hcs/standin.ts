/**
 * Builds tests/hcs-standin/standin.c with the machine's `cc` into a private
 * temp directory and exposes its test-control exports. The binding under
 * test loads the same library (WINDOWSCONTAINERS_HCS_LIBRARY), so both see
 * one copy of the stand-in's state.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

const here = path.dirname(fileURLToPath(import.meta.url));
export const standinSource = path.resolve(here, '../../../hcs-standin/standin.c');
export const fixturesDir = path.join(here, 'fixtures');

export function fixture(name: string): string {
  return readFileSync(path.join(fixturesDir, name), 'utf8');
}

export interface Standin {
  library: string;
  reset(): void;
  addSystem(system: {
    id: string;
    systemType: string;
    name?: string;
    owner?: string;
    runtimeId?: string;
    runtimeOsType?: string;
    state?: string;
    hostingSystemId?: string;
    processList?: string;
  }): void;
  setFault(fn: string, hresult: number, resultDocument: string | null, delayMs: number, direct?: boolean): void;
  setDelay(ms: number): void;
  /** Ends the stall of every caller held by a HcsWaitForOperationResult fault, before its delay (until the next reset). */
  releaseStall(): void;
  /** Stalls that releaseStall ended, since the last reset. */
  stallsReleased(): number;
  openOperations(): number;
  openSystems(): number;
  openHandles(): number;
  outstandingDocuments(): number;
  misuse(): number;
  pendingWorkers(): number;
  /** HcsCancelOperation calls since the last reset (each answered E_NOTIMPL, as on Windows). */
  cancelCalls(): number;
  /** After delayMs the system is in `state`, without any call (HCS finishing a pending shutdown). */
  scheduleState(id: string, state: string, delayMs: number): void;
  lastCall(): { fn: string; argument: string };
  /** Calls of one string-taking HCS function since the last reset. */
  callCount(fn: string): number;
  /** Waits until the stand-in has no operation in flight (bounded). */
  settle(timeoutMs?: number): Promise<void>;
  dispose(): void;
}

export function buildStandin(): Standin {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-hcs-standin-'));
  const library = path.join(dir, 'libhcsstandin.so');
  execFileSync('cc', ['-shared', '-fPIC', '-pthread', '-O1', '-Wall', '-Wextra', '-Werror', '-o', library, standinSource], { stdio: 'pipe' });
  const lib = koffi.load(library);
  const fn = {
    reset: lib.func('void StandinReset(void)'),
    add: lib.func('int32_t StandinAddSystem(const char *id, const char *systemType, const char *name, const char *owner, const char *runtimeId, const char *osType, const char *state, const char *hostingSystemId, const char *processListJson)'),
    fault: lib.func('int32_t StandinSetFault(const char *fn, int32_t hr, const char *doc, uint32_t delayMs, int32_t direct)'),
    delay: lib.func('void StandinSetDelay(uint32_t ms)'),
    release: lib.func('void StandinReleaseStall(void)'),
    released: lib.func('int32_t StandinStallsReleased(void)'),
    ops: lib.func('int32_t StandinOpenOperations(void)'),
    systems: lib.func('int32_t StandinOpenSystems(void)'),
    handles: lib.func('int32_t StandinOpenHandleCount(void)'),
    docs: lib.func('int32_t StandinOutstandingDocuments(void)'),
    misuse: lib.func('int32_t StandinMisuseCount(void)'),
    pending: lib.func('int32_t StandinPendingWorkers(void)'),
    cancels: lib.func('int32_t StandinCancelCalls(void)'),
    schedule: lib.func('int32_t StandinScheduleState(const char *id, const char *state, uint32_t delayMs)'),
    lastCall: lib.func('int32_t StandinLastCall(_Out_ uint8_t *buf, int32_t capacity)'),
    callCount: lib.func('int32_t StandinCallCount(const char *fn)'),
  };
  const standin: Standin = {
    library,
    reset: () => fn.reset(),
    addSystem: (s) => {
      const rc = fn.add(s.id, s.systemType, s.name ?? null, s.owner ?? null, s.runtimeId ?? null, s.runtimeOsType ?? null, s.state ?? null, s.hostingSystemId ?? null, s.processList ?? null);
      if (rc !== 0) throw new Error(`StandinAddSystem failed for ${s.id}`);
    },
    setFault: (name, hresult, doc, delayMs, direct = false) => {
      if (fn.fault(name, hresult | 0, doc, delayMs, direct ? 1 : 0) !== 0) throw new Error(`StandinSetFault failed for ${name}`);
    },
    setDelay: (ms) => fn.delay(ms),
    releaseStall: () => fn.release(),
    stallsReleased: () => fn.released() as number,
    openOperations: () => fn.ops() as number,
    openSystems: () => fn.systems() as number,
    openHandles: () => fn.handles() as number,
    outstandingDocuments: () => fn.docs() as number,
    misuse: () => fn.misuse() as number,
    pendingWorkers: () => fn.pending() as number,
    cancelCalls: () => fn.cancels() as number,
    scheduleState: (id, state, delayMs) => {
      if (fn.schedule(id, state, delayMs) !== 0) throw new Error(`StandinScheduleState failed for ${id}`);
    },
    lastCall: () => {
      const buf = Buffer.alloc(4096);
      const n = fn.lastCall(buf, buf.length) as number;
      const text = buf.subarray(0, Math.max(0, n)).toString('utf8');
      const newline = text.indexOf('\n');
      return { fn: text.slice(0, newline), argument: text.slice(newline + 1) };
    },
    callCount: (name) => fn.callCount(name) as number,
    settle: async (timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while ((fn.pending() as number) > 0) {
        if (Date.now() > deadline) throw new Error('the stand-in still has operations in flight');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    // The library stays loaded (other handles may still reference it); only the build directory goes.
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return standin;
}

/** Loads the recorded documents into the stand-in: the enumeration and each system's process list. */
export function loadRecordedSystems(standin: Standin, processLists: Record<string, string> = {}, enumeration = 'enumerate-docker.json'): void {
  const systems = JSON.parse(fixture(enumeration)) as Array<Record<string, string>>;
  for (const s of systems) {
    standin.addSystem({
      id: s.Id!,
      systemType: s.SystemType!,
      name: s.Name,
      owner: s.Owner,
      runtimeId: s.RuntimeId,
      runtimeOsType: s.RuntimeOsType,
      state: s.State,
      hostingSystemId: s.HostingSystemId,
      processList: processLists[s.Id!],
    });
  }
}
