import '@testing-library/svelte/vitest';
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import PoolCard from '../../renderer/components/PoolCard.svelte';
import { recordingApi } from './recording-api.js';
import { poolRow } from './process-rows.js';

// How a pool's progress reads once a new user terminated it, before its first task finished, and
// what it runs when an argument holds a space.

const progressText = () => document.querySelector('.progress-text')?.textContent?.replace(/\s+/g, ' ').trim();

describe('pool progress', () => {
  it('reads "4 done · 26 cancelled of 30" after a Terminate, not "30 / 30"', () => {
    render(PoolCard, { api: recordingApi(), pool: poolRow({ state: 'terminated', total: 30, etaMs: 5000, counts: { queued: 0, running: 0, done: 4, failed: 0, cancelled: 26 } }) });
    expect(progressText()).toBe('4 done · 26 cancelled of 30');
  });

  it('names failures too, and reads "30 done of 30" when all went well', () => {
    render(PoolCard, { api: recordingApi(), pool: poolRow({ state: 'joined', total: 30, counts: { queued: 0, running: 0, done: 27, failed: 3, cancelled: 0 } }) });
    expect(progressText()).toBe('27 done · 3 failed of 30');
  });

  it('says the ETA comes once the first tasks finish, then gives it', async () => {
    const pool = poolRow({ total: 30, etaMs: null, counts: { queued: 26, running: 4, done: 0, failed: 0, cancelled: 0 } });
    const { rerender } = render(PoolCard, { api: recordingApi(), pool });
    expect(progressText()).toBe('0 / 30 · ETA once the first tasks finish');
    await rerender({ pool: { ...pool, etaMs: 61_000, counts: { ...pool.counts, queued: 24, done: 2 } } });
    expect(progressText()).toBe('2 / 30 · ETA 1m 01s');
  });

  it('quotes the arguments that hold spaces in what the pool runs', () => {
    render(PoolCard, { api: recordingApi(), pool: poolRow({ mode: 'exec', command: 'convert', args: ['{}', 'out dir/{}.png'] }) });
    expect(screen.getByText("convert {} 'out dir/{}.png'")).toBeInTheDocument();
  });
});
