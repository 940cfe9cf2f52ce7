import fs from 'node:fs';

/**
 * Up to `length` bytes of an open file from `position`, looping over short
 * reads. A file that ends sooner (it shrank meanwhile) gives what is there:
 * the result is never longer than what was read, so the unzeroed buffer's
 * tail is never seen.
 */
export function readAt(fd: number, length: number, position = 0): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const n = fs.readSync(fd, buffer, filled, length - filled, position + filled);
    if (n === 0) break;
    filled += n;
  }
  return buffer.subarray(0, filled);
}
