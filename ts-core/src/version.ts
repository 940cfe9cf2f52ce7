/** Replaced by the bundler with package.json's version; the fallback serves vitest. */
declare const __CORE_VERSION__: string | undefined;
export const CORE_VERSION: string = typeof __CORE_VERSION__ === 'string' ? __CORE_VERSION__ : '0.0.0-dev';
