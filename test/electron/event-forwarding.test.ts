import type { WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import { createEventForwarder } from '../../main/electron/event-forwarding.js';
import { IPC_EVENT_CHANNEL, type AppEventSource } from '../../main/protocol/bridge.js';
import type { AppEvent } from '../../main/protocol/events.js';
import { FakeWebContents } from './fake-electron.js';

/** An event source that sends a snapshot on subscribe, like the backend. */
function source() {
  const listeners = new Set<(event: AppEvent) => void>();
  const events: AppEventSource = {
    subscribe(listener) {
      listener({ type: 'snapshot', snapshot: { seq: 0 } } as AppEvent);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (seq: number) => {
    for (const listener of listeners) listener({ type: 'delta', delta: { seq } } as AppEvent);
  };
  return { events, emit, listeners };
}

const asWebContents = (fake: FakeWebContents) => fake as unknown as WebContents;

describe('createEventForwarder', () => {
  it('sends a snapshot first, then deltas, on the event channel', () => {
    const { events, emit } = source();
    const window = new FakeWebContents(1);
    createEventForwarder(events).attach(asWebContents(window));
    emit(1);
    expect(window.sent.map((m) => m.channel)).toEqual([IPC_EVENT_CHANNEL, IPC_EVENT_CHANNEL]);
    expect(window.sent.map((m) => (m.value as AppEvent).type)).toEqual(['snapshot', 'delta']);
  });

  it('keeps one subscription per window: a reload gets a fresh snapshot, not double deltas', () => {
    const { events, emit, listeners } = source();
    const window = new FakeWebContents(1);
    const forwarder = createEventForwarder(events);
    forwarder.attach(asWebContents(window));
    forwarder.attach(asWebContents(window));
    expect(listeners.size).toBe(1);
    emit(1);
    expect(window.sent.map((m) => (m.value as AppEvent).type)).toEqual(['snapshot', 'snapshot', 'delta']);
  });

  it('unsubscribes when the window is destroyed or its renderer crashes, and on dispose', () => {
    const { events, listeners } = source();
    const forwarder = createEventForwarder(events);
    const a = new FakeWebContents(1);
    const b = new FakeWebContents(2);
    const c = new FakeWebContents(3);
    forwarder.attach(asWebContents(a));
    forwarder.attach(asWebContents(b));
    forwarder.attach(asWebContents(c));
    a.destroy();
    b.emit('render-process-gone');
    expect(listeners.size).toBe(1);
    forwarder.dispose();
    expect(listeners.size).toBe(0);
  });
});
