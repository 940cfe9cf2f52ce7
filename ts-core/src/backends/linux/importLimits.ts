import { CoreError } from '../../protocol/errors.js';

/**
 * Bounds on what one image import may make the core hold and write: an archive
 * is untrusted input, and a 1 MB gzip of zeros inflates to 1 GB. Each bound is
 * configurable through an environment variable of the core (set it in the
 * PowerShell session before the first command; the core inherits it), and the
 * error that reports it names the variable.
 *
 * The uncompressed budget is checked while zlib inflates (its output is capped
 * at what is left of the budget and at ratio × the compressed size), so the
 * core never holds more than the archive plus that cap; entries are counted as
 * the tar reader meets them.
 */
export interface ImportLimits {
  /** Uncompressed bytes of all layers together (tar streams, headers included). */
  maxUncompressedBytes: number;
  /** Tar entries of all layers together. */
  maxEntries: number;
  /** Uncompressed ÷ compressed size of any one gzip stream. */
  maxCompressionRatio: number;
}

export const importLimitVariables = {
  maxUncompressedBytes: 'WINDOWSCONTAINERS_IMPORT_MAX_BYTES',
  maxEntries: 'WINDOWSCONTAINERS_IMPORT_MAX_ENTRIES',
  maxCompressionRatio: 'WINDOWSCONTAINERS_IMPORT_MAX_RATIO',
} as const satisfies Record<keyof ImportLimits, string>;

/** A Buffer cannot hold more than this in one piece (and readFileSync refuses files over 2 GiB). */
export const MAX_SINGLE_BUFFER_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export const defaultImportLimits: ImportLimits = {
  maxUncompressedBytes: MAX_SINGLE_BUFFER_BYTES,
  maxEntries: 1_000_000,
  maxCompressionRatio: 100,
};

export function importLimits(env: NodeJS.ProcessEnv = process.env): ImportLimits {
  const limits = { ...defaultImportLimits };
  for (const key of Object.keys(importLimitVariables) as (keyof ImportLimits)[]) {
    const variable = importLimitVariables[key];
    const text = env[variable];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
      throw new CoreError('InvalidArgument', `The environment variable ${variable} must be a whole number of at least 1, not ${JSON.stringify(text.slice(0, 40))}.`, { details: { variable } });
    }
    limits[key] = key === 'maxUncompressedBytes' ? Math.min(value, MAX_SINGLE_BUFFER_BYTES) : value;
  }
  return limits;
}

/** What one import has used so far of its limits. */
export class ImportBudget {
  bytes = 0;
  entries = 0;

  constructor(readonly limits: ImportLimits, readonly source: string) {}

  /** The most a gzip stream of `compressedBytes` may inflate to, with the limit it would hit first. */
  inflateCap(compressedBytes: number): { bytes: number; limit: 'size' | 'ratio' } {
    const left = Math.max(0, this.limits.maxUncompressedBytes - this.bytes);
    const byRatio = Math.max(1, compressedBytes) * this.limits.maxCompressionRatio;
    return byRatio < left ? { bytes: byRatio, limit: 'ratio' } : { bytes: left, limit: 'size' };
  }

  addBytes(count: number): void {
    this.bytes += count;
    if (this.bytes > this.limits.maxUncompressedBytes) throw this.tooLarge('size');
  }

  addEntry(): void {
    this.entries++;
    if (this.entries > this.limits.maxEntries) throw this.tooLarge('entries');
  }

  tooLarge(limit: 'size' | 'ratio' | 'entries'): CoreError {
    const { maxUncompressedBytes, maxEntries, maxCompressionRatio } = this.limits;
    const what = {
      size: `it holds more than ${maxUncompressedBytes} bytes uncompressed (${importLimitVariables.maxUncompressedBytes})`,
      ratio: `a compressed part inflates to more than ${maxCompressionRatio} times its size (${importLimitVariables.maxCompressionRatio}), which is how a small archive of zeros becomes a huge image`,
      entries: `it holds more than ${maxEntries} entries (${importLimitVariables.maxEntries})`,
    }[limit];
    return new CoreError('ImageTooLarge',
      `${this.source} was refused: ${what}. Nothing was imported. If the image is genuine, raise the limit by setting that environment variable before the first command of the session.`,
      { details: { source: this.source, limit, limits: { ...this.limits } } });
  }
}
