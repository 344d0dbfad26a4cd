// The Supervisor's channel: every process and pool worker it starts gets POOLDECK_ADDRESS and
// POOLDECK_AUTHKEY, refused connections are kept and announced, and dispose() removes the socket.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAuthkey } from '../../main/core/authkey.js';
import type { RefusedAttempt } from '../../main/core/channel-server.js';
import { until } from '../helpers/until.js';
import { useQuietSupervisor } from './supervisor-fixture.js';
import { skipUnless, unixLike } from '../helpers/platform.js';

const skipHere = skipUnless(unixLike, 'test/app/channel.test.ts', 'runs sh -c, and checks the channel as a socket file (Windows has a named pipe)');

const app = useQuietSupervisor('pooldeck-channel-');

const PRINT_CHANNEL_ENV = 'echo "$POOLDECK_ADDRESS"; echo "$POOLDECK_AUTHKEY"';

async function output(id: string): Promise<string[]> {
  await app.supervisor.processOf(id).join();
  return app.supervisor
    .readLogs(id)
    .lines.filter((line) => line.stream === 'stdout')
    .map((line) => line.text);
}

describe.skipIf(skipHere)("the supervisor's channel", () => {
  it("gives a command process the channel's address and the run's authkey", async () => {
    const row = await app.supervisor.createProcess({ command: 'sh', args: ['-c', PRINT_CHANNEL_ENV] });
    expect(await output(row.id)).toEqual([app.supervisor.channel.address, runAuthkey().toString('hex')]);
    expect(existsSync(app.supervisor.channel.address)).toBe(true);
  });

  it("gives a restarted process and an exec pool's tasks the same", async () => {
    const row = await app.supervisor.createProcess({ command: 'sh', args: ['-c', PRINT_CHANNEL_ENV] });
    await app.supervisor.processOf(row.id).join();
    await app.supervisor.restart(row.id);
    expect((await output(row.id)).slice(-2)).toEqual([app.supervisor.channel.address, runAuthkey().toString('hex')]);

    const pool = app.supervisor.createPool({ processes: 1, mode: 'exec', command: 'sh', args: ['-c', PRINT_CHANNEL_ENV] });
    const result = (await app.supervisor.poolOf(pool.id).apply([])) as { stdout: string };
    expect(result.stdout).toBe(`${app.supervisor.channel.address}\n${runAuthkey().toString('hex')}\n`);
  });

  it('keeps and announces refused connections, and removes the socket on dispose', async () => {
    const announced: RefusedAttempt[] = [];
    app.supervisor.on('channelRefused', (attempt) => announced.push(attempt));
    const socket = connect(app.supervisor.channel.address);
    socket.on('error', () => undefined);
    socket.end(Buffer.from('not a handshake'));
    await until(() => announced.length === 1, 'the refusal');
    expect(announced[0].reason).toMatch(/frame of \d+ bytes/);
    expect(app.supervisor.refusedChannelAttempts()).toEqual(announced);
    socket.destroy();

    const folder = dirname(app.supervisor.channel.address);
    await app.supervisor.dispose();
    expect(existsSync(folder)).toBe(false);
  });
});
