// Sends the backend's event stream (a snapshot, then coalesced deltas) to each window that asked for
// it. One subscription per webContents: a reload sends the ready signal again and gets a fresh snapshot.
import type { WebContents } from 'electron';
import { IPC_EVENT_CHANNEL, type AppEventSource } from '../protocol/bridge.js';

export interface EventForwarder {
  attach(webContents: WebContents): void;
  dispose(): void;
}

export function createEventForwarder(events: AppEventSource): EventForwarder {
  const subscriptions = new Map<number, () => void>();
  const watched = new Set<number>();

  const detach = (id: number): void => {
    const unsubscribe = subscriptions.get(id);
    subscriptions.delete(id);
    unsubscribe?.();
  };

  return {
    attach(webContents) {
      const id = webContents.id;
      detach(id);
      let unsubscribe: () => void = () => {};
      let detached = false;
      subscriptions.set(id, () => {
        detached = true;
        unsubscribe();
      });
      unsubscribe = events.subscribe((event) => {
        if (detached || webContents.isDestroyed()) return;
        webContents.send(IPC_EVENT_CHANNEL, event);
      });
      if (detached) unsubscribe();
      if (!watched.has(id)) {
        watched.add(id);
        webContents.once('destroyed', () => {
          watched.delete(id);
          detach(id);
        });
        webContents.on('render-process-gone', () => detach(id));
      }
    },
    dispose() {
      for (const id of [...subscriptions.keys()]) detach(id);
    },
  };
}
