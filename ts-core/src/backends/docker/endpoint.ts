import { CoreError } from '../../protocol/errors.js';

/**
 * Where the Docker daemon listens, in the two forms that matter: what Node's
 * http `socketPath` wants, and what a person recognises (the DOCKER_HOST form).
 */
export interface DockerEndpoint {
  kind: 'unix' | 'npipe';
  /** Passed to http.request({ socketPath }); Node accepts `\\.\pipe\name` on Windows. */
  socketPath: string;
  /** `unix:///var/run/docker.sock`, `npipe:////./pipe/docker_engine`. */
  display: string;
}

export const defaultWindowsPipe = '\\\\.\\pipe\\docker_engine';
export const defaultUnixSocket = '/var/run/docker.sock';

/**
 * Turns DOCKER_HOST (or nothing) into an endpoint. Only local transports are
 * supported: the core never sends container requests in the clear over TCP,
 * and TLS/ssh would need the CLI's certificate and context handling, which
 * this client deliberately does not reimplement.
 */
export function parseDockerHost(value: string | undefined, platform: NodeJS.Platform = process.platform): DockerEndpoint {
  const host = value?.trim() ?? '';
  if (host === '') {
    return platform === 'win32'
      ? { kind: 'npipe', socketPath: defaultWindowsPipe, display: 'npipe:////./pipe/docker_engine' }
      : { kind: 'unix', socketPath: defaultUnixSocket, display: `unix://${defaultUnixSocket}` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(host)?.[1]?.toLowerCase();
  if (scheme === 'unix') {
    const socketPath = host.slice('unix://'.length);
    if (!socketPath.startsWith('/') || socketPath.includes('\0')) {
      throw new CoreError('InvalidArgument', `DOCKER_HOST '${host}' does not name an absolute socket path. Use the form unix:///var/run/docker.sock.`);
    }
    return { kind: 'unix', socketPath, display: `unix://${socketPath}` };
  }
  if (scheme === 'npipe') {
    return parseNamedPipe(host);
  }
  if (scheme === 'tcp' || scheme === 'http' || scheme === 'https' || scheme === 'ssh' || scheme === 'fd') {
    throw new CoreError('InvalidArgument',
      `DOCKER_HOST '${host}' uses ${scheme}://, which the docker backend does not support: it talks to a local daemon over ` +
      `a unix socket or a named pipe only (no TLS or ssh). Unset DOCKER_HOST or set it to unix:///var/run/docker.sock ` +
      `(Linux) or npipe:////./pipe/docker_engine (Windows), and run the module on the Docker host itself (e.g. with Invoke-Command).`);
  }
  throw new CoreError('InvalidArgument',
    `DOCKER_HOST '${host}' is not a Docker endpoint this module understands. Use unix:///path/to/docker.sock or npipe:////./pipe/<name>.`);
}

/**
 * `npipe:////./pipe/docker_engine` → `\\.\pipe\docker_engine`. Docker writes
 * the pipe path with forward slashes after the scheme; either slash is
 * accepted. Only local pipes (server `.`) are allowed.
 */
function parseNamedPipe(host: string): DockerEndpoint {
  const rest = host.slice('npipe:'.length).replace(/\//g, '\\').replace(/^\\+/, '');
  const match = /^\.\\pipe\\([^\\\0]+)$/i.exec(rest);
  if (!match) {
    throw new CoreError('InvalidArgument',
      `DOCKER_HOST '${host}' is not a local named pipe. Use the form npipe:////./pipe/docker_engine.`);
  }
  const pipeName = match[1]!;
  return { kind: 'npipe', socketPath: `\\\\.\\pipe\\${pipeName}`, display: `npipe:////./pipe/${pipeName}` };
}
