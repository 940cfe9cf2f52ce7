/**
 * Docker's multiplexed stdout/stderr stream (GET /containers/{id}/logs and
 * exec start without a TTY): frames of an 8-byte header — stream (0 stdin,
 * 1 stdout, 2 stderr), three zero bytes, a big-endian uint32 length — and
 * the payload (moby pkg/stdcopy). The daemon's answer is untrusted: a header
 * that breaks these rules ends the parse with `malformed`, a frame cut short
 * is dropped with `incomplete` (its first part kept with keepPartial), and no frame may claim more bytes than the
 * buffer holds.
 */
export interface StreamFrame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

export interface ParsedStream {
  frames: StreamFrame[];
  malformed: boolean;
  incomplete: boolean;
}

const HEADER = 8;

export function parseMultiplexedStream(buffer: Buffer, options: { keepPartial?: boolean } = {}): ParsedStream {
  const frames: StreamFrame[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (buffer.length - offset < HEADER) return { frames, malformed: false, incomplete: true };
    const kind = buffer[offset]!;
    if ((kind !== 0 && kind !== 1 && kind !== 2) || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      return { frames, malformed: true, incomplete: false };
    }
    const size = buffer.readUInt32BE(offset + 4);
    const start = offset + HEADER;
    if (size > buffer.length - start) {
      // An answer cut at a byte bound ends inside a frame: its first part is kept when asked for.
      if (options.keepPartial && kind !== 0 && buffer.length > start) frames.push({ stream: kind === 2 ? 'stderr' : 'stdout', payload: buffer.subarray(start) });
      return { frames, malformed: false, incomplete: true };
    }
    if (kind !== 0) frames.push({ stream: kind === 2 ? 'stderr' : 'stdout', payload: buffer.subarray(start, start + size) });
    offset = start + size;
  }
  return { frames, malformed: false, incomplete: false };
}

/** Splits frames into lines per stream; with timestamps, Docker put an RFC 3339 time and a space before each line. */
export function framesToLines(frames: readonly StreamFrame[], timestamps: boolean): { stream: 'stdout' | 'stderr'; text: string; timestamp: string | null }[] {
  const lines: { stream: 'stdout' | 'stderr'; text: string; timestamp: string | null }[] = [];
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const emit = (stream: 'stdout' | 'stderr', raw: string) => {
    const match = timestamps ? /^(\d{4}-\d{2}-\d{2}T[0-9:.]+Z) (.*)$/s.exec(raw) : null;
    lines.push({ stream, text: match ? match[2]! : raw, timestamp: match ? match[1]! : null });
  };
  for (const frame of frames) {
    const parts = (pending[frame.stream] + frame.payload.toString('utf8')).split('\n');
    pending[frame.stream] = parts.pop() ?? '';
    for (const part of parts) emit(frame.stream, part.replace(/\r$/, ''));
  }
  for (const stream of ['stdout', 'stderr'] as const) if (pending[stream] !== '') emit(stream, pending[stream]);
  return lines;
}
