/**
 * The host end of the guest agent's channel: a unix socket that QEMU bridges
 * to the VM's second serial port. Everything the guest sends is untrusted:
 * every line is checked against the protocol (guestAgent.ts) and anything
 * else is an AgentProtocolError that names the line. Every wait has a
 * deadline (AgentTimeout): a stopped or wedged VM never hangs a command.
 */
import net from 'node:net';
import { z } from 'zod';
import { withConnectablePath } from './socketPath.js';
import { CoreError } from '../../../protocol/errors.js';
import { AGENT_PROTOCOL } from './guestAgent.js';

export type AgentVerb = 'hello' | 'ps' | 'exit-status' | 'shutdown' | 'exec';

/** A line longer than this is not something the agent sends. */
const MAX_LINE_BYTES = 64 * 1024;

export interface AgentProcess {
  pid: number;
  ppid: number;
  rssBytes: number;
  /** utime + stime in USER_HZ ticks (1/100 s). */
  cpuTicks: number;
  /** Start time in ticks since the guest booted. */
  startTicks: number;
  state: string;
  /** /proc/<pid>/comm as the guest kernel keeps it (at most 15 bytes). */
  name: string;
  /** The command line as busybox ps shows it, null when empty (zombies). */
  commandLine: string | null;
}

export interface AgentProcessList {
  /** Guest uptime in seconds when the list was taken. */
  uptimeSeconds: number;
  processes: AgentProcess[];
}

export type AgentExitStatus = { state: 'running'; pid: number } | { state: 'exited'; pid: number; code: number };

export const USER_HZ = 100;

function show(line: string): string {
  const shown = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  return JSON.stringify(shown);
}

function protocolError(message: string, line: string | null, details: Record<string, unknown> = {}): CoreError {
  return new CoreError('AgentProtocolError',
    line === null ? `The guest agent broke its protocol: ${message}.` : `The guest agent broke its protocol: ${message}: ${show(line)}.`,
    { details: { ...details, ...(line === null ? {} : { line: line.slice(0, 1000) }) } });
}

const nonNegative = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const pidSchema = z.coerce.number().int().min(1).max(4_194_304);
const encodedToken = /^(?:-|(?:[A-Za-z0-9._/:=@+,]|%[0-9A-F]{2})+)$/;

/** Reverses the agent's percent-encoding; "-" is the empty string. */
export function decodeToken(token: string, line: string): string {
  if (!encodedToken.test(token)) throw protocolError('a name field is not percent-encoded', line);
  if (token === '-') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '%') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return Buffer.from(bytes).toString('utf8');
}

const processRecord = z.object({
  pid: pidSchema,
  ppid: z.coerce.number().int().min(0).max(4_194_304),
  rssBytes: nonNegative,
  cpuTicks: nonNegative,
  startTicks: nonNegative,
  state: z.string().regex(/^[A-Za-z]$/),
});

export function parseProcessRecords(records: string[], lines: string[]): AgentProcessList {
  const [first, ...rest] = records;
  const uptime = /^U (\d{1,12}(?:\.\d{1,3})?)$/.exec(first ?? '');
  if (!uptime) throw protocolError("a process list must start with the guest's uptime record", lines[1] ?? first ?? '');
  const processes: AgentProcess[] = [];
  const seen = new Set<number>();
  rest.forEach((record, index) => {
    const line = lines[index + 2] ?? record;
    const match = /^P (\d+) (\d+) (\d+) (\d+) (\d+) (\S) (\S+) (\S+)$/.exec(record);
    if (!match) throw protocolError('not a process record', line);
    const parsed = processRecord.safeParse({ pid: match[1], ppid: match[2], rssBytes: match[3], cpuTicks: match[4], startTicks: match[5], state: match[6] });
    if (!parsed.success) throw protocolError(`a process record is out of range (${z.prettifyError(parsed.error).replace(/\n/g, ' ')})`, line);
    if (seen.has(parsed.data.pid)) throw protocolError(`process ${parsed.data.pid} is listed twice`, line);
    seen.add(parsed.data.pid);
    const name = decodeToken(match[7]!, line);
    let commandLine = decodeToken(match[8]!, line);
    // busybox ps writes "{comm} args" when argv[0] is not the command's name.
    if (commandLine.startsWith(`{${name}} `)) commandLine = commandLine.slice(name.length + 3);
    processes.push({ ...parsed.data, name, commandLine: commandLine === '' ? null : commandLine });
  });
  return { uptimeSeconds: Number(uptime[1]), processes };
}

export function parseExitStatus(records: string[], lines: string[]): AgentExitStatus {
  const line = lines[1] ?? records[0] ?? '';
  if (records.length !== 1) throw protocolError(`exit-status must carry exactly one record, not ${records.length}`, line);
  const running = /^S running (\d+)$/.exec(records[0]!);
  if (running) return { state: 'running', pid: pidSchema.parse(running[1]) };
  const exited = /^S exited (\d+) (\d{1,3})$/.exec(records[0]!);
  if (exited && Number(exited[2]) <= 255) return { state: 'exited', pid: pidSchema.parse(exited[1]), code: Number(exited[2]) };
  throw protocolError('not an exit-status record', line);
}

/** What the host asks the agent to run (guestAgent.ts, exec). */
export interface AgentExecRequest {
  /** The whole argv of `env -i` in the guest: NAME=value entries, then the program and its arguments. */
  argv: string[];
  workingDir: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  timeoutSeconds: number;
  /** Per stream: the agent keeps one byte more, so a cut is visible. */
  maxOutputBytes: number;
}

export interface AgentExecResult {
  exitCode: number;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/** The request line may not exceed this (the agent reads it with sh's read, all at once). */
export const MAX_EXEC_REQUEST_BYTES = 48 * 1024;

function token(value: string): string {
  return value === '' ? '-' : Buffer.from(value, 'utf8').toString('base64');
}

/** The arguments of an exec request line, checked; InvalidArgument when it cannot be sent. */
export function execRequestArgs(request: AgentExecRequest): string[] {
  const id = z.number().int().min(0).max(4_294_967_294);
  const checked = z.object({
    argv: z.array(z.string().refine((v) => !v.includes('\0'), 'an argument contains a NUL character')).min(1).max(4096),
    workingDir: z.string().refine((v) => !v.includes('\0'), 'the working directory contains a NUL character'),
    uid: id, gid: id, additionalGids: z.array(id).max(64),
    timeoutSeconds: z.number().int().min(1).max(86_400),
    maxOutputBytes: z.number().int().min(1).max(16 * 1024 * 1024),
  }).safeParse(request);
  if (!checked.success) throw new CoreError('InvalidArgument', `The command cannot be sent to the guest agent: ${z.prettifyError(checked.error).replace(/\n/g, ' ')}.`);
  const r = checked.data;
  const args = [String(r.timeoutSeconds), String(r.maxOutputBytes), String(r.uid), String(r.gid),
    r.additionalGids.length ? r.additionalGids.join(',') : '-', token(r.workingDir), String(r.argv.length), ...r.argv.map(token)];
  const bytes = args.reduce((n, a) => n + a.length + 1, 0);
  if (bytes > MAX_EXEC_REQUEST_BYTES) {
    throw new CoreError('InvalidArgument', `The command and its environment take ${bytes} bytes once encoded for the guest agent; at most ${MAX_EXEC_REQUEST_BYTES} fit in one request. Pass less (e.g. put long input in a file in the image).`, { details: { bytes, max: MAX_EXEC_REQUEST_BYTES } });
  }
  return args;
}

const base64Line = z.string().regex(/^[A-Za-z0-9+/=]{1,76}$/);
const base64Text = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);

/** Parses an exec answer: the status record, then stdout (O) and stderr (E) in base64, never more than the cap allows. */
export function parseExecRecords(records: string[], lines: string[], maxOutputBytes: number): AgentExecResult {
  const status = /^X (\d{1,3}) ([01])$/.exec(records[0] ?? '');
  if (!status || Number(status[1]) > 255) throw protocolError('an exec answer must start with "X <exit-code> <timed-out>"', lines[1] ?? records[0] ?? '');
  // The agent keeps max + 1 bytes per stream; its base64 is at most this long.
  const maxEncoded = Math.ceil((maxOutputBytes + 1) / 3) * 4;
  const encoded = { O: '', E: '' };
  records.slice(1).forEach((record, index) => {
    const line = lines[index + 2] ?? record;
    const tag = record[0];
    if ((tag !== 'O' && tag !== 'E') || record[1] !== ' ' || !base64Line.safeParse(record.slice(2)).success) throw protocolError('not an output record', line);
    encoded[tag] += record.slice(2);
    if (encoded[tag].length > maxEncoded) throw protocolError(`the command's ${tag === 'O' ? 'stdout' : 'stderr'} is longer than the ${maxOutputBytes} bytes asked for`, line);
  });
  let truncated = false;
  const decode = (text: string, name: string): string => {
    if (!base64Text.safeParse(text).success) throw protocolError(`the command's ${name} is not base64`, null);
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length > maxOutputBytes) truncated = true;
    return bytes.subarray(0, maxOutputBytes).toString('utf8');
  };
  const stdout = decode(encoded.O, 'stdout');
  const stderr = decode(encoded.E, 'stderr');
  return { exitCode: Number(status[1]), timedOut: status[2] === '1', stdout, stderr, truncated };
}

interface Waiter {
  resolve(line: string): void;
  reject(error: Error): void;
}

export class AgentClient {
  readonly #socket: net.Socket;
  readonly #socketPath: string;
  readonly #lines: string[] = [];
  #buffer = '';
  #waiter: Waiter | null = null;
  #failure: Error | null = null;
  #seq: number;

  private constructor(socket: net.Socket, socketPath: string) {
    this.#socket = socket;
    this.#socketPath = socketPath;
    // A random start keeps sequence numbers of different core processes apart,
    // so a stale answer meant for an earlier client is recognised as stale.
    this.#seq = 1 + Math.floor(Math.random() * 1_000_000_000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    socket.on('error', (error) => this.#fail(new CoreError('AgentTimeout', `The guest agent's channel ${socketPath} failed: ${error.message}.`, { cause: error })));
    socket.on('close', () => this.#fail(new CoreError('AgentTimeout', `The guest agent's channel ${socketPath} was closed (the utility VM stopped?).`)));
  }

  /** Connects to the agent socket, retrying while QEMU has not created it yet. */
  static async connect(socketPath: string, timeoutMs: number, stillWorthTrying: () => boolean = () => true): Promise<AgentClient> {
    const deadline = Date.now() + timeoutMs;
    let lastError: Error | null = null;
    while (Date.now() < deadline && stillWorthTrying()) {
      try {
        const socket = await withConnectablePath(socketPath, (connectPath) => new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(connectPath);
          const timer = setTimeout(() => { s.destroy(); reject(new Error('connect timed out')); }, Math.max(1, deadline - Date.now()));
          s.once('connect', () => { clearTimeout(timer); resolve(s); });
          s.once('error', (error) => { clearTimeout(timer); s.destroy(); reject(error); });
        }));
        return new AgentClient(socket, socketPath);
      } catch (error) {
        lastError = error as Error;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new CoreError('AgentTimeout', `Could not connect to the guest agent at ${socketPath} within ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}.`,
      { cause: lastError ?? undefined, details: { socket: socketPath, timeoutMs } });
  }

  #onData(chunk: string): void {
    this.#buffer += chunk;
    let newline: number;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      this.#push(this.#buffer.slice(0, newline));
      this.#buffer = this.#buffer.slice(newline + 1);
    }
    if (this.#buffer.length > MAX_LINE_BYTES) {
      this.#fail(protocolError(`a line is longer than ${MAX_LINE_BYTES} bytes`, this.#buffer.slice(0, 200)));
      this.#buffer = '';
    }
  }

  #push(line: string): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = null;
      waiter.resolve(line);
    } else this.#lines.push(line);
  }

  #fail(error: Error): void {
    if (!this.#failure) this.#failure = error;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(this.#failure);
  }

  /** The next line, or AgentTimeout at `deadline` (ms since epoch). */
  #nextLine(deadline: number, what: string): Promise<string> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = null;
        reject(new CoreError('AgentTimeout', `The guest agent did not answer ${what} in time; the utility VM may be stopped or overloaded.`, { details: { socket: this.#socketPath } }));
      }, Math.max(0, deadline - Date.now()));
      this.#waiter = {
        resolve: (line) => { clearTimeout(timer); resolve(line); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
    });
  }

  /** Waits for `WCAGENT READY <protocol> <id>`, the first thing the agent says. */
  async waitReady(containerId: string, timeoutMs: number): Promise<void> {
    const line = await this.#nextLine(Date.now() + timeoutMs, `with its ready line within ${timeoutMs} ms`);
    const match = /^WCAGENT READY (\d{1,6}) (\S{1,200})$/.exec(line);
    if (!match) throw protocolError('expected the ready line "WCAGENT READY <protocol> <container-id>"', line);
    if (Number(match[1]) !== AGENT_PROTOCOL) throw protocolError(`it speaks protocol ${match[1]}, the core speaks ${AGENT_PROTOCOL}`, line);
    if (match[2] !== containerId) throw protocolError(`it serves container '${match[2]}', not '${containerId}'`, line);
  }

  /** Sends one request and returns its records (without the sequence number), checked for framing. */
  async request(verb: AgentVerb, timeoutMs: number, args: readonly string[] = []): Promise<{ records: string[]; lines: string[] }> {
    if (this.#failure) throw this.#failure;
    if (args.some((a) => !/^[\x21-\x7e]+$/.test(a))) throw new CoreError('InvalidArgument', `An argument of the agent request '${verb}' is not a printable word.`);
    const seq = this.#seq++;
    const what = `'${verb}' within ${timeoutMs} ms`;
    const deadline = Date.now() + timeoutMs;
    // The leading newline ends any partial line a client that gave up left in
    // the guest's input; the agent ignores empty lines.
    this.#socket.write(`\n${[String(seq), verb, ...args].join(' ')}\n`);
    const prefix = `${seq} `;
    const lines: string[] = [];
    const records: string[] = [];
    for (;;) {
      const line = await this.#nextLine(deadline, what);
      if (!/^[\x20-\x7e]*$/.test(line)) throw protocolError('a line holds bytes that are not printable ASCII', line);
      if (!line.startsWith(prefix)) {
        // A well-formed answer to an earlier request (another client's, cut
        // off when it disconnected) is stale, not wrong; anything else is.
        if (/^\d{1,10} (?:BEGIN [a-z-]+|END \d+|ERR [a-z-]+|[HUPSXOE] .*)$/.test(line) && lines.length === 0) continue;
        throw protocolError(`expected an answer to request ${seq} (${verb})`, line);
      }
      const rest = line.slice(prefix.length);
      lines.push(line);
      if (lines.length === 1) {
        if (rest.startsWith('ERR ')) throw protocolError(`the agent refused '${verb}' (${rest.slice(4)})`, line, { refusal: rest.slice(4) });
        if (rest !== `BEGIN ${verb}`) throw protocolError(`expected "${seq} BEGIN ${verb}"`, line);
        continue;
      }
      const end = /^END (\d{1,6})$/.exec(rest);
      if (end) {
        if (Number(end[1]) !== records.length) throw protocolError(`the answer announces ${end[1]} records but carried ${records.length}`, line);
        return { records, lines };
      }
      if (records.length >= 100_000) throw protocolError('an answer carries too many records', line);
      records.push(rest);
    }
  }

  async processes(timeoutMs: number): Promise<AgentProcessList> {
    const { records, lines } = await this.request('ps', timeoutMs);
    return parseProcessRecords(records, lines);
  }

  async exitStatus(timeoutMs: number): Promise<AgentExitStatus> {
    const { records, lines } = await this.request('exit-status', timeoutMs);
    return parseExitStatus(records, lines);
  }

  /** Runs a command in the guest; waits the command's timeout plus time for the answer to cross the serial line. */
  async exec(request: AgentExecRequest, extraMs: number): Promise<AgentExecResult> {
    const args = execRequestArgs(request);
    const { records, lines } = await this.request('exec', request.timeoutSeconds * 1000 + extraMs, args);
    return parseExecRecords(records, lines, request.maxOutputBytes);
  }

  async hello(containerId: string, timeoutMs: number): Promise<void> {
    const { records, lines } = await this.request('hello', timeoutMs);
    const match = records.length === 1 ? /^H (\d{1,6}) (\S{1,200})$/.exec(records[0]!) : null;
    if (!match) throw protocolError('expected one hello record "H <protocol> <container-id>"', lines[1] ?? '');
    if (Number(match[1]) !== AGENT_PROTOCOL || match[2] !== containerId) {
      throw protocolError(`the agent is protocol ${match[1]} for container '${match[2]}', expected ${AGENT_PROTOCOL} for '${containerId}'`, lines[1] ?? '');
    }
  }

  async shutdown(timeoutMs: number): Promise<void> {
    const { records, lines } = await this.request('shutdown', timeoutMs);
    if (records.length !== 0) throw protocolError('shutdown carries no records', lines[1] ?? '');
  }

  close(): void {
    this.#failure ??= new CoreError('AgentTimeout', 'The agent client was closed.');
    this.#socket.destroy();
  }
}

/** One short connection per operation: QEMU's socket serves one client at a time. */
export async function withAgent<T>(socketPath: string, timeoutMs: number, use: (client: AgentClient) => Promise<T>): Promise<T> {
  const client = await AgentClient.connect(socketPath, timeoutMs);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
