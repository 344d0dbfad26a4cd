// The contract at compile time: a call with a wrong or extra argument does not type-check. Each line
// marked to expect an error is a case: `npm run typecheck` fails if one of them ever compiles.
import { describe, expect, it } from 'vitest';
import type { CommandArgs, CommandName, CommandOutcome, CommandResult, PreloadBridge } from '../../main/protocol/index.js';

type Call = <N extends CommandName>(name: N, args: CommandArgs<N>) => Promise<CommandOutcome<CommandResult<N>>>;

function typeOnly(bridge: PreloadBridge, call: Call): void {
  void bridge.terminate({ id: 'p1' });
  void bridge.createProcess({ command: 'sleep', args: ['1'], daemon: true });
  void call('readLogs', { id: 'p1', afterSeq: 3 });

  // @ts-expect-error an extra argument
  void bridge.terminate({ id: 'p1', signal: 'SIGKILL' });
  // @ts-expect-error a missing argument
  void bridge.stop({ graceMs: 1 });
  // @ts-expect-error a wrong type
  void bridge.createProcess({ command: 'sleep', daemon: 'yes' });
  // @ts-expect-error a command that does not exist
  void call('rmrf', {});
  // @ts-expect-error the arguments of another command
  void call('readLogs', { command: 'sleep' });
}

async function resultTypes(bridge: PreloadBridge): Promise<void> {
  const outcome = await bridge.readLogs({ id: 'p1' });
  if (outcome.ok) {
    const seq: number = outcome.value.lastSeq;
    // @ts-expect-error results are typed too
    const wrong: string = outcome.value.lastSeq;
    void seq;
    void wrong;
  }
}

describe('the protocol types', () => {
  it('are checked by the typecheck (this file holds the cases)', () => {
    expect(typeof typeOnly).toBe('function');
    expect(typeof resultTypes).toBe('function');
  });
});
