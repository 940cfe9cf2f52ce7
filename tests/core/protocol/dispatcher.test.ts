import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Dispatcher, defineCommand } from '../../../ts-core/src/protocol/dispatcher.js';
import { CoreError } from '../../../ts-core/src/protocol/errors.js';
import { MAX_REQUEST_BYTES, type CoreEvent } from '../../../ts-core/src/protocol/envelope.js';

const echo = defineCommand({
  name: 'test.echo',
  summary: 'echo',
  args: z.strictObject({ text: z.string(), times: z.number().int().positive().default(1) }),
  response: z.object({ text: z.string() }),
  async run(args, context) {
    context.verbose(`echoing ${args.text}`);
    return { text: args.text.repeat(args.times) };
  },
});
const fails = defineCommand({
  name: 'test.fails',
  summary: 'fails',
  args: z.strictObject({ code: z.enum(['ContainerNotFound', 'plain']) }),
  response: z.never(),
  async run(args) {
    if (args.code === 'plain') throw new TypeError('boom');
    throw new CoreError('ContainerNotFound', "No container named 'web'.", { details: { name: 'web' } });
  },
});

/** Reports two steps of progress, then (when told to) waits until the dispatcher has sent one before it answers. */
let progressSent: (() => void) | null = null;
const steps = defineCommand({
  name: 'test.steps',
  summary: 'steps',
  args: z.strictObject({ waitForProgress: z.boolean() }),
  response: z.object({ done: z.boolean() }),
  async run(args, context) {
    context.progress('Working', 'step 1', 10);
    context.progress('Working', 'step 2', 50);
    if (args.waitForProgress) {
      await new Promise<void>((resolve) => { progressSent = resolve; });
      context.progress('Working', 'step 3', 90);
    }
    return { done: true };
  },
});

const dispatcher = new Dispatcher([echo, fails]);
const noEvents = () => {};

describe('Dispatcher', () => {
  it('answers a valid request with its body and the same id', async () => {
    const response = await dispatcher.handleLine(JSON.stringify({ id: 7, command: 'test.echo', arguments: { text: 'ab', times: 2 } }), noEvents);
    expect(response).toEqual({ type: 'response', id: 7, success: true, body: { text: 'abab' } });
  });

  it('drops the progress of a request that answers within the delay, and keeps its verbose messages', async () => {
    const events: CoreEvent[] = [];
    const response = await new Dispatcher([steps, echo], { progressDelayMs: 60_000 }).execute(1, 'test.steps', { waitForProgress: false }, (e) => events.push(e));
    expect(response.success).toBe(true);
    expect(events).toEqual([]);
    await new Dispatcher([steps, echo], { progressDelayMs: 60_000 }).execute(2, 'test.echo', { text: 'a' }, (e) => events.push(e));
    expect(events.map((e) => e.event)).toEqual(['verbose']);
  });

  it('sends the latest held progress once the delay has passed, and later progress at once, all before the answer', async () => {
    const events: CoreEvent[] = [];
    const response = await new Dispatcher([steps], { progressDelayMs: 20 }).execute(3, 'test.steps', { waitForProgress: true }, (e) => {
      events.push(e);
      progressSent?.();
    });
    expect(response.success).toBe(true);
    expect(events.map((e) => (e.event === 'progress' ? e.body.status : e.event))).toEqual(['step 2', 'step 3']);
  });

  it('sends progress at once where no delay is asked for', async () => {
    const events: CoreEvent[] = [];
    await new Dispatcher([steps], { progressDelayMs: 0 }).execute(4, 'test.steps', { waitForProgress: false }, (e) => events.push(e));
    expect(events.map((e) => (e.event === 'progress' ? e.body.status : e.event))).toEqual(['step 1', 'step 2']);
  });

  it('sends events for the request before answering', async () => {
    const events: CoreEvent[] = [];
    await dispatcher.handleLine(JSON.stringify({ id: 'x1', command: 'test.echo', arguments: { text: 'a' } }), (e) => events.push(e));
    expect(events).toEqual([{ type: 'event', event: 'verbose', requestId: 'x1', body: { message: 'echoing a' } }]);
  });

  it.each([
    ['malformed JSON', '{"id":1,', 'InvalidRequest', null],
    ['a JSON array', '[1,2]', 'InvalidRequest', null],
    ['a missing command', '{"id":3}', 'InvalidRequest', 3],
    ['an unexpected envelope field', '{"id":4,"command":"test.echo","extra":1}', 'InvalidRequest', 4],
    ['a negative id', '{"id":-1,"command":"test.echo"}', 'InvalidRequest', null],
    ['an unknown command', '{"id":5,"command":"test.nope"}', 'UnknownCommand', 5],
    ['a missing argument', '{"id":6,"command":"test.echo","arguments":{}}', 'InvalidArgument', 6],
    ['a mistyped argument', '{"id":7,"command":"test.echo","arguments":{"text":1}}', 'InvalidArgument', 7],
    ['an unknown argument', '{"id":8,"command":"test.echo","arguments":{"text":"a","x":1}}', 'InvalidArgument', 8],
    ['another protocol version', '{"id":9,"command":"test.echo","arguments":{"text":"a"},"protocolVersion":99}', 'UnsupportedProtocolVersion', 9],
  ])('refuses %s with %s', async (_what, line, code, id) => {
    const response = await dispatcher.handleLine(line, noEvents);
    expect(response.success).toBe(false);
    expect(response.id).toBe(id);
    if (!response.success) {
      expect(response.error.code).toBe(code);
      expect(response.error.category).toBe('InvalidArgument');
    }
  });

  it('names the bad argument and the rule it broke', async () => {
    const response = await dispatcher.handleLine('{"id":1,"command":"test.echo","arguments":{"text":"a","times":0}}', noEvents);
    expect(response.success).toBe(false);
    if (!response.success) {
      expect(response.error.message).toContain('times');
      expect(response.error.details).toEqual({ issues: [{ path: ['times'], message: expect.stringContaining('>0') }] });
    }
  });

  it('refuses an oversized request without parsing it', async () => {
    const line = JSON.stringify({ id: 1, command: 'test.echo', arguments: { text: 'x'.repeat(MAX_REQUEST_BYTES) } });
    const response = await dispatcher.handleLine(line, noEvents);
    expect(response).toMatchObject({ success: false, id: null, error: { code: 'RequestTooLarge' } });
  });

  it('passes a CoreError through with its code and details', async () => {
    const response = await dispatcher.handleLine('{"id":1,"command":"test.fails","arguments":{"code":"ContainerNotFound"}}', noEvents);
    expect(response).toEqual({
      type: 'response', id: 1, success: false,
      error: { code: 'ContainerNotFound', message: "No container named 'web'.", category: 'ObjectNotFound', details: { name: 'web' } },
    });
  });

  it('turns any other exception into Internal', async () => {
    const response = await dispatcher.handleLine('{"id":1,"command":"test.fails","arguments":{"code":"plain"}}', noEvents);
    expect(response).toMatchObject({ success: false, error: { code: 'Internal', message: expect.stringContaining('boom') } });
  });

  it('refuses two commands with one name', () => {
    expect(() => new Dispatcher([echo, echo])).toThrow(/registered twice/);
  });
});

describe('a domain rule inside an argument schema', () => {
  it('answers with the rule\'s own code and message, naming the value and where it was', async () => {
    const { containerNameSchema } = await import('../../../ts-core/src/domain/names.js');
    const named = defineCommand({
      name: 'test.named',
      summary: 'named',
      args: z.strictObject({ names: z.array(containerNameSchema) }),
      response: z.object({}),
      async run() {
        return {};
      },
    });
    const response = await new Dispatcher([named]).execute(1, 'test.named', { names: ['ok', '../escape'] }, () => {});
    expect(response).toMatchObject({
      success: false,
      error: { code: 'InvalidContainerName', category: 'InvalidArgument', details: { name: '../escape', path: ['names', '1'] } },
    });
    if (!response.success) expect(response.error.message).toMatch(/^The container name "\.\.\/escape" is not valid: it contains a path separator\./);
  });
});
