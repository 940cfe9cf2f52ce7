/**
 * A real core server (the bundle, `serve`) for the security suite: requests
 * with a deadline (a core that never answers fails the test instead of
 * hanging it), and the core's peak memory from /proc/<pid>/status (VmHWM).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const bundle = path.resolve('dist/windowscontainers-core.cjs');

export interface CoreAnswer {
  id: number | string | null;
  success: boolean;
  body?: unknown;
  error?: { code: string; message: string; category: string; details?: Record<string, unknown> };
}

export class CoreServer {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: ((line: Record<string, unknown>) => void)[] = [];
  readonly #lines: Record<string, unknown>[] = [];
  #nextId = 1;
  stderr = '';
  /** Verbose and warning messages the core sent, in order. */
  readonly messages: string[] = [];

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    child.stderr.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = JSON.parse(line) as Record<string, unknown>;
      const waiter = this.#waiting.shift();
      if (waiter) waiter(message);
      else this.#lines.push(message);
    });
  }

  static async start(env: NodeJS.ProcessEnv): Promise<CoreServer> {
    const child = spawn(process.execPath, [bundle, 'serve'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const server = new CoreServer(child);
    const ready = await server.#next(30_000);
    if (ready.event !== 'ready') throw new Error(`the core did not announce itself: ${JSON.stringify(ready)}`);
    return server;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  #next(timeoutMs: number): Promise<Record<string, unknown>> {
    const queued = this.#lines.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.#waiting.indexOf(waiter);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(new Error(`the core (pid ${this.pid}) did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (line: Record<string, unknown>) => { clearTimeout(timer); resolve(line); };
      this.#waiting.push(waiter);
    });
  }

  /** Sends a request without waiting for its answer (to kill the core while it works). */
  send(command: string, args: Record<string, unknown>): void {
    this.#child.stdin.write(`${JSON.stringify({ id: this.#nextId++, command, arguments: args })}\n`);
  }

  /** Sends one request and returns its response (events skipped); rejects when the deadline passes. */
  async request(command: string, args: Record<string, unknown>, timeoutMs = 120_000): Promise<CoreAnswer> {
    const id = this.#nextId++;
    this.#child.stdin.write(`${JSON.stringify({ id, command, arguments: args })}\n`);
    return this.#answer(id, timeoutMs);
  }

  /** Writes `count` chunks of raw bytes (with backpressure), then a newline, and returns the next response. */
  async rawChunks(chunk: Buffer, count: number, timeoutMs = 120_000): Promise<CoreAnswer> {
    for (let i = 0; i < count; i++) {
      if (!this.#child.stdin.write(chunk)) await new Promise((resolve) => this.#child.stdin.once('drain', resolve));
    }
    this.#child.stdin.write('\n');
    return this.#answer(undefined, timeoutMs);
  }

  /** Writes a raw line (e.g. an oversized one) and returns the next response. */
  async raw(line: string, timeoutMs = 60_000): Promise<CoreAnswer> {
    this.#child.stdin.write(`${line}\n`);
    return this.#answer(undefined, timeoutMs);
  }

  async #answer(id: number | undefined, timeoutMs: number): Promise<CoreAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = await this.#next(Math.max(1, deadline - Date.now()));
      if (message.type === 'event' && (message.event === 'verbose' || message.event === 'warning')) {
        this.messages.push(String((message.body as { message?: unknown }).message));
      }
      if (message.type !== 'response') continue;
      if (id === undefined || message.id === id || message.id === null) return message as unknown as CoreAnswer;
    }
  }

  /** Peak resident memory of the core so far (VmHWM), in bytes. */
  peakMemoryBytes(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    if (!kb) throw new Error('no VmHWM line');
    return Number(kb[1]) * 1024;
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): Promise<unknown> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGKILL');
    return exited;
  }
}
