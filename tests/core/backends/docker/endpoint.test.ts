import { describe, expect, it } from 'vitest';
import { parseDockerHost } from '../../../../ts-core/src/backends/docker/endpoint.js';

describe('parseDockerHost', () => {
  it('uses the Windows named pipe by default on Windows', () => {
    expect(parseDockerHost(undefined, 'win32')).toEqual({
      kind: 'npipe', socketPath: '\\\\.\\pipe\\docker_engine', display: 'npipe:////./pipe/docker_engine',
    });
  });

  it('uses /var/run/docker.sock by default elsewhere, also for an empty DOCKER_HOST', () => {
    expect(parseDockerHost(undefined, 'linux').socketPath).toBe('/var/run/docker.sock');
    expect(parseDockerHost('  ', 'linux').display).toBe('unix:///var/run/docker.sock');
  });

  it('turns npipe:////./pipe/<name> into the path Node wants', () => {
    expect(parseDockerHost('npipe:////./pipe/docker_engine', 'win32').socketPath).toBe('\\\\.\\pipe\\docker_engine');
    expect(parseDockerHost('npipe:////./pipe/dockerDesktopLinuxEngine', 'win32')).toEqual({
      kind: 'npipe', socketPath: '\\\\.\\pipe\\dockerDesktopLinuxEngine', display: 'npipe:////./pipe/dockerDesktopLinuxEngine',
    });
  });

  it('accepts backslashes and the two-slash form of a pipe', () => {
    expect(parseDockerHost('npipe://\\\\.\\pipe\\docker_engine', 'win32').socketPath).toBe('\\\\.\\pipe\\docker_engine');
    expect(parseDockerHost('npipe://./pipe/docker_engine', 'win32').socketPath).toBe('\\\\.\\pipe\\docker_engine');
    expect(parseDockerHost('NPIPE:////./PIPE/docker_engine', 'win32').socketPath).toBe('\\\\.\\pipe\\docker_engine');
  });

  it('refuses a remote pipe and a pipe without a name', () => {
    expect(() => parseDockerHost('npipe:////server/pipe/docker_engine', 'win32')).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', message: expect.stringContaining('npipe:////server/pipe/docker_engine') }),
    );
    expect(() => parseDockerHost('npipe:////./pipe/', 'win32')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => parseDockerHost('npipe:////./pipe/a/b', 'win32')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('reads unix:// sockets', () => {
    expect(parseDockerHost('unix:///tmp/x/docker.sock', 'linux')).toEqual({
      kind: 'unix', socketPath: '/tmp/x/docker.sock', display: 'unix:///tmp/x/docker.sock',
    });
    expect(() => parseDockerHost('unix://relative.sock', 'linux')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });

  it('refuses tcp:// and ssh:// with what to do instead', () => {
    expect(() => parseDockerHost('tcp://10.0.0.5:2376', 'linux')).toThrow(expect.objectContaining({
      code: 'InvalidArgument',
      message: expect.stringMatching(/tcp:\/\/10\.0\.0\.5:2376.*unix socket or a named pipe only.*npipe:\/\/\/\/\.\/pipe\/docker_engine/s),
    }));
    expect(() => parseDockerHost('ssh://me@host', 'linux')).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringContaining('ssh://') }));
    expect(() => parseDockerHost('/var/run/docker.sock', 'linux')).toThrow(expect.objectContaining({ code: 'InvalidArgument', message: expect.stringContaining('not a Docker endpoint') }));
  });
});
