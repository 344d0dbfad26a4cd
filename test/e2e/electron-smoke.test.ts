// The smoke-test mode in a real Electron from the build output: it starts, loads the UI, prints its
// version and exits 0. The release workflow runs the same check against every built installer.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronForTests } from '../helpers/electron-binary.js';

const { binary, skipReason } = electronForTests('e2e electron smoke test');
const EXIT_DEADLINE_MS = 60_000;

describe.skipIf(skipReason !== null)('the desktop app with --smoke-test', () => {
  it('starts, loads its UI, prints its version and exits 0', { timeout: EXIT_DEADLINE_MS + 10_000 }, async () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    const home = mkdtempSync(join(tmpdir(), 'pooldeck-smoke-'));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), APPDATA: join(home, 'appdata') };
    delete env.ELECTRON_RUN_AS_NODE;
    const child = spawn(binary!, [resolve('out/main/index.js'), '--no-sandbox', '--disable-gpu', '--smoke-test'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => child.once('exit', (...ended) => done(ended)));
      expect(signal, `it did not exit within ${EXIT_DEADLINE_MS / 1000} s; output:\n${output}`).toBeNull();
      expect(output.split(/\r?\n/)).toContain(`Pooldeck ${version} started`);
      expect(code, output).toBe(0);
    } finally {
      clearTimeout(deadline);
      rmSync(home, { recursive: true, force: true });
    }
  });
});
