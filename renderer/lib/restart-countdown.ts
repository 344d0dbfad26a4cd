/** "4 s" until a restart policy's next attempt at `nextRestartAt`, by the clock `now`; null when none is pending. */
export function restartCountdown(nextRestartAt: number | null, now: number): string | null {
  if (nextRestartAt === null) return null;
  return `${Math.max(0, Math.ceil((nextRestartAt - now) / 1000))} s`;
}
