import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getImage, importImage, listImages, removeImage } from '../../../../ts-core/src/backends/linux/images.js';
import { readTar } from '../../../../ts-core/src/backends/linux/tar.js';
import { symlinkStaysInside } from '../../../../ts-core/src/backends/linux/layers.js';
import { makeTar, makeTarGz, type TestEntry } from '../../helpers/tarWriter.js';

let work: string;
let state: string;
const savedState = process.env.WINDOWSCONTAINERS_STATE_DIR;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-images-'));
  state = path.join(work, 'state');
  process.env.WINDOWSCONTAINERS_STATE_DIR = state;
});

afterEach(() => {
  fs.rmSync(work, { recursive: true, force: true });
  if (savedState === undefined) delete process.env.WINDOWSCONTAINERS_STATE_DIR;
  else process.env.WINDOWSCONTAINERS_STATE_DIR = savedState;
});

function write(name: string, data: Buffer): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, data);
  return file;
}

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The store holds exactly these image directories and no leftovers (temp dirs). */
function storeEntries(): string[] {
  try {
    return fs.readdirSync(path.join(state, 'images')).sort();
  } catch {
    return [];
  }
}

const baseLayer: TestEntry[] = [
  { path: 'etc/', type: 'directory' },
  { path: 'etc/keep.conf', content: 'keep\n' },
  { path: 'etc/remove-me', content: 'gone soon\n' },
  { path: 'etc/old-dir/', type: 'directory' },
  { path: 'etc/old-dir/inner', content: 'inner\n' },
  { path: 'opaque/', type: 'directory' },
  { path: 'opaque/lower-file', content: 'lower\n' },
  { path: 'bin/', type: 'directory' },
  { path: 'bin/tool', content: 'v1', mode: 0o755 },
  { path: 'bin/link', type: 'symlink', linkTarget: '/bin/tool' },
  { path: 'bin/hard', type: 'hardlink', linkTarget: 'bin/tool' },
];
const upperLayer: TestEntry[] = [
  { path: 'opaque/', type: 'directory' },
  { path: 'opaque/.wh..wh..opq', content: '' },
  { path: 'opaque/upper-file', content: 'upper\n' },
  { path: 'etc/.wh.remove-me', content: '' },
  { path: 'etc/.wh.old-dir', content: '' },
  { path: 'bin/tool', content: 'v2', mode: 0o750 },
];

describe('importing a rootfs tarball', () => {
  it('unpacks files, directories, symlinks and hard links with their modes', async () => {
    const file = write('rootfs.tar', makeTar(baseLayer));
    const record = await importImage({ name: 'base', path: file });
    const rootfs = getImage('base').rootfs;
    expect(record).toMatchObject({ name: 'base', format: 'rootfs', layers: 1 });
    expect(fs.readFileSync(path.join(rootfs, 'etc/keep.conf'), 'utf8')).toBe('keep\n');
    expect(fs.statSync(path.join(rootfs, 'bin/tool')).mode & 0o7777).toBe(0o755);
    expect(fs.readlinkSync(path.join(rootfs, 'bin/link'))).toBe('/bin/tool');
    expect(fs.statSync(path.join(rootfs, 'bin/hard')).ino).toBe(fs.statSync(path.join(rootfs, 'bin/tool')).ino);
    expect(storeEntries()).toEqual(['base']);
  });

  it('reads gzip-compressed tarballs and ./-prefixed names', async () => {
    const file = write('rootfs.tar.gz', makeTarGz([{ path: './', type: 'directory' }, { path: './hello.txt', content: 'hi' }]));
    await importImage({ name: 'gz', path: file });
    expect(fs.readFileSync(path.join(getImage('gz').rootfs, 'hello.txt'), 'utf8')).toBe('hi');
  });

  it('lists and removes images, and says which exist when one is missing', async () => {
    const file = write('rootfs.tar', makeTar([{ path: 'a', content: 'a' }]));
    await importImage({ name: 'one', path: file });
    await importImage({ name: 'two', path: file });
    expect(listImages().map((i) => i.name)).toEqual(['one', 'two']);
    removeImage('one');
    expect(listImages().map((i) => i.name)).toEqual(['two']);
    expect(storeEntries()).toEqual(['two']);
    expect(() => removeImage('one')).toThrow(expect.objectContaining({
      code: 'ImageNotFound',
      message: expect.stringMatching(/Known images: two/),
      details: expect.objectContaining({ name: 'one' }),
    }));
  });

  it('refuses a duplicate name and an invalid name without touching the store', async () => {
    const file = write('rootfs.tar', makeTar([{ path: 'a', content: 'a' }]));
    await importImage({ name: 'dup', path: file });
    await expect(importImage({ name: 'dup', path: file })).rejects.toMatchObject({ code: 'ImageAlreadyExists', message: expect.stringMatching(/'dup'/) });
    await expect(importImage({ name: 'Bad/Name', path: file })).rejects.toMatchObject({
      code: 'InvalidImageReference',
      message: expect.stringMatching(/"Bad\/Name"/),
    });
    await expect(importImage({ name: '../x', path: file })).rejects.toMatchObject({ code: 'InvalidImageReference' });
    expect(storeEntries()).toEqual(['dup']);
  });

  it('refuses truncated and non-tar files, leaving nothing', async () => {
    const whole = makeTar([{ path: 'big', content: Buffer.alloc(5000, 1) }]);
    await expect(importImage({ name: 'trunc', path: write('t.tar', whole.subarray(0, 2000)) })).rejects.toMatchObject({
      code: 'InvalidImageArchive',
      message: expect.stringMatching(/truncated/),
    });
    await expect(importImage({ name: 'junk', path: write('j.tar', Buffer.from('this is not a tar archive'.repeat(40))) })).rejects.toMatchObject({
      code: 'InvalidImageArchive',
    });
    await expect(importImage({ name: 'none', path: path.join(work, 'missing.tar') })).rejects.toMatchObject({
      code: 'InvalidArgument',
      message: expect.stringMatching(/does not exist/),
    });
    expect(storeEntries()).toEqual([]);
  });
});

describe('refusing archives that reach outside the image', () => {
  const cases: [string, TestEntry[]][] = [
    ['a ../ path', [{ path: '../escaped', content: 'x' }]],
    ['a ../ in the middle', [{ path: 'a/../../escaped', content: 'x' }]],
    ['an absolute path', [{ path: '/tmp/escaped-absolute', content: 'x' }]],
    ['a relative symlink climbing out', [{ path: 'etc/', type: 'directory' }, { path: 'etc/evil', type: 'symlink', linkTarget: '../../../../etc/passwd' }]],
    ['an absolute symlink climbing out with ..', [{ path: 'evil', type: 'symlink', linkTarget: '/../../etc' }]],
    ['a file written through a symlinked directory', [{ path: 'hostetc', type: 'symlink', linkTarget: '/etc' }, { path: 'hostetc/wc-test-escape', content: 'x' }]],
    ['a hard link to a path outside', [{ path: 'hl', type: 'hardlink', linkTarget: '../../etc/passwd' }]],
    ['a hard link to a missing file', [{ path: 'hl', type: 'hardlink', linkTarget: 'nowhere' }]],
  ];
  it.each(cases)('refuses %s with InvalidImageArchive and imports nothing', async (_what, entries) => {
    const file = write('evil.tar', makeTar(entries));
    const importing = importImage({ name: 'evil', path: file });
    await expect(importing).rejects.toMatchObject({ code: 'InvalidImageArchive', message: expect.stringMatching(/refused|outside|climbs|absolute/) });
    await expect(importing).rejects.toThrow(file);
    expect(storeEntries()).toEqual([]);
    expect(fs.existsSync(path.join(work, 'escaped'))).toBe(false);
    expect(fs.existsSync('/tmp/escaped-absolute')).toBe(false);
    expect(fs.existsSync('/etc/wc-test-escape')).toBe(false);
  });

  it('judges symlink targets the way the container resolves them', () => {
    expect(symlinkStaysInside(['bin', 'sh'], '/bin/busybox')).toBe(true);
    expect(symlinkStaysInside(['usr', 'bin', 'x'], '../../bin/busybox')).toBe(true);
    expect(symlinkStaysInside(['usr', 'bin', 'x'], '../../../bin/busybox')).toBe(false);
    expect(symlinkStaysInside(['x'], '')).toBe(false);
  });
});

function dockerSaveArchive(layers: TestEntry[][], config: object): Buffer {
  const entries: TestEntry[] = [];
  const names: string[] = [];
  layers.forEach((layer, i) => {
    const id = `layer${i}`;
    entries.push({ path: `${id}/`, type: 'directory' }, { path: `${id}/layer.tar`, content: makeTar(layer) });
    names.push(`${id}/layer.tar`);
  });
  entries.push({ path: 'config.json', content: JSON.stringify(config) });
  entries.push({ path: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', RepoTags: ['test:latest'], Layers: names }]) });
  return makeTar(entries);
}

function ociLayout(layers: Buffer[], config: object): TestEntry[] {
  const blobs: TestEntry[] = [];
  const blob = (data: Buffer) => {
    const digest = sha(data);
    blobs.push({ path: `blobs/sha256/${digest}`, content: data });
    return { digest: `sha256:${digest}`, size: data.length };
  };
  const layerDescriptors = layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob(l) }));
  const configDescriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', ...blob(Buffer.from(JSON.stringify(config))) };
  const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, config: configDescriptor, layers: layerDescriptors })));
  return [
    { path: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    { path: 'index.json', content: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os: 'linux', architecture: 'amd64' } }] }) },
    { path: 'blobs/', type: 'directory' },
    { path: 'blobs/sha256/', type: 'directory' },
    ...blobs,
  ];
}

function expectLayersApplied(rootfs: string): void {
  expect(fs.readFileSync(path.join(rootfs, 'etc/keep.conf'), 'utf8')).toBe('keep\n');
  expect(fs.existsSync(path.join(rootfs, 'etc/remove-me'))).toBe(false);
  expect(fs.existsSync(path.join(rootfs, 'etc/old-dir'))).toBe(false);
  expect(fs.readdirSync(path.join(rootfs, 'opaque'))).toEqual(['upper-file']);
  expect(fs.readFileSync(path.join(rootfs, 'bin/tool'), 'utf8')).toBe('v2');
  expect(fs.statSync(path.join(rootfs, 'bin/tool')).mode & 0o7777).toBe(0o750);
  // No whiteout marker survives into the rootfs.
  const all = fs.readdirSync(rootfs, { recursive: true }).map(String);
  expect(all.filter((p) => path.basename(p).startsWith('.wh.'))).toEqual([]);
}

describe('importing layered images', () => {
  const config = { config: { Env: ['PATH=/bin', 'GREETING=hello'], Cmd: ['/bin/tool', '--serve'], WorkingDir: '/srv' } };

  it('applies docker save layers in order with whiteouts and opaque directories', async () => {
    const file = write('image.tar', dockerSaveArchive([baseLayer, upperLayer], config));
    const record = await importImage({ name: 'docker-img', path: file });
    expect(record).toMatchObject({ format: 'docker-archive', layers: 2 });
    expect(record.config).toEqual({ env: ['PATH=/bin', 'GREETING=hello'], entrypoint: null, cmd: ['/bin/tool', '--serve'], workingDir: '/srv', user: null });
    expectLayersApplied(getImage('docker-img').rootfs);
  });

  it('applies an OCI image layout (tar) with gzip layers', async () => {
    const file = write('oci.tar', makeTar(ociLayout([makeTarGz(baseLayer), makeTarGz(upperLayer)], config)));
    const record = await importImage({ name: 'oci-img', path: file });
    expect(record).toMatchObject({ format: 'oci-layout', layers: 2 });
    expect(record.config.cmd).toEqual(['/bin/tool', '--serve']);
    expectLayersApplied(getImage('oci-img').rootfs);
  });

  it('applies an OCI image layout given as a directory', async () => {
    const dir = path.join(work, 'layout');
    for (const entry of ociLayout([makeTarGz(baseLayer), makeTarGz(upperLayer)], config)) {
      const target = path.join(dir, entry.path);
      if (entry.type === 'directory') fs.mkdirSync(target, { recursive: true });
      else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, entry.content ?? '');
      }
    }
    await importImage({ name: 'oci-dir', path: dir });
    expectLayersApplied(getImage('oci-dir').rootfs);
  });

  it('refuses a layer that escapes, even in an upper layer, and leaves no partial image', async () => {
    const file = write('image.tar', dockerSaveArchive([baseLayer, [{ path: '../../escape', content: 'x' }]], config));
    await expect(importImage({ name: 'bad-layer', path: file })).rejects.toMatchObject({
      code: 'InvalidImageArchive',
      message: expect.stringMatching(/layer layer1/),
    });
    expect(storeEntries()).toEqual([]);
  });

  it('refuses a manifest naming a layer the archive lacks', async () => {
    const archive = makeTar([
      { path: 'config.json', content: '{}' },
      { path: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', Layers: ['missing/layer.tar'] }]) },
    ]);
    await expect(importImage({ name: 'missing-layer', path: write('m.tar', archive) })).rejects.toMatchObject({
      code: 'InvalidImageArchive',
      message: expect.stringMatching(/missing\/layer.tar/),
    });
    expect(storeEntries()).toEqual([]);
  });
});

describe('the tar reader', () => {
  it('honours pax path overrides and GNU long names', () => {
    const longName = `${'d'.repeat(120)}/file`;
    const paxRecord = (key: string, value: string) => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 2;
      if (`${length}${body}`.length !== length) length = `${length}${body}`.length;
      return `${length}${body}`;
    };
    const archive = Buffer.concat([
      makeTar([{ path: 'PaxHeader', type: 'file', content: paxRecord('path', longName) }]).subarray(0, 1024),
      makeTar([{ path: 'short', content: 'data' }]),
    ]);
    // Turn the first entry into a pax header ('x') and fix its checksum.
    archive[156] = 'x'.charCodeAt(0);
    archive.write('        ', 148, 'ascii');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += archive[i]!;
    archive.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    const entries = readTar(archive, 'test');
    expect(entries).toHaveLength(1);
    expect(entries[0]!.path).toBe(longName);
    expect(entries[0]!.data.toString()).toBe('data');
  });
});
