// Carries out the quit plan (quit-plan.ts): every quit (menu, window close, Cmd+Q, a signal) arrives
// at before-quit, which is held until the jobs are dealt with. Only then does the app really exit.
import { app, dialog, type BrowserWindow } from 'electron';
import type { AppBackend } from '../app/backend.js';
import { choiceFromButton, planAfterShutdown, planQuit, quitDialogContent, type QuitPlan } from './quit-plan.js';

export interface QuitFlowOptions {
  backend: AppBackend;
  getWindow(): BrowserWindow | null;
  /** Shows (or recreates) the main window, so the user sees what the app is waiting for. */
  showWindow(): void;
  log(message: string): void;
}

export interface QuitFlow {
  /** True once the jobs are dealt with and the app may close its windows and exit. */
  readonly approved: boolean;
  /** Quit without asking, terminating every job (SIGTERM/SIGINT to the app). */
  terminateAndQuit(): void;
}

type State = 'idle' | 'asking' | 'waiting' | 'shutting-down' | 'approved';

export function installQuitFlow(options: QuitFlowOptions): QuitFlow {
  const { backend, log } = options;
  let state: State = 'idle';
  let stopWaiting: (() => void) | null = null;

  const setWaitingTitle = (count: number | null): void => {
    const window = options.getWindow();
    if (!window || window.isDestroyed()) return;
    window.setTitle(count === null ? 'Pooldeck' : `Pooldeck — quitting when ${count} running job${count === 1 ? '' : 's'} exit`);
  };

  const cancelWaiting = (): void => {
    stopWaiting?.();
    stopWaiting = null;
    setWaitingTitle(null);
  };

  const ask = async (): Promise<void> => {
    const running = backend.runningNonDaemon();
    let plan: QuitPlan = planQuit(running);
    if (plan.action === 'ask') {
      state = 'asking';
      options.showWindow();
      const content = quitDialogContent(plan.running);
      const window = options.getWindow();
      const { response } =
        window && !window.isDestroyed()
          ? await dialog.showMessageBox(window, { type: 'question', noLink: true, ...content })
          : await dialog.showMessageBox({ type: 'question', noLink: true, ...content });
      // A signal may have started a shutdown while the dialog was open.
      if (state !== 'asking') return;
      // The jobs may have exited while the dialog was open: plan with the current list.
      plan = planQuit(backend.runningNonDaemon(), choiceFromButton(response));
    }
    await carryOut(plan);
  };

  const carryOut = async (plan: QuitPlan): Promise<void> => {
    switch (plan.action) {
      case 'ask':
        return ask();
      case 'cancel':
        cancelWaiting();
        state = 'idle';
        log('quit cancelled');
        return;
      case 'wait':
        cancelWaiting();
        state = 'waiting';
        log(`quitting once ${plan.waitFor.length} job(s) have exited`);
        options.showWindow();
        setWaitingTitle(plan.waitFor.length);
        waitForJobs();
        return;
      case 'shutdown':
        cancelWaiting();
        return shutdown(plan.terminateAll);
    }
  };

  // Every event from the backend (a delta at least once per sample tick) is a chance to re-check.
  const waitForJobs = (): void => {
    let done = false;
    const check = (): void => {
      if (done || state !== 'waiting') return;
      const running = backend.runningNonDaemon();
      if (running.length > 0) {
        setWaitingTitle(running.length);
        return;
      }
      done = true;
      cancelWaiting();
      void shutdown(false);
    };
    const unsubscribe = backend.events.subscribe(() => queueMicrotask(check));
    stopWaiting = () => {
      done = true;
      unsubscribe();
    };
    check();
  };

  const shutdown = async (terminateAll: boolean): Promise<void> => {
    state = 'shutting-down';
    try {
      const { stillRunning } = await backend.shutdown({ terminateAll });
      if (planAfterShutdown(stillRunning, terminateAll) === 'ask-again') {
        state = 'idle';
        return ask();
      }
      if (stillRunning.length > 0) {
        log(`${stillRunning.length} process(es) did not end: ${stillRunning.map((row) => `${row.name} (pid ${row.pid})`).join(', ')}`);
      }
      await backend.dispose();
    } catch (error) {
      log(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    state = 'approved';
    app.quit();
  };

  const run = (task: () => Promise<void>): void => {
    task().catch((error: unknown) => {
      log(`quit flow failed: ${error instanceof Error ? error.message : String(error)}`);
      state = 'idle';
    });
  };

  app.on('before-quit', (event) => {
    if (state === 'approved') return;
    event.preventDefault();
    // A second quit while a dialog is open or jobs are ending changes nothing; while waiting it asks
    // again, so the user can switch to "Terminate them" or cancel.
    if (state === 'asking' || state === 'shutting-down') {
      options.showWindow();
      return;
    }
    run(ask);
  });

  return {
    get approved() {
      return state === 'approved';
    },
    terminateAndQuit() {
      if (state === 'approved' || state === 'shutting-down') return;
      cancelWaiting();
      run(() => shutdown(true));
    },
  };
}
