import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';

// The CLI is tested through the real bundle, the way the module and DSC run it.
const bundle = path.resolve('dist/windowscontainers-core.cjs');

beforeAll(async () => {
  await execa('node', ['build/bundle.mjs']);
  expect(existsSync(bundle)).toBe(true);
});

describe('one-shot CLI', () => {
  it('prints the response and exits 0 on success', async () => {
    const result = await execa('node', [bundle, 'core.ping', '--json', '{"echo":"x"}']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ success: true, body: { echo: 'x' } });
  });

  it.each([
    ['an unknown command', ['core.nope'], 2, 'UnknownCommand'],
    ['invalid arguments', ['core.sleep', '--json', '{"milliseconds":"soon"}'], 2, 'InvalidArgument'],
  ])('exits with the error class code for %s', async (_what, args, exitCode, code) => {
    const result = await execa('node', [bundle, ...args], { reject: false });
    expect(result.exitCode).toBe(exitCode);
    expect(JSON.parse(result.stdout)).toMatchObject({ success: false, error: { code } });
  });

  it('refuses --json that is not JSON, on stderr, with exit 2', async () => {
    const result = await execa('node', [bundle, 'core.ping', '--json', '{'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--json is not valid JSON');
  });

  it('reads the arguments from stdin with --stdin, and refuses stdin that is not JSON or over 1 MiB', async () => {
    const ok = await execa('node', [bundle, 'core.ping', '--stdin'], { input: '{"echo":"from stdin"}' });
    expect(JSON.parse(ok.stdout)).toMatchObject({ success: true, body: { echo: 'from stdin' } });
    const bad = await execa('node', [bundle, 'core.ping', '--stdin'], { input: '{', reject: false });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('stdin is not valid JSON');
    const large = await execa('node', [bundle, 'core.ping', '--stdin'], { input: `{"echo":"${'x'.repeat(1024 * 1024)}"}`, reject: false });
    expect(large.exitCode).toBe(2);
    expect(large.stderr).toContain('more than 1 MiB');
  });

  it('serves the DSC v3 resource: a bad operation or instance is refused as a JSON line on stderr, stdout empty', async () => {
    const operation = await execa('node', [bundle, 'dsc', 'apply'], { input: '{}', reject: false });
    expect(operation.exitCode).toBe(2);
    expect(operation.stdout).toBe('');
    expect(JSON.parse(operation.stderr)).toMatchObject({ error: expect.stringContaining('get, test, set, delete, export') });
    const instance = await execa('node', [bundle, 'dsc', 'test'], { input: '{"name":"web","state":"paused"}', reject: false });
    expect(instance.exitCode).toBe(2);
    expect(instance.stdout).toBe('');
    expect(JSON.parse(instance.stderr.trim().split('\n').at(-1)!)).toMatchObject({ error: expect.stringContaining('state') });
  });

  it('writes logs to stderr only', async () => {
    const result = await execa('node', [bundle, 'core.sleep', '--json', '{"milliseconds":1}']);
    expect(result.stderr).toContain('[verbose] Sleeping 1 ms.');
    expect(() => JSON.parse(result.stdout)).not.toThrow();
  });
});

describe('server mode', () => {
  it('exits by itself when its stdin closes', async () => {
    const child = spawn('node', [bundle, 'serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stdin.end('{"id":1,"command":"core.ping"}\n');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(2);
  });
});
