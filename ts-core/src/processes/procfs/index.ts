/**
 * The core's one reader of Linux procfs (proc(5)): pure parsers (parse.ts),
 * the I/O and the clock (read.ts), and recognising a recorded process
 * (identity.ts). Everything in the core that looks at /proc goes through
 * here; this package depends on nothing but the core's error type.
 */
export * from './parse.js';
export * from './read.js';
export * from './identity.js';
export * from './containerView.js';
export * from './sockets.js';
