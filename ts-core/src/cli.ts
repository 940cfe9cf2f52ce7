#!/usr/bin/env node
import { Dispatcher } from './protocol/dispatcher.js';
import { serve } from './protocol/server.js';
import { PROTOCOL_VERSION, type CoreEvent } from './protocol/envelope.js';
import { errorClasses, errorCodes, type ErrorCode } from './protocol/errors.js';
import { allCommands } from './commands/index.js';
import { CORE_VERSION } from './version.js';
import { runDsc, readStdin, dscOperations, type DscOperation } from './dsc.js';

const usage = `windowscontainers-core ${CORE_VERSION} (protocol ${PROTOCOL_VERSION})

usage:
  node <bundle> serve                          newline-delimited JSON over stdio
  node <bundle> <command> [--json '<args>']   run one command, print its response
  node <bundle> <command> --stdin              the same, the arguments read from stdin (at most 1 MiB)
  node <bundle> dsc get|test|set|delete|export the DSC v3 resource WindowsContainers/IsolatedContainer:
                                               the instance on stdin, the state on stdout, messages on stderr
  node <bundle> --list                         list the commands
`;

async function main(argv: string[]): Promise<number> {
  const dispatcher = new Dispatcher(allCommands);
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    process.stderr.write(usage);
    return first === undefined ? 2 : 0;
  }
  if (first === '--version') {
    process.stdout.write(`${CORE_VERSION}\n`);
    return 0;
  }
  if (first === '--list') {
    process.stdout.write(`${dispatcher.commandNames.join('\n')}\n`);
    return 0;
  }
  if (first === 'serve') {
    await serve(dispatcher, process.stdin, process.stdout);
    return 0;
  }

  if (first === 'dsc') {
    const [operation, ...extra] = rest;
    if (!dscOperations.includes(operation as DscOperation) || extra.length > 0) {
      process.stderr.write(`${JSON.stringify({ error: `Unexpected arguments: dsc ${rest.join(' ')}. Give one of: ${dscOperations.join(', ')}.` })}\n`);
      return 2;
    }
    return runDsc(dispatcher, operation as DscOperation, process.stdin, (line) => process.stdout.write(line), (line) => process.stderr.write(line));
  }

  let args: unknown = {};
  if (rest.length === 1 && rest[0] === '--stdin') {
    let text: string | null;
    try {
      text = await readStdin(process.stdin);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return errorClasses.timeout.exitCode;
    }
    if (text === null) {
      process.stderr.write('stdin holds more than 1 MiB; give a smaller argument document.\n');
      return 2;
    }
    try {
      args = JSON.parse(text);
    } catch (error) {
      process.stderr.write(`stdin is not valid JSON: ${(error as Error).message}\n`);
      return 2;
    }
  }
  else if (rest.length > 0) {
    if (rest[0] !== '--json' || rest.length !== 2) {
      process.stderr.write(`Unexpected arguments: ${rest.join(' ')}\n${usage}`);
      return 2;
    }
    try {
      args = JSON.parse(rest[1]!);
    } catch (error) {
      process.stderr.write(`--json is not valid JSON: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const logEvent = (event: CoreEvent) => {
    if (event.event === 'ready') return;
    const text = event.event === 'progress' ? `${event.body.activity}: ${event.body.status}` : event.body.message;
    process.stderr.write(`[${event.event}] ${text}\n`);
  };
  const response = await dispatcher.execute('cli', first, args, logEvent);
  process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  if (response.success) return 0;
  const code = response.error.code as ErrorCode;
  return code in errorCodes ? errorClasses[errorCodes[code]].exitCode : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
