// What quitting does, decided from the running jobs and the user's answer. Pure; quit.ts carries it out.
// The invariant: every path that lets the app exit goes through backend.shutdown(), which ends daemon
// jobs with the termination ladder, so no process outlives the app.
import type { ProcessRow } from '../protocol/rows.js';
import type { QuitChoice } from '../protocol/events.js';

export type QuitPlan =
  /** Ask the user what to do with the running non-daemon jobs. */
  | { action: 'ask'; running: readonly ProcessRow[] }
  /** Keep the app open, the window showing these jobs, and plan again once they have exited. */
  | { action: 'wait'; waitFor: string[] }
  /** End the jobs (daemons always; non-daemons too when terminateAll), then exit. */
  | { action: 'shutdown'; terminateAll: boolean }
  /** Abort the quit; the app keeps running as before. */
  | { action: 'cancel' };

/**
 * `choice` is undefined until the user has been asked. With no non-daemon job running the app does
 * not ask: daemon jobs end with the ladder and the app exits.
 */
export function planQuit(runningNonDaemon: readonly ProcessRow[], choice?: QuitChoice): QuitPlan {
  if (runningNonDaemon.length === 0) return { action: 'shutdown', terminateAll: false };
  switch (choice) {
    case undefined:
      return { action: 'ask', running: runningNonDaemon };
    case 'wait':
      return { action: 'wait', waitFor: runningNonDaemon.map((row) => row.id) };
    case 'terminate':
      return { action: 'shutdown', terminateAll: true };
    case 'cancel':
      return { action: 'cancel' };
  }
}

/**
 * After a shutdown: exit, unless a non-daemon job survived a shutdown that was told to spare them (one
 * started while the daemons were ending), in which case the user is asked again.
 */
export function planAfterShutdown(stillRunning: readonly ProcessRow[], terminateAll: boolean): 'exit' | 'ask-again' {
  if (!terminateAll && stillRunning.some((row) => !row.daemon)) return 'ask-again';
  return 'exit';
}

export const QUIT_BUTTONS = ['Wait for them', 'Terminate them', 'Cancel'] as const;
const BUTTON_CHOICES: readonly QuitChoice[] = ['wait', 'terminate', 'cancel'];

/** The dialog's answer (a button index; Escape gives the cancel index) as a choice. */
export function choiceFromButton(index: number): QuitChoice {
  return BUTTON_CHOICES[index] ?? 'cancel';
}

export interface QuitDialogContent {
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  defaultId: number;
  cancelId: number;
}

const NAMES_SHOWN = 5;

export function quitDialogContent(running: readonly ProcessRow[]): QuitDialogContent {
  const count = running.length;
  const names = running.slice(0, NAMES_SHOWN).map((row) => (row.pid === null ? row.name : `${row.name} (pid ${row.pid})`));
  const more = count > NAMES_SHOWN ? `\n… and ${count - NAMES_SHOWN} more` : '';
  return {
    title: 'Quit Pooldeck',
    message: count === 1 ? '1 job is still running.' : `${count} jobs are still running.`,
    detail:
      `${names.join('\n')}${more}\n\n` +
      'Wait: Pooldeck stays open and quits once they have exited.\n' +
      'Terminate: they are stopped (SIGTERM, then SIGKILL after a grace period).\n' +
      'Daemon jobs are always stopped when Pooldeck quits.',
    buttons: [...QUIT_BUTTONS],
    defaultId: 0,
    cancelId: 2,
  };
}
