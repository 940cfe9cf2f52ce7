/**
 * Issue case 3, the protocol: a request line is bounded while it arrives, so
 * an oversized line costs the core no more than the limit, is answered with
 * RequestTooLarge (id null), and the next request is served normally.
 */
import { existsSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { boundedLines } from '../../ts-core/src/protocol/server.js';
import { CoreServer } from './helpers/core.js';

async function collect(input: Readable, max: number): Promise<(string | null)[]> {
  const lines: (string | null)[] = [];
  for await (const line of boundedLines(input, max)) lines.push(line);
  return lines;
}

describe('request lines', () => {
  it('should split lines across chunks, drop CRs, and put null in place of a line over the limit', async () => {
    const input = new PassThrough();
    const done = collect(input, 10);
    input.write('{"a":');
    input.write('1}\r\nshort\n');
    input.write('x'.repeat(7));
    input.write('y'.repeat(7)); // 14 bytes: over the limit before its end arrives
    input.write('zz\nafter\n');
    input.end('tail');
    expect(await done).toEqual(['{"a":1}', 'short', null, 'after', 'tail']);
  });

  it('should answer a 256 MiB request line with RequestTooLarge while the core stays under a stated peak memory', async () => {
    await execa('node', ['build/bundle.mjs']);
    const core = await CoreServer.start({ ...process.env });
    try {
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      const answer = await core.rawChunks(chunk, 256);
      expect(answer).toMatchObject({ id: null, success: false, error: { code: 'RequestTooLarge' } });
      expect((await core.request('core.ping', {}, 30_000)).success).toBe(true);
      // readline held the whole line (and its string copy); the bounded reader holds at most 1 MiB of it.
      expect(core.peakMemoryBytes()).toBeLessThan(200 * 1024 * 1024);
    } finally {
      await core.stop();
    }
  }, 180_000);

  it('should refuse a CPU limit the runtime would round to no limit at all, before creating anything', async () => {
    const core = await CoreServer.start({ ...process.env, WINDOWSCONTAINERS_STATE_DIR: '/nonexistent/wc-sec-never-created' });
    try {
      for (const cpuCount of [1e-9, 0.001, 0]) {
        const answer = await core.request('container.create', { name: 'cpu-tiny', image: 'busybox', isolation: 'Process', command: ['true'], cpuCount }, 30_000);
        expect(answer.error).toMatchObject({ code: 'InvalidArgument' });
        expect(answer.error!.message).toMatch(/cpuCount/);
      }
      expect(existsSync('/nonexistent/wc-sec-never-created')).toBe(false);
    } finally {
      await core.stop();
    }
  });
});
