/**
 * Issue case 3, the protocol: a request line is bounded while it arrives, so
 * an oversized line costs the core no more than the limit, is answered with
 * RequestTooLarge (id null), and the next request is served normally.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { boundedLines } from '../../ts-core/src/protocol/server.js';

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

  it('should not hold an oversized line in memory while it arrives', async () => {
    // 64 MiB of one line in 1 MiB chunks; the reader may keep at most the limit of it.
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let sent = 0;
    // Each chunk is a new buffer, as from a pipe; the peak is sampled every time the reader asks for more.
    const input = new Readable({
      read() {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
        if (sent < 64) { sent++; this.push(Buffer.alloc(1024 * 1024, 0x61)); } else { this.push('\nok\n'); this.push(null); }
      },
    });
    const lines: (string | null)[] = [];
    for await (const line of boundedLines(input, 1024 * 1024)) {
      lines.push(line);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
    }
    expect(lines).toEqual([null, 'ok']);
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });
});
