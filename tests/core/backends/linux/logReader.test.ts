import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCappedLog, splitLogTime } from '../../../../ts-core/src/backends/linux/logReader.js';
import { startLogWriter } from '../../../../ts-core/src/backends/linux/containerLog.js';
import { buildNativeWriter, writersUnderTest } from '../../helpers/logWriters.js';

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

  describe('time per line (-Since)', () => {
    it('strips the writer\'s time prefix into the timestamp and filters on it; lines without a time are left out and counted', () => {
      fs.writeFileSync(path.join(dir, 'container.log.1'), 'old line without time\n2026-12-02T07:00:00.000Z early\n');
      fs.writeFileSync(path.join(dir, 'container.log'), '2026-12-02T07:10:00.500Z late one\n2026-12-02T07:20:00.000Z  two spaces\n');
      const all = read();
      expect(all.lines.map((l) => [l.text, l.timestamp])).toEqual([
        ['old line without time', null], ['early', '2026-12-02T07:00:00.000Z'], ['late one', '2026-12-02T07:10:00.500Z'], [' two spaces', '2026-12-02T07:20:00.000Z']]);
      expect(all.untimed).toBe(0);
      const since = read({ since: '2026-12-02T07:10:00.500Z' });
      expect(texts(since)).toEqual(['late one', ' two spaces']);
      expect(since.untimed).toBe(1);
      expect(texts(read({ since: '2026-12-02T07:05:00Z', tail: 1 }))).toEqual([' two spaces']);
      expect(() => read({ since: 'yesterday' })).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    });

    it('does not take text that only looks like a time for one', () => {
      expect(splitLogTime('2026-13-45T99:99:99.999Z x')).toEqual({ text: '2026-13-45T99:99:99.999Z x', timestamp: null });
      expect(splitLogTime('2026-12-02T07:00:00Z x').timestamp).toBeNull();
    });

    // The native writer and the node fallback (containerLog.ts) must write what this reader reads.
    it.runIf(process.platform === 'linux').each(writersUnderTest)('has the $kind writer stamp each line, also across reads and partial lines, and rotate between lines', async (writer) => {
      if (writer.kind === 'native') buildNativeWriter();
      const pipe = await startLogWriter(dir, 'container.log', { ...writer.env, WINDOWSCONTAINERS_LOG_MAX_BYTES: '4096' });
      expect(pipe).not.toBeNull();
      expect(pipe!.writer).toBe(writer.kind);
      const before = Date.now();
      // Each write waits until the writer has taken the one before, so they are separate reads.
      const taken = async (text: string) => {
        const until = Date.now() + 10_000;
        const both = () => ['container.log.1', 'container.log'].map((f) => { try { return fs.readFileSync(path.join(dir, f), 'latin1'); } catch { return ''; } }).join('');
        while (!both().includes(text) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      };
      fs.writeSync(pipe!.writeFd, 'first\nsec');
      await taken('sec');
      fs.writeSync(pipe!.writeFd, 'ond\n');
      await taken('ond');
      // Enough lines to rotate at 4096 bytes (a line is 25 + 5 bytes), in batches.
      for (let batch = 0; batch < 4; batch++) {
        fs.writeSync(pipe!.writeFd, Array.from({ length: 50 }, (_, i) => `l${String(batch * 50 + i).padStart(3, '0')}\n`).join(''));
        await taken(`l${String(batch * 50 + 49).padStart(3, '0')}`);
      }
      pipe!.close();
      const deadline = Date.now() + 10_000;
      while (pipe!.writerPid !== null && Date.now() < deadline) {
        try { process.kill(pipe!.writerPid, 0); } catch { break; }
        await new Promise((r) => setTimeout(r, 20));
      }
      const chunk = read();
      expect(fs.existsSync(path.join(dir, 'container.log.1'))).toBe(true);
      expect(fs.statSync(path.join(dir, 'container.log')).size).toBeLessThanOrEqual(4096 + 65536);
      for (const line of chunk.lines) {
        expect(line.timestamp).not.toBeNull();
        expect(Date.parse(line.timestamp!)).toBeGreaterThanOrEqual(before - 5);
        expect(Date.parse(line.timestamp!)).toBeLessThanOrEqual(Date.now());
      }
      // Every kept line is whole (the rotation fell between lines) and in order.
      const kept = texts(chunk).filter((t) => t.startsWith('l'));
      expect(kept.length).toBeGreaterThan(0);
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => `l${String(200 - kept.length + i).padStart(3, '0')}`));
      expect(fs.readFileSync(path.join(dir, 'container.log.1'), 'latin1')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z /);
    });
  });
});
