import { describe, expect, it } from 'vitest';
import { framesToLines, parseMultiplexedStream } from '../../../../ts-core/src/backends/docker/stream.js';

function frame(kind: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('parseMultiplexedStream', () => {
  it('splits stdout and stderr frames and joins a line split across frames', () => {
    const parsed = parseMultiplexedStream(Buffer.concat([frame(1, '2026-01-02T03:04:05.1Z hel'), frame(2, '2026-01-02T03:04:05.2Z oops\n'), frame(1, 'lo\n')]));
    expect(parsed).toMatchObject({ malformed: false, incomplete: false });
    expect(framesToLines(parsed.frames, true)).toEqual([
      { stream: 'stderr', text: 'oops', timestamp: '2026-01-02T03:04:05.2Z' },
      { stream: 'stdout', text: 'hello', timestamp: '2026-01-02T03:04:05.1Z' },
    ]);
  });

  it('stops at a header that breaks the format, and never reads past the buffer', () => {
    const bad = Buffer.concat([frame(1, 'ok\n'), Buffer.from([7, 0, 0, 0, 0, 0, 0, 1, 65])]);
    const parsed = parseMultiplexedStream(bad);
    expect(parsed.malformed).toBe(true);
    expect(parsed.frames).toHaveLength(1);
    const huge = Buffer.from([1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 65]);
    expect(parseMultiplexedStream(huge)).toEqual({ frames: [], malformed: false, incomplete: true });
    expect(parseMultiplexedStream(Buffer.from([1, 0, 0]))).toMatchObject({ incomplete: true });
  });
});

describe('parseMultiplexedStream on an answer cut at a byte bound', () => {
  it('keeps the first part of the cut frame only when asked to', () => {
    const cut = frame(1, 'x'.repeat(100)).subarray(0, 50);
    expect(parseMultiplexedStream(cut).frames).toEqual([]);
    const kept = parseMultiplexedStream(cut, { keepPartial: true });
    expect(kept.incomplete).toBe(true);
    expect(kept.frames.map((f) => f.payload.toString())).toEqual(['x'.repeat(42)]);
  });
});
