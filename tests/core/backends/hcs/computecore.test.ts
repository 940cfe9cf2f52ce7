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

describe('ComputeCore.load', () => {
  it('refuses plainly off Windows when no test library is set', async () => {
    await expect(ComputeCore.load({}, 'linux')).rejects.toMatchObject({ code: 'HcsUnavailable', message: expect.stringMatching(/HCS exists only on Windows \(computecore\.dll\)/) });
  });

  it('names the library it could not load', async () => {
    await expect(ComputeCore.load({ [HCS_LIBRARY_SETTING]: '/nonexistent/libnothing.so' }, 'linux')).rejects.toMatchObject({
      code: 'HcsUnavailable',
      message: expect.stringContaining('/nonexistent/libnothing.so'),
    });
  });

  it('names the missing export of a library that is not HCS v2 (Windows before 1809)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wc-hcs-empty-'));
    try {
      const source = path.join(dir, 'empty.c');
      writeFileSync(source, 'int NotHcs(void) { return 0; }\n');
      const library = path.join(dir, 'libempty.so');
      execFileSync('cc', ['-shared', '-fPIC', '-o', library, source]);
      await expect(ComputeCore.load({ [HCS_LIBRARY_SETTING]: library }, 'linux')).rejects.toMatchObject({
        code: 'HcsUnavailable',
        message: `${library} does not export a function the core needs (HcsCreateOperation): HCS v2 needs Windows 10 1809 / Windows Server 2019 or later.`,
      });
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

  it('waits off the event loop: a timer of this process ends the wait it is in', async () => {
    // The stand-in holds the wait for 20 s unless released; only a timer on
    // this event loop releases it. Had the wait blocked the loop, it would end
    // by its delay instead, and the count of released stalls would say so.
    standin.setFault('HcsWaitForOperationResult', 0, null, 20_000);
    const timer = setTimeout(() => standin.releaseStall(), 20);
    try {
      await core.enumerate(null, 30_000);
    } finally {
      clearTimeout(timer);
    }
    expect(standin.stallsReleased()).toBe(1);
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
    await expect(core.properties('конт-容器-u 🐳', null, 5000)).rejects.toMatchObject({ code: 'HcsSystemNotFound' });
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
    await expect(core.properties('no-such-system', null, 5000)).rejects.toMatchObject({
      code: 'HcsSystemNotFound',
      message: "Opening compute system 'no-such-system' failed: A virtual machine or container with the specified identifier does not exist (ERROR_VMCOMPUTE_SYSTEM_NOT_FOUND, 0xC037010E).",
      details: { hresult: '0xC037010E' },
    });
  });
});

describe('errors through the operation', () => {
  it('maps 0xC0370101 with its ResultError to HcsOsMismatch, keeping message and events', async () => {
    standin.setFault('HcsStartComputeSystem', 0xc0370101, fixture('result-error-os-mismatch.json'), 10);
    const starting = core.start(processId, 5000);
    await expect(starting).rejects.toMatchObject({
      code: 'HcsOsMismatch',
      message: expect.stringContaining('The container operating system does not match the host operating system'),
      details: {
        hresult: '0xC0370101',
        hresultName: 'ERROR_VMCOMPUTE_IMAGE_MISMATCH',
        hcsErrorMessage: 'The container operating system does not match the host operating system.',
        errorEvents: [expect.objectContaining({ eventId: 11107 }), expect.objectContaining({ eventId: 11200 })],
      },
    });
    await expect(starting).rejects.toMatchObject({ message: expect.stringContaining('0xC0370101') });
    await expect(starting).rejects.toMatchObject({ message: expect.stringContaining("Failed to start container 'c1'") });
    await expect(starting).rejects.toMatchObject({ message: expect.stringMatching(/Hyper-V isolation/) });
  });

  it('reads the error document a call that failed at once left on the operation (HcsGetOperationResult)', async () => {
    standin.setFault('HcsStartComputeSystem', 0xc0370101, fixture('result-error-os-mismatch.json'), 0, true);
    await expect(core.start(processId, 5000)).rejects.toMatchObject({
      code: 'HcsOsMismatch',
      message: expect.stringContaining("Failed to start container 'c1'"),
      details: { hresult: '0xC0370101', hcsErrorMessage: 'The container operating system does not match the host operating system.' },
    });
  });

  it('never reports a bare number for an HRESULT it does not know', async () => {
    standin.setFault('HcsEnumerateComputeSystems', 0x8037fff0, null, 5);
    await expect(core.enumerate(null, 5000)).rejects.toMatchObject({
      code: 'HcsError',
      message: expect.stringMatching(/^Enumerating compute systems failed: HCS returned HRESULT 0x8037FFF0, which this module does not know by name\.$/),
    });
  });

  it('reports an HRESULT returned by the call itself (before any operation starts)', async () => {
    standin.setFault('HcsEnumerateComputeSystems', 0x8037011b, null, 0, true);
    await expect(core.enumerate(null, 5000)).rejects.toMatchObject({ code: 'PermissionDenied', message: expect.stringContaining('HCS_E_ACCESS_DENIED') });
  });

  it('reports HcsCreateOperation returning no handle, and opens nothing', async () => {
    standin.setFault('HcsCreateOperation', 0, null, 0);
    await expect(core.properties(processId, null, 5000)).rejects.toMatchObject({ code: 'HcsError', message: expect.stringMatching(/HcsCreateOperation returned no handle/) });
  });

  it('maps an access-denied open to PermissionDenied and leaves no system handle behind', async () => {
    standin.setFault('HcsOpenComputeSystem', 0x80070005, null, 0, true);
    await expect(core.terminate(processId, 5000)).rejects.toMatchObject({
      code: 'PermissionDenied',
      message: expect.stringMatching(/^Opening compute system '3f1c0f3a.*' failed: Access is denied .*\(E_ACCESSDENIED, 0x80070005\)\. Run PowerShell as Administrator\.$/),
    });
    expect(standin.callCount('HcsTerminateComputeSystem')).toBe(0);
  });

  it('stops a running system and reports a second stop as HcsInvalidState (HCS_E_SYSTEM_ALREADY_STOPPED)', async () => {
    await core.terminate(processId, 5000);
    const summary = JSON.parse((await core.properties(processId, null, 5000))!) as { State: string };
    expect(summary.State).toBe('Stopped');
    await expect(core.shutDown(processId, 5000)).rejects.toMatchObject({
      code: 'HcsInvalidState',
      message: expect.stringContaining('HCS_E_SYSTEM_ALREADY_STOPPED'),
      details: { hcsErrorMessage: 'The virtual machine or container with the specified identifier is not running.' },
    });
  });
});

describe('timeouts', () => {
  it('turns HCS_E_OPERATION_TIMEOUT into OperationTimeout and closes the abandoned operation', async () => {
    standin.setFault('HcsGetComputeSystemProperties', 0, '{"Id":"late"}', 3000);
    const asking = core.properties(processId, null, 100);
    await expect(asking).rejects.toMatchObject({
      code: 'OperationTimeout',
      message: expect.stringMatching(/did not complete within 100 ms \(HCS_E_OPERATION_TIMEOUT\)/),
      details: { cancel: 'notImplemented' },
    });
    // Windows cannot cancel (HcsCancelOperation answers E_NOTIMPL): the message must not claim it did.
    await expect(asking).rejects.toMatchObject({
      message: expect.stringContaining('HCS cannot cancel it (HcsCancelOperation answers E_NOTIMPL on Windows): the operation goes on in the service'),
    });
    await expect(asking).rejects.toMatchObject({ message: expect.not.stringMatching(/was cancelled/) });
    expect(standin.cancelCalls()).toBe(1);
    // The stand-in, like Windows, lets the operation run to its end: it is still pending in the service.
    expect(standin.pendingWorkers()).toBe(1);
    // Handles are closed at once, although the service may still be finishing.
    expect(standin.openOperations()).toBe(0);
    expect(standin.openSystems()).toBe(0);
    await standin.settle(30_000);
  });
});

describe('a service that does not honour the timeout', () => {
  it('stops waiting after the watchdog margin, cancels, and closes the operation only when HCS lets go of it', async () => {
    const impatient = await ComputeCore.load({ [HCS_LIBRARY_SETTING]: standin.library }, 'linux', { watchdogMarginMs: 200 });
    // The stand-in holds the wait until the test lets it go (a minute at the
    // most, past the test's own timeout): the call can only come back through
    // the watchdog, however slow the machine is.
    standin.setFault('HcsWaitForOperationResult', 0, null, 60_000);
    const enumerating = impatient.enumerate(null, 100);
    await expect(enumerating).rejects.toMatchObject({
      code: 'OperationTimeout',
      message: expect.stringMatching(/HcsWaitForOperationResult did not return within 100 ms plus 200 ms of grace/),
    });
    await expect(enumerating).rejects.toMatchObject({ message: expect.stringContaining('HCS cannot cancel it') });
    await expect(enumerating).rejects.toMatchObject({ message: expect.not.stringMatching(/was cancelled/) });
    // The worker thread is still inside the wait: the handle must still be open, not freed under it.
    expect(standin.openOperations()).toBe(1);
    standin.releaseStall();
    const deadline = Date.now() + 20_000;
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
    await expect(gate.enter(50, 'Enumerating compute systems')).rejects.toMatchObject({
      code: 'OperationTimeout',
      message: expect.stringMatching(/^Enumerating compute systems could not start: none of the core's 1 HCS calls in progress has returned for 50 ms/),
    });
    held();
  });
});
