import { z } from 'zod';
import { CoreError, errorCodes, toCoreError, type ErrorCode } from './errors.js';
import { newRequestScope, type RequestScope } from './scope.js';
import {
  MAX_REQUEST_BYTES,
  PROTOCOL_VERSION,
  errorBody,
  requestSchema,
  type CoreEvent,
  type RequestId,
  type Response,
} from './envelope.js';

/** What a command handler may use besides its arguments; its scope lives as long as the request. */
export interface CommandContext extends RequestScope {
  readonly requestId: RequestId;
  progress(activity: string, status: string, percent?: number): void;
  verbose(message: string): void;
  warning(message: string): void;
}

export interface CommandDefinition<S extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly summary: string;
  readonly args: S;
  /** The response body's schema: the handler's return type, and the JSON Schema the build publishes for the module. */
  readonly response: R;
  run(args: z.infer<S>, context: CommandContext): Promise<z.infer<R>>;
}

/** Keeps the handler's argument and return types tied to their schemas. */
export function defineCommand<S extends z.ZodType, R extends z.ZodType>(definition: CommandDefinition<S, R>): CommandDefinition<S, R> {
  return definition;
}

export type EventSink = (event: CoreEvent) => void;

export interface DispatcherOptions {
  /**
   * Progress a request reports during its first this many milliseconds is
   * held back: only the latest is sent, and only if the request is still
   * running when the time is up. A create that is done in 60 ms shows no
   * progress bar that would only flash, and the module parses no events
   * for it. Verbose messages and warnings are never held.
   */
  progressDelayMs?: number;
}

export const DEFAULT_PROGRESS_DELAY_MS = 250;

export class Dispatcher {
  readonly #commands = new Map<string, CommandDefinition>();
  readonly #progressDelayMs: number;

  constructor(commands: readonly CommandDefinition[], options: DispatcherOptions = {}) {
    this.#progressDelayMs = options.progressDelayMs ?? DEFAULT_PROGRESS_DELAY_MS;
    for (const command of commands) {
      if (this.#commands.has(command.name)) throw new Error(`command ${command.name} registered twice`);
      this.#commands.set(command.name, command);
    }
  }

  get commandNames(): string[] {
    return [...this.#commands.keys()].sort();
  }

  /** One raw request line in, one response out. Never throws. */
  async handleLine(line: string, emit: EventSink): Promise<Response> {
    if (Buffer.byteLength(line, 'utf8') > MAX_REQUEST_BYTES) {
      return failure(null, new CoreError('RequestTooLarge', `The request is larger than ${MAX_REQUEST_BYTES} bytes. Send smaller arguments.`));
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      return failure(null, new CoreError('InvalidRequest', `The request is not valid JSON: ${(error as Error).message}`));
    }
    const id = peekId(raw);
    const parsed = requestSchema.safeParse(raw);
    if (!parsed.success) {
      return failure(id, new CoreError('InvalidRequest', `The request envelope is invalid:\n${z.prettifyError(parsed.error)}`));
    }
    const request = parsed.data;
    if (request.protocolVersion !== undefined && request.protocolVersion !== PROTOCOL_VERSION) {
      return failure(request.id, new CoreError('UnsupportedProtocolVersion',
        `The module speaks protocol version ${request.protocolVersion} but this core speaks ${PROTOCOL_VERSION}. Rebuild the core (npm run build) or reinstall the module.`));
    }
    return this.execute(request.id, request.command, request.arguments, emit);
  }

  async execute(id: RequestId, name: string, args: unknown, emit: EventSink): Promise<Response> {
    const command = this.#commands.get(name);
    if (!command) {
      return failure(id, new CoreError('UnknownCommand', `Unknown command '${name}'. Known commands: ${this.commandNames.join(', ')}.`));
    }
    const parsedArgs = command.args.safeParse(args ?? {});
    if (!parsedArgs.success) {
      const ruled = ruleFailure(parsedArgs.error);
      if (ruled) return failure(id, ruled);
      return failure(id, new CoreError('InvalidArgument', `Invalid arguments for '${name}':\n${z.prettifyError(parsedArgs.error)}`, {
        details: { issues: parsedArgs.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
      }));
    }
    const progress = heldProgress(emit, this.#progressDelayMs);
    const context: CommandContext = {
      ...newRequestScope(),
      requestId: id,
      progress: (activity, status, percent) =>
        progress.report({ type: 'event', event: 'progress', requestId: id, body: percent === undefined ? { activity, status } : { activity, status, percent } }),
      verbose: (message) => emit({ type: 'event', event: 'verbose', requestId: id, body: { message } }),
      warning: (message) => emit({ type: 'event', event: 'warning', requestId: id, body: { message } }),
    };
    try {
      const body = await command.run(parsedArgs.data, context);
      return { type: 'response', id, success: true, body: body ?? null };
    } catch (error) {
      const coreError = toCoreError(error);
      if (coreError.code === 'Internal') process.stderr.write(`[core] ${name} failed: ${(error as Error)?.stack ?? String(error)}\n`);
      return failure(id, coreError);
    } finally {
      // Progress still held when the request ends is dropped: the answer follows at once.
      progress.end();
    }
  }
}

/** Progress events of one request, held back for its first delayMs (see DispatcherOptions). */
function heldProgress(emit: EventSink, delayMs: number): { report(event: CoreEvent): void; end(): void } {
  const started = performance.now();
  let live = delayMs <= 0;
  let held: CoreEvent | null = null;
  let timer: NodeJS.Timeout | null = null;
  return {
    report(event) {
      const left = delayMs - (performance.now() - started);
      if (live || left <= 0) {
        live = true;
        emit(event);
        return;
      }
      held = event;
      timer ??= setTimeout(() => {
        live = true;
        if (held) emit(held);
        held = null;
      }, left);
    },
    end() {
      if (timer) clearTimeout(timer);
      held = null;
    },
  };
}

/**
 * A domain rule that failed inside the argument schema (the container-name
 * rule) answers with its own code and message, as the rule would anywhere.
 */
function ruleFailure(error: z.ZodError): CoreError | null {
  for (const issue of error.issues) {
    const params = issue.code === 'custom' ? (issue as { params?: Record<string, unknown> }).params : undefined;
    if (!params) continue;
    const { coreCode, ...details } = params;
    if (typeof coreCode === 'string' && coreCode in errorCodes) {
      return new CoreError(coreCode as ErrorCode, issue.message, { details: { ...details, path: issue.path.map(String) } });
    }
  }
  return null;
}

function failure(id: RequestId | null, error: CoreError): Response {
  return { type: 'response', id, success: false, error: errorBody(error) };
}

function peekId(raw: unknown): RequestId | null {
  if (raw && typeof raw === 'object' && 'id' in raw) {
    const id = (raw as { id: unknown }).id;
    if ((typeof id === 'number' && Number.isInteger(id) && id >= 0) || (typeof id === 'string' && id.length > 0 && id.length <= 100)) return id;
  }
  return null;
}
