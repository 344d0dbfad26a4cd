import { describe, expect, it } from 'vitest';
import { Settings } from '../../renderer/lib/settings.svelte.js';

function memoryStorage(initial: Record<string, string> = {}): Storage & { data: Map<string, string> } {
  const data = new Map(Object.entries(initial));
  return { data, getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) } as unknown as Storage & {
    data: Map<string, string>;
  };
}

describe('Settings', () => {
  it('defaults to 100% = one core and the system theme', () => {
    const settings = new Settings(memoryStorage());
    expect(settings.cpuDividedByCores).toBe(false);
    expect(settings.theme).toBe('system');
  });

  it('keeps the choices across a reload', () => {
    const storage = memoryStorage();
    const first = new Settings(storage);
    first.cpuDividedByCores = true;
    first.theme = 'dark';
    const second = new Settings(storage);
    expect(second.cpuDividedByCores).toBe(true);
    expect(second.theme).toBe('dark');
  });

  it('ignores stored values it does not understand', () => {
    const storage = memoryStorage({ 'pooldeck.settings.v1': '{"cpuDividedByCores":"yes","theme":"neon"}' });
    const settings = new Settings(storage);
    expect(settings.cpuDividedByCores).toBe(false);
    expect(settings.theme).toBe('system');
    expect(new Settings(memoryStorage({ 'pooldeck.settings.v1': 'not json' })).theme).toBe('system');
  });

  it('hides exited processes by default, and remembers "don\'t ask again" per action', () => {
    const storage = memoryStorage();
    const first = new Settings(storage);
    expect(first.hideExited).toBe(true);
    expect(first.asks('terminate')).toBe(true);
    first.hideExited = false;
    first.stopAsking('terminate');
    const second = new Settings(storage);
    expect(second.hideExited).toBe(false);
    expect(second.asks('terminate')).toBe(false);
    expect(second.asks('restart')).toBe(true);
    expect(new Settings(memoryStorage({ 'pooldeck.settings.v1': '{"skipConfirm":["kill","remove"]}' })).asks('remove')).toBe(false);
  });

  it('works without storage', () => {
    const settings = new Settings(null);
    settings.theme = 'light';
    expect(settings.theme).toBe('light');
  });
});
