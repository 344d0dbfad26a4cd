import { render } from '@testing-library/svelte';
import App from '../../renderer/App.svelte';
import type { AppEvent, CommandName, CommandOutcome } from '../../main/protocol/index.js';
import type { ConnectionState, MenuAction, Transport } from '../../renderer/lib/transport.js';
import type { PooldeckApi } from '../../renderer/lib/api.js';
import { Settings } from '../../renderer/lib/settings.svelte.js';

/** A transport double: the test pushes events and connection states; commands are recorded. */
export function fakeTransport(answers: Partial<Record<CommandName, () => CommandOutcome<unknown>>> = {}) {
  const calls: { name: CommandName; args: unknown }[] = [];
  let listener: ((event: AppEvent) => void) | null = null;
  let stateListener: ((state: ConnectionState) => void) | null = null;
  let menuListener: ((action: MenuAction) => void) | null = null;
  return {
    calls,
    emit: (event: AppEvent) => listener?.(event),
    setState: (state: ConnectionState) => stateListener?.(state),
    menu: (action: MenuAction) => menuListener?.(action),
    api: {
      async call(name: CommandName, args: unknown) {
        calls.push({ name, args });
        return answers[name]?.() ?? { ok: true, value: {} };
      },
      subscribe(next: (event: AppEvent) => void) {
        listener = next;
        return () => (listener = null);
      },
      onMenuAction(next: (action: MenuAction) => void) {
        menuListener = next;
        return () => (menuListener = null);
      },
      onConnectionChange(next: (state: ConnectionState) => void) {
        stateListener = next;
        next('connecting');
        return () => (stateListener = null);
      },
    },
  };
}

export const memoryStorage = () => {
  const map = new Map<string, string>();
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v) } as Storage;
};

export function renderApp(transport: ReturnType<typeof fakeTransport>, settings = new Settings(memoryStorage())) {
  const api = transport.api as unknown as PooldeckApi & Pick<Transport, 'onConnectionChange' | 'onMenuAction'>;
  return render(App, { props: { api, settings } });
}
