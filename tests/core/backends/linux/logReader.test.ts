import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCappedLog } from '../../../../ts-core/src/backends/linux/logReader.js';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wc-logreader-')); });
afterEach(() => { fs.rmSync(dir, { recursive: true, force: true }); });

const read = (options: Partial<Parameters<typeof readCappedLog>[0]> = {}) =>
  readCappedLog({ dir, file: 'container.log', stream: 'output', tail: null, cursor: null, maxBytes: 1 << 20, live: false, ...options });
const texts = (chunk: ReturnType<typeof read>) => chunk.lines.map((l) => l.text);

describe('readCappedLog', () => {
  it('reads the rotated file before the current one, and -Tail takes the last lines', () => {
    fs.writeFileSync(path.join(dir, 'container.log.1'), 'a\nb\n');
    fs.writeFileSync(path.join(dir, 'container.log'), 'c\nd\n');
    expect(texts(read())).toEqual(['a', 'b', 'c', 'd']);
    expect(texts(read({ tail: 3 }))).toEqual(['b', 'c', 'd']);
    expect(texts(read({ tail: 0 }))).toEqual([]);
  });

  it('gives only what came after a cursor, across a rotation', () => {
    const file = path.join(dir, 'container.log');
    fs.writeFileSync(file, 'one\n');
    const first = read({ live: true });
    expect(texts(first)).toEqual(['one']);
    fs.appendFileSync(file, 'two\n');
    fs.renameSync(file, `${file}.1`); // the writer rotates
    fs.writeFileSync(file, 'three\n');
    expect(texts(read({ cursor: first.cursor, live: true }))).toEqual(['two', 'three']);
  });

  it('holds back a line still being written while the container runs, and gives it once it has exited', () => {
    fs.writeFileSync(path.join(dir, 'container.log'), 'whole\npart');
    const live = read({ live: true });
    expect(texts(live)).toEqual(['whole']);
    fs.appendFileSync(path.join(dir, 'container.log'), 'ial\n');
    expect(texts(read({ cursor: live.cursor, live: true }))).toEqual(['partial']);
  });

  it('reads at most maxBytes, newest first, and says the rest was left out', () => {
    fs.writeFileSync(path.join(dir, 'container.log'), Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const chunk = read({ maxBytes: 1024 });
    expect(chunk.truncated).toBe(true);
    expect(texts(chunk).at(-1)).toBe('line 999');
    expect(texts(chunk).join('\n').length).toBeLessThanOrEqual(1024);
    expect(texts(chunk)[0]).toMatch(/^line \d+$/); // the cut first line is dropped
  });

  it('drops terminal escapes from a console log, refuses a cursor it did not give, and reads nothing when there is no log', () => {
    fs.writeFileSync(path.join(dir, 'console.log'), '\x1bc\x1b[2Jhello\r\n');
    expect(texts(read({ file: 'console.log', stream: 'console' }))).toEqual(['hello']);
    expect(() => read({ cursor: '../etc' })).toThrow(/cursor/);
    fs.rmSync(path.join(dir, 'console.log'));
    expect(read({ file: 'nothing.log' }).lines).toEqual([]);
  });

  it('does not follow a symlink planted as the log', () => {
    fs.writeFileSync(path.join(dir, 'secret'), 'secret\n');
    fs.symlinkSync(path.join(dir, 'secret'), path.join(dir, 'container.log'));
    expect(read().lines).toEqual([]);
  });
});
