import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Dispatcher } from './dispatcher.js';
import { PROTOCOL_VERSION, type CoreEvent, type Response } from './envelope.js';
import { CORE_VERSION } from '../version.js';

/**
 * Newline-delimited JSON over stdio. Requests are served one at a time in
 * arrival order; the server announces itself with a `ready` event and ends
 * when its input closes (the module's runspace went away).
 */
export async function serve(dispatcher: Dispatcher, input: Readable, output: Writable): Promise<void> {
  const write = (message: Response | CoreEvent) => {
    output.write(`${JSON.stringify(message)}\n`);
  };
  write({ type: 'event', event: 'ready', body: { protocolVersion: PROTOCOL_VERSION, pid: process.pid, version: CORE_VERSION } });

  // crlfDelay: a CRLF from a Windows PowerShell writer is one line end.
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    write(await dispatcher.handleLine(line, write));
  }
}
