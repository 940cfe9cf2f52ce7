import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonDocument, readJsonDocument, type JsonDocumentProblem } from '../../../ts-core/src/util/jsonDocument.js';

const schema = z.object({ name: z.string(), size: z.number().int() });

class Refused extends Error {
  constructor(readonly problem: JsonDocumentProblem) {
    super(`${problem.kind}: ${problem.message}`);
  }
}
const refuse = (problem: JsonDocumentProblem) => new Refused(problem);

describe('parseJsonDocument', () => {
  it('returns the validated document, with the schema applied', () => {
    expect(parseJsonDocument('{"name":"a","size":3,"extra":true}', schema, refuse)).toEqual({ name: 'a', size: 3 });
  });

  it('says "syntax" with the parser\'s message when the text is not JSON', () => {
    expect(() => parseJsonDocument('{"name":', schema, refuse)).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ kind: 'syntax', cause: expect.any(SyntaxError) }) }),
    );
  });

  it('says "shape" with every issue when the JSON is of another shape', () => {
    let problem: JsonDocumentProblem | undefined;
    expect(() => parseJsonDocument('{"name":1,"size":1.5}', schema, (p) => ((problem = p), new Error('refused')))).toThrow('refused');
    expect(problem).toMatchObject({ kind: 'shape', cause: expect.any(z.ZodError) });
    expect(problem!.message).toMatch(/name/);
    expect(problem!.message).toMatch(/size/);
  });

  it('uses the parser it is given', () => {
    const parse = (text: string) => ({ name: text, size: 1 });
    expect(parseJsonDocument('not json at all', schema, refuse, parse)).toEqual({ name: 'not json at all', size: 1 });
  });
});

describe('readJsonDocument', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wc-jsondoc-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file, says null when there is none, and refuses a damaged one', () => {
    const file = path.join(dir, 'doc.json');
    expect(readJsonDocument(file, schema, refuse)).toBeNull();
    writeFileSync(file, '{"name":"a","size":3}\n');
    expect(readJsonDocument(file, schema, refuse)).toEqual({ name: 'a', size: 3 });
    writeFileSync(file, '{"name":"a"');
    expect(() => readJsonDocument(file, schema, refuse)).toThrow(Refused);
  });

  it('throws other read errors as they are', () => {
    expect(() => readJsonDocument(dir, schema, refuse)).toThrow(expect.objectContaining({ code: 'EISDIR' }));
  });
});
