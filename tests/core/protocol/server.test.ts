import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';
import { serve } from '../../../ts-core/src/protocol/server.js';
import { allCommands } from '../../../ts-core/src/commands/index.js';

async function run(lines: string[]): Promise<unknown[]> {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (c: Buffer) => chunks.push(c));
  const done = serve(new Dispatcher(allCommands), input, output);
  for (const line of lines) input.write(`${line}\n`);
  input.end();
  await done;
  return Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('serve', () => {
  it('announces itself, answers in order, keeps serving after bad input, and ends with its input', async () => {
    const messages = await run([
      '{"id":1,"command":"core.ping","arguments":{"echo":"héllo ✓"}}',
      'not json',
      '',
      '{"id":2,"command":"core.nope"}',
      '{"id":3,"command":"core.ping"}\r',
    ]);
    expect(messages[0]).toMatchObject({ type: 'event', event: 'ready', body: { protocolVersion: 1 } });
    expect(messages.slice(1)).toMatchObject([
      { id: 1, success: true, body: { echo: 'héllo ✓' } },
      { id: null, success: false, error: { code: 'InvalidRequest' } },
      { id: 2, success: false, error: { code: 'UnknownCommand' } },
      { id: 3, success: true },
    ]);
  });

  it('writes events on the same stream before the response', async () => {
    const messages = await run(['{"id":9,"command":"core.sleep","arguments":{"milliseconds":1}}']);
    expect(messages.slice(1)).toEqual([
      { type: 'event', event: 'verbose', requestId: 9, body: { message: 'Sleeping 1 ms.' } },
      { type: 'response', id: 9, success: true, body: { slept: 1 } },
    ]);
  });
});
