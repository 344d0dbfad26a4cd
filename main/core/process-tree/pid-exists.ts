/**
 * Whether some process has `pid` now, on every platform: signal 0 only checks (on Windows it opens
 * and closes the process). EPERM: it exists, under another user. Says nothing about whose it is.
 */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
