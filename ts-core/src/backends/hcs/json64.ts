/**
 * A strict JSON parser that keeps 64-bit integers exact.
 *
 * HCS documents carry uint64 fields (UserTime100ns, MemoryCommitBytes, …).
 * `JSON.parse` turns every number into a double, so a value above 2^53
 * silently loses its low bits, and Node 20 has no reviver source access to
 * recover them. This parser returns integers that fit in a double exactly as
 * `number`, and larger integers as `bigint`; everything else as JSON.parse
 * would. Errors name the offset so a malformed document can be reported.
 */

export type Json64 = null | boolean | number | bigint | string | Json64[] | { [key: string]: Json64 };

export class Json64SyntaxError extends Error {
  override readonly name = 'Json64SyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

export function parseJson64(text: string): Json64 {
  let i = 0;
  const fail = (message: string): never => {
    throw new Json64SyntaxError(message, i);
  };
  const skipSpace = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };

  const parseString = (): string => {
    // text[i] === '"'
    i++;
    let out = '';
    let start = i;
    while (true) {
      if (i >= text.length) fail('Unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('Control character in string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Bad \\u escape');
            out += String.fromCharCode(Number.parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            i -= 2;
            fail('Bad escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  };

  const numberPattern = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const parseNumber = (): number | bigint => {
    numberPattern.lastIndex = i;
    const match = numberPattern.exec(text);
    if (!match) return fail('Bad number');
    const literal = match[0];
    i += literal.length;
    if (match[1] === undefined && match[2] === undefined) {
      const asNumber = Number(literal);
      return Number.isSafeInteger(asNumber) ? asNumber : BigInt(literal);
    }
    return Number(literal);
  };

  const parseValue = (depth: number): Json64 => {
    if (depth > 256) fail('Nesting too deep');
    skipSpace();
    const c = text[i];
    switch (c) {
      case '{': {
        i++;
        const obj: { [key: string]: Json64 } = {};
        skipSpace();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        while (true) {
          skipSpace();
          if (text[i] !== '"') fail('Expected a property name');
          const key = parseString();
          skipSpace();
          if (text[i] !== ':') fail("Expected ':'");
          i++;
          // defineProperty keeps a "__proto__" key an ordinary property.
          Object.defineProperty(obj, key, { value: parseValue(depth + 1), enumerable: true, writable: true, configurable: true });
          skipSpace();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === '}') { i++; return obj; }
          fail("Expected ',' or '}'");
        }
      }
      case '[': {
        i++;
        const arr: Json64[] = [];
        skipSpace();
        if (text[i] === ']') {
          i++;
          return arr;
        }
        while (true) {
          arr.push(parseValue(depth + 1));
          skipSpace();
          if (text[i] === ',') { i++; continue; }
          if (text[i] === ']') { i++; return arr; }
          fail("Expected ',' or ']'");
        }
      }
      case '"':
        return parseString();
      case 't':
        if (text.startsWith('true', i)) { i += 4; return true; }
        return fail('Unexpected token');
      case 'f':
        if (text.startsWith('false', i)) { i += 5; return false; }
        return fail('Unexpected token');
      case 'n':
        if (text.startsWith('null', i)) { i += 4; return null; }
        return fail('Unexpected token');
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
        return fail(c === undefined ? 'Unexpected end of document' : 'Unexpected token');
    }
  };

  const value = parseValue(0);
  skipSpace();
  if (i !== text.length) fail('Unexpected text after the document');
  return value;
}
