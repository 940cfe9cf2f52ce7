/**
 * glibc through koffi, loaded once per core process for the linux backend's
 * system calls (mount(2), posix_spawn(3)). null where it cannot be had: not
 * Linux, koffi's native module missing, or no libc.so.6 (a musl host). Each
 * caller then falls back to a program or to node's own API.
 */
import type koffiModule from 'koffi';

export interface Libc {
  koffi: typeof koffiModule;
  lib: ReturnType<typeof koffiModule.load>;
}

let libc: Promise<Libc | null> | undefined;

export function loadLibc(): Promise<Libc | null> {
  libc ??= (async () => {
    if (process.platform !== 'linux') return null;
    try {
      const koffi = (await import('koffi')).default;
      return { koffi, lib: koffi.load('libc.so.6') };
    } catch {
      return null;
    }
  })();
  return libc;
}
