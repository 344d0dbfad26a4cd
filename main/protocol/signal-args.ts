import { z } from 'zod';
import { IdArgsSchema } from './schemas.js';
import { SIGNAL_LIST } from './signals.js';

// The `signal` command's argument: a process and a signal from the platform's list, by name.

const COMMON_SIGNALS = 'SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGSTOP or SIGCONT';

export const SignalArgsSchema = IdArgsSchema.extend({
  signal: z.enum(SIGNAL_LIST as [string, ...string[]], {
    error: (issue) =>
      typeof issue.input === 'string'
        ? `signal must be one of this platform's signal names, such as ${COMMON_SIGNALS}, not ${JSON.stringify(issue.input.slice(0, 40))}`
        : `signal must be a signal's name as text, such as ${COMMON_SIGNALS}`,
  }),
});
