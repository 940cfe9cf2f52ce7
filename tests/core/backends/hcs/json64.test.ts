import { describe, expect, it } from 'vitest';
import { parseJson64, Json64SyntaxError } from '../../../../ts-core/src/backends/hcs/json64.js';

describe('parseJson64', () => {
  it('keeps integers above 2^53 exact as bigint, where JSON.parse rounds them', () => {
    const text = '{"a":9007199254740993,"b":18446744073709551615,"c":9007199254740991,"d":-9007199254740993}';
    expect(JSON.parse(text).a).toBe(9007199254740992); // the loss this parser exists to avoid
    expect(parseJson64(text)).toEqual({ a: 9007199254740993n, b: 18446744073709551615n, c: 9007199254740991, d: -9007199254740993n });
  });

  it('parses everything else as JSON.parse does', () => {
    const text = '{"s":"a\\"b\\\\c\\u00fc\\n","f":1.5e3,"z":-0.25,"t":true,"n":null,"arr":[1,[2,{}],[]],"u":"конт-容器-ü 🐳"}';
    expect(parseJson64(text)).toEqual(JSON.parse(text));
  });

  it('keeps a "__proto__" key an ordinary property', () => {
    const value = parseJson64('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['{"a":1', 'Expected'],
    ['{"a":01}', 'Expected'],
    ['[1,2,]', 'Unexpected token'],
    ['{"a":"x\ny"}', 'Control character'],
    ['{"a":1} trailing', 'Unexpected text after the document'],
    ['', 'Unexpected end of document'],
    ['"\\x"', 'Bad escape'],
  ])('rejects %j with an offset', (text, message) => {
    expect(() => parseJson64(text)).toThrow(Json64SyntaxError);
    expect(() => parseJson64(text)).toThrow(new RegExp(`${message}.* at offset \\d+`));
  });
});
