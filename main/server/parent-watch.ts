// `--exit-with-parent`: the server ends (shutting down its jobs) once the process that started it is
// gone. npm does not pass SIGKILL on, and passes SIGTERM on only to the shell it ran the script in, so
// without this `npm run serve` killed uncleanly leaves the server, and every job, running under pid 1.
// Polling getppid() is the portable way to notice: a pipe would need the parent's cooperation, and
// Linux's PR_SET_PDEATHSIG is not reachable from Node.

/** How often the parent pid is checked: a cheap system call. */
const PARENT_POLL_MS = 500;

/** Calls `onGone` once, when our parent pid changes (the parent ended and we were re-parented). Returns a stop function. */
export function watchParent(onGone: () => void, pollMs = PARENT_POLL_MS): () => void {
  const parent = process.ppid;
  if (parent === 1) {
    // Adopted by init already: the parent ended before we started watching (npm killed mid-build).
    const immediate = setImmediate(onGone);
    return () => clearImmediate(immediate);
  }
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, pollMs);
  // Watching must never be what keeps the server alive.
  timer.unref();
  return () => clearInterval(timer);
}
