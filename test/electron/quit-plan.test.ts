import { describe, expect, it } from 'vitest';
import {
  choiceFromButton,
  planAfterShutdown,
  planQuit,
  QUIT_BUTTONS,
  quitDialogContent,
  type QuitPlan,
} from '../../main/electron/quit-plan.js';
import type { QuitChoice } from '../../main/protocol/events.js';
import { runningRow } from './rows.js';

const jobs = [runningRow({ id: 'a', name: 'train' }), runningRow({ id: 'b', name: 'fetch', pid: null })];

describe('planQuit', () => {
  it('quits without asking when no non-daemon job runs, ending daemons with the ladder', () => {
    expect(planQuit([])).toEqual({ action: 'shutdown', terminateAll: false });
    for (const choice of ['wait', 'terminate', 'cancel'] as const) {
      expect(planQuit([], choice)).toEqual({ action: 'shutdown', terminateAll: false });
    }
  });

  it('asks when non-daemon jobs run and no choice was made', () => {
    expect(planQuit(jobs)).toEqual({ action: 'ask', running: jobs });
  });

  it('wait: keeps the app open for those jobs', () => {
    expect(planQuit(jobs, 'wait')).toEqual({ action: 'wait', waitFor: ['a', 'b'] });
  });

  it('terminate: ends every job, then exits', () => {
    expect(planQuit(jobs, 'terminate')).toEqual({ action: 'shutdown', terminateAll: true });
  });

  it('cancel: aborts the quit', () => {
    expect(planQuit(jobs, 'cancel')).toEqual({ action: 'cancel' });
  });

  it('never exits without a shutdown, so daemon jobs always end with the app', () => {
    const choices: (QuitChoice | undefined)[] = [undefined, 'wait', 'terminate', 'cancel'];
    for (const running of [[], jobs]) {
      for (const choice of choices) {
        const plan: QuitPlan = planQuit(running, choice);
        // The only plan that leads to an exit is 'shutdown', and quit.ts always calls backend.shutdown for it.
        expect(['ask', 'wait', 'shutdown', 'cancel']).toContain(plan.action);
        if (running.length === 0) expect(plan.action).toBe('shutdown');
      }
    }
  });
});

describe('planAfterShutdown', () => {
  it('exits when nothing is left', () => {
    expect(planAfterShutdown([], false)).toBe('exit');
    expect(planAfterShutdown([], true)).toBe('exit');
  });

  it('asks again when a non-daemon job started while daemons were ending', () => {
    expect(planAfterShutdown([runningRow()], false)).toBe('ask-again');
  });

  it('exits after terminating everything, even if a process would not die (it is logged)', () => {
    expect(planAfterShutdown([runningRow()], true)).toBe('exit');
    expect(planAfterShutdown([runningRow({ daemon: true })], false)).toBe('exit');
  });
});

describe('the dialog', () => {
  it('offers the three answers, Wait by default and Cancel on Escape', () => {
    const content = quitDialogContent(jobs);
    expect(content.buttons).toEqual(['Wait for them', 'Terminate them', 'Cancel']);
    expect(content.buttons[content.defaultId]).toBe('Wait for them');
    expect(content.buttons[content.cancelId]).toBe('Cancel');
    expect(choiceFromButton(content.defaultId)).toBe('wait');
    expect(choiceFromButton(1)).toBe('terminate');
    expect(choiceFromButton(content.cancelId)).toBe('cancel');
    expect(choiceFromButton(99)).toBe('cancel');
    expect(QUIT_BUTTONS).toHaveLength(3);
  });

  it('names the running jobs, and counts the rest', () => {
    expect(quitDialogContent(jobs).message).toBe('2 jobs are still running.');
    expect(quitDialogContent(jobs).detail).toContain('train (pid 4242)');
    expect(quitDialogContent(jobs).detail).toContain('fetch');
    expect(quitDialogContent([jobs[0]]).message).toBe('1 job is still running.');
    const many = Array.from({ length: 8 }, (_, i) => runningRow({ id: `p${i}`, name: `job-${i}` }));
    const detail = quitDialogContent(many).detail;
    expect(detail).toContain('job-4');
    expect(detail).not.toContain('job-5');
    expect(detail).toContain('… and 3 more');
  });
});
