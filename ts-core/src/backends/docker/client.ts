import fs from 'node:fs';
import http from 'node:http';
import { z } from 'zod';
import { CoreError, type ErrorCode } from '../../protocol/errors.js';
import { parseJsonDocument } from '../../util/jsonDocument.js';
import type { DockerEndpoint } from './endpoint.js';
import { errorBodySchema, versionSchema, type DockerVersion } from './schemas.js';

/** The newest Engine API version this client is written against (Docker 24). */
export const CLIENT_API_VERSION = '1.43';
/** The oldest it accepts: HostConfig.Isolation and Runtime exist from 1.25 on. */
export const MIN_API_VERSION = '1.25';

/** Bigger answers are not Docker talking to us: refuse instead of buffering without end. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface DockerClientOptions {
  endpoint: DockerEndpoint;
  /** Time to get a connection accepted. */
  connectTimeoutMs?: number;
  /** Time for a whole call, from connect to the last byte, unless a call says otherwise. */
  timeoutMs?: number;
  /** Largest answer accepted; default 32 MiB. */
  maxBodyBytes?: number;
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Validates a JSON answer; without it the body is ignored (204 answers). */
  schema?: S;
  timeoutMs?: number;
  /** What a 404 means for this call, when Docker's message does not say. */
  notFound?: 'container' | 'image';
  /** Statuses that are success here besides 2xx (e.g. 304 from stop: already stopped). */
  okStatuses?: number[];
}

interface RawResponse {
  status: number;
  body: Buffer;
  contentType: string;
  truncated?: boolean;
}

/** Compares `1.41` and `1.43` as numbers, part by part. */
export function compareApiVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

/**
 * A minimal Docker Engine API client on Node's own http over a unix socket or
 * a Windows named pipe. Every call has a connect timeout and a total timeout,
 * every answer is validated, and every failure becomes one CoreError here, so
 * nothing above this file sees an errno or an HTTP status.
 */
export class DockerClient {
  readonly endpoint: DockerEndpoint;
  readonly #connectTimeoutMs: number;
  readonly #timeoutMs: number;
  readonly #maxBodyBytes: number;
  #negotiated: Promise<{ apiVersion: string; version: DockerVersion }> | null = null;

  constructor(options: DockerClientOptions) {
    this.endpoint = options.endpoint;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  /**
   * `GET /version` once per client; the API version used is the lower of the
   * daemon's and ours. A failed negotiation is not cached: the daemon may come up.
   */
  negotiate(): Promise<{ apiVersion: string; version: DockerVersion }> {
    if (!this.#negotiated) {
      this.#negotiated = this.#negotiate();
      this.#negotiated.catch(() => {
        this.#negotiated = null;
      });
    }
    return this.#negotiated;
  }

  async #negotiate(): Promise<{ apiVersion: string; version: DockerVersion }> {
    const version = (await this.#call('GET', '/version', { schema: versionSchema, timeoutMs: Math.min(this.#timeoutMs, 15_000) })) as DockerVersion;
    if (compareApiVersions(version.ApiVersion, MIN_API_VERSION) < 0) {
      throw new CoreError('DockerUnavailable',
        `The Docker daemon at ${this.endpoint.display} speaks Engine API ${version.ApiVersion} (Docker ${version.Version}); ` +
        `this module needs API ${MIN_API_VERSION} or later. Upgrade Docker.`,
        { details: { endpoint: this.endpoint.display, apiVersion: version.ApiVersion } });
    }
    const apiVersion = compareApiVersions(version.ApiVersion, CLIENT_API_VERSION) < 0 ? version.ApiVersion : CLIENT_API_VERSION;
    return { apiVersion, version };
  }

  /** A call on the negotiated API version: `/v1.41/containers/json`. */
  async request<S extends z.ZodType>(method: string, path: string, options: RequestOptions<S> & { schema: S }): Promise<z.infer<S>>;
  async request(method: string, path: string, options?: RequestOptions<undefined>): Promise<undefined>;
  async request(method: string, path: string, options: RequestOptions<z.ZodType | undefined> = {}): Promise<unknown> {
    const { apiVersion } = await this.negotiate();
    return this.#call(method, `/v${apiVersion}${path}`, options);
  }

  /** A call outside the versioned API (`/_ping`, `/version`). */
  async unversioned<S extends z.ZodType>(method: string, path: string, options: RequestOptions<S> & { schema: S }): Promise<z.infer<S>> {
    return this.#call(method, path, options) as Promise<z.infer<S>>;
  }

  async #call(method: string, path: string, options: RequestOptions<z.ZodType | undefined>): Promise<unknown> {
    const url = path + queryString(options.query);
    const what = `${method} ${url}`;
    const raw = await this.#send(method, url, options.body, options.timeoutMs ?? this.#timeoutMs);
    const ok = (raw.status >= 200 && raw.status < 300) || (options.okStatuses ?? []).includes(raw.status);
    if (!ok) throw this.#httpError(what, raw, options.notFound);
    if (!options.schema) return undefined;
    return parseJsonDocument(raw.body.toString('utf8'), options.schema, (problem) => problem.kind === 'syntax'
      ? this.#invalid(what, `the answer is not JSON (${problem.message}): ${snippet(raw.body)}`, problem.cause)
      : this.#invalid(what, `the answer does not have the expected shape:\n${problem.message}`, problem.cause));
  }

  /**
   * A call on the negotiated API version whose answer is bytes (logs, exec
   * output), at most `maxBytes` of them: past that the connection is closed
   * and the answer comes back `truncated`, not as an error.
   */
  async requestBytes(method: string, path: string, options: RequestOptions<undefined> & { maxBytes: number }): Promise<{ body: Buffer; truncated: boolean }> {
    const { apiVersion } = await this.negotiate();
    const url = `/v${apiVersion}${path}${queryString(options.query)}`;
    const raw = await this.#send(method, url, options.body, options.timeoutMs ?? this.#timeoutMs, options.maxBytes);
    const ok = (raw.status >= 200 && raw.status < 300) || (options.okStatuses ?? []).includes(raw.status);
    if (!ok) throw this.#httpError(`${method} ${url}`, raw, options.notFound);
    return { body: raw.body, truncated: raw.truncated === true };
  }

  #send(method: string, url: string, body: unknown, timeoutMs: number, truncateAt?: number): Promise<RawResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const endpoint = this.endpoint;
    const what = `${method} ${url}`;
    // No socket file, no daemon: said at once, without a connection attempt
    // (every create asks whether Docker holds the name; on a host without
    // Docker that attempt cost about a millisecond each time).
    if (endpoint.kind === 'unix' && !fs.existsSync(endpoint.socketPath)) {
      const missing = Object.assign(new Error(`connect ENOENT ${endpoint.socketPath}`), { code: 'ENOENT' }) as NodeJS.ErrnoException;
      return Promise.reject(this.#transportError(what, missing, false, false));
    }
    return new Promise<RawResponse>((resolve, reject) => {
      let settled = false;
      let connected = false;
      let gotResponse = false;
      const finish = (error: CoreError | null, response?: RawResponse): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(totalTimer);
        if (error) {
          request.destroy();
          reject(error);
        } else {
          resolve(response!);
        }
      };
      const request = http.request({
        socketPath: endpoint.socketPath,
        method,
        path: url,
        // The Host header is required by HTTP/1.1; Docker ignores its value.
        headers: {
          Host: 'docker',
          Accept: 'application/json',
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {}),
        },
        agent: false,
      });
      const connectTimer = setTimeout(() => {
        if (!connected) {
          finish(new CoreError('DockerUnavailable',
            `The Docker daemon at ${endpoint.display} did not accept a connection within ${this.#connectTimeoutMs} ms. ` +
            `Check that the Docker service is running and responsive.`, { details: { endpoint: endpoint.display } }));
        }
      }, this.#connectTimeoutMs);
      const totalTimer = setTimeout(() => {
        finish(new CoreError('OperationTimeout',
          `The Docker daemon at ${endpoint.display} did not answer ${what} within ${timeoutMs} ms` +
          (gotResponse ? ' (it sent part of an answer and stalled).' : '.'),
          { details: { endpoint: endpoint.display, request: what, timeoutMs } }));
      }, timeoutMs);
      request.on('socket', (socket) => {
        // A reused or already-connected socket will not emit connect.
        if (!socket.connecting) connected = true;
        socket.once('connect', () => {
          connected = true;
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        finish(this.#transportError(what, error, connected, gotResponse));
      });
      request.on('response', (response) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (truncateAt !== undefined && size > truncateAt) {
            chunks.push(chunk.subarray(0, chunk.length - (size - truncateAt)));
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) {
              finish(null, { status, body: Buffer.concat(chunks), contentType: String(response.headers['content-type'] ?? ''), truncated: true });
              request.destroy();
              return;
            }
          }
          if (size > this.#maxBodyBytes) {
            finish(this.#invalid(what, `the answer is larger than ${this.#maxBodyBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('aborted', () => finish(this.#invalid(what, 'the daemon closed the connection in the middle of its answer')));
        response.on('error', (error) => finish(this.#invalid(what, `the answer broke off: ${error.message}`, error)));
        response.on('end', () => {
          if (!response.complete) {
            finish(this.#invalid(what, 'the daemon closed the connection in the middle of its answer'));
            return;
          }
          finish(null, { status: response.statusCode ?? 0, body: Buffer.concat(chunks), contentType: String(response.headers['content-type'] ?? '') });
        });
        response.on('close', () => {
          if (!response.complete) finish(this.#invalid(what, 'the daemon closed the connection in the middle of its answer'));
        });
      });
      request.end(payload);
    });
  }

  #transportError(what: string, error: NodeJS.ErrnoException, connected: boolean, gotResponse: boolean): CoreError {
    const endpoint = this.endpoint.display;
    const details = { endpoint, request: what, errno: error.code ?? null };
    switch (error.code) {
      case 'ENOENT':
      case 'ECONNREFUSED':
        return new CoreError('DockerUnavailable',
          `The Docker daemon is not running at ${endpoint} (${error.code === 'ENOENT' ? 'the socket does not exist' : 'nothing accepts connections there'}). ` +
          `Start Docker (Windows: Start-Service docker; Linux: systemctl start docker) or point DOCKER_HOST at the daemon's socket.`,
          { cause: error, details });
      case 'EACCES':
      case 'EPERM':
        return new CoreError('PermissionDenied',
          `This user may not use the Docker daemon at ${endpoint} (${error.code}). Run PowerShell as Administrator or root, ` +
          `or grant this user access to the socket (Linux: the docker group).`,
          { cause: error, details });
    }
    if (typeof error.code === 'string' && error.code.startsWith('HPE_')) {
      return this.#invalid(what, `the answer is not valid HTTP (${error.code}: ${error.message})`, error);
    }
    if (connected || gotResponse || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      return this.#invalid(what, `the connection broke before a complete answer (${error.code ?? error.message})`, error);
    }
    return new CoreError('DockerUnavailable', `Cannot reach the Docker daemon at ${endpoint}: ${error.message}`, { cause: error, details });
  }

  #invalid(what: string, why: string, cause?: unknown): CoreError {
    return new CoreError('DockerResponseInvalid', `The Docker daemon at ${this.endpoint.display} gave an unusable answer to ${what}: ${why}.`,
      { cause, details: { endpoint: this.endpoint.display, request: what } });
  }

  /** HTTP status + Docker's `{"message"}` → the core's codes, keeping the daemon's words. */
  #httpError(what: string, raw: RawResponse, notFound: 'container' | 'image' | undefined): CoreError {
    const parsed = errorBodySchema.safeParse(safeJson(raw.body));
    const message = parsed.success ? parsed.data.message : snippet(raw.body) || `HTTP ${raw.status}`;
    const code = mapDockerStatus(raw.status, message, notFound);
    return new CoreError(code, `Docker: ${message}`, {
      details: { endpoint: this.endpoint.display, request: what, status: raw.status, dockerMessage: message },
    });
  }
}

/** The one table from Docker's answers to the core's codes. Exported for its tests. */
export function mapDockerStatus(status: number, message: string, notFound?: 'container' | 'image'): ErrorCode {
  if (/invalid isolation/i.test(message)) return 'IsolationNotSupported';
  if (status === 404) {
    if (/no such image|pull access denied|repository .* not found|manifest .* not found/i.test(message)) return 'ImageNotFound';
    if (/no such container/i.test(message)) return 'ContainerNotFound';
    return notFound === 'image' ? 'ImageNotFound' : notFound === 'container' ? 'ContainerNotFound' : 'DockerError';
  }
  if (status === 409) {
    if (/already in use/i.test(message)) return 'ContainerAlreadyExists';
    if (/running container|is running|stop the container/i.test(message)) return 'ContainerRunning';
    return 'DockerError';
  }
  if (status === 401 || status === 403) return 'PermissionDenied';
  return 'DockerError';
}

function queryString(query: RequestOptions<undefined>['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function safeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function snippet(body: Buffer): string {
  const text = body.toString('utf8', 0, Math.min(body.length, 300)).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return body.length > 300 ? `${text}…` : text;
}
