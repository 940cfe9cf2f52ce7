import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../ts-core/src/protocol/dispatcher.js';
import { containerCommands, containerCreate, containerExec } from '../../../ts-core/src/commands/container.js';
import { imageCommands } from '../../../ts-core/src/commands/image.js';
import { isolationCommands } from '../../../ts-core/src/commands/isolation.js';
import { isolationCompatibility } from '../../../ts-core/src/commands/policy.js';
import { containerConverge } from '../../../ts-core/src/commands/converge.js';

// Every case is refused by the argument schema, before any handler runs: no backend is touched.
const dispatcher = new Dispatcher([...containerCommands, ...imageCommands, ...isolationCommands, isolationCompatibility, containerConverge]);

async function refusal(command: string, args: Record<string, unknown>) {
  const response = await dispatcher.execute(1, command, args, () => {});
  if (response.success) throw new Error(`${command} accepted ${JSON.stringify(args).slice(0, 200)}`);
  return response.error;
}

const create = (extra: Record<string, unknown>) => ({ name: 'web', image: 'busybox', ...extra });
const exec = (extra: Record<string, unknown>) => ({ name: 'web', command: ['true'], ...extra });

/** What zod says on its own; none of it may reach a person. */
const zodText = /✖|→|Invalid input|Invalid key|Too (big|small)|expected (string|number|array)|Invalid arguments for/;

describe('request fields a person types: a refusal names the value and what to give instead', () => {
  it.each([
    // [what, command, arguments, code, fragments the message must contain]
    ["an environment variable name with '='", 'container.create', create({ env: { 'A=B': '1' } }), 'InvalidArgument', ['"A=B"', "contains '='", "without '=' or NUL"]],
    ['an environment variable name with NUL', 'container.create', create({ env: { 'A\0B': '1' } }), 'InvalidArgument', ['"A\\u0000B"', 'NUL']],
    ['an empty environment variable name', 'container.create', create({ env: { '': 'x' } }), 'InvalidArgument', ['empty name', '"x"']],
    ['an environment value with NUL', 'container.exec', exec({ env: { GREETING: 'a\0b' } }), 'InvalidArgument', ['"GREETING"', 'NUL']],
    ['a 70,000-character environment variable name', 'container.create', create({ env: { ['N'.repeat(70_000)]: '1' } }), 'InvalidArgument', ['70000 characters long', 'at most 1024', 'shorter name']],
    ['a 100,000-character environment value', 'container.exec', exec({ env: { BIG: 'v'.repeat(100_000) } }), 'InvalidArgument', ['"BIG"', '100000 characters long', 'in a file']],
    ['1,001 environment variables', 'container.create', create({ env: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`V${i}`, '1'])) }), 'InvalidArgument', ['1001 environment variables', 'at most 1000']],
    ['a relative working directory (create)', 'container.create', create({ workingDir: 'tmp' }), 'InvalidArgument', ['"tmp"', 'not an absolute path', '/tmp']],
    ['a relative working directory (exec)', 'container.exec', exec({ workingDir: 'app/bin' }), 'InvalidArgument', ['"app/bin"', 'not an absolute path', '/tmp']],
    ['a drive path for exec', 'container.exec', exec({ workingDir: 'C:\\app' }), 'InvalidArgument', ['"C:\\\\app"', 'not an absolute path']],
    ['an empty working directory', 'container.create', create({ workingDir: '' }), 'InvalidArgument', ['working directory is empty', 'leave it out']],
    ['a working directory over 4096 characters', 'container.create', create({ workingDir: `/${'d'.repeat(5000)}` }), 'InvalidArgument', ['5001 characters', 'at most 4096']],
    ['a user with two colons', 'container.create', create({ user: 'a:b:c' }), 'InvalidArgument', ['"a:b:c"', "more than one ':'", 'uid[:gid]', 'name[:group]']],
    ['a user with a space', 'container.exec', exec({ user: 'web user' }), 'InvalidArgument', ['"web user"', 'white space']],
    ['a user with an empty group', 'container.exec', exec({ user: '1000:' }), 'InvalidArgument', ['"1000:"', 'empty']],
    ['an empty user', 'container.create', create({ user: '' }), 'InvalidArgument', ['""', 'it is empty']],
    ['a host name starting with -', 'container.create', create({ hostname: '-web' }), 'InvalidArgument', ['"-web"', 'starting with a letter or digit']],
    ['an image over 300 characters', 'container.create', create({ image: 'i'.repeat(301) }), 'InvalidArgument', ['301 characters', 'at most 300', '"iiii']],
    ['an empty image', 'container.create', create({ image: '' }), 'InvalidArgument', ['image is empty', 'busybox']],
    ['an image with a space', 'container.create', create({ image: 'busy box' }), 'InvalidArgument', ['"busy box"', 'white space']],
    ['a command argument with NUL', 'container.create', create({ command: ['sh', 'a\0b'] }), 'InvalidArgument', ['Argument 2', '"a\\u0000b"', 'NUL']],
    ['a command of 1001 arguments', 'container.create', create({ command: Array.from({ length: 1001 }, () => 'x') }), 'InvalidArgument', ['1001 arguments', 'at most 1000']],
    ['a command argument over 65536 characters', 'container.exec', exec({ command: ['echo', 'x'.repeat(65_537)] }), 'InvalidArgument', ['Argument 2', '65537 characters', 'at most 65536']],
    ['an empty command for exec', 'container.exec', exec({ command: [] }), 'InvalidArgument', ['command is empty', 'separate strings']],
    ['a memory limit under 6 MiB', 'container.create', create({ memoryMB: 5 }), 'InvalidArgument', ['memory limit (memoryMB) 5', 'whole number of MiB from 6']],
    ['a fractional memory limit', 'container.create', create({ memoryMB: 64.5 }), 'InvalidArgument', ['memory limit (memoryMB) 64.5', 'whole number']],
    ['a CPU limit under 0.01', 'container.create', create({ cpuCount: 0.001 }), 'InvalidArgument', ['CPU limit (cpuCount) 0.001', '0.01 to 1024']],
    ['a stop timeout over an hour', 'container.stop', { name: 'web', timeoutSeconds: 4000 }, 'InvalidArgument', ['stop timeout (timeoutSeconds) 4000', 'from 0 to 3600']],
    ['an exec timeout of 0', 'container.exec', exec({ timeoutSeconds: 0 }), 'InvalidArgument', ['command timeout (timeoutSeconds) 0', 'from 1 to 3600']],
    ['a negative tail', 'container.logs', { name: 'web', tail: -1 }, 'InvalidArgument', ['lines to read (tail) -1', 'whole number of lines']],
    ['a since that is not a time', 'container.logs', { name: 'web', since: 'yesterday' }, 'InvalidArgument', ['"yesterday"', 'ISO 8601 UTC', '2026-01-31T12:00:00Z']],
    ['a since with an offset', 'container.logs', { name: 'web', since: '2026-01-31T12:00:00+02:00' }, 'InvalidArgument', ['"2026-01-31T12:00:00+02:00"', 'UTC']],
    ['a name pattern with a line break', 'container.list', { names: ['web\nrm'] }, 'InvalidArgument', ['"web\\nrm"', 'line break']],
    ['1001 name patterns', 'container.list', { names: Array.from({ length: 1001 }, (_, i) => `c${i}`) }, 'InvalidArgument', ['1001 names', 'at most 1000', 'batches']],
    ['an image name pattern over 200 characters', 'image.list', { names: ['p'.repeat(201)] }, 'InvalidArgument', ['201 characters', 'at most 200']],
    ['an upper-case image name to import', 'image.import', { path: '/tmp/x.tar', name: 'BusyBox' }, 'InvalidImageReference', ['"BusyBox"', 'lowercase', "'busybox'"]],
    ['an image name with a slash to remove', 'image.remove', { name: 'a/b' }, 'InvalidImageReference', ['"a/b"', 'lowercase']],
    ['an empty path to import', 'image.import', { path: '', name: 'busybox' }, 'InvalidArgument', ['path to import is empty']],
    ['no containers to test', 'isolation.test', { names: [] }, 'InvalidArgument', ['list of containers to test is empty']],
    ['1001 containers to test', 'isolation.test', { names: Array.from({ length: 1001 }, (_, i) => `c${i}`) }, 'InvalidArgument', ['1001 containers', 'at most 1000', 'batches of 1000']],
    ['a container name of 2000 characters to test', 'isolation.test', { names: ['n'.repeat(2000)] }, 'InvalidContainerName', ['2000 characters', 'at most 63']],
    ['an image reference over 1024 characters', 'isolation.compatibility', { images: [{ reference: 'r'.repeat(1025) }], host: { build: 20348 } }, 'InvalidArgument', ['1025 characters', 'at most 1024']],
    ['an image build over 64 characters', 'isolation.compatibility', { images: [{ reference: 'busybox', imageBuild: '1'.repeat(65) }], host: { build: 20348 } }, 'InvalidArgument', ['image build', '65 characters', '20348']],
    ['a host edition over 200 characters', 'isolation.compatibility', { images: [{ reference: 'busybox' }], host: { edition: 'W'.repeat(201) } }, 'InvalidArgument', ['host edition', '201 characters']],
    ['no images to check', 'isolation.compatibility', { images: [], host: { build: 20348 } }, 'InvalidArgument', ['list of images is empty']],
    ['a desired image over 300 characters', 'container.converge', { mode: 'test', desired: { name: 'web', image: 'i'.repeat(301) } }, 'InvalidArgument', ['301 characters', 'at most 300']],
    ['a desired command argument with NUL', 'container.converge', { mode: 'test', desired: { name: 'web', command: ['a\0'] } }, 'InvalidArgument', ['Argument 1', 'NUL']],
  ] as const)('%s', async (_what, command, args, code, fragments) => {
    const error = await refusal(command, args);
    expect(error.code).toBe(code);
    expect(error.category).toBe('InvalidArgument');
    for (const fragment of fragments) expect(error.message).toContain(fragment);
    expect(error.message).not.toMatch(zodText);
    // A value is shown cut to 80 characters, whatever its length.
    expect(error.message.length).toBeLessThan(400);
  });

  it('names the field in the details, for callers that act on it', async () => {
    const error = await refusal('container.create', create({ env: { 'A=B': '1' } }));
    expect(error.details).toMatchObject({ field: 'env' });
  });

  it('still answers a wrong type with the rule of the generic path (which field, which type)', async () => {
    const error = await refusal('container.create', create({ memoryMB: 'lots' }));
    expect(error.code).toBe('InvalidArgument');
    expect(error.message).toContain('memoryMB');
  });
});

describe('request fields: what is accepted', () => {
  it('takes the usual values of container.create', () => {
    for (const extra of [
      { env: { GREETING: 'hello', EMPTY: '', 'WITH.DOT': 'x' } },
      { workingDir: '/tmp' },
      { workingDir: 'C:\\app' },
      { user: '65534:65534' },
      { user: 'nobody' },
      { user: 'nobody:nogroup' },
      { hostname: 'web-1.example' },
      { command: ['sh', '-c', 'echo "$GREETING"', ''] },
      { memoryMB: 6, cpuCount: 0.01 },
      { image: 'mcr.microsoft.com/windows/servercore:ltsc2022' },
    ]) {
      const parsed = containerCreate.args.safeParse(create(extra));
      expect(parsed.success, JSON.stringify(extra)).toBe(true);
    }
  });

  it('takes an absolute POSIX working directory for exec', () => {
    expect(containerExec.args.safeParse(exec({ workingDir: '/srv/app', user: '1000' })).success).toBe(true);
  });

  it('takes an ISO 8601 UTC since with and without milliseconds', async () => {
    const { containerLogs } = await import('../../../ts-core/src/commands/container.js');
    expect(containerLogs.args.safeParse({ name: 'web', since: '2026-01-31T12:00:00Z' }).success).toBe(true);
    expect(containerLogs.args.safeParse({ name: 'web', since: '2026-01-31T12:00:00.123Z', tail: 0 }).success).toBe(true);
  });
});
