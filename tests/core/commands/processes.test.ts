import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { allCommands } from '../../../ts-core/src/commands/index.js';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';

const dispatcher = new Dispatcher(allCommands);
const run = (args: unknown) => dispatcher.execute(1, 'host.processes', args, () => {});

interface Body {
  takenAt: string;
  processes: Array<{ id: number; processName: string; parentProcessId: number | null; startTime: string; commandLine: string }>;
  unreadable: number[];
}

describe.runIf(process.platform === 'linux')('host.processes', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('is registered', () => {
    expect(dispatcher.commandNames).toContain('host.processes');
  });

  it('lists this core itself among all processes, with Get-Process property names', async () => {
    const response = await run({});
    expect(response.success).toBe(true);
    const body = (response as { body: Body }).body;
    const self = body.processes.find((p) => p.id === process.pid);
    expect(self).toMatchObject({ processName: 'node', parentProcessId: process.ppid });
    // Started before this test ran, after the machine booted.
    const started = Date.parse(self!.startTime);
    expect(started).toBeLessThanOrEqual(Date.now());
    expect(started).toBeGreaterThan(Date.now() - 1000 * Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) - 2000);
    expect(Number.isNaN(Date.parse(body.takenAt))).toBe(false);
  });

  it('filters by PID and by exact name, case-insensitively', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    const deadline = Date.now() + 10_000;
    let byPid: Body | undefined;
    while (Date.now() < deadline) {
      byPid = ((await run({ pids: [child.pid] })) as { body: Body }).body;
      if (byPid.processes[0]?.processName === 'sleep') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(byPid!.processes.map((p) => [p.id, p.processName, p.commandLine])).toEqual([[child.pid, 'sleep', 'sleep 30']]);
    const byName = ((await run({ names: ['SLEEP'] })) as { body: Body }).body;
    expect(byName.processes.map((p) => p.id)).toContain(child.pid);
    expect(byName.processes.every((p) => p.processName.toLowerCase() === 'sleep')).toBe(true);
  });

  it.each([
    ['a negative PID', { pids: [-5] }, /pids/],
    ['a fractional PID', { pids: [1.5] }, /pids/],
    ['an empty name', { names: [''] }, /names/],
    ['an unknown argument', { all: true }, /all/],
  ])('rejects %s as InvalidArgument, naming the argument', async (_what, args, named) => {
    const response = await run(args);
    expect(response.success).toBe(false);
    const error = (response as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toMatch(named);
  });
});
