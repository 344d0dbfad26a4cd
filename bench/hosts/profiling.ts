// A CPU profile of a host over a window the bench chooses (not its start-up or its stop), through the
// inspector in the host itself: `profile-start`, then `profile-stop` with the file to write.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { Command } from './line-protocol.js';

let session: Session | null = null;

/** Handles the two profiling commands; null for any other command. */
export async function profilingCommand(command: Command): Promise<Record<string, unknown> | null> {
  if (command.cmd === 'profile-start') {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return {};
  }
  if (command.cmd === 'profile-stop') {
    if (!session) throw new Error('profile-stop without profile-start');
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    session = null;
    writeFileSync(String(command.file), JSON.stringify(profile));
    return { file: command.file };
  }
  return null;
}
