import { describe, expect, it } from 'vitest';
import { describeExit } from '../../main/core/exit-status.js';
import { LogStore } from '../../main/core/log-store.js';
import { stripAnsi } from '../../main/protocol/ansi.js';
import { formatExitcode, signalName } from '../../main/protocol/signals.js';
import { stripAnsi as rendererStripAnsi } from '../../renderer/lib/ansi.js';

describe('one stripAnsi for the log store and the renderer', () => {
  it('drops colours, OSC titles and links, and two-character escapes; plain text is returned as is', () => {
    expect(stripAnsi('\x1b[1;32mok\x1b[0m done\x1b]0;title\x07 \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\x1bM')).toBe('ok done link');
    const plain = 'no escapes here';
    expect(stripAnsi(plain)).toBe(plain);
    expect(rendererStripAnsi).toBe(stripAnsi);
  });

  it('is what log search matches against', () => {
    const log = new LogStore({ directory: '/nonexistent', name: 'x', persist: false });
    log.append('stdout', Buffer.from('\x1b[31merr\x1b[0mor here\n'));
    expect(log.search('error').map((line) => line.text)).toEqual(['\x1b[31merr\x1b[0mor here']);
  });
});

describe('one signal table', () => {
  it('names signals for the table and for the engine’s messages alike', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(formatExitcode(-15)).toBe('-15 (SIGTERM)');
    expect(describeExit(-9)).toBe('was killed by signal 9 (SIGKILL)');
    expect(describeExit(-99)).toBe('was killed by signal 99');
  });
});
