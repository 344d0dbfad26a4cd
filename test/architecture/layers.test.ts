// The layer matrix of DESIGN.md is enforced by eslint.config.js (eslint-plugin-boundaries). `npm run lint`
// checks the real tree; this test proves the rules catch what they must: each snippet is linted as if it
// were a file at that path, with the repository's own config.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const LAYER_RULES = new Set(['boundaries/dependencies', 'no-restricted-syntax']);

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // The snippets are not part of a tsconfig program; the layer rules need no types.
    overrideConfig: tseslint.configs.disableTypeChecked,
    ruleFilter: ({ ruleId }) => LAYER_RULES.has(ruleId),
  });
});

/** The import specifiers the layer rules reject in `text`, linted as the file at `path`, line by line. */
async function rejected(path: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: resolve(ROOT, path) });
  const lines = text.split('\n');
  return result.messages.map((message) => {
    expect(message.ruleId, message.message).not.toBeNull();
    return `${message.ruleId}: ${lines[message.line - 1].trim()}`;
  });
}

const boundary = (line: string): string => `boundaries/dependencies: ${line}`;

describe('the layer rules', () => {
  it('keep Node, Electron and the engine out of the renderer', async () => {
    const allowed = [
      "import { mount } from 'svelte';",
      "import type { ProcessRow } from '../../main/protocol/index.js';",
      "import { formatBytes } from './format.js';",
    ];
    const forbidden = [
      "import { readFileSync } from 'node:fs';",
      "import { spawn } from 'child_process';",
      "import { Pool } from '../../main/core/pool.js';",
      "import { ipcRenderer } from 'electron';",
      "import { startServer } from '../../main/server/server.js';",
    ];
    const text = [...allowed, ...forbidden].join('\n');
    expect(await rejected('renderer/lib/probe.ts', text)).toEqual(forbidden.map(boundary));
  });

  it('keep electron out of the engine in every form of import', async () => {
    const forbidden = [
      "import { app } from 'electron';",
      "import type { BrowserWindow } from 'electron/main';",
      "export { ipcMain } from 'electron';",
      "import electron = require('electron');",
      "export type Window = import('electron').BrowserWindow;",
      "const shell = require('electron');",
      "export const load = () => import('electron');",
      "import remote from '@electron/remote';",
    ];
    expect(await rejected('main/core/probe.ts', forbidden.join('\n'))).toEqual(forbidden.map(boundary));
  });

  it('let the engine see only node, pidusage and the shared words of the protocol, as types', async () => {
    const allowed = [
      "import { spawn } from 'node:child_process';",
      "import pidusage from 'pidusage';",
      "import type { PoolMode } from '../protocol/vocabulary.js';",
      "import { Process } from './process.js';",
    ];
    const forbidden = [
      "import { POOL_MODES } from '../protocol/vocabulary.js';",
      "import type { ProcessRow } from '../protocol/rows.js';",
      "import { Supervisor } from '../app/backend.js';",
      "import { z } from 'zod';",
    ];
    const text = [...allowed, ...forbidden].join('\n');
    expect(await rejected('main/core/probe.ts', text)).toEqual(forbidden.map(boundary));
  });

  it('keep the protocol free of node built-ins and of every other layer', async () => {
    const forbidden = [
      "import { join } from 'node:path';",
      "import { Pool } from '../core/pool.js';",
      "import { createBackend } from '../app/backend.js';",
    ];
    const text = ["import { z } from 'zod';", ...forbidden].join('\n');
    expect(await rejected('main/protocol/probe.ts', text)).toEqual(forbidden.map(boundary));

    // The shared words sit at the very bottom: not even the rest of the protocol.
    const vocabulary = "import type { ProcessRow } from './rows.js';";
    expect(await rejected('main/protocol/vocabulary.ts', vocabulary)).toEqual([boundary(vocabulary)]);
  });

  it('let the sandboxed preload require electron and the protocol only', async () => {
    const allowed = ["import { contextBridge } from 'electron';", "import { COMMANDS } from '../protocol/commands.js';"];
    const forbidden = ["import { readFileSync } from 'node:fs';", "import { Pool } from '../core/pool.js';"];
    const text = [...allowed, ...forbidden].join('\n');
    expect(await rejected('main/preload/probe.ts', text)).toEqual(forbidden.map(boundary));
  });

  it('point the shells and the app downward only', async () => {
    const server = ["import { app } from 'electron';", "import { quitPlan } from '../electron/quit-plan.js';"];
    const serverText = ["import { createBackend } from '../app/backend.js';", "import { Pool } from '../core/pool.js';", ...server].join('\n');
    expect(await rejected('main/server/probe.ts', serverText)).toEqual(server.map(boundary));

    const app = ["import { startServer } from '../server/server.js';", "import { buildMenu } from '../electron/menu.js';"];
    const appText = ["import { Pool } from '../core/pool.js';", "import { readFile } from 'node:fs/promises';", ...app].join('\n');
    expect(await rejected('main/app/probe.ts', appText)).toEqual(app.map(boundary));

    const shellText = [
      "import { app } from 'electron';",
      "import { createBackend } from '../app/backend.js';",
      "import { CONTENT_SECURITY_POLICY } from '../shell-common/csp.js';",
    ].join('\n');
    expect(await rejected('main/electron/probe.ts', shellText)).toEqual([]);

    const shared = ["import { app } from 'electron';", "import { createBackend } from '../app/backend.js';"];
    const sharedText = ["import { extname } from 'node:path';", ...shared].join('\n');
    expect(await rejected('main/shell-common/probe.ts', sharedText)).toEqual(shared.map(boundary));
  });

  it('keep electron out of plain Node tests; the desktop shell tests may name its types', async () => {
    const valueImport = "import { app } from 'electron';";
    const typeImport = "import type { WebContents } from 'electron';";
    expect(await rejected('test/core/probe.test.ts', [valueImport, typeImport].join('\n'))).toEqual(
      [valueImport, typeImport].map(boundary),
    );
    expect(await rejected('test/electron/probe.test.ts', [valueImport, typeImport].join('\n'))).toEqual([boundary(valueImport)]);
  });

  it('refuse a computed import() in the app, which would hide its target', async () => {
    const line = 'export const load = (name: string) => import(name);';
    expect(await rejected('main/app/probe.ts', line)).toEqual([`no-restricted-syntax: ${line}`]);
  });
});
