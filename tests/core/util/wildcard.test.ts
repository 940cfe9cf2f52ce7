import { describe, expect, it } from 'vitest';
import { hasWildcard, wildcardToRegExp } from '../../../ts-core/src/util/wildcard.js';

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
