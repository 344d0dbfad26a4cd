/** SIGTERM → SIGKILL grace of the termination ladder, wherever the caller does not choose one. */
export const DEFAULT_GRACE_MS = 3000;
