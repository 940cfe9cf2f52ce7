/**
 * The DSC v3 command resource WindowsContainers/IsolatedContainer, as the
 * one-shot CLI serves it (`node <bundle> dsc <operation>`): the instance
 * document on stdin, the state on stdout as one line of compressed JSON, and
 * messages on stderr as JSON lines ({"error"|"warn"|"info"|"debug": message}),
 * the trace form DSC reads from a resource's stderr. Exit codes are the
 * core's error classes (errorClasses), listed in the manifest.
 * See https://learn.microsoft.com/powershell/dsc/reference/schemas/resource/manifest/root
 */
import { z } from 'zod';
import type { Readable } from 'node:stream';
import type { Dispatcher } from './protocol/dispatcher.js';
import type { CoreEvent } from './protocol/envelope.js';
import { CoreError, errorClasses, errorCodes, type ErrorCode } from './protocol/errors.js';
import { containerInstanceSchema } from './domain/desiredState.js';

export const dscOperations = ['get', 'test', 'set', 'delete', 'export'] as const;
export type DscOperation = (typeof dscOperations)[number];

/** The most stdin may hold: an instance document is a few hundred bytes. */
export const STDIN_LIMIT_BYTES = 1024 * 1024;

/** How long stdin may take to close: DSC writes the instance and closes it at once. */
export const STDIN_TIMEOUT_MS = 60_000;

/**
 * All of stdin as text, or null when it holds more than the limit (the rest
 * is not read). Throws OperationTimeout when stdin is not closed in time.
 */
export async function readStdin(stream: Readable, limit = STDIN_LIMIT_BYTES, timeoutMs = STDIN_TIMEOUT_MS): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const read = (async () => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > limit) {
        stream.destroy();
        return null;
      }
      chunks.push(buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  })();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stream.destroy();
      reject(new CoreError('OperationTimeout', `stdin was not closed within ${timeoutMs / 1000} s. Send the document on stdin and close it.`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs one DSC operation; returns the process exit code. */
export async function runDsc(
  dispatcher: Dispatcher,
  operation: DscOperation,
  stdin: Readable,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const message = (level: 'error' | 'warn' | 'info' | 'debug', text: string) => err(`${JSON.stringify({ [level]: text })}\n`);
  const onEvent = (event: CoreEvent) => {
    if (event.event === 'ready') return;
    if (event.event === 'progress') message('debug', `${event.body.activity}: ${event.body.status}`);
    else if (event.event === 'warning') message('warn', event.body.message);
    else message('info', event.body.message);
  };
  const fail = (code: ErrorCode, text: string) => {
    message('error', text);
    return errorClasses[errorCodes[code]].exitCode;
  };

  if (operation === 'export') {
    // The manifest declares no input for export: stdin is not read (every managed container is exported).
    const response = await dispatcher.execute('dsc', 'container.export', {}, onEvent);
    if (!response.success) return fail(response.error.code as ErrorCode, response.error.message);
    for (const instance of (response.body as { instances: unknown[] }).instances) out(`${JSON.stringify(instance)}\n`);
    return 0;
  }

  let text: string | null;
  try {
    text = await readStdin(stdin);
  } catch (error) {
    return fail('OperationTimeout', (error as Error).message);
  }
  if (text === null) return fail('RequestTooLarge', `The input document is larger than ${STDIN_LIMIT_BYTES} bytes; an instance is a few hundred.`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return fail('InvalidArgument', `The input document is not valid JSON: ${(error as Error).message}. Send one instance of WindowsContainers/IsolatedContainer as JSON on stdin.`);
  }
  const parsed = containerInstanceSchema.safeParse(document);
  if (!parsed.success) {
    return fail('InvalidArgument', `The input document is not a valid WindowsContainers/IsolatedContainer instance:\n${z.prettifyError(parsed.error)}`);
  }
  const desired = operation === 'delete' ? { ...parsed.data, _exist: false } : parsed.data;
  const mode = operation === 'delete' ? 'set' : operation;
  const response = await dispatcher.execute('dsc', 'container.converge', { mode, desired }, onEvent);
  if (!response.success) return fail(response.error.code as ErrorCode, response.error.message);
  // delete writes nothing to stdout (DSC expects no state from it).
  if (operation !== 'delete') out(`${JSON.stringify(response.body)}\n`);
  return 0;
}
