// Small statistics for noisy machines: medians and ranges, never means.

export interface Summary {
  median: number;
  min: number;
  max: number;
  p95: number;
  n: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export function summarize(values: readonly number[]): Summary {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted.length > 0 ? sorted[0] : Number.NaN,
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    p95: quantile(sorted, 0.95),
    n: sorted.length,
  };
}

/**
 * Runs every contender once per round, alternating, so slow drifts of a shared machine hit all of them
 * alike. The order is reversed every other round (A B C, C B A, …) so no contender always goes first.
 */
export async function alternate<K extends string, T = number>(
  rounds: number,
  contenders: Record<K, () => Promise<T>>,
  onRound?: (round: number, figures: Record<K, T>) => void,
): Promise<Record<K, T[]>> {
  const names = Object.keys(contenders) as K[];
  const results = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    const figures = {} as Record<K, T>;
    for (const name of order) {
      const value = await contenders[name]();
      results[name].push(value);
      figures[name] = value;
    }
    onRound?.(round, figures);
  }
  return results;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
