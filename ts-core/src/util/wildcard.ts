/**
 * PowerShell-style wildcards (`*`, `?`, `[abc]`, `[a-z]`, backtick escapes),
 * case-insensitive like -like, so `Get-IsolatedContainer -Name web*` means in
 * the core what it means in PowerShell.
 */
export function hasWildcard(pattern: string): boolean {
  return /(?<!`)[*?[]/.test(pattern);
}

export function wildcardToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '`' && i + 1 < pattern.length) {
      source += escapeRegExp(pattern[++i]!);
    } else if (char === '*') {
      source += '.*';
    } else if (char === '?') {
      source += '.';
    } else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) {
        source += '\\[';
      } else {
        const body = pattern.slice(i + 1, end).replace(/[\\^\]]/g, '\\$&');
        source += `[${body}]`;
        i = end;
      }
    } else {
      source += escapeRegExp(char);
    }
  }
  return new RegExp(`^${source}$`, 'is');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}
