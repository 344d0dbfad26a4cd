import { describe, expect, it } from 'vitest';
import { describeExit } from '../../main/core/exit-status.js';
import { signalNameOf } from '../../main/core/signals.js';
import { lineMatches } from '../../main/app/log-search.js';
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
    expect(lineMatches('\x1b[31merr\x1b[0mor here', 'error')).toBe(true);
  });
});

describe('signal names', () => {
  it('the UI’s table (protocol) and the engine’s (the platform’s) agree on Linux', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(formatExitcode(-15)).toBe('-15 (SIGTERM)');
    expect(describeExit(-9)).toBe('was killed by signal 9 (SIGKILL)');
    expect(describeExit(-99)).toBe('was killed by signal 99');
    if (process.platform === 'linux') {
      for (let number = 1; number <= 31; number += 1) expect(signalName(number), String(number)).toBe(signalNameOf(number));
    }
  });
});
