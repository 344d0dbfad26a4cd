// Hosts talk to the bench with one JSON object per line: commands on stdin, replies on stdout.
import { createInterface } from 'node:readline';

export type Command = { cmd: string; [field: string]: unknown };

export function reply(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

export function serveCommands(handle: (command: Command) => Promise<Record<string, unknown> | void>): void {
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let command: Command;
    try {
      command = JSON.parse(line) as Command;
    } catch {
      reply({ type: 'error', message: `not JSON: ${line.slice(0, 100)}` });
      return;
    }
    handle(command).then(
      (answer) => reply({ type: command.cmd, ...(answer ?? {}) }),
      (error: unknown) => reply({ type: 'error', cmd: command.cmd, message: error instanceof Error ? error.message : String(error) }),
    );
  });
  // The bench went away: so do we (our jobs are ended by the bench's own cleanup).
  lines.on('close', () => process.exit(0));
}
