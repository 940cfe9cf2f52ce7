/**
 * PowerShell-style wildcards (`*`, `?`, `[abc]`, `[a-z]`, backtick escapes),
 * case-insensitive like -like, so `Get-IsolatedContainer -Name web*` means in
 * the core what it means in PowerShell.
 *
 * Matched without regular expressions: a pattern such as ('*a' × 8) + '*c'
 * made the regex engine backtrack exponentially against a 60-character name.
 * The matcher below is the classic greedy scan that returns to the last `*`
 * on a mismatch, so a match costs at most (pattern length × name length)
 * steps, whatever the pattern.
 */

type Token =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'char'; lower: string; upper: string }
  | { kind: 'set'; chars: string; ranges: [string, string][] };

export interface WildcardMatcher {
  readonly pattern: string;
  test(text: string): boolean;
}

export function hasWildcard(pattern: string): boolean {
  return /(?<!`)[*?[]/.test(pattern);
}

function parse(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '`' && i + 1 < pattern.length) {
      const next = pattern[++i]!;
      tokens.push({ kind: 'char', lower: next.toLowerCase(), upper: next.toUpperCase() });
    } else if (char === '*') {
      // Consecutive stars mean one star.
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '[' && pattern.indexOf(']', i + 1) !== -1) {
      const end = pattern.indexOf(']', i + 1);
      const body = pattern.slice(i + 1, end);
      const set: Token & { kind: 'set' } = { kind: 'set', chars: '', ranges: [] };
      for (let j = 0; j < body.length; j++) {
        if (j + 2 < body.length && body[j + 1] === '-') {
          set.ranges.push([body[j]!, body[j + 2]!]);
          j += 2;
        } else {
          set.chars += body[j]!;
        }
      }
      tokens.push(set);
      i = end;
    } else {
      tokens.push({ kind: 'char', lower: char.toLowerCase(), upper: char.toUpperCase() });
    }
  }
  return tokens;
}

function inSet(set: Token & { kind: 'set' }, char: string): boolean {
  for (const candidate of new Set([char, char.toLowerCase(), char.toUpperCase()])) {
    if (set.chars.includes(candidate)) return true;
    if (set.ranges.some(([from, to]) => candidate >= from && candidate <= to)) return true;
  }
  return false;
}

function matchesOne(token: Token, char: string): boolean {
  switch (token.kind) {
    case 'any': return true;
    case 'char': return char === token.lower || char === token.upper || char.toLowerCase() === token.lower;
    case 'set': return inSet(token, char);
    case 'star': return false;
  }
}

function matchTokens(tokens: readonly Token[], text: string): boolean {
  let t = 0;
  let p = 0;
  let starAt = -1; // index of the last star seen
  let resumeAt = 0; // where in the text that star's match currently ends
  while (t < text.length) {
    const token = tokens[p];
    if (token !== undefined && token.kind === 'star') {
      starAt = p++;
      resumeAt = t;
    } else if (token !== undefined && matchesOne(token, text[t]!)) {
      p++;
      t++;
    } else if (starAt !== -1) {
      // Let the last star take one more character and try again from there.
      p = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}

export function compileWildcard(pattern: string): WildcardMatcher {
  const tokens = parse(pattern);
  return { pattern, test: (text) => matchTokens(tokens, text) };
}

/** The matcher for a pattern; the name is kept from when this returned a RegExp (callers only use `.test`). */
export const wildcardToRegExp = compileWildcard;
