import type { Connection } from '../../main/core/index.js';

/** µs per round trip: the app sends on `mine` and awaits the answer, `count` times after one unmeasured round trip. */
export async function pipeRoundTripUs(mine: Connection, count: number): Promise<number> {
  mine.send(0);
  await mine.recv();
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    mine.send(i);
    await mine.recv();
  }
  return ((performance.now() - started) / count) * 1000;
}
