import { describe, expect, it } from 'vitest';
import { validateContainerName } from '../../../ts-core/src/domain/names.js';
import { validateImageName } from '../../../ts-core/src/backends/linux/names.js';

describe('container names', () => {
  it.each(['web', 'web-1', 'a', 'A.b_c-9', '9lives', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(validateContainerName(name)).toBe(name);
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(64), /64 characters long/],
    ['a/b', /path separator/],
    ['a\\b', /path separator/],
    ['web\n1', /whitespace or a control character/],
    ['web 1', /whitespace/],
    ['web;rm -rf /', /path separator/],
    ['web;reboot', /characters other/],
    ['$(reboot)', /does not start/],
    ['a`b`', /characters other/],
    ['a|b', /characters other/],
    ['a&b', /characters other/],
    ['-rf', /does not start/],
    ['.hidden', /does not start/],
    ['a..b', /'\.\.'/],
  ])('refuses %j with InvalidContainerName naming the value', (name, why) => {
    const validating = () => validateContainerName(name);
    expect(validating).toThrow(expect.objectContaining({ code: 'InvalidContainerName', message: expect.not.stringMatching(/\n/) }));
    expect(validating).toThrow(JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name));
    expect(validating).toThrow(why);
  });
});

describe('image names', () => {
  it('accepts lowercase names and refuses the rest', () => {
    expect(validateImageName('busybox')).toBe('busybox');
    expect(validateImageName('my-image_2.0')).toBe('my-image_2.0');
    for (const bad of ['BusyBox', 'a/b', '', '.x', 'x'.repeat(65), 'a b', 'a:latest']) {
      expect(() => validateImageName(bad)).toThrow(expect.objectContaining({ code: 'InvalidImageReference' }));
    }
  });
});
