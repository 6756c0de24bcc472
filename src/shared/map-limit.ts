/**
 * Bounded fan-out, shared by the API and the bench (src/shared holds helpers any layer may
 * import; they import nothing). Runs an async function over many items with at most `limit` calls in
 * flight, so a bootstrap or a cluster summary never opens hundreds of Durable Object calls at
 * once. Results keep the input order; the first rejection rejects the whole call after the
 * calls already in flight settle.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | null = null;
  const worker = async () => {
    while (failure === null && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  if (failure !== null) throw (failure as { error: unknown }).error;
  return results;
}
