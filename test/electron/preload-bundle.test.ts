// Checks the built preload (out/preload/index.cjs, from `npm run build`), as Electron would load it:
// one CommonJS file that may require only 'electron' in a sandboxed renderer. It runs in a vm context
// with a recording stand-in for 'electron', so what the page receives on window.pooldeck is tested here.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { commandNames } from '../../main/protocol/commands.js';
import { IPC_EVENT_CHANNEL, IPC_READY_CHANNEL, PICK_FILE_CHANNEL, ipcChannel } from '../../main/protocol/bridge.js';
import { preloadCommandNames } from '../../main/preload/command-list.js';

const bundlePath = resolve('out/preload/index.cjs');
const built = existsSync(bundlePath);
if (!built) console.warn(`skipping the preload bundle checks: ${bundlePath} is missing (run npm run build)`);

describe('the preload command list', () => {
  it('is exactly the protocol’s commands', () => {
    expect([...preloadCommandNames].sort()).toEqual([...commandNames].sort());
  });
});

type Listener = (event: unknown, value: unknown) => void;

function loadBundle() {
  const source = readFileSync(bundlePath, 'utf8');
  const required: string[] = [];
  const exposed = new Map<string, Record<string, unknown>>();
  const invoked: { channel: string; args: unknown[] }[] = [];
  const sent: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (channel: string, ...args: unknown[]) => {
        invoked.push({ channel, args });
        return { ok: true, value: channel };
      },
      send: (channel: string, ...args: unknown[]) => sent.push({ channel, args }),
      on: (channel: string, listener: Listener) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)?.add(listener);
      },
      removeListener: (channel: string, listener: Listener) => listeners.get(channel)?.delete(listener),
    },
  };
  const module = { exports: {} };
  const require = (name: string) => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  runInNewContext(source, { require, module, exports: module.exports, console });
  const emit = (channel: string, value: unknown) => {
    for (const listener of listeners.get(channel) ?? []) listener({ sender: 'the IpcRendererEvent' }, value);
  };
  return { source, required, exposed, invoked, sent, listeners, emit };
}

describe.skipIf(!built)('the built preload bundle', () => {
  it('requires nothing but electron (no zod, no node builtins, no chunks)', () => {
    const { source, required } = loadBundle();
    const requireCalls = [...source.matchAll(/require\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]);
    expect(new Set(requireCalls)).toEqual(new Set(['electron']));
    expect(required).toEqual(['electron']);
    expect(source).not.toMatch(/zod|import\s*\(|^\s*import\s|^\s*export\s/m);
  });

  it('exposes window.pooldeck with one function per command and onEvent, nothing generic', () => {
    const { exposed } = loadBundle();
    expect([...exposed.keys()]).toEqual(['pooldeck']);
    const api = exposed.get('pooldeck') ?? {};
    expect(Object.keys(api).sort()).toEqual([...commandNames, 'onEvent', 'onMenuAction', 'pickFile'].sort());
    for (const value of Object.values(api)) expect(typeof value).toBe('function');
    for (const generic of ['invoke', 'send', 'on', 'ipcRenderer', 'sendSync', 'postMessage']) {
      expect(api).not.toHaveProperty(generic);
    }
  });

  it('binds each command to its own channel with exactly one argument', async () => {
    const { exposed, invoked } = loadBundle();
    const api = exposed.get('pooldeck') as Record<string, (args?: unknown) => Promise<unknown>>;
    for (const name of commandNames) {
      await expect(api[name]({ probe: name })).resolves.toEqual({ ok: true, value: ipcChannel(name) });
    }
    expect(invoked).toEqual(commandNames.map((name) => ({ channel: ipcChannel(name), args: [{ probe: name }] })));
  });

  it('pickFile asks the shell on its own channel with no argument', async () => {
    const { exposed, invoked } = loadBundle();
    const api = exposed.get('pooldeck') as { pickFile(...args: unknown[]): Promise<unknown> };
    await api.pickFile({ defaultPath: '/etc' });
    expect(invoked).toEqual([{ channel: PICK_FILE_CHANNEL, args: [] }]);
  });

  it('onEvent passes only the value, announces readiness, and unsubscribes', () => {
    const { exposed, sent, emit, listeners } = loadBundle();
    const api = exposed.get('pooldeck') as { onEvent(listener: (...args: unknown[]) => void): () => void };
    const received: unknown[][] = [];
    const unsubscribe = api.onEvent((...args) => received.push(args));
    expect(sent).toEqual([{ channel: IPC_READY_CHANNEL, args: [] }]);
    emit(IPC_EVENT_CHANNEL, { type: 'delta' });
    expect(received).toEqual([[{ type: 'delta' }]]);
    unsubscribe();
    expect(listeners.get(IPC_EVENT_CHANNEL)?.size).toBe(0);
    emit(IPC_EVENT_CHANNEL, { type: 'delta' });
    expect(received).toHaveLength(1);
  });
});
