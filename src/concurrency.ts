/**
 * Runs `fn` over `items` with at most `limit` calls in flight, each lane taking the next item in
 * order; results keep the input order. A pool in a few lines rather than a dependency. A `limit`
 * that is not a whole number from 1 is a bug of the caller: it throws before any item is touched.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`mapLimit: limit must be a whole number from 1, not ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
