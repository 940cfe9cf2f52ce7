/**
 * What one request may reuse while it runs: the Docker daemon's /info, the
 * HCS enumeration, one inspect of a container. Dropped when the request
 * ends, so a later request never answers from a stale picture.
 */
export interface RequestScope {
  /** The value for `key`, computed once per request; a failed computation is not kept. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export function newRequestScope(): RequestScope {
  const values = new Map<string, Promise<unknown>>();
  return {
    memo<T>(key: string, compute: () => Promise<T>): Promise<T> {
      let value = values.get(key) as Promise<T> | undefined;
      if (!value) {
        value = compute();
        values.set(key, value);
        value.catch(() => values.delete(key));
      }
      return value;
    },
  };
}
