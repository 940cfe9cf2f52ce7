/**
 * The evidence path against real containers (runc), real host processes and
 * a container whose own /proc is tampered with from outside, in a private
 * state directory. Every case asserts the rule that decided the verdict
 * (decidedBy), so a case that ends Inconclusive for some other reason fails.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxBackend } from '../../../ts-core/src/backends/linux/index.js';
import { importImage } from '../../../ts-core/src/backends/linux/images.js';
import { findRunc } from '../../../ts-core/src/backends/linux/runc.js';
import type { ContainerSpec, ProcessView, WorkerClaim } from '../../../ts-core/src/backends/types.js';
import { gatherEvidence, judgeEvidence, type EvidenceSource } from '../../../ts-core/src/isolation/evidence.js';
import { holdsListeningSocket, readContainerProcfs, readProcessStat } from '../../../ts-core/src/processes/procfs/index.js';
import { decideIsolation } from '../../../ts-core/src/isolation/verdict.js';
import { takeLinuxSnapshot } from '../../../ts-core/src/processes/linuxSnapshot.js';
import type { CommandContext } from '../../../ts-core/src/protocol/dispatcher.js';
import { newRequestScope } from '../../../ts-core/src/protocol/scope.js';
import { writeBusyboxTar } from '../helpers/tarWriter.js';

const canRun = process.platform === 'linux' && process.getuid?.() === 0 && findRunc() !== null;

const context: CommandContext = {
  ...newRequestScope(),
  requestId: 'test',
  progress() {},
  verbose() {},
  warning() {},
};

let state: string;
const saved = process.env.WINDOWSCONTAINERS_STATE_DIR;
const backend = createLinuxBackend();
const children: ChildProcess[] = [];
/** Process groups the tests started (killed whole, so nothing they forked outlives them). */
const groups: number[] = [];

function spec(name: string, command: string[]): ContainerSpec {
  return { name, image: 'busybox', isolation: 'Process', command, env: {}, workingDir: '', hostname: '', memoryMB: undefined, cpuCount: undefined };
}

async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The verdict the evidence path gives for one container of `source`. */
async function verdictOf(source: EvidenceSource, name: string, expected: 'Process' | 'HyperV' = 'Process') {
  const { snapshot, items } = await gatherEvidence([{ name, source }], { scope: newRequestScope(), snapshot: 'all' });
  const item = items[0]!;
  if (item.error) throw item.error;
  return judgeEvidence(item.evidence, snapshot, expected);
}

/** The backend as a source whose process list (and worker) the test rewrites: what a lying or racing backend hands the verdict. */
function rewritten(rewrite: (view: ProcessView) => Promise<ProcessView> | ProcessView, worker?: () => WorkerClaim | null): EvidenceSource {
  return {
    name: backend.name,
    inspectMany: (names, scope) => backend.inspectMany(names, scope),
    processes: async (name, scope) => (await backend.processView!(name, scope)).processes,
    processView: async (name, scope) => rewrite(await backend.processView!(name, scope)),
    worker: async (name, snapshot, scope) => (worker ? worker() : backend.worker(name, snapshot, scope)),
  };
}

/** Runs a command in the container's mount namespace with the container's own busybox (as the container could, given CAP_SYS_ADMIN). */
function inContainerMounts(hostPid: number, args: string[]): void {
  execFileSync('nsenter', ['-t', String(hostPid), '-m', '--', '/bin/busybox', ...args], { stdio: 'pipe' });
}

describe.skipIf(!canRun)('the evidence path against real processes', () => {
  beforeAll(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-adversarial-'));
    process.env.WINDOWSCONTAINERS_STATE_DIR = state;
    await importImage({ name: 'busybox', path: writeBusyboxTar(state) });
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const name of fs.existsSync(path.join(state, 'containers')) ? fs.readdirSync(path.join(state, 'containers')) : []) {
      await backend.remove(name, true, context).catch(() => {});
    }
    fs.rmSync(state, { recursive: true, force: true });
    if (saved === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
    else process.env.WINDOWSCONTAINERS_STATE_DIR = saved;
  });

  it("reads a runc container's processes from its own procfs, and the host confirms them: Process by host-match", async () => {
    const info = await backend.create(spec('adv-own', ['sh', '-c', 'sleep 600 & sleep 601 & wait']), context);
    const read = await until(() => {
      const r = readContainerProcfs({ pid: info.hostPid! });
      // (A child caught between fork and exec still has its parent's name: wait for both execs.)
      return r.kind === 'read' && r.processes.filter((p) => p.comm === 'sleep').length === 2 ? r : undefined;
    }, 'the two sleeps');
    // The container's PIDs and names, from its PID namespace: sh is its PID 1.
    expect(read.processes.map((p) => [p.pid, p.comm])).toEqual([[1, 'sh'], [expect.any(Number), 'sleep'], [expect.any(Number), 'sleep']]);
    // Same kernel, same clock: the container's start time of its PID 1 is the host's of the init.
    expect(read.processes[0]!.startTimeMs).toBe(readProcessStat(info.hostPid!)!.startTimeMs);

    const { verdict, processes } = await verdictOf(backend, 'adv-own');
    expect(verdict.observed).toBe('Process');
    expect(verdict.decidedBy).toBe('host-match');
    expect(verdict.containerView).toEqual({ source: 'container-procfs', independent: true, note: null });
    expect(processes.map((p) => p.hostPid)).not.toContain(null);
    expect(processes.find((p) => p.containerPid === 1)!.hostPid).toBe(info.hostPid);
  });

  it('bounds what it reads: more processes than allowed is a refusal, not a longer read', async () => {
    const info = await backend.inspect('adv-own');
    const reading = readContainerProcfs({ pid: info.hostPid! }, { maxProcesses: 1, maxStatBytes: 4096, maxCmdlineBytes: 4096, maxProcStatBytes: 1 << 20 });
    expect(reading).toMatchObject({ kind: 'untrusted', reason: expect.stringMatching(/more than the 1 that are compared/) });
    // A recorded init that is not the running one (its start time differs) is gone, not read.
    expect(readContainerProcfs({ pid: info.hostPid!, startTimeMs: 1 }).kind).toBe('gone');
  });

  it('a process that exits between the container\'s view and the host snapshot: Inconclusive by pid-missing', async () => {
    let killed = 0;
    const source = rewritten(async (view) => {
      const victim = view.processes.find((p) => p.name === 'sleep' && p.commandLine === 'sleep 600')!;
      killed = victim.claimedHostPid!;
      process.kill(killed, 'SIGKILL');
      // The container's sh reaps it: the host snapshot then has no such PID.
      await until(() => !fs.existsSync(`/proc/${killed}`), 'the sleep to be reaped');
      return view;
    });
    const { verdict } = await verdictOf(source, 'adv-own');
    expect(killed).toBeGreaterThan(0);
    expect(verdict.observed).toBe('Inconclusive');
    expect(verdict.decidedBy).toBe('pid-missing');
    expect(verdict.hostMatches.find((m) => m.hostPid === killed)?.outcome).toBe('ClaimedPidMissing');
  });

  it('a container process replaced by a same-named host process after PID reuse: Inconclusive by start-time', async () => {
    // The recorded claim: the container's `sleep 601` as its view showed it.
    const before = await backend.processView!('adv-own');
    const recorded = before.processes.find((p) => p.commandLine === 'sleep 601')!;
    expect(recorded.claimedHostPid).not.toBeNull();
    process.kill(recorded.claimedHostPid!, 'SIGKILL');
    await until(() => !fs.existsSync(`/proc/${recorded.claimedHostPid}`), 'the sleep to be reaped');
    // The PID "now belongs" to a fresh host process of the same name, started later.
    await new Promise((r) => setTimeout(r, 50));
    const fresh = spawn('sleep', ['602'], { stdio: 'ignore' });
    children.push(fresh);
    await until(() => readProcessStat(fresh.pid!)?.comm === 'sleep', 'the fresh sleep');
    const source = rewritten(() => ({ ...before, processes: [{ ...recorded, claimedHostPid: fresh.pid! }] }));
    const { verdict } = await verdictOf(source, 'adv-own');
    expect(verdict.observed).toBe('Inconclusive');
    expect(verdict.decidedBy).toBe('start-time');
    expect(verdict.hostMatches[0]).toMatchObject({ hostPid: fresh.pid, outcome: 'StartTimeMismatch', matched: false });
    fresh.kill('SIGKILL');
  });

  it('a process container beside a decoy QEMU that names it, its claims dropped and the decoy named as worker: Inconclusive by namespace-lookalike, never HyperV', async () => {
    const info = await backend.create(spec('adv-decoy', ['sleep', '600']), context);
    // Judged once the container's PID 1 has exec'd sleep (before that it has runc's name).
    await until(() => {
      const r = readContainerProcfs({ pid: info.hostPid! });
      return r.kind === 'read' && r.processes[0]?.comm === 'sleep';
    }, 'sleep to run in the container');
    // A decoy: a copy of bash renamed like a worker, its command line carrying the container's name and a VM id.
    const decoyFile = path.join(state, 'qemu-wc-adv-decoy');
    fs.copyFileSync(execFileSync('sh', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim(), decoyFile);
    fs.chmodSync(decoyFile, 0o755);
    // Its own process group, so that killing it also ends the sleep it runs.
    const decoy = spawn(decoyFile, ['-c', 'sleep 600; :', '-name', 'guest=adv-decoy,process=qemu-wc-adv-decoy', '-uuid', '0f2c7a4e-3d5b-4c1a-9e8f-123456789abc'], { stdio: 'ignore', detached: true });
    groups.push(decoy.pid!);
    const decoyHost = await until(() => takeLinuxSnapshot({ pids: [decoy.pid!] }).processes.find((p) => p.commandLine.includes('guest=adv-decoy')), 'the decoy');
    const decoyClaim: WorkerClaim = {
      pid: decoyHost.pid, name: decoyHost.name, startTimeMs: decoyHost.startTimeMs,
      tieToken: 'guest=adv-decoy,', tieField: 'commandLine', how: 'a backend fooled by the decoy',
    };
    // The honest path: the decoy is never consulted, the container's processes are the host's.
    const honest = await verdictOf(backend, 'adv-decoy', 'HyperV');
    expect(honest.verdict.observed).toBe('Process');
    expect(honest.verdict.decidedBy).toBe('host-match');
    expect(honest.verdict.worker).toBeNull();
    // A backend that forgets where the processes are and names the (alive, tied) decoy as worker.
    const fooled = rewritten((view) => ({ ...view, processes: view.processes.map((p) => ({ ...p, claimedHostPid: null })) }), () => decoyClaim);
    const { verdict } = await verdictOf(fooled, 'adv-decoy', 'HyperV');
    expect(verdict.worker).toMatchObject({ alive: true, tied: true });
    expect(verdict.observed).toBe('Inconclusive');
    expect(verdict.decidedBy).toBe('namespace-lookalike');
    // The look-alike found is a sleep that is PID 1 of a container namespace: this container's, or (on a
    // busy host, other tests' containers started within the same second) one the verdict cannot tell from it.
    expect(verdict.hostMatches[0]).toMatchObject({ outcome: 'UnclaimedInContainerNamespace', hostProcess: { name: 'sleep' } });
    expect(verdict.hostMatches[0]!.hostProcess!.nsPids.at(-1)).toBe(1);
    expect(info.hostPid).toBeGreaterThan(1);
    process.kill(-decoy.pid!, 'SIGKILL');
  });

  it("a container that swaps its /proc for a forged tmpfs: Inconclusive by evidence-gap, even with the real processes on the host", async () => {
    const info = await backend.create(spec('adv-fake', ['sleep', '600']), context);
    // The forgery: a tmpfs at /proc holding a "1/stat" that hides the real process.
    inContainerMounts(info.hostPid!, ['mount', '-t', 'tmpfs', 'none', '/proc']);
    inContainerMounts(info.hostPid!, ['mkdir', '-p', '/proc/1']);
    inContainerMounts(info.hostPid!, ['sh', '-c', 'echo "1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 5 0 0" > /proc/1/stat']);
    const reading = readContainerProcfs({ pid: info.hostPid! });
    expect(reading).toMatchObject({ kind: 'untrusted', reason: expect.stringMatching(/not a procfs/) });
    const { verdict, processes } = await verdictOf(backend, 'adv-fake');
    expect(verdict.observed).toBe('Inconclusive');
    expect(verdict.decidedBy).toBe('evidence-gap');
    expect(verdict.gaps.join(' ')).toMatch(/cannot be used: .*not a procfs/);
    expect(verdict.containerView).toMatchObject({ source: 'host-cgroup', independent: false });
    // What the processes list still shows comes from the host's side, with the host PID the host confirmed.
    expect(processes.map((p) => [p.containerPid, p.name])).toEqual([[1, 'sleep']]);
  });

  it('a container without /proc: the host-side list, stated as not independent, and Process by host-match', async () => {
    const info = await backend.create(spec('adv-noproc', ['sleep', '600']), context);
    inContainerMounts(info.hostPid!, ['umount', '-l', '/proc']);
    expect(readContainerProcfs({ pid: info.hostPid! }).kind).toBe('absent');
    const { verdict } = await verdictOf(backend, 'adv-noproc');
    expect(verdict.observed).toBe('Process');
    expect(verdict.decidedBy).toBe('host-match');
    expect(verdict.containerView).toMatchObject({ source: 'host-cgroup', independent: false, note: expect.stringMatching(/not independent/) });
    expect(verdict.reasons.join('\n')).toMatch(/not independent of the host snapshot/);
  });

  it("refuses the host's own procfs seen from a process in another PID namespace, and a /proc that is a symlink out of the root", async () => {
    // unshare without --mount-proc: the new PID namespace still sees the host's /proc.
    const unshare = spawn('unshare', ['--pid', '--fork', '--kill-child', 'sleep', '600'], { stdio: 'ignore' });
    children.push(unshare);
    const inner = await until(() => takeLinuxSnapshot().processes.find((p) => p.parentPid === unshare.pid && p.name === 'sleep'), 'the namespaced sleep');
    expect(readContainerProcfs({ pid: inner.pid })).toMatchObject({ kind: 'untrusted', reason: expect.stringMatching(/another PID namespace/) });
    // With its own procfs mounted, the same set-up is read.
    const own = spawn('unshare', ['--pid', '--fork', '--kill-child', '--mount-proc', 'sleep', '600'], { stdio: 'ignore' });
    children.push(own);
    const ownInner = await until(() => takeLinuxSnapshot().processes.find((p) => p.parentPid === own.pid && p.name === 'sleep'), 'the namespaced sleep with its procfs');
    expect(await until(() => {
      const r = readContainerProcfs({ pid: ownInner.pid });
      return r.kind === 'read' ? r : undefined;
    }, 'its view')).toMatchObject({ processes: [{ pid: 1, comm: 'sleep', startTimeMs: ownInner.startTimeMs }] });

    // A root whose proc is an absolute symlink to the host's /proc: never followed.
    const root = fs.mkdtempSync(path.join(state, 'root-'));
    fs.mkdirSync(path.join(root, 'bin'));
    fs.copyFileSync(fs.existsSync('/bin/busybox') ? '/bin/busybox' : '/usr/bin/busybox', path.join(root, 'bin', 'busybox'));
    fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
    fs.symlinkSync('/proc', path.join(root, 'proc'));
    const chrooted = spawn('unshare', ['--pid', '--fork', '--kill-child', `--root=${root}`, '/bin/busybox', 'sleep', '600'], { stdio: 'ignore' });
    children.push(chrooted);
    const jailed = await until(() => takeLinuxSnapshot().processes.find((p) => p.parentPid === chrooted.pid), 'the chrooted sleep');
    expect(readContainerProcfs({ pid: jailed.pid })).toMatchObject({ kind: 'untrusted', reason: expect.stringMatching(/symbolic link/) });
    for (const child of [unshare, own, chrooted]) child.kill('SIGKILL');
  });
});

describe.skipIf(process.platform !== 'linux')('the worker must hold the socket the guest answers through', () => {
  const started: ChildProcess[] = [];
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-worker-'));
  });
  afterAll(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells the process listening on the agent socket from a decoy with the same name, -name and -uuid: worker vs worker-identity', async () => {
    const socketPath = path.join(dir, 'agent.sock');
    const uuid = '5b0c2f1e-8d7a-4e3b-9c6d-0a1b2c3d4e5f';
    const args = ['-name', 'guest=vmc1,process=qemu-wc-vmc1', '-uuid', uuid];
    // The "VM": listens on the agent socket. The decoy: the same program and arguments, no socket.
    // Bound at a relative name in its working directory, as QEMU binds "agent.sock"; the decoy even shares that directory.
    const real = spawn(process.execPath, ['-e', "require('net').createServer().listen('agent.sock'); setTimeout(() => {}, 60000)", '--', ...args], { stdio: 'ignore', cwd: dir });
    const decoy = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', '--', ...args], { stdio: 'ignore', cwd: dir });
    started.push(real, decoy);
    await until(() => fs.existsSync(socketPath), 'the agent socket');
    const [realHost, decoyHost] = await until(() => {
      const seen = takeLinuxSnapshot({ pids: [real.pid!, decoy.pid!] }).processes;
      return seen.length === 2 ? [seen.find((p) => p.pid === real.pid)!, seen.find((p) => p.pid === decoy.pid)!] : undefined;
    }, 'both processes');
    expect(holdsListeningSocket(real.pid!, socketPath)).toBe(true);
    expect(holdsListeningSocket(decoy.pid!, socketPath)).toBe(false);
    expect(holdsListeningSocket(real.pid!, path.join(dir, 'nothing.sock'))).toBe(false);

    // The guest's answer: a process nowhere on the host (a name no container of a test running beside
    // this one can have: a host process of the same name in a container PID namespace would rightly
    // make the verdict Inconclusive, namespace-lookalike).
    const guestName = `wcguest${process.pid}`;
    const guest = { containerPid: 1, name: guestName, commandLine: guestName, claimedHostPid: null, startTimeMs: null, workingSetBytes: null, privateBytes: null, pagedBytes: null, nonPagedBytes: null, cpuSeconds: null, sessionId: null };
    const claimFor = (host: typeof realHost): WorkerClaim => ({
      pid: host.pid, name: host.name, startTimeMs: host.startTimeMs, tieToken: uuid, tieField: 'commandLine', how: 'recorded',
      channel: { socketPath, heldByClaimedPid: holdsListeningSocket(host.pid, socketPath) },
    });
    const judgeWith = (worker: WorkerClaim) => decideIsolation({
      container: { name: 'vmc1', id: 'vmc1', backend: 'linux', configuredIsolation: 'HyperV' },
      containerProcesses: [guest], snapshot: takeLinuxSnapshot(), worker, gaps: [],
    });
    const honest = judgeWith(claimFor(realHost));
    expect(honest.observed).toBe('HyperV');
    expect(honest.decidedBy).toBe('worker');
    // The record forged whole (the decoy's PID AND start time): name, start time and VM id all agree, the socket does not.
    const forged = judgeWith(claimFor(decoyHost));
    expect(forged.observed).toBe('Inconclusive');
    expect(forged.decidedBy).toBe('worker-identity');
    expect(forged.worker?.reason).toMatch(/does not hold the listening end/);
  });
});
