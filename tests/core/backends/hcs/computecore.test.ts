/**
 * The real koffi binding against the ABI-faithful stand-in (no Windows here):
 * operations, waits on koffi's worker thread, UTF-16 in both directions,
 * LocalFree of result documents, HRESULT mapping, timeouts and handle
 * accounting checked by the stand-in itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ComputeCore, HCS_LIBRARY_SETTING, PoolGate, threadPoolSize } from '../../../../ts-core/src/backends/hcs/computecore.js';
import { CoreError } from '../../../../ts-core/src/protocol/errors.js';
import { buildStandin, fixture, loadRecordedSystems, type Standin } from './standin.js';

let standin: Standin;
let core: ComputeCore;

const processId = '3f1c0f3a9b5e4c2d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d';

beforeAll(async () => {
  standin = buildStandin();
  core = await ComputeCore.load({ [HCS_LIBRARY_SETTING]: standin.library }, 'linux');
});
afterAll(() => standin?.dispose());

beforeEach(() => {
  standin.reset();
  loadRecordedSystems(standin, { [processId]: fixture('processlist-process-isolated.json') });
});

afterEach(async () => {
  // Every test must leave nothing open: each open matched by a close, each document freed.
  await standin.settle();
  expect(standin.openOperations()).toBe(0);
  expect(standin.openSystems()).toBe(0);
  expect(standin.openHandles()).toBe(0);
  expect(standin.outstandingDocuments()).toBe(0);
  expect(standin.misuse()).toBe(0);
});

async function failure(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CoreError);
  return error as CoreError;
}

describe('ComputeCore.load', () => {
  it('refuses plainly off Windows when no test library is set', async () => {
    const error = await failure(ComputeCore.load({}, 'linux'));
    expect(error.code).toBe('HcsUnavailable');
    expect(error.message).toMatch(/HCS exists only on Windows \(computecore\.dll\)/);
  });

  it('names the library it could not load', async () => {
    const error = await failure(ComputeCore.load({ [HCS_LIBRARY_SETTING]: '/nonexistent/libnothing.so' }, 'linux'));
    expect(error.code).toBe('HcsUnavailable');
    expect(error.message).toContain('/nonexistent/libnothing.so');
  });

  it('names the missing export of a library that is not HCS v2 (Windows before 1809)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-hcs-empty-'));
    try {
      const source = path.join(dir, 'empty.c');
      writeFileSync(source, 'int NotHcs(void) { return 0; }\n');
      const library = path.join(dir, 'libempty.so');
      execFileSync('cc', ['-shared', '-fPIC', '-o', library, source]);
      const error = await failure(ComputeCore.load({ [HCS_LIBRARY_SETTING]: library }, 'linux'));
      expect(error.code).toBe('HcsUnavailable');
      expect(error.message).toBe(`${library} does not export a function the core needs (HcsCreateOperation): HCS v2 needs Windows 10 1809 / Windows Server 2019 or later.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports that the test library was chosen by the setting', () => {
    expect(core.info).toEqual({ library: standin.library, overridden: true });
  });
});

describe('enumerate', () => {
  it('returns the enumeration document decoded from UTF-16 and frees it', async () => {
    const text = await core.enumerate(null, 5000);
    const systems = JSON.parse(text!) as Array<{ Id: string; SystemType: string; Owner?: string; RuntimeId?: string }>;
    expect(systems.map((s) => [s.SystemType, s.Owner])).toEqual([['Container', 'docker'], ['Container', 'docker']]);
    expect(systems[1]!.RuntimeId).toBe('5d2c6c7e-1a0b-4b7e-9f43-2f4f0c3a8e11');
  });

  it('hands the query document to HCS intact as UTF-16', async () => {
    const query = JSON.stringify({ Types: ['Container'], Names: ['конт-容器-ü 🐳'] });
    await core.enumerate(query, 5000);
    expect(standin.lastCall()).toEqual({ fn: 'HcsEnumerateComputeSystems', argument: query });
  });

  it('waits off the event loop: timers keep running during a slow operation', async () => {
    standin.setDelay(300);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    try {
      await core.enumerate(null, 5000);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThanOrEqual(5);
  });
});

describe('non-ASCII names', () => {
  const name = 'конт-容器-ü 🐳';

  it('round-trips Cyrillic, CJK, Latin-1 and a surrogate pair through open and properties', async () => {
    standin.addSystem({ id: name, systemType: 'Container', name, owner: 'владелец', state: 'Running', processList: '[]' });
    const text = await core.properties(name, '{"PropertyTypes":["ProcessList"]}', 5000);
    const doc = JSON.parse(text!) as { Id: string; Name: string; Owner: string; ProcessList: unknown[] };
    expect(doc.Id).toBe(name);
    expect(doc.Name).toBe(name);
    expect(doc.Owner).toBe('владелец');
    expect(doc.ProcessList).toEqual([]);
  });

  it('does not confuse a name that differs in one non-ASCII character', async () => {
    standin.addSystem({ id: name, systemType: 'Container', state: 'Running' });
    const error = await failure(core.properties('конт-容器-u 🐳', null, 5000));
    expect(error.code).toBe('HcsSystemNotFound');
  });
});

describe('properties', () => {
  it('answers a ProcessList query with the recorded process list', async () => {
    const text = await core.properties(processId, '{"PropertyTypes":["ProcessList"]}', 5000);
    const doc = JSON.parse(text!) as { ProcessList: Array<{ ProcessId: number; ImageName: string }> };
    expect(doc.ProcessList.map((p) => [p.ProcessId, p.ImageName])).toEqual([
      [2876, 'CExecSvc.exe'],
      [3108, 'cmd.exe'],
      [3964, 'PING.EXE'],
      [4100, 'пинг.exe'],
    ]);
    expect(standin.lastCall()).toEqual({ fn: 'HcsGetComputeSystemProperties', argument: '{"PropertyTypes":["ProcessList"]}' });
  });

  it('maps a missing compute system (0xC037010E) to HcsSystemNotFound with the HRESULT by name', async () => {
    const error = await failure(core.properties('no-such-system', null, 5000));
    expect(error.code).toBe('HcsSystemNotFound');
    expect(error.message).toMatchInlineSnapshot(
      `"Opening compute system 'no-such-system' failed: A virtual machine or container with the specified identifier does not exist (ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND, 0xC037010E)."`,
    );
    expect(error.details).toMatchObject({ hresult: '0xC037010E' });
  });
});

describe('errors through the operation', () => {
  it('maps 0xC0370101 with its ResultError to HcsOsMismatch, keeping message and events', async () => {
    standin.setFault('HcsStartComputeSystem', 0xc0370101, fixture('result-error-os-mismatch.json'), 10);
    const error = await failure(core.start(processId, 5000));
    expect(error.code).toBe('HcsOsMismatch');
    expect(error.message).toContain('The container operating system does not match the host operating system');
    expect(error.message).toContain('0xC0370101');
    expect(error.message).toContain("Failed to start container 'c1'");
    expect(error.message).toMatch(/Hyper-V isolation/);
    expect(error.details).toMatchObject({
      hresult: '0xC0370101',
      hresultName: 'ERROR_VMCOMPUTE_IMAGE_MISMATCH',
      hcsErrorMessage: 'The container operating system does not match the host operating system.',
    });
    const events = (error.details as { errorEvents: Array<{ eventId: number }> }).errorEvents;
    expect(events.map((e) => e.eventId)).toEqual([11107, 11200]);
  });

  it('reads the error document a call that failed at once left on the operation (HcsGetOperationResult)', async () => {
    standin.setFault('HcsStartComputeSystem', 0xc0370101, fixture('result-error-os-mismatch.json'), 0, true);
    const error = await failure(core.start(processId, 5000));
    expect(error.code).toBe('HcsOsMismatch');
    expect(error.message).toContain("Failed to start container 'c1'");
    expect(error.details).toMatchObject({ hresult: '0xC0370101', hcsErrorMessage: 'The container operating system does not match the host operating system.' });
  });

  it('never reports a bare number for an HRESULT it does not know', async () => {
    standin.setFault('HcsEnumerateComputeSystems', 0x8037fff0, null, 5);
    const error = await failure(core.enumerate(null, 5000));
    expect(error.code).toBe('HcsError');
    expect(error.message).toMatch(/^Enumerating compute systems failed: HCS returned HRESULT 0x8037FFF0, which this module does not know by name\.$/);
  });

  it('reports an HRESULT returned by the call itself (before any operation starts)', async () => {
    standin.setFault('HcsEnumerateComputeSystems', 0x8037011b, null, 0, true);
    const error = await failure(core.enumerate(null, 5000));
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toContain('HCS_E_ACCESS_DENIED');
  });

  it('reports HcsCreateOperation returning no handle, and opens nothing', async () => {
    standin.setFault('HcsCreateOperation', 0, null, 0);
    const error = await failure(core.properties(processId, null, 5000));
    expect(error.code).toBe('HcsError');
    expect(error.message).toMatch(/HcsCreateOperation returned no handle/);
  });

  it('maps an access-denied open to PermissionDenied and leaves no system handle behind', async () => {
    standin.setFault('HcsOpenComputeSystem', 0x80070005, null, 0, true);
    const error = await failure(core.terminate(processId, 5000));
    expect(error.code).toBe('PermissionDenied');
    expect(error.message).toMatch(/^Opening compute system '3f1c0f3a.*' failed: Access is denied .*\(E_ACCESSDENIED, 0x80070005\)\. Run PowerShell as Administrator\.$/);
    expect(standin.callCount('HcsTerminateComputeSystem')).toBe(0);
  });

  it('stops a running system and reports a second stop as HcsInvalidState (HCS_E_SYSTEM_ALREADY_STOPPED)', async () => {
    await core.terminate(processId, 5000);
    const summary = JSON.parse((await core.properties(processId, null, 5000))!) as { State: string };
    expect(summary.State).toBe('Stopped');
    const error = await failure(core.shutDown(processId, 5000));
    expect(error.code).toBe('HcsInvalidState');
    expect(error.message).toContain('HCS_E_SYSTEM_ALREADY_STOPPED');
    expect(error.details).toMatchObject({ hcsErrorMessage: 'The virtual machine or container with the specified identifier is not running.' });
  });
});

describe('timeouts', () => {
  it('turns HCS_E_OPERATION_TIMEOUT into OperationTimeout and closes the abandoned operation', async () => {
    standin.setFault('HcsGetComputeSystemProperties', 0, '{"Id":"late"}', 1500);
    const started = Date.now();
    const error = await failure(core.properties(processId, null, 100));
    expect(Date.now() - started).toBeLessThan(1400);
    expect(error.code).toBe('OperationTimeout');
    expect(error.message).toMatch(/did not complete within 100 ms \(HCS_E_OPERATION_TIMEOUT\)/);
    // Windows cannot cancel (HcsCancelOperation answers E_NOTIMPL): the message must not claim it did.
    expect(standin.cancelCalls()).toBe(1);
    expect(error.message).toContain('HCS cannot cancel it (HcsCancelOperation answers E_NOTIMPL on Windows): the operation goes on in the service');
    expect(error.message).not.toMatch(/was cancelled/);
    expect(error.details).toMatchObject({ cancel: 'notImplemented' });
    // The stand-in, like Windows, lets the operation run to its end: it is still pending in the service.
    expect(standin.pendingWorkers()).toBe(1);
    // Handles are closed at once, although the service may still be finishing.
    expect(standin.openOperations()).toBe(0);
    expect(standin.openSystems()).toBe(0);
  });
});

describe('a service that does not honour the timeout', () => {
  it('stops waiting after the watchdog margin, cancels, and closes the operation only when HCS lets go of it', async () => {
    const impatient = await ComputeCore.load({ [HCS_LIBRARY_SETTING]: standin.library }, 'linux', { watchdogMarginMs: 200 });
    standin.setFault('HcsWaitForOperationResult', 0, null, 1200);
    const started = Date.now();
    const error = await failure(impatient.enumerate(null, 100));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.code).toBe('OperationTimeout');
    expect(error.message).toMatch(/HcsWaitForOperationResult did not return within 100 ms plus 200 ms of grace/);
    expect(error.message).toContain('HCS cannot cancel it');
    expect(error.message).not.toMatch(/was cancelled/);
    // The worker thread is still inside the wait: the handle must still be open, not freed under it.
    expect(standin.openOperations()).toBe(1);
    const deadline = Date.now() + 5000;
    while (standin.openOperations() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(standin.openOperations()).toBe(0);
  });
});

describe('handle accounting under load', () => {
  it('balances every open with a close across many concurrent operations, failures included', async () => {
    standin.setDelay(5);
    const jobs: Array<Promise<unknown>> = [];
    for (let i = 0; i < 40; i++) {
      jobs.push(core.enumerate(null, 5000));
      jobs.push(core.properties(processId, '{"PropertyTypes":["ProcessList"]}', 5000));
      jobs.push(core.properties(`missing-${i}`, null, 5000).catch(() => 'failed'));
    }
    const results = await Promise.all(jobs);
    expect(results.filter((r) => r === 'failed')).toHaveLength(40);
  });
});

describe("libuv's thread pool (koffi runs every .async wait there)", () => {
  it('judges no wait stuck while it only queues: more concurrent long waits than the pool has threads all succeed', async () => {
    const pool = threadPoolSize();
    // Each wait holds its pool thread about 600 ms once it runs (the stand-in's stalling service);
    // its watchdog allows 1000 + 800 ms. Queued behind the others in the pool (3 * pool + 1 waits end
    // after 4 rounds, 2.4 s), the last ones would be judged stuck if their watchdog started when they
    // were queued rather than when they ran; run one by one, each has 1.2 s to spare.
    const strict = await ComputeCore.load({ [HCS_LIBRARY_SETTING]: standin.library }, 'linux', { watchdogMarginMs: 800 });
    standin.setFault('HcsWaitForOperationResult', 0, null, 600);
    const waits = Array.from({ length: pool * 3 + 1 }, () => strict.enumerate(null, 1000));
    const results = await Promise.allSettled(waits);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as Error);
    expect(failed.map((e) => e.message)).toEqual([]);
    expect(results).toHaveLength(pool * 3 + 1);
  }, 60_000);

  it('keeps one pool thread free for file I/O by default', () => {
    expect(threadPoolSize({})).toBe(4);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    expect(threadPoolSize({ UV_THREADPOOL_SIZE: 'many' })).toBe(4);
  });

  it('gives a waiting call its full time again whenever the pool moves', async () => {
    const gate = new PoolGate(1);
    const first = await gate.enter(1000, 'first');
    const x = gate.enter(1000, 'x');
    // y waits 200 ms in all, longer than its 150 ms bound, but the pool moves every 100 ms.
    const y = gate.enter(150, 'y');
    await new Promise((r) => setTimeout(r, 100));
    first();
    const releaseX = await x;
    await new Promise((r) => setTimeout(r, 100));
    releaseX();
    (await y)();
    expect(gate.busy).toBe(0);
  });

  it('lets a call in as soon as a slot frees, and gives up on a pool held by stuck calls with OperationTimeout', async () => {
    const gate = new PoolGate(1);
    const release = await gate.enter(1000, 'first');
    let second = false;
    const next = gate.enter(1000, 'second').then((r) => {
      second = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(second).toBe(false);
    release();
    (await next)();
    expect(gate.busy).toBe(0);
    const held = await gate.enter(1000, 'held');
    const error = await failure(gate.enter(50, 'Enumerating compute systems'));
    expect(error.code).toBe('OperationTimeout');
    expect(error.message).toMatch(/^Enumerating compute systems could not start: none of the core's 1 HCS calls in progress has returned for 50 ms/);
    held();
  });
});
