import { describe, expect, it } from 'vitest';
import { compileWildcard, hasWildcard, wildcardToRegExp } from '../../../ts-core/src/util/wildcard.js';

describe('PowerShell wildcards', () => {
  it.each([
    ['web*', 'web-1', true],
    ['web*', 'WEB', true],
    ['web*', 'aweb', false],
    ['w?b', 'wab', true],
    ['w?b', 'wb', false],
    ['[ab]x', 'bx', true],
    ['[a-c]x', 'dx', false],
    ['a.b', 'axb', false],
    ['a`*', 'a*', true],
    ['a`*', 'ab', false],
    ['exact', 'exact', true],
  ])('%j matches %j: %s', (pattern, name, expected) => {
    expect(wildcardToRegExp(pattern).test(name)).toBe(expected);
  });

  it('knows literal names from patterns', () => {
    expect(hasWildcard('web')).toBe(false);
    expect(hasWildcard('web*')).toBe(true);
    expect(hasWildcard('a`*')).toBe(false);
  });
});

describe('the wildcard matcher on hostile patterns', () => {
  it.each([
    ['*a*b', 'xxaxxb', true],
    ['*a*b', 'xxaxxc', false],
    ['a*', 'a', true],
    ['**', '', true],
    ['?*', '', false],
    ['*[0-9]', 'web-7', true],
    ['[a-c]X', 'Bx', true],
    ['[-a]', '-', true],
    ['`[x]', '[x]', true],
    ['[ab', '[ab', true],
  ])('%j matches %j: %s', (pattern, name, expected) => {
    expect(compileWildcard(pattern).test(name)).toBe(expected);
  });

  it('answers a pattern that made the regex engine backtrack exponentially, within a bounded number of steps', () => {
    const pattern = `${'*a'.repeat(8)}*c`;
    const name = 'a'.repeat(60);
    // A guard, not a speed target: the old RegExp ran until the core's timeout.
    // 1000 repetitions of (pattern × name)-bounded work finish long before it.
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1000; i++) expect(compileWildcard(pattern).test(name)).toBe(false);
    expect(compileWildcard(pattern).test(`${name}c`)).toBe(true);
    expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(20);
  });
});
