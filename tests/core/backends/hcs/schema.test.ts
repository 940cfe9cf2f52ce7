import { describe, expect, it } from 'vitest';
import {
  enumerateResultSchema,
  parseHcsDocument,
  parseResultError,
  propertiesSchema,
  systemQuerySchema,
} from '../../../../ts-core/src/backends/hcs/schema.js';
import { fixture } from './standin.js';

describe('HCS documents', () => {
  it("reads Docker's enumeration: RuntimeId normalised, an all-zero GUID as none", () => {
    const systems = parseHcsDocument(enumerateResultSchema, fixture('enumerate-docker.json'), 'the enumeration');
    expect(systems.map((s) => [s.SystemType, s.Owner, s.RuntimeId, s.HostingSystemId ?? null])).toEqual([
      ['Container', 'docker', null, null],
      ['Container', 'docker', '5d2c6c7e-1a0b-4b7e-9f43-2f4f0c3a8e11', null],
    ]);
  });

  it("reads containerd/hcsshim's enumeration: the utility VM <id>@vm and no container inside it", () => {
    const systems = parseHcsDocument(enumerateResultSchema, fixture('enumerate-containerd.json'), 'the enumeration');
    expect(systems.map((s) => [s.SystemType, s.Id.endsWith('@vm'), s.Owner, s.RuntimeId])).toEqual([
      ['VirtualMachine', true, 'containerd-shim-runhcs-v1.exe', '0b7e4c33-91a2-4e5f-8d6c-aa12bc34de56'],
      ['Container', false, 'containerd-shim-runhcs-v1.exe', null],
    ]);
  });

  it('parses ProcessDetails counters as exact 64-bit values, above 2^53 too', () => {
    const doc = `{"Id":"x","SystemType":"Container","ProcessList":${fixture('processlist-bigint.json')}}`;
    const [p] = parseHcsDocument(propertiesSchema, doc, 'properties').ProcessList!;
    expect(p).toMatchObject({
      ProcessId: 4294967295,
      UserTime100ns: 9007199254740993n,
      KernelTime100ns: 18446744073709551615n,
      MemoryCommitBytes: 9007199254740992n,
      MemoryWorkingSetPrivateBytes: 12345678901234567890n,
      MemoryWorkingSetSharedBytes: 1n,
    });
  });

  it('treats counters HCS omitted (Go omitempty) as zero', () => {
    const [p] = parseHcsDocument(propertiesSchema, '{"ProcessList":[{"ProcessId":7,"ImageName":"x.exe"}]}', 'properties').ProcessList!;
    expect(p).toMatchObject({ ProcessId: 7, UserTime100ns: 0n, MemoryCommitBytes: 0n });
  });

  it('reads null as "none" where HCS may write it, but not a missing ProcessList', () => {
    expect(parseHcsDocument(enumerateResultSchema, 'null', 'the enumeration')).toEqual([]);
    expect(parseHcsDocument(propertiesSchema, '{"ProcessList":null}', 'p').ProcessList).toEqual([]);
    expect(parseHcsDocument(propertiesSchema, '{"Id":"x"}', 'p').ProcessList).toBeUndefined();
  });

  it('names the field of a malformed document', () => {
    expect(() => parseHcsDocument(propertiesSchema, '{"ProcessList":[{"ProcessId":1},{"ProcessId":-5,"ImageName":"a"}]}', 'the ProcessList properties')).toThrow(expect.objectContaining({
      code: 'HcsDocumentInvalid',
      message: expect.stringMatching(/^HCS returned the ProcessList properties with an invalid field 'ProcessList\[1\]\.ProcessId'/),
      details: expect.objectContaining({ field: 'ProcessList[1].ProcessId' }),
    }));
  });

  it('names the offset of a document that is not JSON', () => {
    expect(() => parseHcsDocument(enumerateResultSchema, '[{"Id":"a",', 'the enumeration')).toThrow(expect.objectContaining({
      code: 'HcsDocumentInvalid',
      message: expect.stringMatching(/not valid JSON \(.* at offset 11\)/),
    }));
  });

  it('rejects a RuntimeId that is not a GUID and a uint64 that is negative', () => {
    expect(() => parseHcsDocument(enumerateResultSchema, '[{"Id":"a","SystemType":"VirtualMachine","RuntimeId":"nope"}]', 'e')).toThrow(expect.objectContaining({ message: expect.stringContaining("'[0].RuntimeId'") }));
    expect(() => parseHcsDocument(propertiesSchema, '{"ProcessList":[{"MemoryCommitBytes":-1}]}', 'p')).toThrow(expect.objectContaining({ message: expect.stringContaining("'ProcessList[0].MemoryCommitBytes'") }));
  });

  it('reads a ResultError and ignores an error document that does not parse', () => {
    const error = parseResultError(fixture('result-error-os-mismatch.json'));
    expect(error?.Error).toBe(-1070137087);
    expect(error?.ErrorEvents).toHaveLength(2);
    expect(parseResultError('{oops')).toBeNull();
    expect(parseResultError(null)).toBeNull();
  });

  it('only lets well-formed queries out', () => {
    expect(systemQuerySchema.safeParse({ Types: ['Container'], Ids: ['a'] }).success).toBe(true);
    expect(systemQuerySchema.safeParse({ Types: ['Host'] }).success).toBe(false);
    expect(systemQuerySchema.safeParse({ Extra: 1 }).success).toBe(false);
  });
});
