import { describe, expect, it } from 'vitest';
import { boundedSpawn } from '../../../ts-core/src/util/boundedSpawn.js';
import { isRunning } from '../../../ts-core/src/processes/procfs/index.js';

describe('boundedSpawn', () => {
  it('answers with the exit code and output of a program that leaves a background process holding its output', async () => {
    // Before: it waited for the pipes to close, i.e. for the deadline, and reported a timeout.
    const result = await boundedSpawn('/bin/sh', ['-c', 'sleep 30 & echo "started $!"; exit 3'], { maxBytes: 4096, timeoutMs: 20_000 });
    const background = Number(/started (\d+)/.exec(result.stdout)?.[1]);
    try {
      expect(result).toMatchObject({ exitCode: 3, timedOut: false, truncated: false });
      expect(result.stdout).toMatch(/^started \d+\n$/);
      expect(isRunning({ pid: background })).toBe(true); // not killed: it was never the program's to wait for
    } finally {
      if (background > 0) process.kill(background, 'SIGKILL');
    }
  });

  it('keeps all the output of a program that exits after writing a lot', async () => {
    const result = await boundedSpawn('/bin/sh', ['-c', 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done'], { maxBytes: 1024 * 1024, timeoutMs: 20_000 });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(2000);
  });

  it('kills a program that runs past its deadline and says so', async () => {
    const result = await boundedSpawn('/bin/sh', ['-c', 'exec sleep 30'], { maxBytes: 4096, timeoutMs: 100 });
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });
});
