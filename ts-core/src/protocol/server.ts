import type { Readable, Writable } from 'node:stream';
import type { Dispatcher } from './dispatcher.js';
import { MAX_REQUEST_BYTES, PROTOCOL_VERSION, type CoreEvent, type Response } from './envelope.js';
import { CoreError } from './errors.js';
import { errorBody } from './envelope.js';
import { CORE_VERSION } from '../version.js';

/**
 * Newline-delimited JSON over stdio. Requests are served one at a time in
 * arrival order; the server announces itself with a `ready` event and ends
 * when its input closes (the module's runspace went away).
 *
 * Lines are split here rather than by readline so that a line is bounded
 * while it arrives: past MAX_REQUEST_BYTES the rest of the line is dropped
 * unread into memory, and the answer is RequestTooLarge (id null, since the
 * request's id is in the part that was dropped or cannot be trusted).
 */
export async function serve(dispatcher: Dispatcher, input: Readable, output: Writable): Promise<void> {
  const write = (message: Response | CoreEvent) => {
    output.write(`${JSON.stringify(message)}\n`);
  };
  write({ type: 'event', event: 'ready', body: { protocolVersion: PROTOCOL_VERSION, pid: process.pid, version: CORE_VERSION } });

  for await (const line of boundedLines(input, MAX_REQUEST_BYTES)) {
    if (line === null) {
      write({ type: 'response', id: null, success: false, error: errorBody(new CoreError('RequestTooLarge', `The request is larger than ${MAX_REQUEST_BYTES} bytes. Send smaller arguments.`)) });
      continue;
    }
    if (line.trim() === '') continue;
    write(await dispatcher.handleLine(line, write));
  }
}

/**
 * The input's lines (UTF-8, LF or CRLF), each at most `maxBytes`; null in
 * place of a longer line, whose bytes are discarded as they arrive.
 */
export async function* boundedLines(input: Readable, maxBytes: number): AsyncGenerator<string | null> {
  let parts: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  const finish = (): string | null => {
    const line = overflowed ? null : Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '');
    parts = [];
    size = 0;
    overflowed = false;
    return line;
  };
  for await (const chunk of input) {
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    for (let newline = buffer.indexOf(0x0a); newline !== -1; newline = buffer.indexOf(0x0a)) {
      const piece = buffer.subarray(0, newline);
      if (!overflowed && size + piece.length <= maxBytes + 1) {
        parts.push(piece);
        size += piece.length;
      } else {
        overflowed = true;
      }
      if (size > maxBytes + 1) overflowed = true; // +1: a CR before the LF is not counted against the limit
      yield finish();
      buffer = buffer.subarray(newline + 1);
    }
    if (buffer.length === 0) continue;
    if (!overflowed && size + buffer.length <= maxBytes + 1) {
      parts.push(Buffer.from(buffer));
      size += buffer.length;
    } else {
      overflowed = true;
      parts = [];
      size = 0;
    }
  }
  if (size > 0 || overflowed) yield finish();
}
